//! The HTTP API: `POST /api/sign`, `POST /api/confirm`, `POST /api/comment`,
//! `POST /api/signature` (a signer checks or withdraws their signature with its receipt code),
//! `GET /api/counts`, each route a module of its own listed in [`ROUTES`]. Every rule is
//! enforced from the stored catalog; every answer is localized; without JavaScript a form
//! gets `303 See Other` to the static result page of its language, except a new signature,
//! whose receipt code comes on a page of its own.

use crate::client::ClientAddr;
use crate::form::{BodyError, Fields, Problems};
use crate::messages::{message, pick_lang};
use crate::receipt;
use crate::settings::Settings;
use crate::store::{Count, SharedStore, StoreError};
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::catalog::{Entry, PageFrame, Refusal};
use musharaka_model::outcome::Code;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod comment;
mod committee;
mod committee_view;
mod confirm;
mod counts;
mod join;
mod propose;
mod seat;
mod sign;
mod signature;

use counts::count_json;

/// Every route of the API. A route is a module of its own that exports its [`ApiRoute`];
/// listing it here serves it in `musharaka serve`, in the tests and on its Lambda function.
const ROUTES: &[ApiRoute] = &[
    sign::ROUTE,
    confirm::ROUTE,
    signature::ROUTE,
    comment::ROUTE,
    counts::ROUTE,
    propose::ROUTE,
    join::ROUTE,
    seat::ROUTE,
    committee::ROUTE,
];

/// The Lambda function that serves a route (each is a binary of `src/bin/` and a function of
/// the deployment template).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lambda {
    /// `sign`: signing requests, confirmations, checks and withdrawals.
    Sign,
    /// `comment`: comments on consultations.
    Comment,
    /// `counts`: the counts the pages show.
    Counts,
    /// `committee`: proposals and their committees.
    Committee,
}

impl Lambda {
    /// Every function.
    pub const ALL: [Lambda; 4] = [
        Lambda::Sign,
        Lambda::Comment,
        Lambda::Counts,
        Lambda::Committee,
    ];

    /// Its binary in `src/bin/`, the name the deployment template builds it by.
    pub fn binary(self) -> &'static str {
        match self {
            Lambda::Sign => "sign",
            Lambda::Comment => "comment",
            Lambda::Counts => "counts",
            Lambda::Committee => "committee",
        }
    }
}

/// A route of the API: its path, the Lambda function that serves it, and its handler.
struct ApiRoute {
    path: &'static str,
    /// Its HTTP method, as the deployment template names it.
    verb: &'static str,
    lambda: Lambda,
    method: fn() -> MethodRouter<AppState>,
}

impl ApiRoute {
    /// `POST` of the form `F` at `path`.
    const fn form<F: Form>(path: &'static str, lambda: Lambda) -> ApiRoute {
        ApiRoute {
            path,
            verb: "POST",
            lambda,
            method: form_route::<F>,
        }
    }
}

/// The routes `lambda` serves, as (method, path): what the deployment template must route to
/// it.
pub fn routes_of(lambda: Lambda) -> Vec<(&'static str, &'static str)> {
    (ROUTES.iter())
        .filter(|r| r.lambda == lambda)
        .map(|r| (r.verb, r.path))
        .collect()
}

/// A form the API accepts: the outcome of its checked fields, which [`submit`] turns into the
/// answer.
trait Form {
    /// The route's name in the log.
    const NAME: &'static str;

    /// The largest body the form takes.
    fn body_limit(settings: &Settings) -> usize {
        settings.max_body
    }

    /// The outcome of the fields of a submission, in the form's language.
    fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        client: &ClientAddr,
    ) -> impl Future<Output = Outcome> + Send;
}

/// Most ids one counts request may ask for.
pub(crate) const MAX_COUNT_IDS: usize = 50;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    store: SharedStore,
    /// Settings and secrets.
    settings: Arc<Settings>,
    /// Catalog entries read recently (the store checks again, atomically, that an entry takes
    /// submissions; this only spares a read per submission).
    entries: Arc<Recent<Option<Entry>>>,
    /// The site's page frames read recently, by language.
    frames: Arc<Recent<Option<Arc<PageFrame>>>>,
}

impl AppState {
    /// A state on `store` with `settings`.
    pub fn new(store: SharedStore, settings: Settings) -> AppState {
        AppState {
            store,
            settings: Arc::new(settings),
            entries: Arc::new(Recent::new(ENTRY_TTL)),
            frames: Arc::new(Recent::new(FRAME_TTL)),
        }
    }

