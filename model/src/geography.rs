//! Morocco's administrative geography below the regions: the prefectures and provinces, the
//! communes and the arrondissements, with their HCP codes (`07.041` a province of region 07,
//! `07.041.07.03` one of its communes), names and 2024 legal populations. Read from
//! `data/geography/*.tsv`, which `cargo xtask geography` writes from the RGPH 2024 census (HCP,
//! CC BY 4.0).

use crate::{Lang, Localized};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A prefecture or province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Province {
    /// HCP code, `RR.PPP`.
    pub code: String,
    /// ISO code of its region, `MA-01` to `MA-12`.
    pub region: String,
    /// Whether it is a prefecture (an urban one) rather than a province.
    pub prefecture: bool,
    /// Legal population.
    pub population: u64,
    /// Name in French and Arabic, and in Tifinagh where one is known.
    pub name: Localized,
}

/// A commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    /// HCP code, `RR.PPP.CC.NN`.
    pub code: String,
    /// Code of its prefecture or province.
    pub province: String,
    /// Whether it is an urban commune (a municipality) rather than a rural one.
    pub urban: bool,
    /// Legal population.
    pub population: u64,
    /// Whether it is divided into arrondissements.
    pub arrondissements: bool,
    /// Name in French and Arabic, and in Tifinagh where one is known.
    pub name: Localized,
}

/// An arrondissement of a commune divided into them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrondissement {
    /// HCP code.
    pub code: String,
    /// Code of its commune.
    pub commune: String,
    /// Legal population.
    pub population: u64,
    /// Name in French and Arabic.
    pub name: Localized,
}

struct Geography {
    provinces: BTreeMap<String, Province>,
    communes: BTreeMap<String, Commune>,
    arrondissements: BTreeMap<String, Arrondissement>,
}

/// The data lines of a tab-separated file: comments and the header skipped, cells split.
fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').collect())
}

fn names(fr: &str, ar: &str, zgh: &BTreeMap<&str, &str>, code: &str) -> Localized {
    let mut name = Localized::from([(Lang::Fr, fr.to_string()), (Lang::Ar, ar.to_string())]);
    if let Some(z) = zgh.get(code) {
        name.insert(Lang::Zgh, z.to_string());
    }
    name
}

fn number(cell: &str) -> u64 {
    cell.parse()
        .expect("populations in data/geography are numbers")
}

fn data() -> &'static Geography {
    static DATA: OnceLock<Geography> = OnceLock::new();
    DATA.get_or_init(|| {
        let zgh: BTreeMap<&str, &str> = rows(include_str!("../data/geography/names-zgh.tsv"))
            .map(|r| (r[0], r[1]))
            .collect();
        let provinces = rows(include_str!("../data/geography/provinces.tsv"))
            .map(|r| Province {
                code: r[0].to_string(),
                region: r[1].to_string(),
                prefecture: r[2] == "prefecture",
                population: number(r[3]),
                name: names(r[4], r[5], &zgh, r[0]),
            })
            .map(|p| (p.code.clone(), p))
            .collect();
        let communes = rows(include_str!("../data/geography/communes.tsv"))
            .map(|r| Commune {
                code: r[0].to_string(),
                province: r[1].to_string(),
                urban: r[2] == "urban",
                population: number(r[3]),
                arrondissements: r[4] == "yes",
                name: names(r[5], r[6], &zgh, r[0]),
            })
            .map(|c| (c.code.clone(), c))
            .collect();
        let arrondissements = rows(include_str!("../data/geography/arrondissements.tsv"))
            .map(|r| Arrondissement {
                code: r[0].to_string(),
                commune: r[1].to_string(),
                population: number(r[2]),
                name: names(r[3], r[4], &zgh, r[0]),
            })
            .map(|a| (a.code.clone(), a))
            .collect();
        Geography {
            provinces,
            communes,
            arrondissements,
        }
    })
}

/// The prefecture or province with HCP code `code`, if any.
pub fn province(code: &str) -> Option<&'static Province> {
    data().provinces.get(code)
}

/// The commune with HCP code `code`, if any.
pub fn commune(code: &str) -> Option<&'static Commune> {
    data().communes.get(code)
}

/// The prefectures and provinces of region `region` (`MA-08`), in code order.
pub fn provinces_of(region: &str) -> impl Iterator<Item = &'static Province> {
    data()
        .provinces
        .values()
        .filter(move |p| p.region == region)
}

