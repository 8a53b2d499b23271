//! The static files of the built site: folder URLs to their `index.html`, a language's 404
//! page for what does not exist, and the live-reload script added to every HTML page. Only
//! `GET` and `HEAD`; nothing outside the output folder, even through a link inside it;
//! validators (`ETag`, `Last-Modified`, answered `304`) and byte ranges, as a CDN serves them.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Serves a folder.
#[derive(Clone)]
pub(super) struct Files {
    out: Arc<PathBuf>,
    /// `out` with its links resolved, found once (a rebuild swaps what is in it, never where
    /// it is).
    resolved: Arc<std::sync::OnceLock<PathBuf>>,
}

impl Files {
    /// Serves `out`.
    pub(super) fn new(out: PathBuf) -> Files {
        Files {
            out: Arc::new(out),
            resolved: Arc::default(),
        }
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
            async move {
                if !matches!(*req.method(), Method::GET | Method::HEAD) {
                    let refused = (
                        StatusCode::METHOD_NOT_ALLOWED,
                        [(header::ALLOW, "GET, HEAD")],
                        "only GET and HEAD are served here\n",
                    );
                    return Ok::<_, Infallible>(refused.into_response());
                }
                Ok(files.respond(req.uri().path(), req.headers()).await)
            }
        })
    }

    /// Whether `file`, links followed, is under the output folder.
    fn inside(&self, file: &Path) -> bool {
        let out = match self.resolved.get() {
            Some(out) => out,
            None => match std::fs::canonicalize(&*self.out) {
                Ok(out) => self.resolved.get_or_init(|| out),
                Err(_) => return false,
            },
        };
        inside(out, file)
    }

    async fn respond(&self, path: &str, request: &HeaderMap) -> Response {
        if let Some(file) = resolve(&self.out, path).filter(|f| self.inside(f)) {
            if file.ends_with("index.html") && !path.ends_with('/') && !path.ends_with(".html") {
                // A folder asked for without its trailing slash: send it to the canonical URL.
                return (
                    StatusCode::PERMANENT_REDIRECT,
                    [(header::LOCATION, format!("{path}/"))],
                )
                    .into_response();
            }
            if let Some((bytes, meta)) = read(&file).await {
                let mut headers = HeaderMap::new();
                validators(&mut headers, &meta);
                if is_fresh(request, &headers) {
                    return (StatusCode::NOT_MODIFIED, headers).into_response();
                }
                // `If-Range`: a part only of the version the client has, else the whole file.
                let same = (request.get(header::IF_RANGE)).is_none_or(|v| {
                    Some(v) == headers.get(header::ETAG)
                        || Some(v) == headers.get(header::LAST_MODIFIED)
                });
                let asked = if same {
                    request.clone()
                } else {
                    HeaderMap::new()
                };
                let mut response = file_response(StatusCode::OK, &file, bytes, &asked);
                response.headers_mut().extend(headers);
                return response;
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
                return file_response(StatusCode::NOT_FOUND, &page, bytes, &HeaderMap::new());
            }
        }
        (StatusCode::NOT_FOUND, "not found").into_response()
    }
}

/// A file's bytes and the metadata of that same file (a rebuild may replace it between two
/// separate reads).
async fn read(file: &Path) -> Option<(Vec<u8>, std::fs::Metadata)> {
    use tokio::io::AsyncReadExt;
    let mut f = tokio::fs::File::open(file).await.ok()?;
    let meta = f.metadata().await.ok()?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.read_to_end(&mut bytes).await.ok()?;
    Some((bytes, meta))
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
        "csv" => "text/csv; charset=utf-8",
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

/// Whether `file`, links followed, is under `out` (links resolved already): a symbolic link
/// inside the output that points elsewhere (to the data folder, to `/etc`) is not followed.
fn inside(out: &Path, file: &Path) -> bool {
    std::fs::canonicalize(file).is_ok_and(|file| file.starts_with(out))
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

/// `ETag` (weak: the body may be compressed on the way) and `Last-Modified`, from the file's
/// size and modification time.
fn validators(headers: &mut HeaderMap, meta: &std::fs::Metadata) {
    let Ok(modified) = meta.modified() else {
        return;
    };
    let since = (modified.duration_since(std::time::UNIX_EPOCH)).unwrap_or_default();
    let tag = format!("W/\"{:x}-{:x}\"", meta.len(), since.as_nanos());
    if let Ok(v) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, v);
    }
    let when = chrono::DateTime::<chrono::Utc>::from(modified)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(v) = HeaderValue::from_str(&when) {
        headers.insert(header::LAST_MODIFIED, v);
    }
}

/// Whether the client's copy is current: its `If-None-Match` names our `ETag`, or, without
/// one, its `If-Modified-Since` is not older than our `Last-Modified`.
fn is_fresh(request: &HeaderMap, ours: &HeaderMap) -> bool {
    let get = |h: &HeaderMap, name| -> Option<String> {
        h.get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    if let Some(tags) = get(request, header::IF_NONE_MATCH) {
        let etag = get(ours, header::ETAG).unwrap_or_default();
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return tags
            .split(',')
            .any(|t| t.trim() == "*" || bare(t) == bare(&etag));
    }
    let parse = |t: String| chrono::DateTime::parse_from_rfc2822(&t.replace("GMT", "+0000")).ok();
    match (
        get(request, header::IF_MODIFIED_SINCE).and_then(parse),
        get(ours, header::LAST_MODIFIED).and_then(parse),
    ) {
        (Some(since), Some(modified)) => modified <= since,
        _ => false,
    }
}

fn file_response(status: StatusCode, file: &Path, bytes: Vec<u8>, request: &HeaderMap) -> Response {
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
    let range = (request.get(header::RANGE))
        .and_then(|v| v.to_str().ok())
        .filter(|_| status == StatusCode::OK);
    let mut res = match range.and_then(|spec| super::range::bounds(spec, body.len() as u64)) {
        None => (status, body).into_response(),
        Some(Ok((first, last))) => {
            let part = body[first as usize..=last as usize].to_vec();
            let span = format!("bytes {first}-{last}/{}", body.len());
            (
                StatusCode::PARTIAL_CONTENT,
                [(header::CONTENT_RANGE, span)],
                part,
            )
                .into_response()
        }
        Some(Err(())) => {
            let span = format!("bytes */{}", body.len());
            (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, span)],
            )
                .into_response()
        }
    };
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
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

    #[cfg(unix)]
    #[test]
    fn does_not_follow_a_link_out_of_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(dir.path().join("secrets.toml"), "key").unwrap();
        std::fs::write(out.join("page.html"), "page").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secrets.toml"), out.join("s.txt")).unwrap();
        let files = Files::new(out.clone());
        assert!(files.inside(&out.join("page.html")));
        assert!(!files.inside(&out.join("s.txt")));
    }
}
