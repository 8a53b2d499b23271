//! `musharaka serve`: builds the site, serves it on 127.0.0.1, rebuilds when a file under
//! `content/` or `site-theme/` changes and reloads the open pages.

use super::build::{build_once, out_dir};
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify::{RecursiveMode, Watcher};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Script added to every served page: waits for a rebuild, then reloads.
const LIVE_RELOAD_JS: &str = r#"(async () => {
  let seen = -1;
  for (;;) {
    try {
      const r = await fetch('/__livereload?since=' + seen, { cache: 'no-store' });
      const v = Number(await r.text());
      if (seen >= 0 && v !== seen) { location.reload(); return; }
      seen = v;
    } catch (e) {
      await new Promise((done) => setTimeout(done, 1000));
    }
  }
})();
"#;

#[derive(Clone)]
struct AppState {
    out: Arc<PathBuf>,
    version: watch::Receiver<u64>,
}

#[derive(serde::Deserialize)]
struct Since {
    since: i64,
}

/// Runs `musharaka serve`.
pub fn run(root: &Path, port: u16, out: Option<PathBuf>) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(serve(root, port, out_dir(root, out)))
}

async fn serve(root: &Path, port: u16, out: PathBuf) -> Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| {
            format!("cannot listen on 127.0.0.1:{port} (is it in use? try --port 0)")
        })?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    if let Err(e) = build_once(root, &out, Some(&base_url)) {
        eprintln!("{e:#}");
        eprintln!("fix the files above; the site is rebuilt when they change");
    }
    let (tx, rx) = watch::channel(0u64);
    let _watcher = watch_and_rebuild(root.to_path_buf(), out.clone(), base_url.clone(), tx)?;
    let app = router(AppState {
        out: Arc::new(out),
        version: rx,
    });
    println!("serving the portal at {base_url}/ (Ctrl+C to stop)");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/__livereload", get(wait_for_rebuild))
        .route(
            "/__livereload.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    LIVE_RELOAD_JS,
                )
            }),
        )
        .fallback(static_file)
        .with_state(state)
}

async fn wait_for_rebuild(State(state): State<AppState>, Query(q): Query<Since>) -> String {
    let mut rx = state.version.clone();
    let current = *rx.borrow_and_update();
    if q.since >= 0 && q.since as u64 == current {
        let _ = tokio::time::timeout(Duration::from_secs(25), rx.changed()).await;
    }
    rx.borrow().to_string()
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Maps a request path to a file under `out`, refusing anything that climbs out of it.
fn resolve(out: &Path, uri_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(uri_path)?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = out.join(rel);
    if path.is_dir() {
        Some(path.join("index.html"))
    } else {
        Some(path)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn static_file(State(state): State<AppState>, uri: Uri) -> Response {
    let path = uri.path();
    if let Some(file) = resolve(&state.out, path) {
        if file.ends_with("index.html") && !path.ends_with('/') && !path.ends_with(".html") {
            // A folder asked for without its trailing slash: send it to the canonical URL.
            return (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, format!("{path}/"))],
            )
                .into_response();
        }
        if let Ok(bytes) = tokio::fs::read(&file).await {
            return file_response(StatusCode::OK, &file, bytes);
        }
    }
    let lang = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let not_found = [
        state.out.join(lang).join("404.html"),
        state.out.join("404.html"),
    ];
    for page in not_found {
        if page.starts_with(&*state.out)
            && let Ok(bytes) = tokio::fs::read(&page).await
        {
            return file_response(StatusCode::NOT_FOUND, &page, bytes);
        }
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn file_response(status: StatusCode, file: &Path, bytes: Vec<u8>) -> Response {
    let ctype = content_type(file);
    let body = if ctype.starts_with("text/html") {
        let html = String::from_utf8_lossy(&bytes);
        match html.rfind("</body>") {
            Some(at) => format!(
                "{}<script src=\"/__livereload.js\" defer></script>\n{}",
                &html[..at],
                &html[at..]
            )
            .into_bytes(),
            None => bytes,
        }
    } else {
        bytes
    };
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// Watches `content/` and `site-theme/`; after each burst of changes, rebuilds and bumps the
/// version that open pages wait on.
fn watch_and_rebuild(
    root: PathBuf,
    out: PathBuf,
    base_url: String,
    version: watch::Sender<u64>,
) -> Result<notify::RecommendedWatcher> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event
            && !e.kind.is_access()
        {
            let _ = tx.send(());
        }
    })?;
    for dir in ["content", "site-theme"] {
        watcher
            .watch(&root.join(dir), RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", root.join(dir).display()))?;
    }
    std::thread::spawn(move || {
        while rx.recv().is_ok() {
            // Let a burst of saves settle, then rebuild once.
            while rx.recv_timeout(Duration::from_millis(50)).is_ok() {}
            let start = Instant::now();
            match build_once(&root, &out, Some(&base_url)) {
                Ok(()) => {
                    version.send_modify(|v| *v += 1);
                    println!("rebuilt in {:.0?}", start.elapsed());
                }
                Err(e) => eprintln!("{e:#}\nthe previous build is still served"),
            }
        }
    });
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_climb_out() {
        let out = Path::new("/srv/public");
        assert!(resolve(out, "/../etc/passwd").is_none());
        assert!(resolve(out, "/fr/%2e%2e/%2e%2e/etc").is_none());
        assert_eq!(
            resolve(out, "/static/style.css"),
            Some(PathBuf::from("/srv/public/static/style.css"))
        );
    }
}
