//! What petitions, motions and consultations carry beyond a plain page. Which front-matter key
//! applies to which kind is one table ([`KEYS`]); each kind has one constructor that checks its
//! keys against the legal rules and reports every problem on its line.

use crate::content::Source;
use crate::diagnostics::Diagnostics;
use crate::front_matter::{Kind, Meta};
use chrono::{DateTime, FixedOffset};
use musharaka_model::rules::{self, Threshold};
use musharaka_model::state::{ConsultationState, InitiativeKind, InitiativeState};
use musharaka_model::target::{Codes, Target, TargetError};

/// What petitions, motions and consultations share, the same in every translation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dated<S> {
    /// Stable id.
    pub(crate) id: String,
    /// Collection or comments open.
    pub(crate) opens: DateTime<FixedOffset>,
    /// Collection or comments close.
    pub(crate) closes: DateTime<FixedOffset>,
    /// Lifecycle state.
    pub(crate) state: S,
}

/// What the legal rules know of a petition or motion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InitiativeData {
    /// Petition or motion.
    pub(crate) kind: InitiativeKind,
    /// Authority addressed, with the names of every translation.
    pub(crate) target: Target,
    /// Signatures needed and the law that says so.
    pub(crate) threshold: Threshold,
    /// Id, dates and state.
    pub(crate) dated: Dated<InitiativeState>,
}

/// What the functions need of a consultation.
pub(crate) type ConsultationData = Dated<ConsultationState>;

/// The data shared by every translation of a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    /// A page, section or guide.
    Plain,
    /// A petition or motion.
    Initiative(InitiativeData),
    /// A consultation.
    Consultation(ConsultationData),
}

/// The shared part of a petition, motion or consultation, whatever its kind.
pub(crate) struct Shared<'a> {
    pub(crate) id: &'a str,
    pub(crate) opens: DateTime<FixedOffset>,
    pub(crate) closes: DateTime<FixedOffset>,
    /// The state's front-matter name.
    pub(crate) state: &'static str,
    /// Collecting signatures or taking comments.
    pub(crate) live: bool,
}

impl Data {
    /// Id, dates and state of a petition, motion or consultation; `None` for a plain page.
    pub(crate) fn shared(&self) -> Option<Shared<'_>> {
        match self {
            Data::Plain => None,
            Data::Initiative(i) => Some(Shared {
                id: &i.dated.id,
                opens: i.dated.opens,
                closes: i.dated.closes,
                state: i.dated.state.as_str(),
                live: i.dated.state == InitiativeState::Collecting,
            }),
            Data::Consultation(c) => Some(Shared {
                id: &c.id,
                opens: c.opens,
                closes: c.closes,
                state: c.state.as_str(),
                live: c.state == ConsultationState::Open,
            }),
        }
    }

    /// The first front-matter key whose value differs between two translations' data.
    pub(crate) fn first_difference(&self, other: &Data) -> Option<&'static str> {
        let (a, b) = (self.shared()?, other.shared()?);
        let target = match (self, other) {
            (Data::Initiative(x), Data::Initiative(y)) => x.target != y.target,
            _ => false,
        };
        [
            ("id", a.id != b.id),
            ("target", target),
            ("opens", a.opens != b.opens),
            ("closes", a.closes != b.closes),
            ("state", a.state != b.state),
        ]
        .into_iter()
        .find_map(|(key, differs)| differs.then_some(key))
    }
}

/// Which kinds of page take a key.
#[derive(Clone, Copy)]
enum Takes {
    /// Petitions, motions and consultations.
    Dated,
    /// Petitions and motions.
    Initiatives,
    /// Consultations.
    Consultations,
}

impl Takes {
    fn applies(self, kind: Kind) -> bool {
        match self {
            Takes::Dated => matches!(kind, Kind::Petition | Kind::Motion | Kind::Consultation),
            Takes::Initiatives => matches!(kind, Kind::Petition | Kind::Motion),
            Takes::Consultations => kind == Kind::Consultation,
        }
    }

