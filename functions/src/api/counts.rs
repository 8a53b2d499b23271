//! `GET /api/counts`: the current counts of a few initiatives, cached briefly at the edge.

use super::{ApiRoute, AppState, Lambda, MAX_COUNT_IDS, header_str};
use crate::messages::pick_lang;
use crate::store::Count;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use musharaka_model::Lang;
use musharaka_model::outcome::Code;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `GET /api/counts`, on the `counts` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute {
    path: "/api/counts",
    verb: "GET",
    lambda: Lambda::Counts,
    method: || get(counts),
};

#[derive(Deserialize)]
struct CountsQuery {
    ids: Option<String>,
    lang: Option<String>,
}

/// A count as JSON, with its localized text ("12 signatures") in `lang`.
pub(super) fn count_json(count: &Count, lang: Lang) -> serde_json::Value {
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
        .filter_map(|id| musharaka_model::signer::id_field(Some(id)).ok())
        .take(MAX_COUNT_IDS)
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
