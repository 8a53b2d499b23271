//! `cargo xtask bench`: measures the portal beside Hugo and under a signing surge, prints a
//! table and writes `BENCHMARKS.md` (machine, date, medians of repeated runs, ratios from the
//! same run). Not part of the test suite: nothing here asserts a time.

mod measure;
mod search;
mod signing;
mod synthetic;

use crate::{root, run_with};
use anyhow::{Context, Result};
use std::fmt::Write as _;

/// Runs of each build measurement.
const RUNS: usize = 5;

/// Builds the release binaries the benchmarks run.
fn build_release() -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = [
        "build",
        "--release",
        "-p",
        "musharaka",
        "-p",
        "musharaka-functions",
        "--bins",
    ];
    run_with(&cargo, &args, &[])?;
    measure::ensure_tools()
}

/// Runs the signing surge alone and prints its figures.
pub(crate) fn signing_only() -> Result<()> {
    let root = root();
    build_release()?;
    let s = median_surge(&root, &root.join("target/bench"))?;
    for line in signing_lines(&s) {
        println!("{line}");
    }
    Ok(())
}

/// Weighs the pages alone and prints the table.
pub(crate) fn pages_only() -> Result<()> {
    let root = root();
    build_release()?;
    let weights = measure::page_weights(&root, &root.join("target/bench"))?;
    for line in weight_lines(&weights) {
        println!("{line}");
    }
    Ok(())
}

/// Measures the search index alone on the synthetic site of 3 × 3,000 pages and prints it.
pub(crate) fn search_only() -> Result<()> {
    let root = root();
    build_release()?;
    let dir = root.join("target/bench/site-3000");
    synthetic::write_sites(&dir, 3000)?;
    let s = search::search(&root, &dir, RUNS)?;
    for line in search::lines(&s, RUNS) {
        println!("{line}");
    }
    Ok(())
}

/// The page weight table.
fn weight_lines(weights: &measure::Weights) -> Vec<String> {
    let mut lines = vec![
        "Bytes after gzip -9 of what a first visit downloads, the Tifinagh font apart: the page, \
         the stylesheets (screen and print), the script, and the mark (icon and header)."
            .to_string(),
        String::new(),
        "| page | HTML | CSS | JS | mark | total |".to_string(),
        "|---|---|---|---|---|---|".to_string(),
    ];
    for (name, html, css, js, mark) in &weights.pages {
        lines.push(format!(
            "| {name} | {html} | {css} | {js} | {mark} | {} |",
            html + css + js + mark
        ));
    }
    lines.extend([
        String::new(),
        "The maps, inline in their pages (counted in the HTML above), alone:".to_string(),
        String::new(),
        "| map | bytes | after gzip -9 |".to_string(),
        "|---|---|---|".to_string(),
    ]);
    for (name, bytes, gzip) in &weights.maps {
        lines.push(format!("| {name} | {bytes} | {gzip} |"));
    }
    lines
}

/// Runs of the signing surge.
const SURGES: usize = 3;

/// The median of [`SURGES`] signing surges, by confirmations per second.
fn median_surge(root: &std::path::Path, work: &std::path::Path) -> Result<signing::Signing> {
    let mut runs = (0..SURGES)
        .map(|_| signing::signing(root, work))
        .collect::<Result<Vec<_>>>()?;
    runs.sort_by(|a, b| {
        a.confirm
            .requests_per_sec
            .total_cmp(&b.confirm.requests_per_sec)
    });
    Ok(runs.swap_remove(SURGES / 2))
}

/// The table rows and the closing sentence of the signing surge.
fn signing_lines(s: &signing::Signing) -> Vec<String> {
    let mut lines: Vec<String> = [
        ("request", &s.request, "codes sent"),
        ("confirmation", &s.confirm, "signatures counted"),
    ]
    .into_iter()
    .map(|(name, step, what)| {
        format!(
            "| {name} | {:.0} | {} | {} | {} {what} | {:.0} |",
            step.requests_per_sec,
            step.p50,
            step.p99,
            step.done,
            step.done as f64 / step.seconds as f64
        )
    })
    .collect();
    lines.push(format!(
        "\nThe sender wrote {} messages, done {:.1} s after the requests stopped. Final count {}, signature rows stored {} ({}).",
        s.delivered,
        s.drain.as_secs_f64(),
        s.final_count,
        s.rows,
        if s.final_count == s.rows {
            "count exact"
        } else {
            "COUNT MISMATCH"
        }
    ));
    lines
}

