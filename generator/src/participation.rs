//! What the pages need for their forms: the signing form of a petition or motion (fields the
//! law asks, attestations for its target, regions or provinces, count and progress, the map of
//! where its signers are), the comment forms of a
//! consultation, and why no form is offered when the dates or state say so.

use crate::data::{ConsultationData, InitiativeData};
use crate::site::{Document, Site};
use musharaka_model::signer::{Attestation, attestations};
use musharaka_model::state::{ConsultationState, InitiativeState};
use musharaka_model::target::Authority;
use musharaka_model::{Lang, geography, lang::pick, number, region};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Whether a window and a state take submissions at the site's build instant, and if not, the
/// notice to show instead.
fn availability(
    site: &Site,
    lang: Lang,
    accepting: bool,
    data: (
        &chrono::DateTime<chrono::FixedOffset>,
        &chrono::DateTime<chrono::FixedOffset>,
    ),
    kind: &str,
) -> (bool, Option<String>) {
    let (opens, closes) = data;
    let date = |d: &chrono::DateTime<chrono::FixedOffset>, format: fn(_, &_) -> String| {
        let offset = site.config.offset().unwrap_or_else(|_| *d.offset());
        format(lang, &d.with_timezone(&offset))
    };
    if site.now < *opens {
        let text = site.theme.text(lang, &format!("form.{kind}_opens_on"));
        let day = date(opens, musharaka_model::date::format_start);
        return (false, Some(text.replace("{date}", &day)));
    }
    if !accepting || site.now >= *closes {
        let text = site.theme.text(lang, &format!("form.{kind}_closed"));
        let day = date(closes, musharaka_model::date::format_instant);
        return (false, Some(text.replace("{date}", &day)));
    }
    (true, None)
}

/// The count shown on the page (as of the build) and its progress toward the threshold.
pub(crate) fn count(site: &Site, lang: Lang, i: &InitiativeData) -> Value {
    let c = site.counts.get(&i.dated.id).cloned().unwrap_or_default();
    let percent = (c.total.saturating_mul(100) / i.threshold.signatures.max(1)).min(100);
    let (by_region, by_province) = geography::split_counts(&c.regions);
    let mut regions: Vec<(String, u64)> = by_region.into_iter().filter(|(_, n)| *n > 0).collect();
    regions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let regions: Vec<Value> = regions
        .into_iter()
        .map(|(code, n)| {
            let name = region::by_code(&code)
                .and_then(|r| pick(&r.name, lang, &site.config.fallback).cloned())
                .unwrap_or_else(|| code.clone());
            json!({"code": code, "name": name, "n": number::format(lang, n)})
        })
        .collect();
    let provinces = provinces_against_minimum(lang, i, &by_province);
    let threshold = i.threshold.signatures;
    let left = threshold.saturating_sub(c.total);
    let now = site
        .now
        .with_timezone(&site.config.offset().unwrap_or(*i.dated.closes.offset()));
    json!({
        "total": c.total,
        "text": site.theme.plural(lang, "count.signatures", c.total),
        "percent": percent,
        "regions": regions,
        "provinces": provinces,
        "minimum": i.threshold.per_province.map(|n| {
            site.theme.text(lang, "map.minimum").replace("{n}", &number::format(lang, n))
        }),
        "left": (left > 0).then(|| site.theme.plural(lang, "progress.left", left)),
        "updated": site.theme.text(lang, "progress.updated")
            .replace("{date}", &musharaka_model::date::format_instant(lang, &now.fixed_offset())),
        "separator": number::separator(lang),
    })
}

