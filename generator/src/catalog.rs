//! `catalog.json`: every petition, motion and consultation with what the functions enforce
//! (dates, states, thresholds, sections), written by the full and the incremental build.

use crate::data::{ConsultationData, Data, InitiativeData};
use crate::output::Sink;
use crate::render::RenderedPage;
use crate::site::{Document, Site};
use anyhow::Result;
use musharaka_model::Lang;
use musharaka_model::catalog::{self, Catalog, Consultation, Details, Initiative};
use musharaka_model::retention;
use musharaka_model::state::InitiativeKind;
use std::collections::BTreeMap;

/// Section anchors of each consultation, by document key then language.
pub type Anchors = BTreeMap<String, BTreeMap<Lang, Vec<String>>>;

/// Keeps the section anchors of `page`, the rendering of `doc` in `lang`, when it is a
/// consultation's own translation (not a fallback copy).
pub(crate) fn note_anchors(
    anchors: &mut Anchors,
    site: &Site,
    doc: &Document,
    lang: Lang,
    page: &RenderedPage,
) {
    let own = doc.source_for(lang, &site.config.fallback).file.lang == lang;
    if matches!(doc.data, Data::Consultation(_)) && own {
        let ids = page.headings.iter().map(|h| h.id.clone()).collect();
        anchors
            .entry(doc.key.clone())
            .or_default()
            .insert(lang, ids);
    }
}

impl Site {
    /// The section anchors of each consultation as `catalog` published them (for a partial
    /// rebuild without the full build that found them).
    pub fn anchors_from(&self, catalog: &Catalog) -> Anchors {
        let mut anchors = Anchors::new();
        for doc in self.documents.values() {
            let Data::Consultation(c) = &doc.data else {
                continue;
            };
            let published = catalog.entries.iter().find(|e| e.id == c.id);
            if let Some(Details::Consultation(d)) = published.map(|e| &e.details) {
                let by_lang = doc.sources.keys().map(|l| (*l, d.sections.clone()));
                anchors.insert(doc.key.clone(), by_lang.collect());
            }
        }
        anchors
    }

    /// Whether `catalog` is the one these sources build (with `anchors`): the same entries with
    /// the same dates, states, thresholds, titles and URLs.
    pub fn agrees_with(&self, catalog: &Catalog, anchors: &Anchors) -> bool {
        self.catalog(anchors).entries == catalog.entries
    }

    /// Writes `catalog.json` into `sink`.
    pub(crate) fn write_catalog(&self, anchors: &Anchors, sink: &dyn Sink) -> Result<()> {
        sink.write(
            "catalog.json",
            &serde_json::to_vec_pretty(&self.catalog(anchors))?,
        )
    }

    /// The catalog of initiatives and consultations.
    pub(crate) fn catalog(&self, anchors: &Anchors) -> Catalog {
        let mut entries: Vec<catalog::Entry> = self
            .documents
            .values()
            .filter_map(|doc| self.catalog_entry(doc, anchors))
            .collect();
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Catalog {
            version: catalog::SCHEMA_VERSION,
            base_url: self.config.base_url.clone(),
            entries,
            retention: self.config.retention,
            frames: (self.config.langs())
                .filter_map(|lang| Some((lang, self.render_frame(lang)?)))
                .collect(),
        }
    }

    pub(crate) fn catalog_entry(
        &self,
        doc: &Document,
        anchors: &Anchors,
    ) -> Option<catalog::Entry> {
        let (id, details, opens, closes) = match &doc.data {
            Data::Initiative(i) => {
                let d = &i.dated;
                let details = self.initiative_details(doc, i);
                (d.id.clone(), details, d.opens, d.closes)
            }
            Data::Consultation(c) => {
                let details = Details::Consultation(consultation_details(doc, c, anchors));
                (c.id.clone(), details, c.opens, c.closes)
            }
            Data::Plain => return None,
        };
        let title = (doc.sources.iter())
            .map(|(l, s)| (*l, s.parsed.meta.title.clone()))
            .collect();
        let url = self
            .config
            .langs()
            .map(|l| {
                let page = crate::links::page_url(l, &doc.section, &doc.name);
                (l, format!("{}{}", self.config.base_url, page))
            })
            .collect();
        Some(catalog::Entry {
            id,
            details,
            opens,
            closes,
            title,
            url,
        })
    }

    fn initiative_details(&self, doc: &Document, i: &InitiativeData) -> Details {
        let fallback = &self.config.fallback;
        let source = doc.source_for(fallback[0], fallback);
        let history = source.parsed.meta.history.iter().map(|h| (h.date, h.step));
        let (state, closes) = (i.dated.state, i.dated.closes);
        let init = Initiative {
            target: i.target.clone(),
            threshold: i.threshold.signatures,
            per_province: i.threshold.per_province,
            state,
            decided: retention::decision_day(state, history)
                .map(|day| retention::end_of_day(day, *closes.offset())),
            erase_by: Some(self.config.retention.erase_by(closes)),
            per_contact: self.config.signing.per_contact,
        };
        match i.kind {
            InitiativeKind::Petition => Details::Petition(init),
            InitiativeKind::Motion => Details::Motion(init),
        }
    }
}

fn consultation_details(doc: &Document, c: &ConsultationData, anchors: &Anchors) -> Consultation {
    let authority = (doc.sources.iter())
        .filter_map(|(l, s)| Some((*l, s.parsed.meta.authority.clone()?)))
        .collect();
    let sections = anchors
        .get(doc.key.as_str())
        .and_then(|m| m.values().next().cloned())
        .unwrap_or_default();
    Consultation {
        authority,
        state: c.state,
        sections,
    }
}
