//! The forms a citizen without JavaScript gets back when something they typed must be
//! corrected: what they typed in its place (in the answer's body, never in a URL), a summary of
//! the problems at the top that links to each field and takes the focus, and each problem beside
//! its field (`aria-invalid`, `aria-describedby`). The fields are those of the site's own forms
//! (`site-theme/templates/partials/person-fields.html`, `comment-fields.html`), with the same
//! names and ids, so that the script marks the same fields from the JSON answer.

use crate::form::MAX_DISPLAY_NAME;
use crate::form::{Fields, Problems};
use crate::messages::{field_error, text};
use crate::receipt::bare_page;
use musharaka_model::Lang;
use musharaka_model::catalog::{Details, Entry, PageFrame};
use musharaka_model::contact::MAX_EMAIL;
use musharaka_model::geography::{self, name_in};
use musharaka_model::html::escape;
use musharaka_model::lang::pick;
use musharaka_model::region;
use musharaka_model::signer::{Attestation, MAX_ADDRESS, MAX_CIN, MAX_NAME, attestations};
use musharaka_model::target::Authority;
use std::fmt::Write;

/// How a field is typed, with the attributes the theme's partial gives it.
enum Control {
    /// One line: its other attributes, its longest length.
    Line(&'static str, usize),
    /// Several lines: its other attributes, its longest length, its rows.
    Lines(&'static str, usize, u8),
    /// The list of regions.
    Region,
    /// The list of the prefectures and provinces of a region (its code, `MA-08`).
    Provinces(String),
    /// A box to tick, labelled with its own sentence, with the value it sends when its
    /// browser's own (`on`) is not the one (a territory's code).
    Tick(String, Option<String>),
}

/// One field of a form.
struct Field {
    name: &'static str,
    control: Control,
    required: bool,
    /// The key of its help line, if it has one.
    help: Option<&'static str>,
}

impl Field {
    /// A required field typed as `control`.
    const fn new(name: &'static str, control: Control) -> Field {
        Field {
            name,
            control,
            required: true,
            help: None,
        }
    }
}

/// The writer of one form sent back: its language, what was typed and what is wrong.
struct Page<'a> {
    lang: Lang,
    typed: &'a Fields,
    problems: &'a Problems,
    /// The title of what the form concerns.
    title: String,
    html: String,
}

impl<'a> Page<'a> {
    /// The summary of `problems`, then the form posting to `/api/<route>` about `entry`, whose
    /// id goes in the hidden field `id_field`.
    fn begin(
        (lang, typed, problems): (Lang, &'a Fields, &'a Problems),
        entry: &Entry,
        route: &str,
        id_field: &str,
    ) -> Page<'a> {
        let title = pick(&entry.title, lang, &Lang::ALL).cloned();
        let mut p = Page {
            lang,
            typed,
            problems,
            title: title.unwrap_or_default(),
            html: String::new(),
        };
        p.summary();
        p.start(route, id_field, &entry.id);
        p
    }

    fn t(&self, key: &str) -> String {
        escape(&text(self.lang, key))
    }

    fn value(&self, name: &str) -> String {
        escape(self.typed.get(name).unwrap_or_default())
    }

    fn problem(&self, name: &str) -> Option<String> {
        (self.problems.fields.iter())
            .find(|(field, _)| *field == name)
            .map(|(field, code)| escape(&field_error(self.lang, field, *code)))
    }

    /// The summary at the top: each problem, linking to its field.
    fn summary(&mut self) {
        let items: String = (self.problems.fields.iter())
            .map(|(field, code)| {
                format!(
                    "<li><a href=\"#{field}\">{}</a></li>\n",
                    escape(&field_error(self.lang, field, *code))
                )
            })
            .collect();
        let _ = write!(
            self.html,
            "<div class=\"error-summary\" id=\"error-summary\" tabindex=\"-1\" \
             aria-labelledby=\"error-summary-title\" autofocus>\n\
             <h2 id=\"error-summary-title\">{title}</h2>\n<p>{intro}</p>\n<ul>\n{items}</ul>\n</div>\n",
            title = self.t("errors.title"),
            intro = self.t("errors.intro"),
        );
    }

    /// The form posting to `/api/<route>`, with the id of what it concerns in the hidden field
    /// `id_field`, and its language.
    fn start(&mut self, route: &str, id_field: &str, id: &str) {
        let lang = self.lang.code();
        let _ = writeln!(
            self.html,
            "<form method=\"post\" action=\"/api/{route}?lang={lang}\" class=\"{route}-form\">"
        );
        self.hidden(id_field, id);
        self.hidden("lang", lang);
    }

