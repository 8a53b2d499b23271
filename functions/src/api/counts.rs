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

/// A count as JSON, with its localized text ("12 signatures") in `lang`: by region, and by
/// prefecture or province for a region council's petition, which is counted by province (`{}`
/// for the others).
pub(super) fn count_json(count: &Count, lang: Lang) -> serde_json::Value {
    let (regions, provinces) = musharaka_model::geography::split_counts(&count.regions);
    serde_json::json!({
        "total": count.total,
        "regions": regions,
        "provinces": provinces,
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

#[cfg(test)]
mod tests {
    use super::count_json;
    use crate::store::Count;
    use musharaka_model::Lang;
    use std::collections::BTreeMap;

    #[test]
    fn a_region_petition_is_answered_by_region_and_by_province() {
        let count = Count {
            total: 5,
            regions: BTreeMap::from([("08.201".to_string(), 3), ("08.587".to_string(), 2)]),
        };
        let json = count_json(&count, Lang::Fr);
        assert_eq!(json["regions"], serde_json::json!({"MA-08": 5}));
        assert_eq!(
            json["provinces"],
            serde_json::json!({"08.201": 3, "08.587": 2})
        );
        let national = Count {
            total: 2,
            regions: BTreeMap::from([("MA-04".to_string(), 2)]),
        };
        let json = count_json(&national, Lang::Fr);
        assert_eq!(json["regions"], serde_json::json!({"MA-04": 2}));
        assert_eq!(json["provinces"], serde_json::json!({}));
    }
}
