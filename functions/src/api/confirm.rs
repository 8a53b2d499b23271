//! `POST /api/confirm`: the signer types the one-time code sent to them (`do=confirm`), asks
//! for a new one (`do=resend`), or contests the signature counted with their CIN from another
//! contact (`do=contest`). Only a confirmation counts a signature; whether the CIN had already
//! signed is told here, to the contact that just proved it is theirs.

use super::sign::{path_of, receipt_key};
use super::{AppState, ConfirmInfo, Outcome, refusal_code, store_failed};
use crate::form::Fields;
use crate::notify::{Body, Message};
use crate::otp;
use crate::receipt;
use crate::store::{Confirmation, Confirmed, Pending, RequestState};
use chrono::{DateTime, Duration, Utc};
use musharaka_model::Lang;
use musharaka_model::catalog::Details;
use musharaka_model::outcome::Code;
use musharaka_model::signing::{CODE_MINUTES, MAX_ATTEMPTS, MAX_RESENDS, resend_delay};

pub(super) async fn confirm_outcome(state: &AppState, fields: &Fields, lang: Lang) -> Outcome {
    if fields.is_robot() {
        return Code::BadRequest.into();
    }
    let typed = fields.get("reference").map(str::trim).unwrap_or_default();
    if typed.is_empty() {
        return Code::MissingField.into();
    }
    let Some(reference) = otp::normalize_reference(typed) else {
        return Code::UnknownRequest.into();
    };
    let pending = match state.store.pending(&reference).await {
        Ok(Some(p)) => p,
        Ok(None) => return Code::UnknownRequest.into(),
        Err(e) => return store_failed(&e),
    };
    let now = Utc::now();
    let initiative = pending.initiative.clone();
    let with_form = |code: Code, typed_code: Option<String>| Outcome {
        subject: Some(initiative.clone()),
        confirm: Some(ConfirmInfo {
            reference: reference.clone(),
            to: None,
            url: String::new(),
            code: typed_code,
        }),
        ..code.into()
    };
    if fields.get("do") == Some("resend") {
        return match resend(state, &reference, &pending, now).await {
            Ok(code) => with_form(code, None),
            Err(o) => o,
        };
    }
    let typed_code = fields.get("code").map(str::trim).unwrap_or_default();
    if typed_code.is_empty() {
        return with_form(Code::MissingField, None);
    }
    let Some(code) = otp::normalize_code(typed_code) else {
        return with_form(Code::WrongCode, None);
    };
    let hash = otp::code_hash(&state.settings.secrets, &reference, &code);
    if fields.get("do") == Some("contest") {
        return contest(state, &reference, &pending, &hash, now).await;
    }
    let mut pending = pending;
    // A confirmation that lost a race with another one reads the request again, once.
    for _ in 0..2 {
        if let Some(code) = settled(&pending, &hash, now) {
            let contest = (code == Code::CinTaken).then(|| code_of(typed_code));
            if code == Code::WrongCode && pending.state == RequestState::Pending {
                if let Err(e) = state.store.wrong_code(&reference).await {
                    return store_failed(&e);
                }
                if pending.attempts + 1 >= MAX_ATTEMPTS {
                    return with_form(Code::Locked, None);
                }
            }
            return with_form(code, contest.flatten());
        }
        if let Ok(outcome) = confirm(state, &reference, &pending, (&hash, &code), lang, now).await {
            return outcome;
        }
        pending = match state.store.pending(&reference).await {
            Ok(Some(p)) => p,
            Ok(None) => return Code::UnknownRequest.into(),
            Err(e) => return store_failed(&e),
        };
    }
    Code::Unavailable.into()
}

fn code_of(typed: &str) -> Option<String> {
    otp::normalize_code(typed)
}

/// The answer to a code for a request that can no longer be confirmed as new, or whose code is
/// wrong or stale; `None` when the confirmation should go ahead.
fn settled(p: &Pending, hash: &str, now: DateTime<Utc>) -> Option<Code> {
    let right = p.code == hash;
    match p.state {
        RequestState::Pending if p.attempts >= MAX_ATTEMPTS => Some(Code::Locked),
        RequestState::Pending if !right => Some(Code::WrongCode),
        RequestState::Pending if p.code_expires <= now.timestamp() => Some(Code::CodeExpired),
        RequestState::Pending => None,
        _ if !right => Some(Code::WrongCode),
        RequestState::Counted | RequestState::Same => Some(Code::AlreadySigned),
        RequestState::Other => Some(Code::CinTaken),
        RequestState::Contested => Some(Code::Contested),
    }
}

