//! Who starts a petition or a motion: its presentation committee, and what it must attest.
//! The committee rules come from `data/committee.toml` and the statutory exclusions from
//! `data/exclusions.toml`, each beside its legal reference; this module only applies them.

use crate::state::InitiativeKind;
use crate::target::Authority;
use crate::{Lang, Localized, region};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Most people a committee may hold, joined or waiting for their code, the agent included: far
/// above what any rule asks, it bounds the work of a decision on the committee.
pub const MAX_MEMBERS: usize = 25;

/// A member's role in the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// The agent (وكيل, mandataire): the committee's official contact, who proposed it.
    Agent,
    /// The agent's deputy.
    Deputy,
    /// Another member.
    Member,
}

impl Role {
    /// Every role, agent first.
    pub const ALL: [Role; 3] = [Role::Agent, Role::Deputy, Role::Member];

    /// The name used in exports and UI string keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Deputy => "deputy",
            Role::Member => "member",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown committee role {s:?}"))
    }
}

/// What a committee must hold before its proposal is submitted for review.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommitteeRule {
    /// Members, the agent and the deputy included.
    pub min_members: usize,
    /// Distinct regions the members come from.
    #[serde(default)]
    pub min_regions: usize,
    /// Whether members must live or work in the council's territory, as its signers do.
    #[serde(default)]
    pub from_territory: bool,
    /// Whether the rule still needs checking against the Bulletin officiel.
    #[serde(default)]
    pub uncertain: bool,
    /// The law, per language.
    pub reference: Localized,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitteeRules {
    petition: CommitteeRule,
    motion: CommitteeRule,
    local: CommitteeRule,
}

fn committee_rules() -> &'static CommitteeRules {
    static RULES: OnceLock<CommitteeRules> = OnceLock::new();
    RULES.get_or_init(|| {
        toml::from_str(include_str!("../data/committee.toml"))
            .expect("data/committee.toml is valid")
    })
}

/// The committee rule of an initiative of `kind` addressed to `authority`.
pub fn rule(kind: InitiativeKind, authority: Authority) -> &'static CommitteeRule {
    let rules = committee_rules();
    match kind {
        InitiativeKind::Motion => &rules.motion,
        InitiativeKind::Petition if authority.is_local() => &rules.local,
        InitiativeKind::Petition => &rules.petition,
    }
}

/// One member as the rules see them.
#[derive(Debug, Clone, Copy)]
pub struct Seat<'a> {
    /// Their role.
    pub role: Role,
    /// Their region (ISO 3166-2 code).
    pub region: &'a str,
}

/// A committee rule that does not hold yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmet {
    /// Fewer members than the law asks.
    TooFewMembers {
        /// Members the law asks for.
        needed: usize,
        /// Members now.
        have: usize,
    },
    /// Members from fewer regions than the law asks.
    TooFewRegions {
        /// Regions the law asks for.
        needed: usize,
        /// Regions now.
        have: usize,
    },
    /// No deputy named yet.
    NoDeputy,
}

impl Unmet {
    /// The key of its explanation in the UI strings (`committee.unmet.<key>`).
    pub fn key(&self) -> &'static str {
        match self {
            Unmet::TooFewMembers { .. } => "too-few-members",
            Unmet::TooFewRegions { .. } => "too-few-regions",
            Unmet::NoDeputy => "no-deputy",
        }
    }
}

impl CommitteeRule {
    /// Every rule `seats` do not meet yet, in the order the law states them; empty when the
    /// committee may submit.
    pub fn unmet(&self, seats: &[Seat]) -> Vec<Unmet> {
        let mut unmet = Vec::new();
        if seats.len() < self.min_members {
            unmet.push(Unmet::TooFewMembers {
                needed: self.min_members,
                have: seats.len(),
            });
        }
        let regions: BTreeSet<&str> = (seats.iter())
            .map(|s| s.region)
            .filter(|r| region::by_code(r).is_some())
            .collect();
        if regions.len() < self.min_regions {
            unmet.push(Unmet::TooFewRegions {
                needed: self.min_regions,
                have: regions.len(),
            });
        }
        if !seats.iter().any(|s| s.role == Role::Deputy) {
            unmet.push(Unmet::NoDeputy);
        }
        unmet
    }
}

