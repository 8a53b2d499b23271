//! The catalog: every petition, motion and consultation with what the functions need to
//! enforce the rules. Written by the generator as `catalog.json`, loaded into the store by
//! `publish`; the one contract between the site and the functions.

use crate::{
    Localized,
    state::{ConsultationState, InitiativeKind, InitiativeState},
    target::Target,
};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Version of the catalog schema, bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 3;

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub version: u32,
    /// The site's base URL, which the per-language URLs start with.
    pub base_url: String,
    /// Every initiative and consultation, sorted by id.
    pub entries: Vec<Entry>,
    /// How long signers' personal data is kept, from `site.toml`.
    #[serde(default)]
    pub retention: crate::retention::Retention,
    /// The site's own page in each language, around the answers the functions write as whole
    /// pages (a form sent back with its errors, a receipt, a confirmation form).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub frames: std::collections::BTreeMap<crate::Lang, PageFrame>,
}

/// A page of the site with its title and its main content left out: what comes before the
/// title, between the title and the main content, and after it. An answer is
/// `head + title + top + main + bottom`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrame {
    /// From the doctype to the title.
    pub head: String,
    /// From the title to the main content: the rest of the head, the site's header.
    pub top: String,
    /// From the main content to the end: the site's footer.
    pub bottom: String,
    /// The privacy notice, which a signature's consent links to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_url: Option<String>,
    /// The terms of use and moderation, which a comment's consent links to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_url: Option<String>,
}

impl PageFrame {
    /// The whole page titled `title` around `main` (both HTML).
    pub fn page(&self, title: &str, main: &str) -> String {
        [&self.head, title, &self.top, main, &self.bottom].concat()
    }
}

/// One petition, motion or consultation. (Unknown fields are checked by [`Details`]: serde
/// cannot deny them on a struct with a flattened field.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable id, unique across the catalog.
    pub id: String,
    /// What it is, with the fields of its kind.
    #[serde(flatten)]
    pub details: Details,
    /// When signing or commenting opens.
    pub opens: DateTime<FixedOffset>,
    /// When signing or commenting closes.
    pub closes: DateTime<FixedOffset>,
    /// Title per language.
    pub title: Localized,
    /// Absolute URL of its page per language.
    pub url: Localized,
}

/// The kind-specific part of an entry; `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Details {
    /// A petition.
    Petition(Initiative),
    /// A legislative motion.
    Motion(Initiative),
    /// A public consultation.
    Consultation(Consultation),
}

/// Fields of a petition or motion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initiative {
    /// The authority addressed.
    pub target: Target,
    /// Signatures needed, from the legal rules.
    pub threshold: u64,
    /// Signatures needed from each prefecture or province of the region (region councils).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_province: Option<u64>,
    /// Current state.
    pub state: InitiativeState,
    /// When the authority's final decision, or the withdrawal, was made (from the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<DateTime<FixedOffset>>,
    /// The instant after which the signers' personal data is deleted whatever happened (the
    /// retention policy's deadline; the cloud store's TTL). Absent from entries published
    /// before it existed: see [`Entry::erase_by`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erase_by: Option<DateTime<FixedOffset>>,
    /// Signatures one contact may confirm (`[signing]` in `site.toml`).
    #[serde(default = "crate::signing::default_per_contact")]
    pub per_contact: u32,
}

/// Fields of a consultation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consultation {
    /// The authority that opened it, per language.
    pub authority: Localized,
    /// Current state.
    pub state: ConsultationState,
    /// Anchor ids of the text's sections, which comments may target.
    pub sections: Vec<String>,
}

/// Signatures of an initiative: total and by the key they are counted under.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Every counted signature.
    pub total: u64,
    /// By region code (`MA-04`), or for a region council's petition by the signer's province
    /// (`08.201`): [`crate::target::Target::count_key`]; [`crate::geography::split_counts`]
    /// gives both.
    pub regions: std::collections::BTreeMap<String, u64>,
}

/// Why an entry does not accept a submission now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Before the opening instant.
    #[error("not open yet")]
    NotYetOpen,
    /// At or after the closing instant, or in a state that takes no more submissions.
    #[error("closed")]
    Closed,
    /// Signatures sent to a consultation, or comments to a petition.
    #[error("wrong kind")]
    WrongKind,
}

