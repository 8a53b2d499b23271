//! `musharaka serve` started as the README says (`musharaka serve` in the site's folder), held
//! to what a public web server does: only GET and HEAD, nothing outside its folder, validators,
//! ranges and compression, bounded waits, a page never missing while the site is rebuilt, a save
//! re-rendering its page alone, private files, and a store whole on disk once stopped.

#[path = "../generator/tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `serve`, stopped when dropped.
struct Serve {
    child: Child,
    addr: String,
    /// Every line it printed after its address.
    printed: Arc<Mutex<Vec<String>>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// `musharaka serve --port 0` in `site`, everything else as the defaults have it.
fn serve(site: &Path) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_musharaka"))
        .args(["serve", "--port", "0"])
        .current_dir(site)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve prints its URL").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let printed = Arc::new(Mutex::new(Vec::new()));
    let kept = printed.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    Serve {
        child,
        addr,
        printed,
    }
}

impl Serve {
    /// The lines printed so far that start with `prefix`.
    fn printed(&self, prefix: &str) -> Vec<String> {
        let printed = self.printed.lock().unwrap();
        printed
            .iter()
            .filter(|l| l.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Waits until `n` lines starting with `prefix` were printed.
    fn wait_for(&self, prefix: &str, n: usize) {
        let start = Instant::now();
        while self.printed(prefix).len() < n {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "serve did not print {n} line(s) {prefix:?}: {:?}",
                self.printed.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// An answer: status, headers (lowercase names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `method path` with `headers`, reads the whole answer (the connection closes).
fn ask(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

fn get(addr: &str, path: &str) -> Answer {
    ask(addr, "GET", path, &[])
}

fn site() -> tempfile::TempDir {
    common::site_from(&[&common::fixtures().join("trilingual")])
}

#[test]
fn serves_its_folder_as_a_static_host_does() {
    let site = site();
    let s = serve(site.path());

    for method in ["PUT", "DELETE", "OPTIONS", "PATCH"] {
        let a = ask(&s.addr, method, "/fr/", &[]);
        assert_eq!(a.status, 405, "{method}");
        assert_eq!(a.header("allow"), Some("GET, HEAD"), "{method}");
    }
    // Two `Origin` headers: refused, whichever comes first.
    let origin = format!("http://{}", s.addr);
    let two = [
        ("Origin", origin.as_str()),
        ("Origin", "https://evil.example"),
    ];
    assert_eq!(ask(&s.addr, "POST", "/api/sign", &two).status, 403);
    let head = ask(&s.addr, "HEAD", "/fr/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    // A link inside the output to the secrets is not followed.
    std::os::unix::fs::symlink(
        site.path().join("data/secrets.toml"),
        site.path().join("public/leak.txt"),
    )
    .unwrap();
    let leak = get(&s.addr, "/leak.txt");
    assert_eq!(leak.status, 404);
    assert!(!String::from_utf8_lossy(&leak.body).contains("pepper"));

    // Validators, answered 304.
    let css = get(&s.addr, "/static/style.css");
    assert_eq!(css.status, 200);
    let etag = css.header("etag").expect("an ETag").to_string();
    let modified = css
        .header("last-modified")
        .expect("a Last-Modified")
        .to_string();
    let css_with = |header: &str, value: &str| {
        ask(&s.addr, "GET", "/static/style.css", &[(header, value)]).status
    };
    assert_eq!(css_with("If-None-Match", &etag), 304);
    assert_eq!(css_with("If-Modified-Since", &modified), 304);
    assert_eq!(css_with("If-None-Match", "W/\"other\""), 200);

    // One range of bytes.
    let part = ask(
        &s.addr,
        "GET",
        "/static/style.css",
        &[("Range", "bytes=0-9")],
    );
    assert_eq!(part.status, 206);
    assert_eq!(part.body, css.body[..10]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 0-9/{}", css.body.len()).as_str())
    );
    let past = ask(
        &s.addr,
        "GET",
        "/static/style.css",
        &[("Range", "bytes=999999-")],
    );
    assert_eq!(past.status, 416);

    // Text compressed as the client accepts it; fonts are compressed already.
    for encoding in ["gzip", "br"] {
        let a = ask(&s.addr, "GET", "/fr/", &[("Accept-Encoding", encoding)]);
        assert_eq!(a.header("content-encoding"), Some(encoding));
    }
    let font = std::fs::read_dir(site.path().join("public/static/fonts"))
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "woff2"))
        .expect("a font");
    let font = format!("/static/fonts/{}", font.file_name().to_string_lossy());
    let a = ask(&s.addr, "GET", &font, &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-encoding"), None);

    // Counts: cacheable, and limited per address.
    let counts = get(&s.addr, "/api/counts?ids=p-water");
    assert_eq!(counts.status, 200);
    assert!(
        counts
            .header("cache-control")
            .unwrap()
            .contains("max-age=5")
    );
    let refused = (0..400)
        .map(|_| get(&s.addr, "/api/counts?ids=p-water").status)
        .filter(|&status| status == 429)
        .count();
    assert!(
        refused > 0,
        "400 requests in a moment from one address were all answered"
    );
}

#[test]
fn a_half_sent_request_is_not_held_open() {
    let site = site();
    let s = serve(site.path());
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream
        .write_all(b"GET /fr/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(45)))
        .unwrap();
    let mut buf = [0u8; 512];
    let closed = match stream.read(&mut buf) {
        Ok(_) => true,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    };
    assert!(closed, "the server still waits for the rest of the headers");
}

#[test]
fn a_save_re_renders_its_page_alone() {
    let site = site();
    let s = serve(site.path());
    let page = site.path().join("content/about.fr.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nUne phrase ajoutée.\n")).unwrap();
    s.wait_for("rebuilt", 1);
    let rebuilt = s.printed("rebuilt");
    assert!(
        rebuilt[0].starts_with("rebuilt 1 pages "),
        "the save rebuilt more than its page: {rebuilt:?}"
    );
    assert!(
        String::from_utf8_lossy(&get(&s.addr, "/fr/about/").body).contains("Une phrase ajoutée")
    );
}

#[test]
fn a_page_polled_through_full_rebuilds_is_never_missing() {
    let site = site();
    let s = serve(site.path());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Several clients, each asking again and again on one connection, as fast as answered.
    let pollers: Vec<_> = ["/fr/about/", "/static/style.css", "/ar/about/"]
        .into_iter()
        .map(|path| {
            let (addr, stop) = (s.addr.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut polls, mut missing) = (0, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                    let mut status = String::new();
                    reader.read_line(&mut status).unwrap();
                    let (mut length, mut line) = (0, String::new());
                    loop {
                        line.clear();
                        reader.read_line(&mut line).unwrap();
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    polls += 1;
                    if !status.contains(" 200 ") {
                        missing.push((path, status.trim().to_string()));
                    }
                }
                (polls, missing)
            })
        })
        .collect();
    // A change to the theme rebuilds the whole site.
    let css = site.path().join("site-theme/static/style.css");
    let original = std::fs::read_to_string(&css).unwrap();
    for i in 1..=20 {
        std::fs::write(&css, format!("{original}\n/* {i} */\n")).unwrap();
        s.wait_for("rebuilt in", i);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut polls, mut missing) = (0, Vec::new());
    for poller in pollers {
        let (n, m) = poller.join().unwrap();
        polls += n;
        missing.extend(m);
    }
    assert!(polls > 50, "only {polls} polls during twenty rebuilds");
    assert!(missing.is_empty(), "{missing:?} of {polls} polls");
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Stops `s` as a service manager does (SIGTERM) and waits for it.
fn terminate(mut s: Serve) {
    let status = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "serve stopped with {status}");
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a copy of the database file alone (no log beside it) holds the published catalog.
fn opens_alone(db: &Path) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite3");
    std::fs::copy(db, &copy).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use musharaka_functions::store::Store;
        let store = musharaka_functions::store::sqlite::SqliteStore::open(&copy).unwrap();
        store.entry("p-water").await.unwrap().is_some()
    })
}

/// `musharaka backup` of the store `serve` keeps in `site`, into `backup.sqlite3`.
fn backup_in(site: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_musharaka"))
        .args(["backup", "--store", "sqlite:data/musharaka.sqlite3"])
        .arg("backup.sqlite3")
        .current_dir(site)
        .output()
        .unwrap()
}

#[test]
fn private_files_a_backup_and_a_whole_database_once_stopped() {
    let site = site();
    let data = site.path().join("data");
    let s = serve(site.path());
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("secrets.toml")), 0o600);
    assert_eq!(mode(&data.join("musharaka.sqlite3")), 0o600);

    // A backup while serving: one private file that opens alone.
    let backup = site.path().join("backup.sqlite3");
    let o = backup_in(site.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(mode(&backup), 0o600);
    assert!(opens_alone(&backup), "the backup does not hold the catalog");
    let again = backup_in(site.path());
    assert!(
        !again.status.success(),
        "a backup replaced an existing file"
    );

    // Stopped politely, the database file alone is the whole store.
    terminate(s);
    let wal: PathBuf = data.join("musharaka.sqlite3-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the write-ahead log was not folded back at the stop"
    );
    assert!(opens_alone(&data.join("musharaka.sqlite3")));

    // Secrets others may read: the server does not start, and says how to fix it.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        data.join("secrets.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_musharaka"))
        .args(["serve", "--port", "0"])
        .current_dir(site.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("chmod 600"), "{said}");
}
