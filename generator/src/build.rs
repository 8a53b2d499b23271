//! The build as named stages. For each language: the content pages, their search index, the
//! 404 page, the tool pages (results, signature, confirmation, search) and the feed; then the
//! language choice at the root, the sitemap and robots, the catalog; the static files last.
//! Links are checked over everything written. The per-document step is shared with the
//! incremental build.

use crate::catalog::{self, Anchors};
use crate::diagnostics::{Diagnostics, SiteErrors};
use crate::links::{LinkIndex, url_to_file};
use crate::output::{Discard, Sink, Staging};
use crate::render::{LangContext, PageError, RenderedPage};
use crate::site::{Document, Site};
use crate::{Severity, feed, search, sitemap};
use anyhow::Result;
use musharaka_model::Lang;
use musharaka_model::outcome::{self, Code};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Called after each page, from any thread: (pages done, pages in all).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

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
    /// Of which the search index took (its stage, in every language).
    pub search: Duration,
    /// Section anchors of each consultation (for the catalog of later partial rebuilds).
    pub anchors: Anchors,
}

/// What the stages gather as they write: problems, the link index, the consultations'
/// section anchors.
#[derive(Default)]
struct Gathered {
    diags: Diagnostics,
    index: LinkIndex,
    anchors: Anchors,
    /// What the search index keeps of the pages of the language being rendered.
    entries: Vec<search::Entry>,
    /// Time the search index took.
    search: Duration,
}

impl Gathered {
    /// Writes a page rendered from `template` at `url` and keeps it for the link check, or
    /// reports why it could not be rendered.
    fn write_tool_page(
        &mut self,
        sink: &dyn Sink,
        url: String,
        template: &str,
        rendered: Result<String, String>,
    ) -> Result<()> {
        match rendered {
            Ok(html) => {
                sink.write(&url_to_file(&url), html.as_bytes())?;
                self.index.files.insert(url);
            }
            Err(e) => {
                let file = format!("site-theme/templates/{template}");
                self.diags.error(Path::new(&file), None, e)
            }
        }
        Ok(())
    }
}

impl Site {
    /// Renders everything into `sink` and returns the problems found (links, templates) and
    /// the section anchors of each consultation.
    pub(crate) fn render_into(
        &self,
        sink: &dyn Sink,
        progress: Progress,
    ) -> Result<(Diagnostics, Anchors, Duration)> {
        let mut g = Gathered::default();
        let done = AtomicUsize::new(0);
        let total = self.documents.len() * self.config.languages.len();
        let step = || progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        for lang in self.config.langs() {
            let lc = self.lang_context(lang);
            self.render_documents(&lc, sink, &mut g, &step)?;
            self.index_search(lang, sink, &mut g)?;
            self.render_not_found(&lc, sink, &mut g)?;
            self.render_tool_pages(&lc, sink, &mut g)?;
            self.write_browse(&lc, sink, &mut g)?;
            let feed = self.write_feed(lang, sink)?;
            g.index.files.insert(feed);
        }
        self.check_sections_agree(&g.anchors, &mut g.diags);
        self.render_language_choice(sink, &mut g)?;
        self.render_sitemap_and_robots(sink, &mut g)?;
        self.write_catalog(&g.anchors, sink)?;
        g.index.files.insert("/catalog.json".to_string());
        g.index
            .files
            .extend(self.write_open_data(&g.anchors, None, sink)?);
        g.index.check(self, &mut g.diags);
        Ok((g.diags, g.anchors, g.search))
    }

    /// Renders `doc` in the language of `lc` and writes it into `sink`; the page comes back
    /// without its HTML, with what the link check and the catalog need.
    pub(crate) fn write_document(
        &self,
        lc: &LangContext,
        doc: &Document,
        sink: &dyn Sink,
    ) -> Result<Result<RenderedPage, PageError>> {
        let mut page = match self.render_page(lc, doc) {
            Ok(page) => page,
            Err(e) => return Ok(Err(e)),
        };
        sink.write(
            &url_to_file(&page.url),
            std::mem::take(&mut page.html).as_bytes(),
        )?;
        if let Some(feed) = page.feed.take() {
            let url = feed::entry_feed_url(&page.url);
            sink.write(url.trim_start_matches('/'), feed.as_bytes())?;
        }
        Ok(Ok(page))
    }

