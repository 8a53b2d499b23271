//! What a citizen types when proposing a petition or motion, and what is wrong with it, field
//! by field: the title, the request and the explanatory memorandum (plain paragraphs and lists,
//! never raw HTML), the collection period asked for, and an attestation against each subject
//! the law excludes.

use crate::committee;
use crate::state::InitiativeKind;

/// Shortest title accepted, in characters.
pub const MIN_TITLE: usize = 10;
/// Longest title accepted.
pub const MAX_TITLE: usize = 150;
/// Longest request (what the authority is asked to do).
pub const MAX_REQUEST: usize = 2_000;
/// Longest explanatory memorandum.
pub const MAX_MEMORANDUM: usize = 20_000;

/// The collection period a proposal may ask for, in days. No law sets one: the portal does
/// (`[proposals]` of `site.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PeriodLimits {
    /// Shortest period.
    pub min_days: u32,
    /// Longest period.
    pub max_days: u32,
}

impl Default for PeriodLimits {
    fn default() -> Self {
        PeriodLimits {
            min_days: 30,
            max_days: 365,
        }
    }
}

/// A proposal as typed.
#[derive(Debug, Clone, Copy)]
pub struct ProposalText<'a> {
    /// Petition or motion.
    pub kind: InitiativeKind,
    /// Its title.
    pub title: &'a str,
    /// What the authority is asked to do.
    pub request: &'a str,
    /// Why: the explanatory memorandum.
    pub memorandum: &'a str,
    /// The collection period asked for, in days.
    pub period_days: u32,
    /// The exclusions the author attests the proposal does not concern (their ids).
    pub attested: &'a [&'a str],
}

/// A field of the proposal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `title`.
    Title,
    /// `request`.
    Request,
    /// `memorandum`.
    Memorandum,
    /// `period`.
    Period,
}

impl Field {
    /// The form field's name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Request => "request",
            Field::Memorandum => "memorandum",
            Field::Period => "period",
        }
    }
}

/// One thing wrong with a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required field is empty.
    Missing(Field),
    /// Shorter than `min` characters.
    TooShort(Field, usize),
    /// Longer than `max` characters.
    TooLong(Field, usize),
    /// Holds raw HTML (a tag, a comment or a declaration), which the portal never publishes.
    Html(Field),
    /// Holds a hidden character (control, bidirectional or invisible) other than a line
    /// break or a tab.
    Control(Field),
    /// The period is outside the portal's limits.
    Period(PeriodLimits),
    /// The author did not attest that the proposal stays clear of this excluded subject.
    NotAttested(&'static str),
}

/// Whether `text` holds something a browser would read as HTML markup: `<` followed by a
/// letter, `/`, `!` or `?`. A lone `<` (as in "moins de 5 < 10") is text.
pub fn has_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    (bytes.windows(2))
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || b"/!?".contains(&w[1])))
}

fn check_text(field: Field, text: &str, min: usize, max: usize, problems: &mut Vec<Problem>) {
    let text = text.trim();
    let len = text.chars().count();
    if text.is_empty() {
        problems.push(Problem::Missing(field));
    } else if len < min {
        problems.push(Problem::TooShort(field, min));
    } else if len > max {
        problems.push(Problem::TooLong(field, max));
    }
    if has_html(text) {
        problems.push(Problem::Html(field));
    }
    // A title is one line; the other fields keep their line breaks.
    let breaks_allowed = field != Field::Title;
    if text
        .chars()
        .any(|c| crate::text::is_hidden(c) && !(breaks_allowed && matches!(c, '\n' | '\r' | '\t')))
    {
        problems.push(Problem::Control(field));
    }
}

impl ProposalText<'_> {
    /// Everything wrong with the proposal, in the form's order; empty when it may be saved.
    pub fn problems(&self, limits: PeriodLimits) -> Vec<Problem> {
        let mut problems = Vec::new();
        check_text(
            Field::Title,
            self.title,
            MIN_TITLE,
            MAX_TITLE,
            &mut problems,
        );
        check_text(Field::Request, self.request, 1, MAX_REQUEST, &mut problems);
        let (memorandum, max) = (self.memorandum, MAX_MEMORANDUM);
        check_text(Field::Memorandum, memorandum, 1, max, &mut problems);
        if !(limits.min_days..=limits.max_days).contains(&self.period_days) {
            problems.push(Problem::Period(limits));
        }
        for e in committee::exclusions(self.kind) {
            if !self.attested.contains(&e.id.as_str()) {
                problems.push(Problem::NotAttested(e.id.as_str()));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_PETITION: [&str; 7] = [
        "national-constants",
        "security",
        "courts",
        "inquiry",
        "partisan",
        "discrimination",
        "insult",
    ];

    fn proposal<'a>(attested: &'a [&'a str]) -> ProposalText<'a> {
        ProposalText {
            kind: InitiativeKind::Petition,
            title: "Un transport scolaire pour les douars",
            request: "Financer des bus scolaires.",
            memorandum: "Les élèves marchent 8 km.\n\n- hiver\n- pluie",
            period_days: 90,
            attested,
        }
    }

    #[test]
    fn a_complete_proposal_has_no_problem() {
        assert!(
            proposal(&ALL_PETITION)
                .problems(PeriodLimits::default())
                .is_empty()
        );
    }

    #[test]
    fn raw_html_is_refused_but_a_lone_less_than_sign_is_text() {
        assert!(has_html("voir <script>alert(1)</script>"));
        assert!(has_html("<!-- caché -->"));
        assert!(has_html("fin</p>"));
        assert!(!has_html("moins de 5 < 10, et 3 <= 4"));
        let mut p = proposal(&ALL_PETITION);
        p.request = "Financer <b>des bus</b>.";
        assert_eq!(
            p.problems(PeriodLimits::default()),
            vec![Problem::Html(Field::Request)]
        );
    }

    #[test]
    fn each_field_says_what_is_wrong() {
        let mut p = proposal(&ALL_PETITION[..6]);
        p.title = "Bus";
        p.memorandum = "  ";
        p.period_days = 400;
        assert_eq!(
            p.problems(PeriodLimits::default()),
            vec![
                Problem::TooShort(Field::Title, MIN_TITLE),
                Problem::Missing(Field::Memorandum),
                Problem::Period(PeriodLimits::default()),
                Problem::NotAttested("insult"),
            ]
        );
    }

    #[test]
    fn a_title_is_one_line() {
        let mut p = proposal(&ALL_PETITION);
        p.title = "Un titre\n+++\nqui casse";
        assert_eq!(
            p.problems(PeriodLimits::default()),
            vec![Problem::Control(Field::Title)]
        );
    }

    #[test]
    fn a_motion_also_attests_it_does_not_revise_the_constitution() {
        let mut p = proposal(&ALL_PETITION);
        p.kind = InitiativeKind::Motion;
        assert_eq!(
            p.problems(PeriodLimits::default()),
            vec![Problem::NotAttested("constitution")]
        );
    }
}
