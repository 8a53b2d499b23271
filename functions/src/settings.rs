//! Settings of the functions, read from the environment (on Lambda: set by the deployment
//! template, with secrets resolved from Secrets Manager).

use crate::crypto::Secrets;
use anyhow::{Context, Result, bail};
use musharaka_model::proposal_text::{MAX_MEMORANDUM, MAX_REQUEST, MAX_TITLE, PeriodLimits};
use musharaka_model::signer::{MAX_ADDRESS, MAX_NAME};
use std::time::Duration;

/// Everything a function needs besides the store.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The site's origin (`https://musharaka.ma`): POSTs from any other origin are refused.
    pub site_origin: String,
    /// Most submissions accepted from one client address within `rate_window`.
    pub rate_limit: u32,
    /// Rate-limit window.
    pub rate_window: Duration,
    /// Largest body of a signature and the other short forms, in bytes (see [`body_for`]).
    pub max_body: usize,
    /// Longest comment accepted, in characters.
    pub max_comment: usize,
    /// Comments one sender may leave on one consultation in a day.
    pub comments_per_sender_day: u32,
    /// Comments one consultation takes in a minute, from everyone: a flood waits, the
    /// moderators' queue stays readable.
    pub comments_per_minute: u32,
    /// Codes one contact may ask for in a day, over every initiative (each SMS has a cost).
    pub per_contact_day: u32,
    /// Largest body of a proposal or a committee's change (see [`body_for`]).
    pub max_proposal_body: usize,
    /// The collection periods a proposal may ask for (`[proposals]` of `site.toml`).
    pub proposal_days: PeriodLimits,
    /// Keys for personal data.
    pub secrets: Secrets,
}

/// Bytes one character may take in the body of the site's own forms: 4 bytes of UTF-8, each
/// percent-encoded (`%F0%9F%93%9C`); Arabic and Tifinagh letters take 6 and 9.
pub(crate) const BYTES_PER_CHAR: usize = 12;

/// Room in a body for what is not typed text: field names, ids, checkboxes, the language.
const FORM_ROOM: usize = 16 * 1024;

/// Longest contact (an email address) counted in a body.
const MAX_CONTACT: usize = 254;

/// The largest body of a form whose typed fields hold at most `chars` characters in all.
pub(crate) const fn body_for(chars: usize) -> usize {
    FORM_ROOM + chars * BYTES_PER_CHAR
}

impl Settings {
    /// Largest body of a comment: its text and the name shown with it.
    pub fn comment_body(&self) -> usize {
        body_for(self.max_comment + crate::form::MAX_DISPLAY_NAME)
    }

    /// Defaults for `origin` with the given secrets: 20 submissions per minute per address,
    /// 4,000-character comments (20 a day per sender on one consultation, 120 a minute per
    /// consultation), bodies as large as the longest fields in the worst encoding.
    pub fn new(site_origin: impl Into<String>, secrets: Secrets) -> Settings {
        Settings {
            site_origin: site_origin.into().trim_end_matches('/').to_string(),
            rate_limit: 20,
            rate_window: Duration::from_secs(60),
            max_body: body_for(2 * MAX_NAME + MAX_ADDRESS + 2 * MAX_NAME + MAX_CONTACT),
            max_comment: 4000,
            comments_per_sender_day: 20,
            comments_per_minute: 120,
            per_contact_day: 10,
            max_proposal_body: body_for(
                MAX_TITLE + MAX_REQUEST + MAX_MEMORANDUM + 2 * MAX_NAME + MAX_ADDRESS + MAX_CONTACT,
            ),
            proposal_days: PeriodLimits::default(),
            secrets,
        }
    }

    /// Reads `MUSHARAKA_SITE_ORIGIN`, `MUSHARAKA_PEPPER`, `MUSHARAKA_DATA_KEY` and optionally
    /// `MUSHARAKA_RATE_LIMIT` (`20/60`: 20 submissions per 60 seconds) and
    /// `MUSHARAKA_CONTACT_DAY_LIMIT` (codes one contact may ask for in a day, 10) and
    /// `MUSHARAKA_PROPOSAL_DAYS` (`30-365`: the collection periods a proposal may ask for).
    pub fn from_env() -> Result<Settings> {
        let var = |name: &str| {
            std::env::var(name).with_context(|| format!("environment variable {name} is not set"))
        };
        let secrets = Secrets::from_base64(&var("MUSHARAKA_PEPPER")?, &var("MUSHARAKA_DATA_KEY")?)?;
        let mut settings = Settings::new(var("MUSHARAKA_SITE_ORIGIN")?, secrets);
        if let Ok(limit) = std::env::var("MUSHARAKA_RATE_LIMIT") {
            settings.set_rate_limit(&limit)?;
        }
        if let Ok(n) = std::env::var("MUSHARAKA_CONTACT_DAY_LIMIT") {
            settings.per_contact_day = n
                .trim()
                .parse()
                .context("MUSHARAKA_CONTACT_DAY_LIMIT must be a number of codes per day")?;
        }
        if let Ok(days) = std::env::var("MUSHARAKA_PROPOSAL_DAYS") {
            settings.proposal_days = parse_days(&days)?;
        }
        Ok(settings)
    }

    /// Sets the rate limit from `max/seconds`.
    pub fn set_rate_limit(&mut self, spec: &str) -> Result<()> {
        let Some((max, secs)) = spec.split_once('/') else {
            bail!("rate limit {spec:?} must look like 20/60 (submissions per seconds)");
        };
        self.rate_limit = max.trim().parse().context("rate limit: submissions")?;
        self.rate_window = Duration::from_secs(secs.trim().parse().context("rate limit: seconds")?);
        if self.rate_window.is_zero() {
            bail!("rate limit window must be at least one second");
        }
        Ok(())
    }
}

/// The collection periods `min-max` (in days) a proposal may ask for.
pub(crate) fn parse_days(spec: &str) -> Result<PeriodLimits> {
    let parsed = spec
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
    match parsed {
        Some((min_days, max_days)) if 0 < min_days && min_days <= max_days => {
            Ok(PeriodLimits { min_days, max_days })
        }
        _ => bail!("proposal periods {spec:?} must look like 30-365 (shortest-longest, in days)"),
    }
}
