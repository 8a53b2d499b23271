//! Renders one page in one language through its tera template: builds the context (language,
//! switcher, navigation, the page and what its kind adds) and returns the HTML.

use crate::content::{INDEX, Source};
use crate::data::{Data, InitiativeData};
use crate::front_matter::{AnswerMeta, Kind};
use crate::links::{self, page_url};
use crate::markdown::{self, Heading, Link};
use crate::site::{Document, Site};
use crate::theme::error_chain;
use crate::{participation, shortcodes};
use chrono::{DateTime, FixedOffset, NaiveDate};
use musharaka_model::lang::pick;
use musharaka_model::state::InitiativeKind;
use musharaka_model::{Lang, date, region};
use serde_json::{Value, json};

/// Why a page could not be rendered: the line in its source file where known, and the message.
pub(crate) type PageError = (Option<usize>, String);

/// A rendered page.
pub(crate) struct RenderedPage {
    /// Root-relative URL.
    pub url: String,
    /// The HTML document.
    pub html: String,
    /// Headings of its Markdown text.
    pub headings: Vec<Heading>,
    /// Links of its Markdown text (from its own translation only; fallback copies are not
    /// checked twice).
    pub links: Vec<Link>,
    /// Ids the template adds to the page besides headings.
    pub extra_ids: Vec<String>,
    /// The plain text of its Markdown, for the search index.
    pub text: String,
    /// A petition's or motion's own Atom feed, written beside the page.
    pub feed: Option<String>,
}

/// Values the same for every page of one language, built once.
pub(crate) struct LangContext {
    lang: Lang,
    pub(crate) base: tera::Context,
}

impl LangContext {
    /// The language.
    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }
}

impl Site {
    /// Builds the shared context of `lang`.
    pub(crate) fn lang_context(&self, lang: Lang) -> LangContext {
        let cfg = self.config.language(lang);
        let mut base = tera::Context::new();
        base.insert(
            "lang",
            &json!({"code": lang.code(), "dir": cfg.dir.as_str(), "name": cfg.name}),
        );
        base.insert(
            "site",
            &json!({
                "title": self.config.title.get(&lang),
                "description": self.config.description.get(&lang),
                "base_url": self.config.base_url,
            }),
        );
        base.insert("s", &self.theme.strings_json[&lang]);
        base.insert("nav", &self.nav(lang, false));
        base.insert("footer_links", &self.nav(lang, true));
        base.insert("home_url", &page_url(lang, "", INDEX));
        LangContext { lang, base }
    }

    /// Top-level sections (`footer = false`) or top-level pages (`footer = true`).
    fn nav(&self, lang: Lang, footer: bool) -> Vec<Value> {
        let mut items: Vec<&Document> = self
            .documents
            .values()
            .filter(|e| {
                if footer {
                    e.section.is_empty() && !e.is_index()
                } else {
                    e.is_index() && !e.section.is_empty() && !e.section.contains('/')
                }
            })
            .collect();
        items.sort_by_key(|e| (e.weight(), e.key.clone()));
        items
            .into_iter()
            .map(|e| {
                let src = e.source_for(lang, &self.config.fallback);
                json!({
                    "title": src.parsed.meta.title,
                    "url": page_url(lang, &e.section, &e.name),
                    "lang": src.file.lang.code(),
                })
            })
            .collect()
    }

    fn show_instant(&self, lang: Lang, at: &DateTime<FixedOffset>) -> Value {
        self.show_time(lang, at, date::format_instant)
    }

    /// When something opens: the day alone at midnight.
    fn show_start(&self, lang: Lang, at: &DateTime<FixedOffset>) -> Value {
        self.show_time(lang, at, date::format_start)
    }

    fn show_time(
        &self,
        lang: Lang,
        at: &DateTime<FixedOffset>,
        format: fn(Lang, &DateTime<FixedOffset>) -> String,
    ) -> Value {
        let offset = self.config.offset().unwrap_or_else(|_| *at.offset());
        json!({
            "text": format(lang, &at.with_timezone(&offset)),
            "iso": at.to_rfc3339(),
        })
    }

    fn show_day(lang: Lang, day: NaiveDate) -> Value {
        json!({"text": date::format_day(lang, day), "iso": day.to_string()})
    }

