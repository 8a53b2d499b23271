//! Project automation, run as `cargo xtask <task>`: `test` installs what the test tiers need
//! (a Python venv with moto and aiosmtpd under `target/`, Debian's Chromium, the npm packages of
//! the browser suite) and runs them all.

mod bench;
mod geography;
mod package;
mod services;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("package") => package::package(true).map(|_| ()),
        Some("bench") if args.get(1).map(String::as_str) == Some("signing") => {
            bench::signing_only()
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("pages") => bench::pages_only(),
        Some("bench") if args.get(1).map(String::as_str) == Some("search") => bench::search_only(),
        Some("bench") => bench::bench(),
        Some("geography") => geography::geography(),
        _ => {
            eprintln!("usage: cargo xtask <task>");
            eprintln!("  test      install what the tests need and run every tier");
            eprintln!(
                "  package   build the Lambda binaries for arm64 with cargo-lambda and report their sizes"
            );
            eprintln!(
                "  bench     measure builds, rebuilds, signing, Lambdas, pages and search; write BENCHMARKS.md"
            );
            eprintln!(
                "  bench signing   only the signing surge, printed (BENCHMARKS.md untouched)",
            );
            eprintln!("  bench pages     only the page weights, printed (BENCHMARKS.md untouched)");
            eprintln!(
                "  bench search    only the search index at 3 × 3,000 pages, printed (BENCHMARKS.md untouched)"
            );
            eprintln!(
                "  geography       write model/data/geography/ and generator/map/geometry.json from the census and boundary packages"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

/// The workspace root (the parent of this crate's folder).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs `program args` in the workspace root with extra `env`, failing with the command line.
pub fn run_with(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    eprintln!("\n==> {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot start `{program}`"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Every test tier, from the cheapest.
fn test() -> Result<()> {
    let cargo = cargo();
    let features = "musharaka-functions/moto,musharaka/moto";
    run_with(&cargo, &["fmt", "--all", "--", "--check"], &[])?;
    run_with(
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            features,
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    services::ensure_venv()?;
    let template = root().join("infra/template.yaml");
    run_with(
        &services::venv_bin("cfn-lint").to_string_lossy(),
        &[&template.to_string_lossy()],
        &[],
    )?;
    services::ensure_chattr()?;
    let moto = services::Moto::start()?;
    let smtp = services::SmtpSink::start()?;
    let endpoint = moto.endpoint();
    run_with(
        &cargo,
        &[
            "test",
            "--workspace",
            "--no-fail-fast",
            "--features",
            features,
        ],
        &[
            ("MUSHARAKA_TEST_DYNAMODB_ENDPOINT", &endpoint),
            ("MUSHARAKA_TEST_SMTP", &smtp.address()),
            ("MUSHARAKA_TEST_MAILDIR", &smtp.maildir()),
        ],
    )?;
    drop(smtp);
    drop(moto);
    run_with(&cargo, &["run", "--quiet", "--", "check"], &[])?;
    run_with(&cargo, &["build", "--bin", "musharaka"], &[])?;
    services::browser_suite()?;
    package::package(false)?;
    eprintln!("\nall test tiers passed");
    Ok(())
}
