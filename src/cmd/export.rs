//! `musharaka export signatures <initiative>`: the list the law requires for filing (family and
//! first name, CIN, address, date of signature), decrypted, as CSV (guarded against spreadsheet
//! formulas) and as a printable HTML page, written by the filing rules of
//! `musharaka_functions::filing`, readable by their owner only. Refused while the initiative is
//! collecting below its threshold; every export is logged in the store (who, when, how many
//! rows).

use super::private::write_private;
use super::secrets::existing_secrets;
use anyhow::{Context, Result, bail};
use chrono::Utc;
use musharaka_functions::filing::{self, BelowThreshold, Row};
use musharaka_functions::personal::{PersonalData, UnsealError};
use musharaka_functions::store;
use musharaka_model::catalog::Details;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        let total = store
            .counts(&[initiative.to_string()])
            .await?
            .remove(initiative)
            .map_or(0, |c| c.total);
        let now = Utc::now();
        if let Err(BelowThreshold { total, threshold }) = filing::gate(init, entry.closes, total, now) {
            bail!(
                "refused: {initiative} is still collecting and has {total} of the {threshold} signatures it needs; signatures are exported once the threshold is reached or the initiative is closed"
            );
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
