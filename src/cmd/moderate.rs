//! `musharaka moderate --store ...`: the moderators' queue. Lists pending comments by
//! consultation and section, oldest first; shows one; approves or rejects it with a reason
//! from the moderation charter, recording who decided and when.

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use musharaka_functions::store::{self, Decided, StoredComment};
use musharaka_model::catalog::Details;
use musharaka_model::moderation::RejectReason;
use musharaka_model::state::ConsultationState;
use musharaka_model::text::visible;
use std::process::ExitCode;

/// What to do.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum Action {
    /// List pending comments, by consultation and section, oldest first, a page at a time,
    /// with the totals of the queue.
    List {
        /// Only this consultation.
        #[arg(long)]
        consultation: Option<String>,
        /// Which page (from 1).
        #[arg(long, default_value_t = 1)]
        page: usize,
        /// Comments per page.
        #[arg(long, default_value_t = 50)]
        per_page: usize,
    },
    /// Show one comment and its moderation.
    Show {
        /// Comment id.
        id: String,
    },
    /// Approve a pending comment: it is published at the next build.
    Approve {
        /// Comment id.
        id: String,
        /// Your name, recorded with the decision.
        #[arg(long)]
        moderator: String,
    },
    /// Once the consultation's synthesis is published: mark an approved comment as retained
    /// or not by the authority, with a short reason.
    Retain {
        /// Comment id.
        id: String,
        /// yes or no.
        #[arg(long)]
        retained: String,
        /// The authority's short reason.
        #[arg(long)]
        reason: String,
    },
    /// Reject a pending comment with a reason from the moderation charter; or, without an
    /// id, every pending comment the filters select (a flood), after `--dry-run` shows them.
    Reject {
        /// Comment id (or filters below).
        id: Option<String>,
        #[command(flatten)]
        filter: Filter,
        /// Show what would be rejected, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// spam, insult, off-topic, duplicate or personal-data.
        #[arg(long)]
        reason: String,
        /// Your name, recorded with the decision.
        #[arg(long)]
        moderator: String,
    },
}

/// Which pending comments a bulk rejection takes: all the filters given must match.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct Filter {
    /// Only this consultation.
    #[arg(long)]
    consultation: Option<String>,
    /// Only comments from this sender (the hash `list` shows after `from`).
    #[arg(long)]
    sender: Option<String>,
    /// Only comments sent at or after this time (`2026-11-30T10:00:00Z`, or a date).
    #[arg(long)]
    since: Option<String>,
    /// Only comments sent before this time.
    #[arg(long)]
    until: Option<String>,
    /// Only comments whose text or shown name contains this (case ignored).
    #[arg(long)]
    contains: Option<String>,
}

/// A time given on the command line: RFC 3339, or a date (midnight UTC).
fn instant(option: &str, text: &str) -> Result<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.timestamp());
    }
    match chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(d) => Ok(d
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp()),
        Err(_) => bail!(
            "{option} {text:?} is neither a time like 2026-11-30T10:00:00Z nor a date like 2026-11-30"
        ),
    }
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.consultation.is_none()
            && self.sender.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.contains.is_none()
    }

    /// The test a comment must pass; refuses a badly written time.
    fn matcher(&self) -> Result<impl Fn(&StoredComment) -> bool + '_> {
        let since = self
            .since
            .as_deref()
            .map(|t| instant("--since", t))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|t| instant("--until", t))
            .transpose()?;
        let needle = self.contains.as_deref().map(str::to_lowercase);
        if needle.as_deref().is_some_and(|n| n.trim().is_empty()) {
            bail!("--contains needs some text");
        }
        Ok(move |c: &StoredComment| {
            self.consultation
                .as_ref()
                .is_none_or(|x| *x == c.consultation)
                && self
                    .sender
                    .as_ref()
                    .is_none_or(|x| c.sender.as_ref() == Some(x))
                && since.is_none_or(|t| c.created >= t)
                && until.is_none_or(|t| c.created < t)
                && needle.as_ref().is_none_or(|n| {
                    c.text.to_lowercase().contains(n)
                        || c.display_name
                            .as_ref()
                            .is_some_and(|d| d.to_lowercase().contains(n))
                })
        })
    }
}

