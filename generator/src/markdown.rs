//! Markdown to HTML with pulldown-cmark: every heading gets a stable anchor id (an explicit
//! `{#id}`, else its position such as `s2-1`, the same in every translation), and the links
//! are collected for checking.

use crate::diagnostics::line_of_offset;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// A heading of the text, for tables of contents and comment targets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Anchor id.
    pub id: String,
    /// Plain text.
    pub text: String,
}

/// A link found in the text, with its line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// The destination as written.
    pub dest: String,
    /// 1-based line in the file.
    pub line: usize,
}

/// The rendered text and what was found in it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    /// HTML.
    pub html: String,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Links in order.
    pub links: Vec<Link>,
    /// The plain text (words of every block, a space between blocks), for the search index.
    pub text: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Positional ids: `s` then the counters of each level from the top (`s2`, `s2-1`).
#[derive(Default)]
struct Numbering {
    counters: [u32; 6],
}

impl Numbering {
    fn next(&mut self, level: usize) -> String {
        self.counters[level - 1] += 1;
        for c in &mut self.counters[level..] {
            *c = 0;
        }
        let parts: Vec<String> = self.counters[..level]
            .iter()
            .skip_while(|&&c| c == 0)
            .map(ToString::to_string)
            .collect();
        format!("s{}", parts.join("-"))
    }
}

/// Renders `md`, whose first line is line `first_line` of its file. `resolve` turns an
/// internal link (`@/section/page.md#anchor`) into a URL, or `None` if it does not resolve.
pub(crate) fn render(
    md: &str,
    first_line: usize,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Rendered {
    render_with(md, first_line, resolve, &|_| None)
}

/// Like [`render`], and inserts the HTML that `after_heading` returns for each heading at the
/// end of that heading's own text, before the next heading (the comment form of a consultation's
/// article comes after the article).
pub(crate) fn render_with(
    md: &str,
    first_line: usize,
    resolve: &dyn Fn(&str) -> Option<String>,
    after_heading: &dyn Fn(&Heading) -> Option<String>,
) -> Rendered {
    let mut out = Rendered::default();
    let mut numbering = Numbering::default();
    let mut events: Vec<Event> = Vec::new();
    // The start event of the heading being read, and the events inside it.
    let mut heading: Option<(Event, Vec<Event>)> = None;
    // What goes at the end of the current heading's text.
    let mut pending: Option<String> = None;
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.links.push(Link {
                    dest: dest_url.to_string(),
                    line: first_line + line_of_offset(md, range.start) - 1,
                });
                let dest_url = match dest_url.strip_prefix("@/").and_then(|_| resolve(&dest_url)) {
                    Some(url) => CowStr::from(url),
                    None => dest_url,
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            e => e,
        };
        collect_text(&event, &mut out.text);
        match (event, &mut heading) {
            (start @ Event::Start(Tag::Heading { .. }), None) => {
                if let Some(html) = pending.take() {
                    events.push(Event::Html(html.into()));
                }
                heading = Some((start, Vec::new()))
            }
            (Event::End(TagEnd::Heading(_)), Some(_)) => {
                let Some((start, inner)) = heading.take() else {
                    continue;
                };
                let h = close_heading(start, inner, &mut numbering, &mut events);
                pending = h.as_ref().and_then(after_heading);
                out.headings.extend(h);
            }
            (e, Some((_, inner))) => inner.push(e),
            (e, None) => push_wrapped(e, &mut events),
        }
    }
    if let Some(html) = pending {
        events.push(Event::Html(html.into()));
    }
    html::push_html(&mut out.html, events.into_iter());
    out
}

/// Adds the words of `event` to `text`; the end of a block or a line adds a space.
fn collect_text(event: &Event, text: &mut String) {
    match event {
        Event::Text(t) | Event::Code(t) => text.push_str(t),
        Event::SoftBreak | Event::HardBreak => text.push(' '),
        Event::End(end) if !is_inline(end) => text.push(' '),
        _ => {}
    }
}

/// Whether `end` closes an inline element (which does not separate words).
fn is_inline(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Writes a heading read in full (its start event and the events inside) with its id: the one
/// given (`{#id}`), else its position (`s2-1`).
fn close_heading<'a>(
    start: Event<'a>,
    inner: Vec<Event<'a>>,
    numbering: &mut Numbering,
    events: &mut Vec<Event<'a>>,
) -> Option<Heading> {
    let Event::Start(Tag::Heading {
        level,
        id,
        classes,
        attrs,
    }) = start
    else {
        return None;
    };
    let text: String = inner
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    let positional = numbering.next(level as usize);
    let id = id.map_or(positional, |i| i.to_string());
    events.push(Event::Start(Tag::Heading {
        level,
        id: Some(id.clone().into()),
        classes,
        attrs,
    }));
    events.extend(inner);
    events.push(Event::End(TagEnd::Heading(level)));
    Some(Heading {
        level: level as u8,
        id,
        text: text.trim().to_string(),
    })
}

/// Pushes an event outside headings; wide tables scroll within a focusable box instead of
/// widening a phone's page.
fn push_wrapped<'a>(e: Event<'a>, events: &mut Vec<Event<'a>>) {
    match e {
        Event::Start(Tag::Table(_)) => {
            events.push(Event::Html(
                "<div class=\"table-scroll\" tabindex=\"0\">".into(),
            ));
            events.push(e);
        }
        Event::End(TagEnd::Table) => {
            events.push(e);
            events.push(Event::Html("</div>".into()));
        }
        e => events.push(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn numbers_headings_by_position_unless_an_id_is_given() {
        let r = render(
            "## Chapitre\n\n### Article 1\n\n### Article 2 {#art-2}\n\n## Suite\n",
            1,
            &none,
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["s1", "s1-1", "art-2", "s2"]);
        assert!(
            r.html.contains(r#"<h3 id="art-2">Article 2</h3>"#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<h2 id="s2">Suite</h2>"#));
    }

    #[test]
    fn the_same_structure_gets_the_same_ids_in_every_language() {
        let fr = render("## Dispositions\n### Article premier\n", 1, &none);
        let ar = render("## أحكام\n### المادة الأولى\n", 1, &none);
        let ids = |r: &Rendered| r.headings.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&fr), ids(&ar));
        assert_eq!(ar.headings[1].text, "المادة الأولى");
    }

    #[test]
    fn resolves_internal_links_and_records_lines() {
        let r = render(
            "Intro\n\nSee [signing](@/guide/signing.md#s2).\n",
            10,
            &|d| (d == "@/guide/signing.md#s2").then(|| "/fr/guide/signing/#s2".to_string()),
        );
        assert!(
            r.html.contains(r#"href="/fr/guide/signing/#s2""#),
            "{}",
            r.html
        );
        assert_eq!(r.links[0].line, 12);
    }

    #[test]
    fn keeps_the_plain_text_with_blocks_apart() {
        let r = render(
            "## Titre\n\nUn *mot*ici.\n\n- liste\n- `code`\n\n| a | b |\n|---|---|\n| c | d |\n",
            1,
            &none,
        );
        let words: Vec<&str> = r.text.split_whitespace().collect();
        assert_eq!(
            words,
            [
                "Titre", "Un", "motici.", "liste", "code", "a", "b", "c", "d"
            ]
        );
    }

    #[test]
    fn renders_tables() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n", 1, &none);
        assert!(r.html.contains("<table>"));
    }
}