    /// Stage: every document in one language, in parallel, then their links and anchors.
    fn render_documents(
        &self,
        lc: &LangContext,
        sink: &dyn Sink,
        g: &mut Gathered,
        step: &(dyn Fn() + Sync),
    ) -> Result<()> {
        let lang = lc.lang();
        let docs: Vec<&Document> = self.documents.values().collect();
        let pages: Vec<Result<Result<RenderedPage, PageError>>> = docs
            .par_iter()
            .map(|doc| {
                let page = self.write_document(lc, doc, sink);
                if matches!(page, Ok(Ok(_))) {
                    step();
                }
                page
            })
            .collect();
        for (doc, page) in docs.iter().zip(pages) {
            let src = doc.source_for(lang, &self.config.fallback);
            match page? {
                Ok(page) => {
                    for link in &page.links {
                        let from = (src.file.rel.clone(), link.clone(), page.url.clone());
                        g.index.links.push(from);
                    }
                    g.index.add_page(&page.url, &page.headings, &page.extra_ids);
                    catalog::note_anchors(&mut g.anchors, self, doc, lang, &page);
                    let entry = self.search_entry(lang, doc, &page.url, page.text);
                    g.entries.push(entry);
                }
                Err((line, e)) => g.diags.error(&src.file.rel, line, e),
            }
        }
        Ok(())
    }

    /// Stage: the search index of one language, from the pages just rendered.
    fn index_search(&self, lang: Lang, sink: &dyn Sink, g: &mut Gathered) -> Result<()> {
        let start = Instant::now();
        let entries = std::mem::take(&mut g.entries);
        self.write_search_index(lang, &entries, sink)?;
        drop(entries);
        g.search += start.elapsed();
        Ok(())
    }

    /// Stage: the "not found" page of one language.
    fn render_not_found(&self, lc: &LangContext, sink: &dyn Sink, g: &mut Gathered) -> Result<()> {
        match self.render_special(lc, "404.html") {
            Ok(html) => sink.write(&format!("{}/404.html", lc.lang().code()), html.as_bytes()),
            Err(e) => {
                g.diags
                    .error(Path::new("site-theme/templates/404.html"), None, e);
                Ok(())
            }
        }
    }

    /// Stage: the pages that are not content in one language: a result page per outcome of a
    /// submission, the signature and the confirmation pages.
    fn render_tool_pages(&self, lc: &LangContext, sink: &dyn Sink, g: &mut Gathered) -> Result<()> {
        let lang = lc.lang();
        let results = Code::ALL.into_iter().map(|code| {
            (
                code.page_url(lang),
                "result.html",
                self.render_result(lc, code),
            )
        });
        let others = [
            (
                outcome::signature_page_url(lang),
                "signature.html",
                self.render_signature(lc),
            ),
            (
                outcome::confirm_page_url(lang),
                "confirm.html",
                self.render_confirm(lc),
            ),
            (
                outcome::propose_page_url(lang),
                "propose.html",
                self.render_propose(lc),
            ),
            (
                outcome::join_page_url(lang),
                "join.html",
                self.render_join(lc),
            ),
            (
                outcome::committee_page_url(lang),
                "committee.html",
                self.render_committee(lc),
            ),
            (
                outcome::rejected_page_url(lang),
                "rejected.html",
                self.render_rejected(lc),
            ),
            (
                search::page_url(lang),
                "search.html",
                self.render_search(lc),
            ),
        ];
        for (url, template, rendered) in results.chain(others) {
            g.write_tool_page(sink, url, template, rendered)?;
        }
        Ok(())
    }

    /// Stage: the lists of initiatives by state, authority and region in one language.
    fn write_browse(&self, lc: &LangContext, sink: &dyn Sink, g: &mut Gathered) -> Result<()> {
        for (url, rendered) in self.render_browse(lc) {
            g.write_tool_page(sink, url, "browse.html", rendered)?;
        }
        Ok(())
    }

