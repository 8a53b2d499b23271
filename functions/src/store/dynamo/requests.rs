//! Signing requests on DynamoDB: a request is one transaction (the request, its message in the
//! outbox, the contact's daily counter, a counter shard's `requested`, which also checks that
//! the initiative collects); a confirmation is another (the request marked counted, the
//! signature and its receipt put if absent, a counter shard, the contact's counter).

use super::{
    DynamoStore, Item, n, names, number_of, passed, s, shard_key, signature_pks, text_of,
    unavailable,
};
use super::{key, random_shard};
use crate::store::{
    Confirmation, Confirmed, Dispute, NewRequest, NewSignature, Outgoing, Pending, RequestState,
    Requested, SignatureMeta, Store, StoreResult, Stored,
};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
use musharaka_model::catalog::{Details, Entry};
use musharaka_model::signing::MAX_ATTEMPTS;

/// Seconds in a day, the window of the per-contact daily limit.
const DAY: i64 = 86_400;
/// How long an undelivered message is kept.
const OUTBOX_SECS: i64 = DAY;

/// Key of the request `reference`.
pub(super) fn request_key(reference: &str) -> Item {
    key(format!("REQ#{reference}"), "REQ")
}

/// Key of the outbox message `id`: the table's stream hands new ones to the `notify` function.
pub fn outbox_key(id: &str) -> Item {
    key(format!("OUTBOX#{id}"), "OUTBOX")
}

/// Key of the dispute `id`.
fn dispute_key(id: &str) -> Item {
    key(format!("DISPUTE#{id}"), "DISPUTE")
}

pub(super) fn blob(item: &Item, name: &str) -> Vec<u8> {
    item.get(name)
        .and_then(|v| v.as_b().ok())
        .map(|b| b.as_ref().to_vec())
        .unwrap_or_default()
}

pub(super) fn failed(codes: &[Option<String>], i: usize) -> bool {
    codes.get(i).cloned().flatten().as_deref() == Some("ConditionalCheckFailed")
}

fn dispute_of(item: &Item) -> Dispute {
    let text = |name: &str| text_of(item, name).unwrap_or_default();
    Dispute {
        id: text_of(item, names::PK)
            .and_then(|pk| pk.strip_prefix("DISPUTE#").map(str::to_string))
            .unwrap_or_default(),
        initiative: text("initiative"),
        signer: text("signer"),
        sealed: blob(item, "sealed"),
        contact: text("contact"),
        region: text("region"),
        lang: text("lang").parse().unwrap_or(Lang::Ar),
        created: number_of(item, "created").unwrap_or_default(),
        state: text("state"),
        decision: text_of(item, "decided_by")
            .map(|by| (by, number_of(item, "decided_at").unwrap_or_default())),
    }
}

/// The item of a new request: pending, its code's expiry, no attempts or resends yet.
fn request_item(r: &NewRequest, now: DateTime<Utc>) -> Item {
    let sig = &r.signature;
    let mut item = request_key(&r.reference);
    for (name, value) in [
        ("initiative", &sig.initiative),
        ("signer", &sig.signer),
        ("region", &sig.region),
        ("contact", &sig.contact),
        ("grp", &sig.group),
        ("client", &sig.client),
        ("code", &r.code),
    ] {
        item.insert(name.into(), s(value));
    }
    item.insert("lang".into(), s(sig.lang.code()));
    item.insert(
        "sealed".into(),
        AttributeValue::B(Blob::new(sig.sealed.clone())),
    );
    item.insert("code_expires".into(), n(r.code_expires));
    item.insert("attempts".into(), n(0));
    item.insert("resends".into(), n(0));
    item.insert("sent".into(), n(now.timestamp()));
    item.insert("state".into(), s(RequestState::Pending.as_str()));
    item.insert(names::TTL.into(), n(r.expires));
    item
}

/// Whether the request `item` is still pending with `code` as its live code.
fn confirms(item: &Item, code: &str, now: DateTime<Utc>) -> bool {
    let number = |name: &str| number_of(item, name).unwrap_or_default();
    text_of(item, "state").unwrap_or_default() == "pending"
        && text_of(item, "code").unwrap_or_default() == code
        && number("attempts") < i64::from(MAX_ATTEMPTS)
        && number("code_expires") > now.timestamp()
}

