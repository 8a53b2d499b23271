//! The static files of the built site: folder URLs to their `index.html`, a language's 404
//! page for what does not exist, and the live-reload script added to every HTML page.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Serves a folder.
#[derive(Clone)]
pub(super) struct Files {
    out: Arc<PathBuf>,
}

impl Files {
    /// Serves `out`.
    pub(super) fn new(out: PathBuf) -> Files {
        Files { out: Arc::new(out) }
    }

    /// As a tower service for `Router::fallback_service`.
    pub(super) fn into_service(
        self,
    ) -> impl tower_service::Service<
        Request,
        Response = Response,
        Error = Infallible,
        Future = impl Send,
    > + Clone
    + Send
    + 'static {
        tower::service_fn(move |req: Request| {
            let files = self.clone();
            async move { Ok::<_, Infallible>(files.respond(req.uri().path()).await) }
        })
    }

    async fn respond(&self, path: &str) -> Response {
        if let Some(file) = resolve(&self.out, path) {
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
        // The 404 page of the language the path starts with, else the trilingual one.
        let lang = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        let mut candidates = Vec::new();
        if !lang.is_empty() && lang.chars().all(|c| c.is_ascii_lowercase()) {
            candidates.push(self.out.join(lang).join("404.html"));
        }
        candidates.push(self.out.join("404.html"));
        for page in candidates {
            if let Ok(bytes) = tokio::fs::read(&page).await {
                return file_response(StatusCode::NOT_FOUND, &page, bytes);
            }
        }
        (StatusCode::NOT_FOUND, "not found").into_response()
    }
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
