//! `POST /api/sign`: a signing request, checked against the stored catalog, sealed and stored
//! as pending with the message that carries its one-time code. Every well-formed request gets
//! the same answer, "a code was sent", whether or not its CIN already signed: that is told at
//! confirmation, to the verified contact only.

use super::{
    ApiRoute, AppState, ConfirmInfo, Form, Lambda, Outcome, refusal_code, refused, store_failed,
};
use crate::client::ClientAddr;
use crate::form::{Fields, SignForm};
use crate::form_page;
use crate::notify::{Body, Message};
use crate::otp;
use crate::store::{NewRequest, NewSignature, Outgoing, Requested};
use chrono::{DateTime, Duration, Utc};
use musharaka_model::Lang;
use musharaka_model::catalog::{Details, Entry};
use musharaka_model::outcome::{Code, confirm_page_url};
use musharaka_model::signing::{CODE_MINUTES, PENDING_HOURS};

/// `POST /api/sign`, on the `sign` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Sign>("/api/sign", Lambda::Sign);

struct Sign;

impl Form for Sign {
    const NAME: &'static str = "sign";

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        client: &ClientAddr,
    ) -> Outcome {
        if fields.is_robot() {
            return Code::BadRequest.into();
        }
        let initiative = match musharaka_model::signer::id_field(fields.get("initiative")) {
            Ok(id) => id,
            Err(code) => return code.into(),
        };
        let with_subject = |code: Code| Outcome {
            subject: Some(initiative.clone()),
            ..code.into()
        };
        let entry = match state.entry(&initiative).await {
            Ok(Some(e)) => e,
            Ok(None) => return with_subject(Code::NotFound),
            Err(e) => return store_failed(&e),
        };
        let (Details::Petition(init) | Details::Motion(init)) = &entry.details else {
            return with_subject(Code::WrongKind);
        };
        let form = match SignForm::from_fields(fields, &initiative, &init.target) {
            Ok(f) => f,
            Err(problems) => {
                let frame = state.frame(lang).await;
                let page = form_page::sign(lang, &entry, fields, &problems, frame.as_deref());
                return Outcome {
                    subject: Some(initiative.clone()),
                    ..refused(lang, &problems, page)
                };
            }
        };
        let now = Utc::now();
        let reference = otp::new_reference();
        let Some((request, outgoing)) =
            sealed_request(state, &form, &entry, &reference, lang, client, now)
        else {
            return Code::Unavailable.into();
        };
        let per_day = state.settings.per_contact_day;
        match state.store.request(&request, &outgoing, per_day, now).await {
            Ok(Requested::Done) => Outcome {
                confirm: Some(to_confirm(reference, &form, lang)),
                ..with_subject(Code::CodeSent)
            },
            Ok(Requested::ContactLimit) => with_subject(Code::ContactLimit),
            Ok(Requested::NotFound) => with_subject(Code::NotFound),
            Ok(Requested::Refused(r)) => with_subject(refusal_code(r)),
            Err(e) => store_failed(&e),
        }
    }
}

/// The pending request of `form`, its personal data sealed, with the message that carries its
/// one-time code; `None` when sealing failed.
fn sealed_request(
    state: &AppState,
    form: &SignForm,
    entry: &Entry,
    reference: &str,
    lang: Lang,
    client: &ClientAddr,
    now: DateTime<Utc>,
) -> Option<(NewRequest, Outgoing)> {
    let s = &state.settings.secrets;
    let code = otp::new_code();
    let signer = s.keyed_hash(&[&form.initiative, &form.person.cin]);
    let title = musharaka_model::lang::pick(&entry.title, lang, &Lang::ALL)
        .cloned()
        .unwrap_or_else(|| form.initiative.clone());
    let message = Message {
        to: form.person.contact.as_str().to_string(),
        lang,
        body: Body::Code {
            code: code.clone(),
            reference: reference.to_string(),
            title,
        },
    };
    let sealed = form
        .person
        .personal_data(&now.to_rfc3339(), lang)
        .seal(s, &form.initiative, &signer)
        .and_then(|sealed| Ok((sealed, message.seal(s, format!("{reference}-0"))?)));
    let (sealed, outgoing) = match sealed {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, "sealing failed");
            return None;
        }
    };
    // A region council's petition is counted by province too: the law asks for a share of
    // its signatures from each of them.
    let count_key = match &entry.details {
        Details::Petition(init) | Details::Motion(init) => init
            .target
            .count_key(&form.person.region, form.person.province.as_deref()),
        Details::Consultation(_) => form.person.region.clone(),
    };
    let request = NewRequest {
        code: otp::code_hash(s, reference, &code),
        code_expires: (now + Duration::minutes(CODE_MINUTES)).timestamp(),
        expires: (now + Duration::hours(PENDING_HOURS)).timestamp(),
        reference: reference.to_string(),
        signature: NewSignature {
            initiative: form.initiative.clone(),
            signer,
            region: count_key,
            lang,
            sealed,
            receipt: String::new(),
            expires: 0,
            contact: s.keyed_hash(&["contact", form.person.contact.as_str()]),
            group: form.person.contact.group(),
            client: s.keyed_hash(&["client", &client.0]),
        },
    };
    Some((request, outgoing))
}

/// The request to confirm: its reference, and the contact its code went to, masked, which the
/// confirmation page also finds in its fragment.
fn to_confirm(reference: String, form: &SignForm, lang: Lang) -> ConfirmInfo {
    ConfirmInfo {
        url: format!(
            "{}#{}",
            confirm_page_url(lang),
            serde_urlencoded::to_string([
                ("r", reference.as_str()),
                ("to", form.person.contact.masked().as_str()),
            ])
            .unwrap_or_default()
        ),
        to: Some(form.person.contact.masked()),
        reference,
        code: None,
    }
}

/// The keyed hash under which the store knows receipt `code` (canonical form).
pub(super) fn receipt_key(state: &AppState, code: &str) -> String {
    let canonical = crate::receipt::normalize(code).unwrap_or_default();
    state.settings.secrets.keyed_hash(&["receipt", &canonical])
}

/// The path of an absolute URL (`https://host/ar/x/` gives `/ar/x/`).
pub(super) fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}
