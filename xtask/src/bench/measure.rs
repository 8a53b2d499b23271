//! The measurements of `cargo xtask bench`: timed builds with peak memory, the incremental
//! rebuild under `serve`, a signing surge with wrk, Lambda cold starts, page weights.

use crate::root;
use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Installs hugo, wrk and GNU time with apt-get when missing.
pub(super) fn ensure_tools() -> Result<()> {
    let missing: Vec<&str> = [
        ("hugo", "/usr/bin/hugo"),
        ("wrk", "/usr/bin/wrk"),
        ("time", "/usr/bin/time"),
    ]
    .into_iter()
    .filter(|(_, p)| !Path::new(p).exists())
    .map(|(pkg, _)| pkg)
    .collect();
    if !missing.is_empty() {
        crate::run_with("apt-get", &["update", "-qq"], &[])?;
        let mut args = vec!["install", "-y", "-qq"];
        args.extend(missing);
        crate::run_with("apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")])?;
    }
    Ok(())
}

/// Today's date.
pub(super) fn today() -> String {
    let out = Command::new("date").arg("+%Y-%m-%d").output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The processor, its cores and the memory.
pub(super) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown processor".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let hugo = Command::new("hugo")
        .arg("version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem:.0} GiB; Hugo {hugo}")
}

/// Median of `runs` measurements of `(seconds, megabytes)`, after one warm-up run (which
/// leaves an earlier output to rebuild over, as in daily use, and warms the file cache).
pub(super) fn median_runs(
    runs: usize,
    mut f: impl FnMut() -> Result<(f64, f64)>,
) -> Result<(f64, f64)> {
    f()?;
    let mut t = Vec::new();
    let mut m = Vec::new();
    for _ in 0..runs {
        let (a, b) = f()?;
        t.push(a);
        m.push(b);
    }
    Ok((median(&mut t), median(&mut m)))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs a command under GNU time; returns (wall seconds, peak resident MB).
fn timed(program: &Path, args: &[&str]) -> Result<(f64, f64)> {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("TIMED %e %M")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .output()
        .context("cannot run /usr/bin/time")?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("{} failed:\n{err}", program.display());
    }
    let line = err
        .lines()
        .rev()
        .find(|l| l.starts_with("TIMED"))
        .context("no timing")?;
    let mut parts = line.split_whitespace().skip(1);
    let secs: f64 = parts.next().unwrap_or("0").parse()?;
    let kb: f64 = parts.next().unwrap_or("0").parse()?;
    Ok((secs, kb / 1024.0))
}

/// A release binary of the workspace.
pub(super) fn release(name: &str) -> PathBuf {
    root().join("target/release").join(name)
}

/// One build of the synthetic site by Musharaka.
pub(super) fn build_musharaka(_root: &Path, dir: &Path) -> Result<(f64, f64)> {
    let site = dir.join("musharaka");
    let out = dir.join("out-musharaka");
    timed(
        &release("musharaka"),
        &[
            "build",
            "--root",
            &site.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ],
    )
}

/// One build of the synthetic site by Hugo (over its previous output, as `hugo` is run).
pub(super) fn build_hugo(dir: &Path) -> Result<(f64, f64)> {
    let out = dir.join("out-hugo");
    timed(
        Path::new("/usr/bin/hugo"),
        &[
            "--quiet",
            "-s",
            &dir.join("hugo").to_string_lossy(),
            "-d",
            &out.to_string_lossy(),
        ],
    )
}

