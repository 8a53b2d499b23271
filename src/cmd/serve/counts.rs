//! `GET /api/counts` on one machine as the CDN serves it: an answer is reused for a few
//! seconds ([`FRESH_FOR`]), until a submission may have changed a count (then the person who
//! signed sees their signature counted at once), and one address may ask [`PER_ADDRESS`] times
//! per [`WINDOW`] (a page asks once when it opens; behind `serve`'s loopback most visitors share
//! one address); past that it is answered `429` (counted in the log, as every refusal).

use axum::body::Bytes;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one answer is reused.
const FRESH_FOR: Duration = Duration::from_secs(5);

/// Requests one address may make per window.
const PER_ADDRESS: u32 = 300;

/// The window of [`PER_ADDRESS`].
const WINDOW: Duration = Duration::from_secs(10);

/// Most answers and addresses remembered.
const MAX_KEPT: usize = 10_000;

/// An answer kept (always a `200`): when, the generation it was read in, its headers and body.
type Kept = (Instant, u64, HeaderMap, Bytes);

/// Answers kept and requests counted.
#[derive(Clone, Default)]
pub(super) struct CountsCache {
    answers: Arc<Mutex<HashMap<String, Kept>>>,
    /// Bumped after each submission: an answer read before it is no longer served.
    generation: Arc<AtomicU64>,
    asked: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl CountsCache {
    /// Counts one request from `ip`: false past the limit.
    fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut asked = self.asked.lock().unwrap_or_else(|e| e.into_inner());
        if asked.len() >= MAX_KEPT {
            asked.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let slot = asked.entry(ip).or_insert((now, 0));
        if now.duration_since(slot.0) >= WINDOW {
            *slot = (now, 0);
        }
        slot.1 += 1;
        slot.1 <= PER_ADDRESS
    }

    fn cached(&self, key: &str) -> Option<Response> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        let (at, generation, headers, body) = answers.get(key)?;
        if at.elapsed() >= FRESH_FOR || *generation != self.generation.load(Ordering::SeqCst) {
            return None;
        }
        let mut r = Response::new(Body::from(body.clone()));
        *r.headers_mut() = headers.clone();
        Some(r)
    }

    fn keep(&self, key: String, headers: HeaderMap, body: Bytes, read_in: u64) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.len() >= MAX_KEPT {
            answers.retain(|_, (at, ..)| at.elapsed() < FRESH_FOR);
        }
        answers.insert(key, (Instant::now(), read_in, headers, body));
    }
}

/// The middleware: limits and reuses the answers of `/api/counts`, passes the rest on.
pub(super) async fn limit_and_cache(
    cache: axum::extract::State<CountsCache>,
    req: Request,
    next: Next,
) -> Response {
    if req.uri().path() != "/api/counts" {
        let submission =
            req.method() == axum::http::Method::POST && req.uri().path().starts_with("/api/");
        let response = next.run(req).await;
        if submission {
            // Whatever it changed is read afresh: the answers kept before are stale.
            cache.generation.fetch_add(1, Ordering::SeqCst);
        }
        return response;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if let Some(ip) = ip
        && !cache.allow(ip)
    {
        let mut r = (StatusCode::TOO_MANY_REQUESTS, "too many requests\n").into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        return r;
    }
    let lang = (req.headers().get(header::ACCEPT_LANGUAGE))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let key = format!("{}|{lang}", req.uri());
    if let Some(hit) = cache.cached(&key) {
        return hit;
    }
    let read_in = cache.generation.load(Ordering::SeqCst);
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    match to_bytes(body, 1 << 20).await {
        Ok(bytes) => {
            cache.keep(key, parts.headers.clone(), bytes.clone(), read_in);
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
