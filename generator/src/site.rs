//! The whole site in memory: every page with its translations, validated against the legal
//! rules and against each other; `check` renders without writing, `build` writes.

use crate::config::SiteConfig;
use crate::content::{self, Source};
use crate::data::{self, Data};
use crate::diagnostics::{Diagnostics, SiteErrors};
use crate::front_matter::Kind;
use crate::theme::Theme;
use anyhow::Result;
use chrono::DateTime;
use musharaka_model::Lang;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A page and all its translations.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// `section/name`.
    pub(crate) key: String,
    /// Section folder (`""` at the top).
    pub(crate) section: String,
    /// Page name, or `_index`.
    pub(crate) name: String,
    /// What it is.
    pub(crate) kind: Kind,
    /// The translations present, by language.
    pub(crate) sources: BTreeMap<Lang, Source>,
    /// Shared data, from the first translation of the fallback chain.
    pub(crate) data: Data,
}

impl Document {
    /// Whether this is a section index.
    pub(crate) fn is_index(&self) -> bool {
        self.name == content::INDEX
    }

    /// Whether this is the home page.
    pub(crate) fn is_home(&self) -> bool {
        self.is_index() && self.section.is_empty()
    }

    /// The source shown in `lang`: its own translation, else the first of `fallback`.
    pub(crate) fn source_for(&self, lang: Lang, fallback: &[Lang]) -> &Source {
        self.sources
            .get(&lang)
            .or_else(|| fallback.iter().find_map(|l| self.sources.get(l)))
            .or_else(|| self.sources.values().next())
            .expect("an entry has at least one translation")
    }

    /// Ordering weight (smaller first).
    pub(crate) fn weight(&self) -> i64 {
        self.sources
            .values()
            .next()
            .and_then(|s| s.parsed.meta.weight)
            .unwrap_or(i64::MAX)
    }
}

/// Signatures of each complete day (in the site's offset), by initiative id.
pub type Daily = BTreeMap<String, BTreeMap<chrono::NaiveDate, u64>>;

/// Approved comments, by consultation id.
pub type Comments = BTreeMap<String, Vec<musharaka_model::moderation::PublishedComment>>;

/// The loaded site.
pub struct Site {
    /// The folder holding `content/` and `site-theme/`.
    pub(crate) root: PathBuf,
    /// `content/site.toml`.
    pub config: SiteConfig,
    /// Templates and strings.
    pub(crate) theme: Theme,
    /// Every page, by key.
    pub(crate) documents: BTreeMap<String, Document>,
    /// Problems found while loading.
    pub(crate) diags: Diagnostics,
    /// Current signature counts by initiative id, shown on the pages (empty: zero).
    pub counts: BTreeMap<String, musharaka_model::catalog::Count>,
    /// The instant the pages are built for: whether a form is offered depends on it.
    pub now: DateTime<chrono::Utc>,
    /// Signatures confirmed each complete day, by initiative id (open data).
    pub daily: Daily,
    /// Approved comments by consultation id, shown under the sections they target.
    pub comments: Comments,
    /// Citizens' proposals the moderators rejected, listed publicly with their reasons.
    pub rejected: Vec<musharaka_model::proposal::Proposal>,
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
                let parsed = content::read_source(&file);
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
            documents: BTreeMap::new(),
            diags,
            counts: BTreeMap::new(),
            daily: BTreeMap::new(),
            now: chrono::Utc::now(),
            comments: BTreeMap::new(),
            rejected: Vec::new(),
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
            if let Some(entry) = self.document(key, sources, &guides) {
                self.documents.insert(entry.key.clone(), entry);
            }
        }
        self.check_ids();
        self.check_sections();
    }

    /// The document of `key` from its translations, or `None` after reporting why not.
    pub(crate) fn document(
        &mut self,
        key: String,
        sources: Vec<Source>,
        guides: &[String],
    ) -> Option<Document> {
        let kind = self.agreed_kind(&sources, guides)?;
        let mut sources: BTreeMap<Lang, Source> =
            sources.into_iter().map(|s| (s.file.lang, s)).collect();
        let data = self.agreed_data(&sources, kind)?;
        let first = sources.values_mut().next()?;
        let (section, name) = (first.file.section.clone(), first.file.name.clone());
        Some(Document {
            key,
            section,
            name,
            kind,
            sources,
            data,
        })
    }

    /// The kind every translation gives.
    fn agreed_kind(&mut self, sources: &[Source], guides: &[String]) -> Option<Kind> {
        let in_guide = guides.contains(&sources[0].file.section);
        let mut kinds = Vec::new();
        for s in sources {
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
        Some(kind)
    }

    /// The data of the first translation of the fallback chain, which the others must repeat.
    fn agreed_data(&mut self, sources: &BTreeMap<Lang, Source>, kind: Kind) -> Option<Data> {
        let ordered: Vec<&Source> = (self.config.fallback.iter())
            .filter_map(|l| sources.get(l))
            .collect();
        let mut datas = Vec::new();
        for s in &ordered {
            datas.push(data::data_of(kind, s, &mut self.diags)?);
        }
        let primary = ordered[0];
        for (s, d) in ordered.iter().zip(&datas).skip(1) {
            if let Some(field) = datas[0].first_difference(d) {
                self.diags.error(
                    &s.file.rel,
                    Some(s.parsed.line_of(field)),
                    format!(
                        "`{field}` differs from {}: translations share ids, targets, dates and states",
                        primary.file.rel.display()
                    ),
                );
            }
            let steps = |s: &Source| {
                let history = &s.parsed.meta.history;
                history.iter().map(|x| (x.date, x.step)).collect::<Vec<_>>()
            };
            if steps(primary) != steps(s) {
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
        Some(datas.swap_remove(0))
    }

    fn check_ids(&mut self) {
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        for entry in self.documents.values() {
            let Some(id) = entry.data.shared().map(|d| d.id) else {
                continue;
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
                seen.insert(id.to_string(), src.file.rel.clone());
            }
        }
    }

    fn check_sections(&mut self) {
        for entry in self.documents.values() {
            if entry.is_index() {
                continue;
            }
            let index = content::page_key(&entry.section, content::INDEX);
            if !entry.section.is_empty() && !self.documents.contains_key(&index) {
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
        if !self.documents.contains_key(content::INDEX) {
            self.diags.error(
                Path::new("content"),
                None,
                "no home page: add content/_index.<lang>.md",
            );
        }
        for entry in self.documents.values() {
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

    /// How many pages the site has in each language.
    pub fn page_count(&self) -> usize {
        self.documents.len()
    }

    /// Ids of every consultation.
    pub fn consultation_ids(&self) -> Vec<String> {
        self.documents
            .values()
            .filter_map(|e| match &e.data {
                Data::Consultation(c) => Some(c.id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Ids of every petition and motion.
    pub fn initiative_ids(&self) -> Vec<String> {
        self.documents
            .values()
            .filter_map(|e| match &e.data {
                Data::Initiative(i) => Some(i.dated.id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Entries of `section` (not its index), in order: by weight, then newest first, then title.
    pub(crate) fn pages_of(&self, section: &str) -> Vec<&Document> {
        let mut v: Vec<&Document> = self
            .documents
            .values()
            .filter(|e| e.section == section && !e.is_index())
            .collect();
        v.sort_by_key(|e| {
            let opens = e.data.shared().map(|d| d.opens);
            (e.weight(), std::cmp::Reverse(opens), e.key.clone())
        });
        v
    }
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
