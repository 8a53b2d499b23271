//! Proposals and their committees on the embedded store: each change in one transaction, a
//! proposal written only over the version it was read at.

use super::err;
use super::requests::{enqueue_one, within_day_limit};
use crate::store::committee::page_mark;
use crate::store::{
    Asked, CommitteeChange, Member, Members, NewMember, Outgoing, Seated, StoreError, StoreResult,
    StoredProposal,
};
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
use musharaka_model::committee::{MAX_MEMBERS, Role};
use musharaka_model::proposal::{Proposal, ProposalState};
use musharaka_model::signing::MAX_ATTEMPTS;
use rusqlite::{Connection, OptionalExtension, Row, params};

fn to_json(p: &Proposal) -> StoreResult<String> {
    serde_json::to_string(p).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn insert_member(conn: &Connection, m: &NewMember, now: DateTime<Utc>) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO members (proposal, reference, role, region, signer, sealed, contact, code,
                              code_expires, created, lang, expires)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .map_err(err)?
    .execute(params![
        m.proposal,
        m.reference,
        m.role.as_str(),
        m.region,
        m.signer,
        m.sealed,
        m.contact,
        m.code,
        m.code_expires,
        now.timestamp(),
        m.lang.code(),
        m.expires,
    ])
    .map_err(err)?;
    Ok(())
}

pub(super) fn propose(
    conn: &mut Connection,
    p: &Proposal,
    agent: &NewMember,
    m: &Outgoing,
    per_day: u32,
    now: DateTime<Utc>,
) -> StoreResult<Asked> {
    let json = to_json(p)?;
    let tx = conn.savepoint().map_err(err)?;
    if !within_day_limit(&tx, &agent.contact, per_day, now)? {
        return Ok(Asked::ContactLimit);
    }
    tx.prepare_cached(
        "INSERT INTO proposals (id, state, updated, version, confirmed, expires, json)
         VALUES (?1, ?2, ?3, 0, 0, ?4, ?5)",
    )
    .map_err(err)?
    // Nobody's until its agent confirms: deleted with the agent's request if they never do.
    .execute(params![
        p.id,
        p.state.as_str(),
        p.updated,
        agent.expires,
        json
    ])
    .map_err(err)?;
    insert_member(&tx, agent, now)?;
    enqueue_one(&tx, m, now)?;
    tx.commit().map_err(err)?;
    Ok(Asked::Done)
}

pub(super) fn join(
    conn: &mut Connection,
    member: &NewMember,
    m: &Outgoing,
    per_day: u32,
    now: DateTime<Utc>,
) -> StoreResult<Asked> {
    let tx = conn.savepoint().map_err(err)?;
    let Some(stored) = proposal(&tx, &member.proposal)?.filter(|p| p.confirmed) else {
        return Ok(Asked::NotFound);
    };
    if !open_at(&stored.proposal, now) {
        return Ok(Asked::Closed);
    }
    if !within_day_limit(&tx, &member.contact, per_day, now)? {
        return Ok(Asked::ContactLimit);
    }
    insert_member(&tx, member, now)?;
    enqueue_one(&tx, m, now)?;
    tx.commit().map_err(err)?;
    Ok(Asked::Done)
}

pub(super) fn proposal(conn: &Connection, id: &str) -> StoreResult<Option<StoredProposal>> {
    conn.prepare_cached("SELECT json, version, confirmed FROM proposals WHERE id = ?1")
        .map_err(err)?
        .query_row([id], read_proposal)
        .optional()
        .map_err(err)?
        .transpose()
}

type ProposalRow = StoreResult<StoredProposal>;

fn read_proposal(r: &Row) -> rusqlite::Result<ProposalRow> {
    let json: String = r.get(0)?;
    let version: i64 = r.get(1)?;
    let confirmed: bool = r.get(2)?;
    Ok(serde_json::from_str(&json)
        .map(|proposal| StoredProposal {
            proposal,
            version: version as u64,
            confirmed,
        })
        .map_err(|e| StoreError::Invalid(e.to_string())))
}

const MEMBER_COLUMNS: &str = "proposal, reference, role, region, signer, sealed, contact, code,
    code_expires, attempts, joined, key, created, lang";