/// A `musharaka serve` child, killed when dropped.
pub(super) struct Serve {
    child: Child,
    /// `127.0.0.1:port`.
    pub addr: String,
    /// What it printed after its address.
    pub printed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts the release `serve` as the README says (from the site's folder, `--root .`), with
/// its output and data under `work`.
pub(super) fn serve(site: &Path, work: &Path, extra: &[&str]) -> Result<Serve> {
    let out = work.join("serve-public");
    let data = work.join("serve-data");
    for d in [&out, &data] {
        if d.exists() {
            std::fs::remove_dir_all(d)?;
        }
    }
    let mut child = Command::new(release("musharaka"))
        .args([
            "serve",
            "--port",
            "0",
            "--root",
            ".",
            "--out",
            &out.to_string_lossy(),
            "--data",
            &data.to_string_lossy(),
        ])
        .args(extra)
        .current_dir(site)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().context("serve stopped before serving")??;
        if let Some(rest) = line.split("http://").nth(1) {
            break rest
                .trim_end_matches('/')
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    // Keep reading so the pipe never fills.
    let printed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = printed.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
    Ok(Serve {
        child,
        addr,
        printed,
    })
}

/// A plain HTTP GET; returns the body.
pub(super) fn get(addr: &str, path: &str) -> Result<String> {
    let mut s = TcpStream::connect(addr)?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut body = String::new();
    s.read_to_string(&mut body)?;
    Ok(body)
}

/// Saves one page of the running site several times, each re-rendering that page alone;
/// returns (median, min, max ms, saves).
pub(super) fn incremental(_root: &Path, site: &Path) -> Result<(f64, f64, f64, usize)> {
    let work = site.parent().context("site folder")?.join("incremental");
    std::fs::create_dir_all(&work)?;
    let server = serve(site, &work, &[])?;
    let page = site.join("content/posts/p-00010.fr.md");
    let original = std::fs::read_to_string(&page)?;
    let mut times = Vec::new();
    for i in 0..7 {
        let marker = format!("marker-{i}-{}", std::process::id());
        std::fs::write(&page, format!("{original}\n{marker}\n"))?;
        let start = Instant::now();
        loop {
            if get(&server.addr, "/fr/posts/p-00010/")?.contains(&marker) {
                break;
            }
            if start.elapsed() > Duration::from_secs(60) {
                bail!("the page was not rebuilt within 60 s");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(300));
        let printed = server.printed.lock().unwrap_or_else(|e| e.into_inner());
        let rebuilt: Vec<&String> = printed
            .iter()
            .filter(|l| l.starts_with("rebuilt"))
            .collect();
        let alone = rebuilt
            .last()
            .is_some_and(|l| l.starts_with("rebuilt 1 pages "));
        if !alone || rebuilt.len() != i + 1 {
            bail!("a save did not re-render its page alone: {rebuilt:?}");
        }
    }
    std::fs::write(&page, original)?;
    let (min, max) = (
        times.iter().cloned().fold(f64::MAX, f64::min),
        times.iter().cloned().fold(0.0, f64::max),
    );
    let n = times.len();
    Ok((median(&mut times), min, max, n))
}

/// Cold start of each function binary: process start to first response (median of 5).
pub(super) fn cold_starts(root: &Path) -> Result<Vec<f64>> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let events = root.join("functions/tests/events");
    let mut out = Vec::new();
    for (f, event) in [
        ("sign", "sign-form.json"),
        ("comment", "comment-form.json"),
        ("counts", "counts.json"),
        ("committee", "committee-form.json"),
    ] {
        let event: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(events.join(event))?)?;
        let mut times = Vec::new();
        for _ in 0..5 {
            let dir = tempfile::tempdir()?;
            let ms = runtime.block_on(async {
                let api = musharaka_functions::local_runtime::LocalRuntime::start().await?;
                let start = Instant::now();
                let mut child = Command::new(release(f))
                    .envs(api.lambda_env(f))
                    .env(
                        "MUSHARAKA_STORE",
                        format!("sqlite:{}", dir.path().join("s.sqlite3").display()),
                    )
                    .env("MUSHARAKA_SITE_ORIGIN", "https://musharaka.ma")
                    .env("MUSHARAKA_PEPPER", b64.encode([5u8; 32]))
                    .env("MUSHARAKA_DATA_KEY", b64.encode([6u8; 32]))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()?;
                let answer = api.invoke(&event, Duration::from_secs(10)).await;
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                child.kill().ok();
                child.wait().ok();
                answer.map_err(|e| anyhow::anyhow!("{f}: {e}"))?;
                anyhow::Ok(ms)
            })?;
            times.push(ms);
        }
        out.push(median(&mut times));
    }
    Ok(out)
}

/// Gzip sizes of pages, stylesheet and script.
pub(super) struct Weights {
    /// (page, html, css, js, mark) in bytes after gzip.
    pub pages: Vec<(String, u64, u64, u64, u64)>,
    /// The font's size.
    pub font: u64,
    /// (map, bytes, bytes after gzip) of each kind of map, as inlined in its page.
    pub maps: Vec<(String, u64, u64)>,
}

/// The inline map of the page at `path` (`<svg class="map"` to `</svg>`): its bytes, and after
/// `gzip -9` alone.
fn map_weight(path: &Path, work: &Path) -> Result<(u64, u64)> {
    let html = std::fs::read_to_string(path)?;
    let start = html
        .find("<svg class=\"map\"")
        .with_context(|| format!("no map in {}", path.display()))?;
    let end = start + html[start..].find("</svg>").context("unclosed map")? + "</svg>".len();
    let svg = work.join("map.svg");
    std::fs::write(&svg, &html[start..end])?;
    Ok(((end - start) as u64, gzip_size(&svg)?))
}

/// Bytes of `path` after `gzip -9`.
pub(super) fn gzip_size(path: &Path) -> Result<u64> {
    let out = Command::new("gzip").args(["-9", "-c"]).arg(path).output()?;
    Ok(out.stdout.len() as u64)
}

/// Builds the repository's site and weighs its home and a petition page in each language.
pub(super) fn page_weights(root: &Path, work: &Path) -> Result<Weights> {
    let out = work.join("pages");
    let status = Command::new(release("musharaka"))
        .args([
            "build",
            "--root",
            &root.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ])
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("build of the repository content failed");
    }
    let css = gzip_size(&out.join("static/style.css"))? + gzip_size(&out.join("static/print.css"))?;
    let js = gzip_size(&out.join("static/musharaka.js"))?;
    let mark = gzip_size(&out.join("static/mark.svg"))?;
    let catalog: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("catalog.json"))?)?;
    let petition = catalog["entries"]
        .as_array()
        .and_then(|e| {
            e.iter()
                .find(|e| e["kind"] == "petition" && e["state"] == "collecting")
        })
        .context("no collecting petition")?
        .clone();
    let mut pages = Vec::new();
    for lang in ["ar", "zgh", "fr"] {
        pages.push((
            format!("home ({lang})"),
            gzip_size(&out.join(lang).join("index.html"))?,
            css,
            js,
            mark,
        ));
        let url = petition["url"][lang].as_str().unwrap_or_default();
        let path = url
            .split_once("//")
            .and_then(|(_, r)| r.split_once('/'))
            .map(|(_, p)| p)
            .unwrap_or_default();
        pages.push((
            format!("petition ({lang})"),
            gzip_size(&out.join(path).join("index.html"))?,
            css,
            js,
            mark,
        ));
    }
    let font = std::fs::metadata(out.join("static/fonts/NotoSansTifinagh-Regular.woff2"))?.len();
    let page_of = |e: &serde_json::Value| {
        let url = e["url"]["fr"].as_str().unwrap_or_default();
        let path =
            (url.split_once("//").and_then(|(_, r)| r.split_once('/'))).map_or("", |(_, p)| p);
        out.join(path).join("index.html")
    };
    let regional = (catalog["entries"].as_array())
        .and_then(|e| e.iter().find(|e| e["target"]["authority"] == "region"))
        .context("no petition to a region council")?;
    let mut maps = Vec::new();
    for (name, page) in [
        ("regions, on a petition (fr)", page_of(&petition)),
        (
            "provinces of a region, on its council's petition (fr)",
            page_of(regional),
        ),
        (
            "open initiatives by region, linked (fr)",
            out.join("fr/browse/index.html"),
        ),
    ] {
        let (bytes, gzip) = map_weight(&page, work)?;
        maps.push((name.to_string(), bytes, gzip));
    }
    Ok(Weights { pages, font, maps })
}