/// The communes of province `province`, in code order.
pub fn communes_of(province: &str) -> impl Iterator<Item = &'static Commune> {
    data()
        .communes
        .values()
        .filter(move |c| c.province == province)
}

/// The arrondissements of commune `commune`, in code order.
pub fn arrondissements_of(commune: &str) -> impl Iterator<Item = &'static Arrondissement> {
    (data().arrondissements.values()).filter(move |a| a.commune == commune)
}

/// Counts by the key signatures are counted under (a region's ISO code, or a province's HCP
/// code for a region council's petition: [`crate::target::Target::count_key`]) as counts by
/// region, every province added to its region, and by province.
pub fn split_counts(
    by_key: &BTreeMap<String, u64>,
) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let (mut regions, mut provinces) = (BTreeMap::new(), BTreeMap::new());
    for (key, n) in by_key {
        let region = match province(key) {
            Some(p) => {
                *provinces.entry(key.clone()).or_insert(0) += n;
                p.region.clone()
            }
            None => key.clone(),
        };
        *regions.entry(region).or_insert(0) += n;
    }
    (regions, provinces)
}

/// A unit's name in `lang`, else in French (the Tifinagh form of most units is not known),
/// else in Arabic.
pub fn name_in(name: &Localized, lang: Lang) -> &str {
    crate::lang::pick(name, lang, &[Lang::Fr, Lang::Ar]).map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region;

    #[test]
    fn every_unit_belongs_to_the_one_above() {
        assert_eq!(data().provinces.len(), 75);
        assert_eq!(data().communes.len(), 1503);
        for p in data().provinces.values() {
            assert!(region::by_code(&p.region).is_some(), "{}", p.code);
            assert!(p.code.starts_with(&p.region[3..]), "{}", p.code);
        }
        for c in data().communes.values() {
            assert!(province(&c.province).is_some(), "{}", c.code);
            assert!(c.code.starts_with(&c.province), "{}", c.code);
            assert_eq!(
                c.arrondissements,
                arrondissements_of(&c.code).next().is_some(),
                "{}",
                c.code
            );
        }
        for a in data().arrondissements.values() {
            assert!(commune(&a.commune).is_some(), "{}", a.code);
        }
    }

    #[test]
    fn populations_add_up_to_the_regions() {
        for r in region::all() {
            let provinces: u64 = provinces_of(&r.code).map(|p| p.population).sum();
            assert_eq!(provinces, r.population, "{}", r.code);
        }
    }

    #[test]
    fn every_tifinagh_name_is_of_a_known_unit_and_in_tifinagh() {
        for row in rows(include_str!("../data/geography/names-zgh.tsv")) {
            assert_eq!(row.len(), 2, "{row:?}");
            assert!(
                province(row[0]).is_some() || commune(row[0]).is_some(),
                "{row:?}"
            );
            assert!(
                (row[1].chars())
                    .all(|c| c == ' ' || c == '-' || ('\u{2D30}'..='\u{2D7F}').contains(&c)),
                "{row:?}"
            );
        }
    }

    #[test]
    fn provinces_count_in_their_region() {
        let by_key = BTreeMap::from([
            ("08.201".to_string(), 3),
            ("08.401".to_string(), 2),
            ("MA-08".to_string(), 5),
            ("MA-01".to_string(), 1),
        ]);
        let (regions, provinces) = split_counts(&by_key);
        assert_eq!(
            regions,
            BTreeMap::from([("MA-01".into(), 1), ("MA-08".into(), 10)])
        );
        assert_eq!(provinces.len(), 2);
        assert_eq!(provinces["08.401"], 2);
    }

    #[test]
    fn asni_is_a_rural_commune_of_al_haouz() {
        let asni = commune("07.041.07.03").unwrap();
        assert_eq!(asni.name[&Lang::Fr], "Asni");
        assert_eq!(asni.population, 22_637);
        assert!(!asni.urban);
        assert_eq!(
            province(&asni.province).unwrap().name[&Lang::Fr],
            "Al Haouz"
        );
        assert_eq!(name_in(&asni.name, Lang::Zgh), "ⴰⵙⵏⵉ");
        let al_haouz = province("07.041").unwrap();
        assert_eq!(name_in(&al_haouz.name, Lang::Zgh), "Al Haouz");
        assert!(commune("99999").is_none());
    }
}
