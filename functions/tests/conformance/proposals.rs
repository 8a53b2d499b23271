//! Conformance of proposals and their committees: nobody's until the agent confirms, a
//! committee that changes only while open and only over the version seen, one seat per CIN, a
//! bounded committee, a review queue paged by state, and decisions that erase what they must.

use super::{message, now};
use chrono::Duration;
use musharaka_functions::store::{
    AdminStore, Asked, CommitteeChange, Members, NewMember, Seated, StoredProposal,
};
use musharaka_model::Lang;
use musharaka_model::committee::{MAX_MEMBERS, Role};
use musharaka_model::proposal::{Proposal, ProposalState};
use musharaka_model::state::InitiativeKind;
use musharaka_model::target::{Authority, Target};
use std::sync::Arc;

/// A draft petition to the Head of Government, last changed at `now()` plus `offset` seconds.
pub(crate) fn proposal(id: &str, offset: i64) -> Proposal {
    let at = now().timestamp() + offset;
    Proposal {
        id: id.into(),
        kind: InitiativeKind::Petition,
        target: Target::new(Authority::HeadOfGovernment),
        lang: Lang::Fr,
        title: "Des fontaines dans chaque douar".into(),
        request: "Installer une fontaine publique dans chaque douar.".into(),
        memorandum: "L'eau manque l'été.".into(),
        period_days: 90,
        state: ProposalState::Draft,
        created: at,
        updated: at,
        submitted: None,
        reviews: Vec::new(),
    }
}

/// A person joining `proposal` with the CIN `signer`, whose code is `code-<reference>`.
pub(crate) fn member(proposal: &str, reference: &str, signer: &str, region: &str) -> NewMember {
    NewMember {
        proposal: proposal.into(),
        reference: reference.into(),
        role: Role::Member,
        region: region.into(),
        signer: signer.into(),
        sealed: format!("sealed-{reference}").into_bytes(),
        contact: format!("contact-{reference}"),
        code: format!("code-{reference}"),
        code_expires: (now() + Duration::minutes(15)).timestamp(),
        lang: Lang::Fr,
        expires: (now() + Duration::hours(24)).timestamp(),
    }
}

/// Proposes `id` and seats its agent; the agent's private code hashes to `key-<id>`.
async fn started(store: &Arc<dyn AdminStore>, id: &str, offset: i64) -> StoredProposal {
    let agent = NewMember {
        role: Role::Agent,
        ..member(id, &format!("{id}-agent"), &format!("{id}-cin"), "MA-04")
    };
    let m = message(&format!("{id}-agent-0"));
    let p = proposal(id, offset);
    assert_eq!(
        store.propose(&p, &agent, &m, 10, now()).await.unwrap(),
        Asked::Done
    );
    let (code, key) = (format!("code-{id}-agent"), format!("key-{id}"));
    let seated = store.seat(id, &agent.reference, &code, &key, now());
    assert_eq!(seated.await.unwrap(), Seated::Joined);
    store.proposal(id).await.unwrap().unwrap()
}

/// `reference` joins `id` and confirms their code.
async fn joined(store: &Arc<dyn AdminStore>, id: &str, reference: &str, cin: &str, region: &str) {
    let m = member(id, reference, cin, region);
    let message = message(&format!("{reference}-0"));
    assert_eq!(
        store.join(&m, &message, 10, now()).await.unwrap(),
        Asked::Done
    );
    let (code, key) = (format!("code-{reference}"), format!("key-{reference}"));
    let seated = store.seat(id, reference, &code, &key, now());
    assert_eq!(seated.await.unwrap(), Seated::Joined, "{reference}");
}