impl Entry {
    /// The initiative kind, or `None` for a consultation.
    pub fn initiative_kind(&self) -> Option<InitiativeKind> {
        match self.details {
            Details::Petition(_) => Some(InitiativeKind::Petition),
            Details::Motion(_) => Some(InitiativeKind::Motion),
            Details::Consultation(_) => None,
        }
    }

    /// For a petition or motion, the instant after which its signers' personal data is
    /// deleted whatever happened: its own, else the default policy's.
    pub fn erase_by(&self) -> Option<DateTime<FixedOffset>> {
        match &self.details {
            Details::Petition(i) | Details::Motion(i) => {
                Some(i.erase_by.unwrap_or_else(|| {
                    crate::retention::Retention::default().erase_by(self.closes)
                }))
            }
            Details::Consultation(_) => None,
        }
    }

    fn window(&self, now: DateTime<FixedOffset>) -> Result<(), Refusal> {
        if now < self.opens {
            Err(Refusal::NotYetOpen)
        } else if now >= self.closes {
            Err(Refusal::Closed)
        } else {
            Ok(())
        }
    }

    /// Whether a support signature is accepted at `now`: a petition or motion, collecting,
    /// between its opening and closing instants.
    pub fn accepts_signature(&self, now: DateTime<FixedOffset>) -> Result<(), Refusal> {
        match &self.details {
            Details::Petition(i) | Details::Motion(i) => match i.state {
                InitiativeState::Collecting => self.window(now),
                InitiativeState::Drafting => Err(Refusal::NotYetOpen),
                _ => Err(Refusal::Closed),
            },
            Details::Consultation(_) => Err(Refusal::WrongKind),
        }
    }

    /// Whether a comment is accepted at `now`: an open consultation within its dates.
    pub fn accepts_comment(&self, now: DateTime<FixedOffset>) -> Result<(), Refusal> {
        match &self.details {
            Details::Consultation(c) => match c.state {
                ConsultationState::Open => self.window(now),
                ConsultationState::Upcoming => Err(Refusal::NotYetOpen),
                _ => Err(Refusal::Closed),
            },
            _ => Err(Refusal::WrongKind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Authority;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn petition(state: InitiativeState) -> Entry {
        Entry {
            id: "p-1".into(),
            details: Details::Petition(Initiative {
                target: Target::new(Authority::HeadOfGovernment),
                threshold: 4000,
                per_province: None,
                state,
                decided: None,
                erase_by: Some(at("2028-04-01T00:00:00+01:00")),
                per_contact: 3,
            }),
            opens: at("2026-01-01T00:00:00+01:00"),
            closes: at("2026-04-01T00:00:00+01:00"),
            title: Localized::new(),
            url: Localized::new(),
        }
    }

    #[test]
    fn a_collecting_petition_accepts_signatures_only_within_its_dates() {
        let p = petition(InitiativeState::Collecting);
        assert_eq!(
            p.accepts_signature(at("2025-12-31T23:59:59+01:00")),
            Err(Refusal::NotYetOpen)
        );
        assert_eq!(p.accepts_signature(at("2026-02-01T12:00:00Z")), Ok(()));
        // Midnight local time closes it, whatever offset the instant is written in.
        assert_eq!(
            p.accepts_signature(at("2026-03-31T23:00:00Z")),
            Err(Refusal::Closed)
        );
        assert_eq!(
            p.accepts_comment(at("2026-02-01T12:00:00Z")),
            Err(Refusal::WrongKind)
        );
    }

    #[test]
    fn a_filed_petition_is_closed() {
        let p = petition(InitiativeState::Filed);
        assert_eq!(
            p.accepts_signature(at("2026-02-01T12:00:00Z")),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn the_kind_is_a_json_field() {
        let json = serde_json::to_value(petition(InitiativeState::Collecting)).unwrap();
        assert_eq!(json["kind"], "petition");
        assert_eq!(json["target"]["authority"], "head-of-government");
        let back: Entry = serde_json::from_value(json).unwrap();
        assert_eq!(back, petition(InitiativeState::Collecting));
    }
}