/// The map of where an initiative's signers are: the region's prefectures and provinces for a
/// region council's petition (the law asks a share from each), else the country by region.
pub(crate) fn map(site: &Site, lang: Lang, i: &InitiativeData) -> Value {
    let c = site.counts.get(&i.dated.id).cloned().unwrap_or_default();
    let (by_region, by_province) = geography::split_counts(&c.regions);
    let t = &i.target;
    let title =
        |name: &str, n: u64| format!("{name}: {}", site.theme.plural(lang, "count.signatures", n));
    let figure = |name: &str, n: u64| crate::map::Figure {
        value: n,
        text: number::format(lang, n),
        title: title(name, n),
        href: None,
    };
    let (sheet, figures): (Option<&str>, BTreeMap<String, crate::map::Figure>) =
        match (t.authority, t.region.as_deref()) {
            (Authority::Region, Some(r)) => (
                Some(r),
                geography::provinces_of(r)
                    .map(|p| {
                        let n = by_province.get(&p.code).copied().unwrap_or(0);
                        (p.code.clone(), figure(geography::name_in(&p.name, lang), n))
                    })
                    .collect(),
            ),
            _ => (
                None,
                region::all()
                    .iter()
                    .map(|r| {
                        let n = by_region.get(&r.code).copied().unwrap_or(0);
                        let name = pick(&r.name, lang, &site.config.fallback);
                        (r.code.clone(), figure(name.map_or("", |s| s.as_str()), n))
                    })
                    .collect(),
            ),
        };
    let key = if sheet.is_some() {
        "map.by_province"
    } else {
        "map.by_region"
    };
    let label = site.theme.text(lang, key);
    json!({
        "label": label,
        "svg": crate::map::svg(sheet, &figures, &label),
    })
}

/// For a region council's petition, each of the region's prefectures and provinces with its
/// count against the signatures the law asks from each (`per_province`), fewest first; empty
/// for other initiatives.
fn provinces_against_minimum(
    lang: Lang,
    i: &InitiativeData,
    by_province: &BTreeMap<String, u64>,
) -> Vec<Value> {
    let (Some(minimum), Some(region)) = (i.threshold.per_province, i.target.region.as_deref())
    else {
        return Vec::new();
    };
    let mut rows: Vec<(&geography::Province, u64)> = geography::provinces_of(region)
        .map(|p| (p, by_province.get(&p.code).copied().unwrap_or(0)))
        .collect();
    rows.sort_by_key(|(p, n)| (*n, p.code.clone()));
    rows.into_iter()
        .map(|(p, n)| {
            json!({
                "code": p.code,
                "name": geography::name_in(&p.name, lang),
                "n": number::format(lang, n),
                "reached": n >= minimum,
            })
        })
        .collect()
}

/// What a page says of the time left to sign `i` at the build instant: "12 days left", "last
/// day"; `None` unless it collects now.
pub(crate) fn days_left(site: &Site, lang: Lang, i: &InitiativeData) -> Option<String> {
    let d = &i.dated;
    let collecting = d.state == InitiativeState::Collecting && d.opens <= site.now;
    if !collecting || site.now >= d.closes {
        return None;
    }
    let days = (d.closes.with_timezone(&chrono::Utc) - site.now).num_hours() / 24;
    Some(match days {
        0 => site.theme.text(lang, "progress.last_day"),
        n => site.theme.plural(lang, "progress.days_left", n as u64),
    })
}

/// The signing form of a petition or motion.
pub(crate) fn sign_form(site: &Site, entry: &Document, lang: Lang, i: &InitiativeData) -> Value {
    let (open, notice) = availability(
        site,
        lang,
        i.dated.state == InitiativeState::Collecting,
        (&i.dated.opens, &i.dated.closes),
        "sign",
    );
    let t = &i.target;
    let territory = t.territory(lang);
    let local_value = t.attested_code().unwrap_or("on");
    let attests: Vec<Value> = attestations(t.authority)
        .iter()
        .map(|a| {
            let (key, value) = match a {
                Attestation::Electoral => ("form.attest_electoral", "on"),
                Attestation::Local => ("form.attest_local", local_value),
            };
            json!({
                "field": a.field(),
                "value": value,
                "label": site.theme.text(lang, key).replace("{territory}", &territory),
            })
        })
        .collect();
    let provinces: Vec<Value> = match (t.authority, t.region.as_deref()) {
        (Authority::Region, Some(region)) => geography::provinces_of(region)
            .map(|p| json!({"code": p.code, "name": geography::name_in(&p.name, lang)}))
            .collect(),
        _ => Vec::new(),
    };
    let mut regions = region_options(site, lang);
    for (option, r) in regions.iter_mut().zip(region::all()) {
        option["selected"] = json!(t.region.as_deref() == Some(r.code.as_str()));
    }
    json!({
        "open": open,
        "notice": notice,
        "initiative": i.dated.id,
        "action": format!("/api/sign?lang={}", lang.code()),
        "attestations": attests,
        "regions": regions,
        "provinces": provinces,
        "privacy_url": crate::links::resolve(site, lang, "@/privacy.md"),
        "id_prefix": entry.key.replace('/', "-"),
    })
}