pub(crate) async fn a_proposal_is_nobodys_until_its_agent_confirms(store: Arc<dyn AdminStore>) {
    let agent = NewMember {
        role: Role::Agent,
        ..member("P1", "P1-agent", "cin-a", "MA-04")
    };
    let p = proposal("P1", 0);
    let m = message("P1-agent-0");
    assert_eq!(
        store.propose(&p, &agent, &m, 10, now()).await.unwrap(),
        Asked::Done
    );
    let stored = store.proposal("P1").await.unwrap().unwrap();
    assert!(!stored.confirmed);
    assert_eq!(stored.proposal, p);
    // Unconfirmed: nobody may join it, and no moderator sees it.
    let m2 = member("P1", "P1-m1", "cin-b", "MA-04");
    let asked = store.join(&m2, &message("P1-m1-0"), 10, now()).await;
    assert_eq!(asked.unwrap(), Asked::NotFound);
    let (draft, _) = store
        .proposals(ProposalState::Draft, None, 10)
        .await
        .unwrap();
    assert!(draft.is_empty());
    // A wrong code, a stale code, then the right one.
    let wrong = store.seat("P1", "P1-agent", "code-x", "key-P1", now());
    assert_eq!(wrong.await.unwrap(), Seated::Changed);
    let late = now() + Duration::minutes(16);
    let stale = store.seat("P1", "P1-agent", "code-P1-agent", "key-P1", late);
    assert_eq!(stale.await.unwrap(), Seated::Changed);
    let right = store.seat("P1", "P1-agent", "code-P1-agent", "key-P1", now());
    assert_eq!(right.await.unwrap(), Seated::Joined);
    let again = store.seat("P1", "P1-agent", "code-P1-agent", "key-P1", now());
    assert_eq!(again.await.unwrap(), Seated::Changed);
    assert!(store.proposal("P1").await.unwrap().unwrap().confirmed);
    assert_eq!(
        store.keyed("key-P1").await.unwrap(),
        Some(("P1".to_string(), "P1-agent".to_string()))
    );
    assert_eq!(store.keyed("key-none").await.unwrap(), None);
    let (draft, _) = store
        .proposals(ProposalState::Draft, None, 10)
        .await
        .unwrap();
    assert_eq!(draft.len(), 1);
    let seat = store.seat("NOPE", "P1-agent", "code-P1-agent", "k", now());
    assert_eq!(seat.await.unwrap(), Seated::NotFound);
}

pub(crate) async fn wrong_member_codes_lock_the_request(store: Arc<dyn AdminStore>) {
    started(&store, "P2", 0).await;
    let m = member("P2", "P2-m1", "cin-b", "MA-04");
    let asked = store.join(&m, &message("P2-m1-0"), 10, now()).await;
    assert_eq!(asked.unwrap(), Asked::Done);
    for _ in 0..5 {
        store.member_wrong_code("P2", "P2-m1").await.unwrap();
    }
    let members = store.members("P2").await.unwrap();
    let waiting = members.iter().find(|m| m.reference == "P2-m1").unwrap();
    assert_eq!(waiting.attempts, 5);
    assert!(!waiting.joined);
    let locked = store.seat("P2", "P2-m1", "code-P2-m1", "key-m1", now());
    assert_eq!(locked.await.unwrap(), Seated::Changed);
}

