//! Receipt codes: shown once to a signer, with which they check their signature or withdraw it
//! while the initiative collects. A code is 80 random bits written as 16 Crockford base-32
//! characters in groups of four; the store keeps only its keyed hash, so a copy of the
//! database cannot be used to withdraw anybody's signature. Without JavaScript, the receipt
//! comes as a small page of its own (the code must never travel in a URL).

use crate::messages::text;
use musharaka_model::Lang;
use musharaka_model::catalog::PageFrame;
use musharaka_model::html::escape;
use musharaka_model::outcome::{Code, signature_page_url};

use crate::otp::{ALPHABET, crockford};

/// A new code, like `7KQ2-M9XD-4PNR-T3WA`.
pub(crate) fn new_code() -> String {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the system's random source");
    let bits = bytes
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let chars: Vec<u8> = (0..16)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize])
        .collect();
    chars
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code typed by a person, in its canonical form (upper case, no separators, the
/// look-alike letters read as digits); `None` when it cannot be a code.
pub(crate) fn normalize(typed: &str) -> Option<String> {
    crockford(typed, 16)
}

/// The initiative a receipt belongs to, as a signer reads it.
#[derive(Debug, Clone)]
pub(crate) struct About {
    /// Title in the signer's language.
    pub title: String,
    /// Its page in the signer's language.
    pub url: Option<String>,
    /// When the signature was made, in the signer's language.
    pub signed: String,
}

/// A whole page in `lang` showing the answer `code`, with `body` (HTML) under its text.
pub(crate) fn document(lang: Lang, code: Code, body: &str) -> String {
    let t = |key: &str| escape(&text(lang, key));
    let title = t(&format!("result.{}.title", code.as_str()));
    let main = format!(
        "<div class=\"result-page {ok}\" data-code=\"{code_name}\">\n\
         <h1>{title}</h1>\n<p>{text}</p>\n{body}</div>\n",
        ok = if code.is_success() { "ok" } else { "error" },
        code_name = code.as_str(),
        text = t(&format!("result.{}.text", code.as_str())),
    );
    bare_page(lang, &title, &main)
}

/// A whole page in `lang` titled `title` (HTML) around `main` (HTML), without the site's
/// header and footer: [`framed`] puts them around it when the site published its frame.
pub(crate) fn bare_page(lang: Lang, title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n\
         <link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body>\n\
         <main id=\"main\">\n{main}</main>\n</body>\n</html>\n",
        lang = lang.code(),
        dir = lang.dir().as_str(),
    )
}

/// The page `bare` (of [`bare_page`]) with its title and main content put in the site's own
/// page (header, language links, footer); `bare` itself when it is not such a page.
pub(crate) fn framed(bare: String, frame: &PageFrame) -> String {
    let between = |start: &str, end: &str| {
        let from = bare.find(start)? + start.len();
        let to = from + bare[from..].rfind(end)?;
        Some(&bare[from..to])
    };
    match (
        between("<title>", "</title>"),
        between("<main id=\"main\">\n", "</main>"),
    ) {
        (Some(title), Some(main)) if !title.contains("</title>") => frame.page(title, main),
        _ => bare,
    }
}

pub(crate) fn link(url: &str, label: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(url), escape(label))
}

/// The page a signer without JavaScript gets after signing: the result, the code, and where
/// to use it. `back` is the initiative's page.
pub(crate) fn page(lang: Lang, code: &str, back: Option<&str>) -> String {
    let t = |key: &str| escape(&text(lang, key));
    let back = back
        .map(|url| format!("<p>{}</p>\n", link(url, &text(lang, "receipt.back"))))
        .unwrap_or_default();
    let body = format!(
        "<p>{label} <strong class=\"receipt-code\" dir=\"ltr\">{code}</strong></p>\n\
         <p>{keep}</p>\n<p>{check}</p>\n{back}",
        label = t("receipt.code"),
        code = escape(code),
        keep = t("receipt.keep"),
        check = link(&signature_page_url(lang), &text(lang, "receipt.check_link")),
    );
    document(lang, Code::Signed, &body)
}

/// The lines that say which initiative a receipt belongs to and when it was signed.
fn about_html(lang: Lang, about: &About) -> String {
    let title = match &about.url {
        Some(url) => link(url, &about.title),
        None => escape(&about.title),
    };
    format!(
        "<p>{} {title}</p>\n<p>{}</p>\n",
        escape(&text(lang, "signature.initiative")),
        escape(&text(lang, "signature.signed_on").replace("{date}", &about.signed)),
    )
}

/// The page a signer without JavaScript gets after checking or withdrawing: the answer and
/// the initiative it concerns.
pub(crate) fn answer_page(lang: Lang, code: Code, about: &About) -> String {
    let again = link(&signature_page_url(lang), &text(lang, "signature.title"));
    document(
        lang,
        code,
        &format!("{}<p>{again}</p>\n", about_html(lang, about)),
    )
}

#[cfg(test)]
mod tests {
    use super::{new_code, normalize, page};
    use musharaka_model::Lang;

    #[test]
    fn a_code_reads_back_as_itself_and_forgives_typing() {
        let code = new_code();
        assert_eq!(code.len(), 19);
        let canonical = normalize(&code).unwrap();
        assert_eq!(canonical, code.replace('-', ""));
        assert_eq!(normalize(&code.to_lowercase()), Some(canonical.clone()));
        assert_eq!(
            normalize("7kq2 m9xd 4plr t3wa"),
            normalize("7KQ2-M9XD-4P1R-T3WA")
        );
        assert_eq!(normalize("OOOO-OOOO-OOOO-OOOO").unwrap(), "0".repeat(16));
        assert_eq!(normalize("7KQ2-M9XD"), None);
        assert_eq!(normalize("7KQ2-M9XD-4PLR-T3WU"), None);
        assert_ne!(new_code(), new_code());
    }

    #[test]
    fn the_receipt_page_shows_the_code_in_the_signers_language() {
        let html = page(Lang::Ar, "7KQ2-M9XD-4PNR-T3WA", Some("/ar/petitions/x/"));
        assert!(html.contains("lang=\"ar\" dir=\"rtl\""));
        assert!(html.contains("7KQ2-M9XD-4PNR-T3WA"));
        assert!(html.contains("href=\"/ar/signature/\""));
        assert!(html.contains("href=\"/ar/petitions/x/\""));
        assert!(html.contains("رمز الوصل"));
    }
}

#[cfg(test)]
mod answer_tests {
    use super::{About, answer_page};
    use musharaka_model::Lang;
    use musharaka_model::outcome::Code;

    #[test]
    fn a_checked_receipt_names_its_initiative_escaped() {
        let about = About {
            title: "Eau <potable>".into(),
            url: Some("/fr/petitions/eau/".into()),
            signed: "26 novembre 2026, 12:00".into(),
        };
        let html = answer_page(Lang::Fr, Code::Counted, &about);
        assert!(html.contains("data-code=\"counted\""));
        assert!(html.contains("<a href=\"/fr/petitions/eau/\">Eau &lt;potable&gt;</a>"));
        assert!(html.contains("26 novembre 2026, 12:00"));
    }
}