fn read_member(r: &Row) -> rusqlite::Result<Member> {
    Ok(Member {
        proposal: r.get(0)?,
        reference: r.get(1)?,
        role: (r.get::<_, String>(2)?.parse()).unwrap_or(Role::Member),
        region: r.get(3)?,
        signer: r.get(4)?,
        sealed: r.get(5)?,
        contact: r.get(6)?,
        code: r.get(7)?,
        code_expires: r.get(8)?,
        attempts: r.get(9)?,
        joined: r.get(10)?,
        key: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
        created: r.get(12)?,
        lang: r.get::<_, String>(13)?.parse().unwrap_or(Lang::Ar),
    })
}

pub(super) fn members(conn: &Connection, proposal: &str) -> StoreResult<Vec<Member>> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE proposal = ?1 ORDER BY role != 'agent', created, reference"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
    let rows = stmt.query_map([proposal], read_member).map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

fn member(conn: &Connection, proposal: &str, reference: &str) -> StoreResult<Option<Member>> {
    let sql =
        format!("SELECT {MEMBER_COLUMNS} FROM members WHERE proposal = ?1 AND reference = ?2");
    conn.prepare_cached(&sql)
        .map_err(err)?
        .query_row([proposal, reference], read_member)
        .optional()
        .map_err(err)
}

pub(super) fn keyed(conn: &Connection, key: &str) -> StoreResult<Option<(String, String)>> {
    conn.prepare_cached("SELECT proposal, reference FROM members WHERE key = ?1")
        .map_err(err)?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(err)
}

/// Whether the committee of `p` may still change at `now`: open, and not past its deadline.
fn open_at(p: &Proposal, now: DateTime<Utc>) -> bool {
    p.state.is_open() && p.deadline().is_none_or(|d| d > now.timestamp())
}

/// Raises the version of the open proposal `id` from `seen`; false when it is not open or was
/// changed meanwhile.
fn bump(conn: &Connection, id: &str, seen: u64) -> StoreResult<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE proposals SET version = version + 1
             WHERE id = ?1 AND version = ?2 AND state IN ('draft', 'changes-requested')",
        )
        .map_err(err)?
        .execute(params![id, seen as i64])
        .map_err(err)?;
    Ok(changed == 1)
}

pub(super) fn seat(
    conn: &mut Connection,
    proposal: &str,
    reference: &str,
    code: &str,
    key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Seated> {
    let tx = conn.savepoint().map_err(err)?;
    let Some(m) = member(&tx, proposal, reference)? else {
        return Ok(Seated::NotFound);
    };
    if m.joined || m.code != code || m.attempts >= MAX_ATTEMPTS || m.code_expires <= now.timestamp()
    {
        return Ok(Seated::Changed);
    }
    let taken: bool = tx
        .prepare_cached("SELECT 1 FROM members WHERE proposal = ?1 AND signer = ?2 AND joined = 1")
        .map_err(err)?
        .query_row([proposal, &m.signer], |_| Ok(true))
        .optional()
        .map_err(err)?
        .unwrap_or(false);
    if taken {
        return Ok(Seated::AlreadyMember);
    }
    let Some(stored) = self::proposal(&tx, proposal)? else {
        return Ok(Seated::NotFound);
    };
    let seated: i64 = tx
        .prepare_cached("SELECT count(*) FROM members WHERE proposal = ?1 AND joined = 1")
        .map_err(err)?
        .query_row([proposal], |r| r.get(0))
        .map_err(err)?;
    if !open_at(&stored.proposal, now) || seated >= MAX_MEMBERS as i64 {
        return Ok(Seated::Closed);
    }
    // Seated, the person's data is kept as long as the proposal's.
    let deadline = stored.proposal.deadline();
    let agent = m.role == Role::Agent;
    tx.prepare_cached(
        "UPDATE proposals SET version = version + 1, confirmed = confirmed OR ?2,
                              expires = CASE WHEN ?2 THEN ?3 ELSE expires END
         WHERE id = ?1",
    )
    .map_err(err)?
    .execute(params![proposal, agent, deadline])
    .map_err(err)?;
    tx.prepare_cached(
        "UPDATE members SET joined = 1, key = ?3, code = '', expires = ?4
         WHERE proposal = ?1 AND reference = ?2",
    )
    .map_err(err)?
    .execute(params![proposal, reference, key, deadline])
    .map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(Seated::Joined)
}

pub(super) fn member_wrong_code(
    conn: &Connection,
    proposal: &str,
    reference: &str,
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE members SET attempts = attempts + 1
         WHERE proposal = ?1 AND reference = ?2 AND joined = 0",
    )
    .map_err(err)?
    .execute([proposal, reference])
    .map_err(err)?;
    Ok(())
}