pub(crate) async fn a_committee_changes_only_while_open_and_over_the_version_seen(
    store: Arc<dyn AdminStore>,
) {
    started(&store, "P3", 0).await;
    joined(&store, "P3", "P3-m1", "cin-1", "MA-01").await;
    joined(&store, "P3", "P3-m2", "cin-2", "MA-02").await;
    // The same CIN again waits for its code, and is told at the code it already sits.
    let twin = member("P3", "P3-twin", "cin-1", "MA-01");
    let asked = store.join(&twin, &message("P3-twin-0"), 10, now()).await;
    assert_eq!(asked.unwrap(), Asked::Done);
    let seat = store.seat("P3", "P3-twin", "code-P3-twin", "key-twin", now());
    assert_eq!(seat.await.unwrap(), Seated::AlreadyMember);

    let seen = store.proposal("P3").await.unwrap().unwrap().version;
    let deputy = CommitteeChange::Deputy {
        reference: "P3-m1".into(),
        previous: None,
    };
    assert!(
        !store
            .change_committee("P3", &deputy, seen - 1)
            .await
            .unwrap()
    );
    assert!(store.change_committee("P3", &deputy, seen).await.unwrap());
    let roles = |members: Vec<musharaka_functions::store::Member>| {
        (members.into_iter())
            .filter(|m| m.joined)
            .map(|m| (m.reference, m.role))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        roles(store.members("P3").await.unwrap()),
        [
            ("P3-agent".to_string(), Role::Agent),
            ("P3-m1".to_string(), Role::Deputy),
            ("P3-m2".to_string(), Role::Member),
        ]
    );
    // Another deputy: the first becomes a member again. The agent is never the deputy.
    let seen = store.proposal("P3").await.unwrap().unwrap().version;
    let agent_deputy = CommitteeChange::Deputy {
        reference: "P3-agent".into(),
        previous: Some("P3-m1".into()),
    };
    assert!(
        !store
            .change_committee("P3", &agent_deputy, seen)
            .await
            .unwrap()
    );
    let second = CommitteeChange::Deputy {
        reference: "P3-m2".into(),
        previous: Some("P3-m1".into()),
    };
    assert!(store.change_committee("P3", &second, seen).await.unwrap());
    let members = roles(store.members("P3").await.unwrap());
    assert_eq!(members[1].1, Role::Member);
    assert_eq!(members[2].1, Role::Deputy);

    // A member leaves: their seat and private code go. The agent cannot leave.
    let seen = store.proposal("P3").await.unwrap().unwrap().version;
    let agent_leaves = CommitteeChange::Leave {
        reference: "P3-agent".into(),
    };
    assert!(
        !store
            .change_committee("P3", &agent_leaves, seen)
            .await
            .unwrap()
    );
    let leave = CommitteeChange::Leave {
        reference: "P3-m1".into(),
    };
    assert!(store.change_committee("P3", &leave, seen).await.unwrap());
    assert_eq!(store.keyed("key-P3-m1").await.unwrap(), None);
    assert!(
        !(store.members("P3").await.unwrap())
            .iter()
            .any(|m| m.reference == "P3-m1")
    );
    // Who left may join again.
    let back = member("P3", "P3-back", "cin-1", "MA-01");
    assert_eq!(
        store
            .join(&back, &message("P3-back-0"), 10, now())
            .await
            .unwrap(),
        Asked::Done
    );
    let seat = store.seat("P3", "P3-back", "code-P3-back", "key-back", now());
    assert_eq!(seat.await.unwrap(), Seated::Joined);

    // Submitted: nobody joins, leaves or is named any more.
    let stored = store.proposal("P3").await.unwrap().unwrap();
    let members = store.members("P3").await.unwrap();
    let submitted = Proposal {
        state: ProposalState::Submitted,
        submitted: Some(now().timestamp()),
        ..stored.proposal.clone()
    };
    let keep = Members::keep(&members, None);
    let saved = store.save_proposal(&submitted, stored.version, keep, None, now());
    assert!(saved.await.unwrap());
    let late = member("P3", "P3-late", "cin-9", "MA-09");
    let asked = store.join(&late, &message("P3-late-0"), 10, now()).await;
    assert_eq!(asked.unwrap(), Asked::Closed);
    let seen = store.proposal("P3").await.unwrap().unwrap().version;
    let leave = CommitteeChange::Leave {
        reference: "P3-m2".into(),
    };
    assert!(!store.change_committee("P3", &leave, seen).await.unwrap());
}

pub(crate) async fn a_committee_holds_a_bounded_number_of_people(store: Arc<dyn AdminStore>) {
    started(&store, "P4", 0).await;
    for i in 1..MAX_MEMBERS {
        joined(
            &store,
            "P4",
            &format!("P4-m{i}"),
            &format!("cin-{i}"),
            "MA-04",
        )
        .await;
    }
    // Anyone may ask, but a full committee seats nobody more.
    let one_more = member("P4", "P4-more", "cin-more", "MA-04");
    let asked = store
        .join(&one_more, &message("P4-more-0"), 100, now())
        .await;
    assert_eq!(asked.unwrap(), Asked::Done);
    let seat = store.seat("P4", "P4-more", "code-P4-more", "key-more", now());
    assert_eq!(seat.await.unwrap(), Seated::Closed);
    let members = store.members("P4").await.unwrap();
    assert_eq!(members.iter().filter(|m| m.joined).count(), MAX_MEMBERS);
    // Someone leaves: a seat is free again.
    let seen = store.proposal("P4").await.unwrap().unwrap().version;
    let leave = CommitteeChange::Leave {
        reference: "P4-m1".into(),
    };
    assert!(store.change_committee("P4", &leave, seen).await.unwrap());
    let seat = store.seat("P4", "P4-more", "code-P4-more", "key-more", now());
    assert_eq!(seat.await.unwrap(), Seated::Joined);
}

