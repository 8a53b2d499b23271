//! Front matter: the TOML between the `+++` lines at the top of a content file. Unknown keys
//! are errors; dates and instants are checked here, with the line of the faulty key.

use crate::diagnostics::line_of_offset;
use chrono::{DateTime, FixedOffset, NaiveDate};
use musharaka_model::{state::HistoryStep, target::Authority};
use serde::{Deserialize, Deserializer, de::Error as _};

/// What a content file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A plain page.
    Page,
    /// A section index listing its pages (`_index` only).
    Section,
    /// A guide: a section whose pages are ordered chapters (`_index` only).
    Guide,
    /// A petition.
    Petition,
    /// A legislative motion.
    Motion,
    /// A public consultation.
    Consultation,
}

impl Kind {
    /// Every kind, in the order `musharaka new` lists them.
    pub const ALL: [Kind; 6] = [
        Kind::Page,
        Kind::Section,
        Kind::Guide,
        Kind::Petition,
        Kind::Motion,
        Kind::Consultation,
    ];

    /// The name used in front matter.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Section => "section",
            Kind::Guide => "guide",
            Kind::Petition => "petition",
            Kind::Motion => "motion",
            Kind::Consultation => "consultation",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind {s:?}"))
    }
}

/// The addressed authority as an editor writes it: the territory of a local council by its
/// code; its name, population and arrondissements follow from the census.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TargetMeta {
    /// Which authority.
    pub authority: Authority,
    /// Region code of a region council (`MA-08`); optional for a province or commune.
    pub region: Option<String>,
    /// HCP code of a province council's prefecture or province (`07.041`).
    pub province: Option<String>,
    /// HCP code of a commune council's commune (`07.041.07.03`).
    pub commune: Option<String>,
    /// Legal population of a commune, if typed: it must be the census's.
    pub population: Option<u64>,
}

/// A dated step of an initiative's history.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HistoryMeta {
    /// Day of the step.
    #[serde(deserialize_with = "day")]
    pub date: NaiveDate,
    /// Which step.
    pub step: HistoryStep,
    /// A short note in this file's language (Markdown inline).
    pub note: Option<String>,
}

/// An authority's decision or answer, or a consultation's synthesis report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerMeta {
    /// Day it was published.
    #[serde(deserialize_with = "day")]
    pub date: NaiveDate,
    /// The text, in Markdown.
    pub text: String,
}

/// Every key a front matter may hold; which apply depends on `kind`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    /// Title of the page.
    pub title: String,
    /// What the page is; `page` by default, `section` for an `_index`.
    pub kind: Option<Kind>,
    /// One-sentence summary (lists, feeds, `<meta name="description">`).
    pub description: Option<String>,
    /// Order within a section or guide (smaller first).
    pub weight: Option<i64>,
    /// Publication day of a page.
    #[serde(default, deserialize_with = "opt_day")]
    pub date: Option<NaiveDate>,
    /// Marks a fictional example initiative.
    #[serde(default)]
    pub example: bool,
    /// Stable id of a petition, motion or consultation.
    pub id: Option<String>,
    /// Authority addressed by a petition or motion.
    pub target: Option<TargetMeta>,
    /// Opening instant (RFC 3339 with offset).
    #[serde(default, deserialize_with = "opt_instant")]
    pub opens: Option<DateTime<FixedOffset>>,
    /// Closing instant (RFC 3339 with offset).
    #[serde(default, deserialize_with = "opt_instant")]
    pub closes: Option<DateTime<FixedOffset>>,
    /// Lifecycle state.
    pub state: Option<String>,
    /// Dated steps of a petition or motion.
    #[serde(default)]
    pub history: Vec<HistoryMeta>,
    /// The authority's decision or answer on a petition or motion.
    pub decision: Option<AnswerMeta>,
    /// The authority that opened a consultation.
    pub authority: Option<String>,
    /// The synthesis report of a consultation.
    pub report: Option<AnswerMeta>,
}

/// A file split into its parsed front matter and its Markdown body.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// The front matter.
    pub meta: Meta,
    /// The raw front matter text, to find the line of a key.
    pub raw: String,
    /// Line of the file where the front matter text starts.
    pub raw_line: usize,
    /// The Markdown after the closing `+++`.
    pub body: String,
    /// Line of the file where the body starts.
    pub body_line: usize,
}

