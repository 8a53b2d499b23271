//! What the stores keep of citizens' proposals and their committees: the proposal itself (no
//! personal data, compared and swapped whole by its version), and each member, sealed as a
//! signer is, with their one-time code until they confirm it and their private code after.

use musharaka_model::Lang;
use musharaka_model::committee::Role;
use musharaka_model::proposal::Proposal;

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProposal {
    /// The proposal.
    pub proposal: Proposal,
    /// Raised by every change to the proposal or its committee: a change is written only over
    /// the version it was decided on.
    pub version: u64,
    /// Whether its agent confirmed their contact (until then it is nobody's to see).
    pub confirmed: bool,
}

/// A person joining a committee (its agent, when proposing), waiting for their code.
#[derive(Clone, PartialEq, Eq)]
pub struct NewMember {
    /// The proposal.
    pub proposal: String,
    /// Their reference, given with the code.
    pub reference: String,
    /// Agent or member (the deputy is named later, from among the members).
    pub role: Role,
    /// Their region.
    pub region: String,
    /// Keyed hash of proposal and CIN: one seat per person.
    pub signer: String,
    /// Name, CIN, address and contact, sealed with the data key.
    pub sealed: Vec<u8>,
    /// Keyed hash of their contact.
    pub contact: String,
    /// Keyed hash of the one-time code.
    pub code: String,
    /// When the code stops being valid (epoch seconds).
    pub code_expires: i64,
    /// Their language.
    pub lang: Lang,
    /// When their data is deleted unless the proposal is submitted by then (epoch seconds).
    pub expires: i64,
}

impl std::fmt::Debug for NewMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NewMember {{ proposal: {:?}, reference: {:?}, role: {:?}, .. }}",
            self.proposal, self.reference, self.role
        )
    }
}

/// A member as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Member {
    /// The proposal.
    pub proposal: String,
    /// Their reference.
    pub reference: String,
    /// Agent, deputy or member.
    pub role: Role,
    /// Their region.
    pub region: String,
    /// Keyed hash of proposal and CIN.
    pub signer: String,
    /// Name, CIN, address and contact, sealed.
    pub sealed: Vec<u8>,
    /// Keyed hash of their contact.
    pub contact: String,
    /// Keyed hash of the one-time code last sent (empty once joined).
    pub code: String,
    /// When that code stops being valid (epoch seconds).
    pub code_expires: i64,
    /// Wrong codes typed so far.
    pub attempts: u32,
    /// Whether they confirmed their code and sit on the committee.
    pub joined: bool,
    /// Keyed hash of their private code (empty until joined).
    pub key: String,
    /// When they asked to join (epoch seconds).
    pub created: i64,
    /// Their language.
    pub lang: Lang,
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Member {{ proposal: {:?}, reference: {:?}, role: {:?}, region: {:?}, joined: {}, .. }}",
            self.proposal, self.reference, self.role, self.region, self.joined
        )
    }
}

/// What became of a proposal or a request to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Stored, with the message carrying the code.
    Done,
    /// No such proposal (or its agent never confirmed).
    NotFound,
    /// The committee no longer changes (submitted, decided, withdrawn), or is full.
    Closed,
    /// The contact asked for too many codes today.
    ContactLimit,
}

/// What became of a member's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seated {
    /// They sit on the committee, with their private code.
    Joined,
    /// A member with this CIN already sits on it.
    AlreadyMember,
    /// The committee no longer changes.
    Closed,
    /// The request changed meanwhile, or its code is wrong, stale or locked: read it again.
    Changed,
    /// No such request.
    NotFound,
}

/// A change a committee decides on its own, written only over the version it was decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitteeChange {
    /// The member `reference` becomes the deputy (the deputy before, if any, a member again).
    Deputy {
        /// The new deputy.
        reference: String,
        /// The deputy before.
        previous: Option<String>,
    },
    /// The member `reference` leaves.
    Leave {
        /// Who leaves.
        reference: String,
    },
}

/// What a change to a proposal does to its committee's data.
#[derive(Debug, Clone, Copy)]
pub struct Members<'a> {
    /// These members are kept until `until`.
    pub keep: &'a [Member],
    /// When the kept members' data is deleted (epoch seconds), or never by itself.
    pub until: Option<i64>,
    /// These members and their data are deleted.
    pub erase: &'a [Member],
}

impl<'a> Members<'a> {
    /// Nothing changes.
    pub const UNCHANGED: Members<'static> = Members {
        keep: &[],
        until: None,
        erase: &[],
    };

    /// `members` are kept until `until`.
    pub fn keep(members: &'a [Member], until: Option<i64>) -> Members<'a> {
        Members {
            keep: members,
            until,
            erase: &[],
        }
    }

    /// `members` are deleted.
    pub fn erase(members: &'a [Member]) -> Members<'a> {
        Members {
            keep: &[],
            until: None,
            erase: members,
        }
    }
}

/// The page mark of a proposal in the review queue: its last change, then its id.
pub(crate) fn page_mark(p: &Proposal) -> String {
    format!("{:012}#{}", p.updated, p.id)
}
