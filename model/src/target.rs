//! The authority a petition or motion is addressed to: the Head of Government, a house of
//! Parliament, or a region, province or commune council.

use crate::{Localized, region, state::InitiativeKind};
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
    /// Name of the province or commune, per language.
    #[serde(default, skip_serializing_if = "Localized::is_empty")]
    pub name: Localized,
    /// Legal population of a commune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Whether the commune is divided into arrondissements.
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
    #[error("a {0} council needs its name (`name = \"...\"`)")]
    MissingName(&'static str),
    /// A commune needs its population.
    #[error("a commune council needs its legal population (`population = 28000`)")]
    MissingPopulation,
    /// A field that does not apply to this authority.
    #[error("`{field}` does not apply to {authority}")]
    NotApplicable {
        /// The field given.
        field: &'static str,
        /// The authority.
        authority: &'static str,
    },
}

impl Target {
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
        Target {
            authority,
            region: None,
            name: Localized::new(),
            population: None,
            arrondissements: false,
        }
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
