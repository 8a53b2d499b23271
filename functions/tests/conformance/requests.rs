//! Conformance of signing requests: pending until confirmed, codes that expire, lock and are
//! resent, per-contact limits, duplicates told apart by contact, contests and strikes.

use super::{catalog, now, signature};
use chrono::Duration;
use musharaka_functions::store::{
    AdminStore, Confirmation, Confirmed, NewRequest, Outgoing, RequestState, Requested,
};
use std::sync::Arc;

/// A request for `initiative` by the CIN `signer` from `contact`, whose code is `code-<reference>`.
pub(crate) fn request(
    initiative: &str,
    reference: &str,
    signer: &str,
    contact: &str,
) -> NewRequest {
    let mut s = signature(initiative, signer, "MA-04");
    s.contact = contact.into();
    s.receipt = String::new();
    s.expires = 0;
    s.sealed = format!("sealed-{reference}").into_bytes();
    NewRequest {
        reference: reference.into(),
        signature: s,
        code: format!("code-{reference}"),
        code_expires: (now() + Duration::minutes(15)).timestamp(),
        expires: (now() + Duration::hours(24)).timestamp(),
    }
}

pub(crate) fn message(id: &str) -> Outgoing {
    Outgoing {
        id: id.into(),
        sealed: vec![9, 9, 9],
    }
}

/// The confirmation of `reference` with its right code.
pub(crate) fn confirmation(reference: &str) -> Confirmation {
    Confirmation {
        code: format!("code-{reference}"),
        receipt: format!("receipt-{reference}"),
    }
}

async fn ask(store: &Arc<dyn AdminStore>, r: &NewRequest) {
    let m = message(&format!("{}-0", r.reference));
    assert_eq!(
        store.request(r, &m, 10, now()).await.unwrap(),
        Requested::Done
    );
}

async fn total(store: &Arc<dyn AdminStore>, id: &str) -> u64 {
    store.counts(&[id.to_string()]).await.unwrap()[id].total
}

pub(crate) async fn a_request_counts_only_once_confirmed(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let r = request("p-open", "REQA0001", "a1", "c1");
    ask(&store, &r).await;
    assert_eq!(
        total(&store, "p-open").await,
        0,
        "a pending request is not counted"
    );
    assert!(store.signatures("p-open").await.unwrap().is_empty());
    assert!(store.receipted("receipt-REQA0001").await.unwrap().is_none());
    assert_eq!(store.requested("p-open").await.unwrap(), 1);
    let p = store.pending("REQA0001").await.unwrap().unwrap();
    assert_eq!(
        (p.state, p.attempts, p.resends),
        (RequestState::Pending, 0, 0)
    );
    assert_eq!(p.initiative, "p-open");

    let mut wrong = confirmation("REQA0001");
    wrong.code = "code-other".into();
    assert_eq!(
        store.confirm("REQA0001", &wrong, now()).await.unwrap(),
        Confirmed::Changed
    );
    assert_eq!(total(&store, "p-open").await, 0);

    let Confirmed::Counted(_, count) = store
        .confirm("REQA0001", &confirmation("REQA0001"), now())
        .await
        .unwrap()
    else {
        panic!("the right code confirms");
    };
    assert_eq!(count.map(|c| c.total), Some(1));
    assert_eq!(total(&store, "p-open").await, 1);
    assert_eq!(
        store.pending("REQA0001").await.unwrap().unwrap().state,
        RequestState::Counted
    );
    assert_eq!(
        store
            .confirm("REQA0001", &confirmation("REQA0001"), now())
            .await
            .unwrap(),
        Confirmed::Changed,
        "a confirmed request is not confirmed twice"
    );
    assert_eq!(store.signatures("p-open").await.unwrap().len(), 1);
    assert!(store.receipted("receipt-REQA0001").await.unwrap().is_some());
    assert_eq!(
        store
            .confirm("NOSUCH00", &confirmation("NOSUCH00"), now())
            .await
            .unwrap(),
        Confirmed::NotFound
    );

    // A closed initiative takes no request.
    let late = request("p-past", "REQA0002", "a2", "c1");
    assert!(matches!(
        store
            .request(&late, &message("REQA0002-0"), 10, now())
            .await
            .unwrap(),
        Requested::Refused(_)
    ));
    assert!(
        store.pending("REQA0002").await.unwrap().is_none(),
        "nothing half written"
    );
}

