//! The filing of an initiative's signatures, as the law requires it (family and first name,
//! CIN, address, date of signature): when it is allowed, and the two documents it gives, a CSV
//! file (guarded against spreadsheet formulas) and a printable HTML page.

use crate::personal::PersonalData;
use chrono::{DateTime, FixedOffset, Utc};
use musharaka_model::catalog::{Entry, Initiative};
use musharaka_model::html::escape;
use musharaka_model::state::InitiativeState;

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
            signed_at: p.signed_at,
        }
    }
}

/// The signatures of an initiative still collecting below its threshold are not filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BelowThreshold {
    /// Signatures counted.
    pub total: u64,
    /// Signatures needed.
    pub threshold: u64,
}

/// Whether the signatures of `init` (closing at `closes`, `total` counted) may be filed at
/// `now`: once the threshold is reached or the initiative no longer collects.
pub fn gate(
    init: &Initiative,
    closes: DateTime<FixedOffset>,
    total: u64,
    now: DateTime<Utc>,
) -> Result<(), BelowThreshold> {
    let collecting = init.state == InitiativeState::Collecting && now < closes;
    if collecting && total < init.threshold {
        return Err(BelowThreshold {
            total,
            threshold: init.threshold,
        });
    }
    Ok(())
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
    let mut csv =
        String::from("\"family_name\",\"first_name\",\"cin\",\"address\",\"signed_at\"\r\n");
    for r in rows {
        let cells = [
            &r.family_name,
            &r.first_name,
            &r.cin,
            &r.address,
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
        "<!doctype html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"><title>{t}</title>\n<style>body{{font-family:sans-serif}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #999;padding:4px;text-align:start}}</style></head>\n<body>\n<h1>{t}</h1>\n<p>{initiative} · {n} signatures · {now}</p>\n{c}<table>\n<thead><tr><th>#</th><th>Nom / الاسم العائلي</th><th>Prénom / الاسم الشخصي</th><th>CIN / ب.و.ت</th><th>Adresse / العنوان</th><th>Date / التاريخ</th></tr></thead>\n<tbody>\n",
        t = escape(title),
        c = committee_html(committee),
        n = rows.len(),
        now = now.format("%Y-%m-%d %H:%M UTC"),
    );
    for (i, r) in rows.iter().enumerate() {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            i + 1,
            escape(&r.family_name),
            escape(&r.first_name),
            escape(&r.cin),
            escape(&r.address),
            escape(&r.signed_at)
        ));
    }
    html.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::{BelowThreshold, Row, csv, csv_cell, gate, html};
    use chrono::{DateTime, FixedOffset, Utc};
    use musharaka_model::catalog::Initiative;
    use musharaka_model::state::InitiativeState;

    fn initiative(state: InitiativeState, threshold: u64) -> Initiative {
        serde_json::from_value(serde_json::json!({
            "target": { "authority": "head-of-government" },
            "threshold": threshold,
            "state": state,
        }))
        .unwrap()
    }

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn row(first_name: &str) -> Row {
        Row {
            family_name: "Alaoui".into(),
            first_name: first_name.into(),
            cin: "AB123456".into(),
            address: "Asni".into(),
            signed_at: "2026-11-26T12:00:00Z".into(),
        }
    }

    #[test]
    fn collecting_below_the_threshold_is_refused() {
        let closes = at("2026-12-31T00:00:00+01:00");
        let now = at("2026-11-30T00:00:00Z").with_timezone(&Utc);
        let open = initiative(InitiativeState::Collecting, 3);
        assert_eq!(
            gate(&open, closes, 2, now),
            Err(BelowThreshold {
                total: 2,
                threshold: 3
            })
        );
        assert_eq!(gate(&open, closes, 3, now), Ok(()), "threshold reached");
        let late = at("2027-01-01T00:00:00Z").with_timezone(&Utc);
        assert_eq!(gate(&open, closes, 0, late), Ok(()), "closed by date");
        let closed = initiative(InitiativeState::Filed, 3);
        assert_eq!(gate(&closed, closes, 0, now), Ok(()), "filed");
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
        let csv = csv(&[row("Amina"), row("-1+1")]);
        assert_eq!(
            csv,
            "\"family_name\",\"first_name\",\"cin\",\"address\",\"signed_at\"\r\n\
             \"Alaoui\",\"Amina\",\"AB123456\",\"Asni\",\"2026-11-26T12:00:00Z\"\r\n\
             \"Alaoui\",\"'-1+1\",\"AB123456\",\"Asni\",\"2026-11-26T12:00:00Z\"\r\n"
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
