//! The cloud store: one DynamoDB table (keys and indexes in `infra/template.yaml`, item
//! layout in `functions/TABLE.md`). A signature is one transaction of two items: the
//! signature, put only if absent, and one of [`SHARDS`] counter shards, updated only while
//! the initiative is open (each shard carries a copy of the initiative's state and dates, so
//! no single item sees every signature).

use super::{Asked, CommitteeChange, Member, Members, NewMember, Seated, StoredProposal};
use super::{
    Confirmation, Confirmed, Count, NewComment, NewRequest, NewSignature, Outgoing, Pending,
    Receipted, Requested, Store, StoreError, StoreResult, Stored, StoredComment, Withdrawal,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, DeleteRequest, KeysAndAttributes, Put,
    TransactWriteItem, Update, WriteRequest,
};
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
use musharaka_model::catalog::{Details, Entry, PageFrame, Refusal};
use musharaka_model::moderation::{ModerationState, RejectReason};
use musharaka_model::proposal::Proposal;
use std::collections::{BTreeMap, HashMap};

mod admin;
mod proposals;
mod requests;
#[cfg(feature = "table-schema")]
mod table;

pub use requests::outbox_key;

/// Names of the key, index and TTL attributes (the template's table must define exactly these).
pub mod names {
    /// Partition key.
    pub const PK: &str = "pk";
    /// Sort key.
    pub const SK: &str = "sk";
    /// The secondary index.
    pub const GSI1: &str = "gsi1";
    /// Partition key of the index.
    pub const GSI1PK: &str = "gsi1pk";
    /// Sort key of the index.
    pub const GSI1SK: &str = "gsi1sk";
    /// Expiry instant (epoch seconds) that DynamoDB's TTL reads.
    pub const TTL: &str = "expires_at";
}

/// Counter shards per initiative. A signature updates a random shard twice, once at its
/// request (`requested`, and the check that the initiative collects) and once at its
/// confirmation (the count): at 10,000 signatures a second each shard takes about 313
/// transactional writes (625 write units) a second, under a partition's 1,000.
pub const SHARDS: u32 = 64;
/// Attempts of a signature transaction that conflicts with another on the same shard.
const ATTEMPTS: u32 = 6;

/// A DynamoDB table.
pub struct DynamoStore {
    client: Client,
    table: String,
}

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (names::PK.to_string(), s(pk)),
        (names::SK.to_string(), s(sk)),
    ])
}

fn entry_key(id: &str) -> Item {
    key(format!("ENTRY#{id}"), "META")
}

/// Key of comment `id`.
fn comment_key(id: &str) -> Item {
    key(format!("COMMENT#{id}"), "COMMENT")
}

/// Index partition of the comments in moderation state `state`: comments are few next to
/// signatures, and one partition per state lists them in order without a scan.
fn comments_pk(state: &str) -> String {
    format!("COMMENTS#{state}")
}

fn text_of(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn number_of(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

fn stored_comment_of(item: &Item) -> StoredComment {
    let id = text_of(item, "pk")
        .and_then(|pk| pk.strip_prefix("COMMENT#").map(str::to_string))
        .unwrap_or_default();
    StoredComment {
        id,
        consultation: text_of(item, "consultation").unwrap_or_default(),
        section: text_of(item, "section"),
        text: text_of(item, "text").unwrap_or_default(),
        display_name: text_of(item, "display_name"),
        sender: text_of(item, "sender"),
        lang: text_of(item, "lang").unwrap_or_default(),
        state: text_of(item, "state")
            .and_then(|x| x.parse().ok())
            .unwrap_or(ModerationState::Pending),
        created: number_of(item, "created").unwrap_or_default(),
        retained: item
            .get("retained")
            .and_then(|v| v.as_bool().ok())
            .map(|yes| (*yes, text_of(item, "retained_reason").unwrap_or_default())),
        decision: text_of(item, "decided_by").map(|by| {
            (
                by,
                number_of(item, "decided_at").unwrap_or_default(),
                text_of(item, "reason").and_then(|r| r.parse::<RejectReason>().ok()),
            )
        }),
    }
}

/// Key of the receipt item of a signature, by the keyed hash of its receipt code.
fn receipt_key(receipt: &str) -> Item {
    key(format!("RECEIPT#{receipt}"), "RECEIPT")
}

/// Partition key of counter shard `shard` of initiative `id`.
pub fn shard_pk(id: &str, shard: u32) -> String {
    format!("COUNT#{id}#{shard:02}")
}

fn shard_key(id: &str, shard: u32) -> Item {
    key(shard_pk(id, shard), "COUNT")
}

/// Partition keys of a signature item and of its index entry. The index partition is the
/// first two hex digits of the signer hash: 256 partitions per initiative.
pub fn signature_pks(id: &str, signer: &str) -> (String, String) {
    (
        format!("SIG#{id}#{signer}"),
        format!("SIGS#{id}#{}", &signer[..2.min(signer.len())]),
    )
}

fn state(entry: &Entry) -> &'static str {
    match &entry.details {
        Details::Petition(i) | Details::Motion(i) => i.state.as_str(),
        Details::Consultation(c) => c.state.as_str(),
    }
}

/// Whether an update was made: false when it failed its condition.
fn passed<T>(
    result: Result<T, SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError>>,
) -> StoreResult<bool> {
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|x| x.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(unavailable(e)),
    }
}