    fn hidden(&mut self, name: &str, value: &str) {
        let _ = writeln!(
            self.html,
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        );
    }

    fn field(&mut self, f: &Field) {
        let name = f.name;
        let problem = self.problem(name);
        let mut described: Vec<String> =
            f.help.map(|_| format!("{name}-help")).into_iter().collect();
        if problem.is_some() {
            described.push(format!("{name}-error"));
        }
        let mut attrs = format!("id=\"{name}\" name=\"{name}\"");
        if f.required {
            attrs.push_str(" aria-required=\"true\"");
        }
        if problem.is_some() {
            attrs.push_str(" aria-invalid=\"true\"");
        }
        if !described.is_empty() {
            let _ = write!(attrs, " aria-describedby=\"{}\"", described.join(" "));
        }
        let error = problem
            .map(|p| format!("<p class=\"field-error\" id=\"{name}-error\">{p}</p>\n"))
            .unwrap_or_default();
        let help = f
            .help
            .map(|key| format!("<p class=\"help\" id=\"{name}-help\">{}</p>\n", self.t(key)))
            .unwrap_or_default();
        let invalid = if error.is_empty() { "" } else { " invalid" };
        if let Control::Tick(label, value) = &f.control {
            // A box that sends a code stays ticked only if that very code was sent.
            let ticked = match value {
                Some(v) if v != "on" => self.typed.get(name).map(str::trim) == Some(v.as_str()),
                _ => self.typed.checked(name),
            };
            let checked = if ticked { " checked" } else { "" };
            let value = value
                .as_deref()
                .map(|v| format!(" value=\"{}\"", escape(v)))
                .unwrap_or_default();
            let _ = write!(
                self.html,
                "<div class=\"check{invalid}\">\n{error}<input type=\"checkbox\" {attrs}{value}{checked}>\n\
                 <label for=\"{name}\">{label}</label>\n</div>\n"
            );
            return;
        }
        let required = if f.required {
            format!(" <span class=\"req\">({})</span>", self.t("form.required"))
        } else {
            String::new()
        };
        let label = match name {
            "text" => self.t("form.comment_text"),
            _ => self.t(&format!("form.{name}")),
        };
        let control = self.control(name, &f.control, &attrs);
        let _ = write!(
            self.html,
            "<div class=\"field{invalid}\">\n<label for=\"{name}\">{label}{required}</label>\n\
             {error}{control}\n{help}</div>\n"
        );
    }

    fn control(&self, name: &str, control: &Control, attrs: &str) -> String {
        let value = self.value(name);
        match control {
            Control::Line(attrs_more, max) => {
                format!("<input {attrs}{attrs_more} maxlength=\"{max}\" value=\"{value}\">")
            }
            Control::Lines(attrs_more, max, rows) => format!(
                "<textarea {attrs}{attrs_more} rows=\"{rows}\" maxlength=\"{max}\">{value}</textarea>"
            ),
            Control::Region => {
                let typed = self.typed.get(name).unwrap_or_default().trim();
                let options: String = (region::all().iter())
                    .map(|r| {
                        let selected = if r.code.eq_ignore_ascii_case(typed) {
                            " selected"
                        } else {
                            ""
                        };
                        let name = pick(&r.name, self.lang, &Lang::ALL).cloned();
                        format!(
                            "<option value=\"{}\"{selected}>{}</option>\n",
                            r.code,
                            escape(&name.unwrap_or_default())
                        )
                    })
                    .collect();
                format!(
                    "<select {attrs}>\n<option value=\"\">{}</option>\n{options}</select>",
                    self.t("form.choose_region")
                )
            }
            Control::Provinces(region) => {
                let typed = self.typed.get(name).unwrap_or_default().trim();
                let options: String = geography::provinces_of(region)
                    .map(|p| {
                        let selected = if p.code == typed { " selected" } else { "" };
                        format!(
                            "<option value=\"{}\"{selected}>{}</option>\n",
                            escape(&p.code),
                            escape(name_in(&p.name, self.lang))
                        )
                    })
                    .collect();
                format!(
                    "<select {attrs}>\n<option value=\"\">{}</option>\n{options}</select>",
                    self.t("form.choose_province")
                )
            }
            Control::Tick(..) => String::new(),
        }
    }

