//! `POST /api/signature`: a signer checks their signature with its receipt code, or withdraws
//! it while the initiative collects.

use super::sign::{path_of, receipt_key};
use super::{ApiRoute, AppState, Form, Lambda, Outcome, store_failed, typed};
use crate::client::ClientAddr;
use crate::form::Fields;
use crate::receipt;
use crate::store::Withdrawal;
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::outcome::Code;

/// `POST /api/signature`, on the `sign` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Signature>("/api/signature", Lambda::Sign);

struct Signature;

impl Form for Signature {
    const NAME: &'static str = "signature";

    /// A signer checks their signature, or withdraws it (`do=withdraw`, with `confirm` ticked),
    /// with the receipt code they were given.
    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        _client: &ClientAddr,
    ) -> Outcome {
        let typed = match typed(fields, "receipt") {
            Ok(t) => t,
            Err(code) => return code.into(),
        };
        if receipt::normalize(typed).is_none() {
            return Code::UnknownReceipt.into();
        }
        let key = receipt_key(state, typed);
        if fields.get("do") == Some("withdraw") {
            if !fields.checked("confirm") {
                return Code::ConfirmationRequired.into();
            }
            return match state.store.withdraw(&key, Utc::now()).await {
                Ok(Withdrawal::Done(found, count)) => Outcome {
                    about: about(state, &found.initiative, found.created, lang).await,
                    subject: Some(found.initiative),
                    count,
                    ..Code::Withdrawn.into()
                },
                Ok(Withdrawal::NotFound) => Code::UnknownReceipt.into(),
                Ok(Withdrawal::Refused(_)) => Code::WithdrawalClosed.into(),
                Err(e) => store_failed(&e),
            };
        }
        match state.store.receipted(&key).await {
            Ok(Some(found)) => Outcome {
                about: about(state, &found.initiative, found.created, lang).await,
                subject: Some(found.initiative),
                ..Code::Counted.into()
            },
            Ok(None) => Code::UnknownReceipt.into(),
            Err(e) => store_failed(&e),
        }
    }
}

/// The initiative `id` as the signer of `created` reads it in `lang`.
async fn about(state: &AppState, id: &str, created: i64, lang: Lang) -> Option<receipt::About> {
    let entry = state.entry(id).await.ok().flatten()?;
    let title = musharaka_model::lang::pick(&entry.title, lang, &Lang::ALL)
        .cloned()
        .unwrap_or_else(|| id.to_string());
    let at = chrono::DateTime::from_timestamp(created, 0)?.with_timezone(entry.closes.offset());
    Some(receipt::About {
        title,
        url: entry.url.get(&lang).map(|url| path_of(url).to_string()),
        signed: musharaka_model::date::format_instant(lang, &at),
    })
}
