//! `musharaka purge --store ... --operator NAME`: deletes the signers' personal data (name, CIN,
//! address, and the keyed hashes that tie a person to an initiative) of every initiative past
//! the retention policy of `site.toml` (law 09-08, art. 3), then every signature past its
//! deadline, whatever its initiative, and the comments moderation rejected long enough ago.
//! Counts and aggregates stay; each deletion of signatures is logged. The
//! catalog must be the one published in the store, so that no deletion rests on a state the
//! portal does not show.

use super::publish::read_catalog;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use musharaka_functions::store::{self, Action, AdminStore};
use musharaka_model::catalog::{Catalog, Details};
use std::path::Path;
use std::process::ExitCode;

/// Runs `musharaka purge`.
pub(crate) fn run(spec: &str, catalog: &Path, operator: &str, dry_run: bool) -> Result<ExitCode> {
    let operator = operator.trim();
    if operator.is_empty() {
        bail!("--operator needs your name: every deletion is logged with it");
    }
    let catalog = read_catalog(catalog)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        purge(&*store, spec, &catalog, operator, Utc::now(), dry_run).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Deletes what the retention policy of `catalog` says is due at `now` from `store` (named
/// `spec` in messages), logging each deletion under `operator`; returns the number of
/// signatures deleted.
pub(crate) async fn purge(
    store: &dyn AdminStore,
    spec: &str,
    catalog: &Catalog,
    operator: &str,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<usize> {
    let policy = catalog.retention;
    let ids: Vec<String> = catalog.entries.iter().map(|e| e.id.clone()).collect();
    let counts = store
        .counts(&ids)
        .await
        .with_context(|| format!("cannot read the counts of {spec}"))?;
    let mut deleted = 0;
    for entry in &catalog.entries {
        let (Details::Petition(init) | Details::Motion(init)) = &entry.details else {
            continue;
        };
        let stored = store.entry(&entry.id).await?;
        if stored.as_ref() != Some(entry) {
            bail!(
                "{}: the catalog differs from the one published in {spec}; nothing was deleted past this point: run `musharaka publish --store {spec}` first",
                entry.id
            );
        }
        let total = counts.get(&entry.id).map_or(0, |c| c.total);
        // Bounded by the policy's deadline, the `erase_by` the build wrote from it.
        let due = policy.delete_after(
            init.state,
            entry.closes,
            init.decided,
            total >= init.threshold,
        );
        let due_text = due.to_rfc3339_opts(SecondsFormat::Secs, true);
        if now < due {
            println!("{}: kept until {due_text}", entry.id);
            continue;
        }
        if dry_run {
            println!("{}: due since {due_text}: would be deleted", entry.id);
            continue;
        }
        let n = store
            .erase_signatures(&entry.id)
            .await
            .with_context(|| format!("cannot delete the signatures of {}", entry.id))?;
        let committee = super::committees::erase(store, &entry.id).await?;
        if committee > 0 {
            println!(
                "{}: deleted the data of its committee of {committee}",
                entry.id
            );
        }
        if n > 0 {
            store
                .log_action(Action::Purge, &entry.id, operator, now, n)
                .await?;
        }
        deleted += n;
        println!(
            "{}: due since {due_text}: deleted the personal data of {n} signers; the count ({total}) stays",
            entry.id
        );
    }
    if dry_run {
        println!("a dry run does not look for signatures past their deadline or rejected comments");
    } else {
        for (id, n) in store.erase_expired(now).await? {
            store
                .log_action(Action::Purge, &id, operator, now, n)
                .await?;
            println!("{id}: deleted {n} signatures past their deadline");
            deleted += n;
        }
        let before = policy.rejected_comments_before(now.fixed_offset());
        let comments = store.erase_rejected_comments(before.timestamp()).await?;
        println!(
            "deleted {comments} comments rejected before {}",
            before.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        let requests = store.erase_requests(now).await?;
        println!("deleted {requests} signing requests never confirmed within 24 hours");
        let drafts = store.erase_drafts(now).await?;
        println!(
            "deleted {drafts} proposal drafts never submitted within {} days, with their committees",
            musharaka_model::proposal::DRAFT_DAYS
        );
    }
    println!("{deleted} signatures deleted from {spec}");
    Ok(deleted)
}
