//! The authority a petition or motion is addressed to: the Head of Government, a house of
//! Parliament, or a region, province or commune council.

use crate::{Localized, geography, region, state::InitiativeKind};
use serde::{Deserialize, Serialize};

/// Which authority is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Authority {
    /// The Head of Government (organic law 44.14).
    HeadOfGovernment,
    /// The Speaker of the House of Representatives.
    HouseOfRepresentatives,
    /// The Speaker of the House of Councillors.
    HouseOfCouncillors,
    /// A region council (organic law 111.14).
    Region,
    /// A prefecture or province council (organic law 112.14).
    Province,
    /// A commune council (organic law 113.14).
    Commune,
}

impl Authority {
    /// Every authority, national first.
    pub const ALL: [Authority; 6] = [
        Self::HeadOfGovernment,
        Self::HouseOfRepresentatives,
        Self::HouseOfCouncillors,
        Self::Region,
        Self::Province,
        Self::Commune,
    ];

    /// The kebab-case name used in front matter, the catalog and UI string keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HeadOfGovernment => "head-of-government",
            Self::HouseOfRepresentatives => "house-of-representatives",
            Self::HouseOfCouncillors => "house-of-councillors",
            Self::Region => "region",
            Self::Province => "province",
            Self::Commune => "commune",
        }
    }

    /// Whether this is a local council (region, province, commune), whose petitions are
    /// limited to residents of its territory.
    pub fn is_local(self) -> bool {
        matches!(self, Self::Region | Self::Province | Self::Commune)
    }
}

/// An addressed authority with what the legal rules need to know about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Target {
    /// Which authority.
    pub authority: Authority,
    /// The region (ISO 3166-2 code) of a local council.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The HCP code of a province council's province, or of a commune council's province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// The HCP code of a commune council's commune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    /// Name of the province or commune, per language (from the census's names).
    #[serde(default, skip_serializing_if = "Localized::is_empty")]
    pub name: Localized,
    /// Legal population of a commune (from the census).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Whether the commune is divided into arrondissements (from the census).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub arrondissements: bool,
}

/// Why a target is not valid for an initiative.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Motions go to one house of Parliament.
    #[error(
        "a legislative motion is addressed to one house of Parliament: `house-of-representatives` or `house-of-councillors`"
    )]
    MotionNotToParliament,
    /// A local council needs its region.
    #[error("a {0} council needs `region = \"MA-xx\"` (MA-01 to MA-12)")]
    MissingRegion(&'static str),
    /// The region code is not one of the 12.
    #[error("unknown region `{0}` (expected MA-01 to MA-12)")]
    UnknownRegion(String),
    /// A province or commune needs its name.
    #[error("a {0} council needs its HCP code (`{0} = \"...\"`, see model/data/geography/)")]
    MissingName(&'static str),
    /// A commune needs its population.
    #[error("a commune council needs its legal population, which follows from its code")]
    MissingPopulation,
    /// No prefecture or province has this code.
    #[error(
        "unknown province code `{0}` (HCP codes look like `07.041`; see model/data/geography/provinces.tsv)"
    )]
    UnknownProvince(String),
    /// No commune has this code.
    #[error(
        "unknown commune code `{0}` (HCP codes look like `07.041.07.03`; see model/data/geography/communes.tsv)"
    )]
    UnknownCommune(String),
    /// The region given is not the one the province or commune is in.
    #[error(
        "`region = \"{given}\"` disagrees with the code, which is in {actual}: leave `region` out"
    )]
    RegionDisagrees {
        /// The region typed.
        given: String,
        /// The code's region.
        actual: String,
    },
    /// A population typed that is not the census's.
    #[error(
        "`population = {given}` disagrees with the 2024 census, which gives {name} {census}: leave `population` out, it follows from the code"
    )]
    PopulationDisagrees {
        /// The population typed.
        given: u64,
        /// The census's.
        census: u64,
        /// The commune's name.
        name: String,
    },
    /// A field that does not apply to this authority.
    #[error("`{field}` does not apply to {authority}")]
    NotApplicable {
        /// The field given.
        field: &'static str,
        /// The authority.
        authority: &'static str,
    },
}

/// A target as an editor names it: the authority and the code of its territory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Codes<'a> {
    /// The region, `MA-01` to `MA-12`: a region council's, or (optional) a province's or commune's.
    pub region: Option<&'a str>,
    /// A province council's HCP code.
    pub province: Option<&'a str>,
    /// A commune council's HCP code.
    pub commune: Option<&'a str>,
    /// The population, if typed: it must be the census's.
    pub population: Option<u64>,
}