    /// The consent box, labelled by the string `sentence_key`, with a link to the notice at
    /// `url` labelled by the string `link_key`.
    fn consent(&mut self, sentence_key: &str, url: Option<&str>, link_key: &str) {
        let link = url
            .map(|url| format!(" <a href=\"{}\">{}</a>", escape(url), self.t(link_key)))
            .unwrap_or_default();
        self.field(&Field {
            name: "consent",
            control: Control::Tick(format!("{}{link}", self.t(sentence_key)), None),
            required: true,
            help: None,
        });
    }

    /// The hidden field robots fill, and the button.
    fn end(&mut self, submit: &str) {
        let _ = write!(
            self.html,
            "<div class=\"hp\">\n<label for=\"website\">{}</label>\n\
             <input id=\"website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\">\n</div>\n\
             <button type=\"submit\">{}</button>\n</form>\n",
            self.t("form.honeypot"),
            self.t(submit),
        );
    }

    /// The whole page: the form's title (the string `key`) and what it concerns, above the
    /// summary and the form.
    fn finish(self, key: &str) -> String {
        let heading = format!("{} · {}", text(self.lang, key), self.title);
        let title = format!("{} {}", self.t("errors.prefix"), escape(&heading));
        let main = format!(
            "<div class=\"result-page error form-again\" data-code=\"{}\">\n<h1>{}</h1>\n{}</div>\n",
            self.problems.code.as_str(),
            escape(&heading),
            self.html
        );
        bare_page(self.lang, &title, &main)
    }
}

/// The signing form of `entry` in `lang` with what was `typed`, refused for `problems`.
pub(crate) fn sign(
    lang: Lang,
    entry: &Entry,
    typed: &Fields,
    problems: &Problems,
    frame: Option<&PageFrame>,
) -> String {
    let (Details::Petition(init) | Details::Motion(init)) = &entry.details else {
        return String::new();
    };
    let target = &init.target;
    let mut p = Page::begin((lang, typed, problems), entry, "sign", "initiative");
    let mut fields = vec![
        Field::new(
            "first_name",
            Control::Line(" autocomplete=\"given-name\"", MAX_NAME),
        ),
        Field::new(
            "family_name",
            Control::Line(" autocomplete=\"family-name\"", MAX_NAME),
        ),
        Field {
            help: Some("form.cin_help"),
            ..Field::new(
                "cin",
                Control::Line(
                    " dir=\"ltr\" autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\"",
                    MAX_CIN,
                ),
            )
        },
        Field::new(
            "address",
            Control::Lines(" autocomplete=\"street-address\"", MAX_ADDRESS, 2),
        ),
        Field::new("region", Control::Region),
        Field {
            help: Some("form.contact_help"),
            ..Field::new(
                "contact",
                Control::Line(" dir=\"ltr\" spellcheck=\"false\"", MAX_EMAIL),
            )
        },
    ];
    // A region council's petition asks from which of its prefectures and provinces: the law
    // needs a share of the signatures from each. A province or commune council's is its own.
    if target.authority == Authority::Region
        && let Some(region) = &target.region
    {
        fields.push(Field::new("province", Control::Provinces(region.clone())));
    }
    for f in &fields {
        p.field(f);
    }
    let territory = target.territory(lang);
    let _ = write!(
        p.html,
        "<fieldset>\n<legend>{}</legend>\n",
        p.t("form.attestations")
    );
    for a in attestations(target.authority) {
        let key = match a {
            Attestation::Electoral => "form.attest_electoral",
            Attestation::Local => "form.attest_local",
        };
        let label = escape(&text(lang, key).replace("{territory}", &territory));
        // The local box of a province or commune council sends the code of the territory it
        // attests; the others the browser's `on`.
        let value = match a {
            Attestation::Local => target.attested_code().unwrap_or("on"),
            Attestation::Electoral => "on",
        };
        p.field(&Field {
            name: a.field(),
            control: Control::Tick(label, Some(value.to_string())),
            required: true,
            help: None,
        });
    }
    let privacy = frame.and_then(|f| f.privacy_url.as_deref());
    p.consent("form.consent", privacy, "form.privacy_link");
    p.html.push_str("</fieldset>\n");
    p.end("form.submit_sign");
    p.finish("form.sign_title")
}

