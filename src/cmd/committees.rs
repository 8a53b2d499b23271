//! The committees of accepted proposals once their initiatives are published: their members
//! become the initiative's first signatures (when collection opens), the filing export lists
//! them with their roles, and their personal data goes with the initiative's.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use musharaka_functions::crypto::Secrets;
use musharaka_functions::filing::{CommitteeRow, Row};
use musharaka_functions::personal::PersonalData;
use musharaka_functions::store::{AdminStore, Member, Members, NewSignature, Stored};
use musharaka_model::catalog::{Catalog, Details, Entry};
use musharaka_model::proposal::{ProposalState, proposal_id};

/// The members of the accepted proposal `initiative` came from, if it came from one.
async fn accepted_committee(
    store: &dyn AdminStore,
    initiative: &str,
) -> Result<Option<(musharaka_functions::store::StoredProposal, Vec<Member>)>> {
    let Some(id) = proposal_id(initiative) else {
        return Ok(None);
    };
    let Some(stored) = store.proposal(&id).await? else {
        return Ok(None);
    };
    if stored.proposal.state != ProposalState::Accepted
        || stored.proposal.initiative_id() != initiative
    {
        return Ok(None);
    }
    let members = store.members(&id).await?;
    Ok(Some((
        stored,
        members.into_iter().filter(|m| m.joined).collect(),
    )))
}

fn open(secrets: &Secrets, m: &Member) -> Result<PersonalData> {
    PersonalData::open(secrets, &m.sealed, &m.proposal, &m.signer).with_context(|| {
        format!(
            "cannot decrypt the committee of {}: wrong data key (MUSHARAKA_DATA_KEY, or data/secrets.toml)",
            m.proposal
        )
    })
}

/// The signature member `m` gives `entry`: their data sealed again as a signer's.
fn signature_of(secrets: &Secrets, entry: &Entry, m: &Member) -> Result<NewSignature> {
    let data = open(secrets, m)?;
    let signer = secrets.keyed_hash(&[&entry.id, &data.cin]);
    let sealed = data.seal(secrets, &entry.id, &signer)?;
    let receipt = secrets.keyed_hash(&["receipt", &Secrets::random_token()]);
    Ok(NewSignature {
        initiative: entry.id.clone(),
        signer,
        region: m.region.clone(),
        lang: m.lang,
        sealed,
        receipt,
        expires: entry.erase_by().unwrap_or(entry.closes).timestamp(),
        contact: m.contact.clone(),
        group: String::new(),
        client: "committee".into(),
    })
}

/// Counts the committee of every accepted proposal in `catalog` whose collection is open as its
/// first signatures (once: a member already counted stays counted once), and keeps the
/// committee's data as long as the initiative's. Returns how many signatures were added.
pub(crate) async fn seat(
    store: &dyn AdminStore,
    catalog: &Catalog,
    secrets: impl Fn() -> Result<Secrets>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut added = 0;
    for entry in &catalog.entries {
        if matches!(entry.details, Details::Consultation(_))
            || entry.accepts_signature(now.fixed_offset()).is_err()
        {
            continue;
        }
        let Some((stored, members)) = accepted_committee(store, &entry.id).await? else {
            continue;
        };
        let secrets = secrets()?;
        for m in &members {
            if store.sign(&signature_of(&secrets, entry, m)?, now).await? == Stored::Done {
                added += 1;
            }
        }
        let until = entry.erase_by().map(|t| t.timestamp());
        let keep = Members::keep(&members, until);
        let kept = store
            .save_proposal(&stored.proposal, stored.version, keep, None, now)
            .await?;
        if !kept {
            anyhow::bail!(
                "the committee of {} changed while it was counted: publish again",
                entry.id
            );
        }
    }
    Ok(added)
}

/// The committee of `initiative` as the filing lists it (agent, deputy, members), when it was
/// formed on the portal.
pub(crate) async fn rows(
    store: &dyn AdminStore,
    secrets: &Secrets,
    initiative: &str,
) -> Result<Vec<CommitteeRow>> {
    let Some((_, mut members)) = accepted_committee(store, initiative).await? else {
        return Ok(Vec::new());
    };
    members.sort_by_key(|m| m.role);
    members
        .iter()
        .map(|m| Ok((m.role, Row::from(open(secrets, m)?))))
        .collect()
}

/// Deletes the committee's personal data of `initiative` with its signers'. Returns how many
/// members were erased.
pub(crate) async fn erase(store: &dyn AdminStore, initiative: &str) -> Result<usize> {
    // Written over the version read: read again if it moved meanwhile.
    for _ in 0..3 {
        let Some((stored, members)) = accepted_committee(store, initiative).await? else {
            return Ok(0);
        };
        let erase = Members::erase(&members);
        let now = Utc::now();
        if (store.save_proposal(&stored.proposal, stored.version, erase, None, now)).await? {
            return Ok(members.len());
        }
    }
    anyhow::bail!("the committee of {initiative} kept changing: nothing deleted; run purge again")
}