impl Target {
    /// A target addressed to `authority` with no territory (a national authority).
    pub fn new(authority: Authority) -> Target {
        Target {
            authority,
            region: None,
            province: None,
            commune: None,
            name: Localized::new(),
            population: None,
            arrondissements: false,
        }
    }

    /// The target addressed to `authority` with the territory named by `codes`: names, region,
    /// population and arrondissements follow from the census. Refused: an unknown code, a code
    /// for another kind of council, a region or population that disagrees with the code.
    pub fn from_codes(authority: Authority, codes: Codes<'_>) -> Result<Target, TargetError> {
        use Authority::*;
        let not_applicable = |field| TargetError::NotApplicable {
            field,
            authority: authority.as_str(),
        };
        let mut target = Target {
            region: codes.region.map(str::to_string),
            ..Target::new(authority)
        };
        if codes.province.is_some() && authority != Province {
            return Err(not_applicable("province"));
        }
        if codes.commune.is_some() && authority != Commune {
            return Err(not_applicable("commune"));
        }
        if codes.population.is_some() && authority != Commune {
            return Err(not_applicable("population"));
        }
        let province = match authority {
            Province => {
                let code = codes.province.ok_or(TargetError::MissingName("province"))?;
                let p = geography::province(code)
                    .ok_or_else(|| TargetError::UnknownProvince(code.to_string()))?;
                target.name = p.name.clone();
                Some(p)
            }
            Commune => {
                let code = codes.commune.ok_or(TargetError::MissingName("commune"))?;
                let c = geography::commune(code)
                    .ok_or_else(|| TargetError::UnknownCommune(code.to_string()))?;
                if let Some(given) = codes.population.filter(|n| *n != c.population) {
                    return Err(TargetError::PopulationDisagrees {
                        given,
                        census: c.population,
                        name: geography::name_in(&c.name, crate::Lang::Fr).to_string(),
                    });
                }
                target.commune = Some(c.code.clone());
                target.name = c.name.clone();
                target.population = Some(c.population);
                target.arrondissements = c.arrondissements;
                geography::province(&c.province)
            }
            _ => None,
        };
        if let Some(p) = province {
            if let Some(given) = codes.region.filter(|r| *r != p.region) {
                return Err(TargetError::RegionDisagrees {
                    given: given.to_string(),
                    actual: p.region.clone(),
                });
            }
            target.province = Some(p.code.clone());
            target.region = Some(p.region.clone());
        }
        Ok(target)
    }

    /// The territory a local council's petition is open to, as its attestation names it in
    /// `lang`: a commune with its province ("Asni (Al Haouz)", the province left out when it
    /// bears the commune's name), a province, a region; else the name the target was given.
    pub fn territory(&self, lang: crate::Lang) -> String {
        use geography::name_in;
        let province = self.province.as_deref().and_then(geography::province);
        let commune = self.commune.as_deref().and_then(geography::commune);
        let region = || {
            let r = self.region.as_deref().and_then(region::by_code)?;
            crate::lang::pick(&r.name, lang, &crate::Lang::ALL).cloned()
        };
        match (self.authority, commune, province) {
            (Authority::Commune, Some(c), Some(p))
                if name_in(&c.name, lang) != name_in(&p.name, lang) =>
            {
                format!("{} ({})", name_in(&c.name, lang), name_in(&p.name, lang))
            }
            (Authority::Commune, Some(c), _) => name_in(&c.name, lang).to_string(),
            (Authority::Province, _, Some(p)) => name_in(&p.name, lang).to_string(),
            _ => (crate::lang::pick(&self.name, lang, &crate::Lang::ALL).cloned())
                .or_else(region)
                .unwrap_or_default(),
        }
    }

    /// The code the local attestation of a petition to this target carries as its value: the
    /// commune's for a commune council, the province's for a province council (the box says "I
    /// live in Asni or work there", and sends which Asni it means); `None` for a plain box, as
    /// for a region council.
    pub fn attested_code(&self) -> Option<&str> {
        match self.authority {
            Authority::Commune => self.commune.as_deref(),
            Authority::Province => self.province.as_deref(),
            _ => None,
        }
    }

    /// The key a signature of this target is counted under: the signer's province (its HCP
    /// code) for a region council, whose law asks for a share from each of its provinces; else
    /// the signer's region. See [`geography::split_counts`].
    pub fn count_key(&self, region: &str, province: Option<&str>) -> String {
        match (self.authority, province) {
            (Authority::Region, Some(p)) => p.to_string(),
            _ => region.to_string(),
        }
    }

