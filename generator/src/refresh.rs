//! Pages kept fresh without a new build: when the store's counts, signatures by day or approved
//! comments change, or the clock passes an opening, a closing or a day of "days left", the
//! pages that show them (the initiative or consultation itself, its section's list, the home
//! page, the lists by state, authority and region) and the open data are rendered again and
//! replaced in the built site, as a saved file's pages are (`incremental`).

use crate::catalog::Anchors;
use crate::content::{self, INDEX};
use crate::data::{Data, Dated};
use crate::diagnostics::SiteErrors;
use crate::site::{Comments, Daily, Site};
use anyhow::Result;
use chrono::{DateTime, Utc};
use musharaka_model::catalog::Count;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What a store says now, for [`Site::refresh`].
#[derive(Debug, Clone, Default)]
pub struct Fresh {
    /// Signatures by initiative id.
    pub counts: BTreeMap<String, Count>,
    /// Signatures of each complete day, when read again; `None` keeps those shown.
    pub daily: Option<Daily>,
    /// Approved comments by consultation id, when read again; `None` keeps those shown.
    pub comments: Option<Comments>,
}

impl Site {
    /// Takes what the store says now (`fresh`) and the instant `now`, and renders again into
    /// the built site at `out` every page they change. Returns the number of documents
    /// rendered again (0 when nothing changed, and nothing is written). On an error the site
    /// keeps what the pages showed, so that the next call tries again.
    pub fn refresh(
        &mut self,
        fresh: Fresh,
        now: DateTime<Utc>,
        out: &Path,
        anchors: &mut Anchors,
    ) -> Result<usize> {
        let daily = fresh.daily.as_ref().unwrap_or(&self.daily);
        let comments = fresh.comments.as_ref().unwrap_or(&self.comments);
        let mut keys = BTreeSet::new();
        for doc in self.documents.values() {
            let moved = match &doc.data {
                Data::Initiative(i) => {
                    let id = &i.dated.id;
                    self.counts.get(id) != fresh.counts.get(id)
                        || self.daily.get(id) != daily.get(id)
                        || clock(&i.dated, self.now) != clock(&i.dated, now)
                }
                Data::Consultation(c) => {
                    self.comments.get(&c.id) != comments.get(&c.id)
                        || clock(c, self.now) != clock(c, now)
                }
                Data::Plain => false,
            };
            if moved {
                keys.insert(doc.key.clone());
                keys.insert(content::page_key(&doc.section, INDEX));
                keys.insert(INDEX.to_string());
            }
        }
        if keys.is_empty() {
            self.now = now;
            return Ok(0);
        }
        let shown = (
            std::mem::replace(&mut self.counts, fresh.counts),
            self.now,
            fresh.daily.map(|d| std::mem::replace(&mut self.daily, d)),
            fresh
                .comments
                .map(|c| std::mem::replace(&mut self.comments, c)),
        );
        self.now = now;
        let written = self
            .write_partial(&keys, false, out, anchors)
            .and_then(|diags| match diags.has_errors() {
                true => Err(SiteErrors(diags).into()),
                false => Ok(keys.len()),
            });
        if written.is_err() {
            let (counts, then, daily, comments) = shown;
            self.counts = counts;
            self.now = then;
            if let Some(d) = daily {
                self.daily = d;
            }
            if let Some(c) = comments {
                self.comments = c;
            }
        }
        written
    }
}

/// What the clock changes on a page at `now`: whether it opened, whether it closed, and the
/// whole days left while it is open (as the progress box counts them).
fn clock<S>(d: &Dated<S>, now: DateTime<Utc>) -> (bool, bool, i64) {
    let opened = d.opens <= now;
    let closed = d.closes <= now;
    let days = match opened && !closed {
        true => (d.closes.with_timezone(&Utc) - now).num_hours() / 24,
        false => 0,
    };
    (opened, closed, days)
}
