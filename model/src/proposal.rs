//! A citizen's proposal of a petition or motion, from its draft to the editors' decision: its
//! states, what each allows, and the reasons a moderator may give for a refusal.

use crate::Lang;
use crate::committee;
use crate::state::InitiativeKind;
use crate::target::Target;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Days a proposal may stay unsubmitted: a draft not sent for review within this time after it
/// was started (or after the moderators sent it back) is deleted, with its committee's
/// personal data.
pub const DRAFT_DAYS: i64 = 30;

/// Hours a person asking for a seat (or an agent, for a proposal) has to confirm their code
/// before their request and its data are deleted.
pub const PENDING_SEAT_HOURS: i64 = 24;

/// Days the agent of a rejected proposal keeps their private code (and the store their data),
/// to read the decision; the other members' data goes at once.
pub const AGENT_AFTER_REJECTION_DAYS: i64 = 30;

/// A proposal as stored and shown: what its agent wrote, where it stands, and the moderators'
/// decisions. Nothing in it is personal data (the committee is kept apart, sealed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Its id, which the initiative keeps once accepted.
    pub id: String,
    /// Petition or motion.
    pub kind: InitiativeKind,
    /// The authority addressed.
    pub target: Target,
    /// The language it is written in.
    pub lang: Lang,
    /// Its title.
    pub title: String,
    /// What the authority is asked to do.
    pub request: String,
    /// The explanatory memorandum.
    pub memorandum: String,
    /// The collection period asked for, in days.
    pub period_days: u32,
    /// Where it stands.
    pub state: ProposalState,
    /// When it was started (epoch seconds).
    pub created: i64,
    /// When it was last changed (epoch seconds).
    pub updated: i64,
    /// When it was last sent for review (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted: Option<i64>,
    /// The moderators' decisions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<Review>,
}

/// The id of the initiative a proposal `id` of `kind` becomes once accepted (`p-k7q2m9xd`).
pub fn initiative_id(kind: InitiativeKind, id: &str) -> String {
    let prefix = match kind {
        InitiativeKind::Petition => "p",
        InitiativeKind::Motion => "m",
    };
    format!("{prefix}-{}", id.to_ascii_lowercase())
}

/// The proposal an initiative's id names, when it may be one (the inverse of
/// [`initiative_id`]; the store says whether it exists).
pub fn proposal_id(initiative: &str) -> Option<String> {
    let rest = initiative
        .strip_prefix("p-")
        .or_else(|| initiative.strip_prefix("m-"))?;
    (rest.len() == 8 && rest.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| rest.to_ascii_uppercase())
}

impl Proposal {
    /// The id of the initiative it becomes once accepted.
    pub fn initiative_id(&self) -> String {
        initiative_id(self.kind, &self.id)
    }

    /// When the proposal and its committee are deleted unless submitted (epoch seconds): a
    /// draft [`DRAFT_DAYS`] after it was started, a proposal sent back [`DRAFT_DAYS`] after the
    /// moderators' decision; none once submitted or decided.
    pub fn deadline(&self) -> Option<i64> {
        match self.state {
            ProposalState::Draft if self.submitted.is_none() => {
                Some(self.created + DRAFT_DAYS * 86_400)
            }
            ProposalState::Draft | ProposalState::ChangesRequested => {
                let since = self.last_review().map_or(self.updated, |r| r.at);
                Some(since + DRAFT_DAYS * 86_400)
            }
            _ => None,
        }
    }

    /// The last decision, if any.
    pub fn last_review(&self) -> Option<&Review> {
        self.reviews.last()
    }
}

/// A moderator's decision on a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// When (epoch seconds).
    pub at: i64,
    /// Who decided.
    pub moderator: String,
    /// The state it put the proposal in: accepted, rejected or changes requested.
    pub state: ProposalState,
    /// Why, for a rejection (a [`Reason`] as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The moderator's message to the committee.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl Review {
    /// The reason, read back.
    pub fn reason(&self) -> Option<Reason> {
        self.reason.as_deref().and_then(|r| r.parse().ok())
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalState {
    /// Being written; its committee forms.
    Draft,
    /// Sent for review; the committee is closed.
    Submitted,
    /// Sent back by a moderator with what to change; the agent edits and submits again.
    ChangesRequested,
    /// Published as a petition or motion.
    Accepted,
    /// Refused, with its reason.
    Rejected,
    /// Withdrawn by its agent.
    Withdrawn,
}

impl ProposalState {
    /// Every state, in order.
    pub const ALL: [ProposalState; 6] = [
        Self::Draft,
        Self::Submitted,
        Self::ChangesRequested,
        Self::Accepted,
        Self::Rejected,
        Self::Withdrawn,
    ];

    /// The name used in stores, the command line and UI string keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes-requested",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Whether the agent may edit the text, and members join or leave.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Draft | Self::ChangesRequested)
    }

    /// Whether a moderator may decide on it.
    pub fn awaits_review(self) -> bool {
        self == Self::Submitted
    }

    /// Whether the agent may still withdraw it.
    pub fn may_withdraw(self) -> bool {
        matches!(self, Self::Draft | Self::Submitted | Self::ChangesRequested)
    }
}

