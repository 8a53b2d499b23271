//! Full-text search of the content pages in each language, with no server: the build writes an
//! index under `/<lang>/search/` (`index`: term shards and list entries), the search page's
//! script (`site-theme/static/search.js`) reads the shards of the words typed and the list
//! entries of the results it shows. Words become terms the same way on both sides (`terms`).

mod index;
mod terms;

pub(crate) use index::Entry;

use crate::output::Sink;
use crate::site::{Document, Site};
use anyhow::Result;
use musharaka_model::Lang;
use rayon::prelude::*;

/// URL of the search page (and folder of the index) in `lang`.
pub(crate) fn page_url(lang: Lang) -> String {
    format!("/{}/search/", lang.code())
}

impl Site {
    /// What the index keeps of `doc` shown in `lang` at `url`, with the plain `text` of its
    /// Markdown.
    pub(crate) fn search_entry(
        &self,
        lang: Lang,
        doc: &Document,
        url: &str,
        text: String,
    ) -> Entry {
        let src = doc.source_for(lang, &self.config.fallback);
        let m = &src.parsed.meta;
        let mut label = self
            .theme
            .text(lang, &format!("kind.{}", doc.kind.as_str()));
        if let Some(d) = doc.data.shared() {
            label.push_str(" · ");
            label.push_str(&self.theme.text(lang, &format!("state.{}", d.state)));
        }
        Entry {
            url: url.to_string(),
            title: m.title.clone(),
            description: m.description.clone(),
            text,
            label,
            lang: src.file.lang,
        }
    }

    /// Stage: the search index of one language from the entries of its pages, in order.
    pub(crate) fn write_search_index(
        &self,
        lang: Lang,
        entries: &[Entry],
        sink: &dyn Sink,
    ) -> Result<()> {
        let dir = page_url(lang);
        let dir = dir.trim_start_matches('/');
        index::files(entries)
            .par_iter()
            .try_for_each(|(name, json)| sink.write(&format!("{dir}{name}"), json.as_bytes()))
    }
}
