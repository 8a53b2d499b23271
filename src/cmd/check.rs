//! `musharaka check`: validates content and theme without writing, and shows how much of the
//! site is translated in each language, and which pages each language lacks.

use anyhow::Result;
use musharaka_generator::{Severity, Site};
use std::path::Path;
use std::process::ExitCode;

/// Runs `musharaka check`.
pub(crate) fn run(root: &Path) -> Result<ExitCode> {
    let site = Site::load(root, None)?;
    let diags = site.check()?;
    for d in diags.sorted() {
        eprintln!("{d}");
    }
    let total = site.page_count();
    println!("translation coverage ({total} pages)");
    println!("  {:<6} {:>10} {:>8}", "lang", "translated", "missing");
    for (lang, (own, missing)) in site.translation_coverage() {
        println!("  {:<6} {:>10} {:>8}", lang.code(), own, missing);
    }
    for (lang, pages) in site.untranslated() {
        for page in pages {
            println!("  to translate into {}: {page}", lang.code());
        }
    }
    let errors = diags.error_count();
    let warnings = diags
        .sorted()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if errors > 0 {
        println!("{errors} error(s), {warnings} warning(s)");
        Ok(ExitCode::FAILURE)
    } else {
        println!("no errors, {warnings} warning(s)");
        Ok(ExitCode::SUCCESS)
    }
}