/// The comment form of `entry` (a consultation) in `lang` with what was `typed`, refused for
/// `problems`: the same section, the text kept; `max` is the longest text taken.
pub(crate) fn comment(
    (lang, entry, max): (Lang, &Entry, usize),
    typed: &Fields,
    problems: &Problems,
    frame: Option<&PageFrame>,
) -> String {
    let mut p = Page::begin((lang, typed, problems), entry, "comment", "consultation");
    if let Some(section) = typed.get("section").filter(|s| !s.trim().is_empty()) {
        p.hidden("section", section);
    }
    p.field(&Field {
        help: Some("form.comment_help"),
        ..Field::new("text", Control::Lines("", max, 4))
    });
    p.field(&Field {
        required: false,
        help: Some("form.display_name_help"),
        ..Field::new(
            "display_name",
            Control::Line(" autocomplete=\"nickname\"", MAX_DISPLAY_NAME),
        )
    });
    let terms = frame.and_then(|f| f.terms_url.as_deref());
    p.consent("form.comment_consent", terms, "form.terms_link");
    p.end("form.submit_comment");
    p.finish("form.comment_title")
}

#[cfg(test)]
mod tests {
    use super::sign;
    use crate::form::{Fields, Problems};
    use musharaka_model::Lang;
    use musharaka_model::catalog::{Details, Entry, Initiative};
    use musharaka_model::outcome::Code;
    use musharaka_model::state::InitiativeState;
    use musharaka_model::target::{Authority, Codes, Target};

    fn entry(target: Target) -> Entry {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+01:00").unwrap();
        Entry {
            id: "p-1".into(),
            details: Details::Petition(Initiative {
                target,
                threshold: 300,
                per_province: None,
                state: InitiativeState::Collecting,
                decided: None,
                erase_by: None,
                per_contact: 3,
            }),
            opens: at,
            closes: at,
            title: Default::default(),
            url: Default::default(),
        }
    }

    /// The form sent back in `lang` for `target`, what was typed `body`, refused for `problem`.
    fn page(lang: Lang, target: Target, body: &str, problem: (&'static str, Code)) -> String {
        let typed = Fields::parse(Some("application/x-www-form-urlencoded"), body.as_bytes())
            .expect("a form");
        let mut problems = Problems::default();
        problems.add(problem.0, problem.1);
        sign(lang, &entry(target), &typed, &problems, None)
    }

    #[test]
    fn a_commune_petition_names_its_commune_and_sends_its_code() {
        let codes = Codes {
            commune: Some("07.041.07.03"),
            ..Codes::default()
        };
        let asni = Target::from_codes(Authority::Commune, codes).unwrap();
        let html = page(
            Lang::Fr,
            asni.clone(),
            "attest_local=07.041.07.01",
            ("attest_local", Code::NotEligible),
        );
        assert!(html.contains("Asni (Al Haouz)"), "{html}");
        assert!(
            html.contains("name=\"attest_local\" aria-required=\"true\" aria-invalid=\"true\" aria-describedby=\"attest_local-error\" value=\"07.041.07.03\">"),
            "another commune's code leaves the box unticked: {html}"
        );
        assert!(html.contains("name=\"attest_electoral\" aria-required=\"true\" value=\"on\">"));
        assert!(!html.contains("id=\"province\"") && !html.contains("id=\"commune\""));
        let html = page(
            Lang::Ar,
            asni,
            "attest_local=07.041.07.03",
            ("consent", Code::ConsentRequired),
        );
        assert!(html.contains("اسني (الحوز)"), "{html}");
        assert!(html.contains("value=\"07.041.07.03\" checked>"), "{html}");
    }

    #[test]
    fn a_region_petition_asks_for_one_of_its_provinces() {
        let codes = Codes {
            region: Some("MA-08"),
            ..Codes::default()
        };
        let draa = Target::from_codes(Authority::Region, codes).unwrap();
        let html = page(
            Lang::Fr,
            draa,
            "province=08.587&attest_local=on",
            ("consent", Code::ConsentRequired),
        );
        assert!(
            html.contains("<select id=\"province\" name=\"province\" aria-required=\"true\">\n<option value=\"\">"),
            "{html}"
        );
        assert!(html.contains("<option value=\"08.201\">Errachidia</option>"));
        assert!(html.contains("<option value=\"08.587\" selected>Zagora</option>"));
        assert!(
            !html.contains("value=\"07.041\""),
            "a province of another region"
        );
        assert!(html.contains("value=\"on\" checked>"), "{html}");
    }

    #[test]
    fn a_national_petition_asks_for_no_province() {
        let html = page(
            Lang::Fr,
            Target::new(Authority::HeadOfGovernment),
            "province=08.201",
            ("consent", Code::ConsentRequired),
        );
        assert!(
            !html.contains("id=\"province\"") && !html.contains("name=\"commune\""),
            "{html}"
        );
    }
}
