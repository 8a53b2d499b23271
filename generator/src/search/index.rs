//! The index of one language, as files the search script reads: the terms in shards by their
//! first two characters (`t-<hex of their UTF-8>.json`, so a query fetches only the shards of
//! its words), each term with its postings, and the documents' list entries in chunks
//! (`d-<n>.json`, document `d` in chunk `d / CHUNK`).

use super::terms::for_each_term;
use musharaka_model::Lang;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// What the index keeps of a page.
pub(crate) struct Entry {
    /// Root-relative URL.
    pub url: String,
    /// Title.
    pub title: String,
    /// Description, if the page has one.
    pub description: Option<String>,
    /// The plain text of its Markdown.
    pub text: String,
    /// Its kind, and its state for an initiative or a consultation.
    pub label: String,
    /// The language it is written in (another than the index's for a page shown from a
    /// fallback).
    pub lang: Lang,
}

/// The pages holding a term, in order: (document number, weight).
type Postings = Vec<(u32, u32)>;

/// The hash of term maps (no attacker chooses the terms of the site's own pages).
type FastHash = foldhash::fast::RandomState;

/// Weight of an occurrence in the title, the description and the text.
const TITLE: u32 = 5;
const DESCRIPTION: u32 = 2;
const TEXT: u32 = 1;

/// Documents per chunk of list entries.
pub(crate) const CHUNK: usize = 50;

/// Characters of text an excerpt keeps at most, when a page has no description.
const EXCERPT: usize = 160;

/// The terms of `e` and the sum of the weights of their occurrences.
fn weigh(e: &Entry) -> Vec<(String, u32)> {
    let mut weights: HashMap<String, u32, FastHash> =
        HashMap::with_capacity_and_hasher(256, FastHash::default());
    let mut add = |text: &str, w: u32| {
        for_each_term(text, |t| match weights.get_mut(t) {
            Some(sum) => *sum = sum.saturating_add(w),
            None => {
                weights.insert(t.to_string(), w);
            }
        })
    };
    add(&e.title, TITLE);
    add(e.description.as_deref().unwrap_or_default(), DESCRIPTION);
    add(&e.text, TEXT);
    weights.into_iter().collect()
}

/// The file of the shard of terms beginning with `key` (one or two characters).
pub(crate) fn shard_file(key: &str) -> String {
    let mut name = String::from("t-");
    for b in key.bytes() {
        let _ = write!(name, "{b:02x}");
    }
    name.push_str(".json");
    name
}

/// The index files of `entries` (document numbers are their positions): (file name, JSON).
pub(crate) fn files(entries: &[Entry]) -> Vec<(String, String)> {
    let weighed: Vec<Vec<(String, u32)>> = entries.par_iter().map(weigh).collect();
    let mut postings: HashMap<String, Postings, FastHash> = HashMap::default();
    for (doc, terms) in weighed.into_iter().enumerate() {
        for (term, w) in terms {
            postings.entry(term).or_default().push((doc as u32, w));
        }
    }
    let mut shards: BTreeMap<String, Vec<(String, Postings)>> = BTreeMap::new();
    for (term, list) in postings {
        let key: String = term.chars().take(2).collect();
        shards.entry(key).or_default().push((term, list));
    }
    let mut out: Vec<(String, String)> = shards
        .into_par_iter()
        .map(|(key, mut terms)| {
            terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            (shard_file(&key), shard_json(&terms))
        })
        .collect();
    out.extend(
        entries
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(i, chunk)| (format!("d-{i}.json"), chunk_json(chunk)))
            .collect::<Vec<_>>(),
    );
    out
}

/// `{"term":[doc,weight,doc,weight,...],...}`, each document number after the first given as
/// the difference from the one before (postings are in document order).
fn shard_json(terms: &[(String, Postings)]) -> String {
    let mut s = String::with_capacity(64 + terms.iter().map(|t| 8 * t.1.len()).sum::<usize>());
    s.push('{');
    for (i, (term, list)) in terms.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        // Terms are letters and digits only: nothing to escape.
        let _ = write!(s, "\"{term}\":[");
        let mut last = 0;
        for (j, (doc, w)) in list.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            let _ = write!(s, "{},{w}", doc - last);
            last = *doc;
        }
        s.push(']');
    }
    s.push('}');
    s
}

/// `[[url, title, excerpt, label, lang, dir], ...]` of the documents of one chunk.
fn chunk_json(chunk: &[Entry]) -> String {
    let rows: Vec<(&str, &str, String, &str, &str, &str)> = chunk
        .iter()
        .map(|e| {
            let (lang, dir) = (e.lang.code(), e.lang.dir().as_str());
            (
                e.url.as_str(),
                e.title.as_str(),
                excerpt(e),
                e.label.as_str(),
                lang,
                dir,
            )
        })
        .collect();
    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
}

/// The description, else the start of the text up to a space, at most [`EXCERPT`] characters.
fn excerpt(e: &Entry) -> String {
    if let Some(d) = e.description.as_deref().filter(|d| !d.trim().is_empty()) {
        return d.trim().to_string();
    }
    let mut out = String::with_capacity(EXCERPT * 2);
    let mut count = 0;
    for word in e.text.split_whitespace() {
        let n = word.chars().count();
        if count + n + 1 > EXCERPT {
            if count == 0 {
                out.extend(word.chars().take(EXCERPT));
            }
            out.push('…');
            return out;
        }
        if count > 0 {
            out.push(' ');
            count += 1;
        }
        out.push_str(word);
        count += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str, text: &str) -> Entry {
        Entry {
            url: "/fr/x/".into(),
            title: title.into(),
            description: None,
            text: text.into(),
            label: "Page".into(),
            lang: Lang::Fr,
        }
    }

    #[test]
    fn shards_hold_delta_coded_postings_with_title_words_weighing_more() {
        let entries = [
            entry("Eau", "la pétition"),
            entry("Route", "eau eau"),
            entry("Pétitions", "route"),
        ];
        let files: BTreeMap<String, String> = files(&entries).into_iter().collect();
        assert_eq!(files[&shard_file("ea")], r#"{"eau":[0,5,1,2]}"#);
        assert_eq!(
            files[&shard_file("pe")],
            r#"{"petition":[0,1],"petitions":[2,5]}"#
        );
        assert_eq!(shard_file("ea"), "t-6561.json");
        let chunk: serde_json::Value = serde_json::from_str(&files["d-0.json"]).unwrap();
        assert_eq!(
            chunk[1],
            serde_json::json!(["/fr/x/", "Route", "eau eau", "Page", "fr", "ltr"])
        );
    }

    #[test]
    fn an_excerpt_stops_at_a_word() {
        let long = "mot ".repeat(100);
        let x = excerpt(&entry("t", &long));
        assert!(x.ends_with("mot…"), "{x}");
        assert!(x.chars().count() <= EXCERPT + 1);
    }
}
