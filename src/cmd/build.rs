//! `musharaka build`: renders the site into a folder and says what it wrote.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use musharaka_functions::store::AdminStore;
use musharaka_generator::{BuildReport, Site};
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
        "built {} in {:.0?}: pages {}; {} files",
        out.display(),
        report.elapsed,
        per_lang.join(", "),
        report.files
    );
    Ok(report)
}

/// Fills the site with what a store knows: current counts, and the approved comments of every
/// consultation, so pages show them without JavaScript.
pub(crate) async fn load_from_store(site: &mut Site, store: &dyn AdminStore) -> Result<()> {
    site.counts = store.counts(&site.initiative_ids()).await?;
    site.comments.clear();
    for id in site.consultation_ids() {
        let approved = store.approved_comments(&id).await?;
        site.comments
            .insert(id, approved.iter().map(|c| c.published()).collect());
    }
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
