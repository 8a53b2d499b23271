//! How long signers' personal data (name, CIN, address) is kept: law 09-08, art. 3, allows no
//! longer than its purpose needs, and the purpose of a signature ends with the authority's
//! decision, or with an initiative that is never filed. The policy is `[retention]` in
//! `site.toml`; counts and aggregates are kept for good.

use crate::state::{HistoryStep, InitiativeState};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// The legal basis of the policy.
pub const LEGAL_REFERENCE: &str = "law 09-08, art. 3";

/// The shortest deadline accepted: the law sets no deadline for an answer on the merits, and
/// signatures deleted by the deadline are gone for good.
pub const MIN_LONGEST_DAYS: u32 = 365;

/// The retention policy of signers' personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Days kept after the close of an initiative that did not reach its threshold, or after
    /// its withdrawal by its committee.
    pub not_filed_days: u32,
    /// Days kept after the authority's final decision (the agent's notification of it, else
    /// the answer or the inadmissibility).
    pub after_decision_days: u32,
    /// Days after the close of collection after which the data is deleted whatever happened:
    /// the deadline the cloud store enforces by itself (DynamoDB's TTL).
    pub longest_days: u32,
    /// Days a comment rejected by moderation is kept after the decision (time enough to
    /// answer a complaint about it), then deleted: it is never published, and may hold the
    /// very personal data it was rejected for.
    pub rejected_comment_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            not_filed_days: 30,
            after_decision_days: 90,
            longest_days: 730,
            rejected_comment_days: 30,
        }
    }
}

impl Retention {
    /// Checks the policy holds together.
    pub fn validate(&self) -> Result<(), String> {
        if self.longest_days < MIN_LONGEST_DAYS {
            return Err(format!(
                "`longest_days` ({}) must be at least {MIN_LONGEST_DAYS}: a filed initiative can wait months for its decision, and what the deadline deletes cannot come back",
                self.longest_days
            ));
        }
        let shortest = self.not_filed_days.max(self.after_decision_days);
        if self.longest_days < shortest {
            return Err(format!(
                "`longest_days` ({}) must be at least `not_filed_days` and `after_decision_days` ({shortest})",
                self.longest_days
            ));
        }
        Ok(())
    }

    /// Rejected comments decided before this instant are deleted at `now`.
    pub fn rejected_comments_before(&self, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        now - Duration::days(self.rejected_comment_days.into())
    }

    /// The instant after which the data of an initiative closing at `closes` is deleted
    /// whatever happened.
    pub fn erase_by(&self, closes: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        closes + Duration::days(self.longest_days.into())
    }

    /// The instant after which the signers' data of an initiative may be deleted: in `state`,
    /// closing at `closes`, decided (or withdrawn) at `decided`, having reached its threshold
    /// or not. Data that must still be kept (collection open, or filed and awaiting a
    /// decision) gets the [`Retention::erase_by`] deadline.
    pub fn delete_after(
        &self,
        state: InitiativeState,
        closes: DateTime<FixedOffset>,
        decided: Option<DateTime<FixedOffset>>,
        reached_threshold: bool,
    ) -> DateTime<FixedOffset> {
        let not_filed = Duration::days(self.not_filed_days.into());
        let after_decision = Duration::days(self.after_decision_days.into());
        let due = match state {
            InitiativeState::Drafting | InitiativeState::Collecting => {
                (!reached_threshold).then(|| closes + not_filed)
            }
            InitiativeState::Withdrawn => Some(decided.unwrap_or(closes) + not_filed),
            InitiativeState::Inadmissible | InitiativeState::Answered => {
                decided.map(|d| d + after_decision)
            }
            InitiativeState::Filed | InitiativeState::UnderReview | InitiativeState::Admissible => {
                None
            }
        };
        let deadline = self.erase_by(closes);
        due.map_or(deadline, |d| d.min(deadline))
    }
}

/// The day of the final decision in a history of `(day, step)`, for an initiative in `state`:
/// the withdrawal for a withdrawn one; for an answered or inadmissible one, the agent's
/// notification, else the answer or the inadmissibility.
pub fn decision_day(
    state: InitiativeState,
    history: impl IntoIterator<Item = (NaiveDate, HistoryStep)>,
) -> Option<NaiveDate> {
    let history: Vec<(NaiveDate, HistoryStep)> = history.into_iter().collect();
    let last = |steps: &[HistoryStep]| {
        history
            .iter()
            .filter(|(_, s)| steps.contains(s))
            .map(|(d, _)| *d)
            .max()
    };
    match state {
        InitiativeState::Withdrawn => last(&[HistoryStep::Withdrawn]),
        InitiativeState::Answered | InitiativeState::Inadmissible => last(&[HistoryStep::Notified])
            .or_else(|| last(&[HistoryStep::Answered, HistoryStep::Inadmissible])),
        _ => None,
    }
}

/// The end of `day` in `offset`: a decision dated a day counts from that day's end.
pub fn end_of_day(day: NaiveDate, offset: FixedOffset) -> DateTime<FixedOffset> {
    let last = NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time");
    day.and_time(last)
        .and_local_timezone(offset)
        .single()
        .expect("a fixed offset has one local time")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    const CLOSES: &str = "2026-04-30T23:59:00+01:00";

    #[test]
    fn an_initiative_below_threshold_is_forgotten_soon_after_its_close() {
        let r = Retention::default();
        let closes = at(CLOSES);
        assert_eq!(
            r.delete_after(InitiativeState::Collecting, closes, None, false),
            at("2026-05-30T23:59:00+01:00")
        );
        // Reached: kept for the filing, until the deadline.
        assert_eq!(
            r.delete_after(InitiativeState::Collecting, closes, None, true),
            r.erase_by(closes)
        );
    }

    #[test]
    fn a_decided_initiative_is_forgotten_after_the_decision_delay() {
        let r = Retention::default();
        let closes = at(CLOSES);
        let decided = end_of_day(
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            FixedOffset::east_opt(3600).unwrap(),
        );
        assert_eq!(
            r.delete_after(InitiativeState::Answered, closes, Some(decided), true),
            at("2026-11-30T23:59:59+01:00")
        );
        // Filed, no decision yet: kept until the deadline, two years after the close.
        assert_eq!(
            r.delete_after(InitiativeState::Filed, closes, None, true),
            at("2028-04-29T23:59:00+01:00")
        );
        assert_eq!(
            r.delete_after(InitiativeState::Withdrawn, closes, Some(decided), false),
            at("2026-10-01T23:59:59+01:00")
        );
    }

    #[test]
    fn the_decision_is_the_notification_else_the_answer() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let history = [
            (d(1, 10), HistoryStep::Filed),
            (d(3, 2), HistoryStep::Answered),
            (d(3, 20), HistoryStep::Notified),
        ];
        assert_eq!(
            decision_day(InitiativeState::Answered, history),
            Some(d(3, 20))
        );
        assert_eq!(
            decision_day(InitiativeState::Answered, history[..2].to_vec()),
            Some(d(3, 2))
        );
        assert_eq!(decision_day(InitiativeState::Filed, history), None);
    }

    #[test]
    fn the_deadline_cannot_be_shorter_than_the_other_delays() {
        let r = Retention {
            longest_days: 10,
            ..Retention::default()
        };
        assert!(r.validate().unwrap_err().contains("at least 365"));
        let r = Retention {
            not_filed_days: 400,
            longest_days: 380,
            ..Retention::default()
        };
        assert!(r.validate().unwrap_err().contains("not_filed_days"));
        assert!(Retention::default().validate().is_ok());
    }
}