impl std::str::FromStr for ProposalState {
    type Err = String;

    fn from_str(s: &str) -> Result<ProposalState, String> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown proposal state {s:?}"))
    }
}

/// Why a moderator refuses a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// It concerns a subject the law excludes (an id of `data/exclusions.toml`).
    Excluded(String),
    /// The authority it addresses has no say on what it asks.
    OutsideRemit,
    /// It repeats an initiative already open or proposed (its id).
    Duplicate(String),
    /// It names or exposes a private person.
    PersonalData,
}

/// A reason the command line could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown reason {0:?}: expected an exclusion ({1}), `outside-remit`, `duplicate:<id>` or `personal-data`"
)]
pub struct UnknownReason(String, String);

impl Reason {
    /// Whether the proposal is listed publicly without its text.
    pub fn hides_text(&self) -> bool {
        match self {
            Reason::Excluded(id) => committee::exclusion(id).is_some_and(|e| e.hide_text),
            Reason::PersonalData => true,
            Reason::OutsideRemit | Reason::Duplicate(_) => false,
        }
    }

    /// The key of its explanation in the UI strings (`proposal.reason.<key>`), besides an
    /// exclusion's own text.
    pub fn key(&self) -> &str {
        match self {
            Reason::Excluded(id) => id,
            Reason::OutsideRemit => "outside-remit",
            Reason::Duplicate(_) => "duplicate",
            Reason::PersonalData => "personal-data",
        }
    }
}

impl Reason {
    /// The reason in words in `lang`: an exclusion's own text, else the UI string
    /// `proposal.reason_<key>` that `text` gives (with the duplicate's id).
    pub fn words(&self, lang: Lang, text: impl Fn(&str) -> String) -> String {
        match self {
            Reason::Excluded(id) => committee::exclusion(id)
                .and_then(|e| crate::lang::pick(&e.text, lang, &Lang::ALL).cloned())
                .unwrap_or_else(|| id.clone()),
            Reason::Duplicate(id) => text("proposal.reason_duplicate").replace("{id}", id),
            other => text(&format!("proposal.reason_{}", other.key())),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Duplicate(id) => write!(f, "duplicate:{id}"),
            other => f.write_str(other.key()),
        }
    }
}

impl std::str::FromStr for Reason {
    type Err = UnknownReason;

    fn from_str(s: &str) -> Result<Reason, UnknownReason> {
        let s = s.trim();
        let unknown = || {
            let ids: Vec<&str> = committee::exclusions(InitiativeKind::Motion)
                .map(|e| e.id.as_str())
                .collect();
            UnknownReason(s.to_string(), ids.join(", "))
        };
        match s {
            "outside-remit" => Ok(Reason::OutsideRemit),
            "personal-data" => Ok(Reason::PersonalData),
            _ => match s.strip_prefix("duplicate:") {
                Some(id) if !id.trim().is_empty() => Ok(Reason::Duplicate(id.trim().to_string())),
                Some(_) => Err(unknown()),
                None if committee::exclusion(s).is_some() => Ok(Reason::Excluded(s.to_string())),
                None => Err(unknown()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_from_their_names_and_say_what_they_allow() {
        for state in ProposalState::ALL {
            assert_eq!(state.as_str().parse::<ProposalState>(), Ok(state));
        }
        assert!(ProposalState::Draft.is_open());
        assert!(ProposalState::ChangesRequested.is_open());
        assert!(!ProposalState::Submitted.is_open());
        assert!(ProposalState::Submitted.awaits_review());
        assert!(!ProposalState::Accepted.may_withdraw());
        assert!(ProposalState::Submitted.may_withdraw());
        for state in ProposalState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
    }

    #[test]
    fn an_accepted_proposal_keeps_its_id_in_the_initiatives() {
        let id = initiative_id(InitiativeKind::Motion, "K7Q2M9XD");
        assert_eq!(id, "m-k7q2m9xd");
        assert_eq!(proposal_id(&id).as_deref(), Some("K7Q2M9XD"));
        assert_eq!(proposal_id("p-2026-asni-winter-track"), None);
    }

    #[test]
    fn reasons_read_back_and_hide_the_text_of_insults_and_personal_data() {
        for text in [
            "insult",
            "constitution",
            "outside-remit",
            "duplicate:p-2026-water",
            "personal-data",
        ] {
            let reason: Reason = text.parse().unwrap();
            assert_eq!(reason.to_string(), text);
        }
        assert!("insult".parse::<Reason>().unwrap().hides_text());
        assert!("personal-data".parse::<Reason>().unwrap().hides_text());
        assert!(!"security".parse::<Reason>().unwrap().hides_text());
        assert!(!"duplicate:x".parse::<Reason>().unwrap().hides_text());
        let err = "rude".parse::<Reason>().unwrap_err().to_string();
        assert!(
            err.contains("national-constants") && err.contains("duplicate:<id>"),
            "{err}"
        );
        assert!("duplicate:".parse::<Reason>().is_err());
    }
}
