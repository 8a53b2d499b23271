//! Open data under `/data/`: every petition and motion with its count and state
//! (`initiatives.json`, `initiatives.csv`), every consultation (`consultations.json`), and one
//! document per entry (`<id>.json`: counts by region and by day, the threshold and its legal
//! reference, the history and the answer; a consultation's approved comments with their
//! sections and retained markers). Their JSON Schemas are published beside them
//! (`/data/schema/`) and documented in `generator/OPEN_DATA.md`. Nothing in them names a
//! person: no name, CIN, address or contact, and a comment keeps only its day.

use crate::catalog::Anchors;
use crate::data::{ConsultationData, Data, InitiativeData};
use crate::output::Sink;
use crate::site::{Document, Site};
use anyhow::Result;
use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound};
use musharaka_model::catalog::{Details, Entry};
use musharaka_model::geography;
use musharaka_model::state::HistoryStep;
use musharaka_model::target::Target;
use musharaka_model::text::csv_cell;
use musharaka_model::{Lang, Localized};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The version of the open-data documents' shape; each document says which it follows.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// The JSON Schemas, published under `/data/schema/`.
const SCHEMAS: [(&str, &str); 4] = [
    (
        "common.schema.json",
        include_str!("../data-schema/common.schema.json"),
    ),
    (
        "initiatives.schema.json",
        include_str!("../data-schema/initiatives.schema.json"),
    ),
    (
        "consultations.schema.json",
        include_str!("../data-schema/consultations.schema.json"),
    ),
    (
        "entry.schema.json",
        include_str!("../data-schema/entry.schema.json"),
    ),
];

/// What every document starts with: its shape, its licence and when it was written.
#[derive(Serialize)]
struct Header<'a> {
    schema: u32,
    licence: &'a crate::config::OpenData,
    generated: DateTime<FixedOffset>,
}

/// A petition or motion as the lists give it.
#[derive(Serialize)]
struct Initiative<'a> {
    id: &'a str,
    kind: &'static str,
    state: &'static str,
    title: &'a Localized,
    url: &'a Localized,
    data: String,
    target: &'a Target,
    opens: DateTime<FixedOffset>,
    closes: DateTime<FixedOffset>,
    threshold: u64,
    signatures: u64,
}

/// A consultation as the list gives it.
#[derive(Serialize)]
struct Consultation<'a> {
    id: &'a str,
    state: &'static str,
    title: &'a Localized,
    url: &'a Localized,
    data: String,
    authority: &'a Localized,
    opens: DateTime<FixedOffset>,
    closes: DateTime<FixedOffset>,
    sections: &'a [String],
    comments: usize,
}

/// A dated step, with its note in each language that has one.
#[derive(Serialize)]
struct Step {
    date: NaiveDate,
    step: HistoryStep,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    note: Localized,
}

/// An answer or a synthesis report, per language (Markdown).
#[derive(Serialize)]
struct Answer {
    date: NaiveDate,
    text: Localized,
}

/// Signatures confirmed on one day.
#[derive(Serialize)]
struct Day {
    date: NaiveDate,
    signatures: u64,
}

/// An approved comment, without its author.
#[derive(Serialize)]
struct Comment<'a> {
    section: Option<&'a str>,
    text: &'a str,
    date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    retained: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// A list: the header, then its items.
#[derive(Serialize)]
struct List<'a, T> {
    #[serde(flatten)]
    header: &'a Header<'a>,
    #[serde(flatten)]
    items: T,
}

/// The items of `initiatives.json`.
#[derive(Serialize)]
struct Initiatives<'a> {
    initiatives: &'a [Initiative<'a>],
}

/// The items of `consultations.json`.
#[derive(Serialize)]
struct Consultations<'a> {
    consultations: &'a [Consultation<'a>],
}

/// The document of a petition or motion.
#[derive(Serialize)]
struct InitiativeDetail<'a> {
    initiative: &'a Initiative<'a>,
    threshold_reference: &'a Localized,
    regions: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    provinces: BTreeMap<String, u64>,
    by_day: Vec<Day>,
    history: Vec<Step>,
    answer: Option<Answer>,
}

