//! The local sender of `serve`: drains the store's outbox in the background and hands each
//! message to the configured notifier (SMTP, SES, SNS, or files under `data/outbox/` when
//! nothing is configured), deletes signing requests past their 24 hours, and lists the local
//! outbox at `/outbox/` on the loopback server.

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use musharaka_functions::crypto::Secrets;
use musharaka_functions::notify::Notifier;
use musharaka_functions::store::AdminStore;
use musharaka_functions::store::sqlite::SqliteStore;
use musharaka_model::html::escape;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Messages taken from the outbox at a time.
const BATCH: usize = 200;

/// Drains the outbox for as long as the server runs.
pub(super) fn spawn_sender(store: Arc<SqliteStore>, notifier: Notifier, secrets: Secrets) {
    tokio::spawn(async move {
        let mut last_sweep = Instant::now();
        loop {
            let items = match store.outbox(BATCH).await {
                Ok(items) => items,
                Err(e) => {
                    eprintln!("cannot read the outbox: {e}");
                    Vec::new()
                }
            };
            if !items.is_empty() {
                let done = notifier.send_all(&secrets, &items).await;
                let failed = done.len() < items.len();
                if let Err(e) = store.sent(done).await {
                    eprintln!("cannot update the outbox: {e}");
                }
                if failed {
                    // A provider refused: try again in a moment rather than in a tight loop.
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                continue;
            }
            if last_sweep.elapsed() > Duration::from_secs(60) {
                last_sweep = Instant::now();
                if let Err(e) = store.erase_requests(chrono::Utc::now()).await {
                    eprintln!("cannot delete expired signing requests: {e}");
                }
                if let Err(e) = store.erase_drafts(chrono::Utc::now()).await {
                    eprintln!("cannot delete expired proposal drafts: {e}");
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

/// `/outbox/` and `/outbox/<file>`: the messages the local outbox delivered, newest first.
pub(super) fn router(dir: PathBuf) -> Router {
    let list_dir = dir.clone();
    Router::new()
        .route(
            "/outbox/",
            get(move || {
                let dir = list_dir.clone();
                async move { list(&dir) }
            }),
        )
        .route(
            "/outbox/{name}",
            get(move |UrlPath(name): UrlPath<String>| {
                let dir = dir.clone();
                async move { show(&dir, &name) }
            }),
        )
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".txt") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.reverse();
    names
}

fn list(dir: &std::path::Path) -> Response {
    let items: String = names(dir)
        .iter()
        .map(|n| {
            let n = escape(n);
            format!("<li><a href=\"/outbox/{n}\">{n}</a></li>\n")
        })
        .collect();
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"robots\" content=\"noindex\"><title>Outbox</title>\
         <link rel=\"stylesheet\" href=\"/static/style.css\"></head>\n<body><main id=\"main\">\
         <h1>Outbox</h1>\n<p>Messages this local portal would have sent by SMS or email \
         (no provider is configured): {}.</p>\n<ol class=\"outbox\">\n{items}</ol></main></body></html>\n",
        escape(&dir.display().to_string())
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

fn show(dir: &std::path::Path, name: &str) -> Response {
    let safe = name.ends_with(".txt")
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    match safe.then(|| std::fs::read_to_string(dir.join(name))) {
        Some(Ok(text)) => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "no such message").into_response(),
    }
}