    fn kinds(self) -> &'static str {
        match self {
            Takes::Dated => "petitions, motions and consultations",
            Takes::Initiatives => "petitions and motions",
            Takes::Consultations => "consultations",
        }
    }
}

/// A front-matter key that only some kinds of page take.
struct KeyRule {
    key: &'static str,
    takes: Takes,
    /// Whether a file sets it.
    set: fn(&Meta) -> bool,
    /// When every page of those kinds needs it: how an editor writes it.
    example: Option<&'static str>,
}

/// The keys that depend on the kind of page (the others, such as `title` or `weight`, apply to
/// every page).
const KEYS: [KeyRule; 9] = [
    KeyRule {
        key: "id",
        takes: Takes::Dated,
        set: |m| m.id.is_some(),
        example: Some("id = \"p-2026-water-tahannaout\""),
    },
    KeyRule {
        key: "opens",
        takes: Takes::Dated,
        set: |m| m.opens.is_some(),
        example: Some("opens = 2026-03-01T00:00:00+01:00"),
    },
    KeyRule {
        key: "closes",
        takes: Takes::Dated,
        set: |m| m.closes.is_some(),
        example: Some("closes = 2026-06-01T00:00:00+01:00"),
    },
    KeyRule {
        key: "state",
        takes: Takes::Dated,
        set: |m| m.state.is_some(),
        example: Some("state = \"collecting\""),
    },
    KeyRule {
        key: "target",
        takes: Takes::Initiatives,
        set: |m| m.target.is_some(),
        example: Some("target = { authority = \"head-of-government\" }"),
    },
    KeyRule {
        key: "history",
        takes: Takes::Initiatives,
        set: |m| !m.history.is_empty(),
        example: None,
    },
    KeyRule {
        key: "decision",
        takes: Takes::Initiatives,
        set: |m| m.decision.is_some(),
        example: None,
    },
    KeyRule {
        key: "authority",
        takes: Takes::Consultations,
        set: |m| m.authority.is_some(),
        example: Some("authority = \"Ministry of ...\""),
    },
    KeyRule {
        key: "report",
        takes: Takes::Consultations,
        set: |m| m.report.is_some(),
        example: None,
    },
];

/// Reports a key set on a kind that does not take it, and a needed key left out.
fn check_keys(kind: Kind, s: &Source, d: &mut Diagnostics) {
    let rel = &s.file.rel;
    for rule in &KEYS {
        let (applies, set) = (rule.takes.applies(kind), (rule.set)(&s.parsed.meta));
        if set && !applies {
            let message = format!(
                "`{}` only applies to {}, not to a {}",
                rule.key,
                rule.takes.kinds(),
                kind.as_str()
            );
            d.error(rel, Some(s.parsed.line_of(rule.key)), message);
        }
        if let Some(example) = rule.example.filter(|_| applies && !set) {
            let message = format!(
                "a {} needs `{}`, for example `{example}`",
                kind.as_str(),
                rule.key
            );
            d.error(rel, Some(s.parsed.raw_line), message);
        }
    }
}