/// The document of a consultation.
#[derive(Serialize)]
struct ConsultationDetail<'a> {
    consultation: &'a Consultation<'a>,
    report: Option<Answer>,
    comments: Vec<Comment<'a>>,
}

impl Site {
    /// Writes the lists, the schemas and the document of each entry (of the entries whose keys
    /// are in `only`, when given) into `sink`; returns the URLs of every open-data file.
    pub(crate) fn write_open_data(
        &self,
        anchors: &Anchors,
        only: Option<&BTreeSet<String>>,
        sink: &dyn Sink,
    ) -> Result<Vec<String>> {
        let header = &Header {
            schema: SCHEMA_VERSION,
            licence: &self.config.open_data,
            generated: self.now.with_timezone(&self.offset()).trunc_subsecs(0),
        };
        let entries: Vec<(&Document, Entry)> = (self.documents.values())
            .filter_map(|doc| Some((doc, self.catalog_entry(doc, anchors)?)))
            .collect();
        let mut urls = Vec::new();
        let mut initiatives = Vec::new();
        let mut consultations = Vec::new();
        for (doc, entry) in &entries {
            let path = format!("data/{}.json", entry.id);
            let write = only.is_none_or(|keys| keys.contains(&doc.key));
            match &doc.data {
                Data::Initiative(i) => {
                    let listed = self.listed_initiative(entry, i);
                    if write {
                        let items = self.initiative_detail(doc, i, &listed);
                        sink.write(&path, &json(&List { header, items })?)?;
                    }
                    initiatives.push(listed);
                }
                Data::Consultation(c) => {
                    let listed = self.listed_consultation(entry, c);
                    if write {
                        let items = self.consultation_detail(doc, &listed);
                        sink.write(&path, &json(&List { header, items })?)?;
                    }
                    consultations.push(listed);
                }
                Data::Plain => continue,
            }
            urls.push(format!("/{path}"));
        }
        let csv = initiatives_csv(&initiatives);
        let items = Initiatives {
            initiatives: &initiatives,
        };
        sink.write("data/initiatives.json", &json(&List { header, items })?)?;
        sink.write("data/initiatives.csv", csv.as_bytes())?;
        let items = Consultations {
            consultations: &consultations,
        };
        sink.write("data/consultations.json", &json(&List { header, items })?)?;
        for f in ["initiatives.json", "initiatives.csv", "consultations.json"] {
            urls.push(format!("/data/{f}"));
        }
        for (name, text) in SCHEMAS {
            sink.write(&format!("data/schema/{name}"), text.as_bytes())?;
            urls.push(format!("/data/schema/{name}"));
        }
        Ok(urls)
    }

    /// The offset instants are written in.
    fn offset(&self) -> FixedOffset {
        self.config
            .offset()
            .unwrap_or_else(|_| FixedOffset::east_opt(0).expect("zero offset"))
    }

    fn data_url(&self, id: &str) -> String {
        format!("{}/data/{id}.json", self.config.base_url)
    }

    fn listed_initiative<'a>(&self, e: &'a Entry, i: &'a InitiativeData) -> Initiative<'a> {
        let (kind, target) = match &e.details {
            Details::Petition(d) => ("petition", &d.target),
            Details::Motion(d) => ("motion", &d.target),
            Details::Consultation(_) => unreachable!("an initiative's entry"),
        };
        Initiative {
            id: &e.id,
            kind,
            state: i.dated.state.as_str(),
            title: &e.title,
            url: &e.url,
            data: self.data_url(&e.id),
            target,
            opens: e.opens,
            closes: e.closes,
            threshold: i.threshold.signatures,
            signatures: self.counts.get(&e.id).map_or(0, |c| c.total),
        }
    }

