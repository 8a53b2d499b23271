//! The filing of an initiative's signatures, as the law requires it (family and first name,
//! CIN, address, date of signature, with the signer's province and commune where a local
//! council's petition names them): when it is allowed, and the two documents it gives, a CSV
//! file (guarded against spreadsheet formulas) and a printable HTML page.

use crate::personal::PersonalData;
use chrono::{DateTime, FixedOffset, Utc};
use musharaka_model::catalog::{Count, Entry, Initiative};
use musharaka_model::html::escape;
use musharaka_model::state::InitiativeState;
use musharaka_model::target::Authority;
use musharaka_model::{Lang, Localized, geography};

/// One signer as filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Family name.
    pub family_name: String,
    /// First name.
    pub first_name: String,
    /// CIN.
    pub cin: String,
    /// Home address.
    pub address: String,
    /// Prefecture or province: its French name and HCP code, `Al Haouz (07.041)`; empty when
    /// not given.
    pub province: String,
    /// Commune: its French name and HCP code, `Asni (07.041.07.03)`; empty when not given.
    pub commune: String,
    /// When the signer signed.
    pub signed_at: String,
}

impl From<PersonalData> for Row {
    fn from(p: PersonalData) -> Row {
        Row {
            family_name: p.family_name,
            first_name: p.first_name,
            cin: p.cin,
            address: p.address,
            province: unit(p.province, |code| {
                geography::province(code).map(|u| &u.name)
            }),
            commune: unit(p.commune, |code| geography::commune(code).map(|u| &u.name)),
            signed_at: p.signed_at,
        }
    }
}

/// A province or commune as filed: the French name of the unit whose HCP code is `value`,
/// with the code (`Al Haouz (07.041)`); `value` as it is when it is no code `name_of` knows (an
/// older record holds the name the signer typed); empty when not given.
fn unit(value: Option<String>, name_of: fn(&str) -> Option<&'static Localized>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let code = value.trim();
    match name_of(code) {
        Some(name) => format!("{} ({code})", geography::name_in(name, Lang::Fr)),
        None => value,
    }
}

/// The signatures of an initiative still collecting short of what the law needs are not
/// filed: its threshold, and for a region council's petition a share from each prefecture and
/// province of the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BelowThreshold {
    /// Signatures counted.
    pub total: u64,
    /// Signatures needed.
    pub threshold: u64,
    /// Signatures needed from each prefecture or province (region councils).
    pub per_province: Option<u64>,
    /// Each prefecture or province of the region with fewer than `per_province` signatures:
    /// its HCP code and its count, in code order.
    pub provinces: Vec<(String, u64)>,
}

/// Whether the signatures of `init` (closing at `closes`, with `count`) may be filed at
/// `now`: once the threshold is reached, with, for a region council's petition, the share the
/// law asks of each prefecture and province of the region; or once the initiative no longer
/// collects.
pub fn gate(
    init: &Initiative,
    closes: DateTime<FixedOffset>,
    count: &Count,
    now: DateTime<Utc>,
) -> Result<(), BelowThreshold> {
    let collecting = init.state == InitiativeState::Collecting && now < closes;
    if !collecting {
        return Ok(());
    }
    let provinces = short_provinces(init, count);
    if count.total < init.threshold || !provinces.is_empty() {
        return Err(BelowThreshold {
            total: count.total,
            threshold: init.threshold,
            per_province: init.per_province,
            provinces,
        });
    }
    Ok(())
}

/// The prefectures and provinces of a region council's region with fewer signatures in
/// `count` than the law asks of each (`per_province`), with their counts; none for other
/// initiatives.
pub fn short_provinces(init: &Initiative, count: &Count) -> Vec<(String, u64)> {
    let t = &init.target;
    let (Some(needed), Authority::Region, Some(region)) =
        (init.per_province, t.authority, t.region.as_deref())
    else {
        return Vec::new();
    };
    let (_, by_province) = geography::split_counts(&count.regions);
    geography::provinces_of(region)
        .map(|p| {
            let n = by_province.get(&p.code).copied().unwrap_or(0);
            (p.code.clone(), n)
        })
        .filter(|(_, n)| *n < needed)
        .collect()
}

