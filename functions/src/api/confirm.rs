//! `POST /api/confirm`: the signer types the one-time code sent to them (`do=confirm`), asks
//! for a new one (`do=resend`), or contests the signature counted with their CIN from another
//! contact (`do=contest`). Only a confirmation counts a signature; whether the CIN had already
//! signed is told here, to the contact that just proved it is theirs.

use super::sign::{path_of, receipt_key};
use super::{
    ApiRoute, AppState, ConfirmInfo, Form, Lambda, Outcome, refusal_code, store_failed, typed,
};
use crate::client::ClientAddr;
use crate::form::Fields;
use crate::notify::{Body, Message};
use crate::otp;
use crate::personal::PersonalData;
use crate::receipt;
use crate::store::{Confirmation, Confirmed, Pending, RequestState};
use chrono::{DateTime, Duration, Utc};
use musharaka_model::Lang;
use musharaka_model::outcome::Code;
use musharaka_model::signing::{CODE_MINUTES, MAX_ATTEMPTS, MAX_RESENDS, resend_delay};

/// `POST /api/confirm`, on the `sign` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Confirm>("/api/confirm", Lambda::Sign);

struct Confirm;

impl Form for Confirm {
    const NAME: &'static str = "confirm";

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        _client: &ClientAddr,
    ) -> Outcome {
        let typed = match typed(fields, "reference") {
            Ok(t) => t,
            Err(code) => return code.into(),
        };
        let Some(reference) = otp::normalize_reference(typed) else {
            return Code::UnknownRequest.into();
        };
        let now = Utc::now();
        let with_form = |code: Code, initiative: &str, typed_code: Option<String>| Outcome {
            subject: Some(initiative.to_string()),
            confirm: Some(ConfirmInfo {
                reference: reference.clone(),
                to: None,
                url: String::new(),
                code: typed_code,
            }),
            ..code.into()
        };
        let action = fields.get("do").unwrap_or("confirm");
        let code = fields.get("code").map(str::trim).unwrap_or_default();
        let hash = otp::normalize_code(code).map(|code| {
            (
                otp::code_hash(&state.settings.secrets, &reference, &code),
                code,
            )
        });
        // The common case first: the right code for a pending request, confirmed in one step.
        if action == "confirm"
            && let Some((hash, code)) = &hash
            && let Some(outcome) = confirm(state, &reference, (hash, code), lang, now).await
        {
            return outcome;
        }
        // Otherwise the request tells what to answer.
        let pending = match state.store.pending(&reference).await {
            Ok(Some(p)) => p,
            Ok(None) => return Code::UnknownRequest.into(),
            Err(e) => return store_failed(&e),
        };
        let initiative = pending.initiative.clone();
        if action == "resend" {
            return match resend(state, &reference, &pending, now).await {
                Ok(code) => with_form(code, &initiative, None),
                Err(o) => o,
            };
        }
        let Some((hash, code)) = hash else {
            let answer = if code.is_empty() {
                Code::MissingField
            } else {
                Code::WrongCode
            };
            return with_form(answer, &initiative, None);
        };
        if action == "contest" {
            return contest(state, &reference, &pending, &hash, now).await;
        }
        // The request changed meanwhile (another confirmation won), or the code is wrong or stale.
        let answer = settled(&pending, &hash, now).unwrap_or(Code::UnknownRequest);
        if answer == Code::WrongCode {
            if let Err(e) = state.store.wrong_code(&reference).await {
                return store_failed(&e);
            }
            if pending.attempts + 1 >= MAX_ATTEMPTS {
                return with_form(Code::Locked, &initiative, None);
            }
        }
        let contest_code = (answer == Code::CinTaken).then_some(code);
        with_form(answer, &initiative, contest_code)
    }
}

/// The answer to a code for a request that can no longer be confirmed as new, or whose code is
/// wrong or stale; `None` when the confirmation should go ahead.
fn settled(p: &Pending, hash: &str, now: DateTime<Utc>) -> Option<Code> {
    let right = p.code == hash;
    if p.attempts >= MAX_ATTEMPTS {
        return Some(Code::Locked);
    }
    match p.state {
        RequestState::Pending if !right => Some(Code::WrongCode),
        RequestState::Pending if p.code_expires <= now.timestamp() => Some(Code::CodeExpired),
        RequestState::Pending => None,
        _ if !right => Some(Code::WrongCode),
        RequestState::Counted | RequestState::Same => Some(Code::AlreadySigned),
        RequestState::Other => Some(Code::CinTaken),
        RequestState::Contested => Some(Code::Contested),
    }
}

/// The confirmation proper; `None` when the request cannot be confirmed as it stands (unknown,
/// changed, wrong or stale code), for the request itself to tell why.
async fn confirm(
    state: &AppState,
    reference: &str,
    (hash, typed): (&str, &str),
    lang: Lang,
    now: DateTime<Utc>,
) -> Option<Outcome> {
    let receipt_code = receipt::new_code();
    let confirmation = Confirmation {
        code: hash.to_string(),
        receipt: receipt_key(state, &receipt_code),
    };
    let confirmed = match state.store.confirm(reference, &confirmation, now).await {
        Ok(c) => c,
        Err(e) => return Some(store_failed(&e)),
    };
    let code = match confirmed {
        Confirmed::Counted(initiative, count) => {
            let back = match state.entry(&initiative).await {
                Ok(Some(entry)) => entry.url.get(&lang).map(|url| path_of(url).to_string()),
                _ => None,
            };
            return Some(Outcome {
                count,
                receipt: Some((receipt_code, back)),
                subject: Some(initiative),
                ..Code::Signed.into()
            });
        }
        Confirmed::OtherContact => {
            return Some(Outcome {
                confirm: Some(ConfirmInfo {
                    reference: reference.to_string(),
                    to: None,
                    url: String::new(),
                    code: Some(typed.to_string()),
                }),
                ..Code::CinTaken.into()
            });
        }
        Confirmed::SameContact => Code::AlreadySigned,
        Confirmed::ContactLimit => Code::ContactLimit,
        Confirmed::Refused(r) => refusal_code(r),
        Confirmed::Changed | Confirmed::NotFound => return None,
    };
    Some(code.into())
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
    let Some(personal) = PersonalData::open(s, &p.sealed, &p.initiative, &p.signer).ok() else {
        return Err(Code::UnknownRequest.into());
    };
    let Some(to) = personal.contact() else {
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
    if p.attempts >= MAX_ATTEMPTS {
        return Code::Locked.into();
    }
    if p.code != hash {
        // Wrong codes lock a request that may contest as they lock a pending one.
        return match state.store.wrong_code(reference).await {
            Ok(()) => Code::WrongCode.into(),
            Err(e) => store_failed(&e),
        };
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
