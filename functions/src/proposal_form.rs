//! The fields of a proposal as a citizen sends them: its kind and target, then its text (title,
//! request, memorandum, period, attestations), read and checked with the model's rules; each
//! problem in words; and the form the agent edits the text with.

use crate::form::Fields;
use crate::messages::text;
use musharaka_model::committee::exclusions;
use musharaka_model::html::escape;
use musharaka_model::lang::Localized;
use musharaka_model::outcome::Code;
use musharaka_model::proposal::Proposal;
use musharaka_model::proposal_text::{Field, PeriodLimits, Problem, ProposalText};
use musharaka_model::state::InitiativeKind;
use musharaka_model::target::{Authority, Target, TargetError};
use musharaka_model::{Lang, signer};

/// The text of a proposal, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text {
    pub title: String,
    pub request: String,
    pub memorandum: String,
    pub period_days: u32,
}

fn parse<T: serde::de::DeserializeOwned>(value: Option<&str>) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value?.trim().to_string())).ok()
}

/// The kind, the authority addressed and the language the proposal is written in.
pub(crate) fn read_target(f: &Fields) -> Result<(InitiativeKind, Target, Lang), Code> {
    let kind: InitiativeKind = parse(f.get("kind")).ok_or(Code::InvalidTarget)?;
    let authority: Authority = parse(f.get("authority")).ok_or(Code::InvalidTarget)?;
    let text_lang: Lang =
        (f.get("text_lang").unwrap_or_default().trim().parse()).map_err(|_| Code::MissingField)?;
    let region = (f.get("target_region").map(str::trim))
        .filter(|r| !r.is_empty() && authority.is_local())
        .map(str::to_ascii_uppercase);
    let mut name = Localized::new();
    if matches!(authority, Authority::Province | Authority::Commune) {
        let typed = f.get("target_name").map(str::trim).unwrap_or_default();
        if typed.contains(['\n', '\r']) {
            return Err(Code::InvalidTarget);
        }
        if !typed.is_empty() {
            name.insert(
                text_lang,
                signer::text_field(Some(typed), signer::MAX_NAME)?,
            );
        }
    }
    // The territory as its agent names it: the moderator who accepts the proposal gives its
    // code (`proposals accept --code`), with which come its census name and population.
    let target = Target {
        region,
        name,
        ..Target::new(authority)
    };
    match target.validate(kind) {
        Ok(()) | Err(TargetError::MissingPopulation) => Ok((kind, target, text_lang)),
        Err(_) => Err(Code::InvalidTarget),
    }
}

/// The text of a proposal of `kind`, or everything wrong with it.
pub(crate) fn read_text(
    f: &Fields,
    kind: InitiativeKind,
    limits: PeriodLimits,
) -> Result<Text, Vec<Problem>> {
    let field = |name: &str| musharaka_model::text::lines(f.get(name).unwrap_or_default().trim());
    let (title, request, memorandum) = (field("title"), field("request"), field("memorandum"));
    let period_days = field("period").parse().unwrap_or(0);
    let attested: Vec<&str> = exclusions(kind)
        .map(|e| e.id.as_str())
        .filter(|id| f.checked(&format!("attest_{id}")))
        .collect();
    let typed = ProposalText {
        kind,
        title: &title,
        request: &request,
        memorandum: &memorandum,
        period_days,
        attested: &attested,
    };
    let problems = typed.problems(limits);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Text {
        title,
        request,
        memorandum,
        period_days,
    })
}

fn field_label(lang: Lang, field: Field) -> String {
    let key = match field {
        Field::Title => "propose.title_field",
        Field::Request => "propose.request",
        Field::Memorandum => "propose.memorandum",
        Field::Period => "propose.period",
    };
    text(lang, key)
}