/// The confirmation proper; `Err` when the request changed meanwhile.
async fn confirm(
    state: &AppState,
    reference: &str,
    pending: &Pending,
    (hash, typed): (&str, &str),
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Outcome, ()> {
    let subject = Some(pending.initiative.clone());
    let entry = match state.entry(&pending.initiative).await {
        Ok(Some(e)) => e,
        Ok(None) => return Ok(Code::UnknownRequest.into()),
        Err(e) => return Ok(store_failed(&e)),
    };
    let (Details::Petition(init) | Details::Motion(init)) = &entry.details else {
        return Ok(Code::WrongKind.into());
    };
    let receipt_code = receipt::new_code();
    let confirmation = Confirmation {
        code: hash.to_string(),
        receipt: receipt_key(state, &receipt_code),
        per_contact: init.per_contact,
    };
    let with_subject = |code: Code| Outcome {
        subject: subject.clone(),
        ..code.into()
    };
    Ok(
        match state.store.confirm(reference, &confirmation, now).await {
            Ok(Confirmed::Counted(count)) => {
                let back = entry.url.get(&lang).map(|url| path_of(url).to_string());
                Outcome {
                    count,
                    receipt: Some((receipt_code, back)),
                    ..with_subject(Code::Signed)
                }
            }
            Ok(Confirmed::SameContact) => with_subject(Code::AlreadySigned),
            Ok(Confirmed::OtherContact) => Outcome {
                confirm: Some(ConfirmInfo {
                    reference: reference.to_string(),
                    to: None,
                    url: String::new(),
                    code: Some(typed.to_string()),
                }),
                ..with_subject(Code::CinTaken)
            },
            Ok(Confirmed::ContactLimit) => with_subject(Code::ContactLimit),
            Ok(Confirmed::Changed) => return Err(()),
            Ok(Confirmed::NotFound) => with_subject(Code::UnknownRequest),
            Ok(Confirmed::Refused(r)) => with_subject(refusal_code(r)),
            Err(e) => store_failed(&e),
        },
    )
}

/// A new code for the request, within the resend limits.
async fn resend(
    state: &AppState,
    reference: &str,
    p: &Pending,
    now: DateTime<Utc>,
) -> Result<Code, Outcome> {
    if p.state != RequestState::Pending {
        return Err(Code::UnknownRequest.into());
    }
    if p.attempts >= MAX_ATTEMPTS {
        return Ok(Code::Locked);
    }
    if p.resends >= MAX_RESENDS {
        return Ok(Code::ResendLimit);
    }
    let wait = p.sent + resend_delay(p.resends) - now.timestamp();
    if wait > 0 {
        return Err(Outcome {
            retry_after: Some(wait as u64),
            confirm: Some(ConfirmInfo {
                reference: reference.to_string(),
                to: None,
                url: String::new(),
                code: None,
            }),
            ..Code::ResendTooSoon.into()
        });
    }
    let s = &state.settings.secrets;
    let context = format!("{}#{}", p.initiative, p.signer);
    let personal: serde_json::Value = match s
        .open(&p.sealed, context.as_bytes())
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
    {
        Some(v) => v,
        None => return Err(Code::UnknownRequest.into()),
    };
    let Some(to) = personal["contact"].as_str() else {
        return Err(Code::UnknownRequest.into());
    };
    let title = match state.entry(&p.initiative).await {
        Ok(Some(e)) => musharaka_model::lang::pick(&e.title, p.lang, &Lang::ALL)
            .cloned()
            .unwrap_or_else(|| p.initiative.clone()),
        Ok(None) => return Err(Code::UnknownRequest.into()),
        Err(e) => return Err(store_failed(&e)),
    };
    let code = otp::new_code();
    let message = Message {
        to: to.to_string(),
        lang: p.lang,
        body: Body::Code {
            code: code.clone(),
            reference: reference.to_string(),
            title,
        },
    };
    let outgoing = match message.seal(s, format!("{reference}-{}", p.resends + 1)) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "sealing failed");
            return Err(Code::Unavailable.into());
        }
    };
    let hash = otp::code_hash(s, reference, &code);
    let expires = (now + Duration::minutes(CODE_MINUTES)).timestamp();
    match state
        .store
        .resend(reference, p.resends, &hash, expires, &outgoing, now)
        .await
    {
        Ok(true) => Ok(Code::Resent),
        // Another resend came first: its code is on its way.
        Ok(false) => Ok(Code::ResendTooSoon),
        Err(e) => Err(store_failed(&e)),
    }
}

/// A contest of the signature counted with this request's CIN from another contact.
async fn contest(
    state: &AppState,
    reference: &str,
    p: &Pending,
    hash: &str,
    now: DateTime<Utc>,
) -> Outcome {
    if p.code != hash {
        return Code::WrongCode.into();
    }
    let code = match p.state {
        RequestState::Contested => Code::Contested,
        RequestState::Other => match state.store.contest(reference, now).await {
            Ok(true) => Code::Contested,
            // The signature was withdrawn or struck meanwhile: nothing left to contest.
            Ok(false) => Code::UnknownRequest,
            Err(e) => return store_failed(&e),
        },
        _ => Code::UnknownRequest,
    };
    Outcome {
        subject: Some(p.initiative.clone()),
        ..code.into()
    }
}
