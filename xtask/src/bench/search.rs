//! The search index on the synthetic site of 3 × 3,000 pages: the build's time and the share
//! of it the index stage takes (as `musharaka build` reports it), the index's size, and what a
//! two-word query downloads in each language: the search script, the shards of its words and
//! the list entries of its first ten results, ranked as the script ranks them.

use super::measure::{gzip_size, release};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Two-word queries, as the reader types them and as terms (the script's normalization).
const QUERIES: [(&str, &str, [&str; 2]); 3] = [
    ("ar", "المشاركة الجماعة", ["مشاركه", "جماعه"]),
    ("zgh", "ⵜⴰⵙⵓⵜⵔⴰ ⴰⵏⴰⵎⵓⵙ", ["ⵜⴰⵙⵓⵜⵔⴰ", "ⴰⵏⴰⵎⵓⵙ"]),
    ("fr", "pétition commune", ["petition", "commune"]),
];

/// Documents per chunk of list entries (`generator/src/search/index.rs`).
const CHUNK: u64 = 50;

/// What the search costs.
pub(super) struct Search {
    /// Pages built.
    pub pages: usize,
    /// Median wall time of the whole build, in seconds.
    pub build: f64,
    /// Median time of the index stage within it, in seconds.
    pub index: f64,
    /// Index files (shards and chunks, every language), their bytes and bytes after gzip.
    pub files: usize,
    pub bytes: u64,
    pub gzip: u64,
    /// Per query: language, words, results, bytes after gzip of the script, the shards and
    /// the chunks.
    pub queries: Vec<(String, String, usize, u64, u64, u64)>,
}

/// One build of `site` into `out`: (wall seconds, index stage seconds).
fn build_once(site: &Path, out: &Path) -> Result<(f64, f64)> {
    let start = Instant::now();
    let o = Command::new(release("musharaka"))
        .args(["build", "--root", &site.to_string_lossy()])
        .args(["--out", &out.to_string_lossy()])
        .output()
        .context("cannot run musharaka build")?;
    let wall = start.elapsed().as_secs_f64();
    let printed = String::from_utf8_lossy(&o.stdout);
    if !o.status.success() {
        bail!(
            "build failed:\n{printed}{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let index = printed
        .split("(search index ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(seconds)
        .with_context(|| format!("no search index time in: {printed}"))?;
    Ok((wall, index))
}

/// `12ms`, `1.2s`, `850µs` in seconds.
fn seconds(d: &str) -> Option<f64> {
    let split = d.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (n, unit) = d.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "s" => n,
        "ms" => n / 1e3,
        "µs" | "us" => n / 1e6,
        "ns" => n / 1e9,
        _ => return None,
    })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The shard file of `term`: `t-` and the hex of its first two characters' UTF-8.
fn shard_file(term: &str) -> String {
    let key: String = term.chars().take(2).collect();
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("t-{hex}.json")
}

/// The documents holding a term beginning with each of `words`, best first (the script's
/// tf-idf), from the shards in `dir`.
fn rank(dir: &Path, words: &[&str], docs: f64) -> Result<Vec<u64>> {
    let mut per_word: Vec<BTreeMap<u64, f64>> = Vec::new();
    for w in words {
        let text = std::fs::read_to_string(dir.join(shard_file(w))).unwrap_or("{}".into());
        let shard: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)?;
        let mut scores = BTreeMap::new();
        for (_, p) in shard.iter().filter(|(t, _)| t.starts_with(w)) {
            let p: Vec<u64> = serde_json::from_value(p.clone())?;
            let idf = (1.0 + docs / (p.len() / 2) as f64).ln();
            let mut doc = 0;
            for pair in p.chunks(2) {
                doc += pair[0];
                *scores.entry(doc).or_insert(0.0) += (1.0 + (pair[1] as f64).ln()) * idf;
            }
        }
        per_word.push(scores);
    }
    let mut found: Vec<(u64, f64)> = per_word[0]
        .iter()
        .filter_map(|(d, s)| {
            let rest: Option<Vec<f64>> = per_word[1..].iter().map(|m| m.get(d).copied()).collect();
            rest.map(|r| (*d, s + r.iter().sum::<f64>()))
        })
        .collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(found.into_iter().map(|(d, _)| d).collect())
}

/// Builds the synthetic site in `dir` (written by `synthetic::write_sites`) `runs` times after a
/// warm-up, then weighs its index and the queries.
pub(super) fn search(root: &Path, dir: &Path, runs: usize) -> Result<Search> {
    let site = dir.join("musharaka");
    let out = dir.join("out-musharaka");
    build_once(&site, &out)?;
    let (mut walls, mut indexes) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (w, i) = build_once(&site, &out)?;
        walls.push(w);
        indexes.push(i);
    }
    let (mut files, mut bytes, mut gzip) = (0, 0, 0);
    for lang in ["ar", "zgh", "fr"] {
        for entry in std::fs::read_dir(out.join(lang).join("search"))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json") {
                files += 1;
                bytes += std::fs::metadata(&path)?.len();
                gzip += gzip_size(&path)?;
            }
        }
    }
    let script = gzip_size(&root.join("site-theme/static/search.js"))?;
    let mut queries = Vec::new();
    let mut pages = 0;
    for (lang, typed, words) in QUERIES {
        let index = out.join(lang).join("search");
        // The pages indexed: the list entries of every chunk.
        let mut docs = 0.0;
        for c in 0.. {
            let Ok(text) = std::fs::read_to_string(index.join(format!("d-{c}.json"))) else {
                break;
            };
            let chunk: Vec<serde_json::Value> = serde_json::from_str(&text)?;
            docs += chunk.len() as f64;
        }
        pages += docs as usize;
        let found = rank(&index, &words, docs)?;
        let shards: BTreeSet<String> = words.iter().map(|w| shard_file(w)).collect();
        let chunks: BTreeSet<u64> = found.iter().take(10).map(|d| d / CHUNK).collect();
        let mut shard_bytes = 0;
        for s in &shards {
            let path = index.join(s);
            if path.is_file() {
                shard_bytes += gzip_size(&path)?;
            }
        }
        let mut chunk_bytes = 0;
        for c in &chunks {
            chunk_bytes += gzip_size(&index.join(format!("d-{c}.json")))?;
        }
        queries.push((
            lang.to_string(),
            typed.to_string(),
            found.len(),
            script,
            shard_bytes,
            chunk_bytes,
        ));
    }
    Ok(Search {
        pages,
        build: median(&mut walls),
        index: median(&mut indexes),
        files,
        bytes,
        gzip,
        queries,
    })
}