    /// Stage: the Atom feed of one language; returns its URL.
    pub(crate) fn write_feed(&self, lang: Lang, sink: &dyn Sink) -> Result<String> {
        sink.write(&feed::feed_path(lang), feed::atom(self, lang).as_bytes())?;
        Ok(format!("/{}", feed::feed_path(lang)))
    }

    /// Stage: the root page offering the languages, and the site's top-level 404 page.
    fn render_language_choice(&self, sink: &dyn Sink, g: &mut Gathered) -> Result<()> {
        g.index.files.insert("/".to_string());
        match self
            .render_root(false)
            .and_then(|root| Ok((root, self.render_root(true)?)))
        {
            Ok((root, not_found)) => {
                sink.write("index.html", root.as_bytes())?;
                sink.write("404.html", not_found.as_bytes())
            }
            Err(e) => {
                let file = Path::new("site-theme/templates/languages.html");
                g.diags.error(file, None, e);
                Ok(())
            }
        }
    }

    /// Stage: `sitemap.xml` and `robots.txt`.
    fn render_sitemap_and_robots(&self, sink: &dyn Sink, g: &mut Gathered) -> Result<()> {
        sink.write("sitemap.xml", sitemap::sitemap(self).as_bytes())?;
        sink.write("robots.txt", sitemap::robots(self).as_bytes())?;
        for f in ["/sitemap.xml", "/robots.txt"] {
            g.index.files.insert(f.to_string());
        }
        Ok(())
    }

    /// Every translation of a consultation has the same sections, so that a comment on a
    /// section means the same text in every language.
    fn check_sections_agree(&self, anchors: &Anchors, diags: &mut Diagnostics) {
        for (key, by_lang) in anchors {
            let mut iter = by_lang.iter();
            let Some((first_lang, first)) = iter.next() else {
                continue;
            };
            for (lang, ids) in iter.filter(|(_, ids)| *ids != first) {
                let src = &self.documents[key].sources[lang];
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
        let (diags, anchors, search) = self.render_into(&staging, progress)?;
        if diags.has_errors() {
            return Err(SiteErrors(diags).into());
        }
        // Stage: the theme's static files.
        if self.theme.static_dir.is_dir() {
            staging.copy_dir(&self.theme.static_dir, "static")?;
        }
        // Browsers and feed readers ask for the icon at the root whatever the pages link.
        let icon = self.theme.static_dir.join("favicon.ico");
        if icon.is_file() {
            staging.write("favicon.ico", &std::fs::read(&icon)?)?;
        }
        let files = staging.files();
        staging.commit()?;
        Ok(BuildReport {
            pages: self.translation_coverage(),
            files,
            warnings: self.warnings(&diags),
            elapsed: start.elapsed(),
            search,
            anchors,
        })
    }

    /// Pages per language: its own translations, and those shown from a fallback.
    pub fn translation_coverage(&self) -> BTreeMap<Lang, (usize, usize)> {
        self.config
            .langs()
            .map(|lang| {
                let docs = self.documents.values();
                let own = docs.filter(|e| e.sources.contains_key(&lang)).count();
                (lang, (own, self.documents.len() - own))
            })
            .collect()
    }

    /// The pages to translate: for each language, the keys of the pages it lacks
    /// (`petitions/water`), each shown meanwhile from a fallback language.
    pub fn untranslated(&self) -> BTreeMap<Lang, Vec<String>> {
        self.config
            .langs()
            .map(|lang| {
                let missing = (self.documents.values())
                    .filter(|d| !d.sources.contains_key(&lang))
                    .map(|d| d.key.clone())
                    .collect();
                (lang, missing)
            })
            .collect()
    }

    fn warnings(&self, rendering: &Diagnostics) -> Vec<String> {
        self.diags
            .sorted()
            .into_iter()
            .chain(rendering.sorted())
            .filter(|d| d.severity == Severity::Warning)
            .map(ToString::to_string)
            .collect()
    }
}