/// The comment forms of a consultation.
pub(crate) fn comment_form(site: &Site, lang: Lang, c: &ConsultationData) -> Value {
    let (open, notice) = availability(
        site,
        lang,
        c.state == ConsultationState::Open,
        (&c.opens, &c.closes),
        "comment",
    );
    json!({
        "open": open,
        "notice": notice,
        "consultation": c.id,
        "action": format!("/api/comment?lang={}", lang.code()),
        "terms_url": crate::links::resolve(site, lang, "@/terms.md"),
    })
}

/// The approved comments of a consultation targeting `section` (`None`: the whole text), as
/// the templates show them.
pub(crate) fn published_comments(
    site: &Site,
    lang: Lang,
    consultation: &str,
    section: Option<&str>,
) -> Vec<Value> {
    site.comments
        .get(consultation)
        .into_iter()
        .flatten()
        .filter(|c| c.section.as_deref() == section)
        .map(|c| {
            let day = chrono::DateTime::<chrono::Utc>::from_timestamp(c.created, 0)
                .map(|d| d.date_naive())
                .unwrap_or_default();
            json!({
                "text": c.text,
                "name": c.display_name,
                "date": {"text": musharaka_model::date::format_day(lang, day), "iso": day.to_string()},
                "retained": c.retained.as_ref().map(|(yes, _)| *yes),
                "retained_reason": c.retained.as_ref().map(|(_, why)| why.clone()),
            })
        })
        .collect()
}

/// The regions as a form's options, none chosen.
fn region_options(site: &Site, lang: Lang) -> Vec<Value> {
    (region::all().iter())
        .map(|r| json!({"code": r.code, "name": pick(&r.name, lang, &site.config.fallback)}))
        .collect()
}

/// The forms of a committee's people (the proposal's agent, a member joining): who they are,
/// and for a proposal what it asks of whom.
pub(crate) fn proposal_form(site: &Site, lang: Lang) -> Value {
    use musharaka_model::committee::exclusions;
    use musharaka_model::state::InitiativeKind;
    let t = |key: &str| site.theme.text(lang, key);
    let authorities: Vec<Value> = Authority::ALL
        .iter()
        .map(|a| json!({"code": a.as_str(), "name": t(&format!("authority.{}", a.as_str()))}))
        .collect();
    let petition: Vec<&str> = exclusions(InitiativeKind::Petition)
        .map(|e| e.id.as_str())
        .collect();
    let exclusions: Vec<Value> = exclusions(InitiativeKind::Motion)
        .map(|e| {
            let text = pick(&e.text, lang, &site.config.fallback)
                .cloned()
                .unwrap_or_default();
            json!({
                "field": format!("attest_{}", e.id),
                "label": t("propose.attest_exclusion").replace("{text}", &text),
                "motion_only": !petition.contains(&e.id.as_str()),
            })
        })
        .collect();
    let languages: Vec<Value> = (site.config.languages.iter())
        .map(|l| json!({"code": l.code.code(), "name": l.name, "selected": l.code == lang}))
        .collect();
    let limits = site.config.proposals;
    json!({
        "regions": region_options(site, lang),
        "authorities": authorities,
        "exclusions": exclusions,
        "languages": languages,
        "min_days": limits.min_days,
        "max_days": limits.max_days,
        "period_help": t("propose.period_help")
            .replace("{min}", &limits.min_days.to_string())
            .replace("{max}", &limits.max_days.to_string()),
        "privacy_url": crate::links::resolve(site, lang, "@/privacy.md"),
    })
}