/// The section's text and tables.
pub(super) fn lines(s: &Search, runs: usize) -> Vec<String> {
    let without = s.build - s.index;
    let mut lines = vec![
        format!(
            "The synthetic site of 3 × 3,000 pages, built by `musharaka build` (release), median of {runs} runs after a warm-up; the index stage's own time is the one the build prints (`search index …`), the build without it the difference."
        ),
        String::new(),
        "| pages | build with the index | index stage | build without it | the index adds |"
            .to_string(),
        "|---|---|---|---|---|".to_string(),
        format!(
            "| {} | {:.2} s | {:.0} ms | {:.2} s | {:.1} % |",
            s.pages,
            s.build,
            s.index * 1000.0,
            without,
            100.0 * s.index / without
        ),
        String::new(),
        format!(
            "Index: {} files (term shards and list entries, three languages), {:.1} MB, {:.1} MB after gzip -9.",
            s.files,
            s.bytes as f64 / 1e6,
            s.gzip as f64 / 1e6
        ),
        String::new(),
        "A two-word query downloads, in bytes after gzip -9: the script, the shards of its two words, and the list entries (chunks of 50 pages) of its first ten results. Every synthetic page holds these words, so each shard lists all 3,000 pages: the worst case for a query of two words.".to_string(),
        String::new(),
        "| language | words | results | script | shards | entries | total |".to_string(),
        "|---|---|---|---|---|---|---|".to_string(),
    ];
    for (lang, typed, found, script, shards, chunks) in &s.queries {
        lines.push(format!(
            "| {lang} | {typed} | {found} | {script} | {shards} | {chunks} | {} |",
            script + shards + chunks
        ));
    }
    lines
}