pub(crate) async fn a_stale_or_locked_code_confirms_nothing(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let r = request("p-open", "REQB0001", "b1", "c1");
    ask(&store, &r).await;
    let later = now() + Duration::minutes(16);
    assert_eq!(
        store
            .confirm("REQB0001", &confirmation("REQB0001"), later)
            .await
            .unwrap(),
        Confirmed::Changed,
        "a code older than 15 minutes is stale"
    );
    let r = request("p-open", "REQB0002", "b2", "c2");
    ask(&store, &r).await;
    for _ in 0..5 {
        store.wrong_code("REQB0002").await.unwrap();
    }
    assert_eq!(
        store.pending("REQB0002").await.unwrap().unwrap().attempts,
        5
    );
    assert_eq!(
        store
            .confirm("REQB0002", &confirmation("REQB0002"), now())
            .await
            .unwrap(),
        Confirmed::Changed,
        "five wrong codes lock the request"
    );
    assert_eq!(total(&store, "p-open").await, 0);
}

pub(crate) async fn a_code_is_resent_once_per_turn(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let r = request("p-open", "REQC0001", "c1", "c1");
    ask(&store, &r).await;
    let later = now() + Duration::minutes(2);
    let expires = (later + Duration::minutes(15)).timestamp();
    assert!(
        store
            .resend(
                "REQC0001",
                0,
                "code-new",
                expires,
                &message("REQC0001-1"),
                later
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .resend(
                "REQC0001",
                0,
                "code-newer",
                expires,
                &message("REQC0001-1b"),
                later
            )
            .await
            .unwrap(),
        "a second resend of the same turn loses"
    );
    let p = store.pending("REQC0001").await.unwrap().unwrap();
    assert_eq!(
        (p.resends, p.sent, p.code.as_str()),
        (1, later.timestamp(), "code-new")
    );
    assert_eq!(
        store
            .confirm("REQC0001", &confirmation("REQC0001"), later)
            .await
            .unwrap(),
        Confirmed::Changed,
        "the old code no longer confirms"
    );
    let mut fresh = confirmation("REQC0001");
    fresh.code = "code-new".into();
    assert!(matches!(
        store.confirm("REQC0001", &fresh, later).await.unwrap(),
        Confirmed::Counted(..)
    ));
}

pub(crate) async fn one_contact_confirms_at_most_its_limit(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    for (i, reference) in ["REQD0001", "REQD0002", "REQD0003"].iter().enumerate() {
        ask(
            &store,
            &request("p-open", reference, &format!("d{i}"), "family"),
        )
        .await;
    }
    let c = |r: &str| confirmation(r);
    assert!(matches!(
        store
            .confirm("REQD0001", &c("REQD0001"), now())
            .await
            .unwrap(),
        Confirmed::Counted(..)
    ));
    assert!(matches!(
        store
            .confirm("REQD0002", &c("REQD0002"), now())
            .await
            .unwrap(),
        Confirmed::Counted(..)
    ));
    assert_eq!(
        store
            .confirm("REQD0003", &c("REQD0003"), now())
            .await
            .unwrap(),
        Confirmed::ContactLimit
    );
    assert_eq!(total(&store, "p-open").await, 2);
}

pub(crate) async fn a_contact_asks_for_a_bounded_number_of_codes_a_day(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let per_day = 2;
    for (i, reference) in ["REQE0001", "REQE0002", "REQE0003"].iter().enumerate() {
        let r = request("p-open", reference, &format!("e{i}"), "busy");
        let got = store
            .request(&r, &message(reference), per_day, now())
            .await
            .unwrap();
        let expected = if i < 2 {
            Requested::Done
        } else {
            Requested::ContactLimit
        };
        assert_eq!(got, expected, "request {i}");
    }
    assert!(
        store.pending("REQE0003").await.unwrap().is_none(),
        "nothing half written"
    );
    let tomorrow = now() + Duration::days(1);
    let r = request("p-open", "REQE0004", "e9", "busy");
    assert_eq!(
        store
            .request(&r, &message("REQE0004"), per_day, tomorrow)
            .await
            .unwrap(),
        Requested::Done
    );
}

pub(crate) async fn a_cin_confirmed_again_is_told_apart_by_contact_and_may_be_contested(
    store: Arc<dyn AdminStore>,
) {
    store.publish(&catalog()).await.unwrap();
    ask(&store, &request("p-open", "REQF0001", "f1", "first")).await;
    assert!(matches!(
        store
            .confirm("REQF0001", &confirmation("REQF0001"), now())
            .await
            .unwrap(),
        Confirmed::Counted(..)
    ));
    ask(&store, &request("p-open", "REQF0002", "f1", "first")).await;
    assert_eq!(
        store
            .confirm("REQF0002", &confirmation("REQF0002"), now())
            .await
            .unwrap(),
        Confirmed::SameContact
    );
    ask(&store, &request("p-open", "REQF0003", "f1", "second")).await;
    assert_eq!(
        store
            .confirm("REQF0003", &confirmation("REQF0003"), now())
            .await
            .unwrap(),
        Confirmed::OtherContact
    );
    assert_eq!(
        store.pending("REQF0003").await.unwrap().unwrap().state,
        RequestState::Other
    );
    assert!(
        !store.contest("REQF0002", now()).await.unwrap(),
        "only the other contact contests"
    );
    assert_eq!(total(&store, "p-open").await, 1);

    assert!(store.contest("REQF0003", now()).await.unwrap());
    assert_eq!(
        store.pending("REQF0003").await.unwrap().unwrap().state,
        RequestState::Contested
    );
    assert_eq!(
        total(&store, "p-open").await,
        1,
        "a disputed signature still counts"
    );
    assert!(
        store.signatures("p-open").await.unwrap().is_empty(),
        "but is left out of exports"
    );
    let disputes = store.disputes().await.unwrap();
    assert_eq!(disputes.len(), 1);
    assert_eq!(
        (disputes[0].id.as_str(), disputes[0].state.as_str()),
        ("REQF0003", "open")
    );
    assert_eq!(disputes[0].sealed, b"sealed-REQF0003");

    let (dispute, original) = store
        .resolve("REQF0003", false, "Salma", now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dispute.contact, "second");
    assert_eq!(
        original.sealed, b"sealed-REQF0001",
        "the struck signature's data, to tell its contact"
    );
    assert_eq!(
        total(&store, "p-open").await,
        1,
        "the contester's signature takes its place"
    );
    let exported = store.signatures("p-open").await.unwrap();
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].sealed, b"sealed-REQF0003");
    let decided = store.disputes().await.unwrap();
    assert_eq!(decided[0].state, "struck");
    assert_eq!(
        decided[0].decision.as_ref().map(|d| d.0.as_str()),
        Some("Salma")
    );
    assert!(
        store
            .resolve("REQF0003", true, "Salma", now())
            .await
            .unwrap()
            .is_none(),
        "decided once"
    );
}

