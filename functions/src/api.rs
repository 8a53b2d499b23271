//! The HTTP API: `POST /api/sign`, `POST /api/comment`, `POST /api/signature` (a signer checks
//! or withdraws their signature with its receipt code), `GET /api/counts`. Every rule is
//! enforced from the stored catalog; every answer is localized; without JavaScript a form
//! gets `303 See Other` to the static result page of its language, except a new signature,
//! whose receipt code comes on a page of its own.

use crate::client::ClientAddr;
use crate::form::{BodyError, CommentForm, Fields, SignForm};
use crate::messages::{message, pick_lang};
use crate::receipt;
use crate::settings::Settings;
use crate::store::{Count, NewComment, NewSignature, SharedStore, StoreError, Stored, Withdrawal};
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::catalog::{Details, Entry, Refusal};
use musharaka_model::outcome::Code;
use musharaka_model::signer::{Attestation, attestations};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most ids one counts request may ask for.
pub const MAX_COUNT_IDS: usize = 50;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: SharedStore,
    /// Settings and secrets.
    pub settings: Arc<Settings>,
    /// Catalog entries read recently (the store checks again, atomically, that an entry takes
    /// submissions; this only spares a read per submission).
    pub entries: Arc<EntryCache>,
}

impl AppState {
    /// A state on `store` with `settings`.
    pub fn new(store: SharedStore, settings: Settings) -> AppState {
        AppState {
            store,
            settings: Arc::new(settings),
            entries: Arc::new(EntryCache::default()),
        }
    }

    async fn entry(&self, id: &str) -> Result<Option<Entry>, StoreError> {
        if let Some(hit) = self.entries.get(id) {
            return Ok(hit);
        }
        let entry = self.store.entry(id).await?;
        self.entries.put(id, entry.clone());
        Ok(entry)
    }
}

/// How long a read entry is reused.
const ENTRY_TTL: Duration = Duration::from_secs(2);

/// Catalog entries by id, each kept [`ENTRY_TTL`].
#[derive(Default)]
pub struct EntryCache(Mutex<HashMap<String, (Instant, Option<Entry>)>>);

impl EntryCache {
    fn get(&self, id: &str) -> Option<Option<Entry>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id)
            .filter(|(at, _)| at.elapsed() < ENTRY_TTL)
            .map(|(_, e)| e.clone())
    }

    fn put(&self, id: &str, entry: Option<Entry>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(id.to_string(), (Instant::now(), entry));
    }
}

/// All routes.
pub fn router(state: AppState) -> Router {
    sign_routes(state.clone())
        .merge(comment_routes(state.clone()))
        .merge(counts_routes(state))
}

/// `POST /api/sign` and `POST /api/signature` (the `sign` Lambda).
pub fn sign_routes(state: AppState) -> Router {
    Router::new()
        .route("/api/sign", form_route(Route::Sign))
        .route("/api/signature", form_route(Route::Signature))
        .with_state(state)
}

/// `POST /api/comment` alone (the `comment` Lambda).
pub fn comment_routes(state: AppState) -> Router {
    Router::new()
        .route("/api/comment", form_route(Route::Comment))
        .with_state(state)
}

/// `GET /api/counts` alone (the `counts` Lambda).
pub fn counts_routes(state: AppState) -> Router {
    Router::new()
        .route("/api/counts", get(counts))
        .with_state(state)
}

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

/// How a submission ended, before it becomes an HTTP answer.
struct Outcome {
    code: Code,
    /// Overrides the code's own status (415 for an unsupported type).
    status: Option<StatusCode>,
    count: Option<Count>,
    subject: Option<String>,
    /// The receipt code of a new signature, and the initiative's page in the form's language.
    receipt: Option<(String, Option<String>)>,
    /// The initiative a checked or withdrawn receipt belongs to.
    about: Option<receipt::About>,
}

impl From<Code> for Outcome {
    fn from(code: Code) -> Self {
        Outcome {
            code,
            status: None,
            count: None,
            subject: None,
            receipt: None,
            about: None,
        }
    }
}

