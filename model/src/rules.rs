//! Legal signature thresholds, read from `data/rules.toml` where each figure stands beside its
//! legal reference; editors name the authority, the threshold follows from the law.

use crate::{
    Localized, region,
    state::InitiativeKind,
    target::{Authority, Target, TargetError},
};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A threshold by population: applies while the population is below `below`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tier {
    below: Option<u64>,
    threshold: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Rule {
    threshold: Option<u64>,
    #[serde(default)]
    tiers: Vec<Tier>,
    with_arrondissements: Option<u64>,
    per_province_percent: Option<u64>,
    #[serde(default)]
    uncertain: bool,
    reference: Localized,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Rules {
    head_of_government: Rule,
    house_of_representatives: Rule,
    house_of_councillors: Rule,
    motion: Rule,
    region: Rule,
    province: Rule,
    commune: Rule,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        toml::from_str(include_str!("../data/rules.toml")).expect("data/rules.toml is valid")
    })
}

/// The number of support signatures an initiative needs, and the law that sets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// Signatures needed.
    pub signatures: u64,
    /// The legal reference, per language.
    pub reference: Localized,
    /// Whether the figure still needs checking against the Bulletin officiel.
    pub uncertain: bool,
    /// The signatures needed from each prefecture or province of the region, for a region
    /// council (a share of `signatures`, rounded up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_province: Option<u64>,
}

impl Rule {
    fn for_population(&self, population: u64) -> u64 {
        self.threshold.unwrap_or_else(|| {
            self.tiers
                .iter()
                .find(|t| t.below.is_none_or(|below| population < below))
                .map_or(0, |t| t.threshold)
        })
    }
}

/// One row of the published schedule of thresholds: an authority (or `motion`), its
/// thresholds by population tier, and the law.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    /// `head-of-government`, ..., `motion`, `region`, `province`, `commune`.
    pub key: &'static str,
    /// `(below, signatures)`: applies while the population is below `below` (no bound: any).
    pub tiers: Vec<(Option<u64>, u64)>,
    /// Threshold of communes with arrondissements.
    pub with_arrondissements: Option<u64>,
    /// The legal reference, per language.
    pub reference: Localized,
    /// Whether the figure still needs checking.
    pub uncertain: bool,
}

/// Every threshold the rules define, for the guide's table.
pub fn schedule() -> Vec<ScheduleRow> {
    let r = rules();
    let row = |key, rule: &Rule| ScheduleRow {
        key,
        tiers: match rule.threshold {
            Some(n) => vec![(None, n)],
            None => rule.tiers.iter().map(|t| (t.below, t.threshold)).collect(),
        },
        with_arrondissements: rule.with_arrondissements,
        reference: rule.reference.clone(),
        uncertain: rule.uncertain,
    };
    vec![
        row("head-of-government", &r.head_of_government),
        row("house-of-representatives", &r.house_of_representatives),
        row("house-of-councillors", &r.house_of_councillors),
        row("motion", &r.motion),
        row("region", &r.region),
        row("province", &r.province),
        row("commune", &r.commune),
    ]
}