/// Runs every benchmark and writes the report.
pub(crate) fn bench() -> Result<()> {
    let root = root();
    build_release()?;
    let work = root.join("target/bench");
    let mut report = String::new();
    let _ = writeln!(report, "# Benchmarks\n");
    let _ = writeln!(
        report,
        "Written by `cargo xtask bench` on {}.\n",
        measure::today()
    );
    let _ = writeln!(report, "Machine: {}.\n", measure::machine());

    let _ = writeln!(report, "## Build, beside Hugo\n");
    let _ = writeln!(
        report,
        "A synthetic site of N pages in each of `ar`, `zgh`, `fr` (3 × N pages of about 5 KB of Markdown), written in both formats from one seed, with templates of equal work. Each generator builds over its own previous output (as editors rebuild all day); median of {RUNS} runs after a warm-up run; peak memory is the maximum resident set size.\n"
    );
    let _ = writeln!(
        report,
        "| N | pages | Musharaka wall | Hugo wall | ratio | Musharaka peak memory | Hugo peak memory | ratio |"
    );
    let _ = writeln!(report, "|---|---|---|---|---|---|---|---|");
    for n in [1000, 3000] {
        let dir = work.join(format!("site-{n}"));
        synthetic::write_sites(&dir, n)?;
        let ours = measure::median_runs(RUNS, || measure::build_musharaka(&root, &dir))?;
        let hugo = measure::median_runs(RUNS, || measure::build_hugo(&dir))?;
        let line = format!(
            "| {n} | {} | {:.2} s | {:.2} s | {:.2} | {:.0} MB | {:.0} MB | {:.2} |",
            3 * n,
            ours.0,
            hugo.0,
            ours.0 / hugo.0,
            ours.1,
            hugo.1,
            ours.1 / hugo.1
        );
        eprintln!("{line}");
        let _ = writeln!(report, "{line}");
    }

    let _ = writeln!(report, "\n## Incremental rebuild\n");
    let inc = measure::incremental(&root, &work.join("site-3000/musharaka"))?;
    let line = format!(
        "With `serve` started as the README says (`musharaka serve` in the site's folder, `--root .`) on the N = 3,000 site, from saving one page to the rebuilt page being served: median **{:.0} ms** over {} saves (min {:.0} ms, max {:.0} ms); each save re-rendered that page alone (`serve` printed `rebuilt 1 pages`).",
        inc.0, inc.3, inc.1, inc.2
    );
    eprintln!("{line}");
    let _ = writeln!(report, "{line}");

    let _ = writeln!(report, "\n## Signing on the embedded store\n");
    let s = median_surge(&root, &work)?;
    let _ = writeln!(
        report,
        "`serve` on the repository's content (SQLite store, local outbox), loaded by wrk on loopback with 2 threads and 64 connections, in two steps as signers go. First {} s of signing requests, distinct signers each with its own email address (JSON answers); the local sender meanwhile writes each code into `data/outbox/`. Then {} s of confirmations, each with the code read from its message. Client, server and sender share the machine's two cores. The count must equal the signature rows stored. Each run starts from an empty store; the table shows the median of {SURGES} runs by confirmations per second (their throughput varies by about 15 % from run to run on this machine).\n",
        s.request.seconds, s.confirm.seconds
    );
    let _ = writeln!(
        report,
        "| step | requests/s | p50 | p99 | answers | per second |"
    );
    let _ = writeln!(report, "|---|---|---|---|---|---|");
    for line in signing_lines(&s) {
        eprintln!("{line}");
        let _ = writeln!(report, "{line}");
    }

    let _ = writeln!(report, "\n## Lambda size and cold start\n");
    let sizes = crate::package::package(false)?;
    let cold = measure::cold_starts(&root)?;
    let _ = writeln!(
        report,
        "Sizes: arm64 binaries from `cargo xtask package` (profile `lambda`: optimized for size, thin LTO; MB are millions of bytes). Cold start: the x86_64 release binary started under the local Lambda Runtime API, from process start to the first response (median of 5).\n"
    );
    let _ = writeln!(report, "| function | arm64 size | cold start |");
    let _ = writeln!(report, "|---|---|---|");
    for (i, (f, bytes)) in sizes.iter().enumerate() {
        let start = cold
            .get(i)
            .map(|ms| format!("{ms:.0} ms"))
            .unwrap_or_else(|| "not measured (fed by the table's stream)".into());
        let line = format!("| {f} | {:.2} MB | {start} |", *bytes as f64 / 1e6);
        eprintln!("{line}");
        let _ = writeln!(report, "{line}");
    }

    let _ = writeln!(report, "\n## Page weight\n");
    let weights = measure::page_weights(&root, &work)?;
    for line in weight_lines(&weights) {
        let _ = writeln!(report, "{line}");
    }
    let _ = writeln!(
        report,
        "\nTifinagh font (WOFF2, already compressed): {} bytes.",
        weights.font
    );

    let _ = writeln!(report, "\n## Search\n");
    let s = search::search(&root, &work.join("site-3000"), RUNS)?;
    for line in search::lines(&s, RUNS) {
        eprintln!("{line}");
        let _ = writeln!(report, "{line}");
    }

    let _ = writeln!(report, "\n## DynamoDB key design under a surge\n");
    let _ = writeln!(report, "{}", include_str!("dynamodb.md"));
    std::fs::write(root.join("BENCHMARKS.md"), report).context("cannot write BENCHMARKS.md")?;
    eprintln!("\nwrote BENCHMARKS.md");
    Ok(())
}
