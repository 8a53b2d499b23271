//! `musharaka build`: renders the site into a folder and says what it wrote.

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use musharaka_generator::{BuildReport, Site};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Pages above which a progress bar is shown on a terminal.
const PROGRESS_FROM: usize = 300;

/// The output folder: `--out`, else `public/` under the root.
pub fn out_dir(root: &Path, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| root.join("public"))
}

/// Builds `root` into `out`, printing a summary (or every error).
pub fn build_once(root: &Path, out: &Path, base_url: Option<&str>) -> Result<()> {
    write_site(&Site::load(root, base_url)?, out).map(|_| ())
}

/// Writes a loaded site into `out`, with a progress bar on a terminal, and prints a summary.
pub fn write_site(site: &Site, out: &Path) -> Result<BuildReport> {
    let total = site.entries.len() * site.config.languages.len();
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

/// Runs `musharaka build`.
pub fn run(root: &Path, out: Option<PathBuf>, base_url: Option<&str>) -> Result<ExitCode> {
    build_once(root, &out_dir(root, out), base_url)?;
    Ok(ExitCode::SUCCESS)
}