fn unavailable<E: std::fmt::Debug>(e: E) -> StoreError {
    StoreError::Unavailable(format!("{e:?}"))
}

fn random_shard() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).ok();
    u32::from_le_bytes(b) % SHARDS
}

impl DynamoStore {
    /// A store on `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// A client configured from the environment as Lambda sets it: `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, and
    /// `AWS_ENDPOINT_URL_DYNAMODB` for a local server.
    pub fn client_from_env() -> anyhow::Result<Client> {
        use aws_sdk_dynamodb::config::{BehaviorVersion, Builder};
        let env = crate::aws_env::AwsEnv::read("AWS_ENDPOINT_URL_DYNAMODB")?;
        let mut builder = Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(env.region)
            .credentials_provider(env.credentials);
        if let Some(url) = env.endpoint {
            builder = builder.endpoint_url(url);
        }
        Ok(Client::from_conf(builder.build()))
    }

    /// A store on `table` with a client from the environment.
    pub async fn from_env(table: &str) -> anyhow::Result<DynamoStore> {
        Ok(DynamoStore::new(Self::client_from_env()?, table))
    }

    /// Every item of index partition `pk` (whose sort key starts with `prefix`, if given), in
    /// index order, page after page.
    async fn query_index(&self, pk: String, prefix: Option<String>) -> StoreResult<Vec<Item>> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(names::GSI1)
                .expression_attribute_names("#pk", names::GSI1PK)
                .expression_attribute_values(":pk", s(pk.clone()))
                .set_exclusive_start_key(start.take());
            q = match &prefix {
                Some(p) => q
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", names::GSI1SK)
                    .expression_attribute_values(":prefix", s(p.clone())),
                None => q.key_condition_expression("#pk = :pk"),
            };
            let page = q.send().await.map_err(unavailable)?;
            out.extend(page.items().iter().cloned());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        Ok(out)
    }

    /// Comments in moderation state `state`, of one consultation or all, in index order.
    async fn comments_in(
        &self,
        state: &str,
        consultation: Option<&str>,
    ) -> StoreResult<Vec<StoredComment>> {
        let items = self
            .query_index(comments_pk(state), consultation.map(|c| format!("{c}#")))
            .await?;
        Ok(items.iter().map(stored_comment_of).collect())
    }

    /// Every signature item of `initiative`, from its 256 index partitions.
    async fn signature_items(&self, initiative: &str) -> StoreResult<Vec<Item>> {
        let mut out = Vec::new();
        for part in 0..=255u8 {
            out.extend(
                self.query_index(format!("SIGS#{initiative}#{part:02x}"), None)
                    .await?,
            );
        }
        Ok(out)
    }

    /// Deletes the items with `keys`, 25 a request, until none is left unprocessed.
    async fn delete_all(&self, keys: Vec<Item>) -> StoreResult<()> {
        for chunk in keys.chunks(25) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|k| {
                    DeleteRequest::builder()
                        .set_key(Some(k.clone()))
                        .build()
                        .map(|d| WriteRequest::builder().delete_request(d).build())
                        .map_err(unavailable)
                })
                .collect::<StoreResult<_>>()?;
            for attempt in 0u64.. {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    // Throttled: back off before sending the rest again.
                    tokio::time::sleep(std::time::Duration::from_millis(50 * attempt.min(20)))
                        .await;
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(unavailable)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
            }
        }
        Ok(())
    }

    /// The item with `key`, read strongly consistent.
    async fn get(&self, key: Item) -> StoreResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item)
    }

    /// Writes `item`, replacing any item with its key.
    async fn put(&self, item: Item) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Adds `delta` to the count of `id` in `region`, on one counter shard chosen at random,
    /// only while the initiative collects at `now` (the shard's copy of its state and dates).
    fn count_update(
        &self,
        id: &str,
        region: &str,
        delta: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Update> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(shard_key(id, random_shard())))
            .condition_expression("#state = :collecting AND opens_at <= :now AND closes_at > :now")
            .update_expression("ADD #total :delta, #region :delta")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#total", "total")
            .expression_attribute_names("#region", format!("r_{region}"))
            .expression_attribute_values(":collecting", s("collecting"))
            .expression_attribute_values(":now", n(now.timestamp()))
            .expression_attribute_values(":delta", n(delta))
            .build()
            .map_err(unavailable)
    }

    /// Adds `delta` to the count of `id` in `region` whatever the initiative's state (an
    /// operator's decision: a struck signature, a decided dispute).
    fn count_fix(&self, id: &str, region: &str, delta: i64) -> StoreResult<Update> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(shard_key(id, random_shard())))
            .update_expression("ADD #total :delta, #region :delta")
            .expression_attribute_names("#total", "total")
            .expression_attribute_names("#region", format!("r_{region}"))
            .expression_attribute_values(":delta", n(delta))
            .build()
            .map_err(unavailable)
    }

    /// Adds `delta` to the signatures `contact` confirmed on `id`; with `max`, only while
    /// fewer than `max` were.
    fn contact_update(
        &self,
        id: &str,
        contact: &str,
        delta: i64,
        max: Option<u32>,
        expires: i64,
    ) -> StoreResult<Update> {
        let mut u = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("CONTACT#{id}#{contact}"), "CONTACT")))
            .update_expression("ADD #n :delta SET #ttl = :expires")
            .expression_attribute_names("#n", "n")
            .expression_attribute_names("#ttl", names::TTL)
            .expression_attribute_values(":delta", n(delta))
            .expression_attribute_values(":expires", n(expires));
        if let Some(max) = max {
            u = u
                .condition_expression("attribute_not_exists(#n) OR #n < :max")
                .expression_attribute_values(":max", n(max));
        }
        u.build().map_err(unavailable)
    }

    /// The signature item of `sig`, made at `now`.
    fn signature_item(sig: &NewSignature, now: DateTime<Utc>) -> Item {
        let (pk, gsi1pk) = signature_pks(&sig.initiative, &sig.signer);
        let mut item = key(pk, "SIG");
        item.insert(names::GSI1PK.into(), s(gsi1pk));
        item.insert(
            names::GSI1SK.into(),
            s(format!("{}#{}", now.timestamp(), sig.signer)),
        );
        item.insert("region".into(), s(&sig.region));
        item.insert("lang".into(), s(sig.lang.code()));
        item.insert(
            "sealed".into(),
            AttributeValue::B(Blob::new(sig.sealed.clone())),
        );
        item.insert("created".into(), n(now.timestamp()));
        item.insert("receipt".into(), s(&sig.receipt));
        item.insert(names::TTL.into(), n(sig.expires));
        item.insert("state".into(), s("counted"));
        for (name, value) in [
            ("contact", &sig.contact),
            ("grp", &sig.group),
            ("client", &sig.client),
        ] {
            if !value.is_empty() {
                item.insert(name.into(), s(value));
            }
        }
        item
    }

    /// The receipt item of `sig`, made at `now`.
    fn receipt_item(sig: &NewSignature, now: DateTime<Utc>) -> Item {
        let mut receipt = receipt_key(&sig.receipt);
        receipt.insert("initiative".into(), s(&sig.initiative));
        receipt.insert("signer".into(), s(&sig.signer));
        receipt.insert("region".into(), s(&sig.region));
        receipt.insert("created".into(), n(now.timestamp()));
        receipt.insert(names::TTL.into(), n(sig.expires));
        if !sig.contact.is_empty() {
            receipt.insert("contact".into(), s(&sig.contact));
        }
        receipt
    }

    /// Runs a transaction of `items`, trying again (with new random shards from `make`) when
    /// another transaction held one of them; `Err(codes)` gives the reasons it was cancelled.
    async fn transact(
        &self,
        make: impl Fn() -> StoreResult<Vec<TransactWriteItem>>,
    ) -> StoreResult<Result<(), Vec<Option<String>>>> {
        for _ in 0..ATTEMPTS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(make()?))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(Ok(())),
                Err(e) => e,
            };
            let Some(codes) = cancellation_codes(&err) else {
                return Err(unavailable(err));
            };
            if codes
                .iter()
                .flatten()
                .any(|c| c == "ConditionalCheckFailed")
            {
                return Ok(Err(codes));
            }
            if codes.iter().flatten().any(|c| c == "TransactionConflict") {
                continue;
            }
            return Err(unavailable(err));
        }
        Err(StoreError::Unavailable(
            "too many conflicting transactions".into(),
        ))
    }

    /// The deletion of the receipt item whose code hashes to `receipt`.
    fn receipt_delete(&self, receipt: &str) -> StoreResult<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(receipt_key(receipt)))
            .build()
            .map_err(unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// A put of `item` only if no item has its key yet.
    fn put_new(&self, item: Item) -> StoreResult<Put> {
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(unavailable)
    }

    async fn refusal_of(&self, id: &str, now: DateTime<Utc>, comment: bool) -> StoreResult<Stored> {
        Ok(match self.entry(id).await? {
            None => Stored::NotFound,
            Some(e) => {
                let verdict = if comment {
                    e.accepts_comment(now.fixed_offset())
                } else {
                    e.accepts_signature(now.fixed_offset())
                };
                // Open when checked again: the shard was not published yet.
                Stored::Refused(verdict.err().unwrap_or(Refusal::Closed))
            }
        })
    }
}

