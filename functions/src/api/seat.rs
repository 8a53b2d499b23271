//! `POST /api/seat`: a person proposing or joining a committee types the one-time code sent to
//! them; once it is right their seat is taken and they get their private code, shown once.

use super::{ApiRoute, AppState, Form, Lambda, Outcome, View, store_failed, typed};
use crate::client::ClientAddr;
use crate::committee::key_hash;
use crate::committee_page;
use crate::form::Fields;
use crate::otp;
use crate::store::Seated;
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::outcome::{Code, committee_page_url};
use musharaka_model::signing::MAX_ATTEMPTS;

/// `POST /api/seat`, on the `committee` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Seat>("/api/seat", Lambda::Committee);

struct Seat;

impl Form for Seat {
    const NAME: &'static str = "seat";

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        _client: &ClientAddr,
    ) -> Outcome {
        let ids = (typed(fields, "proposal").ok())
            .and_then(otp::normalize_reference)
            .zip(
                typed(fields, "reference")
                    .ok()
                    .and_then(otp::normalize_reference),
            );
        let Some((proposal, reference)) = ids else {
            return Code::SeatCodeVoid.into();
        };
        let again = |code: Code| Outcome {
            view: Some(View {
                json: serde_json::Map::new(),
                html: committee_page::seat_form(lang, code, (&proposal, &reference), None),
            }),
            ..code.into()
        };
        let typed_code = fields.get("code").map(str::trim).unwrap_or_default();
        let Some(code) = otp::normalize_code(typed_code) else {
            return again(if typed_code.is_empty() {
                Code::MissingField
            } else {
                Code::WrongCode
            });
        };
        let secrets = &state.settings.secrets;
        let key = crate::receipt::new_code();
        let key_hash = key_hash(secrets, &key).unwrap_or_default();
        let hash = otp::code_hash(secrets, &reference, &code);
        let now = Utc::now();
        match (state.store)
            .seat(&proposal, &reference, &hash, &key_hash, now)
            .await
        {
            Ok(Seated::Joined) => key_shown(lang, &proposal, &key),
            Ok(Seated::AlreadyMember) => Code::AlreadyMember.into(),
            Ok(Seated::Closed) => Code::CommitteeClosed.into(),
            Ok(Seated::NotFound) => Code::SeatCodeVoid.into(),
            Ok(Seated::Changed) => match why_not(state, (&proposal, &reference), &hash).await {
                Ok(Code::WrongCode) => again(Code::WrongCode),
                Ok(code) => code.into(),
                Err(o) => o,
            },
            Err(e) => store_failed(&e),
        }
    }
}

/// Why a seat's code did not seat it: a wrong code (counted), a void one, or a seat taken.
async fn why_not(
    state: &AppState,
    (proposal, reference): (&str, &str),
    hash: &str,
) -> Result<Code, Outcome> {
    let members = state.store.members(proposal).await;
    let members = members.map_err(|e| store_failed(&e))?;
    let Some(m) = members.iter().find(|m| m.reference == reference) else {
        return Ok(Code::SeatCodeVoid);
    };
    if m.joined {
        return Ok(Code::AlreadyMember);
    }
    if m.attempts >= MAX_ATTEMPTS || m.code_expires <= Utc::now().timestamp() {
        return Ok(Code::SeatCodeVoid);
    }
    if m.code != hash {
        let counted = state.store.member_wrong_code(proposal, reference).await;
        counted.map_err(|e| store_failed(&e))?;
        if m.attempts + 1 >= MAX_ATTEMPTS {
            return Ok(Code::SeatCodeVoid);
        }
        return Ok(Code::WrongCode);
    }
    Ok(Code::SeatCodeVoid)
}

/// The answer once seated: the private code, shown once.
fn key_shown(lang: Lang, proposal: &str, key: &str) -> Outcome {
    let mut json = serde_json::Map::new();
    json.insert(
        "key".into(),
        serde_json::json!({
            "code": key,
            "label": crate::messages::text(lang, "committee.key_shown"),
            "keep": crate::messages::text(lang, "committee.key_keep"),
            "url": committee_page_url(lang),
        }),
    );
    Outcome {
        subject: Some(proposal.to_string()),
        view: Some(View {
            json,
            html: committee_page::key_page(lang, key),
        }),
        ..Code::Seated.into()
    }
}