    pub(crate) fn inline_md(&self, lang: Lang, text: &str) -> String {
        let r = markdown::render(text, 1, &|d| links::resolve(self, lang, d));
        let html = r.html.trim();
        html.strip_prefix("<p>")
            .and_then(|h| h.strip_suffix("</p>"))
            .unwrap_or(html)
            .to_string()
    }

    /// An authority's decision or a consultation's report; a shortcode error is reported on the line of `key`.
    pub(crate) fn answer(
        &self,
        src: &Source,
        lang: Lang,
        key: &str,
        o: Option<&AnswerMeta>,
    ) -> Result<Value, PageError> {
        let Some(o) = o else {
            return Ok(Value::Null);
        };
        let text = shortcodes::expand(&o.text, 1, src.file.lang, &self.theme).map_err(|e| {
            (
                Some(src.parsed.line_of(key)),
                format!("`{key}`: {}", e.message),
            )
        })?;
        let r = markdown::render(&text, 1, &|d| links::resolve(self, lang, d));
        Ok(json!({"date": Self::show_day(lang, o.date), "html": r.html}))
    }

    /// The list entry of a page (section lists, home page, feeds).
    pub(crate) fn summary(&self, entry: &Document, lang: Lang) -> Value {
        let src = entry.source_for(lang, &self.config.fallback);
        let m = &src.parsed.meta;
        let mut v = json!({
            "key": entry.key,
            "title": m.title,
            "description": m.description,
            "url": page_url(lang, &entry.section, &entry.name),
            "lang": src.file.lang.code(),
            "dir": src.file.lang.dir().as_str(),
            "kind": entry.kind.as_str(),
            "example": m.example,
            "date": m.date.map(|d| Self::show_day(lang, d)),
        });
        let Some(d) = entry.data.shared() else {
            return v;
        };
        v["state"] = json!(d.state);
        v["state_label"] = json!(self.theme.text(lang, &format!("state.{}", d.state)));
        v["opens"] = self.show_start(lang, &d.opens);
        v["closes"] = self.show_instant(lang, &d.closes);
        if let Data::Initiative(i) = &entry.data {
            v["id"] = json!(i.dated.id);
            v["threshold"] = json!(i.threshold.signatures);
            v["threshold_text"] = json!(self.theme.plural(
                lang,
                "count.signatures",
                i.threshold.signatures
            ));
            v["count"] = participation::count(self, lang, i);
            v["days_left"] = json!(participation::days_left(self, lang, i));
            v["target_label"] = json!(self.target_label(entry, lang));
        }
        v
    }

    /// "Commune council of Tahannaout (Marrakech-Safi)" and the like.
    fn target_label(&self, entry: &Document, lang: Lang) -> String {
        let Data::Initiative(i) = &entry.data else {
            return String::new();
        };
        let t = &i.target;
        let mut label = self
            .theme
            .text(lang, &format!("authority.{}", t.authority.as_str()));
        if let Some(name) = pick(&t.name, lang, &self.config.fallback) {
            label = format!("{label} {name}");
        }
        if let Some(r) = t.region.as_deref().and_then(region::by_code) {
            let name = pick(&r.name, lang, &self.config.fallback);
            if t.authority == musharaka_model::target::Authority::Region {
                label = format!("{label} {}", name.map_or("", |s| s.as_str()));
            } else {
                label = format!("{label} ({})", name.map_or("", |s| s.as_str()));
            }
        }
        label
    }

    pub(crate) fn languages(&self, entry: Option<&Document>, lang: Lang) -> Vec<Value> {
        self.config
            .languages
            .iter()
            .map(|l| {
                let url = entry.map_or_else(
                    || page_url(l.code, "", INDEX),
                    |e| page_url(l.code, &e.section, &e.name),
                );
                json!({
                    "code": l.code.code(),
                    "name": l.name,
                    "dir": l.dir.as_str(),
                    "url": url,
                    "permalink": format!("{}{}", self.config.base_url, url),
                    "current": l.code == lang,
                    "missing": entry.is_some_and(|e| !e.sources.contains_key(&l.code)),
                })
            })
            .collect()
    }

