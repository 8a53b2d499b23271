//! The build pipeline: render every page in every language, then the root page, 404 pages,
//! sitemap, feeds, static files and `catalog.json`, into a sink; check links at the end.

use crate::diagnostics::{Diagnostics, SiteErrors};
use crate::links::{LinkIndex, url_to_file};
use crate::output::{Discard, Sink, Staging};
use crate::render::PageError;
use crate::site::{BuildReport, Data, Entry, Site};
use crate::{feed, sitemap};
use anyhow::Result;
use musharaka_model::Lang;
use musharaka_model::catalog::{self, Catalog, Consultation, Details, Initiative};
use musharaka_model::retention;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Called after each page, from any thread: (pages done, pages in all).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Section anchors of each consultation, by entry key then language.
pub type Anchors = BTreeMap<String, BTreeMap<Lang, Vec<String>>>;

/// What rendering a page leaves for the link check, once its HTML is written.
struct Rendered {
    url: String,
    headings: Vec<crate::markdown::Heading>,
    links: Vec<crate::markdown::Link>,
    extra_ids: Vec<String>,
}

impl Site {
    /// Renders everything into `sink` (pages in parallel) and returns the problems found
    /// (links, templates) and the section anchors of each consultation.
    pub fn render_into(
        &self,
        sink: &dyn Sink,
        progress: Progress,
    ) -> Result<(Diagnostics, Anchors)> {
        let mut diags = Diagnostics::default();
        let mut index = LinkIndex::default();
        let total = self.entries.len() * self.config.languages.len();
        let done = AtomicUsize::new(0);
        let mut anchors_by_key: Anchors = BTreeMap::new();
        let entries: Vec<&Entry> = self.entries.values().collect();
        for lang in self.config.langs() {
            let lc = self.lang_context(lang);
            let pages: Vec<Result<Result<Rendered, PageError>>> = entries
                .par_iter()
                .map(|entry| {
                    let page = match self.render_page(&lc, entry) {
                        Ok(p) => p,
                        Err(e) => return Ok(Err(e)),
                    };
                    sink.write(&url_to_file(&page.url), page.html.as_bytes())?;
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    Ok(Ok(Rendered {
                        url: page.url,
                        headings: page.headings,
                        links: page.links,
                        extra_ids: page.extra_ids,
                    }))
                })
                .collect();
            for (entry, page) in entries.iter().zip(pages) {
                let src = entry.source_for(lang, &self.config.fallback);
                match page? {
                    Ok(page) => {
                        for link in &page.links {
                            index.links.push((
                                src.file.rel.clone(),
                                link.clone(),
                                page.url.clone(),
                            ));
                        }
                        index.add_page(&page.url, &page.headings, &page.extra_ids);
                        if matches!(entry.data, Data::Consultation(_)) && src.file.lang == lang {
                            anchors_by_key
                                .entry(entry.key.clone())
                                .or_default()
                                .insert(lang, page.headings.iter().map(|h| h.id.clone()).collect());
                        }
                    }
                    Err((line, e)) => diags.error(&src.file.rel, line, e),
                }
            }
            match self.render_special(&lc, "404.html") {
                Ok(html) => sink.write(&format!("{}/404.html", lang.code()), html.as_bytes())?,
                Err(e) => diags.error(Path::new("site-theme/templates/404.html"), None, e),
            }
            // Pages that are not content: a result page per outcome, the signature and the
            // confirmation pages.
            let tools = musharaka_model::outcome::Code::ALL
                .into_iter()
                .map(|code| (code.page_url(lang), "result", self.render_result(&lc, code)))
                .chain([
                    (
                        musharaka_model::outcome::signature_page_url(lang),
                        "signature",
                        self.render_signature(&lc),
                    ),
                    (
                        musharaka_model::outcome::confirm_page_url(lang),
                        "confirm",
                        self.render_confirm(&lc),
                    ),
                ]);
            for (url, template, rendered) in tools {
                match rendered {
                    Ok(html) => {
                        sink.write(&url_to_file(&url), html.as_bytes())?;
                        index.files.insert(url);
                    }
                    Err(e) => {
                        let file = format!("site-theme/templates/{template}.html");
                        diags.error(Path::new(&file), None, e)
                    }
                }
            }
            let feed = feed::atom(self, lang);
            sink.write(&feed::feed_path(lang), feed.as_bytes())?;
            index.files.insert(format!("/{}", feed::feed_path(lang)));
        }
        self.check_sections_agree(&anchors_by_key, &mut diags);
        match self.render_root() {
            Ok(html) => {
                sink.write("index.html", html.as_bytes())?;
                sink.write("404.html", html.as_bytes())?;
            }
            Err(e) => diags.error(Path::new("site-theme/templates/languages.html"), None, e),
        }
        sink.write("sitemap.xml", sitemap::sitemap(self).as_bytes())?;
        sink.write("robots.txt", sitemap::robots(self).as_bytes())?;
        let catalog = serde_json::to_vec_pretty(&self.catalog(&anchors_by_key))?;
        sink.write("catalog.json", &catalog)?;
        for f in ["/sitemap.xml", "/robots.txt", "/catalog.json", "/"] {
            index.files.insert(f.to_string());
        }
        index.check(self, &mut diags);
        Ok((diags, anchors_by_key))
    }

