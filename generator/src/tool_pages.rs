//! The pages that are not content: the result page of each outcome of a submission, the
//! signature, confirmation and search pages, the 404 page of a language and the language choice at the
//! root.

use crate::content::INDEX;
use crate::links::page_url;
use crate::render::LangContext;
use crate::site::Site;
use crate::theme::error_chain;
use musharaka_model::Lang;
use musharaka_model::catalog::PageFrame;
use musharaka_model::outcome::{
    Code, committee_page_url, confirm_page_url, join_page_url, propose_page_url, rejected_page_url,
    signature_page_url,
};
use serde_json::{Value, json};

impl Site {
    /// Renders a page that is not content: `404.html` in `lang`.
    pub(crate) fn render_special(
        &self,
        lc: &LangContext,
        template: &str,
    ) -> Result<String, String> {
        let mut ctx = lc.base.clone();
        ctx.insert("languages", &self.languages(None, lc.lang()));
        self.theme
            .tera
            .render(template, &ctx)
            .map_err(|e| format!("template {template}: {}", error_chain(&e)))
    }

    /// The context of a page that is not content, at `url_of(lang)` in each language, titled
    /// `title`.
    pub(crate) fn tool_context(
        &self,
        lc: &LangContext,
        url_of: impl Fn(Lang) -> String,
        title: String,
    ) -> tera::Context {
        let url = url_of(lc.lang());
        let mut ctx = lc.base.clone();
        ctx.insert("languages", &self.tool_languages(url_of, lc.lang()));
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

    pub(crate) fn render_tool(
        &self,
        template: &str,
        ctx: &tera::Context,
    ) -> Result<String, String> {
        self.theme
            .tera
            .render(template, ctx)
            .map_err(|e| format!("template {template}: {}", error_chain(&e)))
    }

    /// Renders the static result page of `code` in `lang` (where a form without JavaScript
    /// lands after a submission).
    pub(crate) fn render_result(&self, lc: &LangContext, code: Code) -> Result<String, String> {
        let key = |part: &str| format!("result.{}.{part}", code.as_str());
        let mut ctx = self.tool_context(
            lc,
            |l| code.page_url(l),
            self.theme.text(lc.lang(), &key("title")),
        );
        ctx.insert("text", &self.theme.text(lc.lang(), &key("text")));
        ctx.insert("code", code.as_str());
        ctx.insert("ok", &code.is_success());
        self.render_tool("result.html", &ctx)
    }

    /// Renders the page in `lang` where signers check or withdraw their signature.
    pub(crate) fn render_signature(&self, lc: &LangContext) -> Result<String, String> {
        let title = self.theme.text(lc.lang(), "signature.title");
        let mut ctx = self.tool_context(lc, signature_page_url, title);
        ctx.insert(
            "action",
            &format!("/api/signature?lang={}", lc.lang().code()),
        );
        self.render_tool("signature.html", &ctx)
    }

    /// Renders the page in `lang` where signers type the one-time code sent to them.
    pub(crate) fn render_confirm(&self, lc: &LangContext) -> Result<String, String> {
        let title = self.theme.text(lc.lang(), "confirm.title");
        let mut ctx = self.tool_context(lc, confirm_page_url, title);
        ctx.insert("action", &format!("/api/confirm?lang={}", lc.lang().code()));
        self.render_tool("confirm.html", &ctx)
    }

    /// Renders the page in `lang` where a citizen proposes a petition or a motion.
    pub(crate) fn render_propose(&self, lc: &LangContext) -> Result<String, String> {
        self.render_committee_tool(lc, "propose", propose_page_url)
    }

    /// Renders the page in `lang` where a citizen joins a committee with its invitation.
    pub(crate) fn render_join(&self, lc: &LangContext) -> Result<String, String> {
        self.render_committee_tool(lc, "join", join_page_url)
    }

    /// Renders the page in `lang` where committee members open their private page.
    pub(crate) fn render_committee(&self, lc: &LangContext) -> Result<String, String> {
        self.render_committee_tool(lc, "committee", committee_page_url)
    }

    /// The page `name` (its template, its strings' table and its route have that name).
    fn render_committee_tool(
        &self,
        lc: &LangContext,
        name: &str,
        url_of: fn(Lang) -> String,
    ) -> Result<String, String> {
        let title = self.theme.text(lc.lang(), &format!("{name}.title"));
        let mut ctx = self.tool_context(lc, url_of, title);
        ctx.insert("action", &format!("/api/{name}?lang={}", lc.lang().code()));
        ctx.insert(
            "form",
            &crate::participation::proposal_form(self, lc.lang()),
        );
        ctx.insert(
            "links",
            &json!({
                "propose": propose_page_url(lc.lang()),
                "join": join_page_url(lc.lang()),
                "committee": committee_page_url(lc.lang()),
            }),
        );
        self.render_tool(&format!("{name}.html"), &ctx)
    }

    /// Renders the search page of `lang`: the form, and where its script shows the results;
    /// without the script, the sections to browse instead.
    pub(crate) fn render_search(&self, lc: &LangContext) -> Result<String, String> {
        let title = self.theme.text(lc.lang(), "search.title");
        let mut ctx = self.tool_context(lc, crate::search::page_url, title);
        ctx.insert(
            "search",
            &json!({
                "index": crate::search::page_url(lc.lang()),
                "docs": self.documents.len(),
            }),
        );
        self.render_tool("search.html", &ctx)
    }

    /// Renders the public list in `lang` of the proposals moderators rejected, with their
    /// reasons (the text hidden when the reason is insult, defamation or personal data).
    pub(crate) fn render_rejected(&self, lc: &LangContext) -> Result<String, String> {
        let lang = lc.lang();
        let t = |key: &str| self.theme.text(lang, key);
        let title = t("proposal.rejected_title");
        let mut ctx = self.tool_context(lc, rejected_page_url, title);
        let items: Vec<Value> = (self.rejected.iter().rev())
            .map(|p| {
                let review = p.last_review();
                let reason = review.and_then(|r| r.reason());
                let hidden = reason.as_ref().is_some_and(|r| r.hides_text());
                let kind = if p.kind == musharaka_model::state::InitiativeKind::Motion {
                    "motion"
                } else {
                    "petition"
                };
                json!({
                    "id": p.id,
                    "kind": t(&format!("kind.{kind}")),
                    "authority": t(&format!("authority.{}", p.target.authority.as_str())),
                    "date": review.map(|r| self.day_of(lang, r.at)).unwrap_or_default(),
                    "reason": reason.map(|r| r.words(lang, |key| t(key))).unwrap_or_default(),
                    "hidden": hidden,
                    "title": (!hidden).then(|| p.title.clone()),
                    "request": (!hidden).then(|| p.request.clone()),
                    "text_lang": p.lang.code(),
                    "text_dir": p.lang.dir().as_str(),
                })
            })
            .collect();
        ctx.insert("rejected", &items);
        self.render_tool("rejected.html", &ctx)
    }

    /// The day of the instant `at` (epoch seconds) in the site's offset, in `lang`.
    fn day_of(&self, lang: Lang, at: i64) -> String {
        let offset = chrono::FixedOffset::east_opt(3600).expect("one hour");
        let offset = (self.config.utc_offset.parse::<chrono::FixedOffset>()).unwrap_or(offset);
        chrono::DateTime::from_timestamp(at, 0)
            .map(|t| musharaka_model::date::format_day(lang, t.with_timezone(&offset).date_naive()))
            .unwrap_or_default()
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

    /// The site's page in `lang` around the answers the functions write, its language links
    /// to each language's home; `None` when the theme has no `answer.html`.
    pub(crate) fn render_frame(&self, lang: Lang) -> Option<PageFrame> {
        let lc = self.lang_context(lang);
        let home = |l: Lang| page_url(l, "", INDEX);
        let ctx = self.tool_context(&lc, home, String::new());
        let html = self.render_tool("answer.html", &ctx).ok()?;
        let (head, rest) = html.split_once("@@title@@")?;
        let (top, bottom) = rest.split_once("@@main@@")?;
        Some(PageFrame {
            head: head.to_string(),
            top: top.to_string(),
            bottom: bottom.to_string(),
            privacy_url: crate::links::resolve(self, lang, "@/privacy.md"),
            terms_url: crate::links::resolve(self, lang, "@/terms.md"),
        })
    }

    /// Renders the root page that offers the languages; with `not_found`, the site's top-level
    /// 404 page, which says so in every language.
    pub(crate) fn render_root(&self, not_found: bool) -> Result<String, String> {
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
                    "not_found": self.theme.text(l.code, "e404.title"),
                    "not_found_text": self.theme.text(l.code, "e404.text"),
                })
            })
            .collect();
        ctx.insert("offers", &offers);
        ctx.insert("not_found", &not_found);
        ctx.insert("languages", &self.languages(None, first));
        self.theme
            .tera
            .render("languages.html", &ctx)
            .map_err(|e| format!("template languages.html: {}", error_chain(&e)))
    }
}
