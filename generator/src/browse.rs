//! Petitions and motions by state, by authority and by region: `/<lang>/browse/` names every
//! group with how many initiatives it holds, and each group has its page of cards (count,
//! progress, days left) at `/<lang>/browse/<by>/<value>/`, and a map of the petitions open in
//! each region leads to their lists. The pages without JavaScript that lead to an initiative,
//! beside its section and the search.

use crate::data::Data;
use crate::render::LangContext;
use crate::site::{Document, Site};
use musharaka_model::state::InitiativeState;
use musharaka_model::target::Authority;
use musharaka_model::{Lang, number, region};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The group of initiatives addressed to a national authority, in the list by region.
const NATIONAL: &str = "national";

/// The URL of the browse page in `lang`, or of one group (`by`, `value`).
pub(crate) fn browse_url(lang: Lang, group: Option<(&str, &str)>) -> String {
    match group {
        Some((by, value)) => format!("/{}/browse/{by}/{value}/", lang.code()),
        None => format!("/{}/browse/", lang.code()),
    }
}

/// One group: its key in the URL, its name, and its initiatives.
struct Group<'a> {
    value: String,
    label: String,
    items: Vec<&'a Document>,
}

impl Site {
    /// The browse page and the page of each group that holds initiatives, in the language
    /// of `lc`: (URL, the page or why it could not be rendered).
    pub(crate) fn render_browse(&self, lc: &LangContext) -> Vec<(String, Result<String, String>)> {
        let lang = lc.lang();
        let t = |key: &str| self.theme.text(lang, key);
        let mut initiatives: Vec<&Document> = (self.documents.values())
            .filter(|d| matches!(d.data, Data::Initiative(_)))
            .collect();
        // Those collecting first, then the latest to close.
        initiatives.sort_by_key(|d| {
            let shared = d.data.shared().expect("an initiative has dates");
            (!shared.live, std::cmp::Reverse(shared.closes))
        });
        let dimensions = [
            (
                "state",
                t("browse.by_state"),
                self.by_state(&initiatives, lang),
            ),
            (
                "authority",
                t("browse.by_authority"),
                self.by_authority(&initiatives, lang),
            ),
            (
                "region",
                t("browse.by_region"),
                self.by_region(&initiatives, lang),
            ),
        ];
        let mut pages = Vec::new();
        let mut index = Vec::new();
        for (by, title, groups) in &dimensions {
            let mut listed = Vec::new();
            // Every group has its page, empty or not, so that the set of pages stays the same
            // when an initiative changes state (a partial rebuild writes no fewer pages).
            for g in groups {
                let url = browse_url(lang, Some((by, &g.value)));
                listed.push(json!({
                    "label": g.label,
                    "url": url,
                    "count": self.theme.plural(lang, "browse.count", g.items.len() as u64),
                    "empty": g.items.is_empty(),
                }));
                let items: Vec<Value> = g.items.iter().map(|d| self.summary(d, lang)).collect();
                let group = (*by, g.value.as_str());
                let page = self.render_browse_page(lc, group, &g.label, title, &items);
                pages.push((url, page));
            }
            index.push(json!({"title": title, "groups": listed}));
        }
        let mut ctx = self.tool_context(lc, |l| browse_url(l, None), t("browse.title"));
        ctx.insert("dimensions", &index);
        ctx.insert("open_map", &self.open_by_region(&initiatives, lang));
        pages.push((
            browse_url(lang, None),
            self.render_tool("browse.html", &ctx),
        ));
        pages
    }

    /// The page of one group (`by`, `value`), named `label` in the list `dimension`.
    fn render_browse_page(
        &self,
        lc: &LangContext,
        (by, value): (&str, &str),
        label: &str,
        dimension: &str,
        items: &[Value],
    ) -> Result<String, String> {
        let url_of = |l| browse_url(l, Some((by, value)));
        let mut ctx = self.tool_context(lc, url_of, label.to_string());
        ctx.insert("dimension", dimension);
        ctx.insert("items", items);
        ctx.insert("browse_url", &browse_url(lc.lang(), None));
        self.render_tool("browse.html", &ctx)
    }

    fn by_state<'a>(&self, all: &[&'a Document], lang: Lang) -> Vec<Group<'a>> {
        InitiativeState::ALL
            .iter()
            .map(|s| Group {
                value: s.as_str().to_string(),
                label: self.theme.text(lang, &format!("state.{}", s.as_str())),
                items: filter(all, |i| i.dated.state == *s),
            })
            .collect()
    }

    fn by_authority<'a>(&self, all: &[&'a Document], lang: Lang) -> Vec<Group<'a>> {
        Authority::ALL
            .iter()
            .map(|a| Group {
                value: a.as_str().to_string(),
                label: self.theme.text(lang, &format!("authority.{}", a.as_str())),
                items: filter(all, |i| i.target.authority == *a),
            })
            .collect()
    }

    fn by_region<'a>(&self, all: &[&'a Document], lang: Lang) -> Vec<Group<'a>> {
        let national = Group {
            value: NATIONAL.to_string(),
            label: self.theme.text(lang, "browse.national"),
            items: filter(all, |i| i.target.region.is_none()),
        };
        let regions = region::all().iter().map(|r| Group {
            value: r.code.to_lowercase(),
            label: musharaka_model::lang::pick(&r.name, lang, &self.config.fallback)
                .cloned()
                .unwrap_or_else(|| r.code.clone()),
            items: filter(all, |i| i.target.region.as_deref() == Some(r.code.as_str())),
        });
        std::iter::once(national).chain(regions).collect()
    }
}

impl Site {
    /// The map of the initiatives open to signatures in each region (a local council's, by
    /// its region), each region leading to its list, with the same figures as a table.
    fn open_by_region(&self, all: &[&Document], lang: Lang) -> Value {
        let label = self.theme.text(lang, "map.open_by_region");
        let mut figures = BTreeMap::new();
        let mut rows = Vec::new();
        for r in region::all() {
            let open = (filter(all, |i| i.target.region.as_deref() == Some(r.code.as_str())))
                .iter()
                .filter(|d| d.data.shared().is_some_and(|s| s.live))
                .count() as u64;
            let name = musharaka_model::lang::pick(&r.name, lang, &self.config.fallback)
                .cloned()
                .unwrap_or_else(|| r.code.clone());
            let url = browse_url(lang, Some(("region", &r.code.to_lowercase())));
            let count = self.theme.plural(lang, "browse.count", open);
            figures.insert(
                r.code.clone(),
                crate::map::Figure {
                    value: open,
                    text: number::format(lang, open),
                    title: format!("{name}: {count}"),
                    href: Some(url.clone()),
                },
            );
            rows.push(json!({"name": name, "url": url, "n": number::format(lang, open)}));
        }
        json!({
            "title": label,
            "svg": crate::map::svg(None, &figures, &label),
            "rows": rows,
        })
    }
}

/// The initiatives of `all` that `keep` keeps, in order.
fn filter<'a>(
    all: &[&'a Document],
    keep: impl Fn(&crate::data::InitiativeData) -> bool,
) -> Vec<&'a Document> {
    all.iter()
        .copied()
        .filter(|d| matches!(&d.data, Data::Initiative(i) if keep(i)))
        .collect()
}
