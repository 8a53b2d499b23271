//! `musharaka build`: renders the site into a folder and says what it wrote.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use musharaka_functions::store::AdminStore;
use musharaka_generator::{BuildReport, Comments, Daily, Site};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Pages above which a progress bar is shown on a terminal.
const PROGRESS_FROM: usize = 300;

/// The output folder: `--out`, else `public/` under the root.
pub(crate) fn out_dir(root: &Path, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| root.join("public"))
}

/// Writes a loaded site into `out`, with a progress bar on a terminal, and prints a summary.
pub(crate) fn write_site(site: &Site, out: &Path) -> Result<BuildReport> {
    let total = site.page_count() * site.config.languages.len();
    let bar = (total >= PROGRESS_FROM && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} pages")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: usize, _total: usize| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    };
    let report = site.build(out, &progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = report?;
    for w in &report.warnings {
        eprintln!("{w}");
    }
    let per_lang: Vec<String> = report
        .pages
        .iter()
        .map(|(lang, (own, fallback))| {
            if *fallback > 0 {
                format!("{lang} {own} (+{fallback} from fallback)")
            } else {
                format!("{lang} {own}")
            }
        })
        .collect();
    println!(
        "built {} in {:.0?} (search index {:.0?}): pages {}; {} files",
        out.display(),
        report.elapsed,
        report.search,
        per_lang.join(", "),
        report.files
    );
    Ok(report)
}

/// Fills the site with what a store knows: current counts (and by complete day, for the open
/// data), the approved comments of every consultation, and the rejected proposals, so pages
/// show them without JavaScript.
pub(crate) async fn load_from_store(site: &mut Site, store: &dyn AdminStore) -> Result<()> {
    site.counts = store.counts(&site.initiative_ids()).await?;
    site.daily = daily_counts(site, store, &site.initiative_ids()).await?;
    site.comments = approved_comments(site, store).await?;
    site.rejected.clear();
    let mut after: Option<String> = None;
    loop {
        let rejected = musharaka_model::proposal::ProposalState::Rejected;
        let (page, next) = store.proposals(rejected, after.as_deref(), 200).await?;
        site.rejected.extend(page.into_iter().map(|p| p.proposal));
        match next {
            Some(mark) => after = Some(mark),
            None => break,
        }
    }
    Ok(())
}

/// The signatures counted on each complete day before `site.now` (in the site's offset) of the
/// initiatives `ids`.
pub(crate) async fn daily_counts(
    site: &Site,
    store: &dyn AdminStore,
    ids: &[String],
) -> Result<Daily> {
    let offset = site.config.offset()?;
    let today = site.now.with_timezone(&offset).date_naive();
    let mut daily = Daily::new();
    for id in ids {
        let metas = store.signature_meta(id).await?;
        let counted = metas
            .iter()
            .filter(|s| s.state == "counted")
            .map(|s| s.created);
        daily.insert(id.clone(), count_days(counted, offset, today));
    }
    Ok(daily)
}

/// How many of the instants `created` (epoch seconds) fall on each day before `today`, in
/// `offset`.
fn count_days(
    created: impl Iterator<Item = i64>,
    offset: chrono::FixedOffset,
    today: chrono::NaiveDate,
) -> BTreeMap<chrono::NaiveDate, u64> {
    let mut days = BTreeMap::new();
    for at in created {
        let day =
            chrono::DateTime::from_timestamp(at, 0).map(|t| t.with_timezone(&offset).date_naive());
        if let Some(day) = day.filter(|d| *d < today) {
            *days.entry(day).or_insert(0) += 1;
        }
    }
    days
}

/// The approved comments of every consultation of `site`.
pub(crate) async fn approved_comments(site: &Site, store: &dyn AdminStore) -> Result<Comments> {
    let mut comments = Comments::new();
    for id in site.consultation_ids() {
        let approved = store.approved_comments(&id).await?;
        comments.insert(id, approved.iter().map(|c| c.published()).collect());
    }
    Ok(comments)
}

/// Runs `musharaka build`, with counts and comments from `store` when given.
pub(crate) fn run(
    root: &Path,
    out: Option<PathBuf>,
    base_url: Option<&str>,
    store: Option<&str>,
) -> Result<ExitCode> {
    let mut site = Site::load(root, base_url)?;
    if let Some(spec) = store {
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(async {
            let store = musharaka_functions::store::open_admin(spec).await?;
            load_from_store(&mut site, &*store)
                .await
                .with_context(|| format!("cannot read counts and comments from {spec}"))
        })?;
    }
    write_site(&site, &out_dir(root, out))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::count_days;
    use chrono::{FixedOffset, NaiveDate};

    #[test]
    fn signatures_fall_on_the_day_of_the_site_s_offset_and_today_waits() {
        let morocco = FixedOffset::east_opt(3600).unwrap();
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        let created = [
            at("2026-11-28T22:59:59Z"), // 23:59:59 on the 28th in Morocco
            at("2026-11-28T23:00:00Z"), // midnight: the 29th
            at("2026-11-29T12:00:00Z"),
            at("2026-11-30T08:00:00Z"), // today: not a complete day yet
        ];
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let days = count_days(created.into_iter(), morocco, today);
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(
            days.into_iter().collect::<Vec<_>>(),
            [(day(28), 1), (day(29), 2)]
        );
    }
}