fn status_of(code: Code) -> StatusCode {
    match code {
        Code::Signed | Code::AlreadySigned | Code::Counted | Code::Withdrawn => StatusCode::OK,
        Code::Commented => StatusCode::ACCEPTED,
        // An unknown initiative or receipt code is a field of the form, not a missing
        // resource; and the CDN would replace a 404 with the site's own 404 page.
        Code::NotOpen | Code::Closed | Code::WrongKind | Code::WithdrawalClosed => {
            StatusCode::CONFLICT
        }
        Code::BadRequest => StatusCode::BAD_REQUEST,
        Code::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Code::Forbidden => StatusCode::FORBIDDEN,
        Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn refusal_code(r: Refusal) -> Code {
    match r {
        Refusal::NotYetOpen => Code::NotOpen,
        Refusal::Closed => Code::Closed,
        Refusal::WrongKind => Code::WrongKind,
    }
}

fn store_failed(e: &StoreError) -> Outcome {
    tracing::error!(error = %e, "store failed");
    Code::Unavailable.into()
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Reads and checks the parts every submission shares: origin, size, type, rate.
async fn read_submission(
    state: &AppState,
    client: &ClientAddr,
    headers: &HeaderMap,
    body: Body,
) -> Result<Fields, Outcome> {
    let s = &state.settings;
    if let Some(origin) = header_str(headers, header::ORIGIN)
        && origin.trim_end_matches('/') != s.site_origin
    {
        return Err(Code::Forbidden.into());
    }
    let bytes = axum::body::to_bytes(body, s.max_body)
        .await
        .map_err(|_| Outcome::from(Code::TooLarge))?;
    let fields =
        Fields::parse(header_str(headers, header::CONTENT_TYPE), &bytes).map_err(|e| match e {
            BodyError::UnsupportedType => Outcome {
                status: Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
                ..Code::BadRequest.into()
            },
            BodyError::Malformed => Code::BadRequest.into(),
        })?;
    let key = s.secrets.keyed_hash(&["rate", &client.0]);
    match state
        .store
        .allow(&key, Utc::now(), s.rate_window.as_secs(), s.rate_limit)
        .await
    {
        Ok(true) => Ok(fields),
        Ok(false) => Err(Code::RateLimited.into()),
        Err(e) => Err(store_failed(&e)),
    }
}

async fn sign_outcome(state: &AppState, fields: &Fields, lang: Lang) -> Outcome {
    let form = match SignForm::from_fields(fields) {
        Ok(f) => f,
        Err(code) => return code.into(),
    };
    let subject = Some(form.initiative.clone());
    let with_subject = |code: Code| Outcome {
        subject: subject.clone(),
        ..code.into()
    };
    let entry = match state.entry(&form.initiative).await {
        Ok(Some(e)) => e,
        Ok(None) => return with_subject(Code::NotFound),
        Err(e) => return store_failed(&e),
    };
    let (Details::Petition(init) | Details::Motion(init)) = &entry.details else {
        return with_subject(Code::WrongKind);
    };
    for attestation in attestations(init.target.authority) {
        let ticked = match attestation {
            Attestation::Electoral => form.attest_electoral,
            Attestation::Local => form.attest_local,
        };
        if !ticked {
            return with_subject(Code::AttestationRequired);
        }
    }
    if init.target.authority.is_local()
        && init.target.region.as_deref() != Some(form.region.as_str())
    {
        return with_subject(Code::NotEligible);
    }
    let now = Utc::now();
    let s = &state.settings.secrets;
    let code = receipt::new_code();
    let receipt_hash = receipt_key(state, &code);
    let signer = s.keyed_hash(&[&form.initiative, &form.cin]);
    let context = format!("{}#{signer}", form.initiative);
    let sealed = match s.seal(&form.personal_data(&now.to_rfc3339()), context.as_bytes()) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "sealing failed");
            return Code::Unavailable.into();
        }
    };
    let signature = NewSignature {
        initiative: form.initiative.clone(),
        signer,
        region: form.region.clone(),
        lang,
        sealed,
        receipt: receipt_hash,
        expires: entry.erase_by().unwrap_or(entry.closes).timestamp(),
    };
    let (result, count) = match state.store.sign_and_count(&signature, now).await {
        Ok((Stored::Done, count)) => (Code::Signed, count),
        Ok((Stored::Duplicate, count)) => (Code::AlreadySigned, count),
        Ok((Stored::NotFound, _)) => (Code::NotFound, None),
        Ok((Stored::Refused(r), _)) => (refusal_code(r), None),
        Err(e) => return store_failed(&e),
    };
    let back = entry.url.get(&lang).map(|url| path_of(url).to_string());
    Outcome {
        count,
        receipt: (result == Code::Signed).then_some((code, back)),
        ..with_subject(result)
    }
}

