//! The pages a signer without JavaScript gets while confirming: the form to type the code
//! (with the request's reference already in it), again after a wrong or stale code, and the
//! form to contest a signature counted with their CIN from another contact. The code never
//! travels in a URL: these pages answer the POST itself.

use crate::messages::text;
use crate::receipt::document;
use musharaka_model::Lang;
use musharaka_model::html::escape;
use musharaka_model::outcome::{Code, confirm_page_url};

/// The form to type the code of request `reference`; `to` is the masked contact the code went to.
pub(crate) fn form(lang: Lang, code: Code, reference: &str, to: Option<&str>) -> String {
    let t = |key: &str| escape(&text(lang, key));
    // The answer's own text already says that the message may take a moment.
    let sent = to
        .map(|to| {
            format!(
                "<p>{}</p>\n",
                t("confirm.sent_to")
                    .replace("{to}", &format!("<bdi dir=\"ltr\">{}</bdi>", escape(to)))
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{sent}<form method=\"post\" action=\"/api/confirm?lang={lang}\" class=\"confirm-form\">\n\
         <input type=\"hidden\" name=\"lang\" value=\"{lang}\">\n\
         <input type=\"hidden\" name=\"reference\" value=\"{reference}\">\n\
         <p>{ref_label} <bdi class=\"receipt-code\" dir=\"ltr\">{reference}</bdi></p>\n\
         <div class=\"field\">\n<label for=\"code\">{code_label}</label>\n\
         <input id=\"code\" name=\"code\" dir=\"ltr\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
         pattern=\"[0-9 ]*\" maxlength=\"8\" aria-describedby=\"code-help\" aria-required=\"true\">\n\
         <p class=\"help\" id=\"code-help\">{code_help}</p>\n</div>\n\
         <div class=\"actions\">\n<button type=\"submit\" name=\"do\" value=\"confirm\">{submit}</button>\n\
         <button type=\"submit\" name=\"do\" value=\"resend\" class=\"secondary\">{resend}</button>\n\
         </div>\n</form>\n",
        lang = lang.code(),
        reference = escape(reference),
        ref_label = t("confirm.reference"),
        code_label = t("confirm.code"),
        code_help = t("confirm.code_help"),
        submit = t("confirm.submit"),
        resend = t("confirm.resend"),
    );
    document(lang, code, &body)
}

/// The form to contest the signature counted with the CIN of request `reference`, whose code
/// the signer has just proved they received.
pub(crate) fn contest(lang: Lang, reference: &str, code: &str) -> String {
    let t = |key: &str| escape(&text(lang, key));
    let body = format!(
        "<form method=\"post\" action=\"/api/confirm?lang={lang}\" class=\"contest-form\">\n\
         <input type=\"hidden\" name=\"lang\" value=\"{lang}\">\n\
         <input type=\"hidden\" name=\"reference\" value=\"{reference}\">\n\
         <input type=\"hidden\" name=\"code\" value=\"{code}\">\n\
         <button type=\"submit\" name=\"do\" value=\"contest\">{contest}</button>\n\
         </form>\n<p><a href=\"{again}\">{title}</a></p>\n",
        lang = lang.code(),
        reference = escape(reference),
        code = escape(code),
        contest = t("confirm.contest"),
        again = confirm_page_url(lang),
        title = t("confirm.title"),
    );
    document(lang, Code::CinTaken, &body)
}

#[cfg(test)]
mod tests {
    use super::{contest, form};
    use musharaka_model::Lang;
    use musharaka_model::outcome::Code;

    #[test]
    fn the_confirmation_form_carries_the_reference_and_the_masked_contact() {
        let html = form(Lang::Ar, Code::CodeSent, "K7Q2M9XD", Some("+212 6••••••78"));
        assert!(html.contains("lang=\"ar\" dir=\"rtl\""));
        assert!(html.contains("name=\"reference\" value=\"K7Q2M9XD\""));
        assert!(html.contains("<bdi dir=\"ltr\">+212 6••••••78</bdi>"));
        assert!(html.contains("action=\"/api/confirm?lang=ar\""));
        assert!(html.contains("data-code=\"code-sent\""));
    }

    #[test]
    fn the_contest_form_posts_the_code_it_was_given() {
        let html = contest(Lang::Fr, "K7Q2M9XD", "042917");
        assert!(html.contains("name=\"code\" value=\"042917\""));
        assert!(html.contains("value=\"contest\""));
        assert!(html.contains("data-code=\"cin-taken\""));
    }
}