    /// Every translation of a consultation has the same sections, so that a comment on a
    /// section means the same text in every language.
    fn check_sections_agree(&self, anchors: &Anchors, diags: &mut Diagnostics) {
        for (key, by_lang) in anchors {
            let mut iter = by_lang.iter();
            let Some((first_lang, first)) = iter.next() else {
                continue;
            };
            for (lang, ids) in iter {
                if ids != first {
                    let entry = &self.entries[key];
                    let src = &entry.sources[lang];
                    diags.error(
                        &src.file.rel,
                        Some(src.parsed.body_line),
                        format!(
                            "the headings of this consultation ({}) differ from its {first_lang} text ({}): comments target a section by its anchor, so every translation needs the same headings (or the same `{{#id}}`s)",
                            ids.join(", "),
                            first.join(", ")
                        ),
                    );
                }
            }
        }
    }

    /// The catalog of initiatives and consultations.
    pub fn catalog(&self, anchors: &Anchors) -> Catalog {
        let mut entries: Vec<catalog::Entry> = self
            .entries
            .values()
            .filter_map(|e| {
                let title = e
                    .sources
                    .iter()
                    .map(|(l, s)| (*l, s.parsed.meta.title.clone()))
                    .collect();
                let url = self
                    .config
                    .langs()
                    .map(|l| {
                        (
                            l,
                            format!(
                                "{}{}",
                                self.config.base_url,
                                crate::links::page_url(l, &e.section, &e.name)
                            ),
                        )
                    })
                    .collect();
                let (id, details, opens, closes) = match &e.data {
                    Data::Initiative(i) => {
                        let history = e
                            .source_for(self.config.fallback[0], &self.config.fallback)
                            .parsed
                            .meta
                            .history
                            .iter()
                            .map(|h| (h.date, h.step));
                        let offset = *i.closes.offset();
                        let init = Initiative {
                            target: i.target.clone(),
                            threshold: i.threshold.signatures,
                            state: i.state,
                            decided: retention::decision_day(i.state, history)
                                .map(|day| retention::end_of_day(day, offset)),
                            erase_by: Some(self.config.retention.erase_by(i.closes)),
                            per_contact: self.config.signing.per_contact,
                        };
                        let details = match i.kind {
                            musharaka_model::state::InitiativeKind::Petition => {
                                Details::Petition(init)
                            }
                            musharaka_model::state::InitiativeKind::Motion => Details::Motion(init),
                        };
                        (i.id.clone(), details, i.opens, i.closes)
                    }
                    Data::Consultation(c) => {
                        let authority = e
                            .sources
                            .iter()
                            .filter_map(|(l, s)| Some((*l, s.parsed.meta.authority.clone()?)))
                            .collect();
                        let sections = anchors
                            .get(e.key.as_str())
                            .and_then(|m| m.values().next().cloned())
                            .unwrap_or_default();
                        (
                            c.id.clone(),
                            Details::Consultation(Consultation {
                                authority,
                                state: c.state,
                                sections,
                            }),
                            c.opens,
                            c.closes,
                        )
                    }
                    Data::Plain => return None,
                };
                Some(catalog::Entry {
                    id,
                    details,
                    opens,
                    closes,
                    title,
                    url,
                })
            })
            .collect();
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Catalog {
            version: catalog::SCHEMA_VERSION,
            base_url: self.config.base_url.clone(),
            entries,
            retention: self.config.retention,
        }
    }

    /// Validates everything without writing: loading problems, templates, links.
    pub fn check(&self) -> Result<Diagnostics> {
        let mut diags = self.diags.clone();
        if !diags.has_errors() {
            diags.extend(self.render_into(&Discard::default(), &|_, _| {})?.0);
        }
        Ok(diags)
    }

    /// Builds the site into `out`; on any error the previous `out` is left as it was.
    pub fn build(&self, out: &Path, progress: Progress) -> Result<BuildReport> {
        let start = Instant::now();
        if self.diags.has_errors() {
            return Err(SiteErrors(self.diags.clone()).into());
        }
        let staging = Staging::new(out)?;
        let (diags, anchors) = self.render_into(&staging, progress)?;
        if diags.has_errors() {
            return Err(SiteErrors(diags).into());
        }
        if self.theme.static_dir.is_dir() {
            staging.copy_dir(&self.theme.static_dir, "static")?;
        }
        let files = staging.files();
        staging.commit()?;
        let mut pages = BTreeMap::new();
        for lang in self.config.langs() {
            let own = self
                .entries
                .values()
                .filter(|e| e.sources.contains_key(&lang))
                .count();
            pages.insert(lang, (own, self.entries.len() - own));
        }
        let warnings = self
            .diags
            .sorted()
            .into_iter()
            .chain(diags.sorted())
            .filter(|d| d.severity == crate::Severity::Warning)
            .map(ToString::to_string)
            .collect();
        Ok(BuildReport {
            pages,
            files,
            warnings,
            elapsed: start.elapsed(),
            anchors,
        })
    }
}
