//! `musharaka moderate --store ...`: the moderators' queue. Lists pending comments by
//! consultation and section, oldest first; shows one; approves or rejects it with a reason
//! from the moderation charter, recording who decided and when.

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use musharaka_functions::store::{self, Decided, StoredComment};
use musharaka_model::catalog::Details;
use musharaka_model::moderation::RejectReason;
use musharaka_model::state::ConsultationState;
use std::process::ExitCode;

/// What to do.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum Action {
    /// List pending comments, by consultation and section, oldest first.
    List {
        /// Only this consultation.
        #[arg(long)]
        consultation: Option<String>,
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
    /// Reject a pending comment with a reason from the moderation charter.
    Reject {
        /// Comment id.
        id: String,
        /// spam, insult, off-topic, duplicate or personal-data.
        #[arg(long)]
        reason: String,
        /// Your name, recorded with the decision.
        #[arg(long)]
        moderator: String,
    },
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
        c.display_name.as_deref().unwrap_or("(anonymous)")
    );
    println!("state         {}", c.state.as_str());
    if let Some((by, at, reason)) = &c.decision {
        let why = reason
            .map(|r| format!(", reason {}", r.as_str()))
            .unwrap_or_default();
        println!("decided       by {by} on {}{why}", when(*at));
    }
    println!("\n{}", c.text);
}

/// Runs `musharaka moderate`.
pub(crate) fn run(spec: &str, action: Action) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        match action {
            Action::List { consultation } => {
                let pending = store.pending_comments(consultation.as_deref()).await?;
                for c in &pending {
                    let line: String = c.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let short: String = line.chars().take(90).collect();
                    println!(
                        "{}  {}  {}  {}  {}\n    {short}",
                        c.id,
                        c.consultation,
                        c.section.as_deref().unwrap_or("(whole text)"),
                        when(c.created),
                        c.display_name.as_deref().unwrap_or("(anonymous)"),
                    );
                }
                println!("{} pending comment(s)", pending.len());
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
                reason,
                moderator,
            } => {
                let reason: RejectReason = reason.parse().map_err(anyhow::Error::msg)?;
                decide(&*store, &id, Some(reason), &moderator).await?
            }
        }
        Ok(ExitCode::SUCCESS)
    })
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