/// The signature the request `item` counts when confirmed, kept as long as `entry` says.
fn signature_of(item: &Item, c: &Confirmation, entry: &Entry) -> NewSignature {
    let text = |name: &str| text_of(item, name).unwrap_or_default();
    NewSignature {
        initiative: text("initiative"),
        signer: text("signer"),
        region: text("region"),
        lang: text("lang").parse().unwrap_or(Lang::Ar),
        sealed: blob(item, "sealed"),
        receipt: c.receipt.clone(),
        expires: entry.erase_by().unwrap_or(entry.closes).timestamp(),
        contact: text("contact"),
        group: text("grp"),
        client: text("client"),
    }
}

impl DynamoStore {
    /// The put of message `m` into the outbox.
    pub(super) fn outbox_put(&self, m: &Outgoing, now: DateTime<Utc>) -> StoreResult<Put> {
        let mut item = outbox_key(&m.id);
        item.insert(
            "sealed".into(),
            AttributeValue::B(Blob::new(m.sealed.clone())),
        );
        item.insert("created".into(), n(now.timestamp()));
        item.insert(names::TTL.into(), n(now.timestamp() + OUTBOX_SECS));
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(unavailable)
    }

    pub(super) async fn request_in(
        &self,
        r: &NewRequest,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Requested> {
        let sig = &r.signature;
        let put = self.put_new(request_item(r, now))?;
        let message = self.outbox_put(m, now)?;
        let daily = self.daily_count(&sig.contact, per_day, now)?;
        let outcome = self
            .transact(|| {
                // A shard drawn again at each try.
                let shard = self.requested_shard(&sig.initiative, now)?;
                Ok(vec![
                    TransactWriteItem::builder().put(put.clone()).build(),
                    TransactWriteItem::builder().put(message.clone()).build(),
                    TransactWriteItem::builder().update(daily.clone()).build(),
                    TransactWriteItem::builder().update(shard).build(),
                ])
            })
            .await?;
        match outcome {
            Ok(()) => Ok(Requested::Done),
            Err(codes) if failed(&codes, 2) => Ok(Requested::ContactLimit),
            Err(_) => Ok(match self.refusal_of(&sig.initiative, now, false).await? {
                Stored::Refused(r) => Requested::Refused(r),
                _ => Requested::NotFound,
            }),
        }
    }

    /// The update of the contact's counter of requests today, which fails past `per_day`.
    pub(super) fn daily_count(
        &self,
        contact: &str,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Update> {
        let day = now.timestamp().div_euclid(DAY) * DAY;
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("CONTACTDAY#{contact}#{day}"), "RATE")))
            .condition_expression("attribute_not_exists(#n) OR #n < :max")
            .update_expression("ADD #n :one SET #ttl = :expires")
            .expression_attribute_names("#n", "n")
            .expression_attribute_names("#ttl", names::TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(per_day))
            .expression_attribute_values(":expires", n(day + 2 * DAY))
            .build()
            .map_err(unavailable)
    }

    /// The update of a random counter shard's `requested`, which fails unless the initiative
    /// collects at `now`.
    fn requested_shard(&self, initiative: &str, now: DateTime<Utc>) -> StoreResult<Update> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(shard_key(initiative, random_shard())))
            .condition_expression("#state = :collecting AND opens_at <= :now AND closes_at > :now")
            .update_expression("ADD requested :one")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":collecting", s("collecting"))
            .expression_attribute_values(":now", n(now.timestamp()))
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(unavailable)
    }

    pub(super) async fn pending_in(&self, reference: &str) -> StoreResult<Option<Pending>> {
        Ok(self.get(request_key(reference)).await?.map(|item| Pending {
            initiative: text_of(&item, "initiative").unwrap_or_default(),
            signer: text_of(&item, "signer").unwrap_or_default(),
            sealed: blob(&item, "sealed"),
            code: text_of(&item, "code").unwrap_or_default(),
            code_expires: number_of(&item, "code_expires").unwrap_or_default(),
            attempts: number_of(&item, "attempts").unwrap_or_default() as u32,
            resends: number_of(&item, "resends").unwrap_or_default() as u32,
            sent: number_of(&item, "sent").unwrap_or_default(),
            state: RequestState::parse(&text_of(&item, "state").unwrap_or_default()),
            lang: text_of(&item, "lang")
                .and_then(|l| l.parse().ok())
                .unwrap_or(Lang::Ar),
        }))
    }

    pub(super) async fn wrong_code_in(&self, reference: &str) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(request_key(reference)))
            .condition_expression("attribute_exists(pk)")
            .update_expression("ADD attempts :one")
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        passed(result).map(|_| ())
    }

    pub(super) async fn resend_in(
        &self,
        reference: &str,
        seen: u32,
        code: &str,
        code_expires: i64,
        m: &Outgoing,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(request_key(reference)))
            .condition_expression("#state = :pending AND resends = :seen")
            .update_expression(
                "SET code = :code, code_expires = :expires, sent = :now ADD resends :one",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":seen", n(seen))
            .expression_attribute_values(":code", s(code))
            .expression_attribute_values(":expires", n(code_expires))
            .expression_attribute_values(":now", n(now.timestamp()))
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(unavailable)?;
        let message = self.outbox_put(m, now)?;
        let outcome = self
            .transact(|| {
                Ok(vec![
                    TransactWriteItem::builder().update(update.clone()).build(),
                    TransactWriteItem::builder().put(message.clone()).build(),
                ])
            })
            .await?;
        Ok(outcome.is_ok())
    }

    /// Marks the request `reference` as `state` if it is still pending with `code`.
    async fn settle(&self, reference: &str, code: &str, state: RequestState) -> StoreResult<bool> {
        let mut u = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(request_key(reference)))
            .condition_expression("#state = :pending AND code = :code")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":code", s(code))
            .expression_attribute_values(":new", s(state.as_str()));
        // Only a request that may be contested keeps its copy of the personal data.
        u = if state == RequestState::Other {
            u.update_expression("SET #state = :new")
        } else {
            u.update_expression("SET #state = :new REMOVE sealed")
        };
        passed(u.send().await)
    }

    pub(super) async fn confirm_in(
        &self,
        reference: &str,
        c: &Confirmation,
        now: DateTime<Utc>,
    ) -> StoreResult<Confirmed> {
        let Some(item) = self.get(request_key(reference)).await? else {
            return Ok(Confirmed::NotFound);
        };
        if !confirms(&item, &c.code, now) {
            return Ok(Confirmed::Changed);
        }
        let Some(entry) = self
            .entry(&text_of(&item, "initiative").unwrap_or_default())
            .await?
        else {
            return Ok(Confirmed::NotFound);
        };
        if let Err(refusal) = entry.accepts_signature(now.fixed_offset()) {
            return Ok(Confirmed::Refused(refusal));
        }
        let sig = signature_of(&item, c, &entry);
        let settle = self.settle_counted(reference, &c.code, now)?;
        let put = self.put_new(Self::signature_item(&sig, now))?;
        let receipt = self.put_new(Self::receipt_item(&sig, now))?;
        let per_contact = match &entry.details {
            Details::Petition(i) | Details::Motion(i) => i.per_contact,
            Details::Consultation(_) => 0,
        };
        let contact = self.contact_update(
            &sig.initiative,
            &sig.contact,
            1,
            Some(per_contact),
            sig.expires,
        )?;
        let outcome = self
            .transact(|| {
                Ok(vec![
                    TransactWriteItem::builder().update(settle.clone()).build(),
                    TransactWriteItem::builder().put(put.clone()).build(),
                    TransactWriteItem::builder().put(receipt.clone()).build(),
                    TransactWriteItem::builder()
                        .update(self.count_update(&sig.initiative, &sig.region, 1, now)?)
                        .build(),
                    TransactWriteItem::builder().update(contact.clone()).build(),
                ])
            })
            .await?;
        match outcome {
            Ok(()) => {
                let count = self.count_after(&sig.initiative).await;
                Ok(Confirmed::Counted(sig.initiative, count))
            }
            Err(codes) => self.not_confirmed(&codes, reference, c, &sig, now).await,
        }
    }

    /// The update that marks the request counted and drops its personal data, which fails
    /// unless the request is still pending with `code` as its live code.
    fn settle_counted(
        &self,
        reference: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Update> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(request_key(reference)))
            .condition_expression(
                "#state = :pending AND code = :code AND attempts < :max AND code_expires > :now",
            )
            .update_expression("SET #state = :counted REMOVE sealed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":counted", s("counted"))
            .expression_attribute_values(":code", s(code))
            .expression_attribute_values(":max", n(MAX_ATTEMPTS))
            .expression_attribute_values(":now", n(now.timestamp()))
            .build()
            .map_err(unavailable)
    }

    /// Why the confirmation of `sig` was cancelled, from the reasons of its transaction: the
    /// request changed, the CIN already signed (from this contact or another, which the request
    /// keeps), the contact reached its limit, or the initiative no longer collects.
    async fn not_confirmed(
        &self,
        codes: &[Option<String>],
        reference: &str,
        c: &Confirmation,
        sig: &NewSignature,
        now: DateTime<Utc>,
    ) -> StoreResult<Confirmed> {
        if failed(codes, 0) {
            return Ok(Confirmed::Changed);
        }
        if failed(codes, 1) {
            let (pk, _) = signature_pks(&sig.initiative, &sig.signer);
            let counted_by = self
                .get(key(pk, "SIG"))
                .await?
                .and_then(|item| text_of(&item, "contact"))
                .unwrap_or_default();
            let (state, answer) = if counted_by == sig.contact {
                (RequestState::Same, Confirmed::SameContact)
            } else {
                (RequestState::Other, Confirmed::OtherContact)
            };
            return Ok(if self.settle(reference, &c.code, state).await? {
                answer
            } else {
                Confirmed::Changed
            });
        }
        if failed(codes, 4) {
            return Ok(Confirmed::ContactLimit);
        }
        Ok(match self.refusal_of(&sig.initiative, now, false).await? {
            Stored::Refused(r) => Confirmed::Refused(r),
            _ => Confirmed::NotFound,
        })
    }

    pub(super) async fn contest_in(
        &self,
        reference: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let Some(item) = self.get(request_key(reference)).await? else {
            return Ok(false);
        };
        let text = |name: &str| text_of(&item, name).unwrap_or_default();
        if text("state") != RequestState::Other.as_str() {
            return Ok(false);
        }
        let (initiative, signer) = (text("initiative"), text("signer"));
        let settle = Update::builder()
            .table_name(&self.table)
            .set_key(Some(request_key(reference)))
            .condition_expression("#state = :other")
            .update_expression("SET #state = :contested REMOVE sealed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":other", s("other"))
            .expression_attribute_values(":contested", s("contested"))
            .build()
            .map_err(unavailable)?;
        let (pk, _) = signature_pks(&initiative, &signer);
        let set_aside = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, "SIG")))
            .condition_expression("attribute_exists(pk) AND (attribute_not_exists(#state) OR #state IN (:counted, :disputed))")
            .update_expression("SET #state = :disputed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":counted", s("counted"))
            .expression_attribute_values(":disputed", s("disputed"))
            .build()
            .map_err(unavailable)?;
        let mut dispute = dispute_key(reference);
        dispute.insert(names::GSI1PK.into(), s("DISPUTES"));
        dispute.insert(
            names::GSI1SK.into(),
            s(format!("open#{:012}#{reference}", now.timestamp())),
        );
        for name in ["initiative", "signer", "contact", "region", "lang"] {
            dispute.insert(name.into(), s(text(name)));
        }
        dispute.insert(
            "sealed".into(),
            AttributeValue::B(Blob::new(blob(&item, "sealed"))),
        );
        dispute.insert("created".into(), n(now.timestamp()));
        dispute.insert("state".into(), s("open"));
        let put = self.put_new(dispute)?;
        let outcome = self
            .transact(|| {
                Ok(vec![
                    TransactWriteItem::builder().update(settle.clone()).build(),
                    TransactWriteItem::builder()
                        .update(set_aside.clone())
                        .build(),
                    TransactWriteItem::builder().put(put.clone()).build(),
                ])
            })
            .await?;
        Ok(outcome.is_ok())
    }

    pub(super) async fn disputes_in(&self) -> StoreResult<Vec<Dispute>> {
        let mut all: Vec<Dispute> = self
            .query_index("DISPUTES".into(), None)
            .await?
            .iter()
            .map(dispute_of)
            .collect();
        all.sort_by(|a, b| {
            (a.state != "open", a.created, &a.id).cmp(&(b.state != "open", b.created, &b.id))
        });
        Ok(all)
    }

    pub(super) async fn resolve_in(
        &self,
        id: &str,
        keep: bool,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Dispute, crate::store::SealedSignature)>> {
        let Some(item) = self.get(dispute_key(id)).await? else {
            return Ok(None);
        };
        let dispute = dispute_of(&item);
        if dispute.state != "open" {
            return Ok(None);
        }
        let (pk, _) = signature_pks(&dispute.initiative, &dispute.signer);
        let Some(original) = self.get(key(pk.clone(), "SIG")).await? else {
            return Ok(None);
        };
        let close = self.close_dispute(id, &dispute, keep, moderator, now)?;
        let signature = self.decided_signature(pk, &dispute, keep, now)?;
        let outcome = self
            .transact(|| {
                let mut items = vec![
                    TransactWriteItem::builder().update(close.clone()).build(),
                    TransactWriteItem::builder()
                        .update(signature.clone())
                        .build(),
                ];
                if !keep {
                    items.extend(self.contester_moves(&dispute, &original)?);
                }
                Ok(items)
            })
            .await?;
        if outcome.is_err() {
            return Ok(None);
        }
        let sealed = crate::store::SealedSignature {
            signer: dispute.signer.clone(),
            sealed: blob(&original, "sealed"),
            created: number_of(&original, "created").unwrap_or_default(),
        };
        Ok(Some((dispute, sealed)))
    }

    /// The update that decides the open dispute `id` and drops its data.
    fn close_dispute(
        &self,
        id: &str,
        d: &Dispute,
        keep: bool,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Update> {
        let decided = if keep { "kept" } else { "struck" };
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(dispute_key(id)))
            .condition_expression("#state = :open")
            .update_expression("SET #state = :decided, decided_by = :by, decided_at = :at, gsi1sk = :sk REMOVE sealed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":open", s("open"))
            .expression_attribute_values(":decided", s(decided))
            .expression_attribute_values(":by", s(moderator))
            .expression_attribute_values(":at", n(now.timestamp()))
            .expression_attribute_values(":sk", s(format!("{decided}#{:012}#{id}", d.created)))
            .build()
            .map_err(unavailable)
    }

    /// The update of the disputed signature (partition `pk`): counted again as it was, or with
    /// the contester's data in its place.
    fn decided_signature(
        &self,
        pk: String,
        d: &Dispute,
        keep: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<Update> {
        let signature = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, "SIG")))
            .condition_expression("#state = :disputed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":disputed", s("disputed"))
            .expression_attribute_values(":counted", s("counted"));
        let signature = if keep {
            signature.update_expression("SET #state = :counted")
        } else {
            signature
                .update_expression("SET #state = :counted, sealed = :sealed, contact = :contact, #region = :region, lang = :lang, created = :now REMOVE receipt")
                .expression_attribute_names("#region", "region")
                .expression_attribute_values(":sealed", AttributeValue::B(Blob::new(d.sealed.clone())))
                .expression_attribute_values(":contact", s(&d.contact))
                .expression_attribute_values(":region", s(&d.region))
                .expression_attribute_values(":lang", s(d.lang.code()))
                .expression_attribute_values(":now", n(now.timestamp()))
        };
        signature.build().map_err(unavailable)
    }

    /// What moves when the contester of `d` takes the place of the `original` signature: the
    /// counts of both regions and both contacts, and the original's receipt, deleted.
    fn contester_moves(&self, d: &Dispute, original: &Item) -> StoreResult<Vec<TransactWriteItem>> {
        let text = |name: &str| text_of(original, name).unwrap_or_default();
        let expires = number_of(original, names::TTL).unwrap_or_default();
        let init = &d.initiative;
        let moves = [
            self.count_fix(init, &text("region"), -1)?,
            self.count_fix(init, &d.region, 1)?,
            self.contact_update(init, &text("contact"), -1, None, expires)?,
            self.contact_update(init, &d.contact, 1, None, expires)?,
        ];
        let mut items: Vec<TransactWriteItem> = moves
            .into_iter()
            .map(|u| TransactWriteItem::builder().update(u).build())
            .collect();
        if let Some(receipt) = text_of(original, "receipt") {
            items.push(self.receipt_delete(&receipt)?);
        }
        Ok(items)
    }

    pub(super) async fn signature_meta_in(
        &self,
        initiative: &str,
    ) -> StoreResult<Vec<SignatureMeta>> {
        let mut out: Vec<SignatureMeta> = self
            .signature_items(initiative)
            .await?
            .iter()
            .map(|item| {
                let text = |name: &str| text_of(item, name).unwrap_or_default();
                SignatureMeta {
                    signer: text(names::PK)
                        .rsplit('#')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                    region: text("region"),
                    created: number_of(item, "created").unwrap_or_default(),
                    client: text("client"),
                    group: text("grp"),
                    state: text_of(item, "state").unwrap_or_else(|| "counted".into()),
                }
            })
            .collect();
        out.sort_by(|a, b| (a.created, &a.signer).cmp(&(b.created, &b.signer)));
        Ok(out)
    }

    pub(super) async fn requested_in(&self, initiative: &str) -> StoreResult<u64> {
        let mut total = 0i64;
        for shard in 0..super::SHARDS {
            if let Some(item) = self.get(shard_key(initiative, shard)).await? {
                total += number_of(&item, "requested").unwrap_or_default();
            }
        }
        Ok(total.max(0) as u64)
    }

    pub(super) async fn strike_in(
        &self,
        initiative: &str,
        signers: &[String],
    ) -> StoreResult<usize> {
        let mut struck = 0;
        for signer in signers {
            let (pk, _) = signature_pks(initiative, signer);
            let Some(item) = self.get(key(pk.clone(), "SIG")).await? else {
                continue;
            };
            let text = |name: &str| text_of(&item, name).unwrap_or_default();
            let expires = number_of(&item, names::TTL).unwrap_or_default();
            let mark = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, "SIG")))
                .condition_expression(
                    "attribute_not_exists(#state) OR #state IN (:counted, :disputed)",
                )
                .update_expression("SET #state = :struck")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":counted", s("counted"))
                .expression_attribute_values(":disputed", s("disputed"))
                .expression_attribute_values(":struck", s("struck"))
                .build()
                .map_err(unavailable)?;
            let outcome = self
                .transact(|| {
                    let mut items = vec![
                        TransactWriteItem::builder().update(mark.clone()).build(),
                        TransactWriteItem::builder()
                            .update(self.count_fix(initiative, &text("region"), -1)?)
                            .build(),
                    ];
                    if !text("contact").is_empty() {
                        items.push(
                            TransactWriteItem::builder()
                                .update(self.contact_update(
                                    initiative,
                                    &text("contact"),
                                    -1,
                                    None,
                                    expires,
                                )?)
                                .build(),
                        );
                    }
                    // A struck signature can no longer be checked or withdrawn with its receipt.
                    if let Some(receipt) = text_of(&item, "receipt") {
                        items.push(self.receipt_delete(&receipt)?);
                    }
                    Ok(items)
                })
                .await?;
            if outcome.is_ok() {
                struck += 1;
            }
        }
        Ok(struck)
    }
}
