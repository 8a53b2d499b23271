//! `musharaka proposals --store ...`: the review of citizens' proposals. Lists the queue a page
//! at a time, shows one, and decides: `accept` writes the initiative's content file,
//! `reject` names a reason from the law's list (or "outside this authority's remit", or
//! "duplicate of <id>") and erases the committee's data, `request-changes` sends it back to its
//! agent. Every decision records who and when, and tells the agent at their confirmed contact.

use super::proposal_file::{self, Acceptance};
use super::secrets::existing_secrets;
use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use musharaka_functions::crypto::Secrets;
use musharaka_functions::notify::{Body, Message};
use musharaka_functions::personal::PersonalData;
use musharaka_functions::store::{self, AdminStore, Member, Members, StoredProposal};
use musharaka_model::committee::Role;
use musharaka_model::proposal::{
    AGENT_AFTER_REJECTION_DAYS, Proposal, ProposalState, Reason, Review,
};
use musharaka_model::target::{Authority, Codes, Target};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

/// What to do.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum Action {
    /// List the proposals in a state (submitted: the review queue), oldest first, a page at a
    /// time.
    List {
        /// draft, submitted, changes-requested, accepted, rejected or withdrawn.
        #[arg(long, default_value = "submitted")]
        state: String,
        /// The page mark printed at the end of the previous page.
        #[arg(long)]
        after: Option<String>,
        /// Proposals per page.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show a proposal: its text, target, committee (roles and regions) and decisions.
    Show {
        /// Proposal id.
        id: String,
    },
    /// Accept a submitted proposal: writes `content/<petitions|motions>/<slug>.<lang>.md`;
    /// after `build` and `publish` its committee is its first signatures.
    Accept {
        /// Proposal id.
        id: String,
        /// The version `show` printed: the text accepted is exactly the text reviewed.
        #[arg(long)]
        version: u64,
        /// Your name, recorded with the decision.
        #[arg(long)]
        moderator: String,
        /// The day collection opens (YYYY-MM-DD; today by default).
        #[arg(long)]
        opens: Option<NaiveDate>,
        /// The HCP code of the territory of a province or commune council's petition: the
        /// province's (`02.251`) or the commune's (`07.041.07.03`), from
        /// `model/data/geography/`; its name, region and population follow from the census.
        #[arg(long)]
        code: Option<String>,
        /// A message to the agent.
        #[arg(long, default_value = "")]
        message: String,
        /// Folder holding `content/` and `site-theme/`.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Data folder holding the local secrets (unless set in the environment).
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Reject a submitted proposal: it is listed publicly with its reason, and its committee's
    /// personal data is erased.
    Reject {
        /// Proposal id.
        id: String,
        /// An excluded subject (national-constants, security, courts, inquiry, partisan,
        /// discrimination, insult, constitution), outside-remit, duplicate:<id> or
        /// personal-data.
        #[arg(long)]
        reason: String,
        /// Your name, recorded with the decision.
        #[arg(long)]
        moderator: String,
        /// A message to the agent.
        #[arg(long, default_value = "")]
        message: String,
        /// Data folder holding the local secrets (unless set in the environment).
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Send a submitted proposal back to its agent with what to change.
    RequestChanges {
        /// Proposal id.
        id: String,
        /// What to change, for the agent.
        #[arg(long)]
        message: String,
        /// Your name, recorded with the decision.
        #[arg(long)]
        moderator: String,
        /// Data folder holding the local secrets (unless set in the environment).
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
}

fn day(epoch: i64) -> String {
    DateTime::<Utc>::from_timestamp(epoch, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Runs `musharaka proposals`.
pub(crate) fn run(spec: &str, action: Action) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        match action {
            Action::List {
                state,
                after,
                limit,
            } => list(&*store, &state, after.as_deref(), limit).await?,
            Action::Show { id } => {
                let (stored, members) = load(&*store, &id).await?;
                show(&stored.proposal, &members);
                println!("\nversion {} (accept with --version {})", stored.version, stored.version);
            }
            Action::Accept {
                id,
                version,
                moderator,
                opens,
                code,
                message,
                root,
                data,
            } => {
                let secrets = existing_secrets(&data)?;
                let decision = Decision::new(&moderator, ProposalState::Accepted, None, &message)?;
                let code = code.as_deref().map(str::trim);
                let path = accept(&*store, &secrets, (&id, version), decision, (opens, code), &root)
                    .await?;
                println!("accepted {id}: wrote {}", path.display());
                println!("run `musharaka check`, then `build` and `publish`: collection opens with the committee as its first signatures");
            }
            Action::Reject {
                id,
                reason,
                moderator,
                message,
                data,
            } => {
                let reason: Reason = reason.parse()?;
                let secrets = existing_secrets(&data)?;
                let decision =
                    Decision::new(&moderator, ProposalState::Rejected, Some(reason), &message)?;
                decide(&*store, &secrets, (&id, None), decision, None).await?;
                println!("rejected {id}: listed publicly with its reason at the next build");
            }
            Action::RequestChanges {
                id,
                message,
                moderator,
                data,
            } => {
                if message.trim().is_empty() {
                    bail!("--message needs what the agent should change");
                }
                let secrets = existing_secrets(&data)?;
                let state = ProposalState::ChangesRequested;
                let decision = Decision::new(&moderator, state, None, &message)?;
                decide(&*store, &secrets, (&id, None), decision, None).await?;
                println!("sent {id} back to its agent");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn list(
    store: &dyn AdminStore,
    state: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<()> {
    let state: ProposalState = state.parse().map_err(anyhow::Error::msg)?;
    let (page, next) = store.proposals(state, after, limit).await?;
    for s in &page {
        let p = &s.proposal;
        println!(
            "{}  {:<8}  {:<24}  {}  {}",
            p.id,
            if p.kind == musharaka_model::state::InitiativeKind::Motion {
                "motion"
            } else {
                "petition"
            },
            p.target.authority.as_str(),
            day(p.submitted.unwrap_or(p.updated)),
            p.title
        );
    }
    println!("{} proposal(s) {}", page.len(), state.as_str());
    if let Some(mark) = next {
        println!("more: --after {mark}");
    }
    Ok(())
}

async fn load(store: &dyn AdminStore, id: &str) -> Result<(StoredProposal, Vec<Member>)> {
    let id = id.trim().to_ascii_uppercase();
    match store.proposal(&id).await? {
        Some(stored) if stored.confirmed => Ok((stored, store.members(&id).await?)),
        _ => bail!("no proposal {id:?}"),
    }
}

/// The proposal `id`, which must wait for a decision.
async fn load_submitted(store: &dyn AdminStore, id: &str) -> Result<(StoredProposal, Vec<Member>)> {
    let (stored, members) = load(store, id).await?;
    let p = &stored.proposal;
    if !p.state.awaits_review() {
        bail!(
            "proposal {} is {}, not submitted: nothing changed",
            p.id,
            p.state.as_str()
        );
    }
    Ok((stored, members))
}

fn show(p: &Proposal, members: &[Member]) {
    println!("proposal   {} ({:?}, written in {})", p.id, p.kind, p.lang);
    println!(
        "target     {} {}{}",
        p.target.authority.as_str(),
        p.target.region.as_deref().unwrap_or(""),
        typed_name(p)
    );
    if p.state == ProposalState::Submitted
        && matches!(p.target.authority, Authority::Province | Authority::Commune)
    {
        println!("           accept with --code <its HCP code> (model/data/geography/)");
    }
    println!("state      {}", p.state.as_str());
    println!(
        "started    {}  period asked {} days",
        day(p.created),
        p.period_days
    );
    let joined: Vec<&Member> = members.iter().filter(|m| m.joined).collect();
    let regions: BTreeSet<&str> = joined.iter().map(|m| m.region.as_str()).collect();
    println!(
        "committee  {} members from {} regions",
        joined.len(),
        regions.len()
    );
    for m in &joined {
        println!("  {:<7} {}", m.role.as_str(), m.region);
    }
    for r in &p.reviews {
        let reason = r
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        println!(
            "decision   {} {}{reason} by {}: {}",
            day(r.at),
            r.state.as_str(),
            r.moderator,
            r.message
        );
    }
    println!(
        "\n# {}\n\n{}\n\n---\n\n{}",
        p.title, p.request, p.memorandum
    );
}

/// A moderator's decision, before it is applied.
struct Decision {
    review: Review,
}

impl Decision {
    fn new(
        moderator: &str,
        state: ProposalState,
        reason: Option<Reason>,
        message: &str,
    ) -> Result<Decision> {
        let moderator = moderator.trim();
        if moderator.is_empty() {
            bail!("--moderator needs your name: every decision is recorded with it");
        }
        Ok(Decision {
            review: Review {
                at: Utc::now().timestamp(),
                moderator: moderator.to_string(),
                state,
                reason: reason.map(|r| r.to_string()),
                message: message.trim().to_string(),
            },
        })
    }
}

/// The message telling the agent of `members` the decision on `p`.
fn agent_message(
    secrets: &Secrets,
    p: &Proposal,
    members: &[Member],
) -> Result<Option<store::Outgoing>> {
    let Some(agent) = members.iter().find(|m| m.role == Role::Agent) else {
        return Ok(None);
    };
    let data = PersonalData::open(secrets, &agent.sealed, &agent.proposal, &agent.signer)?;
    let Some(to) = data.contact() else {
        return Ok(None);
    };
    let message = Message {
        to: to.to_string(),
        lang: data.language().unwrap_or(agent.lang),
        body: Body::ProposalDecision {
            title: p.title.clone(),
            state: p.state.as_str().to_string(),
        },
    };
    // One message per decision: its id names the proposal, the state and the decision's rank.
    let id = format!("{}-{}-{}", p.id, p.state.as_str(), p.reviews.len());
    Ok(Some(message.seal(secrets, id)?))
}

/// Applies `decision` to the submitted proposal `id`, telling its agent; the proposal decided.
async fn decide(
    store: &dyn AdminStore,
    secrets: &Secrets,
    (id, seen): (&str, Option<u64>),
    decision: Decision,
    target: Option<musharaka_model::target::Target>,
) -> Result<Proposal> {
    let (stored, members) = load_submitted(store, id).await?;
    let p = &stored.proposal;
    if let Some(seen) = seen.filter(|v| *v != stored.version) {
        bail!(
            "proposal {} changed since version {seen} (now {}): show it again, then decide on what you read",
            p.id,
            stored.version
        );
    }
    let mut decided = p.clone();
    decided.state = decision.review.state;
    decided.updated = decision.review.at;
    decided.reviews.push(decision.review);
    if let Some(target) = target {
        decided.target = target;
    }
    let message = agent_message(secrets, &decided, &members)?;
    let now = Utc::now();
    let (agent, others): (Vec<Member>, Vec<Member>) =
        (members.iter().cloned()).partition(|m| m.role == Role::Agent);
    let joined: Vec<Member> = members.iter().filter(|m| m.joined).cloned().collect();
    let data = match decided.state {
        // The committee's data is no longer needed; the agent reads the decision a while.
        ProposalState::Rejected => Members {
            keep: &agent,
            until: Some(now.timestamp() + AGENT_AFTER_REJECTION_DAYS * 86_400),
            erase: &others,
        },
        // Sent back: the committee is kept as long as the proposal waits for its agent.
        ProposalState::ChangesRequested => Members::keep(&joined, decided.deadline()),
        _ => Members::UNCHANGED,
    };
    if !store
        .save_proposal(&decided, stored.version, data, message.as_ref(), now)
        .await?
    {
        bail!(
            "proposal {} changed meanwhile (its agent withdrew it?): nothing changed; show it again",
            p.id
        );
    }
    Ok(decided)
}

/// The target of the proposal `p` once accepted: a province or commune council's territory
/// named by its HCP `code` (required for those two, refused for the others), with the
/// census's name, region and population; it must be in the region the proposal named, where its
/// committee was checked to live.
fn accepted_target(p: &Proposal, code: Option<&str>) -> Result<Target> {
    let authority = p.target.authority;
    let codes = match (authority, code) {
        (Authority::Province, Some(code)) => Codes {
            province: Some(code),
            ..Codes::default()
        },
        (Authority::Commune, Some(code)) => Codes {
            commune: Some(code),
            ..Codes::default()
        },
        (Authority::Province | Authority::Commune, None) => bail!(
            "cannot accept {}: a {} council's petition needs the HCP code of its territory: give it with --code (see model/data/geography/{}s.tsv){}",
            p.id,
            authority.as_str(),
            authority.as_str(),
            typed_name(p)
        ),
        (_, Some(_)) => bail!(
            "cannot accept {}: --code is for a province or commune council's petition; this one is addressed to {}",
            p.id,
            authority.as_str()
        ),
        (_, None) => {
            if let Err(e) = p.target.validate(p.kind) {
                bail!("cannot accept {}: {e}", p.id);
            }
            return Ok(p.target.clone());
        }
    };
    let target = Target::from_codes(authority, codes)
        .map_err(|e| anyhow::anyhow!("cannot accept {}: --code: {e}", p.id))?;
    if let (Some(named), Some(actual)) = (&p.target.region, &target.region)
        && named != actual
    {
        bail!(
            "cannot accept {}: --code {} is in region {actual}, but the proposal, and the committee checked against it, is for region {named}",
            p.id,
            code.unwrap_or_default()
        );
    }
    target
        .validate(p.kind)
        .map_err(|e| anyhow::anyhow!("cannot accept {}: {e}", p.id))?;
    Ok(target)
}

/// What the agent typed as the territory's name, to help find its code:
/// ` (its agent named it "Asni")`.
fn typed_name(p: &Proposal) -> String {
    (p.target.name.values().next())
        .map(|name| format!(" (its agent named it {name:?})"))
        .unwrap_or_default()
}

/// Accepts `id`: its content file first, then the decision (the file is removed if the
/// decision cannot be written).
async fn accept(
    store: &dyn AdminStore,
    secrets: &Secrets,
    (id, seen): (&str, u64),
    decision: Decision,
    (opens, code): (Option<NaiveDate>, Option<&str>),
    root: &std::path::Path,
) -> Result<PathBuf> {
    let (stored, members) = load_submitted(store, id).await?;
    let p = &stored.proposal;
    if stored.version != seen {
        bail!(
            "proposal {} changed since version {seen} (now {}): show it again, then decide on what you read",
            p.id,
            stored.version
        );
    }
    let target = accepted_target(p, code)?;
    let joined: Vec<&Member> = members.iter().filter(|m| m.joined).collect();
    let regions: BTreeSet<&str> = joined.iter().map(|m| m.region.as_str()).collect();
    let morocco = chrono::FixedOffset::east_opt(3600).expect("one hour");
    let today = Utc::now().with_timezone(&morocco).date_naive();
    let formed = DateTime::<Utc>::from_timestamp(p.submitted.unwrap_or(p.updated), 0)
        .map_or(today, |t| t.with_timezone(&morocco).date_naive());
    let acceptance = Acceptance {
        opens: opens.unwrap_or(today),
        committee: (joined.len(), regions.len()),
        formed,
    };
    let mut accepted = p.clone();
    accepted.target = target.clone();
    let path = proposal_file::write(root, &accepted, &acceptance)?;
    match decide(store, secrets, (id, Some(seen)), decision, Some(target)).await {
        Ok(_) => Ok(path),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}
