//! An Atom feed per language of petitions, motions and consultations, newest first.

use crate::links::page_url;
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