/// The cancellation reasons of a failed transaction, as codes (`None` where an item passed).
fn cancellation_codes(err: &SdkError<TransactWriteItemsError>) -> Option<Vec<Option<String>>> {
    match err.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(e) => Some(
            e.cancellation_reasons()
                .iter()
                .map(|r| r.code().filter(|c| *c != "None").map(str::to_string))
                .collect(),
        ),
        _ => None,
    }
}

impl DynamoStore {
    /// The JSON of the catalog item `id`, read as `T`.
    async fn entry_json<T: serde::de::DeserializeOwned>(&self, id: &str) -> StoreResult<Option<T>> {
        let Some(item) = self.get(entry_key(id)).await? else {
            return Ok(None);
        };
        let json = item
            .get("json")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StoreError::Invalid(format!("entry {id} has no json")))?;
        serde_json::from_str(json)
            .map(Some)
            .map_err(|e| StoreError::Invalid(e.to_string()))
    }

    /// The count of `initiative` just after a change to it; `None` when it cannot be read,
    /// which only leaves the count out of the answer.
    async fn count_after(&self, initiative: &str) -> Option<Count> {
        let id = initiative.to_string();
        self.counts(std::slice::from_ref(&id))
            .await
            .ok()
            .and_then(|mut c| c.remove(&id))
    }

    /// The deletes of a withdrawal: the signature of `signer` on `initiative` if `receipt` is
    /// still its own and it was not struck, and the receipt itself.
    fn withdrawal_deletes(
        &self,
        initiative: &str,
        signer: &str,
        receipt: &str,
    ) -> StoreResult<(Delete, Delete)> {
        let (pk, _) = signature_pks(initiative, signer);
        let signature = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, "SIG")))
            .condition_expression(
                "attribute_exists(pk) AND receipt = :receipt AND (attribute_not_exists(#st) OR #st <> :struck)",
            )
            .expression_attribute_names("#st", "state")
            .expression_attribute_values(":receipt", s(receipt))
            .expression_attribute_values(":struck", s("struck"))
            .build()
            .map_err(unavailable)?;
        let receipt = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(receipt_key(receipt)))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(unavailable)?;
        Ok((signature, receipt))
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn entry(&self, id: &str) -> StoreResult<Option<Entry>> {
        self.entry_json(id).await
    }

    async fn frame(&self, lang: Lang) -> StoreResult<Option<PageFrame>> {
        self.entry_json(&crate::store::frame_id(lang)).await
    }

    async fn sign(&self, sig: &NewSignature, now: DateTime<Utc>) -> StoreResult<Stored> {
        let put = self.put_new(Self::signature_item(sig, now))?;
        let receipt = self.put_new(Self::receipt_item(sig, now))?;
        let outcome = self
            .transact(|| {
                let mut items = vec![
                    TransactWriteItem::builder().put(put.clone()).build(),
                    TransactWriteItem::builder().put(receipt.clone()).build(),
                    TransactWriteItem::builder()
                        .update(self.count_update(&sig.initiative, &sig.region, 1, now)?)
                        .build(),
                ];
                if !sig.contact.is_empty() {
                    items.push(
                        TransactWriteItem::builder()
                            .update(self.contact_update(
                                &sig.initiative,
                                &sig.contact,
                                1,
                                None,
                                sig.expires,
                            )?)
                            .build(),
                    );
                }
                Ok(items)
            })
            .await?;
        let Err(codes) = outcome else {
            return Ok(Stored::Done);
        };
        let failed =
            |i: usize| codes.get(i).cloned().flatten().as_deref() == Some("ConditionalCheckFailed");
        if failed(0) {
            Ok(Stored::Duplicate)
        } else {
            self.refusal_of(&sig.initiative, now, false).await
        }
    }

    async fn comment(&self, c: &NewComment, now: DateTime<Utc>) -> StoreResult<Stored> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(entry_key(&c.consultation)))
            .condition_expression("#state = :open AND opens_at <= :now AND closes_at > :now")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":open", s("open"))
            .expression_attribute_values(":now", n(now.timestamp()))
            .build()
            .map_err(unavailable)?;
        let mut item = comment_key(&c.id);
        item.insert(names::GSI1PK.into(), s(comments_pk("pending")));
        item.insert(
            names::GSI1SK.into(),
            s(format!(
                "{}#{}#{:012}#{}",
                c.consultation,
                c.section.as_deref().unwrap_or(""),
                now.timestamp(),
                c.id
            )),
        );
        item.insert("consultation".into(), s(&c.consultation));
        item.insert("text".into(), s(&c.text));
        item.insert("lang".into(), s(c.lang.code()));
        item.insert("state".into(), s("pending"));
        item.insert("created".into(), n(now.timestamp()));
        item.insert("sender".into(), s(&c.sender));
        if let Some(section) = &c.section {
            item.insert("section".into(), s(section));
        }
        if let Some(name) = &c.display_name {
            item.insert("display_name".into(), s(name));
        }
        let put = self.put_new(item)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().condition_check(check).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(Stored::Done),
            Err(e) => match cancellation_codes(&e) {
                Some(codes)
                    if codes.first().cloned().flatten().as_deref()
                        == Some("ConditionalCheckFailed") =>
                {
                    self.refusal_of(&c.consultation, now, true).await
                }
                _ => Err(unavailable(e)),
            },
        }
    }

    async fn receipted(&self, receipt: &str) -> StoreResult<Option<Receipted>> {
        Ok(self.get(receipt_key(receipt)).await?.map(|item| Receipted {
            initiative: text_of(&item, "initiative").unwrap_or_default(),
            created: number_of(&item, "created").unwrap_or_default(),
        }))
    }

    async fn withdraw(&self, receipt: &str, now: DateTime<Utc>) -> StoreResult<Withdrawal> {
        let Some(item) = self.get(receipt_key(receipt)).await? else {
            return Ok(Withdrawal::NotFound);
        };
        let field = |name: &str| text_of(&item, name).unwrap_or_default();
        let (initiative, signer, region) = (field("initiative"), field("signer"), field("region"));
        let created = number_of(&item, "created").unwrap_or_default();
        let (signature, receipt) = self.withdrawal_deletes(&initiative, &signer, receipt)?;
        let contact = field("contact");
        let outcome = self
            .transact(|| {
                let mut items = vec![
                    TransactWriteItem::builder()
                        .delete(signature.clone())
                        .build(),
                    TransactWriteItem::builder().delete(receipt.clone()).build(),
                    TransactWriteItem::builder()
                        .update(self.count_update(&initiative, &region, -1, now)?)
                        .build(),
                ];
                if !contact.is_empty() {
                    let expires = number_of(&item, names::TTL).unwrap_or_default();
                    items.push(
                        TransactWriteItem::builder()
                            .update(self.contact_update(
                                &initiative,
                                &contact,
                                -1,
                                None,
                                expires,
                            )?)
                            .build(),
                    );
                }
                Ok(items)
            })
            .await?;
        match outcome {
            Ok(()) => {
                // Withdrawn whatever happens next: a failed read only leaves the count out.
                let count = self.count_after(&initiative).await;
                let found = Receipted {
                    initiative,
                    created,
                };
                Ok(Withdrawal::Done(found, count))
            }
            Err(codes) => {
                let failed = |i: usize| {
                    codes.get(i).cloned().flatten().as_deref() == Some("ConditionalCheckFailed")
                };
                if failed(0) || failed(1) {
                    Ok(Withdrawal::NotFound)
                } else {
                    Ok(match self.refusal_of(&initiative, now, false).await? {
                        Stored::Refused(r) => Withdrawal::Refused(r),
                        _ => Withdrawal::NotFound,
                    })
                }
            }
        }
    }

    async fn counts(&self, ids: &[String]) -> StoreResult<BTreeMap<String, Count>> {
        let mut sums: BTreeMap<String, (i64, BTreeMap<String, i64>)> = BTreeMap::new();
        let mut keys: Vec<Item> = Vec::new();
        for id in ids {
            if self.entry(id).await?.is_none() {
                continue;
            }
            sums.insert(id.clone(), Default::default());
            keys.extend((0..SHARDS).map(|shard| shard_key(id, shard)));
        }
        for chunk in keys.chunks(100) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .consistent_read(false)
                    .build()
                    .map_err(unavailable)?,
            );
            while let Some(request) = pending.take() {
                let res = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(unavailable)?;
                for item in res
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    let Some(pk) = item.get(names::PK).and_then(|v| v.as_s().ok()) else {
                        continue;
                    };
                    let id = pk
                        .strip_prefix("COUNT#")
                        .and_then(|rest| rest.rsplit_once('#'))
                        .map(|(id, _)| id.to_string())
                        .unwrap_or_default();
                    let Some(count) = sums.get_mut(&id) else {
                        continue;
                    };
                    // A withdrawal subtracts from any shard: a shard may be negative.
                    for (attr, value) in &item {
                        let Ok(v) = value.as_n().map(|v| v.parse::<i64>().unwrap_or(0)) else {
                            continue;
                        };
                        if attr == "total" {
                            count.0 += v;
                        } else if let Some(region) = attr.strip_prefix("r_") {
                            *count.1.entry(region.to_string()).or_default() += v;
                        }
                    }
                }
                pending = res
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .filter(|k| !k.keys().is_empty());
            }
        }
        let natural = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(sums
            .into_iter()
            .map(|(id, (total, regions))| {
                let regions = regions
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(r, n)| (r, natural(n)))
                    .collect();
                let count = Count {
                    total: natural(total),
                    regions,
                };
                (id, count)
            })
            .collect())
    }

    async fn allow(
        &self,
        client: &str,
        now: DateTime<Utc>,
        window_secs: u64,
        max: u32,
    ) -> StoreResult<bool> {
        let window = super::window_start(now, window_secs);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("RATE#{client}#{window}"), "RATE")))
            .update_expression("ADD #n :one SET #ttl = :expires")
            .expression_attribute_names("#n", "n")
            .expression_attribute_names("#ttl", names::TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires", n(window + 2 * window_secs as i64))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(unavailable)?;
        let count = out
            .attributes
            .and_then(|a| {
                a.get("n")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse::<u64>().ok())
            })
            .unwrap_or(u64::MAX);
        Ok(count <= max as u64)
    }

    async fn request(
        &self,
        r: &NewRequest,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Requested> {
        self.request_in(r, m, per_day, now).await
    }

    async fn pending(&self, reference: &str) -> StoreResult<Option<Pending>> {
        self.pending_in(reference).await
    }

    async fn wrong_code(&self, reference: &str) -> StoreResult<()> {
        self.wrong_code_in(reference).await
    }

    async fn resend(
        &self,
        reference: &str,
        seen: u32,
        code: &str,
        code_expires: i64,
        m: &Outgoing,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.resend_in(reference, seen, code, code_expires, m, now)
            .await
    }

    async fn confirm(
        &self,
        reference: &str,
        c: &Confirmation,
        now: DateTime<Utc>,
    ) -> StoreResult<Confirmed> {
        self.confirm_in(reference, c, now).await
    }

    async fn contest(&self, reference: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        self.contest_in(reference, now).await
    }

    async fn propose(
        &self,
        p: &Proposal,
        agent: &NewMember,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked> {
        self.propose_in(p, agent, m, per_day, now).await
    }

    async fn join(
        &self,
        member: &NewMember,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked> {
        self.join_in(member, m, per_day, now).await
    }

    async fn proposal(&self, id: &str) -> StoreResult<Option<StoredProposal>> {
        self.proposal_in(id).await
    }

    async fn members(&self, proposal: &str) -> StoreResult<Vec<Member>> {
        self.members_in(proposal).await
    }

    async fn keyed(&self, key: &str) -> StoreResult<Option<(String, String)>> {
        self.keyed_in(key).await
    }

    async fn seat(
        &self,
        proposal: &str,
        reference: &str,
        code: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Seated> {
        self.seat_in(proposal, reference, code, key, now).await
    }

    async fn member_wrong_code(&self, proposal: &str, reference: &str) -> StoreResult<()> {
        self.member_wrong_code_in(proposal, reference).await
    }

    async fn change_committee(
        &self,
        proposal: &str,
        change: &CommitteeChange,
        seen: u64,
    ) -> StoreResult<bool> {
        self.change_committee_in(proposal, change, seen).await
    }

    async fn save_proposal(
        &self,
        p: &Proposal,
        seen: u64,
        members: Members<'_>,
        m: Option<&Outgoing>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.save_proposal_in(p, seen, members, m, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::{SHARDS, random_shard, shard_pk, signature_pks};
    use std::collections::HashMap;

    /// 10,000 signatures in one second on one petition (each a request, then its confirmation),
    /// with the keys the store writes.
    #[test]
    fn a_surge_spreads_over_partitions() {
        let secrets = crate::crypto::Secrets::new(vec![1; 32], [2; 32]).unwrap();
        let mut writes: HashMap<String, u32> = HashMap::new();
        let day = 20_000;
        for i in 0..10_000 {
            let signer = secrets.keyed_hash(&["p-viral", &format!("AB{i:06}")]);
            let contact = secrets.keyed_hash(&["contact", &format!("s{i}@example.ma")]);
            let reference = crate::otp::new_reference();
            let (pk, gsi) = signature_pks("p-viral", &signer);
            let receipt = format!(
                "RECEIPT#{}",
                secrets.keyed_hash(&["receipt", &i.to_string()])
            );
            let request = [
                format!("REQ#{reference}"),
                format!("OUTBOX#{reference}-0"),
                format!("CONTACTDAY#{contact}#{day}"),
                shard_pk("p-viral", random_shard()),
            ];
            let confirm = [
                format!("REQ#{reference}"),
                pk,
                gsi,
                receipt,
                shard_pk("p-viral", random_shard()),
                format!("CONTACT#p-viral#{contact}"),
            ];
            for key in request.into_iter().chain(confirm) {
                *writes.entry(key).or_default() += 1;
            }
        }
        let busiest_shard = (0..SHARDS)
            .map(|s| writes[&shard_pk("p-viral", s)])
            .max()
            .unwrap();
        let busiest = writes.values().max().unwrap();
        assert!(
            *busiest < 1_000,
            "a partition key took {busiest} writes in one second"
        );
        // Transactional writes count double: a shard must stay under 500.
        assert!(
            busiest_shard < 500,
            "a counter shard took {busiest_shard} writes"
        );
        let index_partitions = writes.keys().filter(|k| k.starts_with("SIGS#")).count();
        assert_eq!(index_partitions, 256);
    }
}