    /// Checks that the target fits the kind of initiative and carries what its rules need.
    pub fn validate(&self, kind: InitiativeKind) -> Result<(), TargetError> {
        use Authority::*;
        let a = self.authority;
        if kind == InitiativeKind::Motion
            && !matches!(a, HouseOfRepresentatives | HouseOfCouncillors)
        {
            return Err(TargetError::MotionNotToParliament);
        }
        let not_applicable = |field| TargetError::NotApplicable {
            field,
            authority: a.as_str(),
        };
        if a.is_local() {
            let code = self
                .region
                .as_deref()
                .ok_or(TargetError::MissingRegion(a.as_str()))?;
            if region::by_code(code).is_none() {
                return Err(TargetError::UnknownRegion(code.to_string()));
            }
        } else if self.region.is_some() {
            return Err(not_applicable("region"));
        }
        match a {
            Province | Commune if self.name.is_empty() => Err(TargetError::MissingName(a.as_str())),
            Commune if self.population.is_none() => Err(TargetError::MissingPopulation),
            HeadOfGovernment | HouseOfRepresentatives | HouseOfCouncillors | Region
                if !self.name.is_empty() =>
            {
                Err(not_applicable("name"))
            }
            _ if a != Commune && self.population.is_some() => Err(not_applicable("population")),
            _ if a != Commune && self.arrondissements => Err(not_applicable("arrondissements")),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(authority: Authority) -> Target {
        Target::new(authority)
    }

    #[test]
    fn a_commune_named_by_code_takes_the_census() {
        let codes = |commune, population| Codes {
            commune: Some(commune),
            population,
            ..Codes::default()
        };
        let asni = Target::from_codes(Authority::Commune, codes("07.041.07.03", None)).unwrap();
        assert_eq!(asni.region.as_deref(), Some("MA-07"));
        assert_eq!(asni.province.as_deref(), Some("07.041"));
        assert_eq!(asni.population, Some(22_637));
        assert_eq!(asni.name[&crate::Lang::Fr], "Asni");
        assert_eq!(
            Target::from_codes(Authority::Commune, codes("99999", None)),
            Err(TargetError::UnknownCommune("99999".into()))
        );
        assert!(matches!(
            Target::from_codes(Authority::Commune, codes("07.041.07.03", Some(21_000))),
            Err(TargetError::PopulationDisagrees { census: 22_637, .. })
        ));
        let wrong_region = Codes {
            region: Some("MA-08"),
            ..codes("07.041.07.03", None)
        };
        assert!(matches!(
            Target::from_codes(Authority::Commune, wrong_region),
            Err(TargetError::RegionDisagrees { .. })
        ));
        let marrakech = Target::from_codes(Authority::Commune, codes("07.351.01.0", None)).unwrap();
        assert!(marrakech.arrondissements);
        // The attestation names the commune, and its province when that is another name.
        assert_eq!(asni.territory(crate::Lang::Fr), "Asni (Al Haouz)");
        assert_eq!(marrakech.territory(crate::Lang::Fr), "Marrakech");
        assert_eq!(asni.attested_code(), Some("07.041.07.03"));
    }

    #[test]
    fn motions_go_to_a_house_of_parliament_only() {
        assert_eq!(
            target(Authority::HeadOfGovernment).validate(InitiativeKind::Motion),
            Err(TargetError::MotionNotToParliament)
        );
        assert!(
            target(Authority::HouseOfCouncillors)
                .validate(InitiativeKind::Motion)
                .is_ok()
        );
    }

    #[test]
    fn a_commune_needs_region_name_and_population() {
        let mut t = target(Authority::Commune);
        assert!(matches!(
            t.validate(InitiativeKind::Petition),
            Err(TargetError::MissingRegion(_))
        ));
        t.region = Some("MA-13".into());
        assert!(matches!(
            t.validate(InitiativeKind::Petition),
            Err(TargetError::UnknownRegion(_))
        ));
        t.region = Some("MA-07".into());
        t.name.insert(crate::Lang::Fr, "Tahannaout".into());
        assert_eq!(
            t.validate(InitiativeKind::Petition),
            Err(TargetError::MissingPopulation)
        );
        t.population = Some(28_000);
        assert!(t.validate(InitiativeKind::Petition).is_ok());
    }
}