/// The keyed hash under which the store knows receipt `code` (canonical form).
fn receipt_key(state: &AppState, code: &str) -> String {
    let canonical = receipt::normalize(code).unwrap_or_default();
    state.settings.secrets.keyed_hash(&["receipt", &canonical])
}

/// The path of an absolute URL (`https://host/ar/x/` gives `/ar/x/`).
fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
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

/// A signer checks their signature, or withdraws it (`do=withdraw`, with `confirm` ticked),
/// with the receipt code they were given.
async fn signature_outcome(state: &AppState, fields: &Fields, lang: Lang) -> Outcome {
    if fields.is_robot() {
        return Code::BadRequest.into();
    }
    let typed = fields.get("receipt").map(str::trim).unwrap_or_default();
    if typed.is_empty() {
        return Code::MissingField.into();
    }
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

async fn comment_outcome(state: &AppState, fields: &Fields, lang: Lang) -> Outcome {
    let form = match CommentForm::from_fields(fields, state.settings.max_comment) {
        Ok(f) => f,
        Err(code) => return code.into(),
    };
    let with_subject = |code: Code| Outcome {
        subject: Some(form.consultation.clone()),
        ..code.into()
    };
    let entry = match state.entry(&form.consultation).await {
        Ok(Some(e)) => e,
        Ok(None) => return with_subject(Code::NotFound),
        Err(e) => return store_failed(&e),
    };
    let Details::Consultation(c) = &entry.details else {
        return with_subject(Code::WrongKind);
    };
    if let Some(section) = &form.section
        && !c.sections.contains(section)
    {
        return with_subject(Code::InvalidSection);
    }
    let now = Utc::now();
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).ok();
    let id = format!(
        "{:013}-{}",
        now.timestamp_millis(),
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let comment = NewComment {
        id,
        consultation: form.consultation.clone(),
        section: form.section.clone(),
        text: form.text.clone(),
        display_name: form.display_name.clone(),
        lang,
    };
    match state.store.comment(&comment, now).await {
        Ok(Stored::Done) => with_subject(Code::Commented),
        Ok(Stored::Duplicate) => with_subject(Code::Commented),
        Ok(Stored::NotFound) => with_subject(Code::NotFound),
        Ok(Stored::Refused(r)) => with_subject(refusal_code(r)),
        Err(e) => store_failed(&e),
    }
}

/// Turns an outcome into the answer: JSON for scripts, a redirection for forms.
fn respond(
    route: &str,
    outcome: Outcome,
    lang: Lang,
    json: bool,
    started: Instant,
    retry_after: u64,
) -> Response {
    let code = outcome.code;
    let status = outcome.status.unwrap_or_else(|| status_of(code));
    tracing::info!(
        route,
        code = code.as_str(),
        status = status.as_u16(),
        subject = outcome.subject.as_deref().unwrap_or(""),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "submission"
    );
    let mut response = if json || code == Code::Forbidden {
        let mut body = serde_json::json!({
            "ok": code.is_success(),
            "code": code.as_str(),
            "message": message(lang, code),
            "lang": lang.code(),
            "count": outcome.count.as_ref().map(|c| count_json(c, lang)),
        });
        if let Some((receipt, _)) = &outcome.receipt {
            body["receipt"] = serde_json::json!({
                "code": receipt,
                "label": crate::messages::text(lang, "receipt.code"),
                "keep": crate::messages::text(lang, "receipt.keep"),
                "url": musharaka_model::outcome::signature_page_url(lang),
                "link": crate::messages::text(lang, "receipt.check_link"),
            });
        }
        if let Some(about) = &outcome.about {
            body["initiative"] = serde_json::json!({
                "label": crate::messages::text(lang, "signature.initiative"),
                "title": about.title,
                "url": about.url,
                "signed": crate::messages::text(lang, "signature.signed_on")
                    .replace("{date}", &about.signed),
            });
        }
        (status, axum::Json(body)).into_response()
    } else if let Some(about) = &outcome.about {
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            receipt::answer_page(lang, code, about),
        )
            .into_response()
    } else if let Some((receipt, back)) = &outcome.receipt {
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            receipt::page(lang, receipt, back.as_deref()),
        )
            .into_response()
    } else {
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, code.page_url(lang))],
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if matches!(code, Code::Unavailable | Code::RateLimited) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

