//! URLs of pages, and internal links: `@/section/page.md#anchor` resolves to the same page in
//! the language being rendered; links and anchors that lead nowhere are errors.

use crate::content::{self, INDEX};
use crate::diagnostics::Diagnostics;
use crate::markdown::{Heading, Link};
use crate::site::Site;
use musharaka_model::Lang;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Root-relative URL of page `name` of `section` in `lang` (`/fr/guide/signing/`).
pub(crate) fn page_url(lang: Lang, section: &str, name: &str) -> String {
    let mut url = format!("/{}/", lang.code());
    if !section.is_empty() {
        url.push_str(section);
        url.push('/');
    }
    if name != INDEX {
        url.push_str(name);
        url.push('/');
    }
    url
}

/// Output file of a page URL (`fr/guide/signing/index.html`).
pub(crate) fn url_to_file(url: &str) -> String {
    format!("{}index.html", url.trim_start_matches('/'))
}

/// Splits `@/guide/signing.md#s2` into the page key (`guide/signing`) and the anchor.
pub(crate) fn internal_target(dest: &str) -> Option<(String, Option<&str>)> {
    let rest = dest.strip_prefix("@/")?;
    let (path, anchor) = match rest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (rest, None),
    };
    let path = path.strip_suffix(".md")?;
    let (section, name) = path.rsplit_once('/').unwrap_or(("", path));
    Some((content::page_key(section, name), anchor))
}

/// The URL of an internal link in `lang`, if its page exists.
pub(crate) fn resolve(site: &Site, lang: Lang, dest: &str) -> Option<String> {
    let (key, anchor) = internal_target(dest)?;
    let entry = site.documents.get(&key)?;
    let mut url = page_url(lang, &entry.section, &entry.name);
    if let Some(a) = anchor {
        url.push('#');
        url.push_str(a);
    }
    Some(url)
}

/// What rendering found out about the pages, for checking links once everything is rendered.
#[derive(Default)]
pub(crate) struct LinkIndex {
    /// Anchor ids per page URL.
    pub anchors: HashMap<String, HashSet<String>>,
    /// Links to check: (file, link, URL of the page they are on).
    pub links: Vec<(std::path::PathBuf, Link, String)>,
    /// Other files of the site (static files, feeds), by root-relative URL.
    pub files: HashSet<String>,
}

impl LinkIndex {
    /// Records a rendered page.
    pub(crate) fn add_page(&mut self, url: &str, headings: &[Heading], extra_ids: &[String]) {
        let set = self.anchors.entry(url.to_string()).or_default();
        set.extend(headings.iter().map(|h| h.id.clone()));
        set.extend(extra_ids.iter().cloned());
    }

    /// Reports every link that leads to no page or no anchor.
    pub(crate) fn check(&self, site: &Site, diags: &mut Diagnostics) {
        for (file, link, on) in &self.links {
            let problem = self.problem(site, link, on);
            if let Some(p) = problem {
                diags.error(file, Some(link.line), p);
            }
        }
    }

    fn problem(&self, site: &Site, link: &Link, on: &str) -> Option<String> {
        let dest = link.dest.as_str();
        if dest.starts_with("@/") {
            let Some((key, anchor)) = internal_target(dest) else {
                return Some(format!(
                    "internal link `{dest}` must name a Markdown file, like `@/guide/signing.md`"
                ));
            };
            let Some(entry) = site.documents.get(&key) else {
                return Some(format!(
                    "link `{dest}` leads nowhere: there is no content/{key}.<lang>.md"
                ));
            };
            let lang: Lang = on.split('/').nth(1)?.parse().ok()?;
            let url = page_url(lang, &entry.section, &entry.name);
            return anchor.and_then(|a| self.anchor_problem(dest, &url, a));
        }
        if let Some(anchor) = dest.strip_prefix('#') {
            return self.anchor_problem(dest, on, anchor);
        }
        if dest.starts_with('/') && !dest.starts_with("//") {
            let (path, anchor) = match dest.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (dest, None),
            };
            if self.anchors.contains_key(path) {
                return anchor.and_then(|a| self.anchor_problem(dest, path, a));
            }
            if self.files.contains(path)
                || site
                    .root
                    .join("site-theme")
                    .join(Path::new(path.trim_start_matches('/')))
                    .is_file()
            {
                return None;
            }
            return Some(format!(
                "link `{dest}` leads to no page of the site; to link a page, write `@/section/page.md`"
            ));
        }
        None
    }

    fn anchor_problem(&self, dest: &str, url: &str, anchor: &str) -> Option<String> {
        let ok = self.anchors.get(url).is_some_and(|a| a.contains(anchor));
        (!ok).then(|| format!("link `{dest}`: no heading with anchor `#{anchor}` on {url}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_urls_per_language() {
        assert_eq!(page_url(Lang::Ar, "", INDEX), "/ar/");
        assert_eq!(page_url(Lang::Fr, "guide", INDEX), "/fr/guide/");
        assert_eq!(
            page_url(Lang::Zgh, "guide", "signing"),
            "/zgh/guide/signing/"
        );
        assert_eq!(
            url_to_file("/zgh/guide/signing/"),
            "zgh/guide/signing/index.html"
        );
    }

    #[test]
    fn reads_internal_links() {
        assert_eq!(
            internal_target("@/guide/signing.md#s2"),
            Some(("guide/signing".to_string(), Some("s2")))
        );
        assert_eq!(
            internal_target("@/about.md"),
            Some(("about".to_string(), None))
        );
        assert_eq!(
            internal_target("@/guide/_index.md"),
            Some(("guide/_index".to_string(), None))
        );
        assert_eq!(internal_target("@/about"), None);
    }
}
