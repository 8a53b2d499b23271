//! `musharaka serve`: the whole portal on one machine. Builds the site, publishes its catalog
//! into an embedded SQLite store under the data folder, and serves on 127.0.0.1 the static
//! files and the same function routers that run on Lambda, under `/api/`. Rebuilds when a
//! file under `content/` or `site-theme/` changes and reloads the open pages; renders again,
//! every second if needed, the pages whose counts, forms or days left changed.

mod counts;
mod files;
mod http;
mod outbox;
mod range;

use super::build::{load_from_store, write_site};
use super::publish::read_catalog;
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use musharaka_functions::store::SharedAdminStore;
use musharaka_functions::store::sqlite::SqliteStore;
use musharaka_functions::{AppState, Settings, security};
use musharaka_generator::Anchors;
use musharaka_generator::Site;
use notify::{RecursiveMode, Watcher};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::watch;

/// Where `serve` keeps its files.
pub(crate) struct ServeOptions {
    /// Folder holding `content/` and `site-theme/`.
    pub root: PathBuf,
    /// Port (0: any free one).
    pub port: u16,
    /// Output folder of the site.
    pub out: PathBuf,
    /// Data folder: the SQLite store and the local secrets.
    pub data: PathBuf,
    /// Rate limit as `max/seconds`, if not the default.
    pub rate_limit: Option<String>,
}

/// Runs `musharaka serve`.
pub(crate) fn run(options: ServeOptions) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(serve(options))
}

/// Builds with the current counts, then publishes the catalog if it changed. Keeps the site in
/// memory between builds, so that saving a page re-renders only what it changes.
struct Builder {
    root: PathBuf,
    /// `root` as the file watcher names it (absolute, links resolved).
    watched: PathBuf,
    out: PathBuf,
    base_url: String,
    store: SharedAdminStore,
    /// The keys that open the committees counted as first signatures.
    secrets: musharaka_functions::crypto::Secrets,
    runtime: Handle,
    published: Mutex<Option<String>>,
    site: Mutex<Option<(Site, Anchors)>>,
    building: Mutex<()>,
}

impl Builder {
    /// Current counts and approved comments from the local store.
    fn counts(&self, site: &mut Site) {
        if let Err(e) = self.runtime.block_on(load_from_store(site, &*self.store)) {
            eprintln!("cannot read counts and comments: {e:#}");
        }
        site.now = chrono::Utc::now();
    }

    /// A full build (one at a time: the watcher and the refresh at midnight may both ask).
    fn build(&self) -> Result<()> {
        let _one = self.building.lock().unwrap_or_else(|e| e.into_inner());
        let mut site = Site::load(&self.root, Some(&self.base_url))?;
        self.counts(&mut site);
        let report = write_site(&site, &self.out)?;
        *self.site.lock().unwrap_or_else(|e| e.into_inner()) = Some((site, report.anchors));
        self.publish()
    }

    /// The paths the watcher reports, as the loaded site names them (under `root` as given,
    /// `.` included), so that a save is matched to its page whatever the form of `--root`.
    fn as_loaded(&self, changed: Vec<PathBuf>) -> Vec<PathBuf> {
        changed
            .into_iter()
            .map(|p| match p.strip_prefix(&self.watched) {
                Ok(rel) => self.root.join(rel),
                Err(_) => p,
            })
            .collect()
    }

    /// Re-renders what `changed` touches when only content files were saved; else a full build.
    /// Returns the number of pages written by a partial rebuild (`None` after a full one).
    fn rebuild(&self, changed: &[PathBuf]) -> Result<Option<usize>> {
        {
            let mut guard = self.site.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((site, anchors)) = guard.as_mut()
                && let Some((keys, lists)) = site.update(changed)
            {
                self.counts(site);
                let diags = site.write_partial(&keys, lists, &self.out, anchors)?;
                if !diags.has_errors() {
                    drop(guard);
                    self.publish()?;
                    return Ok(Some(keys.len()));
                }
            }
            *guard = None;
        }
        self.build().map(|()| None)
    }

    /// Renders again the pages whose counts or clock changed since they were written; returns
    /// how many documents. A new day takes a full build (by-day counts, every "days left").
    fn refresh(&self) -> Result<usize> {
        let now = chrono::Utc::now();
        let mut guard = self.site.lock().unwrap_or_else(|e| e.into_inner());
        let Some((site, anchors)) = guard.as_mut() else {
            return Ok(0);
        };
        let offset = site.config.offset()?;
        let day = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&offset).date_naive();
        if day(site.now) != day(now) {
            drop(guard);
            self.build()?;
            return Ok(0);
        }
        let counts = self
            .runtime
            .block_on(self.store.counts(&site.initiative_ids()))?;
        let fresh = musharaka_generator::Fresh {
            counts,
            ..Default::default()
        };
        site.refresh(fresh, now, &self.out, anchors)
    }

    fn publish(&self) -> Result<()> {
        let path = self.out.join("catalog.json");
        let text = std::fs::read_to_string(&path)?;
        let mut published = self.published.lock().unwrap_or_else(|e| e.into_inner());
        if published.as_deref() != Some(text.as_str()) {
            let catalog = read_catalog(&path)?;
            let n = self.runtime.block_on(self.store.publish(&catalog))?;
            println!("published {n} catalog entries into the local store");
            let secrets = || Ok(self.secrets.clone());
            let now = chrono::Utc::now();
            let seat = super::committees::seat(&*self.store, &catalog, secrets, now);
            let seated = self.runtime.block_on(seat)?;
            if seated > 0 {
                println!("counted {seated} committee members as first signatures");
            }
            *published = Some(text);
        }
        Ok(())
    }
}

