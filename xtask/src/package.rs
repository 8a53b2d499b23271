//! `cargo xtask package`: the Lambda binaries for arm64 (`provided.al2023`), built with
//! cargo-lambda and zig from the venv, as `target/lambda/<function>/bootstrap` (the layout
//! cargo-lambda and SAM's `rust-cargolambda` builder use), with their sizes.

use crate::services::{ensure_venv, venv_bin};
use crate::{root, run_with};
use anyhow::{Context, Result};
use std::path::Path;
use std::time::SystemTime;

/// The functions, one binary each.
pub(crate) const FUNCTIONS: [&str; 5] = ["sign", "comment", "counts", "committee", "notify"];

fn newest(dir: &Path) -> SystemTime {
    walk(dir)
        .into_iter()
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

fn walk(dir: &Path) -> Vec<SystemTime> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if let Ok(m) = e.metadata().and_then(|m| m.modified()) {
            out.push(m);
        }
    }
    out
}

/// Builds the binaries (unless `always` is false and they are newer than every source they
/// come from) and prints their sizes. Returns `(function, bytes)`.
pub(crate) fn package(always: bool) -> Result<Vec<(String, u64)>> {
    let root = root();
    let out = root.join("target/lambda");
    let built: Vec<_> = FUNCTIONS
        .iter()
        .map(|f| out.join(f).join("bootstrap"))
        .collect();
    let oldest_build = built
        .iter()
        .map(|b| {
            b.metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH)
        })
        .min()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let sources = ["functions", "model", "site-theme/i18n"]
        .iter()
        .map(|d| newest(&root.join(d)))
        .chain(
            [root.join("Cargo.lock"), root.join("Cargo.toml")]
                .iter()
                .map(|f| {
                    f.metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(SystemTime::UNIX_EPOCH)
                }),
        )
        .max()
        .unwrap_or(SystemTime::now());
    if always || oldest_build < sources {
        ensure_venv()?;
        let bin_dir = venv_bin("");
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let cargo_lambda = venv_bin("cargo-lambda");
        run_with(
            &cargo_lambda.to_string_lossy(),
            &[
                "lambda", "build", "--profile", "lambda", "--arm64", "--package", "musharaka-functions", "--bins",
                "--lambda-dir", &out.to_string_lossy(),
            ],
            &[("PATH", &path)],
        )
        .context("cargo-lambda failed (the aarch64 standard library comes from `rustup target add aarch64-unknown-linux-gnu`)")?;
    } else {
        eprintln!("\n==> Lambda binaries are up to date with functions/ and model/");
    }
    let mut sizes = Vec::new();
    eprintln!("\nLambda packages (arm64, provided.al2023):");
    for (f, b) in FUNCTIONS.iter().zip(&built) {
        let bytes = b
            .metadata()
            .with_context(|| format!("{} was not built", b.display()))?
            .len();
        eprintln!("  {f:<8} {:>6.2} MB  {}", bytes as f64 / 1e6, b.display());
        sizes.push((f.to_string(), bytes));
    }
    Ok(sizes)
}
