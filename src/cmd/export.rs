//! `musharaka export signatures <initiative>`: the list the law requires for filing (family and
//! first name, CIN, address, date of signature), decrypted, as CSV (guarded against spreadsheet
//! formulas) and as a printable HTML page. Refused while the initiative is collecting below its
//! threshold; every export is logged in the store (who, when, how many rows).

use super::secrets::existing_secrets;
use anyhow::{Context, Result, bail};
use chrono::Utc;
use musharaka_functions::store;
use musharaka_model::catalog::Details;
use musharaka_model::html::escape;
use musharaka_model::state::InitiativeState;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One signer as filed.
struct Row {
    family_name: String,
    first_name: String,
    cin: String,
    address: String,
    signed_at: String,
}

/// A CSV cell: quoted, and prefixed with `'` when a spreadsheet would read it as a formula.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Runs `musharaka export signatures`.
pub fn run(
    spec: &str,
    initiative: &str,
    exporter: &str,
    out: &Path,
    data: &Path,
) -> Result<ExitCode> {
    if exporter.trim().is_empty() {
        bail!("--exporter needs your name: every export is logged with it");
    }
    let secrets = existing_secrets(data)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        let Some(entry) = store.entry(initiative).await? else {
            bail!("no initiative {initiative:?} in {spec}");
        };
        let (Details::Petition(init) | Details::Motion(init)) = &entry.details else {
            bail!("{initiative} is a consultation: only petitions and motions have signatures");
        };
        let total = store
            .counts(&[initiative.to_string()])
            .await?
            .remove(initiative)
            .map_or(0, |c| c.total);
        let now = Utc::now();
        let collecting = init.state == InitiativeState::Collecting && now < entry.closes;
        if collecting && total < init.threshold {
            bail!(
                "refused: {initiative} is still collecting and has {total} of the {} signatures it needs; signatures are exported once the threshold is reached or the initiative is closed",
                init.threshold
            );
        }
        let mut rows = Vec::new();
        for s in store.signatures(initiative).await? {
            let context = format!("{initiative}#{}", s.signer);
            let plain = secrets.open(&s.sealed, context.as_bytes()).map_err(|_| {
                anyhow::anyhow!(
                    "cannot decrypt the signatures of {initiative}: wrong data key (MUSHARAKA_DATA_KEY, or data/secrets.toml); nothing was written"
                )
            })?;
            let v: serde_json::Value = serde_json::from_slice(&plain).context("a signature's data is not readable")?;
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            rows.push(Row {
                family_name: field("family_name"),
                first_name: field("first_name"),
                cin: field("cin"),
                address: field("address"),
                signed_at: field("signed_at"),
            });
        }
        if rows.is_empty() {
            bail!(
                "no signatures of {initiative} to export: none was made, or all were withdrawn, or their personal data was deleted under the retention policy (`musharaka purge`)"
            );
        }
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        let mut csv = String::from("\"family_name\",\"first_name\",\"cin\",\"address\",\"signed_at\"\r\n");
        for r in &rows {
            let cells = [&r.family_name, &r.first_name, &r.cin, &r.address, &r.signed_at];
            csv.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
            csv.push_str("\r\n");
        }
        let title = entry.title.values().next().cloned().unwrap_or_else(|| initiative.to_string());
        let mut html = format!(
            "<!doctype html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"><title>{t}</title>\n<style>body{{font-family:sans-serif}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #999;padding:4px;text-align:start}}</style></head>\n<body>\n<h1>{t}</h1>\n<p>{initiative} · {n} signatures · {now}</p>\n<table>\n<thead><tr><th>#</th><th>Nom / الاسم العائلي</th><th>Prénom / الاسم الشخصي</th><th>CIN / ب.و.ت</th><th>Adresse / العنوان</th><th>Date / التاريخ</th></tr></thead>\n<tbody>\n",
            t = escape(&title),
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
        let csv_path: PathBuf = out.join(format!("{initiative}-signatures.csv"));
        let html_path: PathBuf = out.join(format!("{initiative}-signatures.html"));
        write_atomically(&csv_path, &csv)?;
        write_atomically(&html_path, &html)?;
        store.log_action(store::Action::Export, initiative, exporter.trim(), now, rows.len()).await?;
        println!(
            "exported {} signatures of {initiative} to {} and {}",
            rows.len(),
            csv_path.display(),
            html_path.display()
        );
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_guarded() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+212"), "\"'+212\"");
        assert_eq!(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_cell("Alaoui"), "\"Alaoui\"");
    }
}