/// A front matter problem with its line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrontMatterError {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl Parsed {
    /// The line of `key = ...` in the front matter, or the first front matter line.
    pub(crate) fn line_of(&self, key: &str) -> usize {
        key_line(&self.raw, key).map_or(self.raw_line, |l| self.raw_line + l - 1)
    }
}

fn key_line(raw: &str, key: &str) -> Option<usize> {
    raw.lines()
        .position(|line| {
            let t = line.trim_start();
            let rest = t.strip_prefix(key).or_else(|| {
                t.strip_prefix('[')
                    .and_then(|t| t.trim_start_matches('[').strip_prefix(key))
            });
            rest.is_some_and(|r| {
                r.trim_start().starts_with('=') || r.starts_with(']') || r.starts_with('.')
            })
        })
        .map(|i| i + 1)
}

/// Splits `text` into front matter and body and parses the front matter.
pub(crate) fn parse(text: &str) -> Result<Parsed, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err(FrontMatterError {
            line: 1,
            message: "a content file starts with front matter: a `+++` line, TOML such as `title = \"...\"`, then another `+++` line".into(),
        });
    }
    let start = first.len();
    let mut offset = start;
    let mut end = None;
    for line in lines {
        if line.trim_end() == "+++" {
            end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((raw_end, body_start)) = end else {
        return Err(FrontMatterError {
            line: 1,
            message:
                "the front matter opened with `+++` is never closed: add a `+++` line after it"
                    .into(),
        });
    };
    let raw = &text[start..raw_end];
    let meta: Meta = toml::from_str(raw).map_err(|e| FrontMatterError {
        line: 1 + e.span().map_or(1, |s| line_of_offset(raw, s.start)),
        message: e.message().trim_end().to_string(),
    })?;
    Ok(Parsed {
        meta,
        raw: raw.to_string(),
        raw_line: 2,
        body: text[body_start..].to_string(),
        body_line: line_of_offset(text, body_start),
    })
}

fn value_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::Datetime(dt) => Ok(dt.to_string()),
        toml::Value::String(s) => Ok(s),
        other => Err(D::Error::custom(format!(
            "expected a date, found {}",
            other.type_str()
        ))),
    }
}

fn day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = value_text(d)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .map_err(|_| D::Error::custom(format!("`{s}` is not a day: write it as 2026-03-01")))
}

fn opt_day<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    day(d).map(Some)
}

fn opt_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    let s = value_text(d)?;
    DateTime::parse_from_rfc3339(&s).map(Some).map_err(|_| {
        D::Error::custom(format!(
            "`{s}` is not an instant with its offset: write it as 2026-03-01T00:00:00+01:00 (Morocco is UTC+1)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body_with_lines() {
        let p = parse("+++\ntitle = \"A\"\nweight = 2\n+++\n\n## One\n").unwrap();
        assert_eq!(p.meta.title, "A");
        assert_eq!(p.meta.weight, Some(2));
        assert_eq!(p.body, "\n## One\n");
        assert_eq!(p.body_line, 5);
        assert_eq!(p.line_of("weight"), 3);
    }

    #[test]
    fn an_unknown_key_is_an_error_on_its_line() {
        let err = parse("+++\ntitle = \"A\"\n\ntitel = \"B\"\n+++\n").unwrap_err();
        assert_eq!(err.line, 4);
        assert!(
            err.message.contains("unknown field `titel`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn instants_need_an_offset() {
        let err = parse("+++\ntitle = \"A\"\nopens = 2026-03-01T00:00:00\n+++\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("offset"), "{}", err.message);
        let ok = parse("+++\ntitle = \"A\"\nopens = \"2026-03-01T00:00:00+01:00\"\n+++\n").unwrap();
        assert_eq!(
            ok.meta.opens.unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+01:00"
        );
    }

    #[test]
    fn a_missing_closing_line_is_reported() {
        let err = parse("+++\ntitle = \"A\"\n").unwrap_err();
        assert!(err.message.contains("never closed"));
        assert!(
            parse("# Title\n")
                .unwrap_err()
                .message
                .contains("starts with front matter")
        );
    }

    #[test]
    fn finds_table_keys() {
        let p = parse("+++\ntitle = \"A\"\n[target]\nauthority = \"commune\"\n[[history]]\ndate = 2026-01-01\nstep = \"filed\"\n+++\n").unwrap();
        assert_eq!(p.line_of("target"), 3);
        assert_eq!(p.line_of("history"), 5);
    }
}
