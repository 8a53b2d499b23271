//! Pages kept fresh without a new build: when the store's counts change, or the clock passes
//! an opening, a closing or a day of "days left", the pages that show them (the initiative or
//! consultation itself, its section's list, the home page) and the open data are rendered again
//! and replaced in the built site, as a saved file's pages are (`incremental`).

use crate::catalog::Anchors;
use crate::content::{self, INDEX};
use crate::data::{Data, Dated};
use crate::diagnostics::SiteErrors;
use crate::site::Site;
use anyhow::Result;
use chrono::{DateTime, Utc};
use musharaka_model::catalog::Count;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

impl Site {
    /// Takes the store's current `counts` and the instant `now`, and renders again into the
    /// built site at `out` every page whose count, form or days left they change. Returns the
    /// number of documents rendered again (0 when nothing changed, and nothing is written).
    pub fn refresh(
        &mut self,
        counts: BTreeMap<String, Count>,
        now: DateTime<Utc>,
        out: &Path,
        anchors: &mut Anchors,
    ) -> Result<usize> {
        let mut keys = BTreeSet::new();
        for doc in self.documents.values() {
            let moved = match &doc.data {
                Data::Initiative(i) => {
                    let id = &i.dated.id;
                    self.counts.get(id) != counts.get(id)
                        || clock(&i.dated, self.now) != clock(&i.dated, now)
                }
                Data::Consultation(c) => clock(c, self.now) != clock(c, now),
                Data::Plain => false,
            };
            if moved {
                keys.insert(doc.key.clone());
                keys.insert(content::page_key(&doc.section, INDEX));
                keys.insert(INDEX.to_string());
            }
        }
        self.counts = counts;
        self.now = now;
        if keys.is_empty() {
            return Ok(0);
        }
        let diags = self.write_partial(&keys, false, out, anchors)?;
        if diags.has_errors() {
            return Err(SiteErrors(diags).into());
        }
        Ok(keys.len())
    }
}

/// What the clock changes on a page at `now`: whether it opened, whether it closed, and the
/// whole days left (as the progress box counts them).
fn clock<S>(d: &Dated<S>, now: DateTime<Utc>) -> (bool, bool, i64) {
    (
        d.opens <= now,
        d.closes <= now,
        (d.closes.with_timezone(&Utc) - now).num_hours() / 24,
    )
}
