//! What moderators, operators and the build need of the cloud store: the catalog, moderation, the
//! filing export and retention.

use super::{
    DynamoStore, Item, SHARDS, comment_key, comments_pk, entry_key, key, n, names, number_of,
    passed, receipt_key, s, shard_key, signature_pks, state, stored_comment_of, text_of,
    unavailable,
};
use crate::store::{
    Action, AdminStore, Decided, Dispute, Outgoing, SealedSignature, SignatureMeta, StoreError,
    StoreResult, StoredComment, StoredProposal,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use musharaka_model::catalog::Catalog;
use musharaka_model::moderation::RejectReason;
use musharaka_model::proposal::ProposalState;
use std::collections::BTreeMap;

#[async_trait]
impl AdminStore for DynamoStore {
    async fn publish(&self, catalog: &Catalog) -> StoreResult<usize> {
        for entry in &catalog.entries {
            let json =
                serde_json::to_string(entry).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let mut item = entry_key(&entry.id);
            item.insert("json".into(), s(json));
            item.insert("state".into(), s(state(entry)));
            item.insert("opens_at".into(), n(entry.opens.timestamp()));
            item.insert("closes_at".into(), n(entry.closes.timestamp()));
            self.put(item).await?;
            if entry.initiative_kind().is_none() {
                continue;
            }
            for shard in 0..SHARDS {
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(shard_key(&entry.id, shard)))
                    .update_expression(
                        "SET #state = :state, opens_at = :opens, closes_at = :closes",
                    )
                    .expression_attribute_names("#state", "state")
                    .expression_attribute_values(":state", s(state(entry)))
                    .expression_attribute_values(":opens", n(entry.opens.timestamp()))
                    .expression_attribute_values(":closes", n(entry.closes.timestamp()))
                    .send()
                    .await
                    .map_err(unavailable)?;
            }
        }
        for (lang, frame) in &catalog.frames {
            let json =
                serde_json::to_string(frame).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let mut item = entry_key(&crate::store::frame_id(*lang));
            item.insert("json".into(), s(json));
            self.put(item).await?;
        }
        Ok(catalog.entries.len())
    }
    async fn pending_comments(
        &self,
        consultation: Option<&str>,
    ) -> StoreResult<Vec<StoredComment>> {
        self.comments_in("pending", consultation).await
    }
    async fn approved_comments(&self, consultation: &str) -> StoreResult<Vec<StoredComment>> {
        self.comments_in("approved", Some(consultation)).await
    }
    async fn set_retained(&self, id: &str, retained: bool, reason: &str) -> StoreResult<Decided> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(comment_key(id)))
            .condition_expression("#state = :approved")
            .update_expression("SET retained = :retained, retained_reason = :reason")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":approved", s("approved"))
            .expression_attribute_values(":retained", AttributeValue::Bool(retained))
            .expression_attribute_values(":reason", s(reason))
            .send()
            .await;
        Ok(match passed(result)? {
            true => Decided::Done,
            false => Decided::NotFound,
        })
    }
    async fn stored_comment(&self, id: &str) -> StoreResult<Option<StoredComment>> {
        Ok(self
            .get(comment_key(id))
            .await?
            .as_ref()
            .map(stored_comment_of))
    }
    async fn decide(
        &self,
        id: &str,
        reason: Option<RejectReason>,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Decided> {
        let state = if reason.is_some() {
            "rejected"
        } else {
            "approved"
        };
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(comment_key(id)))
            .condition_expression("#state = :pending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#gsi1pk", names::GSI1PK)
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":state", s(state))
            .expression_attribute_values(":gsi1pk", s(comments_pk(state)))
            .expression_attribute_values(":by", s(moderator))
            .expression_attribute_values(":at", n(now.timestamp()));
        update = match reason {
            Some(r) => update
                .update_expression("SET #state = :state, #gsi1pk = :gsi1pk, decided_by = :by, decided_at = :at, reason = :reason")
                .expression_attribute_values(":reason", s(r.as_str())),
            None => update.update_expression("SET #state = :state, #gsi1pk = :gsi1pk, decided_by = :by, decided_at = :at"),
        };
        if passed(update.send().await)? {
            return Ok(Decided::Done);
        }
        Ok(match self.stored_comment(id).await? {
            None => Decided::NotFound,
            Some(_) => Decided::AlreadyDecided,
        })
    }
    async fn signatures(&self, initiative: &str) -> StoreResult<Vec<SealedSignature>> {
        let items = self.signature_items(initiative).await?;
        let mut out: Vec<SealedSignature> = items
            .iter()
            .filter(|item| text_of(item, "state").is_none_or(|st| st == "counted"))
            .map(|item| SealedSignature {
                signer: text_of(item, "pk")
                    .and_then(|pk| pk.rsplit('#').next().map(str::to_string))
                    .unwrap_or_default(),
                sealed: item
                    .get("sealed")
                    .and_then(|v| v.as_b().ok())
                    .map(|b| b.as_ref().to_vec())
                    .unwrap_or_default(),
                created: number_of(item, "created").unwrap_or_default(),
            })
            .collect();
        out.sort_by(|a, b| (a.created, &a.signer).cmp(&(b.created, &b.signer)));
        Ok(out)
    }
    async fn erase_signatures(&self, initiative: &str) -> StoreResult<usize> {
        let items = self.signature_items(initiative).await?;
        // Receipts first: if the purge stops halfway, a signature left is found again by the
        // next run, while a receipt left without its signature would still say "counted".
        let receipts = items
            .iter()
            .filter_map(|item| text_of(item, "receipt").map(|r| receipt_key(&r)));
        let signatures = items
            .iter()
            .filter_map(|item| Some(key(text_of(item, names::PK)?, &text_of(item, names::SK)?)));
        let disputes = self
            .query_index("DISPUTES".into(), None)
            .await?
            .into_iter()
            .filter(|d| text_of(d, "initiative").as_deref() == Some(initiative))
            .filter_map(|d| Some(key(text_of(&d, names::PK)?, "DISPUTE")));
        self.delete_all(receipts.chain(disputes).chain(signatures).collect())
            .await?;
        Ok(items.len())
    }
    /// DynamoDB deletes the items past `expires_at` by itself: nothing to do.
    async fn erase_expired(&self, _now: DateTime<Utc>) -> StoreResult<BTreeMap<String, usize>> {
        Ok(BTreeMap::new())
    }
    async fn erase_rejected_comments(&self, decided_before: i64) -> StoreResult<usize> {
        let old: Vec<Item> = self
            .query_index(comments_pk("rejected"), None)
            .await?
            .iter()
            .filter(|item| number_of(item, "decided_at").is_some_and(|at| at < decided_before))
            .filter_map(|item| text_of(item, names::PK).map(|pk| key(pk, "COMMENT")))
            .collect();
        let n = old.len();
        self.delete_all(old).await?;
        Ok(n)
    }
    async fn log_action(
        &self,
        action: Action,
        initiative: &str,
        who: &str,
        now: DateTime<Utc>,
        rows: usize,
    ) -> StoreResult<()> {
        let mut item = key(
            format!("LOG#{initiative}#{}", now.timestamp_millis()),
            action.as_str(),
        );
        item.insert("action".into(), s(action.as_str()));
        item.insert("who".into(), s(who));
        item.insert("at".into(), n(now.timestamp()));
        item.insert("rows".into(), n(rows));
        self.put(item).await
    }

    async fn enqueue(&self, m: &Outgoing) -> StoreResult<()> {
        let put = self.outbox_put(m, Utc::now())?;
        self.put(put.item().clone()).await
    }

    async fn disputes(&self) -> StoreResult<Vec<Dispute>> {
        self.disputes_in().await
    }

    async fn resolve(
        &self,
        id: &str,
        keep: bool,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Dispute, SealedSignature)>> {
        self.resolve_in(id, keep, moderator, now).await
    }

    async fn signature(
        &self,
        initiative: &str,
        signer: &str,
    ) -> StoreResult<Option<SealedSignature>> {
        let (pk, _) = signature_pks(initiative, signer);
        Ok(self.get(key(pk, "SIG")).await?.map(|item| SealedSignature {
            signer: signer.to_string(),
            sealed: item
                .get("sealed")
                .and_then(|v| v.as_b().ok())
                .map(|b| b.as_ref().to_vec())
                .unwrap_or_default(),
            created: number_of(&item, "created").unwrap_or_default(),
        }))
    }

    async fn signature_meta(&self, initiative: &str) -> StoreResult<Vec<SignatureMeta>> {
        self.signature_meta_in(initiative).await
    }

    async fn requested(&self, initiative: &str) -> StoreResult<u64> {
        self.requested_in(initiative).await
    }

    async fn strike(&self, initiative: &str, signers: &[String]) -> StoreResult<usize> {
        self.strike_in(initiative, signers).await
    }

    /// DynamoDB deletes the requests past `expires_at` by itself: nothing to do.
    async fn erase_requests(&self, _now: DateTime<Utc>) -> StoreResult<usize> {
        Ok(0)
    }

    async fn proposals(
        &self,
        state: ProposalState,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<(Vec<StoredProposal>, Option<String>)> {
        self.proposals_in(state, after, limit).await
    }

    async fn erase_drafts(&self, _now: DateTime<Utc>) -> StoreResult<usize> {
        Ok(0)
    }
}
