//! Localized answers: the same UI strings as the site (`site-theme/i18n/<lang>.toml`),
//! compiled in, so a citizen reads the same words on the result page and in a JSON answer.

use musharaka_model::i18n::Strings;
use musharaka_model::outcome::Code;
use musharaka_model::{Lang, lang::UnknownLang};
use std::sync::OnceLock;

fn strings(lang: Lang) -> &'static Strings {
    static AR: OnceLock<Strings> = OnceLock::new();
    static ZGH: OnceLock<Strings> = OnceLock::new();
    static FR: OnceLock<Strings> = OnceLock::new();
    let parse = |lang, text| Strings::parse(lang, text).expect("site-theme/i18n is valid TOML");
    match lang {
        Lang::Ar => AR.get_or_init(|| parse(lang, include_str!("../../site-theme/i18n/ar.toml"))),
        Lang::Zgh => {
            ZGH.get_or_init(|| parse(lang, include_str!("../../site-theme/i18n/zgh.toml")))
        }
        Lang::Fr => FR.get_or_init(|| parse(lang, include_str!("../../site-theme/i18n/fr.toml"))),
    }
}

/// The message of `code` in `lang`: its title and explanation.
pub(crate) fn message(lang: Lang, code: Code) -> String {
    let s = strings(lang);
    let key = |part: &str| format!("result.{}.{part}", code.as_str());
    match (s.get(&key("title")), s.get(&key("text"))) {
        (Some(title), Some(text)) => format!("{title}. {text}"),
        (Some(title), None) => title.to_string(),
        _ => code.as_str().to_string(),
    }
}

/// The message beside the field `name` of a form whose problem is `code`: it names the field
/// (its short name in `[errors.field]`, else its label on the form) and says what to do.
pub(crate) fn field_error(lang: Lang, name: &str, code: Code) -> String {
    let s = strings(lang);
    let label = (s.get(&format!("errors.field.{name}")))
        .or_else(|| s.get(&format!("form.{name}")))
        .unwrap_or(name);
    match s.get(&format!("errors.{}", code.as_str())) {
        Some(words) => words.replace("{field}", label),
        None => message(lang, code),
    }
}

/// The UI string `key` (`receipt.code`) in `lang`, or the key itself when missing.
pub(crate) fn text(lang: Lang, key: &str) -> String {
    strings(lang)
        .get(key)
        .map_or_else(|| key.to_string(), str::to_string)
}

/// "12 signatures" in `lang`, with the right plural form.
pub(crate) fn count_text(lang: Lang, n: u64) -> String {
    strings(lang)
        .plural("count.signatures", n)
        .unwrap_or_else(|| n.to_string())
}

/// The language of a form: the `lang` field, else the query, else the first language of
/// `Accept-Language` the portal has, else Arabic.
pub(crate) fn pick_lang(field: Option<&str>, query: Option<&str>, accept: Option<&str>) -> Lang {
    let parse = |s: &str| -> Result<Lang, UnknownLang> { s.trim().parse() };
    field
        .and_then(|f| parse(f).ok())
        .or_else(|| query.and_then(|q| parse(q).ok()))
        .or_else(|| {
            accept?.split(',').find_map(|part| {
                let tag = part.split(';').next()?.trim();
                parse(tag.split('-').next()?).ok()
            })
        })
        .unwrap_or(Lang::Ar)
}

#[cfg(test)]
mod tests {
    use super::{message, pick_lang};
    use musharaka_model::Lang;
    use musharaka_model::outcome::Code;

    #[test]
    fn every_code_has_a_message_in_every_language() {
        for lang in Lang::ALL {
            for code in Code::ALL {
                let m = message(lang, code);
                assert_ne!(m, code.as_str(), "{lang}: no message for {}", code.as_str());
            }
        }
        assert!(message(Lang::Ar, Code::AlreadySigned).contains("سبق لك التوقيع"));
    }

    #[test]
    fn the_form_language_wins_then_the_query_then_the_browser() {
        assert_eq!(pick_lang(Some("zgh"), Some("fr"), None), Lang::Zgh);
        assert_eq!(pick_lang(Some("xx"), Some("fr"), None), Lang::Fr);
        assert_eq!(pick_lang(None, None, Some("en-GB,fr-MA;q=0.8")), Lang::Fr);
        assert_eq!(pick_lang(None, None, None), Lang::Ar);
    }
}