pub(crate) async fn a_contact_asks_for_a_bounded_number_of_committee_codes(
    store: Arc<dyn AdminStore>,
) {
    started(&store, "P5", 0).await;
    let mut m = member("P5", "P5-m1", "cin-1", "MA-04");
    m.contact = "busy".into();
    assert_eq!(
        store.join(&m, &message("P5-m1-0"), 1, now()).await.unwrap(),
        Asked::Done
    );
    m.reference = "P5-m2".into();
    let asked = store.join(&m, &message("P5-m2-0"), 1, now()).await;
    assert_eq!(asked.unwrap(), Asked::ContactLimit);
    assert_eq!(store.members("P5").await.unwrap().len(), 2);
}

pub(crate) async fn the_review_queue_is_paged_by_state_oldest_first(store: Arc<dyn AdminStore>) {
    for (i, id) in ["Q5", "Q1", "Q4", "Q2", "Q3"].iter().enumerate() {
        let stored = started(&store, id, 0).await;
        let submitted = Proposal {
            state: ProposalState::Submitted,
            updated: now().timestamp() + 10 * i as i64,
            submitted: Some(now().timestamp() + 10 * i as i64),
            ..stored.proposal
        };
        let saved =
            store.save_proposal(&submitted, stored.version, Members::UNCHANGED, None, now());
        assert!(saved.await.unwrap());
    }
    started(&store, "Q-draft", 0).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (page, next) = (store.proposals(ProposalState::Submitted, after.as_deref(), 2))
            .await
            .unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.into_iter().map(|p| p.proposal.id));
        match next {
            Some(mark) => after = Some(mark),
            None => break,
        }
    }
    assert_eq!(seen, ["Q5", "Q1", "Q4", "Q2", "Q3"]);
    let (drafts, next) = (store.proposals(ProposalState::Draft, None, 10))
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(next, None);
}

pub(crate) async fn a_rejection_is_written_once_and_erases_the_committee(
    store: Arc<dyn AdminStore>,
) {
    let stored = started(&store, "P6", 0).await;
    joined(&store, "P6", "P6-m1", "cin-1", "MA-01").await;
    let members = store.members("P6").await.unwrap();
    let rejected = Proposal {
        state: ProposalState::Rejected,
        ..stored.proposal.clone()
    };
    // Over a version no longer current: nothing written.
    let stale = store.save_proposal(
        &rejected,
        stored.version,
        Members::erase(&members),
        None,
        now(),
    );
    assert!(!stale.await.unwrap());
    assert_eq!(store.members("P6").await.unwrap().len(), 2);
    let seen = store.proposal("P6").await.unwrap().unwrap().version;
    let m = message("P6-decision");
    let saved = store.save_proposal(&rejected, seen, Members::erase(&members), Some(&m), now());
    assert!(saved.await.unwrap());
    let after = store.proposal("P6").await.unwrap().unwrap();
    assert_eq!(after.proposal.state, ProposalState::Rejected);
    assert!(store.members("P6").await.unwrap().is_empty());
    assert_eq!(store.keyed("key-P6").await.unwrap(), None);
    assert_eq!(store.keyed("key-P6-m1").await.unwrap(), None);
    let (rejected, _) = (store.proposals(ProposalState::Rejected, None, 10))
        .await
        .unwrap();
    assert_eq!(rejected.len(), 1);
    let (drafts, _) = store
        .proposals(ProposalState::Draft, None, 10)
        .await
        .unwrap();
    assert!(drafts.is_empty());
}
