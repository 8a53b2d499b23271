//! Rebuilding what changed: when only existing content files were saved, re-read them and
//! re-render their pages (and their section, the home page and the feeds when what lists show
//! changed) and the catalog, each file replaced atomically in the built site. Anything else
//! takes a full build.

use crate::catalog::{self, Anchors};
use crate::content::{self, INDEX, Source};
use crate::data::Data;
use crate::diagnostics::Diagnostics;
use crate::front_matter::Kind;
use crate::links::url_to_file;
use crate::output::{InPlace, Memory, Sink};
use crate::site::{Document, Site};
use anyhow::Result;
use musharaka_model::Lang;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

impl Site {
    /// Re-reads the `changed` files. Returns the keys of the entries to render again, and
    /// whether lists (sections, home, feeds) show something that changed; or `None` when only
    /// a full build will do: a file added or removed, a change outside `content/`, a change of
    /// kind, or a problem (which the full build reports).
    pub fn update(&mut self, changed: &[PathBuf]) -> Option<(BTreeSet<String>, bool)> {
        let content_dir = self.root.join("content");
        let langs: Vec<Lang> = self.config.langs().collect();
        let guides: Vec<String> = self
            .documents
            .values()
            .filter(|e| e.kind == Kind::Guide)
            .map(|e| e.section.clone())
            .collect();
        let mut keys = BTreeSet::new();
        let mut lists = false;
        for path in changed {
            if !path.starts_with(&content_dir)
                || path.extension().and_then(|e| e.to_str()) != Some("md")
                || !path.is_file()
            {
                return None;
            }
            let mut ignored = Diagnostics::default();
            let file = content::classify(&self.root, &content_dir, path, &langs, &mut ignored)?;
            let key = file.key();
            let old = self.documents.get(&key)?;
            if !old.sources.contains_key(&file.lang) {
                return None;
            }
            let old_kind = old.kind;
            let old_listed = listed(old);
            let parsed = content::read_source(&file).ok()?;
            let mut sources: Vec<Source> = old
                .sources
                .values()
                .filter(|s| s.file.lang != file.lang)
                .cloned()
                .collect();
            sources.push(Source { file, parsed });
            let errors = self.diags.error_count();
            let entry = self.document(key.clone(), sources, &guides);
            if self.diags.error_count() > errors {
                return None;
            }
            let entry = entry?;
            if entry.kind != old_kind {
                return None;
            }
            if listed(&entry) != old_listed {
                // Its title, order or state shows in its section, on the home page and in feeds.
                lists = true;
                keys.insert(content::page_key(&entry.section, INDEX));
                keys.insert(INDEX.to_string());
            }
            keys.insert(key.clone());
            self.documents.insert(key, entry);
        }
        Some((keys, lists))
    }

    /// Renders the entries of `keys` in every language, the feeds when `lists` changed, the
    /// lists by state, authority and region when an initiative is among them, the catalog and
    /// the open data, and writes them into the built site at `out` only if all rendered (the set of
    /// pages is the same, so the sitemap is too). `anchors` (from the last build) is kept up to
    /// date.
    pub fn write_partial(
        &self,
        keys: &BTreeSet<String>,
        lists: bool,
        out: &Path,
        anchors: &mut Anchors,
    ) -> Result<Diagnostics> {
        let rendered = Memory::default();
        let mut diags = Diagnostics::default();
        // The lists by state, authority and region show what lists show, and counts.
        let counted = lists
            || (keys.iter().filter_map(|k| self.documents.get(k)))
                .any(|d| matches!(d.data, Data::Initiative(_)));
        for lang in self.config.langs() {
            let lc = self.lang_context(lang);
            for doc in keys.iter().filter_map(|key| self.documents.get(key)) {
                match self.write_document(&lc, doc, &rendered)? {
                    Ok(page) => catalog::note_anchors(anchors, self, doc, lang, &page),
                    Err((line, e)) => {
                        let src = doc.source_for(lang, &self.config.fallback);
                        diags.error(&src.file.rel, line, e)
                    }
                }
            }
            if lists {
                self.write_feed(lang, &rendered)?;
            }
            if counted {
                for (url, page) in self.render_browse(&lc) {
                    match page {
                        Ok(html) => rendered.write(&url_to_file(&url), html.as_bytes())?,
                        Err(e) => {
                            diags.error(Path::new("site-theme/templates/browse.html"), None, e)
                        }
                    }
                }
            }
        }
        if diags.has_errors() {
            return Ok(diags);
        }
        self.write_catalog(anchors, &rendered)?;
        self.write_open_data(anchors, Some(keys), &rendered)?;
        let sink = InPlace::new(out);
        for (rel, bytes) in rendered.into_files() {
            sink.write(&rel, &bytes)?;
        }
        Ok(diags)
    }
}

/// What lists and feeds show of an entry: per language its title, description, weight, date
/// and example mark, and the shared data (state, dates, target).
fn listed(e: &Document) -> (Vec<ListedFields>, Data) {
    let fields = e
        .sources
        .values()
        .map(|s| {
            let m = &s.parsed.meta;
            (
                m.title.clone(),
                m.description.clone(),
                m.weight,
                m.date,
                m.example,
            )
        })
        .collect();
    (fields, e.data.clone())
}

type ListedFields = (
    String,
    Option<String>,
    Option<i64>,
    Option<chrono::NaiveDate>,
    bool,
);
