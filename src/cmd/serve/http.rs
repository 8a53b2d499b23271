//! The HTTP server of `serve`: HTTP/1.1 on the loopback with bounded waits (a client has
//! [`HEADER_TIMEOUT`] to send a request's headers, idle connections included, and
//! [`REQUEST_TIMEOUT`] for the whole request), compressed text (gzip, brotli), a log line for
//! every server error, and a graceful stop.

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::timeout::TimeoutLayer;

/// Time to send a request's headers, counted from the connection's start or its previous
/// answer: a half-sent request, or a connection left idle, is closed after it.
pub(super) const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Time for a whole request (the live-reload wait lasts 25 seconds).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Time the open connections have to finish when the server stops.
const DRAIN: Duration = Duration::from_secs(5);

/// Logs every answer with a server error: method, path (never a query: no personal data is
/// in one, and none is logged) and status; and the requests refused by a rate limit, at most
/// one line per [`BURST_EVERY`] with how many.
async fn log_errors(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let response = next.run(req).await;
    let status = response.status();
    if status.is_server_error() {
        tracing::error!(%method, path, status = status.as_u16(), "server error");
    } else if status == StatusCode::TOO_MANY_REQUESTS {
        refused_by_limit(&path);
    }
    response
}

/// The shortest time between two log lines about rate limits.
const BURST_EVERY: Duration = Duration::from_secs(10);

/// Counts a request refused by a rate limit; logs the count once per [`BURST_EVERY`].
fn refused_by_limit(path: &str) {
    use std::sync::Mutex;
    use std::time::Instant;
    static BURST: Mutex<Option<(Instant, u64)>> = Mutex::new(None);
    let mut burst = BURST.lock().unwrap_or_else(|e| e.into_inner());
    match burst.as_mut() {
        Some((since, n)) if since.elapsed() < BURST_EVERY => *n += 1,
        _ => {
            let before = burst.map_or(0, |(_, n)| n);
            tracing::warn!(
                path,
                refused_since_last_line = before,
                "requests refused by a rate limit"
            );
            *burst = Some((Instant::now(), 1));
        }
    }
}

/// Serves `app` on `listener` until `stop` completes, then lets open requests finish.
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    stop: impl std::future::Future<Output = ()>,
) {
    let compressible = DefaultPredicate::new().and(NotForContentType::const_new("font/"));
    let app = app
        .layer(axum::middleware::from_fn(log_errors))
        .layer(CompressionLayer::new().compress_when(compressible))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    tokio::pin!(stop);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most often: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(remote));
                    req
                });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = watched.await;
        });
    }
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}
