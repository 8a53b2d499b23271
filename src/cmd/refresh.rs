//! `musharaka refresh`: keeps the published site's counts fresh without a new build. Renders
//! again, with the incremental renderer, the pages whose counts, forms or days left changed
//! since the last run (each initiative, its section, the home page, the lists by state,
//! authority and region, the open data), writes them to the bucket and invalidates the CDN's
//! copies. What the pages showed is kept in the bucket (`_jobs/refresh.json`, not served); the
//! published `catalog.json` gives the consultations' sections and is never rewritten. The
//! scheduled `refresh` Lambda runs the same code on the sources the deployment copied to
//! `_source/`.

use super::bucket::{Bucket, Cdn};
use super::build::{approved_comments, daily_counts};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use musharaka_functions::store::{self, AdminStore};
use musharaka_generator::{Comments, Daily, Fresh, Site};
use musharaka_model::catalog::{Catalog, Count, Details};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// Where the last run's state is kept in the bucket (the CDN does not serve `_jobs/`).
pub(crate) const STATE_KEY: &str = "_jobs/refresh.json";

/// What the pages in the bucket show, as of the last run.
#[derive(Serialize, Deserialize)]
struct State {
    /// The instant they were rendered for.
    now: DateTime<Utc>,
    /// The counts they show.
    counts: BTreeMap<String, Count>,
    /// The signatures of each complete day, as the open data gives them.
    daily: Daily,
    /// The approved comments they show.
    #[serde(default)]
    comments: Comments,
}

/// What a run did.
#[derive(Debug)]
pub(crate) struct Refreshed {
    /// The documents rendered again.
    pub(crate) documents: usize,
    /// The files written to the bucket.
    pub(crate) files: Vec<String>,
    /// The CDN's invalidation, if one was asked for.
    pub(crate) invalidation: Option<String>,
}

/// Runs `musharaka refresh`.
pub(crate) fn run(
    root: &Path,
    spec: &str,
    bucket: &str,
    distribution: Option<&str>,
) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        let bucket = Bucket::from_env(bucket)?;
        let cdn = distribution.map(Cdn::from_env).transpose()?;
        let done = refresh(root, &*store, &bucket, cdn.as_ref(), Utc::now()).await?;
        println!(
            "rendered {} pages again; wrote {} files to s3://{}/{}",
            done.documents,
            done.files.len(),
            bucket.name,
            done.invalidation
                .map(|id| format!("; invalidation {id}"))
                .unwrap_or_default()
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// Renders again the pages of the site under `root` that the counts and comments of `store` or
/// the clock at `now` changed since the last run, writes them to `bucket` and invalidates the
/// copies of `cdn`. Does nothing while the sources and the bucket's catalog disagree (a
/// deployment under way).
pub(crate) async fn refresh(
    root: &Path,
    store: &dyn AdminStore,
    bucket: &Bucket,
    cdn: Option<&Cdn>,
    now: DateTime<Utc>,
) -> Result<Refreshed> {
    let published = bucket
        .get("catalog.json")
        .await?
        .context("the bucket has no catalog.json: build and upload the site first")?;
    let catalog: Catalog =
        serde_json::from_slice(&published).context("the bucket's catalog.json is not valid")?;
    // The pages' URLs are those the site was built with.
    let mut site = Site::load(root, Some(&catalog.base_url))?;
    let mut anchors = site.anchors_from(&catalog);
    if !site.agrees_with(&catalog, &anchors) {
        tracing::warn!("the sources differ from the published catalog: a deployment is under way");
        return Ok(Refreshed {
            documents: 0,
            files: Vec::new(),
            invalidation: None,
        });
    }
    let last: Option<State> = match bucket.get(STATE_KEY).await? {
        Some(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| tracing::warn!(error = %e, "the last run's state is unreadable: every page is rendered again"))
            .ok(),
        None => None,
    };
    let offset = site.config.offset()?;
    let day = |t: DateTime<Utc>| t.with_timezone(&offset).date_naive();
    site.now = now;
    // Without a last run, every page with a count or a date is rendered again.
    let (then, daily) = match &last {
        Some(s) if day(s.now) == day(now) => (s.now, None),
        Some(s) => {
            // A new day: the signatures of the days since the last run join the open data,
            // read again only for the initiatives collecting then.
            let since = day(s.now);
            let ids: Vec<String> = (catalog.entries.iter())
                .filter(|e| matches!(e.details, Details::Petition(_) | Details::Motion(_)))
                .filter(|e| day(e.opens.to_utc()) < day(now) && day(e.closes.to_utc()) >= since)
                .map(|e| e.id.clone())
                .collect();
            let mut daily = s.daily.clone();
            daily.extend(daily_counts(&site, store, &ids).await?);
            (s.now, Some(daily))
        }
        None => {
            let ids = site.initiative_ids();
            (
                DateTime::<Utc>::UNIX_EPOCH,
                Some(daily_counts(&site, store, &ids).await?),
            )
        }
    };
    let fresh = Fresh {
        counts: store.counts(&site.initiative_ids()).await?,
        daily,
        comments: Some(approved_comments(&site, store).await?),
    };
    if let Some(s) = last {
        (site.counts, site.daily, site.comments) = (s.counts, s.daily, s.comments);
    }
    site.now = then;
    let out = tempfile::tempdir()?;
    let documents = site.refresh(fresh, now, out.path(), &mut anchors)?;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(out.path()) {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(out.path())?;
        let key = rel.to_string_lossy().replace('\\', "/");
        // The published catalog stays as `publish` loaded it.
        if key == "catalog.json" {
            continue;
        }
        bucket.put(&key, std::fs::read(entry.path())?).await?;
        files.push(key);
    }
    files.sort();
    // One wildcard path a run: CloudFront bills each path, and a signature changes a dozen.
    let invalidation = match cdn {
        Some(cdn) if !files.is_empty() => {
            let reference = format!("refresh-{}", now.timestamp_millis());
            Some(cdn.invalidate(&["/*".to_string()], &reference).await?)
        }
        _ => None,
    };
    let state = State {
        now: site.now,
        counts: site.counts,
        daily: site.daily,
        comments: site.comments,
    };
    bucket.put(STATE_KEY, serde_json::to_vec(&state)?).await?;
    Ok(Refreshed {
        documents,
        files,
        invalidation,
    })
}
