//! Renders one page in one language through its tera template: builds the context (language,
//! switcher, navigation, the page and what its kind adds) and returns the HTML.

use crate::content::INDEX;
use crate::front_matter::{Kind, OutcomeMeta};
use crate::links::{self, page_url};
use crate::markdown::{self, Heading, Link};
use crate::site::{Data, Entry, Site, Source};
use crate::theme::error_chain;
use crate::{forms, shortcodes};
use chrono::{DateTime, FixedOffset, NaiveDate};
use musharaka_model::{Lang, date, region};
use serde_json::{Value, json};

/// Why a page could not be rendered: the line in its source file where known, and the message.
pub type PageError = (Option<usize>, String);

/// A rendered page.
pub struct RenderedPage {
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
}

/// Values the same for every page of one language, built once.
pub struct LangContext {
    lang: Lang,
    base: tera::Context,
}

impl Site {
    /// Builds the shared context of `lang`.
    pub fn lang_context(&self, lang: Lang) -> LangContext {
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
        let mut items: Vec<&Entry> = self
            .entries
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
        let offset = self.config.offset().unwrap_or_else(|_| *at.offset());
        json!({
            "text": date::format_instant(lang, &at.with_timezone(&offset)),
            "iso": at.to_rfc3339(),
        })
    }

    fn show_day(lang: Lang, day: NaiveDate) -> Value {
        json!({"text": date::format_day(lang, day), "iso": day.to_string()})
    }

    fn inline_md(&self, lang: Lang, text: &str) -> String {
        let r = markdown::render(text, 1, &|d| links::resolve(self, lang, d));
        let html = r.html.trim();
        html.strip_prefix("<p>")
            .and_then(|h| h.strip_suffix("</p>"))
            .unwrap_or(html)
            .to_string()
    }

