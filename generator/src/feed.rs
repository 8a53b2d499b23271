//! Atom feeds: one per language of petitions, motions and consultations, newest first; and
//! one per petition or motion and language, of the steps of its history and the authority's
//! answer, so that a citizen can follow one initiative.

use crate::content::Source;
use crate::links::page_url;
use crate::render::PageError;
use crate::site::{Document, Site};
use crate::theme::escape_html as xml_escape;
use chrono::{DateTime, FixedOffset};
use musharaka_model::Lang;

/// Path of the feed of `lang` in the site.
pub(crate) fn feed_path(lang: Lang) -> String {
    format!("{}/atom.xml", lang.code())
}

/// The Atom feed of `lang`.
pub(crate) fn atom(site: &Site, lang: Lang) -> String {
    let base = &site.config.base_url;
    let mut items: Vec<(DateTime<FixedOffset>, &Document)> = site
        .documents
        .values()
        .filter_map(|e| Some((e.data.shared()?.opens, e)))
        .collect();
    items.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.key.cmp(&b.1.key)));
    let updated = items.first().map_or_else(
        || "1970-01-01T00:00:00+00:00".to_string(),
        |(d, _)| d.to_rfc3339(),
    );
    let title = site.config.title.get(&lang).cloned().unwrap_or_default();
    let self_url = format!("{base}/{}", feed_path(lang));
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{code}\">\n  <title>{}</title>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{base}/{code}/\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
        xml_escape(&title),
        xml_escape(&self_url),
        xml_escape(&self_url),
        code = lang.code(),
    );
    for (opens, entry) in items {
        let src = entry.source_for(lang, &site.config.fallback);
        let url = format!("{base}{}", page_url(lang, &entry.section, &entry.name));
        let kind = site
            .theme
            .text(lang, &format!("kind.{}", entry.kind.as_str()));
        out.push_str(&format!(
            "  <entry xml:lang=\"{}\">\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <id>{}</id>\n    <updated>{}</updated>\n    <category term=\"{}\" label=\"{}\"/>\n",
            src.file.lang.code(),
            xml_escape(&src.parsed.meta.title),
            xml_escape(&url),
            xml_escape(&url),
            opens.to_rfc3339(),
            entry.kind.as_str(),
            xml_escape(&kind),
        ));
        if let Some(d) = &src.parsed.meta.description {
            out.push_str(&format!("    <summary>{}</summary>\n", xml_escape(d)));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// The feed of the page at `url` (a petition's or motion's), beside it.
pub(crate) fn entry_feed_url(url: &str) -> String {
    format!("{url}atom.xml")
}

impl Site {
    /// The Atom feed in `lang` of the initiative whose page is `url` (root-relative), shown
    /// from `src`: an entry per step of its history, and its answer once published.
    pub(crate) fn initiative_feed(
        &self,
        src: &Source,
        lang: Lang,
        url: &str,
    ) -> Result<String, PageError> {
        let base = &self.config.base_url;
        let page = format!("{base}{url}");
        let self_url = format!("{base}{}", entry_feed_url(url));
        let offset = self.config.offset().map_err(|e| (None, e.to_string()))?;
        let at = |day: chrono::NaiveDate| {
            day.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(offset).single())
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        };
        let m = &src.parsed.meta;
        let mut entries = Vec::new();
        for h in &m.history {
            let label = self.theme.text(lang, &format!("step.{}", h.step.as_str()));
            let content = h.note.as_deref().map(|note| self.inline_md(lang, note));
            let id = format!("{page}#history-{}-{}", h.date, h.step.as_str());
            entries.push((at(h.date), id, format!("{page}#history"), label, content));
        }
        if let Some(d) = &m.decision {
            let html = self.answer(src, lang, "decision", Some(d))?;
            let label = self.theme.text(lang, "initiative.decision");
            let content = html["html"].as_str().map(str::to_string);
            let id = format!("{page}#decision");
            entries.push((at(d.date), id.clone(), id, label, content));
        }
        entries.sort_by(|a, b| b.0.cmp(&a.0));
        let updated = entries.first().map_or_else(
            || m.opens.map(|o| o.to_rfc3339()).unwrap_or_default(),
            |e| e.0.clone(),
        );
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n",
            src.file.lang.code(),
            xml_escape(&m.title),
            xml_escape(&self_url),
            xml_escape(&page),
            xml_escape(&self_url),
            xml_escape(&self.config.title.get(&lang).cloned().unwrap_or_default()),
        );
        for (when, id, link, title, content) in entries {
            out.push_str(&format!(
                "  <entry>\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <id>{}</id>\n    <updated>{when}</updated>\n",
                xml_escape(&title),
                xml_escape(&link),
                xml_escape(&id),
            ));
            if let Some(html) = content {
                out.push_str(&format!(
                    "    <content type=\"html\">{}</content>\n",
                    xml_escape(&html)
                ));
            }
            out.push_str("  </entry>\n");
        }
        out.push_str("</feed>\n");
        Ok(out)
    }
}
