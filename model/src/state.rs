//! Lifecycle states of petitions, motions and consultations, and the dated steps of an
//! initiative's history.

use serde::{Deserialize, Serialize};

/// Whether an initiative is a petition or a legislative motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InitiativeKind {
    /// A petition to a public authority (organic laws 44.14, 111.14, 112.14, 113.14).
    Petition,
    /// A legislative motion to one house of Parliament (organic law 64.14).
    Motion,
}

/// The state of a petition or a motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InitiativeState {
    /// Committee formed, text being written; not yet open for signatures.
    Drafting,
    /// Open for support signatures.
    Collecting,
    /// Threshold reached and filed with the authority.
    Filed,
    /// Referred to the petitions committee or the Bureau.
    UnderReview,
    /// Declared admissible.
    Admissible,
    /// Declared inadmissible, by reasoned decision.
    Inadmissible,
    /// The authority answered on the merits.
    Answered,
    /// Withdrawn by its committee.
    Withdrawn,
}

impl InitiativeState {
    /// Every state, in lifecycle order.
    pub const ALL: [InitiativeState; 8] = [
        Self::Drafting,
        Self::Collecting,
        Self::Filed,
        Self::UnderReview,
        Self::Admissible,
        Self::Inadmissible,
        Self::Answered,
        Self::Withdrawn,
    ];

    /// The kebab-case name used in front matter, the catalog and UI string keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drafting => "drafting",
            Self::Collecting => "collecting",
            Self::Filed => "filed",
            Self::UnderReview => "under-review",
            Self::Admissible => "admissible",
            Self::Inadmissible => "inadmissible",
            Self::Answered => "answered",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// The state of a public consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsultationState {
    /// Announced, not yet open for comments.
    Upcoming,
    /// Open for comments.
    Open,
    /// Closed, synthesis not yet published.
    Closed,
    /// The authority published its synthesis report.
    ReportPublished,
}

impl ConsultationState {
    /// Every state, in lifecycle order.
    pub const ALL: [ConsultationState; 4] = [
        Self::Upcoming,
        Self::Open,
        Self::Closed,
        Self::ReportPublished,
    ];

    /// The kebab-case name used in front matter, the catalog and UI string keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::ReportPublished => "report-published",
        }
    }
}

/// A dated step in the history of a petition or motion (see the lifecycle in organic laws
/// 44.14 and 64.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryStep {
    /// Committee formed and agent named.
    Created,
    /// Public collection of signatures opened.
    CollectionOpened,
    /// Collection closed.
    CollectionClosed,
    /// Filed with the authority.
    Filed,
    /// Referred to the petitions committee or the Bureau.
    Referred,
    /// Committee opinion given.
    Opinion,
    /// Declared admissible.
    Admissible,
    /// Declared inadmissible.
    Inadmissible,
    /// Answered on the merits.
    Answered,
    /// Agent notified of the outcome.
    Notified,
    /// Withdrawn by its committee.
    Withdrawn,
}

impl HistoryStep {
    /// Every step, in lifecycle order.
    pub const ALL: [HistoryStep; 11] = [
        Self::Created,
        Self::CollectionOpened,
        Self::CollectionClosed,
        Self::Filed,
        Self::Referred,
        Self::Opinion,
        Self::Admissible,
        Self::Inadmissible,
        Self::Answered,
        Self::Notified,
        Self::Withdrawn,
    ];

    /// The kebab-case name used in front matter and UI string keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::CollectionOpened => "collection-opened",
            Self::CollectionClosed => "collection-closed",
            Self::Filed => "filed",
            Self::Referred => "referred",
            Self::Opinion => "opinion",
            Self::Admissible => "admissible",
            Self::Inadmissible => "inadmissible",
            Self::Answered => "answered",
            Self::Notified => "notified",
            Self::Withdrawn => "withdrawn",
        }
    }
}