/// The title a filing shows: the entry's first title, else its id.
pub fn title(entry: &Entry, initiative: &str) -> String {
    entry
        .title
        .values()
        .next()
        .cloned()
        .unwrap_or_else(|| initiative.to_string())
}

pub use musharaka_model::text::csv_cell;

/// The CSV file: a header line, then one line per signer, lines ending in CRLF.
pub fn csv(rows: &[Row]) -> String {
    let mut csv = String::from(
        "\"family_name\",\"first_name\",\"cin\",\"address\",\"province\",\"commune\",\"signed_at\"\r\n",
    );
    for r in rows {
        let cells = [
            &r.family_name,
            &r.first_name,
            &r.cin,
            &r.address,
            &r.province,
            &r.commune,
            &r.signed_at,
        ];
        csv.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push_str("\r\n");
    }
    csv
}

/// A member of the presentation committee, as the filing lists them.
pub type CommitteeRow = (musharaka_model::committee::Role, Row);

/// A role as the filing names it, in French and Arabic.
fn role_label(role: musharaka_model::committee::Role) -> &'static str {
    use musharaka_model::committee::Role;
    match role {
        Role::Agent => "Mandataire / الوكيل",
        Role::Deputy => "Suppléant / نائب الوكيل",
        Role::Member => "Membre / عضو",
    }
}

/// The committee as CSV: role, then who.
pub fn committee_csv(rows: &[CommitteeRow]) -> String {
    let mut csv = String::from("\"role\",\"family_name\",\"first_name\",\"cin\",\"address\"\r\n");
    for (role, r) in rows {
        let cells = [
            role.as_str(),
            &r.family_name,
            &r.first_name,
            &r.cin,
            &r.address,
        ];
        let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        csv.push_str(&cells.join(","));
        csv.push_str("\r\n");
    }
    csv
}

/// The committee's table of the printable page, when there is one.
fn committee_html(committee: &[CommitteeRow]) -> String {
    if committee.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<h2>Comité de présentation / لجنة التقديم</h2>\n<table>\n<thead><tr><th>Rôle / الصفة</th><th>Nom / الاسم العائلي</th><th>Prénom / الاسم الشخصي</th><th>CIN / ب.و.ت</th><th>Adresse / العنوان</th></tr></thead>\n<tbody>\n",
    );
    for (role, r) in committee {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            role_label(*role),
            escape(&r.family_name),
            escape(&r.first_name),
            escape(&r.cin),
            escape(&r.address),
        ));
    }
    html.push_str("</tbody>\n</table>\n<h2>Signatures / التوقيعات</h2>\n");
    html
}

