//! `sitemap.xml` with every page in every language and its `hreflang` alternates, and
//! `robots.txt` pointing to it.

use crate::links::page_url;
use crate::site::Site;
use crate::theme::escape_html as xml_escape;

/// The sitemap of the site.
pub(crate) fn sitemap(site: &Site) -> String {
    let base = &site.config.base_url;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for entry in site.documents.values() {
        for lang in site.config.langs() {
            if !entry.sources.contains_key(&lang) {
                continue;
            }
            let loc = format!("{base}{}", page_url(lang, &entry.section, &entry.name));
            out.push_str(&format!("  <url>\n    <loc>{}</loc>\n", xml_escape(&loc)));
            for alt in site
                .config
                .langs()
                .filter(|l| entry.sources.contains_key(l))
            {
                let href = format!("{base}{}", page_url(alt, &entry.section, &entry.name));
                out.push_str(&format!(
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                    alt.code(),
                    xml_escape(&href)
                ));
            }
            out.push_str("  </url>\n");
        }
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt`: everything may be crawled except the API.
pub(crate) fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nDisallow: /api/\nSitemap: {}/sitemap.xml\n",
        site.config.base_url
    )
}