/// A subject a petition or a motion may not concern.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Exclusion {
    /// Stable id (`national-constants`, ...): the attestation's field and a rejection reason.
    pub id: String,
    /// The kinds it applies to.
    pub applies: Vec<InitiativeKind>,
    /// Whether a proposal rejected for it is listed without its text.
    #[serde(default)]
    pub hide_text: bool,
    /// What it excludes, per language.
    pub text: Localized,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exclusions {
    exclusion: Vec<Exclusion>,
    reference: References,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct References {
    petition: Localized,
    motion: Localized,
}

fn all_exclusions() -> &'static Exclusions {
    static ALL: OnceLock<Exclusions> = OnceLock::new();
    ALL.get_or_init(|| {
        toml::from_str(include_str!("../data/exclusions.toml"))
            .expect("data/exclusions.toml is valid")
    })
}

/// The subjects an initiative of `kind` may not concern, in the law's order.
pub fn exclusions(kind: InitiativeKind) -> impl Iterator<Item = &'static Exclusion> {
    (all_exclusions().exclusion.iter()).filter(move |e| e.applies.contains(&kind))
}

/// The exclusion `id`, whatever the kind.
pub fn exclusion(id: &str) -> Option<&'static Exclusion> {
    all_exclusions().exclusion.iter().find(|e| e.id == id)
}

/// The law that lists the exclusions of `kind`, in `lang`.
pub fn exclusions_reference(kind: InitiativeKind, lang: Lang) -> &'static str {
    let refs = &all_exclusions().reference;
    let by_lang = match kind {
        InitiativeKind::Petition => &refs.petition,
        InitiativeKind::Motion => &refs.motion,
    };
    by_lang.get(&lang).map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seats(regions: &[&'static str]) -> Vec<Seat<'static>> {
        (regions.iter().enumerate())
            .map(|(i, r)| Seat {
                role: match i {
                    0 => Role::Agent,
                    1 => Role::Deputy,
                    _ => Role::Member,
                },
                region: r,
            })
            .collect()
    }

    #[test]
    fn a_petition_committee_needs_five_members_with_its_deputy() {
        let rule = rule(InitiativeKind::Petition, Authority::HeadOfGovernment);
        let four = seats(&["MA-01", "MA-01", "MA-01", "MA-01"]);
        assert_eq!(
            rule.unmet(&four),
            vec![Unmet::TooFewMembers { needed: 5, have: 4 }]
        );
        let five = seats(&["MA-01", "MA-01", "MA-01", "MA-01", "MA-01"]);
        assert!(rule.unmet(&five).is_empty());
        let mut no_deputy = five.clone();
        no_deputy[1].role = Role::Member;
        assert_eq!(rule.unmet(&no_deputy), vec![Unmet::NoDeputy]);
        assert!(rule.reference[&Lang::Fr].contains("44.14"));
    }

    #[test]
    fn a_motion_committee_spans_a_third_of_the_regions() {
        let rule = rule(InitiativeKind::Motion, Authority::HouseOfRepresentatives);
        let three = seats(&["MA-01", "MA-02", "MA-03", "MA-03", "MA-03"]);
        assert_eq!(
            rule.unmet(&three),
            vec![Unmet::TooFewRegions { needed: 4, have: 3 }]
        );
        let four = seats(&["MA-01", "MA-02", "MA-03", "MA-04", "MA-04"]);
        assert!(rule.unmet(&four).is_empty());
        // An unknown code is no region.
        let bogus = seats(&["MA-01", "MA-02", "MA-03", "MA-99", "MA-03"]);
        assert_eq!(rule.unmet(&bogus).len(), 1);
        assert!(rule.reference[&Lang::Ar].contains("64.14"));
    }

    #[test]
    fn local_petitions_follow_the_local_rule() {
        let rule = rule(InitiativeKind::Petition, Authority::Commune);
        assert!(rule.from_territory);
        assert_eq!(rule.min_regions, 0);
    }

    #[test]
    fn motions_have_one_more_exclusion_than_petitions_each_in_three_languages() {
        let petition: Vec<_> = exclusions(InitiativeKind::Petition).collect();
        let motion: Vec<_> = exclusions(InitiativeKind::Motion).collect();
        assert_eq!(petition.len(), 7);
        assert_eq!(motion.len(), 8);
        for e in &motion {
            for lang in Lang::ALL {
                assert!(!e.text[&lang].trim().is_empty(), "{} in {lang:?}", e.id);
            }
        }
        assert!(exclusion("insult").is_some_and(|e| e.hide_text));
        assert!(exclusion("constitution").is_some_and(|e| !e.hide_text));
        assert!(exclusions_reference(InitiativeKind::Motion, Lang::Fr).contains("64.14"));
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("president".parse::<Role>().is_err());
    }
}