/// The printable page: the initiative's title, how many signatures and when, its presentation
/// committee when it was formed on the portal, then a table of the signers, numbered from 1.
pub fn html(
    title: &str,
    initiative: &str,
    (committee, rows): (&[CommitteeRow], &[Row]),
    now: DateTime<Utc>,
) -> String {
    let mut html = format!(
        "<!doctype html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"><title>{t}</title>\n<style>body{{font-family:sans-serif}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #999;padding:4px;text-align:start}}</style></head>\n<body>\n<h1>{t}</h1>\n<p>{initiative} · {n} signatures · {now}</p>\n{c}<table>\n<thead><tr><th>#</th><th>Nom / الاسم العائلي</th><th>Prénom / الاسم الشخصي</th><th>CIN / ب.و.ت</th><th>Adresse / العنوان</th><th>Province ou préfecture / العمالة أو الإقليم</th><th>Commune / الجماعة</th><th>Date / التاريخ</th></tr></thead>\n<tbody>\n",
        t = escape(title),
        c = committee_html(committee),
        n = rows.len(),
        now = now.format("%Y-%m-%d %H:%M UTC"),
    );
    for (i, r) in rows.iter().enumerate() {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            i + 1,
            escape(&r.family_name),
            escape(&r.first_name),
            escape(&r.cin),
            escape(&r.address),
            escape(&r.province),
            escape(&r.commune),
            escape(&r.signed_at)
        ));
    }
    html.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::{BelowThreshold, Row, csv, csv_cell, gate, html};
    use crate::personal::PersonalData;
    use chrono::{DateTime, FixedOffset, Utc};
    use musharaka_model::catalog::{Count, Initiative};
    use musharaka_model::state::InitiativeState;

    fn initiative(state: InitiativeState, threshold: u64) -> Initiative {
        serde_json::from_value(serde_json::json!({
            "target": { "authority": "head-of-government" },
            "threshold": threshold,
            "state": state,
        }))
        .unwrap()
    }

    /// The petition to the council of Drâa-Tafilalet (MA-08: Errachidia, Midelt, Ouarzazate,
    /// Tinghir, Zagora), 20 signatures needed from each.
    fn region_petition(threshold: u64) -> Initiative {
        serde_json::from_value(serde_json::json!({
            "target": { "authority": "region", "region": "MA-08" },
            "threshold": threshold,
            "per_province": 20,
            "state": "collecting",
        }))
        .unwrap()
    }

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    /// A count of `total` signatures, kept under the keys `by_key`.
    fn count(by_key: &[(&str, u64)]) -> Count {
        Count {
            total: by_key.iter().map(|(_, n)| n).sum(),
            regions: by_key.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        }
    }

    fn row(first_name: &str) -> Row {
        Row {
            family_name: "Alaoui".into(),
            first_name: first_name.into(),
            cin: "AB123456".into(),
            address: "Asni".into(),
            province: String::new(),
            commune: String::new(),
            signed_at: "2026-11-26T12:00:00Z".into(),
        }
    }

    #[test]
    fn collecting_below_the_threshold_is_refused() {
        let closes = at("2026-12-31T00:00:00+01:00");
        let now = at("2026-11-30T00:00:00Z").with_timezone(&Utc);
        let open = initiative(InitiativeState::Collecting, 3);
        assert_eq!(
            gate(&open, closes, &count(&[("MA-04", 2)]), now),
            Err(BelowThreshold {
                total: 2,
                threshold: 3,
                per_province: None,
                provinces: Vec::new(),
            })
        );
        let three = count(&[("MA-04", 2), ("MA-07", 1)]);
        assert_eq!(
            gate(&open, closes, &three, now),
            Ok(()),
            "threshold reached"
        );
        let late = at("2027-01-01T00:00:00Z").with_timezone(&Utc);
        let none = Count::default();
        assert_eq!(gate(&open, closes, &none, late), Ok(()), "closed by date");
        let closed = initiative(InitiativeState::Filed, 3);
        assert_eq!(gate(&closed, closes, &none, now), Ok(()), "filed");
    }

    #[test]
    fn a_region_petition_needs_its_share_from_each_province() {
        let closes = at("2026-12-31T00:00:00+01:00");
        let now = at("2026-11-30T00:00:00Z").with_timezone(&Utc);
        let petition = region_petition(100);
        let short = count(&[
            ("08.201", 3),
            ("08.363", 150),
            ("08.401", 20),
            ("08.577", 237),
        ]);
        assert_eq!(
            gate(&petition, closes, &short, now),
            Err(BelowThreshold {
                total: 410,
                threshold: 100,
                per_province: Some(20),
                provinces: vec![("08.201".into(), 3), ("08.587".into(), 0)],
            }),
            "past the threshold, but short in Errachidia and Zagora"
        );
        let each = count(&[
            ("08.201", 20),
            ("08.363", 20),
            ("08.401", 20),
            ("08.577", 20),
            ("08.587", 20),
        ]);
        assert_eq!(gate(&petition, closes, &each, now), Ok(()));
        let late = at("2027-01-01T00:00:00Z").with_timezone(&Utc);
        assert_eq!(
            gate(&petition, closes, &short, late),
            Ok(()),
            "closed by date"
        );
    }

    #[test]
    fn a_unit_is_filed_by_name_and_code_or_as_typed() {
        let row = |province: Option<&str>, commune: Option<&str>| {
            Row::from(PersonalData {
                province: province.map(str::to_string),
                commune: commune.map(str::to_string),
                ..PersonalData::default()
            })
        };
        let asni = row(Some("07.041"), Some("07.041.07.03"));
        assert_eq!(asni.province, "Al Haouz (07.041)");
        assert_eq!(asni.commune, "Asni (07.041.07.03)");
        let typed = row(Some("Al Haouz"), Some("Asni"));
        assert_eq!(
            (typed.province.as_str(), typed.commune.as_str()),
            ("Al Haouz", "Asni")
        );
        let none = row(None, None);
        assert_eq!((none.province.as_str(), none.commune.as_str()), ("", ""));
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_guarded() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+212"), "\"'+212\"");
        assert_eq!(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_cell("Alaoui"), "\"Alaoui\"");
        for hidden in ["\u{200B}=1+1", "\u{FEFF}=1", "\u{202E}=1", "＝1+1"] {
            assert!(csv_cell(hidden).starts_with("\"'"), "{hidden:?}");
        }
    }

    #[test]
    fn every_cell_of_the_csv_is_quoted_and_guarded() {
        let in_asni = Row {
            province: "Al Haouz (07.041)".into(),
            commune: "Asni (07.041.07.03)".into(),
            ..row("Amina")
        };
        let csv = csv(&[in_asni, row("-1+1")]);
        assert_eq!(
            csv,
            "\"family_name\",\"first_name\",\"cin\",\"address\",\"province\",\"commune\",\"signed_at\"\r\n\
             \"Alaoui\",\"Amina\",\"AB123456\",\"Asni\",\"Al Haouz (07.041)\",\"Asni (07.041.07.03)\",\"2026-11-26T12:00:00Z\"\r\n\
             \"Alaoui\",\"'-1+1\",\"AB123456\",\"Asni\",\"\",\"\",\"2026-11-26T12:00:00Z\"\r\n"
        );
    }

    #[test]
    fn the_page_escapes_what_signers_typed() {
        let now = at("2026-11-30T08:05:00Z").with_timezone(&Utc);
        let page = html(
            "Eau & <villages>",
            "p-water",
            (&[], &[row("<b>Amina</b>")]),
            now,
        );
        assert!(page.contains("<title>Eau &amp; &lt;villages&gt;</title>"));
        assert!(!page.contains("Comité"));
        assert!(page.contains("<p>p-water · 1 signatures · 2026-11-30 08:05 UTC</p>"));
        assert!(page.contains("<tr><td>1</td><td>Alaoui</td><td>&lt;b&gt;Amina&lt;/b&gt;</td>"));
        assert!(!page.contains("<b>"));
        assert!(page.ends_with("</tbody>\n</table>\n</body>\n</html>\n"));
    }

    #[test]
    fn a_committee_formed_on_the_portal_is_listed_with_each_role() {
        use musharaka_model::committee::Role;
        let now = at("2026-11-30T08:05:00Z").with_timezone(&Utc);
        let committee = [(Role::Agent, row("Amina")), (Role::Deputy, row("=Omar"))];
        let page = html("Eau", "p-water", (&committee, &[row("Sara")]), now);
        assert!(page.contains("<td>Mandataire / الوكيل</td><td>Alaoui</td><td>Amina</td>"));
        assert!(page.contains("<td>Suppléant / نائب الوكيل</td>"));
        let csv = super::committee_csv(&committee);
        assert!(csv.starts_with("\"role\",\"family_name\""));
        assert!(csv.contains("\"deputy\",\"Alaoui\",\"'=Omar\""), "{csv}");
    }
}
