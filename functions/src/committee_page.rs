//! The pages the committee routes answer a form without JavaScript with (the same content goes
//! into the JSON answer): the form to type a seat's one-time code, the private code once
//! seated, what is wrong with a proposal, and the committee's private page. Codes never travel
//! in a URL: these pages answer the POST itself, and carry the private code in hidden fields.

use crate::messages::text;
use crate::receipt::{document, link};
use musharaka_model::Lang;
use musharaka_model::committee::Role;
use musharaka_model::html::escape;
use musharaka_model::outcome::{Code, committee_page_url, join_page_url};
use musharaka_model::proposal::Proposal;
use musharaka_model::proposal_text::PeriodLimits;

fn t(lang: Lang, key: &str) -> String {
    escape(&text(lang, key))
}

/// The hidden fields every form of these pages carries.
fn hidden(lang: Lang, pairs: &[(&str, &str)]) -> String {
    let mut out = format!(
        "<input type=\"hidden\" name=\"lang\" value=\"{}\">\n",
        lang.code()
    );
    for (name, value) in pairs {
        out.push_str(&format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
            escape(value)
        ));
    }
    out
}

/// The form to type the one-time code of the seat `reference` on the committee of `proposal`;
/// `to` is the masked contact the code went to.
pub(crate) fn seat_form(
    lang: Lang,
    code: Code,
    (proposal, reference): (&str, &str),
    to: Option<&str>,
) -> String {
    let sent = to
        .map(|to| {
            let to = format!("<bdi dir=\"ltr\">{}</bdi>", escape(to));
            format!(
                "<p>{}</p>\n",
                t(lang, "confirm.sent_to").replace("{to}", &to)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{sent}<p>{intro}</p>\n<form method=\"post\" action=\"/api/seat?lang={l}\" class=\"seat-form\">\n\
         {hidden}<p>{ref_label} <bdi class=\"receipt-code\" dir=\"ltr\">{reference}</bdi></p>\n\
         <div class=\"field\">\n<label for=\"code\">{code_label}</label>\n\
         <input id=\"code\" name=\"code\" dir=\"ltr\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
         pattern=\"[0-9 ]*\" maxlength=\"8\" aria-describedby=\"code-help\" aria-required=\"true\">\n\
         <p class=\"help\" id=\"code-help\">{code_help}</p>\n</div>\n\
         <button type=\"submit\">{submit}</button>\n</form>\n",
        l = lang.code(),
        hidden = hidden(lang, &[("proposal", proposal), ("reference", reference)]),
        intro = t(lang, "committee.seat_intro"),
        reference = escape(reference),
        ref_label = t(lang, "confirm.reference"),
        code_label = t(lang, "confirm.code"),
        code_help = t(lang, "confirm.code_help"),
        submit = t(lang, "committee.seat_submit"),
    );
    document(lang, code, &body)
}

/// The page that shows a new member their private code, once.
pub(crate) fn key_page(lang: Lang, key: &str) -> String {
    let body = format!(
        "<p>{label} <strong class=\"receipt-code\" dir=\"ltr\">{key}</strong></p>\n<p>{keep}</p>\n\
         <p>{open}</p>\n",
        label = t(lang, "committee.key_shown"),
        key = escape(key),
        keep = t(lang, "committee.key_keep"),
        open = link(&committee_page_url(lang), &text(lang, "committee.title")),
    );
    document(lang, Code::Seated, &body)
}

/// A page listing `problems`, each a sentence, under the answer `code`.
pub(crate) fn problems_page(lang: Lang, code: Code, problems: &[String]) -> String {
    document(lang, code, &list(problems, "problems"))
}

fn list(items: &[String], class: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    let items: String = (items.iter())
        .map(|p| format!("<li>{}</li>\n", escape(p)))
        .collect();
    format!("<ul class=\"{class}\">\n{items}</ul>\n")
}

/// One member as the private page shows them.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct MemberLine {
    /// Their reference (the agent names the deputy by it).
    pub reference: String,
    /// Their role, in the reader's language.
    pub role: String,
    /// Their region's name.
    pub region: String,
    /// Their name: shown to the agent only.
    pub name: Option<String>,
    /// Whether they confirmed their code.
    pub joined: bool,
    /// Whether they may be named deputy.
    #[serde(skip)]
    pub may_be_deputy: bool,
}

/// Everything the private page shows, in the reader's language.
#[derive(Debug, Clone)]
pub(crate) struct PrivateView {
    /// The private code typed, canonical, for the forms of the page.
    pub key: String,
    /// The reader's role.
    pub role: Role,
    /// The proposal.
    pub proposal: Proposal,
    /// Its state, in words.
    pub state: String,
    /// "5 members, from 3 regions".
    pub summary: String,
    /// Each member (names only for the agent).
    pub members: Vec<MemberLine>,
    /// The rules not met yet, in words, and the law they come from.
    pub unmet: (Vec<String>, String),
    /// What is wrong with the agent's last edit.
    pub problems: Vec<String>,
    /// The invitation code, for the agent of an open proposal.
    pub invitation: Option<String>,
    /// When a draft is erased unless submitted, in words.
    pub deadline: Option<String>,
    /// The moderators' decisions, in words.
    pub reviews: Vec<String>,
    /// The collection periods a proposal may ask for.
    pub limits: PeriodLimits,
}

impl PrivateView {
    /// The fields the JSON answer gains.
    pub(crate) fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        let p = &self.proposal;
        let value = serde_json::json!({
            "proposal": {
                "id": p.id, "title": p.title, "request": p.request, "memorandum": p.memorandum,
                "period_days": p.period_days, "state": p.state.as_str(), "state_text": self.state,
                "deadline": self.deadline, "reviews": self.reviews,
            },
            "committee": {
                "role": self.role.as_str(), "summary": self.summary, "members": self.members,
                "unmet": self.unmet.0, "rule": self.unmet.1, "invitation": self.invitation,
            },
            "problems": self.problems,
        });
        match value {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }

    /// The whole page.
    pub(crate) fn html(&self, lang: Lang, code: Code) -> String {
        let mut body = list(&self.problems, "problems");
        if code == Code::RulesUnmet {
            // What stops the submission comes first, where the agent looks.
            body.push_str(&list(&self.unmet.0, "unmet"));
        }
        body.push_str(&self.proposal_html(lang));
        body.push_str(&self.committee_html(lang));
        if !self.reviews.is_empty() {
            body.push_str(&format!("<h2>{}</h2>\n", t(lang, "committee.reviews")));
            body.push_str(&list(&self.reviews, "reviews"));
        }
        body.push_str(&self.actions_html(lang));
        document(lang, code, &body)
    }

    fn proposal_html(&self, lang: Lang) -> String {
        let p = &self.proposal;
        let dir = p.lang.dir().as_str();
        let deadline = (self.deadline.as_ref())
            .map(|d| format!("<p>{}</p>\n", escape(d)))
            .unwrap_or_default();
        format!(
            "<section class=\"proposal\" lang=\"{pl}\" dir=\"{dir}\">\n<h2 dir=\"auto\">{title}</h2>\n\
             <h3>{request_label}</h3>\n<p class=\"plain\" dir=\"auto\">{request}</p>\n\
             <h3>{memo_label}</h3>\n<p class=\"plain\" dir=\"auto\">{memorandum}</p>\n</section>\n\
             <p>{state_label} <strong>{state}</strong></p>\n{deadline}",
            pl = p.lang.code(),
            title = escape(&p.title),
            request_label = t(lang, "propose.request"),
            request = escape(&p.request),
            memo_label = t(lang, "propose.memorandum"),
            memorandum = escape(&p.memorandum),
            state_label = t(lang, "committee.state"),
            state = escape(&self.state),
        )
    }

    fn committee_html(&self, lang: Lang) -> String {
        let rows: String = (self.members.iter())
            .map(|m| {
                let name = m.name.as_deref().map(escape).unwrap_or_default();
                let waiting = if m.joined {
                    String::new()
                } else {
                    format!(" ({})", t(lang, "committee.waiting"))
                };
                format!(
                    "<li><bdi>{name}</bdi> {role} · {region}{waiting}</li>\n",
                    role = escape(&m.role),
                    region = escape(&m.region)
                )
            })
            .collect();
        let mut out = format!(
            "<h2>{}</h2>\n<p>{}</p>\n<ul class=\"members\">\n{rows}</ul>\n",
            t(lang, "committee.members"),
            escape(&self.summary)
        );
        if !self.unmet.0.is_empty() {
            out.push_str(&format!("<h3>{}</h3>\n", t(lang, "committee.unmet")));
            out.push_str(&list(&self.unmet.0, "unmet"));
            out.push_str(&format!(
                "<p class=\"help\">{} : {}</p>\n",
                t(lang, "committee.rule"),
                escape(&self.unmet.1)
            ));
        }
        if let Some(invitation) = &self.invitation {
            out.push_str(&format!(
                "<h3>{}</h3>\n<p><strong class=\"receipt-code\" dir=\"ltr\">{}</strong></p>\n<p>{} {}</p>\n",
                t(lang, "committee.invitation"),
                escape(invitation),
                t(lang, "committee.invitation_help"),
                link(&join_page_url(lang), &text(lang, "committee.invite_link")),
            ));
        }
        out
    }

    /// A form of the page doing `action`, with `inner` fields and a button labelled `label`.
    fn form(&self, lang: Lang, action: &str, inner: &str, label: &str) -> String {
        format!(
            "<form method=\"post\" action=\"/api/committee?lang={l}\" class=\"committee-{action}\">\n\
             {hidden}{inner}<button type=\"submit\" name=\"do\" value=\"{action}\">{label}</button>\n</form>\n",
            l = lang.code(),
            hidden = hidden(lang, &[("key", &self.key)]),
            label = t(lang, label),
        )
    }

    fn confirm_box(lang: Lang, id: &str, label: &str) -> String {
        format!(
            "<div class=\"check\">\n<input type=\"checkbox\" id=\"{id}\" name=\"confirm\">\n\
             <label for=\"{id}\">{}</label>\n</div>\n",
            t(lang, label)
        )
    }

    fn actions_html(&self, lang: Lang) -> String {
        let state = self.proposal.state;
        let mut out = String::new();
        if self.role != Role::Agent {
            if state.is_open() {
                let confirm = Self::confirm_box(lang, "leave-confirm", "committee.leave_confirm");
                out.push_str(&self.form(lang, "leave", &confirm, "committee.leave"));
            }
            return out;
        }
        if state.is_open() {
            out.push_str(&self.deputy_form(lang));
            out.push_str(&self.form(lang, "submit", "", "committee.submit_review"));
            out.push_str(&crate::proposal_form::edit_form(
                lang,
                &self.key,
                &self.proposal,
                self.limits,
            ));
        }
        if state.may_withdraw() {
            let confirm = Self::confirm_box(lang, "withdraw-confirm", "committee.withdraw_confirm");
            out.push_str(&self.form(lang, "withdraw", &confirm, "committee.withdraw"));
        }
        out
    }

    fn deputy_form(&self, lang: Lang) -> String {
        let options: String = (self.members.iter())
            .filter(|m| m.may_be_deputy)
            .map(|m| {
                format!(
                    "<option value=\"{}\">{}</option>\n",
                    escape(&m.reference),
                    escape(m.name.as_deref().unwrap_or(&m.reference))
                )
            })
            .collect();
        if options.is_empty() {
            return String::new();
        }
        let select = format!(
            "<div class=\"field\">\n<label for=\"member\">{}</label>\n\
             <select id=\"member\" name=\"member\">\n{options}</select>\n</div>\n",
            t(lang, "committee.deputy_choose")
        );
        format!(
            "<h3>{}</h3>\n{}",
            t(lang, "committee.deputy"),
            self.form(lang, "deputy", &select, "committee.deputy_submit")
        )
    }
}