/// A problem in words.
pub(crate) fn problem_text(lang: Lang, problem: &Problem) -> String {
    let with_field = |key: &str, field: Field| {
        text(lang, &format!("problem.{key}")).replace("{field}", &field_label(lang, field))
    };
    match problem {
        Problem::Missing(f) => with_field("missing", *f),
        Problem::TooShort(f, n) => with_field("too_short", *f).replace("{n}", &n.to_string()),
        Problem::TooLong(f, n) => with_field("too_long", *f).replace("{n}", &n.to_string()),
        Problem::Html(f) => with_field("html", *f),
        Problem::Control(f) => with_field("control", *f),
        Problem::Period(l) => (text(lang, "problem.period"))
            .replace("{min}", &l.min_days.to_string())
            .replace("{max}", &l.max_days.to_string()),
        Problem::NotAttested(id) => {
            let what = musharaka_model::committee::exclusion(id)
                .and_then(|e| musharaka_model::lang::pick(&e.text, lang, &Lang::ALL).cloned())
                .unwrap_or_else(|| id.to_string());
            text(lang, "problem.not_attested").replace("{text}", &what)
        }
    }
}

/// A labelled text field (`rows` 1: one line) holding `value`, with its `help` line.
fn text_field(name: &str, label: String, help: String, value: &str, rows: u32) -> String {
    let control = if rows == 1 {
        format!(
            "<input id=\"{name}\" name=\"{name}\" value=\"{}\" dir=\"auto\" aria-describedby=\"{name}-help\" aria-required=\"true\">",
            escape(value)
        )
    } else {
        format!(
            "<textarea id=\"{name}\" name=\"{name}\" rows=\"{rows}\" dir=\"auto\" aria-describedby=\"{name}-help\" aria-required=\"true\">{}</textarea>",
            escape(value)
        )
    };
    format!(
        "<div class=\"field\">\n<label for=\"{name}\">{}</label>\n{control}\n\
         <p class=\"help\" id=\"{name}-help\">{}</p>\n</div>\n",
        escape(&label),
        escape(&help),
    )
}

/// The attestation boxes of a proposal of `kind`, unticked.
pub(crate) fn attestation_boxes(lang: Lang, kind: InitiativeKind) -> String {
    let boxes: String = exclusions(kind)
        .map(|e| {
            let what = musharaka_model::lang::pick(&e.text, lang, &Lang::ALL)
                .cloned()
                .unwrap_or_default();
            format!(
                "<div class=\"check\">\n<input type=\"checkbox\" id=\"attest_{id}\" name=\"attest_{id}\" aria-required=\"true\">\n\
                 <label for=\"attest_{id}\">{}</label>\n</div>\n",
                escape(&text(lang, "propose.attest_exclusion").replace("{text}", &what)),
                id = e.id,
            )
        })
        .collect();
    format!(
        "<fieldset>\n<legend>{}</legend>\n<p class=\"help\">{}</p>\n{boxes}</fieldset>\n",
        escape(&text(lang, "propose.exclusions")),
        escape(&text(lang, "propose.exclusions_intro")),
    )
}

/// The agent's form to edit the text of `p`, whose private code is `key`.
pub(crate) fn edit_form(lang: Lang, key: &str, p: &Proposal, limits: PeriodLimits) -> String {
    let t = |key: &str| text(lang, key);
    let period_help = t("propose.period_help")
        .replace("{min}", &limits.min_days.to_string())
        .replace("{max}", &limits.max_days.to_string());
    let fields = [
        text_field(
            "title",
            t("propose.title_field"),
            t("propose.title_help"),
            &p.title,
            1,
        ),
        text_field(
            "request",
            t("propose.request"),
            t("propose.request_help"),
            &p.request,
            6,
        ),
        text_field(
            "memorandum",
            t("propose.memorandum"),
            t("propose.memorandum_help"),
            &p.memorandum,
            12,
        ),
        text_field(
            "period",
            t("propose.period"),
            period_help,
            &p.period_days.to_string(),
            1,
        ),
    ]
    .concat();
    format!(
        "<details class=\"edit\">\n<summary>{edit}</summary>\n<form method=\"post\" action=\"/api/committee?lang={l}\" class=\"committee-save\">\n\
         <input type=\"hidden\" name=\"lang\" value=\"{l}\">\n<input type=\"hidden\" name=\"key\" value=\"{key}\">\n\
         {fields}{boxes}<button type=\"submit\" name=\"do\" value=\"save\">{save}</button>\n</form>\n</details>\n",
        edit = escape(&t("committee.edit")),
        l = lang.code(),
        key = escape(key),
        boxes = attestation_boxes(lang, p.kind),
        save = escape(&t("committee.save")),
    )
}