/// The data of one translation of a page of `kind`, or `None` after reporting its problems.
pub(crate) fn data_of(kind: Kind, s: &Source, d: &mut Diagnostics) -> Option<Data> {
    let errors_before = d.error_count();
    check_keys(kind, s, d);
    let data = match kind {
        Kind::Petition | Kind::Motion => {
            InitiativeData::from_meta(kind, s, d).map(Data::Initiative)
        }
        Kind::Consultation => ConsultationData::from_meta(s, d).map(Data::Consultation),
        Kind::Page | Kind::Section | Kind::Guide => Some(Data::Plain),
    };
    (d.error_count() == errors_before).then_some(data).flatten()
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl<S: Copy> Dated<S> {
    /// Checks the id and the dates; `state` was read by [`state_of`].
    fn read(s: &Source, state: Option<S>, d: &mut Diagnostics) -> Option<Dated<S>> {
        let m = &s.parsed.meta;
        let rel = &s.file.rel;
        if let Some(id) = m.id.as_deref().filter(|id| !is_id(id)) {
            let message = format!("`id` {id:?} must be 1 to 64 lowercase letters, digits and `-`");
            d.error(rel, Some(s.parsed.line_of("id")), message);
        }
        if let (Some(o), Some(c)) = (m.opens, m.closes)
            && c <= o
        {
            let message = format!("`closes` ({c}) must come after `opens` ({o})");
            d.error(rel, Some(s.parsed.line_of("closes")), message);
        }
        Some(Dated {
            id: m.id.clone()?,
            opens: m.opens?,
            closes: m.closes?,
            state: state?,
        })
    }
}

/// The state a page of `kind` gives, one of `states` (named by `name`); an unknown one is
/// reported.
fn state_of<S: Copy>(
    kind: Kind,
    s: &Source,
    states: &[S],
    name: fn(S) -> &'static str,
    d: &mut Diagnostics,
) -> Option<S> {
    let given = s.parsed.meta.state.as_deref()?;
    let found = states.iter().copied().find(|x| name(*x) == given);
    if found.is_none() {
        let all: Vec<_> = states.iter().map(|x| name(*x)).collect();
        let message = format!(
            "unknown state {given:?} for a {}: expected one of {}",
            kind.as_str(),
            all.join(", ")
        );
        d.error(&s.file.rel, Some(s.parsed.line_of("state")), message);
    }
    found
}

impl InitiativeData {
    /// A petition's or motion's data: its dates, its target and the threshold the law sets.
    fn from_meta(kind: Kind, s: &Source, d: &mut Diagnostics) -> Option<InitiativeData> {
        let ikind = if kind == Kind::Motion {
            InitiativeKind::Motion
        } else {
            InitiativeKind::Petition
        };
        let state = state_of(kind, s, &InitiativeState::ALL, InitiativeState::as_str, d);
        let dated = Dated::read(s, state, d);
        let given = s.parsed.meta.target.as_ref()?;
        let codes = Codes {
            region: given.region.as_deref(),
            province: given.province.as_deref(),
            commune: given.commune.as_deref(),
            population: given.population,
        };
        let mut problem = |e: &TargetError| {
            let key = match e {
                TargetError::UnknownProvince(_) => "province",
                TargetError::UnknownCommune(_) => "commune",
                TargetError::PopulationDisagrees { .. } => "population",
                TargetError::RegionDisagrees { .. } | TargetError::UnknownRegion(_) => "region",
                _ => "target",
            };
            let line = Some(s.parsed.line_of(key));
            d.error(&s.file.rel, line, format!("`target`: {e}"));
        };
        let target = Target::from_codes(given.authority, codes)
            .map_err(|e| problem(&e))
            .ok()?;
        let threshold = rules::threshold(ikind, &target)
            .map_err(|e| problem(&e))
            .ok()?;
        Some(InitiativeData {
            kind: ikind,
            target,
            threshold,
            dated: dated?,
        })
    }
}

impl ConsultationData {
    /// A consultation's data: its dates and state, with the synthesis its last state needs.
    fn from_meta(s: &Source, d: &mut Diagnostics) -> Option<ConsultationData> {
        let m = &s.parsed.meta;
        if m.authority.as_deref().is_some_and(|a| a.trim().is_empty()) {
            let message =
                "a consultation needs `authority`, for example `authority = \"Ministry of ...\"`";
            d.error(&s.file.rel, Some(s.parsed.raw_line), message);
        }
        let all = &ConsultationState::ALL;
        let state = state_of(Kind::Consultation, s, all, ConsultationState::as_str, d);
        if state == Some(ConsultationState::ReportPublished) && m.report.is_none() {
            d.error(
                &s.file.rel,
                Some(s.parsed.line_of("state")),
                "state `report-published` needs the synthesis: add `[report]` with `date` and `text`",
            );
        }
        Dated::read(s, state, d)
    }
}