/// Which form a submission is.
#[derive(Clone, Copy)]
enum Route {
    Sign,
    Comment,
    Signature,
}

/// One handler for both forms: the language, the outcome, the answer, the log line.
async fn submit(
    route: Route,
    state: AppState,
    client: ClientAddr,
    q: LangQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let mut lang = pick_lang(
        None,
        q.lang.as_deref(),
        header_str(&headers, header::ACCEPT_LANGUAGE),
    );
    let name = match route {
        Route::Sign => "sign",
        Route::Comment => "comment",
        Route::Signature => "signature",
    };
    // Origin, size, type and rate first; then the form, in its own language.
    let outcome = match read_submission(&state, &client, &headers, body).await {
        Err(o) => o,
        Ok(fields) => {
            lang = pick_lang(fields.get("lang"), Some(lang.code()), None);
            match route {
                Route::Sign => sign_outcome(&state, &fields, lang).await,
                Route::Comment => comment_outcome(&state, &fields, lang).await,
                Route::Signature => signature_outcome(&state, &fields, lang).await,
            }
        }
    };
    let retry = retry_after(&state, outcome.code);
    respond(name, outcome, lang, wants_json(&headers), started, retry)
}

/// `POST` of the form `route`.
fn form_route(route: Route) -> axum::routing::MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              client: ClientAddr,
              Query(q): Query<LangQuery>,
              headers: HeaderMap,
              body: Body| submit(route, state, client, q, headers, body),
    )
}

fn retry_after(state: &AppState, code: Code) -> u64 {
    if code == Code::RateLimited {
        state.settings.rate_window.as_secs()
    } else {
        2
    }
}

#[derive(Deserialize)]
struct CountsQuery {
    ids: Option<String>,
    lang: Option<String>,
}

/// A count as JSON, with its localized text ("12 signatures") in `lang`.
fn count_json(count: &Count, lang: Lang) -> serde_json::Value {
    serde_json::json!({
        "total": count.total,
        "regions": count.regions,
        "text": crate::messages::count_text(lang, count.total),
    })
}

async fn counts(
    State(state): State<AppState>,
    Query(q): Query<CountsQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(
        None,
        q.lang.as_deref(),
        header_str(&headers, header::ACCEPT_LANGUAGE),
    );
    let ids: Vec<String> = q
        .ids
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .take(MAX_COUNT_IDS)
        .map(str::to_string)
        .collect();
    match state.store.counts(&ids).await {
        Ok(counts) => {
            let body: BTreeMap<String, serde_json::Value> = counts
                .iter()
                .map(|(id, c)| (id.clone(), count_json(c, lang)))
                .collect();
            let mut r = axum::Json(serde_json::json!({ "counts": body })).into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(
                    "public, max-age=5, s-maxage=10, stale-while-revalidate=30",
                ),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "counts failed");
            let mut r = (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"ok": false, "code": Code::Unavailable.as_str()})),
            )
                .into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(2u64));
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
    }
}
