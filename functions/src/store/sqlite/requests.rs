//! Signing requests on the embedded store: a request and its message in one transaction, the
//! confirmation that turns it into a counted signature, resends, wrong codes and contests.

use super::{add_contact, add_count, err, insert_signature, load_entry};
use crate::store::{
    Confirmation, Confirmed, NewRequest, NewSignature, Outgoing, Pending, RequestState, Requested,
    StoreResult,
};
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
use musharaka_model::catalog::Details;
use musharaka_model::signing::MAX_ATTEMPTS;
use rusqlite::{Connection, OptionalExtension, params};

/// Seconds in a day, the window of the per-contact daily limit.
const DAY: i64 = 86_400;

fn enqueue(conn: &Connection, m: &Outgoing, now: DateTime<Utc>) -> StoreResult<()> {
    conn.prepare_cached("INSERT INTO outbox (id, sealed, created) VALUES (?1, ?2, ?3)")
        .map_err(err)?
        .execute(params![m.id, m.sealed, now.timestamp()])
        .map_err(err)?;
    Ok(())
}

pub(super) fn enqueue_one(conn: &Connection, m: &Outgoing, now: DateTime<Utc>) -> StoreResult<()> {
    enqueue(conn, m, now)
}

/// Counts one code asked by `contact` on the day of `now`; false past `per_day`.
pub(super) fn within_day_limit(
    conn: &Connection,
    contact: &str,
    per_day: u32,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let day = now.timestamp().div_euclid(DAY) * DAY;
    let asked: i64 = conn
        .prepare_cached(
            "INSERT INTO rate (client, window, n, expires) VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (client, window) DO UPDATE SET n = n + 1 RETURNING n",
        )
        .map_err(err)?
        .query_row(
            params![format!("day#{contact}"), day, day + 2 * DAY],
            |row| row.get(0),
        )
        .map_err(err)?;
    Ok(asked <= i64::from(per_day))
}

/// A request and its message, in one transaction, within the contact's daily limit.
pub(super) fn request(
    conn: &mut Connection,
    r: &NewRequest,
    m: &Outgoing,
    per_day: u32,
    now: DateTime<Utc>,
) -> StoreResult<Requested> {
    let s = &r.signature;
    let tx = conn.savepoint().map_err(err)?;
    let Some(entry) = load_entry(&tx, &s.initiative)? else {
        return Ok(Requested::NotFound);
    };
    if let Err(refusal) = entry.accepts_signature(now.fixed_offset()) {
        return Ok(Requested::Refused(refusal));
    }
    if !within_day_limit(&tx, &s.contact, per_day, now)? {
        return Ok(Requested::ContactLimit);
    }
    tx.prepare_cached(
        "INSERT INTO pending (reference, initiative, signer, region, lang, sealed, contact, grp, client,
                              code, code_expires, attempts, resends, sent, state, expires)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, 0, ?12, 'pending', ?13)",
    )
    .map_err(err)?
    .execute(params![
        r.reference,
        s.initiative,
        s.signer,
        s.region,
        s.lang.code(),
        s.sealed,
        s.contact,
        s.group,
        s.client,
        r.code,
        r.code_expires,
        now.timestamp(),
        r.expires,
    ])
    .map_err(err)?;
    enqueue(&tx, m, now)?;
    tx.prepare_cached(
        "INSERT INTO requests (initiative, n) VALUES (?1, 1)
         ON CONFLICT (initiative) DO UPDATE SET n = n + 1",
    )
    .map_err(err)?
    .execute([&s.initiative])
    .map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(Requested::Done)
}

/// The request `reference`.
pub(super) fn pending(conn: &Connection, reference: &str) -> StoreResult<Option<Pending>> {
    conn.prepare_cached(
        "SELECT initiative, code, code_expires, attempts, resends, sent, state, lang, signer, sealed
         FROM pending WHERE reference = ?1",
    )
    .map_err(err)?
    .query_row([reference], |r| {
        Ok(Pending {
            initiative: r.get(0)?,
            code: r.get(1)?,
            code_expires: r.get(2)?,
            attempts: r.get(3)?,
            resends: r.get(4)?,
            sent: r.get(5)?,
            state: RequestState::parse(&r.get::<_, String>(6)?),
            lang: r.get::<_, String>(7)?.parse().unwrap_or(Lang::Ar),
            signer: r.get(8)?,
            sealed: r.get(9)?,
        })
    })
    .optional()
    .map_err(err)
}

