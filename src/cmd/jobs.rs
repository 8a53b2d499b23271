//! The scheduled jobs on Lambda: the same `musharaka` binary, started by the Lambda runtime
//! with the function's handler naming the job. `refresh` (every few minutes) renders the
//! count-bearing pages again from the sources the deployment copied to the bucket's
//! `_source/`; `purge` (daily) applies the retention policy of the published catalog. Both read
//! `MUSHARAKA_STORE`, `MUSHARAKA_BUCKET` and (refresh) `MUSHARAKA_DISTRIBUTION`.

use super::bucket::{Bucket, Cdn};
use anyhow::{Context, Result, bail};
use chrono::Utc;
use lambda_runtime::{LambdaEvent, service_fn};
use musharaka_functions::store;
use musharaka_model::catalog::Catalog;
use serde_json::{Value, json};
use std::process::ExitCode;

/// The jobs, by handler name.
pub(crate) const JOBS: [&str; 2] = ["refresh", "purge"];

/// Where the deployment copies `content/` and `site-theme/` in the bucket.
pub(crate) const SOURCE_PREFIX: &str = "_source/";

/// The job a Lambda runtime started this binary for: the function's handler, when it names
/// one.
pub(crate) fn lambda_job() -> Option<String> {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API")?;
    std::env::var("_HANDLER")
        .ok()
        .filter(|h| JOBS.contains(&h.as_str()))
}

/// Serves the Lambda runtime's invocations of `job` until it stops the function.
pub(crate) fn serve(job: &str) -> Result<ExitCode> {
    musharaka_functions::logging::init();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let handler = service_fn(|_: LambdaEvent<Value>| async move {
            let done = run(job).await;
            if let Err(e) = &done {
                tracing::error!(job, error = %format!("{e:#}"), "job failed");
            }
            done.map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))
        });
        lambda_runtime::run(handler)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    Ok(ExitCode::SUCCESS)
}

fn var(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set"))
}

/// Runs `job` once; returns what it did, for the log.
async fn run(job: &str) -> Result<Value> {
    let spec = var("MUSHARAKA_STORE")?;
    let store = store::open_admin(&spec).await?;
    let bucket = Bucket::from_env(&var("MUSHARAKA_BUCKET")?)?;
    let now = Utc::now();
    match job {
        "refresh" => {
            let root = tempfile::tempdir()?;
            // Templates, strings and content: the static files are not rendered.
            let rendered = |rel: &str| !rel.starts_with("site-theme/static/");
            let n = bucket
                .download(SOURCE_PREFIX, root.path(), rendered)
                .await?;
            if n == 0 {
                bail!(
                    "the bucket has no sources under {SOURCE_PREFIX}: copy content/ and site-theme/ there when publishing"
                );
            }
            let cdn = match std::env::var("MUSHARAKA_DISTRIBUTION") {
                Ok(id) if !id.is_empty() => Some(Cdn::from_env(&id)?),
                _ => None,
            };
            let done =
                super::refresh::refresh(root.path(), &*store, &bucket, cdn.as_ref(), now).await?;
            tracing::info!(
                documents = done.documents,
                files = done.files.len(),
                "refreshed"
            );
            Ok(json!({"documents": done.documents, "files": done.files.len()}))
        }
        "purge" => {
            let published = bucket
                .get("catalog.json")
                .await?
                .context("the bucket has no catalog.json")?;
            let catalog: Catalog = serde_json::from_slice(&published)?;
            let deleted =
                super::purge::purge(&*store, &spec, &catalog, "scheduled purge", now, false)
                    .await?;
            tracing::info!(deleted, "purged");
            Ok(json!({"deleted": deleted}))
        }
        other => bail!("no job {other}"),
    }
}