    /// Renders `doc` in `lang`; an error comes with its line in the source file, if known.
    pub(crate) fn render_page(
        &self,
        lc: &LangContext,
        doc: &Document,
    ) -> Result<RenderedPage, PageError> {
        let lang = lc.lang;
        let src: &Source = doc.source_for(lang, &self.config.fallback);
        let url = page_url(lang, &doc.section, &doc.name);
        let comment_form = match &doc.data {
            Data::Consultation(c) => Some(participation::comment_form(self, lang, c)),
            _ => None,
        };
        let body = self.render_body(lc, doc, src, comment_form.as_ref())?;
        let fallback = src.file.lang != lang;
        let mut ctx = lc.base.clone();
        ctx.insert("languages", &self.languages(Some(doc), lang));
        let top = doc.section.split('/').next().unwrap_or_default();
        ctx.insert("current_section_url", &page_url(lang, top, INDEX));
        ctx.insert(
            "page",
            &self.page_json(doc, src, lang, &url, &body.html, &body.headings),
        );
        let mut extra_ids = Vec::new();
        let template = self.kind_context(&mut ctx, doc, src, lang, comment_form, &mut extra_ids)?;
        let html = self
            .theme
            .tera
            .render(template, &ctx)
            .map_err(|e| (None, format!("template {template}: {}", error_chain(&e))))?;
        let feed = match &doc.data {
            Data::Initiative(_) => Some(self.initiative_feed(src, lang, &url)?),
            _ => None,
        };
        Ok(RenderedPage {
            url,
            html,
            headings: body.headings,
            links: if fallback { Vec::new() } else { body.links },
            extra_ids,
            text: body.text,
            feed,
        })
    }

    /// The Markdown text of a page, with a consultation's comment form under each section.
    fn render_body(
        &self,
        lc: &LangContext,
        doc: &Document,
        src: &Source,
        comment_form: Option<&Value>,
    ) -> Result<markdown::Rendered, PageError> {
        let lang = lc.lang;
        let text = shortcodes::expand(
            &src.parsed.body,
            src.parsed.body_line,
            src.file.lang,
            &self.theme,
        )
        .map_err(|e| (Some(e.line), e.message))?;
        let partial_error = std::cell::RefCell::new(None);
        let consultation_id = doc.data.shared().map(|d| d.id);
        let section_form = |h: &Heading| -> Option<String> {
            let form = comment_form?;
            let comments =
                participation::published_comments(self, lang, consultation_id?, Some(&h.id));
            if h.level > 3 || (form["open"] != true && comments.is_empty()) {
                return None;
            }
            let mut ctx = lc.base.clone();
            ctx.insert("form", form);
            ctx.insert("heading", h);
            ctx.insert("comments", &comments);
            let rendered = self
                .theme
                .tera
                .render("partials/section-comment.html", &ctx);
            rendered
                .map_err(|e| partial_error.replace(Some(error_chain(&e))))
                .ok()
        };
        let body = markdown::render_with(
            &text,
            src.parsed.body_line,
            &|d| links::resolve(self, lang, d),
            &section_form,
        );
        match partial_error.take() {
            Some(e) => Err((None, format!("template partials/section-comment.html: {e}"))),
            None => Ok(body),
        }
    }

    /// What every page's template gets as `page`.
    fn page_json(
        &self,
        doc: &Document,
        src: &Source,
        lang: Lang,
        url: &str,
        html: &str,
        toc: &[Heading],
    ) -> Value {
        let m = &src.parsed.meta;
        json!({
            "key": doc.key,
            "title": m.title,
            "description": m.description,
            "html": html,
            "toc": toc,
            "url": url,
            "permalink": format!("{}{}", self.config.base_url, url),
            "lang": src.file.lang.code(),
            "dir": src.file.lang.dir().as_str(),
            "lang_name": self.config.language(src.file.lang).name,
            "fallback": src.file.lang != lang,
            "kind": doc.kind.as_str(),
            "example": m.example,
            "date": m.date.map(|d| Self::show_day(lang, d)),
            "section_url": page_url(lang, &doc.section, INDEX),
        })
    }