pub(super) fn wrong_code(conn: &Connection, reference: &str) -> StoreResult<()> {
    conn.prepare_cached("UPDATE pending SET attempts = attempts + 1 WHERE reference = ?1")
        .map_err(err)?
        .execute([reference])
        .map_err(err)?;
    Ok(())
}

pub(super) fn resend(
    conn: &mut Connection,
    reference: &str,
    seen: u32,
    code: &str,
    code_expires: i64,
    m: &Outgoing,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let tx = conn.savepoint().map_err(err)?;
    let changed = tx
        .prepare_cached(
            "UPDATE pending SET code = ?3, code_expires = ?4, resends = resends + 1, sent = ?5
             WHERE reference = ?1 AND resends = ?2 AND state = 'pending'",
        )
        .map_err(err)?
        .execute(params![
            reference,
            seen,
            code,
            code_expires,
            now.timestamp()
        ])
        .map_err(err)?;
    if changed == 0 {
        return Ok(false);
    }
    enqueue(&tx, m, now)?;
    tx.commit().map_err(err)?;
    Ok(true)
}

fn set_state(
    conn: &Connection,
    reference: &str,
    state: RequestState,
    keep_data: bool,
) -> StoreResult<()> {
    let sql = if keep_data {
        "UPDATE pending SET state = ?2 WHERE reference = ?1"
    } else {
        // Once its signature is stored (or refused as a duplicate), the request's copy of the
        // personal data is no longer needed.
        "UPDATE pending SET state = ?2, sealed = X'' WHERE reference = ?1"
    };
    conn.prepare_cached(sql)
        .map_err(err)?
        .execute(params![reference, state.as_str()])
        .map_err(err)?;
    Ok(())
}

/// A request as the confirmation reads it: the signature it would count, and what decides
/// whether it still may.
struct ToConfirm {
    signature: NewSignature,
    code: String,
    code_expires: i64,
    attempts: u32,
    state: String,
}

impl ToConfirm {
    /// Whether the request is still pending with `code` as its live code.
    fn confirms(&self, code: &str, now: DateTime<Utc>) -> bool {
        self.state == "pending"
            && self.code == code
            && self.attempts < MAX_ATTEMPTS
            && self.code_expires > now.timestamp()
    }
}

/// The request `reference`, its signature given the receipt of `c`.
fn to_confirm(
    conn: &Connection,
    reference: &str,
    c: &Confirmation,
) -> StoreResult<Option<ToConfirm>> {
    conn.prepare_cached(
        "SELECT initiative, signer, region, lang, sealed, contact, grp, client, code,
                code_expires, attempts, state
         FROM pending WHERE reference = ?1",
    )
    .map_err(err)?
    .query_row([reference], |r| {
        Ok(ToConfirm {
            signature: NewSignature {
                initiative: r.get(0)?,
                signer: r.get(1)?,
                region: r.get(2)?,
                lang: r.get::<_, String>(3)?.parse().unwrap_or(Lang::Ar),
                sealed: r.get(4)?,
                contact: r.get(5)?,
                group: r.get(6)?,
                client: r.get(7)?,
                receipt: c.receipt.clone(),
                expires: 0,
            },
            code: r.get(8)?,
            code_expires: r.get(9)?,
            attempts: r.get(10)?,
            state: r.get(11)?,
        })
    })
    .optional()
    .map_err(err)
}

/// The contact that confirmed the signature already counted with the signer of `s`, if any.
fn counted_by(conn: &Connection, s: &NewSignature) -> StoreResult<Option<String>> {
    conn.prepare_cached(
        "SELECT COALESCE(contact, '') FROM signatures WHERE initiative = ?1 AND signer = ?2",
    )
    .map_err(err)?
    .query_row(params![s.initiative, s.signer], |r| r.get(0))
    .optional()
    .map_err(err)
}

/// How many signatures of the initiative of `s` its contact confirmed.
fn confirmed_by_contact(conn: &Connection, s: &NewSignature) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT n FROM contacts WHERE initiative = ?1 AND contact = ?2")
        .map_err(err)?
        .query_row(params![s.initiative, s.contact], |r| r.get(0))
        .optional()
        .map_err(err)?
        .unwrap_or(0))
}