/// One comment in a list: its id, where, when, from whom, and its text's first words.
fn summary(c: &StoredComment) -> String {
    let line = visible(&c.text.split_whitespace().collect::<Vec<_>>().join(" "));
    let short: String = line.chars().take(90).collect();
    format!(
        "{}  {}  {}  {}  {}  from {}\n    {short}",
        c.id,
        c.consultation,
        c.section.as_deref().unwrap_or("(whole text)"),
        when(c.created),
        c.display_name
            .as_deref()
            .map_or("(anonymous)".into(), visible),
        c.sender.as_deref().unwrap_or("-"),
    )
}

fn when(epoch: i64) -> String {
    DateTime::<Utc>::from_timestamp(epoch, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn show(c: &StoredComment) {
    println!("comment       {}", c.id);
    println!("consultation  {}", c.consultation);
    println!(
        "section       {}",
        c.section.as_deref().unwrap_or("(whole text)")
    );
    println!("sent          {} ({})", when(c.created), c.lang);
    println!(
        "name shown    {}",
        c.display_name
            .as_deref()
            .map_or("(anonymous)".into(), visible)
    );
    println!("state         {}", c.state.as_str());
    if let Some((by, at, reason)) = &c.decision {
        let why = reason
            .map(|r| format!(", reason {}", r.as_str()))
            .unwrap_or_default();
        println!("decided       by {by} on {}{why}", when(*at));
    }
    println!("\n{}", visible(&c.text));
}

/// Runs `musharaka moderate`.
pub(crate) fn run(spec: &str, action: Action) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        match action {
            Action::List {
                consultation,
                page,
                per_page,
            } => {
                let pending = store.pending_comments(consultation.as_deref()).await?;
                list(&pending, page, per_page)?;
            }
            Action::Show { id } => match store.stored_comment(&id).await? {
                Some(c) => show(&c),
                None => bail!("no comment {id:?}"),
            },
            Action::Approve { id, moderator } => decide(&*store, &id, None, &moderator).await?,
            Action::Retain {
                id,
                retained,
                reason,
            } => retain(&*store, &id, &retained, &reason).await?,
            Action::Reject {
                id,
                filter,
                dry_run,
                reason,
                moderator,
            } => {
                let reason: RejectReason = reason.parse().map_err(anyhow::Error::msg)?;
                match id {
                    Some(_) if !filter.is_empty() => {
                        bail!("give a comment id or filters, not both")
                    }
                    Some(id) if !dry_run => decide(&*store, &id, Some(reason), &moderator).await?,
                    Some(id) => match store.stored_comment(&id).await? {
                        Some(c) => println!("would reject:\n{}", summary(&c)),
                        None => bail!("no comment {id:?}"),
                    },
                    None if filter.is_empty() => bail!(
                        "give a comment id, or filters (--consultation, --sender, --since, --until, --contains) to reject a flood"
                    ),
                    None => reject_all(&*store, &filter, (reason, &moderator), dry_run).await?,
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Prints one page of the pending comments and the totals of the queue.
fn list(pending: &[StoredComment], page: usize, per_page: usize) -> Result<()> {
    if page == 0 || per_page == 0 {
        bail!("--page and --per-page start at 1");
    }
    let pages = pending.len().div_ceil(per_page).max(1);
    if page > pages {
        bail!(
            "page {page} is past the last page ({pages}) of {} pending comment(s)",
            pending.len()
        );
    }
    let start = (page - 1) * per_page;
    for c in pending.iter().skip(start).take(per_page) {
        println!("{}", summary(c));
    }
    let mut by_consultation = std::collections::BTreeMap::<&str, usize>::new();
    for c in pending {
        *by_consultation.entry(c.consultation.as_str()).or_default() += 1;
    }
    let shown = pending.len().saturating_sub(start).min(per_page);
    println!(
        "{} pending comment(s); page {page} of {pages}{}",
        pending.len(),
        if shown > 0 {
            format!(" shows {} to {}", start + 1, start + shown)
        } else {
            String::new()
        }
    );
    if by_consultation.len() > 1 {
        for (consultation, n) in by_consultation {
            println!("  {consultation}: {n}");
        }
    }
    Ok(())
}

/// Rejects every pending comment `filter` selects, or only lists them with `dry_run`.
async fn reject_all(
    store: &dyn store::AdminStore,
    filter: &Filter,
    (reason, moderator): (RejectReason, &str),
    dry_run: bool,
) -> Result<()> {
    let moderator = moderator.trim();
    if moderator.is_empty() {
        bail!("--moderator needs your name: every decision is recorded with it");
    }
    let matches = filter.matcher()?;
    let pending = store
        .pending_comments(filter.consultation.as_deref())
        .await?;
    let chosen: Vec<&StoredComment> = pending.iter().filter(|c| matches(c)).collect();
    if dry_run {
        for c in &chosen {
            println!("{}", summary(c));
        }
        println!(
            "would reject {} of {} pending comment(s) ({}); nothing changed",
            chosen.len(),
            pending.len(),
            reason.as_str()
        );
        return Ok(());
    }
    let now = Utc::now();
    let mut done = 0;
    for c in &chosen {
        if store.decide(&c.id, Some(reason), moderator, now).await? == Decided::Done {
            done += 1;
        }
    }
    println!(
        "rejected ({}) {done} of {} pending comment(s), by {moderator}",
        reason.as_str(),
        pending.len()
    );
    Ok(())
}

async fn retain(
    store: &dyn store::AdminStore,
    id: &str,
    retained: &str,
    reason: &str,
) -> Result<()> {
    let retained = match retained {
        "yes" => true,
        "no" => false,
        other => bail!("--retained is `yes` or `no`, not {other:?}"),
    };
    if reason.trim().is_empty() {
        bail!("--reason needs the authority's short reason");
    }
    let Some(comment) = store.stored_comment(id).await? else {
        bail!("no comment {id:?}: nothing changed");
    };
    let report_published = matches!(
        store.entry(&comment.consultation).await?.map(|e| e.details),
        Some(Details::Consultation(c)) if c.state == ConsultationState::ReportPublished
    );
    if !report_published {
        bail!(
            "the synthesis of consultation {} is not published yet: publish it (state = \"report-published\") before marking comments",
            comment.consultation
        );
    }
    match store.set_retained(id, retained, reason.trim()).await? {
        Decided::Done => {
            println!(
                "comment {id}: {}",
                if retained { "retained" } else { "not retained" }
            );
            Ok(())
        }
        _ => bail!(
            "comment {id} is not approved: only published comments are marked; nothing changed"
        ),
    }
}

async fn decide(
    store: &dyn store::AdminStore,
    id: &str,
    reason: Option<RejectReason>,
    moderator: &str,
) -> Result<()> {
    let moderator = moderator.trim();
    if moderator.is_empty() {
        bail!("--moderator needs your name: every decision is recorded with it");
    }
    match store.decide(id, reason, moderator, Utc::now()).await? {
        Decided::Done => {
            let what = reason.map_or("approved".to_string(), |r| {
                format!("rejected ({})", r.as_str())
            });
            println!("{what}: comment {id}, by {moderator}");
            Ok(())
        }
        Decided::NotFound => bail!("no comment {id:?}: nothing changed"),
        Decided::AlreadyDecided => {
            let c = store.stored_comment(id).await?;
            let (state, by) = c
                .map(|c| {
                    (
                        c.state.as_str(),
                        c.decision
                            .map(|d| format!(" by {} on {}", d.0, when(d.1)))
                            .unwrap_or_default(),
                    )
                })
                .unwrap_or(("decided", String::new()));
            bail!("comment {id} was already {state}{by}: nothing changed")
        }
    }
}