async fn serve(o: ServeOptions) -> Result<ExitCode> {
    musharaka_functions::logging::init_stderr();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", o.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on 127.0.0.1:{} (is it in use? try --port 0)",
                o.port
            )
        })?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    super::private::private_dir(&o.data)?;
    let sqlite = Arc::new(SqliteStore::open(&o.data.join("musharaka.sqlite3"))?);
    let store: SharedAdminStore = sqlite.clone();
    let secrets = super::secrets::local_secrets(&o.data)?;
    let outbox_dir = o.data.join("outbox");
    let notifier = musharaka_functions::notify::from_env(&base_url, Some(outbox_dir.clone()))?;
    outbox::spawn_sender(sqlite.clone(), notifier, secrets.clone());
    let mut settings = Settings::new(&base_url, secrets);
    let config = o.root.join("content").join("site.toml");
    if let Ok(config) = musharaka_generator::SiteConfig::from_file(&config) {
        settings.proposal_days = config.proposals;
    }
    if let Some(limit) = o
        .rate_limit
        .or_else(|| std::env::var("MUSHARAKA_RATE_LIMIT").ok())
    {
        settings.set_rate_limit(&limit)?;
    }
    let builder = Arc::new(Builder {
        watched: std::fs::canonicalize(&o.root)
            .with_context(|| format!("cannot open {}", o.root.display()))?,
        root: o.root.clone(),
        out: o.out.clone(),
        base_url: base_url.clone(),
        store: store.clone(),
        secrets: settings.secrets.clone(),
        runtime: Handle::current(),
        published: Mutex::new(None),
        site: Mutex::new(None),
        building: Mutex::new(()),
    });
    let first = builder.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || first.build()).await? {
        eprintln!("{e:#}");
        eprintln!("fix the files above; the site is rebuilt when they change");
    }
    keep_fresh(builder.clone());
    let (tx, rx) = watch::channel(0u64);
    let _watcher = watch_and_rebuild(builder, tx)?;
    let api = musharaka_functions::router(AppState::new(store, settings));
    let app = api
        .merge(outbox::router(outbox_dir))
        .merge(site_router(o.out, rx))
        .layer(axum::middleware::from_fn_with_state(
            counts::CountsCache::default(),
            counts::limit_and_cache,
        ))
        .layer(axum::middleware::map_response(
            |mut r: Response| async move {
                security::apply(r.headers_mut());
                r
            },
        ));
    println!("serving the portal at {base_url}/ (Ctrl+C to stop)");
    tracing::info!(address = %addr, "serving");
    http::serve(listener, app, stopped()).await;
    // The database file alone then holds the whole store.
    sqlite.truncate_log().await;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Waits for Ctrl+C or a polite stop (`kill`, a service manager's SIGTERM).
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    tokio::signal::ctrl_c().await.ok();
}

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

#[derive(serde::Deserialize)]
struct Since {
    since: i64,
}

fn site_router(out: PathBuf, version: watch::Receiver<u64>) -> Router {
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
        .with_state(version)
        .fallback_service(files::Files::new(out).into_service())
}

async fn wait_for_rebuild(
    State(version): State<watch::Receiver<u64>>,
    Query(q): Query<Since>,
) -> String {
    let mut rx = version.clone();
    let current = *rx.borrow_and_update();
    if q.since >= 0 && q.since as u64 == current {
        let _ = tokio::time::timeout(Duration::from_secs(25), rx.changed()).await;
    }
    rx.borrow().to_string()
}

/// How often the pages are checked against the store's counts and the clock.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// How long the refresh waits after a failure.
const REFRESH_BACKOFF: Duration = Duration::from_secs(60);

/// Keeps counts, forms and days left on the pages as the store and the clock have them, so
/// that a reader without JavaScript sees a new signature on the next load. Open pages are not
/// reloaded for it: a signer may be typing.
fn keep_fresh(builder: Arc<Builder>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(REFRESH_EVERY);
            match builder.refresh() {
                Ok(0) => {}
                Ok(n) => println!("rendered {n} pages again with new counts"),
                Err(e) => {
                    eprintln!("cannot render the pages with new counts: {e:#}");
                    // Said once a minute, not every second, while it lasts.
                    std::thread::sleep(REFRESH_BACKOFF);
                }
            }
        }
    });
}

/// Watches `content/` and `site-theme/`; after each burst of changes, rebuilds and bumps the
/// version that open pages wait on.
fn watch_and_rebuild(
    builder: Arc<Builder>,
    version: watch::Sender<u64>,
) -> Result<notify::RecommendedWatcher> {
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event
            && !e.kind.is_access()
        {
            let _ = tx.send(e.paths);
        }
    })?;
    for dir in ["content", "site-theme"] {
        let path = builder.root.join(dir);
        watcher
            .watch(&path, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", path.display()))?;
    }
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            // Let a burst of saves settle, then rebuild once.
            let mut changed = first;
            while let Ok(more) = rx.recv_timeout(Duration::from_millis(20)) {
                changed.extend(more);
            }
            changed.sort();
            changed.dedup();
            let changed = builder.as_loaded(changed);
            let start = Instant::now();
            match builder.rebuild(&changed) {
                Ok(partial) => {
                    version.send_modify(|v| *v += 1);
                    match partial {
                        Some(n) => println!("rebuilt {n} pages in {:.0?}", start.elapsed()),
                        None => println!("rebuilt in {:.0?}", start.elapsed()),
                    }
                }
                Err(e) => eprintln!("{e:#}\nthe previous build is still served"),
            }
        }
    });
    Ok(watcher)
}