/// The confirmation: a pending request with the right code becomes a counted signature.
pub(super) fn confirm(
    conn: &mut Connection,
    reference: &str,
    c: &Confirmation,
    now: DateTime<Utc>,
) -> StoreResult<Confirmed> {
    let tx = conn.savepoint().map_err(err)?;
    let Some(request) = to_confirm(&tx, reference, c)? else {
        return Ok(Confirmed::NotFound);
    };
    if !request.confirms(&c.code, now) {
        return Ok(Confirmed::Changed);
    }
    let mut signature = request.signature;
    let Some(entry) = load_entry(&tx, &signature.initiative)? else {
        return Ok(Confirmed::NotFound);
    };
    if let Err(refusal) = entry.accepts_signature(now.fixed_offset()) {
        return Ok(Confirmed::Refused(refusal));
    }
    signature.expires = entry.erase_by().unwrap_or(entry.closes).timestamp();
    if let Some(contact) = counted_by(&tx, &signature)? {
        let (state, answer) = if contact == signature.contact {
            (RequestState::Same, Confirmed::SameContact)
        } else {
            (RequestState::Other, Confirmed::OtherContact)
        };
        set_state(&tx, reference, state, state == RequestState::Other)?;
        tx.commit().map_err(err)?;
        return Ok(answer);
    }
    let per_contact = match &entry.details {
        Details::Petition(i) | Details::Motion(i) => i.per_contact,
        Details::Consultation(_) => 0,
    };
    if confirmed_by_contact(&tx, &signature)? >= i64::from(per_contact) {
        return Ok(Confirmed::ContactLimit);
    }
    insert_signature(&tx, &signature, now)?;
    set_state(&tx, reference, RequestState::Counted, false)?;
    let count = super::count_of(&tx, &signature.initiative)?;
    tx.commit().map_err(err)?;
    Ok(Confirmed::Counted(signature.initiative, Some(count)))
}

/// A contest: the signature counted with this request's CIN is set aside until a moderator
/// decides, and the request's data moves into the dispute.
pub(super) fn contest(
    conn: &mut Connection,
    reference: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let tx = conn.savepoint().map_err(err)?;
    let row = tx
        .prepare_cached(
            "SELECT initiative, signer, region, lang, sealed, contact FROM pending
             WHERE reference = ?1 AND state = 'other'",
        )
        .map_err(err)?
        .query_row([reference], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .optional()
        .map_err(err)?;
    let Some((initiative, signer, region, lang, sealed, contact)) = row else {
        return Ok(false);
    };
    let set_aside = tx
        .prepare_cached(
            "UPDATE signatures SET state = 'disputed'
             WHERE initiative = ?1 AND signer = ?2 AND state IN ('counted', 'disputed')",
        )
        .map_err(err)?
        .execute(params![initiative, signer])
        .map_err(err)?;
    if set_aside == 0 {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO disputes (id, initiative, signer, sealed, contact, region, lang, created, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open') ON CONFLICT (id) DO NOTHING",
    )
    .map_err(err)?
    .execute(params![
        reference,
        initiative,
        signer,
        sealed,
        contact,
        region,
        lang,
        now.timestamp()
    ])
    .map_err(err)?;
    set_state(&tx, reference, RequestState::Contested, false)?;
    tx.commit().map_err(err)?;
    Ok(true)
}

/// Strikes one counted or disputed signature: it stops counting. True when struck.
pub(super) fn strike_one(conn: &Connection, initiative: &str, signer: &str) -> StoreResult<bool> {
    let row = conn
        .prepare_cached(
            "UPDATE signatures SET state = 'struck'
             WHERE initiative = ?1 AND signer = ?2 AND state IN ('counted', 'disputed')
             RETURNING region, COALESCE(contact, '')",
        )
        .map_err(err)?
        .query_row(params![initiative, signer], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()
        .map_err(err)?;
    let Some((region, contact)) = row else {
        return Ok(false);
    };
    add_count(conn, initiative, &region, -1)?;
    add_contact(conn, initiative, &contact, -1)?;
    Ok(true)
}
