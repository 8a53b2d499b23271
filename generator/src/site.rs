//! The whole site in memory: every page with its translations, validated against the legal
//! rules and against each other; `check` renders without writing, `build` writes.

use crate::config::SiteConfig;
use crate::content::{self, SourceFile};
use crate::diagnostics::{Diagnostics, SiteErrors};
use crate::front_matter::{self, Kind, Parsed};
use crate::theme::Theme;
use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use musharaka_model::rules::{self, Threshold};
use musharaka_model::state::{ConsultationState, InitiativeKind, InitiativeState};
use musharaka_model::target::Target;
use musharaka_model::{Lang, Localized};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One content file, parsed.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where it is.
    pub file: SourceFile,
    /// Its front matter and body.
    pub parsed: Parsed,
}

/// What the legal rules know of a petition or motion.
#[derive(Debug, Clone, PartialEq)]
pub struct InitiativeData {
    /// Petition or motion.
    pub kind: InitiativeKind,
    /// Stable id.
    pub id: String,
    /// Authority addressed, with the names of every translation.
    pub target: Target,
    /// Signatures needed and the law that says so.
    pub threshold: Threshold,
    /// Collection opens.
    pub opens: DateTime<FixedOffset>,
    /// Collection closes.
    pub closes: DateTime<FixedOffset>,
    /// Lifecycle state.
    pub state: InitiativeState,
}

/// What the functions need of a consultation.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsultationData {
    /// Stable id.
    pub id: String,
    /// Comments open.
    pub opens: DateTime<FixedOffset>,
    /// Comments close.
    pub closes: DateTime<FixedOffset>,
    /// Lifecycle state.
    pub state: ConsultationState,
}

/// The data shared by every translation of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// A page, section or guide.
    Plain,
    /// A petition or motion.
    Initiative(InitiativeData),
    /// A consultation.
    Consultation(ConsultationData),
}

/// A page and all its translations.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `section/name`.
    pub key: String,
    /// Section folder (`""` at the top).
    pub section: String,
    /// Page name, or `_index`.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// The translations present, by language.
    pub sources: BTreeMap<Lang, Source>,
    /// Shared data, from the first translation of the fallback chain.
    pub data: Data,
}

impl Entry {
    /// Whether this is a section index.
    pub fn is_index(&self) -> bool {
        self.name == content::INDEX
    }

    /// Whether this is the home page.
    pub fn is_home(&self) -> bool {
        self.is_index() && self.section.is_empty()
    }

    /// The source shown in `lang`: its own translation, else the first of `fallback`.
    pub fn source_for(&self, lang: Lang, fallback: &[Lang]) -> &Source {
        self.sources
            .get(&lang)
            .or_else(|| fallback.iter().find_map(|l| self.sources.get(l)))
            .or_else(|| self.sources.values().next())
            .expect("an entry has at least one translation")
    }

    /// Ordering weight (smaller first).
    pub fn weight(&self) -> i64 {
        self.sources
            .values()
            .next()
            .and_then(|s| s.parsed.meta.weight)
            .unwrap_or(i64::MAX)
    }
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Pages written per language (translated, and from a fallback).
    pub pages: BTreeMap<Lang, (usize, usize)>,
    /// Files written in all.
    pub files: usize,
    /// Warnings (such as missing translations).
    pub warnings: Vec<String>,
    /// Time taken.
    pub elapsed: Duration,
    /// Section anchors of each consultation (for the catalog of later partial rebuilds).
    pub anchors: crate::build::Anchors,
}