    /// A decision or report; a shortcode error is reported on the line of `key`.
    fn outcome(
        &self,
        src: &Source,
        lang: Lang,
        key: &str,
        o: Option<&OutcomeMeta>,
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
    pub fn summary(&self, entry: &Entry, lang: Lang) -> Value {
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
        let (state, opens, closes) = match &entry.data {
            Data::Initiative(i) => (i.state.as_str(), i.opens, i.closes),
            Data::Consultation(c) => (c.state.as_str(), c.opens, c.closes),
            Data::Plain => return v,
        };
        v["state"] = json!(state);
        v["state_label"] = json!(self.theme.text(lang, &format!("state.{state}")));
        v["opens"] = self.show_instant(lang, &opens);
        v["closes"] = self.show_instant(lang, &closes);
        if let Data::Initiative(i) = &entry.data {
            v["threshold"] = json!(i.threshold.signatures);
            v["count"] = forms::count(self, lang, i);
            v["target_label"] = json!(self.target_label(entry, lang));
        }
        v
    }

    /// "Commune council of Tahannaout (Marrakech-Safi)" and the like.
    fn target_label(&self, entry: &Entry, lang: Lang) -> String {
        let Data::Initiative(i) = &entry.data else {
            return String::new();
        };
        let t = &i.target;
        let mut label = self
            .theme
            .text(lang, &format!("authority.{}", t.authority.as_str()));
        if let Some(name) = musharaka_model::lang::pick(&t.name, lang, &self.config.fallback) {
            label = format!("{label} {name}");
        }
        if let Some(r) = t.region.as_deref().and_then(region::by_code) {
            let name = musharaka_model::lang::pick(&r.name, lang, &self.config.fallback);
            if t.authority == musharaka_model::target::Authority::Region {
                label = format!("{label} {}", name.map_or("", |s| s.as_str()));
            } else {
                label = format!("{label} ({})", name.map_or("", |s| s.as_str()));
            }
        }
        label
    }

    fn languages(&self, entry: Option<&Entry>, lang: Lang) -> Vec<Value> {
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

    /// Renders `entry` in `lang`; an error comes with its line in the source file, if known.
    pub fn render_page(&self, lc: &LangContext, entry: &Entry) -> Result<RenderedPage, PageError> {
        let lang = lc.lang;
        let src: &Source = entry.source_for(lang, &self.config.fallback);
        let m = &src.parsed.meta;
        let url = page_url(lang, &entry.section, &entry.name);
        let text = shortcodes::expand(
            &src.parsed.body,
            src.parsed.body_line,
            src.file.lang,
            &self.theme,
        )
        .map_err(|e| (Some(e.line), e.message))?;
        let comment_form = match &entry.data {
            Data::Consultation(c) => Some(forms::comment_form(self, lang, c)),
            _ => None,
        };
        let partial_error = std::cell::RefCell::new(None);
        let consultation_id = match &entry.data {
            Data::Consultation(c) => Some(c.id.as_str()),
            _ => None,
        };
        let section_form = |h: &Heading| -> Option<String> {
            let form = comment_form.as_ref()?;
            let comments = forms::published_comments(self, lang, consultation_id?, Some(&h.id));
            if h.level > 3 || (form["open"] != true && comments.is_empty()) {
                return None;
            }
            let mut ctx = lc.base.clone();
            ctx.insert("form", form);
            ctx.insert("heading", h);
            ctx.insert("comments", &comments);
            match self
                .theme
                .tera
                .render("partials/section-comment.html", &ctx)
            {
                Ok(html) => Some(html),
                Err(e) => {
                    partial_error.replace(Some(error_chain(&e)));
                    None
                }
            }
        };
        let body = markdown::render_with(
            &text,
            src.parsed.body_line,
            &|d| links::resolve(self, lang, d),
            &section_form,
        );
        if let Some(e) = partial_error.take() {
            return Err((None, format!("template partials/section-comment.html: {e}")));
        }
        let fallback = src.file.lang != lang;
        let mut ctx = lc.base.clone();
        ctx.insert("languages", &self.languages(Some(entry), lang));
        let top = entry.section.split('/').next().unwrap_or_default();
        ctx.insert("current_section_url", &page_url(lang, top, INDEX));
        ctx.insert(
            "page",
            &json!({
                "key": entry.key,
                "title": m.title,
                "description": m.description,
                "html": body.html,
                "toc": body.headings,
                "url": url,
                "permalink": format!("{}{}", self.config.base_url, url),
                "lang": src.file.lang.code(),
                "dir": src.file.lang.dir().as_str(),
                "lang_name": self.config.language(src.file.lang).name,
                "fallback": fallback,
                "kind": entry.kind.as_str(),
                "example": m.example,
                "date": m.date.map(|d| Self::show_day(lang, d)),
                "section_url": page_url(lang, &entry.section, INDEX),
            }),
        );
        let mut extra_ids = Vec::new();
        let template = match (&entry.data, entry.kind) {
            _ if entry.is_home() => {
                let mut open = Vec::new();
                for e in self.entries.values() {
                    let live = match &e.data {
                        Data::Initiative(i) => {
                            i.state == musharaka_model::state::InitiativeState::Collecting
                        }
                        Data::Consultation(c) => {
                            c.state == musharaka_model::state::ConsultationState::Open
                        }
                        Data::Plain => false,
                    };
                    if live {
                        open.push(self.summary(e, lang));
                    }
                }
                ctx.insert("open_items", &open);
                "home.html"
            }
            (_, Kind::Section) => {
                let pages: Vec<Value> = self
                    .pages_of(&entry.section)
                    .into_iter()
                    .map(|e| self.summary(e, lang))
                    .collect();
                ctx.insert("pages", &pages);
                "section.html"
            }
            (_, Kind::Guide) => {
                ctx.insert("guide", &self.guide(entry, lang));
                "guide.html"
            }
            (Data::Initiative(i), _) => {
                let history: Vec<Value> = m
                    .history
                    .iter()
                    .map(|h| {
                        json!({
                            "date": Self::show_day(lang, h.date),
                            "step": h.step.as_str(),
                            "label": self.theme.text(lang, &format!("step.{}", h.step.as_str())),
                            "note": h.note.as_deref().map(|n| self.inline_md(lang, n)),
                        })
                    })
                    .collect();
                let mut v = self.summary(entry, lang);
                v["id"] = json!(i.id);
                v["authority"] = json!(i.target.authority.as_str());
                v["region"] = json!(i.target.region);
                v["threshold_text"] = json!(self.theme.plural(
                    lang,
                    "count.signatures",
                    i.threshold.signatures
                ));
                v["reference"] = json!(musharaka_model::lang::pick(
                    &i.threshold.reference,
                    lang,
                    &self.config.fallback
                ));
                v["uncertain"] = json!(i.threshold.uncertain);
                v["history"] = json!(history);
                v["decision"] = self.outcome(src, lang, "decision", m.decision.as_ref())?;
                v["count"] = forms::count(self, lang, i);
                ctx.insert("form", &forms::sign_form(self, entry, lang, i));
                ctx.insert("initiative", &v);
                extra_ids.extend(["decision", "history", "sign"].map(String::from));
                if i.kind == musharaka_model::state::InitiativeKind::Motion {
                    "motion.html"
                } else {
                    "petition.html"
                }
            }
            (Data::Consultation(c), _) => {
                let mut v = self.summary(entry, lang);
                v["id"] = json!(c.id);
                v["authority"] = json!(m.authority);
                v["report"] = self.outcome(src, lang, "report", m.report.as_ref())?;
                ctx.insert("consultation", &v);
                ctx.insert("form", &comment_form);
                ctx.insert(
                    "whole_comments",
                    &forms::published_comments(self, lang, &c.id, None),
                );
                extra_ids.extend(["report", "comment"].map(String::from));
                "consultation.html"
            }
            (Data::Plain, _) if self.is_guide_section(&entry.section) => {
                ctx.insert("guide", &self.guide(entry, lang));
                "guide.html"
            }
            _ => "page.html",
        };
        let html = self
            .theme
            .tera
            .render(template, &ctx)
            .map_err(|e| (None, format!("template {template}: {}", error_chain(&e))))?;
        Ok(RenderedPage {
            url,
            html,
            headings: body.headings,
            links: if fallback { Vec::new() } else { body.links },
            extra_ids,
        })
    }

    fn is_guide_section(&self, section: &str) -> bool {
        self.entries
            .get(&crate::content::page_key(section, INDEX))
            .is_some_and(|e| e.kind == Kind::Guide)
    }

    /// The guide a page belongs to: its chapters, and the previous and next ones.
    fn guide(&self, entry: &Entry, lang: Lang) -> Value {
        let index_key = crate::content::page_key(&entry.section, INDEX);
        let index = &self.entries[&index_key];
        let chapters: Vec<&Entry> = self.pages_of(&entry.section);
        let pos = chapters.iter().position(|c| c.key == entry.key);
        let item = |e: &Entry| {
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

    /// Renders a page that is not content: `404.html` in `lang`.
    pub fn render_special(&self, lc: &LangContext, template: &str) -> Result<String, String> {
        let mut ctx = lc.base.clone();
        ctx.insert("languages", &self.languages(None, lc.lang));
        self.theme
            .tera
            .render(template, &ctx)
            .map_err(|e| format!("template {template}: {}", error_chain(&e)))
    }

    /// The context of a page that is not content, at `url_of(lang)` in each language, titled
    /// `title`.
    fn tool_context(
        &self,
        lc: &LangContext,
        url_of: impl Fn(Lang) -> String,
        title: String,
    ) -> tera::Context {
        let url = url_of(lc.lang);
        let mut ctx = lc.base.clone();
        ctx.insert("languages", &self.tool_languages(url_of, lc.lang));
        ctx.insert(
            "page",
            &json!({
                "title": title,
                "url": url,
                "permalink": format!("{}{}", self.config.base_url, url),
            }),
        );
        ctx
    }

    fn render_tool(&self, template: &str, ctx: &tera::Context) -> Result<String, String> {
        self.theme
            .tera
            .render(template, ctx)
            .map_err(|e| format!("template {template}: {}", error_chain(&e)))
    }

    /// Renders the static result page of `code` in `lang` (where a form without JavaScript
    /// lands after a submission).
    pub fn render_result(
        &self,
        lc: &LangContext,
        code: musharaka_model::outcome::Code,
    ) -> Result<String, String> {
        let key = |part: &str| format!("result.{}.{part}", code.as_str());
        let mut ctx = self.tool_context(
            lc,
            |l| code.page_url(l),
            self.theme.text(lc.lang, &key("title")),
        );
        ctx.insert("text", &self.theme.text(lc.lang, &key("text")));
        ctx.insert("code", code.as_str());
        ctx.insert("ok", &code.is_success());
        self.render_tool("result.html", &ctx)
    }

    /// Renders the page in `lang` where signers check or withdraw their signature.
    pub fn render_signature(&self, lc: &LangContext) -> Result<String, String> {
        use musharaka_model::outcome::signature_page_url;
        let title = self.theme.text(lc.lang, "signature.title");
        let mut ctx = self.tool_context(lc, signature_page_url, title);
        ctx.insert("action", &format!("/api/signature?lang={}", lc.lang.code()));
        self.render_tool("signature.html", &ctx)
    }

    /// Renders the page in `lang` where signers type the one-time code sent to them.
    pub fn render_confirm(&self, lc: &LangContext) -> Result<String, String> {
        use musharaka_model::outcome::confirm_page_url;
        let title = self.theme.text(lc.lang, "confirm.title");
        let mut ctx = self.tool_context(lc, confirm_page_url, title);
        ctx.insert("action", &format!("/api/confirm?lang={}", lc.lang.code()));
        self.render_tool("confirm.html", &ctx)
    }

    /// The language links of a page that is not content, at `url_of(lang)` in each language.
    fn tool_languages(&self, url_of: impl Fn(Lang) -> String, lang: Lang) -> Vec<Value> {
        self.config
            .languages
            .iter()
            .map(|l| {
                let url = url_of(l.code);
                json!({
                    "code": l.code.code(), "name": l.name, "dir": l.dir.as_str(),
                    "url": url, "permalink": format!("{}{}", self.config.base_url, url),
                    "current": l.code == lang, "missing": false,
                })
            })
            .collect()
    }

    /// Renders the root page that offers the languages.
    pub fn render_root(&self) -> Result<String, String> {
        let first = self.config.languages[0].code;
        let lc = self.lang_context(first);
        let mut ctx = lc.base.clone();
        let offers: Vec<Value> = self
            .config
            .languages
            .iter()
            .map(|l| {
                json!({
                    "code": l.code.code(),
                    "name": l.name,
                    "dir": l.dir.as_str(),
                    "url": page_url(l.code, "", INDEX),
                    "title": self.config.title.get(&l.code),
                    "description": self.config.description.get(&l.code),
                    "choose": self.theme.text(l.code, "root.choose"),
                })
            })
            .collect();
        ctx.insert("offers", &offers);
        ctx.insert("languages", &self.languages(None, first));
        self.theme
            .tera
            .render("languages.html", &ctx)
            .map_err(|e| format!("template languages.html: {}", error_chain(&e)))
    }
}