    /// The site's page in `lang` around the pages the functions write, when published.
    async fn frame(&self, lang: Lang) -> Option<Arc<PageFrame>> {
        if let Some(hit) = self.frames.get(lang.code()) {
            return hit;
        }
        let frame = match self.store.frame(lang).await {
            Ok(frame) => frame.map(Arc::new),
            Err(e) => {
                tracing::warn!(error = %e, "page frame unavailable");
                return None;
            }
        };
        self.frames.put(lang.code(), frame.clone());
        frame
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

/// How long a read catalog entry is reused.
const ENTRY_TTL: Duration = Duration::from_secs(2);

/// How long a read page frame is reused (it changes only when the site is published).
const FRAME_TTL: Duration = Duration::from_secs(60);

/// Catalog items by id, each kept for a while.
struct Recent<T> {
    ttl: Duration,
    items: Mutex<HashMap<String, (Instant, T)>>,
}

impl<T> Recent<T> {
    fn new(ttl: Duration) -> Recent<T> {
        Recent {
            ttl,
            items: Mutex::default(),
        }
    }
}

impl<T: Clone> Recent<T> {
    fn get(&self, id: &str) -> Option<T> {
        let map = self.items.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, e)| e.clone())
    }

    fn put(&self, id: &str, item: T) {
        let mut map = self.items.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(id.to_string(), (Instant::now(), item));
    }
}

/// All routes.
pub fn router(state: AppState) -> Router {
    routes(state, |_| true)
}

/// The routes `lambda` serves.
pub fn lambda_router(lambda: Lambda, state: AppState) -> Router {
    routes(state, |l| l == lambda)
}

fn routes(state: AppState, serves: impl Fn(Lambda) -> bool) -> Router {
    ROUTES
        .iter()
        .filter(|r| serves(r.lambda))
        .fold(Router::new(), |router, r| {
            router.route(r.path, (r.method)())
        })
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
    /// The signing request to confirm.
    confirm: Option<ConfirmInfo>,
    /// Seconds before trying again, when the code's own delay is not the answer.
    retry_after: Option<u64>,
    /// What the answer shows besides its message: more JSON fields, and the whole page a form
    /// without JavaScript gets.
    view: Option<View>,
}

/// An answer's own content, for routes whose result a static page cannot show.
struct View {
    /// Fields added to the JSON answer.
    json: serde_json::Map<String, serde_json::Value>,
    /// The page a form without JavaScript gets.
    html: String,
}

/// A signing request the answer is about.
#[derive(Clone)]
struct ConfirmInfo {
    /// Its reference.
    reference: String,
    /// The contact its code went to, masked.
    to: Option<String>,
    /// The confirmation page, with the reference in its fragment.
    url: String,
    /// The code the signer typed, for the contest form.
    code: Option<String>,
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
            confirm: None,
            retry_after: None,
            view: None,
        }
    }
}