    fn initiative_detail<'a>(
        &self,
        doc: &Document,
        i: &'a InitiativeData,
        listed: &'a Initiative<'a>,
    ) -> InitiativeDetail<'a> {
        let by_key = (self.counts.get(&i.dated.id)).map(|c| &c.regions);
        let (regions, provinces) = geography::split_counts(by_key.unwrap_or(&BTreeMap::new()));
        InitiativeDetail {
            initiative: listed,
            threshold_reference: &i.threshold.reference,
            regions,
            provinces,
            by_day: (self.daily.get(&i.dated.id).into_iter().flatten())
                .map(|(date, n)| Day {
                    date: *date,
                    signatures: *n,
                })
                .collect(),
            history: history(doc),
            answer: answer(doc, |m| m.decision.as_ref()),
        }
    }

    fn listed_consultation<'a>(&self, e: &'a Entry, c: &'a ConsultationData) -> Consultation<'a> {
        let Details::Consultation(d) = &e.details else {
            unreachable!("a consultation's entry")
        };
        Consultation {
            id: &e.id,
            state: c.state.as_str(),
            title: &e.title,
            url: &e.url,
            data: self.data_url(&e.id),
            authority: &d.authority,
            opens: e.opens,
            closes: e.closes,
            sections: &d.sections,
            comments: self.comments.get(&e.id).map_or(0, Vec::len),
        }
    }

    fn consultation_detail<'a>(
        &'a self,
        doc: &Document,
        listed: &'a Consultation<'a>,
    ) -> ConsultationDetail<'a> {
        let offset = self.offset();
        let comments = (self.comments.get(listed.id).into_iter().flatten())
            .map(|c| Comment {
                section: c.section.as_deref(),
                text: &c.text,
                date: DateTime::from_timestamp(c.created, 0)
                    .unwrap_or_default()
                    .with_timezone(&offset)
                    .date_naive(),
                retained: c.retained.as_ref().map(|r| r.0),
                reason: c.retained.as_ref().map(|r| r.1.as_str()),
            })
            .collect();
        ConsultationDetail {
            consultation: listed,
            report: answer(doc, |m| m.report.as_ref()),
            comments,
        }
    }
}

/// Pretty JSON, as people read it too.
fn json(value: &impl Serialize) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec_pretty(value)?)
}

/// The history of `doc`, with each step's note in every language that gives one.
fn history(doc: &Document) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (lang, source) in &doc.sources {
        for (n, h) in source.parsed.meta.history.iter().enumerate() {
            if steps.len() <= n {
                steps.push(Step {
                    date: h.date,
                    step: h.step,
                    note: Localized::new(),
                });
            }
            if let Some(note) = &h.note {
                steps[n].note.insert(*lang, note.clone());
            }
        }
    }
    steps
}

/// The answer or report `pick` finds in each translation of `doc`, if any.
fn answer(
    doc: &Document,
    pick: impl Fn(&crate::front_matter::Meta) -> Option<&crate::front_matter::AnswerMeta>,
) -> Option<Answer> {
    let mut found: Option<Answer> = None;
    for (lang, source) in &doc.sources {
        if let Some(a) = pick(&source.parsed.meta) {
            let answer = found.get_or_insert_with(|| Answer {
                date: a.date,
                text: Localized::new(),
            });
            answer.text.insert(*lang, a.text.clone());
        }
    }
    found
}

/// `initiatives.csv`: one line per initiative, every cell quoted and guarded against
/// spreadsheet formulas, lines ending in CRLF.
fn initiatives_csv(initiatives: &[Initiative]) -> String {
    const COLUMNS: &str = "id,kind,state,authority,region,province,commune,opens,closes,threshold,signatures,\
        title_ar,title_zgh,title_fr,url_ar,url_zgh,url_fr";
    let mut csv: Vec<String> = vec![
        COLUMNS
            .split(',')
            .map(csv_cell)
            .collect::<Vec<_>>()
            .join(","),
    ];
    for i in initiatives {
        let per_lang =
            |l: &Localized| Lang::ALL.map(|lang| l.get(&lang).cloned().unwrap_or_default());
        let mut cells = vec![
            i.id.to_string(),
            i.kind.to_string(),
            i.state.to_string(),
            i.target.authority.as_str().to_string(),
            i.target.region.clone().unwrap_or_default(),
            i.target.province.clone().unwrap_or_default(),
            i.target.commune.clone().unwrap_or_default(),
            i.opens.to_rfc3339(),
            i.closes.to_rfc3339(),
            i.threshold.to_string(),
            i.signatures.to_string(),
        ];
        cells.extend(per_lang(i.title));
        cells.extend(per_lang(i.url));
        csv.push(
            cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    csv.push(String::new());
    csv.join("\r\n")
}