pub(crate) async fn a_dispute_kept_leaves_the_signature_counted(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    ask(&store, &request("p-open", "REQG0001", "g1", "first")).await;
    assert!(matches!(
        store
            .confirm("REQG0001", &confirmation("REQG0001"), now())
            .await
            .unwrap(),
        Confirmed::Counted(..)
    ));
    ask(&store, &request("p-open", "REQG0002", "g1", "second")).await;
    assert_eq!(
        store
            .confirm("REQG0002", &confirmation("REQG0002"), now())
            .await
            .unwrap(),
        Confirmed::OtherContact
    );
    assert!(store.contest("REQG0002", now()).await.unwrap());
    store
        .resolve("REQG0002", true, "Salma", now())
        .await
        .unwrap()
        .unwrap();
    let exported = store.signatures("p-open").await.unwrap();
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].sealed, b"sealed-REQG0001");
    assert_eq!(total(&store, "p-open").await, 1);
    assert_eq!(store.disputes().await.unwrap()[0].state, "kept");
}

pub(crate) async fn struck_signatures_stop_counting_and_leave_the_export(
    store: Arc<dyn AdminStore>,
) {
    store.publish(&catalog()).await.unwrap();
    for (i, reference) in ["REQH0001", "REQH0002", "REQH0003"].iter().enumerate() {
        ask(
            &store,
            &request("p-open", reference, &format!("h{i}"), &format!("h{i}")),
        )
        .await;
        assert!(matches!(
            store
                .confirm(reference, &confirmation(reference), now())
                .await
                .unwrap(),
            Confirmed::Counted(..)
        ));
    }
    let meta = store.signature_meta("p-open").await.unwrap();
    assert_eq!(meta.len(), 3);
    assert!(
        meta.iter()
            .all(|m| m.state == "counted" && m.group == "phone:+212" && m.client == "client-1")
    );
    let doomed: Vec<String> = meta.iter().take(2).map(|m| m.signer.clone()).collect();
    assert_eq!(store.strike("p-open", &doomed).await.unwrap(), 2);
    assert_eq!(
        store.strike("p-open", &doomed).await.unwrap(),
        0,
        "struck once"
    );
    assert_eq!(total(&store, "p-open").await, 1);
    assert_eq!(store.signatures("p-open").await.unwrap().len(), 1);
    let states: Vec<String> = store
        .signature_meta("p-open")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.state)
        .collect();
    assert_eq!(states.iter().filter(|s| *s == "struck").count(), 2);
}

pub(crate) async fn concurrent_confirmations_count_once(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    ask(&store, &request("p-open", "REQJ0001", "j1", "j1")).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .confirm("REQJ0001", &confirmation("REQJ0001"), now())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut counted = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), Confirmed::Counted(..)) {
            counted += 1;
        }
    }
    assert_eq!(counted, 1, "exactly one confirmation counts");
    assert_eq!(total(&store, "p-open").await, 1);
}
