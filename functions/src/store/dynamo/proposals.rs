//! Proposals and their committees on DynamoDB: a proposal and its members share one partition
//! (`PROPOSAL#<id>`), with one `SEAT#<signer>` item per seated CIN; a private code finds its
//! member through a `KEY#<hash>` item. Every change is one transaction that raises the
//! proposal's version under a condition on it.

use super::requests::{blob, failed};
use super::{DynamoStore, Item, key, n, names, number_of, passed, s, text_of, unavailable};
use crate::store::committee::page_mark;
use crate::store::{
    Asked, CommitteeChange, Member, Members, NewMember, Outgoing, Seated, StoreError, StoreResult,
    StoredProposal,
};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
use musharaka_model::committee::{MAX_MEMBERS, Role};
use musharaka_model::proposal::{Proposal, ProposalState};
use musharaka_model::signing::MAX_ATTEMPTS;

fn proposal_pk(id: &str) -> String {
    format!("PROPOSAL#{id}")
}

fn proposal_key(id: &str) -> Item {
    key(proposal_pk(id), "PROPOSAL")
}

fn member_key(proposal: &str, reference: &str) -> Item {
    key(proposal_pk(proposal), &format!("MEMBER#{reference}"))
}

fn seat_key(proposal: &str, signer: &str) -> Item {
    key(proposal_pk(proposal), &format!("SEAT#{signer}"))
}

fn key_key(key_hash: &str) -> Item {
    key(format!("KEY#{key_hash}"), "KEY")
}

/// The keys of every item a member has: theirs, and once seated their seat and private code.
fn member_items(m: &Member) -> Vec<Item> {
    let mut keys = vec![member_key(&m.proposal, &m.reference)];
    if m.joined {
        keys.push(seat_key(&m.proposal, &m.signer));
        keys.push(key_key(&m.key));
    }
    keys
}

/// Index partition of the confirmed proposals in `state`.
fn queue_pk(state: ProposalState) -> String {
    format!("PROPOSALS#{}", state.as_str())
}