/// The loaded site.
pub struct Site {
    /// The folder holding `content/` and `site-theme/`.
    pub root: PathBuf,
    /// `content/site.toml`.
    pub config: SiteConfig,
    /// Templates and strings.
    pub theme: Theme,
    /// Every page, by key.
    pub entries: BTreeMap<String, Entry>,
    /// Problems found while loading.
    pub diags: Diagnostics,
    /// Current signature counts by initiative id, shown on the pages (empty: zero).
    pub counts: BTreeMap<String, musharaka_model::catalog::Count>,
    /// The instant the pages are built for: whether a form is offered depends on it.
    pub now: DateTime<chrono::Utc>,
    /// Approved comments by consultation id, shown under the sections they target.
    pub comments: BTreeMap<String, Vec<musharaka_model::moderation::PublishedComment>>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Site {
    /// Loads and validates the site under `root`. Content problems are in `diags`; only a
    /// missing configuration or theme is an `Err`.
    pub fn load(root: &Path, base_url: Option<&str>) -> Result<Site> {
        let mut config = SiteConfig::from_file(&root.join("content/site.toml"))?;
        if let Some(url) = base_url {
            config.base_url = url.trim_end_matches('/').to_string();
        }
        let mut diags = Diagnostics::default();
        let langs: Vec<Lang> = config.langs().collect();
        let theme = Theme::load(root, &langs, &mut diags)?;
        let Some(theme) = theme else {
            return Err(SiteErrors(diags).into());
        };
        let files = content::discover(root, &langs, &mut diags);
        let parsed: Vec<_> = files
            .into_par_iter()
            .map(|file| {
                let parsed = read_source(&file);
                (file, parsed)
            })
            .collect();
        let mut by_key: BTreeMap<String, Vec<Source>> = BTreeMap::new();
        for (file, parsed) in parsed {
            match parsed {
                Ok(parsed) => by_key
                    .entry(file.key())
                    .or_default()
                    .push(Source { file, parsed }),
                Err((line, message)) => diags.error(&file.rel, line, message),
            }
        }
        let mut site = Site {
            root: root.to_path_buf(),
            config,
            theme,
            entries: BTreeMap::new(),
            diags,
            counts: BTreeMap::new(),
            now: chrono::Utc::now(),
            comments: BTreeMap::new(),
        };
        site.assemble(by_key);
        Ok(site)
    }

    fn assemble(&mut self, by_key: BTreeMap<String, Vec<Source>>) {
        let guides: Vec<String> = by_key
            .iter()
            .filter(|(_, s)| s[0].file.is_index() && s[0].parsed.meta.kind == Some(Kind::Guide))
            .map(|(_, s)| s[0].file.section.clone())
            .collect();
        for (key, sources) in by_key {
            if let Some(entry) = self.entry(key, sources, &guides) {
                self.entries.insert(entry.key.clone(), entry);
            }
        }
        self.check_ids();
        self.check_sections();
    }

    pub(crate) fn entry(
        &mut self,
        key: String,
        sources: Vec<Source>,
        guides: &[String],
    ) -> Option<Entry> {
        let in_guide = guides.contains(&sources[0].file.section);
        let mut kinds = Vec::new();
        for s in &sources {
            kinds.push(resolve_kind(s, in_guide, &mut self.diags)?);
        }
        let kind = kinds[0];
        for (s, k) in sources.iter().zip(&kinds).skip(1) {
            if *k != kind {
                self.diags.error(
                    &s.file.rel,
                    Some(s.parsed.line_of("kind")),
                    format!(
                        "`kind` is `{}` here but `{}` in {}: translations are the same kind of page",
                        k.as_str(),
                        kind.as_str(),
                        sources[0].file.rel.display()
                    ),
                );
                return None;
            }
        }
        let mut sources: BTreeMap<Lang, Source> =
            sources.into_iter().map(|s| (s.file.lang, s)).collect();
        let order: Vec<Lang> = self.config.fallback.clone();
        let ordered: Vec<&Source> = order.iter().filter_map(|l| sources.get(l)).collect();
        let mut datas = Vec::new();
        for s in &ordered {
            datas.push(self.data(s, kind)?);
        }
        let primary = ordered[0];
        for (s, d) in ordered.iter().zip(&datas).skip(1) {
            if let Some(field) = differing_field(&datas[0], d) {
                self.diags.error(
                    &s.file.rel,
                    Some(s.parsed.line_of(field)),
                    format!(
                        "`{field}` differs from {}: translations share ids, targets, dates and states",
                        primary.file.rel.display()
                    ),
                );
            }
            let (a, b) = (&primary.parsed.meta.history, &s.parsed.meta.history);
            let steps = |h: &Vec<front_matter::HistoryMeta>| {
                h.iter().map(|x| (x.date, x.step)).collect::<Vec<_>>()
            };
            if steps(a) != steps(b) {
                self.diags.error(
                    &s.file.rel,
                    Some(s.parsed.line_of("history")),
                    format!(
                        "the dates and steps of `history` differ from {}",
                        primary.file.rel.display()
                    ),
                );
            }
        }
        let mut data = datas.swap_remove(0);
        if let Data::Initiative(i) = &mut data {
            for (lang, s) in &sources {
                if let Some(name) = s.parsed.meta.target.as_ref().and_then(|t| t.name.clone()) {
                    i.target.name.insert(*lang, name);
                }
            }
        }
        let first = sources.values_mut().next()?;
        let (section, name) = (first.file.section.clone(), first.file.name.clone());
        Some(Entry {
            key,
            section,
            name,
            kind,
            sources,
            data,
        })
    }

    fn data(&mut self, s: &Source, kind: Kind) -> Option<Data> {
        let m = &s.parsed.meta;
        let rel = &s.file.rel;
        let d = &mut self.diags;
        let errors_before = d.error_count();
        let initiative = matches!(kind, Kind::Petition | Kind::Motion);
        let consultation = kind == Kind::Consultation;
        let mut forbid = |present: bool, key: &str, what: &str| {
            if present {
                d.error(
                    rel,
                    Some(s.parsed.line_of(key)),
                    format!("`{key}` only applies to {what}, not to a {}", kind.as_str()),
                );
            }
        };
        forbid(
            !initiative && m.target.is_some(),
            "target",
            "petitions and motions",
        );
        forbid(
            !initiative && !m.history.is_empty(),
            "history",
            "petitions and motions",
        );
        forbid(
            !initiative && m.decision.is_some(),
            "decision",
            "petitions and motions",
        );
        forbid(
            !consultation && m.authority.is_some(),
            "authority",
            "consultations",
        );
        forbid(
            !consultation && m.report.is_some(),
            "report",
            "consultations",
        );
        let dated = initiative || consultation;
        for key in ["id", "opens", "closes", "state"] {
            let present = match key {
                "id" => m.id.is_some(),
                "opens" => m.opens.is_some(),
                "closes" => m.closes.is_some(),
                _ => m.state.is_some(),
            };
            forbid(
                !dated && present,
                key,
                "petitions, motions and consultations",
            );
        }
        if !dated {
            return (d.error_count() == errors_before).then_some(Data::Plain);
        }
        let mut require = |present: bool, key: &str, example: &str| {
            if !present {
                d.error(
                    rel,
                    Some(s.parsed.raw_line),
                    format!("a {} needs `{key}`, for example `{example}`", kind.as_str()),
                );
            }
        };
        require(m.id.is_some(), "id", "id = \"p-2026-water-tahannaout\"");
        require(
            m.opens.is_some(),
            "opens",
            "opens = 2026-03-01T00:00:00+01:00",
        );
        require(
            m.closes.is_some(),
            "closes",
            "closes = 2026-06-01T00:00:00+01:00",
        );
        require(m.state.is_some(), "state", "state = \"collecting\"");
        if initiative {
            require(
                m.target.is_some(),
                "target",
                "target = { authority = \"head-of-government\" }",
            );
        } else {
            require(
                m.authority.as_deref().is_some_and(|a| !a.trim().is_empty()),
                "authority",
                "authority = \"Ministry of ...\"",
            );
        }
        if let Some(id) = &m.id
            && !is_id(id)
        {
            d.error(
                rel,
                Some(s.parsed.line_of("id")),
                format!("`id` {id:?} must be 1 to 64 lowercase letters, digits and `-`"),
            );
        }
        if let (Some(o), Some(c)) = (m.opens, m.closes)
            && c <= o
        {
            d.error(
                rel,
                Some(s.parsed.line_of("closes")),
                format!("`closes` ({c}) must come after `opens` ({o})"),
            );
        }
        let state = m.state.as_deref().unwrap_or_default();
        let state_line = Some(s.parsed.line_of("state"));
        let result = if initiative {
            let ikind = if kind == Kind::Motion {
                InitiativeKind::Motion
            } else {
                InitiativeKind::Petition
            };
            let st = InitiativeState::ALL
                .into_iter()
                .find(|x| x.as_str() == state);
            if st.is_none() && m.state.is_some() {
                let all: Vec<_> = InitiativeState::ALL.iter().map(|x| x.as_str()).collect();
                d.error(
                    rel,
                    state_line,
                    format!(
                        "unknown state {state:?} for a {}: expected one of {}",
                        kind.as_str(),
                        all.join(", ")
                    ),
                );
            }
            let target = m.target.as_ref().map(|t| Target {
                authority: t.authority,
                region: t.region.clone(),
                name: t
                    .name
                    .clone()
                    .map(|n| [(s.file.lang, n)].into())
                    .unwrap_or_default(),
                population: t.population,
                arrondissements: t.arrondissements,
            });
            let threshold = target
                .as_ref()
                .and_then(|t| match rules::threshold(ikind, t) {
                    Ok(th) => Some(th),
                    Err(e) => {
                        d.error(
                            rel,
                            Some(s.parsed.line_of("target")),
                            format!("`target`: {e}"),
                        );
                        None
                    }
                });
            match (st, target, threshold) {
                (Some(state), Some(mut target), Some(threshold)) => {
                    target.name = Localized::new();
                    Some(Data::Initiative(InitiativeData {
                        kind: ikind,
                        id: m.id.clone().unwrap_or_default(),
                        target,
                        threshold,
                        opens: m.opens?,
                        closes: m.closes?,
                        state,
                    }))
                }
                _ => None,
            }
        } else {
            let st = ConsultationState::ALL
                .into_iter()
                .find(|x| x.as_str() == state);
            if st.is_none() && m.state.is_some() {
                let all: Vec<_> = ConsultationState::ALL.iter().map(|x| x.as_str()).collect();
                d.error(
                    rel,
                    state_line,
                    format!(
                        "unknown state {state:?} for a consultation: expected one of {}",
                        all.join(", ")
                    ),
                );
            }
            if st == Some(ConsultationState::ReportPublished) && m.report.is_none() {
                d.error(
                    rel,
                    state_line,
                    "state `report-published` needs the synthesis: add `[report]` with `date` and `text`",
                );
            }
            st.map(|state| {
                Data::Consultation(ConsultationData {
                    id: m.id.clone().unwrap_or_default(),
                    opens: m.opens.unwrap_or_default(),
                    closes: m.closes.unwrap_or_default(),
                    state,
                })
            })
        };
        (d.error_count() == errors_before)
            .then_some(result)
            .flatten()
    }

    fn check_ids(&mut self) {
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        for entry in self.entries.values() {
            let id = match &entry.data {
                Data::Initiative(i) => &i.id,
                Data::Consultation(c) => &c.id,
                Data::Plain => continue,
            };
            let src = entry.sources.values().next().expect("one translation");
            if let Some(other) = seen.get(id) {
                self.diags.error(
                    &src.file.rel,
                    Some(src.parsed.line_of("id")),
                    format!(
                        "duplicate id {id:?}: {} has it too; ids are unique across the site",
                        other.display()
                    ),
                );
            } else {
                seen.insert(id.clone(), src.file.rel.clone());
            }
        }
    }

    fn check_sections(&mut self) {
        for entry in self.entries.values() {
            if entry.is_index() {
                continue;
            }
            let index = content::page_key(&entry.section, content::INDEX);
            if !entry.section.is_empty() && !self.entries.contains_key(&index) {
                let src = entry.sources.values().next().expect("one translation");
                self.diags.error(
                    &src.file.rel,
                    None,
                    format!(
                        "section `{}` has no index page: add content/{}/_index.<lang>.md with its title",
                        entry.section, entry.section
                    ),
                );
            }
        }
        if !self.entries.contains_key(content::INDEX) {
            self.diags.error(
                Path::new("content"),
                None,
                "no home page: add content/_index.<lang>.md",
            );
        }
        for entry in self.entries.values() {
            for lang in self.config.langs() {
                if !entry.sources.contains_key(&lang) {
                    let src = entry.sources.values().next().expect("one translation");
                    let path =
                        src.file
                            .rel
                            .with_file_name(format!("{}.{}.md", entry.name, lang.code()));
                    self.diags.warning(
                        &path,
                        None,
                        format!(
                            "missing translation: shown from {} with a notice",
                            src.file.rel.display()
                        ),
                    );
                }
            }
        }
    }

    /// Ids of every consultation.
    pub fn consultation_ids(&self) -> Vec<String> {
        self.entries
            .values()
            .filter_map(|e| match &e.data {
                Data::Consultation(c) => Some(c.id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Ids of every petition and motion.
    pub fn initiative_ids(&self) -> Vec<String> {
        self.entries
            .values()
            .filter_map(|e| match &e.data {
                Data::Initiative(i) => Some(i.id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Entries of `section` (not its index), in order: by weight, then newest first, then title.
    pub fn pages_of(&self, section: &str) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self
            .entries
            .values()
            .filter(|e| e.section == section && !e.is_index())
            .collect();
        v.sort_by_key(|e| {
            let opens = match &e.data {
                Data::Initiative(i) => Some(i.opens),
                Data::Consultation(c) => Some(c.opens),
                Data::Plain => None,
            };
            (e.weight(), std::cmp::Reverse(opens), e.key.clone())
        });
        v
    }
}

/// Reads and parses one content file; an error comes with its line where known.
pub(crate) fn read_source(file: &SourceFile) -> Result<Parsed, (Option<usize>, String)> {
    let bytes = std::fs::read(&file.path).map_err(|e| (None, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line =
            crate::diagnostics::line_of_offset(&String::from_utf8_lossy(&e.as_bytes()[..at]), at);
        (
            Some(line),
            "invalid UTF-8: save the file as UTF-8".to_string(),
        )
    })?;
    front_matter::parse(&text).map_err(|e| (Some(e.line), e.message))
}

fn resolve_kind(s: &Source, in_guide: bool, d: &mut Diagnostics) -> Option<Kind> {
    let given = s.parsed.meta.kind;
    let line = Some(s.parsed.line_of("kind"));
    let rel = &s.file.rel;
    if s.file.is_index() {
        match given {
            None | Some(Kind::Section) => Some(Kind::Section),
            Some(Kind::Guide) if !s.file.section.is_empty() => Some(Kind::Guide),
            Some(k) => {
                d.error(
                    rel,
                    line,
                    format!("an `_index` page is `kind = \"section\"` or `\"guide\"` (in a folder), not `{}`", k.as_str()),
                );
                None
            }
        }
    } else {
        match given {
            Some(Kind::Section | Kind::Guide) => {
                d.error(
                    rel,
                    line,
                    "`section` and `guide` are set on the folder's `_index` page; a page is `page`, `petition`, `motion` or `consultation`",
                );
                None
            }
            Some(k) if in_guide && k != Kind::Page => {
                d.error(
                    rel,
                    line,
                    "the chapters of a guide are plain pages: remove `kind`",
                );
                None
            }
            k => Some(k.unwrap_or(Kind::Page)),
        }
    }
}

/// The first front matter key whose value differs between two translations' data.
fn differing_field(a: &Data, b: &Data) -> Option<&'static str> {
    match (a, b) {
        (Data::Initiative(a), Data::Initiative(b)) => {
            if a.id != b.id {
                Some("id")
            } else if a.target != b.target {
                Some("target")
            } else if a.opens != b.opens {
                Some("opens")
            } else if a.closes != b.closes {
                Some("closes")
            } else if a.state != b.state {
                Some("state")
            } else {
                None
            }
        }
        (Data::Consultation(a), Data::Consultation(b)) => {
            if a.id != b.id {
                Some("id")
            } else if a.opens != b.opens {
                Some("opens")
            } else if a.closes != b.closes {
                Some("closes")
            } else if a.state != b.state {
                Some("state")
            } else {
                None
            }
        }
        _ => None,
    }
}
