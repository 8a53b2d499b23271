//! Moderation of comments: the states a comment goes through and the reasons the moderation
//! charter gives for rejecting one.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a comment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModerationState {
    /// Waiting for a moderator.
    Pending,
    /// Published at the next build.
    Approved,
    /// Never published.
    Rejected,
}

impl ModerationState {
    /// The kebab-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

impl FromStr for ModerationState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            other => Err(format!("unknown moderation state `{other}`")),
        }
    }
}

/// Why a comment is rejected: the cases of the moderation charter (spam, insult or
/// defamation, off-topic, duplicate, personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RejectReason {
    /// Advertising or automated posting.
    Spam,
    /// Insult or defamation.
    Insult,
    /// Not about the text under consultation.
    OffTopic,
    /// The same comment again.
    Duplicate,
    /// Contains personal data.
    PersonalData,
}

impl RejectReason {
    /// Every reason.
    pub const ALL: [RejectReason; 5] = [
        Self::Spam,
        Self::Insult,
        Self::OffTopic,
        Self::Duplicate,
        Self::PersonalData,
    ];

    /// The kebab-case name, as stored and typed by moderators.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Insult => "insult",
            Self::OffTopic => "off-topic",
            Self::Duplicate => "duplicate",
            Self::PersonalData => "personal-data",
        }
    }
}

impl FromStr for RejectReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
                format!(
                    "unknown reason `{s}`: the moderation charter allows {}",
                    all.join(", ")
                )
            })
    }
}

/// An approved comment as the site publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedComment {
    /// Section anchor, or the whole text.
    pub section: Option<String>,
    /// Plain text (escaped when rendered).
    pub text: String,
    /// The name the author chose to show, if any.
    pub display_name: Option<String>,
    /// When it was sent (epoch seconds).
    pub created: i64,
    /// Once the synthesis is published: whether the authority retained it, and why.
    pub retained: Option<(bool, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_the_charter_s() {
        assert_eq!(
            "off-topic".parse::<RejectReason>(),
            Ok(RejectReason::OffTopic)
        );
        let err = "rude".parse::<RejectReason>().unwrap_err();
        assert!(err.contains("personal-data"), "{err}");
        assert_eq!(
            "approved".parse::<ModerationState>(),
            Ok(ModerationState::Approved)
        );
    }
}
