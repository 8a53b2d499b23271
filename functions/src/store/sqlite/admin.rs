//! What moderators, operators and the build need of the embedded store: the catalog,
//! moderation, the filing export and retention.

use super::*;

#[async_trait]
impl AdminStore for SqliteStore {
    async fn publish(&self, catalog: &Catalog) -> StoreResult<usize> {
        let rows: Vec<(String, String)> = catalog
            .entries
            .iter()
            .map(|e| Ok((e.id.clone(), serde_json::to_string(e)?)))
            .collect::<Result<_, serde_json::Error>>()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.with(move |conn| {
            let tx = conn.transaction().map_err(err)?;
            for (id, json) in &rows {
                tx.execute(
                    "INSERT INTO entries (id, json) VALUES (?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET json = excluded.json",
                    params![id, json],
                )
                .map_err(err)?;
            }
            tx.commit().map_err(err)?;
            Ok(rows.len())
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
                    "SELECT signer, sealed, created FROM signatures WHERE initiative = ?1 ORDER BY created, signer",
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
        self.with(move |conn| {
            conn.execute("DELETE FROM signatures WHERE initiative = ?1", [initiative])
                .map_err(err)
        })
        .await
    }
    async fn erase_expired(&self, now: DateTime<Utc>) -> StoreResult<BTreeMap<String, usize>> {
        self.with(move |conn| {
            let tx = conn.transaction().map_err(err)?;
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
        self.with(move |conn| {
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
}
