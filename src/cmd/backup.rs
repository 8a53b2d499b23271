//! `musharaka backup --store sqlite:PATH OUT`: one consistent copy of the embedded store,
//! taken by SQLite's online backup while `serve` keeps running.

use anyhow::{Result, bail};
use std::path::Path;
use std::process::ExitCode;

/// Runs `musharaka backup`.
pub(crate) fn run(spec: &str, out: &Path) -> Result<ExitCode> {
    let Some(db) = spec.strip_prefix("sqlite:") else {
        bail!(
            "backup copies an embedded store (`--store sqlite:PATH`); a DynamoDB table is backed up by its point-in-time recovery"
        );
    };
    let bytes = musharaka_functions::store::sqlite::backup(Path::new(db), out)?;
    println!(
        "backed up {db} to {} ({:.1} MB, integrity checked; it holds personal data: keep it as safe as the store)",
        out.display(),
        bytes as f64 / 1e6
    );
    Ok(ExitCode::SUCCESS)
}
