//! What moderators, operators and the build need of the embedded store: the catalog,
//! moderation, the filing export and retention.

use super::{
    COMMENT_COLUMNS, SqliteStore, add_contact, add_count, comment_row, err, load_comment,
    proposals, requests,
};
use crate::store::{
    Action, AdminStore, Decided, Dispute, Outgoing, SealedSignature, SignatureMeta, StoreError,
    StoreResult, StoredComment, StoredProposal,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musharaka_model::catalog::Catalog;
use musharaka_model::moderation::RejectReason;
use musharaka_model::proposal::ProposalState;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

#[async_trait]
impl AdminStore for SqliteStore {
    async fn publish(&self, catalog: &Catalog) -> StoreResult<usize> {
        let frames = (catalog.frames.iter())
            .map(|(lang, f)| Ok((super::super::frame_id(*lang), serde_json::to_string(f)?)));
        let rows: Vec<(String, String)> = (catalog.entries.iter())
            .map(|e| Ok((e.id.clone(), serde_json::to_string(e)?)))
            .chain(frames)
            .collect::<Result<_, serde_json::Error>>()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let frames_n = catalog.frames.len();
        self.with(move |conn| {
            let tx = conn.savepoint().map_err(err)?;
            for (id, json) in &rows {
                tx.execute(
                    "INSERT INTO entries (id, json) VALUES (?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET json = excluded.json",
                    params![id, json],
                )
                .map_err(err)?;
            }
            tx.commit().map_err(err)?;
            Ok(rows.len() - frames_n)
        })
        .await
    }
    async fn pending_comments(
        &self,
        consultation: Option<&str>,
    ) -> StoreResult<Vec<StoredComment>> {
        let consultation = consultation.map(str::to_string);
        self.with(move |conn| {
            let sql = format!(
                "SELECT {COMMENT_COLUMNS} FROM comments WHERE state = 'pending' AND (?1 IS NULL OR consultation = ?1)
                 ORDER BY consultation, COALESCE(section, ''), created, id"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
            let rows = stmt.query_map([consultation], comment_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
        .await
    }
    async fn stored_comment(&self, id: &str) -> StoreResult<Option<StoredComment>> {
        let id = id.to_string();
        self.with(move |conn| load_comment(conn, &id)).await
    }
    async fn approved_comments(&self, consultation: &str) -> StoreResult<Vec<StoredComment>> {
        let consultation = consultation.to_string();
        self.with(move |conn| {
            let sql = format!(
                "SELECT {COMMENT_COLUMNS} FROM comments WHERE state = 'approved' AND consultation = ?1
                 ORDER BY COALESCE(section, ''), created, id"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(err)?;
            let rows = stmt.query_map([consultation], comment_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
        .await
    }
    async fn set_retained(&self, id: &str, retained: bool, reason: &str) -> StoreResult<Decided> {
        let (id, reason) = (id.to_string(), reason.to_string());
        self.with(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE comments SET retained = ?2, retained_reason = ?3 WHERE id = ?1 AND state = 'approved'",
                )
                .map_err(err)?
                .execute(params![id, retained, reason])
                .map_err(err)?;
            Ok(if changed == 1 { Decided::Done } else { Decided::NotFound })
        })
        .await
    }
    async fn decide(
        &self,
        id: &str,
        reason: Option<RejectReason>,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Decided> {
        let (id, moderator) = (id.to_string(), moderator.to_string());
        self.with(move |conn| {
            let state = if reason.is_some() {
                "rejected"
            } else {
                "approved"
            };
            let changed = conn
                .prepare_cached(
                    "UPDATE comments SET state = ?2, decided_by = ?3, decided_at = ?4, reason = ?5
                     WHERE id = ?1 AND state = 'pending'",
                )
                .map_err(err)?
                .execute(params![
                    id,
                    state,
                    moderator,
                    now.timestamp(),
                    reason.map(|r| r.as_str())
                ])
                .map_err(err)?;
            Ok(match (changed, load_comment(conn, &id)?) {
                (1, _) => Decided::Done,
                (_, None) => Decided::NotFound,
                (_, Some(_)) => Decided::AlreadyDecided,
            })
        })
        .await
    }
    async fn signatures(&self, initiative: &str) -> StoreResult<Vec<SealedSignature>> {
        let initiative = initiative.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT signer, sealed, created FROM signatures WHERE initiative = ?1 AND state = 'counted' ORDER BY created, signer",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map([initiative], |r| {
                    Ok(SealedSignature {
                        signer: r.get(0)?,
                        sealed: r.get(1)?,
                        created: r.get(2)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
        .await
    }
    async fn erase_signatures(&self, initiative: &str) -> StoreResult<usize> {
        let initiative = initiative.to_string();
        self.erasing(move |conn| {
            let tx = conn.savepoint().map_err(err)?;
            let n = tx
                .execute(
                    "DELETE FROM signatures WHERE initiative = ?1",
                    [&initiative],
                )
                .map_err(err)?;
            tx.execute("DELETE FROM disputes WHERE initiative = ?1", [&initiative])
                .map_err(err)?;
            tx.execute("DELETE FROM pending WHERE initiative = ?1", [&initiative])
                .map_err(err)?;
            tx.commit().map_err(err)?;
            Ok(n)
        })
        .await
    }
    async fn erase_expired(&self, now: DateTime<Utc>) -> StoreResult<BTreeMap<String, usize>> {
        self.erasing(move |conn| {
            let tx = conn.savepoint().map_err(err)?;
            let by_initiative: BTreeMap<String, usize> = tx
                .prepare(
                    "SELECT initiative, COUNT(*) FROM signatures WHERE expires <= ?1 GROUP BY initiative",
                )
                .map_err(err)?
                .query_map([now.timestamp()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
                })
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?;
            tx.execute(
                "DELETE FROM signatures WHERE expires <= ?1",
                [now.timestamp()],
            )
            .map_err(err)?;
            tx.commit().map_err(err)?;
            Ok(by_initiative)
        })
        .await
    }
    async fn erase_rejected_comments(&self, decided_before: i64) -> StoreResult<usize> {
        self.erasing(move |conn| {
            conn.execute(
                "DELETE FROM comments WHERE state = 'rejected' AND decided_at < ?1",
                [decided_before],
            )
            .map_err(err)
        })
        .await
    }
    async fn log_action(
        &self,
        action: Action,
        initiative: &str,
        who: &str,
        now: DateTime<Utc>,
        rows: usize,
    ) -> StoreResult<()> {
        let (initiative, who) = (initiative.to_string(), who.to_string());
        self.with(move |conn| {
            conn.prepare_cached(
                "INSERT INTO audit (action, initiative, who, at, rows) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(err)?
            .execute(params![
                action.as_str(),
                initiative,
                who,
                now.timestamp(),
                rows as i64
            ])
            .map_err(err)?;
            Ok(())
        })
        .await
    }

    async fn proposals(
        &self,
        state: ProposalState,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<(Vec<StoredProposal>, Option<String>)> {
        let after = after.map(str::to_string);
        self.with(move |conn| proposals::proposals(conn, state, after.as_deref(), limit))
            .await
    }

    async fn erase_drafts(&self, now: DateTime<Utc>) -> StoreResult<usize> {
        self.erasing(move |conn| proposals::erase_drafts(conn, now))
            .await
    }

    async fn enqueue(&self, m: &Outgoing) -> StoreResult<()> {
        let m = m.clone();
        let now = Utc::now();
        self.with(move |conn| requests::enqueue_one(conn, &m, now))
            .await
    }

    async fn disputes(&self) -> StoreResult<Vec<Dispute>> {
        self.with(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {DISPUTE_COLUMNS} FROM disputes ORDER BY state != 'open', created, id"
                ))
                .map_err(err)?;
            let rows = stmt.query_map([], dispute_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
        .await
    }

    async fn resolve(
        &self,
        id: &str,
        keep: bool,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Dispute, SealedSignature)>> {
        let (id, moderator) = (id.to_string(), moderator.to_string());
        self.erasing(move |conn| resolve(conn, &id, keep, &moderator, now))
            .await
    }

    async fn signature(
        &self,
        initiative: &str,
        signer: &str,
    ) -> StoreResult<Option<SealedSignature>> {
        let (initiative, signer) = (initiative.to_string(), signer.to_string());
        self.with(move |conn| {
            conn.prepare_cached(
                "SELECT signer, sealed, created FROM signatures WHERE initiative = ?1 AND signer = ?2",
            )
            .map_err(err)?
            .query_row(params![initiative, signer], |r| {
                Ok(SealedSignature {
                    signer: r.get(0)?,
                    sealed: r.get(1)?,
                    created: r.get(2)?,
                })
            })
            .optional()
            .map_err(err)
        })
        .await
    }

    async fn signature_meta(&self, initiative: &str) -> StoreResult<Vec<SignatureMeta>> {
        let initiative = initiative.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT signer, region, created, COALESCE(client, ''), COALESCE(grp, ''), state
                     FROM signatures WHERE initiative = ?1 ORDER BY created, signer",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map([initiative], |r| {
                    Ok(SignatureMeta {
                        signer: r.get(0)?,
                        region: r.get(1)?,
                        created: r.get(2)?,
                        client: r.get(3)?,
                        group: r.get(4)?,
                        state: r.get(5)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
        .await
    }

    async fn requested(&self, initiative: &str) -> StoreResult<u64> {
        let initiative = initiative.to_string();
        self.with(move |conn| {
            let n: Option<i64> = conn
                .prepare_cached("SELECT n FROM requests WHERE initiative = ?1")
                .map_err(err)?
                .query_row([initiative], |r| r.get(0))
                .optional()
                .map_err(err)?;
            Ok(n.unwrap_or(0) as u64)
        })
        .await
    }

    async fn strike(&self, initiative: &str, signers: &[String]) -> StoreResult<usize> {
        let (initiative, signers) = (initiative.to_string(), signers.to_vec());
        self.erasing(move |conn| {
            let tx = conn.savepoint().map_err(err)?;
            let mut n = 0;
            for signer in &signers {
                if requests::strike_one(&tx, &initiative, signer)? {
                    n += 1;
                }
            }
            tx.commit().map_err(err)?;
            Ok(n)
        })
        .await
    }

    async fn erase_requests(&self, now: DateTime<Utc>) -> StoreResult<usize> {
        self.erasing(move |conn| {
            conn.execute("DELETE FROM pending WHERE expires <= ?1", [now.timestamp()])
                .map_err(err)
        })
        .await
    }
}

const DISPUTE_COLUMNS: &str =
    "id, initiative, signer, sealed, contact, region, lang, created, state, decided_by, decided_at";

fn dispute_row(r: &rusqlite::Row) -> rusqlite::Result<Dispute> {
    let decided_by: Option<String> = r.get(9)?;
    let decided_at: Option<i64> = r.get(10)?;
    Ok(Dispute {
        id: r.get(0)?,
        initiative: r.get(1)?,
        signer: r.get(2)?,
        sealed: r.get(3)?,
        contact: r.get(4)?,
        region: r.get(5)?,
        lang: r
            .get::<_, String>(6)?
            .parse()
            .unwrap_or(musharaka_model::Lang::Ar),
        created: r.get(7)?,
        state: r.get(8)?,
        decision: decided_by.map(|by| (by, decided_at.unwrap_or_default())),
    })
}

/// The signature a dispute is about, as counted: what the answer and the counts need.
struct Counted {
    sealed: Vec<u8>,
    created: i64,
    region: String,
    contact: String,
}

/// The open dispute `id`.
fn open_dispute(conn: &Connection, id: &str) -> StoreResult<Option<Dispute>> {
    conn.prepare_cached(&format!(
        "SELECT {DISPUTE_COLUMNS} FROM disputes WHERE id = ?1 AND state = 'open'"
    ))
    .map_err(err)?
    .query_row([id], dispute_row)
    .optional()
    .map_err(err)
}

/// The signature counted with the CIN of dispute `d`.
fn counted(conn: &Connection, d: &Dispute) -> StoreResult<Option<Counted>> {
    conn.prepare_cached(
        "SELECT sealed, created, region, COALESCE(contact, '') FROM signatures
         WHERE initiative = ?1 AND signer = ?2",
    )
    .map_err(err)?
    .query_row(params![d.initiative, d.signer], |r| {
        Ok(Counted {
            sealed: r.get(0)?,
            created: r.get(1)?,
            region: r.get(2)?,
            contact: r.get(3)?,
        })
    })
    .optional()
    .map_err(err)
}

/// The disputed signature counts again as it was.
fn keep_counted(conn: &Connection, d: &Dispute) -> StoreResult<()> {
    conn.execute(
        "UPDATE signatures SET state = 'counted' WHERE initiative = ?1 AND signer = ?2 AND state = 'disputed'",
        params![d.initiative, d.signer],
    )
    .map_err(err)?;
    Ok(())
}

/// The contester's signature takes the place of the struck one, in the counts too.
fn strike(conn: &Connection, d: &Dispute, struck: &Counted, now: DateTime<Utc>) -> StoreResult<()> {
    let moved = conn
        .execute(
            "UPDATE signatures SET sealed = ?3, contact = ?4, region = ?5, lang = ?6,
                    receipt = NULL, state = 'counted', created = ?7
             WHERE initiative = ?1 AND signer = ?2 AND state = 'disputed'",
            params![
                d.initiative,
                d.signer,
                d.sealed,
                d.contact,
                d.region,
                d.lang.code(),
                now.timestamp()
            ],
        )
        .map_err(err)?;
    if moved == 1 {
        add_count(conn, &d.initiative, &struck.region, -1)?;
        add_count(conn, &d.initiative, &d.region, 1)?;
        add_contact(conn, &d.initiative, &struck.contact, -1)?;
        add_contact(conn, &d.initiative, &d.contact, 1)?;
    }
    Ok(())
}

/// A moderator's decision on dispute `id`, in one transaction: the signature kept, or struck
/// for the contester's; the dispute decided and its data dropped.
fn resolve(
    conn: &mut Connection,
    id: &str,
    keep: bool,
    moderator: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<(Dispute, SealedSignature)>> {
    let tx = conn.savepoint().map_err(err)?;
    let Some(dispute) = open_dispute(&tx, id)? else {
        return Ok(None);
    };
    let Some(original) = counted(&tx, &dispute)? else {
        return Ok(None);
    };
    if keep {
        keep_counted(&tx, &dispute)?;
    } else {
        strike(&tx, &dispute, &original, now)?;
    }
    tx.execute(
        "UPDATE disputes SET state = ?2, decided_by = ?3, decided_at = ?4, sealed = X'' WHERE id = ?1",
        params![id, if keep { "kept" } else { "struck" }, moderator, now.timestamp()],
    )
    .map_err(err)?;
    tx.commit().map_err(err)?;
    let signer = dispute.signer.clone();
    Ok(Some((
        dispute,
        SealedSignature {
            signer,
            sealed: original.sealed,
            created: original.created,
        },
    )))
}
