//! `musharaka signatures stats` and `musharaka invalidate`: what an operator needs to spot
//! fraud, with no personal data (confirmations per hour, per client-address hash, per contact
//! domain or calling code, per region, and the share of requests never confirmed), and the
//! strike of matching signatures, which then stop counting and leave exports, logged.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use musharaka_functions::store::{self, Action, SignatureMeta};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Characters of a client-address hash shown and matched.
const CLIENT_SHOWN: usize = 12;

/// Which signatures an invalidation strikes.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct Filter {
    /// Confirmed at or after this instant (`2026-11-30`, `2026-11-30T14:00`, or RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// Confirmed before this instant.
    #[arg(long)]
    pub until: Option<String>,
    /// From this client-address hash (as `signatures stats` shows it, or longer).
    #[arg(long)]
    pub client: Option<String>,
    /// Confirmed from this email domain (`example.com`) or calling code (`+212`).
    #[arg(long)]
    pub contact_domain: Option<String>,
    /// Signers of this region (`MA-04`), or of this province (`08.201`) for a region
    /// council's petition, whose signatures are counted by province.
    #[arg(long)]
    pub region: Option<String>,
}

/// An instant as an operator types it, in UTC.
fn instant(text: &str) -> Result<i64> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.timestamp());
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(d.and_utc().timestamp());
        }
    }
    let day = NaiveDate::parse_from_str(t, "%Y-%m-%d").with_context(|| {
        format!("{t:?} is not an instant: write 2026-11-30, 2026-11-30T14:00 or 2026-11-30T14:00:00+01:00")
    })?;
    Ok(day
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp())
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.client.is_none()
            && self.contact_domain.is_none()
            && self.region.is_none()
    }

    /// The predicate of the filter.
    fn matcher(&self) -> Result<impl Fn(&SignatureMeta) -> bool + use<>> {
        let since = self.since.as_deref().map(instant).transpose()?;
        let until = self.until.as_deref().map(instant).transpose()?;
        let client = self
            .client
            .as_deref()
            .map(|c| c.trim().to_ascii_lowercase());
        if client.as_ref().is_some_and(|c| c.len() < 8) {
            bail!("--client needs at least 8 characters of the hash");
        }
        let domain = self
            .contact_domain
            .as_deref()
            .map(|d| d.trim().trim_start_matches('@').to_lowercase());
        let region = self
            .region
            .as_deref()
            .map(|r| r.trim().to_ascii_uppercase());
        Ok(move |m: &SignatureMeta| {
            since.is_none_or(|t| m.created >= t)
                && until.is_none_or(|t| m.created < t)
                && client
                    .as_ref()
                    .is_none_or(|c| m.client.starts_with(c.as_str()))
                && domain.as_ref().is_none_or(|d| {
                    m.group
                        .split_once(':')
                        .is_some_and(|(_, g)| g == d.as_str())
                })
                && region
                    .as_ref()
                    .is_none_or(|r| &m.region == r || region_of(&m.region) == Some(r.as_str()))
        })
    }
}

/// The region of the key a signature is counted under: itself, or a province's region (a
/// region council's petition is counted by province).
fn region_of(key: &str) -> Option<&'static str> {
    musharaka_model::geography::province(key).map(|p| p.region.as_str())
}

fn hour(epoch: i64) -> String {
    DateTime::<Utc>::from_timestamp(epoch, 0)
        .map(|d| d.format("%Y-%m-%d %H:00").to_string())
        .unwrap_or_default()
}

fn table(title: &str, counts: BTreeMap<String, usize>, top: Option<usize>) {
    println!("\n{title}");
    let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
    if let Some(top) = top {
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let more = rows.len().saturating_sub(top);
        rows.truncate(top);
        for (k, n) in &rows {
            println!("  {k:<24} {n:>8}");
        }
        if more > 0 {
            println!("  ({more} more)");
        }
    } else {
        for (k, n) in &rows {
            println!("  {k:<24} {n:>8}");
        }
    }
}

/// Runs `musharaka signatures stats`.
pub(crate) fn stats(spec: &str, initiative: &str) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        if store.entry(initiative).await?.is_none() {
            bail!("no initiative {initiative:?} in {spec}");
        }
        let meta = store.signature_meta(initiative).await?;
        let requested = store.requested(initiative).await?;
        let by_state = |state: &str| meta.iter().filter(|m| m.state == state).count();
        let confirmed = meta.len();
        println!("initiative        {initiative}");
        println!("requests          {requested}");
        println!(
            "confirmed         {confirmed} (counted {}, disputed {}, struck {})",
            by_state("counted"),
            by_state("disputed"),
            by_state("struck")
        );
        let never = requested.saturating_sub(confirmed as u64);
        let share = if requested == 0 {
            0.0
        } else {
            never as f64 * 100.0 / requested as f64
        };
        println!("never confirmed   {never} ({share:.1} % of requests)");
        let per = |key: fn(&SignatureMeta) -> String| {
            let mut counts = BTreeMap::new();
            for m in &meta {
                *counts.entry(key(m)).or_insert(0) += 1;
            }
            counts
        };
        table(
            "confirmations per hour (UTC)",
            per(|m| hour(m.created)),
            None,
        );
        table(
            "per client-address hash",
            per(|m| m.client.chars().take(CLIENT_SHOWN).collect()),
            Some(20),
        );
        table(
            "per contact domain or calling code",
            per(|m| m.group.clone()),
            Some(20),
        );
        table(
            "per region (per province, for a region council's petition)",
            per(|m| m.region.clone()),
            None,
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `musharaka invalidate`.
pub(crate) fn invalidate(
    spec: &str,
    initiative: &str,
    filter: &Filter,
    reason: &str,
    operator: &str,
    dry_run: bool,
) -> Result<ExitCode> {
    if operator.trim().is_empty() || reason.trim().is_empty() {
        bail!("--operator and --reason are required: every invalidation is logged with them");
    }
    if filter.is_empty() {
        bail!(
            "give at least one of --since, --until, --client, --contact-domain, --region: an invalidation never strikes a whole initiative"
        );
    }
    let matches = filter.matcher()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        if store.entry(initiative).await?.is_none() {
            bail!("no initiative {initiative:?} in {spec}");
        }
        let doomed: Vec<String> = store
            .signature_meta(initiative)
            .await?
            .into_iter()
            .filter(|m| m.state != "struck" && matches(m))
            .map(|m| m.signer)
            .collect();
        if dry_run {
            println!(
                "{} signatures of {initiative} match: none struck (dry run)",
                doomed.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        let now = Utc::now();
        let struck = store.strike(initiative, &doomed).await?;
        store
            .log_action(
                Action::Invalidate,
                initiative,
                &format!("{operator}: {reason}"),
                now,
                struck,
            )
            .await?;
        let count = store
            .counts(&[initiative.to_string()])
            .await?
            .remove(initiative)
            .unwrap_or_default();
        println!(
            "struck {struck} signatures of {initiative} ({reason}); it now counts {}",
            count.total
        );
        Ok(ExitCode::SUCCESS)
    })
}