fn json_of(p: &Proposal) -> StoreResult<AttributeValue> {
    serde_json::to_string(p)
        .map(s)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

fn proposal_of(item: &Item) -> StoreResult<StoredProposal> {
    let json = text_of(item, "json").unwrap_or_default();
    Ok(StoredProposal {
        proposal: serde_json::from_str(&json).map_err(|e| StoreError::Invalid(e.to_string()))?,
        version: number_of(item, "version").unwrap_or_default() as u64,
        confirmed: item.get("confirmed").and_then(|v| v.as_bool().ok()) == Some(&true),
    })
}

fn member_of(item: &Item) -> Member {
    let text = |name: &str| text_of(item, name).unwrap_or_default();
    Member {
        proposal: (text(names::PK).strip_prefix("PROPOSAL#"))
            .unwrap_or_default()
            .to_string(),
        reference: (text(names::SK).strip_prefix("MEMBER#"))
            .unwrap_or_default()
            .to_string(),
        role: text("role").parse().unwrap_or(Role::Member),
        region: text("region"),
        signer: text("signer"),
        sealed: blob(item, "sealed"),
        contact: text("contact"),
        code: text("code"),
        code_expires: number_of(item, "code_expires").unwrap_or_default(),
        attempts: number_of(item, "attempts").unwrap_or_default() as u32,
        joined: item.get("joined").and_then(|v| v.as_bool().ok()) == Some(&true),
        key: text("key"),
        created: number_of(item, "created").unwrap_or_default(),
        lang: text("lang").parse().unwrap_or(Lang::Ar),
    }
}

fn new_member_item(m: &NewMember, now: DateTime<Utc>) -> Item {
    let mut item = member_key(&m.proposal, &m.reference);
    for (name, value) in [
        ("role", m.role.as_str()),
        ("region", &m.region),
        ("signer", &m.signer),
        ("contact", &m.contact),
        ("code", &m.code),
        ("lang", m.lang.code()),
    ] {
        item.insert(name.into(), s(value));
    }
    item.insert(
        "sealed".into(),
        AttributeValue::B(Blob::new(m.sealed.clone())),
    );
    item.insert("code_expires".into(), n(m.code_expires));
    item.insert("attempts".into(), n(0));
    item.insert("joined".into(), AttributeValue::Bool(false));
    item.insert("created".into(), n(now.timestamp()));
    item.insert(names::TTL.into(), n(m.expires));
    item
}

fn write(update: Update) -> TransactWriteItem {
    TransactWriteItem::builder().update(update).build()
}

impl DynamoStore {
    /// The deletion of the item with `key`.
    fn delete_of(&self, key: Item, condition: Option<&str>) -> StoreResult<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .set_condition_expression(condition.map(str::to_string))
            .build()
            .map_err(unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// An update of the proposal `id` under `condition` (which may name `#state`, `:draft`
    /// and `:changes`, the open states): its version raised, and `more` done.
    fn proposal_update(&self, id: &str, more: &str, condition: &str) -> UpdateBuilder {
        let mut u = Update::builder()
            .table_name(&self.table)
            .set_key(Some(proposal_key(id)))
            .update_expression(format!("ADD version :one{more}"))
            .condition_expression(condition)
            .expression_attribute_values(":one", n(1));
        if condition.contains("#state") {
            u = u
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":draft", s(ProposalState::Draft.as_str()))
                .expression_attribute_values(
                    ":changes",
                    s(ProposalState::ChangesRequested.as_str()),
                );
        }
        u
    }

    pub(super) async fn propose_in(
        &self,
        p: &Proposal,
        agent: &NewMember,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked> {
        let mut item = proposal_key(&p.id);
        item.insert("json".into(), json_of(p)?);
        item.insert("state".into(), s(p.state.as_str()));
        item.insert("version".into(), n(0));
        item.insert("seats".into(), n(0));
        item.insert("confirmed".into(), AttributeValue::Bool(false));
        // Nobody's until its agent confirms: deleted with the agent's request if they never do.
        item.insert(names::TTL.into(), n(agent.expires));
        let puts = [
            self.put_new(item)?,
            self.put_new(new_member_item(agent, now))?,
            self.outbox_put(m, now)?,
        ];
        let daily = self.daily_count(&agent.contact, per_day, now)?;
        let outcome = self
            .transact(|| {
                let mut items: Vec<TransactWriteItem> = (puts.iter().cloned())
                    .map(|p| TransactWriteItem::builder().put(p).build())
                    .collect();
                items.push(write(daily.clone()));
                Ok(items)
            })
            .await?;
        match outcome {
            Ok(()) => Ok(Asked::Done),
            Err(codes) if failed(&codes, 3) => Ok(Asked::ContactLimit),
            Err(_) => Err(StoreError::Invalid(format!("proposal {} exists", p.id))),
        }
    }

    pub(super) async fn join_in(
        &self,
        member: &NewMember,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked> {
        let open = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(proposal_key(&member.proposal)))
            .condition_expression(
                "confirmed = :yes AND #state IN (:draft, :changes) \
                 AND (attribute_not_exists(#ttl) OR #ttl > :now)",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#ttl", names::TTL)
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":draft", s(ProposalState::Draft.as_str()))
            .expression_attribute_values(":changes", s(ProposalState::ChangesRequested.as_str()))
            .expression_attribute_values(":now", n(now.timestamp()))
            .build()
            .map_err(unavailable)?;
        let put = self.put_new(new_member_item(member, now))?;
        let message = self.outbox_put(m, now)?;
        let daily = self.daily_count(&member.contact, per_day, now)?;
        let outcome = self
            .transact(|| {
                Ok(vec![
                    TransactWriteItem::builder()
                        .condition_check(open.clone())
                        .build(),
                    TransactWriteItem::builder().put(put.clone()).build(),
                    TransactWriteItem::builder().put(message.clone()).build(),
                    write(daily.clone()),
                ])
            })
            .await?;
        match outcome {
            Ok(()) => Ok(Asked::Done),
            Err(codes) if failed(&codes, 0) => Ok(
                match self
                    .proposal_in(&member.proposal)
                    .await?
                    .filter(|p| p.confirmed)
                {
                    None => Asked::NotFound,
                    Some(_) => Asked::Closed,
                },
            ),
            Err(codes) if failed(&codes, 3) => Ok(Asked::ContactLimit),
            Err(_) => Err(StoreError::Invalid(format!(
                "member {} exists",
                member.reference
            ))),
        }
    }

    pub(super) async fn proposal_in(&self, id: &str) -> StoreResult<Option<StoredProposal>> {
        self.get(proposal_key(id))
            .await?
            .as_ref()
            .map(proposal_of)
            .transpose()
    }

    pub(super) async fn members_in(&self, proposal: &str) -> StoreResult<Vec<Member>> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :member)")
                .expression_attribute_values(":pk", s(proposal_pk(proposal)))
                .expression_attribute_values(":member", s("MEMBER#"))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            out.extend(page.items().iter().map(member_of));
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        let order = |m: &Member| (m.role != Role::Agent, m.created, m.reference.clone());
        out.sort_by_key(order);
        Ok(out)
    }

    pub(super) async fn keyed_in(&self, key_hash: &str) -> StoreResult<Option<(String, String)>> {
        Ok(self.get(key_key(key_hash)).await?.map(|item| {
            let text = |name: &str| text_of(&item, name).unwrap_or_default();
            (text("proposal"), text("reference"))
        }))
    }

    pub(super) async fn seat_in(
        &self,
        proposal: &str,
        reference: &str,
        code: &str,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Seated> {
        let Some(item) = self.get(member_key(proposal, reference)).await? else {
            return Ok(Seated::NotFound);
        };
        let member = member_of(&item);
        let Some(stored) = self.proposal_in(proposal).await? else {
            return Ok(Seated::NotFound);
        };
        // Seated, the person's data is kept as long as the proposal's.
        let deadline = stored.proposal.deadline();
        let open = "#state IN (:draft, :changes) AND seats < :seats \
                    AND (attribute_not_exists(#ttl) OR #ttl > :now)";
        let mut update = if member.role == Role::Agent {
            let confirm = "gsi1pk = :queue, gsi1sk = :mark, confirmed = :yes";
            let more = match deadline {
                Some(_) => format!(", seats :one SET #ttl = :deadline, {confirm}"),
                None => format!(", seats :one SET {confirm} REMOVE #ttl"),
            };
            self.proposal_update(proposal, &more, open)
                .expression_attribute_values(":queue", s(queue_pk(stored.proposal.state)))
                .expression_attribute_values(":mark", s(page_mark(&stored.proposal)))
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
        } else {
            self.proposal_update(proposal, ", seats :one", open)
        }
        .expression_attribute_names("#ttl", names::TTL)
        .expression_attribute_values(":seats", n(MAX_MEMBERS))
        .expression_attribute_values(":now", n(now.timestamp()));
        if let (Some(d), Role::Agent) = (deadline, member.role) {
            update = update.expression_attribute_values(":deadline", n(d));
        }
        let update = update.build().map_err(unavailable)?;
        let mut seated = Update::builder()
            .table_name(&self.table)
            .set_key(Some(member_key(proposal, reference)))
            .update_expression(match deadline {
                Some(_) => "SET joined = :yes, #key = :key, code = :empty, #ttl = :deadline",
                None => "SET joined = :yes, #key = :key, code = :empty REMOVE #ttl",
            })
            .condition_expression(
                "joined = :no AND code = :code AND attempts < :max AND code_expires > :now",
            )
            .expression_attribute_names("#key", "key")
            .expression_attribute_names("#ttl", names::TTL)
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .expression_attribute_values(":key", s(key_hash))
            .expression_attribute_values(":empty", s(""))
            .expression_attribute_values(":code", s(code))
            .expression_attribute_values(":max", n(MAX_ATTEMPTS))
            .expression_attribute_values(":now", n(now.timestamp()));
        if let Some(d) = deadline {
            seated = seated.expression_attribute_values(":deadline", n(d));
        }
        let seated = seated.build().map_err(unavailable)?;
        let mut seat = seat_key(proposal, &member.signer);
        seat.insert("reference".into(), s(reference));
        let mut private = key_key(key_hash);
        private.insert("proposal".into(), s(proposal));
        private.insert("reference".into(), s(reference));
        for item in [&mut seat, &mut private] {
            if let Some(d) = deadline {
                item.insert(names::TTL.into(), n(d));
            }
        }
        let (seat, private) = (self.put_new(seat)?, self.put_new(private)?);
        let outcome = self
            .transact(|| {
                Ok(vec![
                    write(update.clone()),
                    write(seated.clone()),
                    TransactWriteItem::builder().put(seat.clone()).build(),
                    TransactWriteItem::builder().put(private.clone()).build(),
                ])
            })
            .await?;
        Ok(match outcome {
            Ok(()) => Seated::Joined,
            Err(codes) if failed(&codes, 1) => Seated::Changed,
            Err(codes) if failed(&codes, 2) => Seated::AlreadyMember,
            Err(codes) if failed(&codes, 0) => Seated::Closed,
            Err(_) => Seated::Changed,
        })
    }

    pub(super) async fn member_wrong_code_in(
        &self,
        proposal: &str,
        reference: &str,
    ) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(member_key(proposal, reference)))
            .condition_expression("joined = :no")
            .update_expression("ADD attempts :one")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .send()
            .await;
        passed(result).map(|_| ())
    }

    /// The update of the role of member `reference` to `role`, under `condition`.
    fn role_update(
        &self,
        proposal: &str,
        reference: &str,
        role: Role,
        condition: &str,
    ) -> StoreResult<Update> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(member_key(proposal, reference)))
            .update_expression("SET #role = :role")
            .condition_expression(condition)
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":role", s(role.as_str()))
            .expression_attribute_values(":agent", s(Role::Agent.as_str()))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .build()
            .map_err(unavailable)
    }

    pub(super) async fn change_committee_in(
        &self,
        proposal: &str,
        change: &CommitteeChange,
        seen: u64,
    ) -> StoreResult<bool> {
        let open_at = "version = :seen AND #state IN (:draft, :changes)";
        let update = match change {
            CommitteeChange::Leave { .. } => self
                .proposal_update(proposal, ", seats :minus", open_at)
                .expression_attribute_values(":minus", n(-1)),
            CommitteeChange::Deputy { .. } => self.proposal_update(proposal, "", open_at),
        }
        .expression_attribute_values(":seen", n(seen))
        .build()
        .map_err(unavailable)?;
        let mut items = vec![write(update)];
        match change {
            CommitteeChange::Deputy {
                reference,
                previous,
            } => {
                if let Some(previous) = previous.as_deref().filter(|p| p != reference) {
                    items.push(write(self.role_update(
                        proposal,
                        previous,
                        Role::Member,
                        "#role <> :agent AND joined = :yes",
                    )?));
                }
                items.push(write(self.role_update(
                    proposal,
                    reference,
                    Role::Deputy,
                    "#role <> :agent AND joined = :yes",
                )?));
            }
            CommitteeChange::Leave { reference } => {
                let Some(item) = self.get(member_key(proposal, reference)).await? else {
                    return Ok(false);
                };
                let member = member_of(&item);
                if !member.joined || member.role == Role::Agent {
                    return Ok(false);
                }
                for key in member_items(&member) {
                    items.push(self.delete_of(key, Some("attribute_exists(pk)"))?);
                }
            }
        }
        Ok(self.transact(|| Ok(items.clone())).await?.is_ok())
    }

    pub(super) async fn save_proposal_in(
        &self,
        p: &Proposal,
        seen: u64,
        members: Members<'_>,
        m: Option<&Outgoing>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let ttl = match p.deadline() {
            Some(_) => "SET #ttl = :deadline,",
            None => "REMOVE #ttl SET",
        };
        let mut u = Update::builder()
            .table_name(&self.table)
            .set_key(Some(proposal_key(&p.id)))
            .update_expression(format!(
                "{ttl} json = :json, #state = :state, gsi1pk = :queue, gsi1sk = :mark ADD version :one"
            ))
            .condition_expression("version = :seen")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#ttl", names::TTL)
            .expression_attribute_values(":json", json_of(p)?)
            .expression_attribute_values(":state", s(p.state.as_str()))
            .expression_attribute_values(":queue", s(queue_pk(p.state)))
            .expression_attribute_values(":mark", s(page_mark(p)))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":seen", n(seen));
        if let Some(deadline) = p.deadline() {
            u = u.expression_attribute_values(":deadline", n(deadline));
        }
        let mut items = vec![write(u.build().map_err(unavailable)?)];
        for key in members.keep.iter().flat_map(member_items) {
            let u = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key))
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_names("#ttl", names::TTL);
            let u = match members.until {
                Some(t) => u
                    .update_expression("SET #ttl = :t")
                    .expression_attribute_values(":t", n(t)),
                None => u.update_expression("REMOVE #ttl"),
            };
            items.push(write(u.build().map_err(unavailable)?));
        }
        for key in members.erase.iter().flat_map(member_items) {
            items.push(self.delete_of(key, None)?);
        }
        if let Some(m) = m {
            items.push(
                TransactWriteItem::builder()
                    .put(self.outbox_put(m, now)?)
                    .build(),
            );
        }
        Ok(self.transact(|| Ok(items.clone())).await?.is_ok())
    }

    pub(super) async fn proposals_in(
        &self,
        state: ProposalState,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<(Vec<StoredProposal>, Option<String>)> {
        let limit = limit.max(1);
        let mut start = after.and_then(|mark| {
            let (_, id) = mark.split_once('#')?;
            let mut k = proposal_key(id);
            k.insert(names::GSI1PK.into(), s(queue_pk(state)));
            k.insert(names::GSI1SK.into(), s(mark));
            Some(k)
        });
        let mut page = Vec::new();
        while page.len() <= limit {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(names::GSI1)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", names::GSI1PK)
                .expression_attribute_values(":pk", s(queue_pk(state)))
                .limit((limit + 1 - page.len()) as i32)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            for item in out.items() {
                page.push(proposal_of(item)?);
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        let next = (page.len() > limit).then(|| {
            page.truncate(limit);
            page_mark(&page[limit - 1].proposal)
        });
        Ok((page, next))
    }
}