/// The threshold for an initiative of `kind` addressed to `target`, after validating the target.
pub fn threshold(kind: InitiativeKind, target: &Target) -> Result<Threshold, TargetError> {
    target.validate(kind)?;
    let r = rules();
    let (rule, signatures) = match (kind, target.authority) {
        (InitiativeKind::Motion, _) => (&r.motion, r.motion.for_population(0)),
        (_, Authority::HeadOfGovernment) => (
            &r.head_of_government,
            r.head_of_government.for_population(0),
        ),
        (_, Authority::HouseOfRepresentatives) => (
            &r.house_of_representatives,
            r.house_of_representatives.for_population(0),
        ),
        (_, Authority::HouseOfCouncillors) => (
            &r.house_of_councillors,
            r.house_of_councillors.for_population(0),
        ),
        (_, Authority::Region) => {
            let code = target.region.as_deref().unwrap_or_default();
            let population = region::by_code(code).map_or(0, |r| r.population);
            (&r.region, r.region.for_population(population))
        }
        (_, Authority::Province) => (&r.province, r.province.for_population(0)),
        (_, Authority::Commune) => {
            let n = match (target.arrondissements, r.commune.with_arrondissements) {
                (true, Some(n)) => n,
                _ => r.commune.for_population(target.population.unwrap_or(0)),
            };
            (&r.commune, n)
        }
    };
    Ok(Threshold {
        signatures,
        reference: rule.reference.clone(),
        uncertain: rule.uncertain,
        per_province: (rule.per_province_percent).map(|pct| (signatures * pct).div_ceil(100)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    fn target(authority: Authority) -> Target {
        Target::new(authority)
    }

    fn commune(population: u64, arrondissements: bool) -> Target {
        Target {
            region: Some("MA-07".into()),
            name: [(Lang::Fr, "X".to_string())].into(),
            population: Some(population),
            arrondissements,
            ..target(Authority::Commune)
        }
    }

    fn needed(kind: InitiativeKind, t: &Target) -> u64 {
        threshold(kind, t).unwrap().signatures
    }

    #[test]
    fn national_thresholds_follow_the_amended_organic_laws() {
        use InitiativeKind::*;
        assert_eq!(needed(Petition, &target(Authority::HeadOfGovernment)), 4000);
        assert_eq!(
            needed(Petition, &target(Authority::HouseOfRepresentatives)),
            4000
        );
        assert_eq!(
            needed(Motion, &target(Authority::HouseOfCouncillors)),
            20000
        );
        let t = threshold(Motion, &target(Authority::HouseOfRepresentatives)).unwrap();
        assert!(t.reference[&Lang::Fr].contains("64.14"));
        assert!(t.reference[&Lang::Ar].contains("64.14"));
    }

    #[test]
    fn region_threshold_depends_on_population() {
        let region = |code: &str| Target {
            region: Some(code.into()),
            ..target(Authority::Region)
        };
        // Dakhla-Oued Ed-Dahab: under 1 million.
        assert_eq!(needed(InitiativeKind::Petition, &region("MA-12")), 300);
        // L'Oriental: between 1 and 3 million.
        assert_eq!(needed(InitiativeKind::Petition, &region("MA-02")), 400);
        // Casablanca-Settat: above 3 million.
        assert_eq!(needed(InitiativeKind::Petition, &region("MA-06")), 500);
        // And 5 % of that from each of its prefectures and provinces.
        let per_province = |code| threshold(InitiativeKind::Petition, &region(code)).unwrap();
        assert_eq!(per_province("MA-06").per_province, Some(25));
        assert_eq!(per_province("MA-12").per_province, Some(15));
        assert_eq!(needed_of_commune_by_code(), 100);
    }

    /// Asni (22,637 inhabitants in 2024): under 35,000, so 100, from the census.
    fn needed_of_commune_by_code() -> u64 {
        let codes = crate::target::Codes {
            commune: Some("07.041.07.03"),
            ..Default::default()
        };
        let asni = Target::from_codes(Authority::Commune, codes).unwrap();
        assert_eq!(asni.population, Some(22_637));
        let t = threshold(InitiativeKind::Petition, &asni).unwrap();
        assert_eq!(t.per_province, None);
        t.signatures
    }

    #[test]
    fn commune_threshold_depends_on_population_and_arrondissements() {
        use InitiativeKind::Petition;
        assert_eq!(needed(Petition, &commune(34_999, false)), 100);
        assert_eq!(needed(Petition, &commune(35_000, false)), 200);
        assert_eq!(needed(Petition, &commune(3_000_000, true)), 400);
    }

    #[test]
    fn the_schedule_lists_every_authority_with_its_tiers() {
        let s = schedule();
        assert_eq!(s.len(), 7);
        let region = s.iter().find(|r| r.key == "region").unwrap();
        assert_eq!(region.tiers.len(), 3);
        let commune = s.iter().find(|r| r.key == "commune").unwrap();
        assert_eq!(commune.with_arrondissements, Some(400));
    }

    #[test]
    fn an_invalid_target_has_no_threshold() {
        assert!(threshold(InitiativeKind::Motion, &target(Authority::Commune)).is_err());
    }
}