fn status_of(code: Code) -> StatusCode {
    match code {
        Code::Signed | Code::AlreadySigned | Code::Counted | Code::Withdrawn => StatusCode::OK,
        Code::Seated
        | Code::ProposalShown
        | Code::ProposalSaved
        | Code::ProposalSubmitted
        | Code::ProposalWithdrawn
        | Code::LeftCommittee => StatusCode::OK,
        Code::Commented | Code::CodeSent | Code::Resent | Code::Contested => StatusCode::ACCEPTED,
        Code::SeatCodeSent => StatusCode::ACCEPTED,
        Code::AlreadyMember | Code::CommitteeClosed | Code::RulesUnmet | Code::ProposalChanged => {
            StatusCode::CONFLICT
        }
        Code::CinTaken => StatusCode::CONFLICT,
        Code::ResendTooSoon => StatusCode::TOO_MANY_REQUESTS,
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

/// The answer to a form refused for `problems`: with JavaScript, each field's message; without,
/// `page`, the form again with what was typed and the problems shown.
fn refused(lang: Lang, problems: &Problems, page: String) -> Outcome {
    if problems.fields.is_empty() {
        return problems.code.into();
    }
    let errors: Vec<serde_json::Value> = (problems.fields.iter())
        .map(|(field, code)| {
            serde_json::json!({
                "field": field,
                "message": crate::messages::field_error(lang, field, *code),
            })
        })
        .collect();
    let mut json = serde_json::Map::new();
    json.insert("errors".into(), errors.into());
    json.insert(
        "errors_title".into(),
        crate::messages::text(lang, "errors.title").into(),
    );
    Outcome {
        view: Some(View { json, html: page }),
        ..problems.code.into()
    }
}

/// The field `name` of a form a person filled (not a robot), trimmed, which must not be empty.
fn typed<'a>(fields: &'a Fields, name: &str) -> Result<&'a str, Code> {
    if fields.is_robot() {
        return Err(Code::BadRequest);
    }
    let typed = fields.get(name).map(str::trim).unwrap_or_default();
    if typed.is_empty() {
        return Err(Code::MissingField);
    }
    Ok(typed)
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

/// Whether a submission comes from the site itself: one `Origin`, the site's; without one
/// (older browsers, scripts), a browser that says the request is cross-site or from a sibling
/// site (`Sec-Fetch-Site`) is refused too.
fn same_origin(headers: &HeaderMap, site_origin: &str) -> bool {
    let mut origins = headers.get_all(header::ORIGIN).iter();
    match (origins.next(), origins.next()) {
        (Some(_), Some(_)) => false,
        (Some(origin), None) => origin
            .to_str()
            .is_ok_and(|o| o.trim_end_matches('/') == site_origin),
        (None, _) => !matches!(
            header_str(headers, header::HeaderName::from_static("sec-fetch-site")),
            Some("cross-site" | "same-site")
        ),
    }
}

/// Reads and checks the parts every submission shares: origin, size, type, rate.
async fn read_submission(
    state: &AppState,
    client: &ClientAddr,
    headers: &HeaderMap,
    (body, limit): (Body, usize),
) -> Result<Fields, Outcome> {
    let s = &state.settings;
    if !same_origin(headers, &s.site_origin) {
        return Err(Code::Forbidden.into());
    }
    let bytes = axum::body::to_bytes(body, limit)
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

/// Turns an outcome into the answer: JSON for scripts, a redirection for forms.
fn respond(
    route: &str,
    (outcome, page): (Outcome, Option<String>),
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
        if let Some(confirm) = &outcome.confirm {
            body["confirm"] = serde_json::json!({
                "reference": confirm.reference,
                "url": if confirm.url.is_empty() {
                    musharaka_model::outcome::confirm_page_url(lang)
                } else {
                    confirm.url.clone()
                },
                "to": confirm.to,
            });
        }
        if let Some(view) = &outcome.view {
            for (k, v) in &view.json {
                body[k] = v.clone();
            }
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
    } else if let Some(page) = page {
        let html = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
        (status, html, page).into_response()
    } else {
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, code.page_url(lang))],
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if matches!(
        code,
        Code::Unavailable | Code::RateLimited | Code::ResendTooSoon
    ) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

/// The page a form without JavaScript gets when the answer carries what a static result page
/// cannot show: a new receipt code, or the initiative a receipt belongs to.
fn receipt_page(outcome: &Outcome, lang: Lang) -> Option<String> {
    if let Some(view) = &outcome.view {
        return Some(view.html.clone());
    }
    if let Some(about) = &outcome.about {
        return Some(receipt::answer_page(lang, outcome.code, about));
    }
    if let Some(confirm) = &outcome.confirm {
        return match (outcome.code, &confirm.code) {
            (Code::CinTaken, Some(code)) => {
                Some(crate::confirm_page::contest(lang, &confirm.reference, code))
            }
            (Code::CinTaken, None) => None,
            (code, _) => Some(crate::confirm_page::form(
                lang,
                code,
                &confirm.reference,
                confirm.to.as_deref(),
            )),
        };
    }
    let (code, back) = outcome.receipt.as_ref()?;
    Some(receipt::page(lang, code, back.as_deref()))
}

/// One handler for every form: the language, the outcome, the answer, the log line.
async fn submit<F: Form>(
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
    // Origin, size, type and rate first; then the form, in its own language.
    let limit = F::body_limit(&state.settings);
    let outcome = match read_submission(&state, &client, &headers, (body, limit)).await {
        Err(o) => o,
        Ok(fields) => {
            lang = pick_lang(fields.get("lang"), Some(lang.code()), None);
            F::outcome(&state, &fields, lang, &client).await
        }
    };
    let retry = outcome
        .retry_after
        .unwrap_or_else(|| retry_after(&state, outcome.code));
    let json = wants_json(&headers);
    // Without JavaScript, an answer that is a page of its own comes in the site's page.
    let page = match (!json).then(|| receipt_page(&outcome, lang)).flatten() {
        Some(page) => Some(match state.frame(lang).await {
            Some(frame) => crate::receipt::framed(page, &frame),
            None => page,
        }),
        None => None,
    };
    respond(F::NAME, (outcome, page), lang, json, started, retry)
}

/// `POST` of the form `F`.
fn form_route<F: Form>() -> MethodRouter<AppState> {
    post(
        |State(state): State<AppState>,
         client: ClientAddr,
         Query(q): Query<LangQuery>,
         headers: HeaderMap,
         body: Body| submit::<F>(state, client, q, headers, body),
    )
}

fn retry_after(state: &AppState, code: Code) -> u64 {
    if code == Code::RateLimited {
        state.settings.rate_window.as_secs()
    } else {
        2
    }
}