pub(super) fn change_committee(
    conn: &mut Connection,
    proposal: &str,
    change: &CommitteeChange,
    seen: u64,
) -> StoreResult<bool> {
    let tx = conn.savepoint().map_err(err)?;
    if !bump(&tx, proposal, seen)? {
        return Ok(false);
    }
    let changed = match change {
        CommitteeChange::Deputy { reference, .. } => {
            tx.execute(
                "UPDATE members SET role = 'member' WHERE proposal = ?1 AND role = 'deputy'",
                [proposal],
            )
            .map_err(err)?;
            tx.execute(
                "UPDATE members SET role = 'deputy'
                 WHERE proposal = ?1 AND reference = ?2 AND joined = 1 AND role != 'agent'",
                [proposal, reference],
            )
            .map_err(err)?
        }
        CommitteeChange::Leave { reference } => tx
            .execute(
                "DELETE FROM members WHERE proposal = ?1 AND reference = ?2 AND role != 'agent'",
                [proposal, reference],
            )
            .map_err(err)?,
    };
    if changed != 1 {
        return Ok(false);
    }
    tx.commit().map_err(err)?;
    Ok(true)
}

pub(super) fn save_proposal(
    conn: &mut Connection,
    p: &Proposal,
    seen: u64,
    members: Members<'_>,
    m: Option<&Outgoing>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let json = to_json(p)?;
    let tx = conn.savepoint().map_err(err)?;
    let changed = tx
        .prepare_cached(
            "UPDATE proposals SET json = ?3, state = ?4, updated = ?5, expires = ?6,
                                  version = version + 1
             WHERE id = ?1 AND version = ?2",
        )
        .map_err(err)?
        .execute(params![
            p.id,
            seen as i64,
            json,
            p.state.as_str(),
            p.updated,
            p.deadline()
        ])
        .map_err(err)?;
    if changed != 1 {
        return Ok(false);
    }
    for member in members.keep {
        tx.execute(
            "UPDATE members SET expires = ?3 WHERE proposal = ?1 AND reference = ?2",
            params![p.id, member.reference, members.until],
        )
        .map_err(err)?;
    }
    for member in members.erase {
        tx.execute(
            "DELETE FROM members WHERE proposal = ?1 AND reference = ?2",
            params![p.id, member.reference],
        )
        .map_err(err)?;
    }
    if let Some(m) = m {
        enqueue_one(&tx, m, now)?;
    }
    tx.commit().map_err(err)?;
    Ok(true)
}

pub(super) fn proposals(
    conn: &Connection,
    state: ProposalState,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<(Vec<StoredProposal>, Option<String>)> {
    let limit = limit.max(1);
    let (updated, id) = match after.and_then(|a| a.split_once('#')) {
        Some((updated, id)) => (updated.parse::<i64>().unwrap_or(-1), id.to_string()),
        None => (-1, String::new()),
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT json, version, confirmed FROM proposals
             WHERE state = ?1 AND (updated, id) > (?2, ?3) AND confirmed = 1
             ORDER BY updated, id LIMIT ?4",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(
            params![state.as_str(), updated, id, (limit + 1) as i64],
            read_proposal,
        )
        .map_err(err)?;
    let mut page: Vec<StoredProposal> = (rows.collect::<Result<Vec<_>, _>>().map_err(err)?)
        .into_iter()
        .collect::<StoreResult<_>>()?;
    let next = (page.len() > limit).then(|| {
        page.truncate(limit);
        page_mark(&page[limit - 1].proposal)
    });
    Ok((page, next))
}

pub(super) fn erase_drafts(conn: &mut Connection, now: DateTime<Utc>) -> StoreResult<usize> {
    let tx = conn.savepoint().map_err(err)?;
    let now = now.timestamp();
    tx.execute(
        "DELETE FROM members WHERE expires IS NOT NULL AND expires <= ?1",
        [now],
    )
    .map_err(err)?;
    let gone = tx
        .execute(
            "DELETE FROM proposals WHERE expires IS NOT NULL AND expires <= ?1",
            [now],
        )
        .map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(gone)
}
