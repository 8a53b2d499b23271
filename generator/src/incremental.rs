//! Rebuilding what changed: when only existing content files were saved, re-read them and
//! re-render their pages (and their section, the home page and the feeds when what lists show
//! changed) and the catalog, each file replaced atomically in the built site. Anything else takes a full build.

use crate::build::Anchors;
use crate::content::{self, INDEX};
use crate::diagnostics::Diagnostics;
use crate::feed;
use crate::front_matter::Kind;
use crate::links::url_to_file;
use crate::output::Sink;
use crate::site::Entry;
use crate::site::{Data, Site, Source, read_source};
use anyhow::{Context, Result};
use musharaka_model::Lang;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Writes into a built site, each file through a temporary name then a rename.
struct InPlace<'a> {
    out: &'a Path,
}

impl Sink for InPlace<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("partial-tmp");
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))
    }
}

impl Site {
    /// Re-reads the `changed` files. Returns the keys of the entries to render again, and
    /// whether lists (sections, home, feeds) show something that changed; or `None` when only
    /// a full build will do: a file added or removed, a change outside `content/`, a change of
    /// kind, or a problem (which the full build reports).
    pub fn update(&mut self, changed: &[PathBuf]) -> Option<(BTreeSet<String>, bool)> {
        let content_dir = self.root.join("content");
        let langs: Vec<Lang> = self.config.langs().collect();
        let guides: Vec<String> = self
            .entries
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
            let old = self.entries.get(&key)?;
            if !old.sources.contains_key(&file.lang) {
                return None;
            }
            let old_kind = old.kind;
            let old_listed = listed(old);
            let parsed = read_source(&file).ok()?;
            let mut sources: Vec<Source> = old
                .sources
                .values()
                .filter(|s| s.file.lang != file.lang)
                .cloned()
                .collect();
            sources.push(Source { file, parsed });
            let errors = self.diags.error_count();
            let entry = self.entry(key.clone(), sources, &guides);
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
            self.entries.insert(key, entry);
        }
        Some((keys, lists))
    }

    /// Renders the entries of `keys` in every language, the feeds when `lists` changed, and the
    /// catalog, and writes them into the built site at `out` only if all rendered (the set of
    /// pages is the same, so the sitemap is too). `anchors` (from the last build) is kept up to
    /// date.
    pub fn write_partial(
        &self,
        keys: &BTreeSet<String>,
        lists: bool,
        out: &Path,
        anchors: &mut Anchors,
    ) -> Result<Diagnostics> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut diags = Diagnostics::default();
        for lang in self.config.langs() {
            let lc = self.lang_context(lang);
            for key in keys {
                let Some(entry) = self.entries.get(key) else {
                    continue;
                };
                let src = entry.source_for(lang, &self.config.fallback);
                match self.render_page(&lc, entry) {
                    Ok(page) => {
                        if matches!(entry.data, Data::Consultation(_)) && src.file.lang == lang {
                            anchors
                                .entry(entry.key.clone())
                                .or_default()
                                .insert(lang, page.headings.iter().map(|h| h.id.clone()).collect());
                        }
                        files.push((url_to_file(&page.url), page.html.into_bytes()));
                    }
                    Err((line, e)) => diags.error(&src.file.rel, line, e),
                }
            }
            if lists {
                files.push((feed::feed_path(lang), feed::atom(self, lang).into_bytes()));
            }
        }
        if diags.has_errors() {
            return Ok(diags);
        }
        files.push((
            "catalog.json".into(),
            serde_json::to_vec_pretty(&self.catalog(anchors))?,
        ));
        let sink = InPlace { out };
        for (rel, bytes) in files {
            sink.write(&rel, &bytes)?;
        }
        Ok(diags)
    }
}

/// What lists and feeds show of an entry: per language its title, description, weight, date
/// and example mark, and the shared data (state, dates, target).
fn listed(e: &Entry) -> (Vec<ListedFields>, Data) {
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
