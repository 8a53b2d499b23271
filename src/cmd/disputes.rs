//! `musharaka disputes --store ... list|show|resolve`: signatures contested by the person whose
//! CIN they carry. A contested signature still counts but is left out of exports until a
//! moderator keeps it or strikes it (the contester's signature then counts in its place); both
//! signers are told the outcome through their confirmed contacts.

use super::secrets::existing_secrets;
use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use musharaka_functions::crypto::Secrets;
use musharaka_functions::notify::{Body, Message};
use musharaka_functions::personal::PersonalData;
use musharaka_functions::store::{self, Action as Logged, Dispute};
use musharaka_model::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

/// What to do.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum Action {
    /// List disputes, open ones first.
    List,
    /// Show a dispute with both signers' data, decrypted.
    Show {
        /// Dispute id.
        id: String,
        /// Data folder holding the local keys when they are not in the environment.
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Decide a dispute: keep the counted signature, or strike it and count the contester's.
    Resolve {
        /// Dispute id.
        id: String,
        /// Keep the signature as counted.
        #[arg(long, conflicts_with = "strike", required_unless_present = "strike")]
        keep: bool,
        /// Strike it: the contester's signature takes its place.
        #[arg(long)]
        strike: bool,
        /// Your name, recorded with the decision.
        #[arg(long)]
        moderator: String,
        /// Data folder holding the local keys when they are not in the environment.
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
}

fn when(epoch: i64) -> String {
    DateTime::<Utc>::from_timestamp(epoch, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The personal data sealed for the signature of `signer` on `initiative`.
fn open(secrets: &Secrets, initiative: &str, signer: &str, sealed: &[u8]) -> Result<PersonalData> {
    Ok(PersonalData::open(secrets, sealed, initiative, signer)?)
}

fn print_person(label: &str, data: &PersonalData) {
    println!("{label}");
    println!("  name        {} {}", data.first_name, data.family_name);
    println!("  CIN         {}", data.cin);
    println!("  address     {}", data.address);
    println!("  region      {}", data.region);
    println!("  contact     {}", data.contact);
    println!("  signed at   {}", data.signed_at);
}

/// Runs `musharaka disputes`.
pub(crate) fn run(spec: &str, action: Action) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = store::open_admin(spec).await?;
        match action {
            Action::List => {
                let all = store.disputes().await?;
                if all.is_empty() {
                    println!("no disputes");
                }
                for d in all {
                    println!(
                        "{}  {:<8} {}  since {}{}",
                        d.id,
                        d.state,
                        d.initiative,
                        when(d.created),
                        d.decision
                            .as_ref()
                            .map(|(by, at)| format!(", decided by {by} on {}", when(*at)))
                            .unwrap_or_default()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Action::Show { id, data } => {
                let all = store.disputes().await?;
                let Some(d) = find(&all, &id) else {
                    bail!("no dispute {id:?} in {spec}");
                };
                println!("dispute     {} ({}) on {}", d.id, d.state, d.initiative);
                println!("contested   {}", when(d.created));
                if d.state != "open" {
                    println!("the dispute is decided; its data was not kept");
                    return Ok(ExitCode::SUCCESS);
                }
                let secrets = existing_secrets(&data)?;
                match store.signature(&d.initiative, &d.signer).await? {
                    Some(counted) => print_person(
                        "counted signature",
                        &open(&secrets, &d.initiative, &d.signer, &counted.sealed)?,
                    ),
                    None => println!("counted signature: gone (withdrawn or erased)"),
                }
                print_person(
                    "contester",
                    &open(&secrets, &d.initiative, &d.signer, &d.sealed)?,
                );
                Ok(ExitCode::SUCCESS)
            }
            Action::Resolve {
                id,
                keep,
                strike: _,
                moderator,
                data,
            } => {
                if moderator.trim().is_empty() {
                    bail!("--moderator needs your name: every decision is logged with it");
                }
                let secrets = existing_secrets(&data)?;
                let now = Utc::now();
                let Some((dispute, original)) = store.resolve(&id, keep, &moderator, now).await?
                else {
                    bail!("no open dispute {id:?} in {spec} (`disputes list` shows them)");
                };
                store
                    .log_action(Logged::Dispute, &dispute.initiative, &moderator, now, 1)
                    .await?;
                let entry = store.entry(&dispute.initiative).await?;
                let title = |lang: Lang| {
                    entry
                        .as_ref()
                        .and_then(|e| {
                            musharaka_model::lang::pick(&e.title, lang, &Lang::ALL).cloned()
                        })
                        .unwrap_or_else(|| dispute.initiative.clone())
                };
                let people = [
                    (
                        "counted",
                        open(
                            &secrets,
                            &dispute.initiative,
                            &dispute.signer,
                            &original.sealed,
                        ),
                    ),
                    (
                        "contester",
                        open(
                            &secrets,
                            &dispute.initiative,
                            &dispute.signer,
                            &dispute.sealed,
                        ),
                    ),
                ];
                let mut told = 0;
                for (who, data) in people {
                    let Ok(data) = data else {
                        eprintln!("the {who} signer's data cannot be opened: not told");
                        continue;
                    };
                    let Some(to) = data.contact() else {
                        continue;
                    };
                    let lang = data.language().unwrap_or(dispute.lang);
                    let message = Message {
                        to: to.to_string(),
                        lang,
                        body: Body::Decision {
                            kept: keep,
                            title: title(lang),
                        },
                    };
                    store
                        .enqueue(&message.seal(&secrets, format!("dispute-{id}-{who}"))?)
                        .await?;
                    told += 1;
                }
                println!(
                    "dispute {id} decided: signature {} by {moderator}; {told} signers told",
                    if keep {
                        "kept"
                    } else {
                        "struck, the contester's counted instead"
                    }
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

fn find<'a>(all: &'a [Dispute], id: &str) -> Option<&'a Dispute> {
    all.iter().find(|d| d.id.eq_ignore_ascii_case(id))
}
