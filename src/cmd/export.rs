//! `musharaka export signatures <initiative>`: the list the law requires for filing (family and
//! first name, CIN, address, date of signature), decrypted, as CSV (guarded against spreadsheet
//! formulas) and as a printable HTML page, written by the filing rules of
//! `musharaka_functions::filing`, readable by their owner only. Refused while the initiative is
//! collecting below its threshold, or, for a region council's petition, below the share the
//! law asks of each prefecture and province of the region; every export is logged in the store
//! (who, when, how many rows).

use super::private::write_private;
use super::secrets::existing_secrets;
use anyhow::{Context, Result, bail};
use chrono::Utc;
use musharaka_functions::filing::{self, BelowThreshold, Row};
use musharaka_functions::personal::{PersonalData, UnsealError};
use musharaka_functions::store;
use musharaka_model::catalog::Details;
use musharaka_model::{Lang, geography};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Why the signatures of `initiative`, still collecting, cannot be exported yet: too few in
/// all, or too few from some prefectures or provinces of a region council's region (each named
/// in French with its code and count).
fn refusal(initiative: &str, below: &BelowThreshold) -> String {
    let BelowThreshold {
        total,
        threshold,
        per_province,
        provinces,
    } = below;
    if total < threshold || provinces.is_empty() {
        return format!(
            "refused: {initiative} is still collecting and has {total} of the {threshold} signatures it needs; signatures are exported once the threshold is reached or the initiative is closed"
        );
    }
    let short: Vec<String> = provinces
        .iter()
        .map(|(code, n)| {
            let name = geography::province(code)
                .map_or(code.as_str(), |p| geography::name_in(&p.name, Lang::Fr));
            format!("{name} ({code}): {n}")
        })
        .collect();
    format!(
        "refused: {initiative} is still collecting and has {total} of the {threshold} signatures it needs, but fewer than {} from {}; a region council's petition needs that many from each prefecture and province of its region (organic law 111.14): signatures are exported once each has them or the initiative is closed",
        per_province.unwrap_or_default(),
        short.join(", ")
    )
}

/// Runs `musharaka export signatures`.
pub(crate) fn run(
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
        let count = store
            .counts(&[initiative.to_string()])
            .await?
            .remove(initiative)
            .unwrap_or_default();
        let now = Utc::now();
        if let Err(below) = filing::gate(init, entry.closes, &count, now) {
            bail!("{}", refusal(initiative, &below));
        }
        let mut rows = Vec::new();
        for s in store.signatures(initiative).await? {
            let personal = PersonalData::open(&secrets, &s.sealed, initiative, &s.signer).map_err(|e| match e {
                UnsealError::Open(_) => anyhow::anyhow!(
                    "cannot decrypt the signatures of {initiative}: wrong data key (MUSHARAKA_DATA_KEY, or data/secrets.toml); nothing was written"
                ),
                UnsealError::Unreadable(e) => anyhow::Error::new(e).context("a signature's data is not readable"),
            })?;
            rows.push(Row::from(personal));
        }
        if rows.is_empty() {
            bail!(
                "no signatures of {initiative} to export: none was made, or all were withdrawn, or their personal data was deleted under the retention policy (`musharaka purge`)"
            );
        }
        let committee = super::committees::rows(&*store, &secrets, initiative).await?;
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        let csv = filing::csv(&rows);
        let html = filing::html(&filing::title(&entry, initiative), initiative, (&committee, &rows), now);
        if !committee.is_empty() {
            let path = out.join(format!("{initiative}-committee.csv"));
            write_private(&path, filing::committee_csv(&committee).as_bytes())?;
            println!("wrote its committee of {} to {}", committee.len(), path.display());
        }
        let csv_path: PathBuf = out.join(format!("{initiative}-signatures.csv"));
        let html_path: PathBuf = out.join(format!("{initiative}-signatures.html"));
        write_private(&csv_path, csv.as_bytes())?;
        write_private(&html_path, html.as_bytes())?;
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
    use super::refusal;
    use musharaka_functions::filing::BelowThreshold;

    #[test]
    fn a_refusal_names_each_province_short_of_its_share() {
        let short = BelowThreshold {
            total: 410,
            threshold: 400,
            per_province: Some(20),
            provinces: vec![("08.201".into(), 3), ("08.587".into(), 0)],
        };
        let text = refusal("p-oasis", &short);
        assert!(
            text.starts_with(
                "refused: p-oasis is still collecting and has 410 of the 400 signatures it needs, but fewer than 20 from Errachidia (08.201): 3, Zagora (08.587): 0;"
            ),
            "{text}"
        );
        let few = BelowThreshold {
            total: 2,
            threshold: 100,
            per_province: None,
            provinces: Vec::new(),
        };
        assert!(refusal("p-water", &few).contains("has 2 of the 100 signatures"));
    }
}