    /// Adds to `ctx` what the kind of `doc` shows, and returns its template.
    fn kind_context(
        &self,
        ctx: &mut tera::Context,
        doc: &Document,
        src: &Source,
        lang: Lang,
        comment_form: Option<Value>,
        extra_ids: &mut Vec<String>,
    ) -> Result<&'static str, PageError> {
        Ok(match (&doc.data, doc.kind) {
            _ if doc.is_home() => {
                let open = (self.documents.values())
                    .filter(|e| e.data.shared().is_some_and(|d| d.live))
                    .map(|e| self.summary(e, lang))
                    .collect::<Vec<_>>();
                ctx.insert("open_items", &open);
                "home.html"
            }
            (_, Kind::Section) => {
                let pages: Vec<Value> = (self.pages_of(&doc.section).into_iter())
                    .map(|e| self.summary(e, lang))
                    .collect();
                ctx.insert("pages", &pages);
                "section.html"
            }
            (Data::Initiative(i), _) => {
                ctx.insert("form", &participation::sign_form(self, doc, lang, i));
                ctx.insert("initiative", &self.initiative_json(doc, src, lang, i)?);
                extra_ids.extend(["decision", "history", "sign"].map(String::from));
                match i.kind {
                    InitiativeKind::Motion => "motion.html",
                    InitiativeKind::Petition => "petition.html",
                }
            }
            (Data::Consultation(c), _) => {
                let mut v = self.summary(doc, lang);
                v["id"] = json!(c.id);
                v["authority"] = json!(src.parsed.meta.authority);
                v["report"] = self.answer(src, lang, "report", src.parsed.meta.report.as_ref())?;
                ctx.insert("consultation", &v);
                ctx.insert("form", &comment_form);
                let whole = participation::published_comments(self, lang, &c.id, None);
                ctx.insert("whole_comments", &whole);
                extra_ids.extend(["report", "comment"].map(String::from));
                "consultation.html"
            }
            (Data::Plain, _) if self.in_guide(doc) => {
                ctx.insert("guide", &self.guide(doc, lang));
                "guide.html"
            }
            _ => "page.html",
        })
    }

    /// What a petition's or motion's template gets as `initiative`.
    fn initiative_json(
        &self,
        doc: &Document,
        src: &Source,
        lang: Lang,
        i: &InitiativeData,
    ) -> Result<Value, PageError> {
        let m = &src.parsed.meta;
        let history: Vec<Value> = (m.history.iter())
            .map(|h| {
                json!({
                    "date": Self::show_day(lang, h.date),
                    "step": h.step.as_str(),
                    "label": self.theme.text(lang, &format!("step.{}", h.step.as_str())),
                    "note": h.note.as_deref().map(|n| self.inline_md(lang, n)),
                })
            })
            .collect();
        let fallback = &self.config.fallback;
        let mut v = self.summary(doc, lang);
        v["authority"] = json!(i.target.authority.as_str());
        v["region"] = json!(i.target.region);
        v["map"] = participation::map(self, lang, i);
        v["reference"] = json!(pick(&i.threshold.reference, lang, fallback));
        v["history"] = json!(history);
        v["decision"] = self.answer(src, lang, "decision", m.decision.as_ref())?;
        Ok(v)
    }

    /// Whether `doc` is a guide's index or one of its chapters.
    fn in_guide(&self, doc: &Document) -> bool {
        doc.kind == Kind::Guide || self.is_guide_section(&doc.section)
    }

    fn is_guide_section(&self, section: &str) -> bool {
        self.documents
            .get(&crate::content::page_key(section, INDEX))
            .is_some_and(|e| e.kind == Kind::Guide)
    }

    /// The guide a page belongs to: its chapters, and the previous and next ones.
    fn guide(&self, entry: &Document, lang: Lang) -> Value {
        let index_key = crate::content::page_key(&entry.section, INDEX);
        let index = &self.documents[&index_key];
        let chapters: Vec<&Document> = self.pages_of(&entry.section);
        let pos = chapters.iter().position(|c| c.key == entry.key);
        let item = |e: &Document| {
            let src = e.source_for(lang, &self.config.fallback);
            json!({
                "title": src.parsed.meta.title,
                "url": page_url(lang, &e.section, &e.name),
                "lang": src.file.lang.code(),
                "current": e.key == entry.key,
            })
        };
        let prev = match pos {
            Some(0) => Some(item(index)),
            Some(p) => Some(item(chapters[p - 1])),
            None => None,
        };
        let next = match pos {
            Some(p) => chapters.get(p + 1).map(|e| item(e)),
            None => chapters.first().map(|e| item(e)),
        };
        json!({
            "title": index.source_for(lang, &self.config.fallback).parsed.meta.title,
            "url": page_url(lang, &index.section, INDEX),
            "chapters": chapters.iter().map(|e| item(e)).collect::<Vec<_>>(),
            "prev": prev,
            "next": next,
            "is_index": entry.is_index(),
        })
    }
}
