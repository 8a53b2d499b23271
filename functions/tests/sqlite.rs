//! The storage conformance suite on the embedded SQLite store.

mod conformance;

use musharaka_functions::store::sqlite::SqliteStore;
use musharaka_functions::store::{AdminStore, Store};
use std::sync::Arc;

async fn make() -> (Arc<dyn AdminStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("data/musharaka.sqlite3")).unwrap();
    (Arc::new(store), dir)
}

conformance_tests!(make());

#[tokio::test]
async fn the_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.sqlite3");
    {
        let store = SqliteStore::open(&path).unwrap();
        store.publish(&conformance::catalog()).await.unwrap();
        store
            .sign(
                &conformance::signature("p-open", "a1", "MA-04"),
                conformance::now(),
            )
            .await
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.counts(&["p-open".into()]).await.unwrap()["p-open"].total,
        1
    );
}

/// The embedded store has no TTL: `purge` deletes the signatures past their deadline, and the
/// counts stay.
#[tokio::test]
async fn expired_signatures_are_erased_and_counts_kept() {
    use musharaka_functions::store::NewSignature;
    let (store, _dir) = make().await;
    store.publish(&conformance::catalog()).await.unwrap();
    let soon = NewSignature {
        expires: conformance::at("2027-03-01T00:00:00+01:00").timestamp(),
        ..conformance::signature("p-open", "a1", "MA-04")
    };
    let late = conformance::signature("p-open", "b2", "MA-04");
    store.sign(&soon, conformance::now()).await.unwrap();
    store.sign(&late, conformance::now()).await.unwrap();
    let between = conformance::at("2027-06-01T00:00:00+01:00");
    assert_eq!(
        store.erase_expired(between).await.unwrap(),
        [("p-open".to_string(), 1)].into()
    );
    let left = store.signatures("p-open").await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].signer, late.signer);
    assert_eq!(
        store.counts(&["p-open".into()]).await.unwrap()["p-open"].total,
        2
    );
    assert!(store.erase_expired(between).await.unwrap().is_empty());
}

/// The embedded store has no TTL: `purge` (and `serve`, every minute) deletes the signing
/// requests never confirmed within 24 hours, with the personal data they hold.
#[tokio::test]
async fn requests_never_confirmed_are_erased_after_a_day() {
    let (store, _dir) = make().await;
    store.publish(&conformance::catalog()).await.unwrap();
    let request = conformance::request("p-open", "OLDREQ01", "o1", "c1");
    store
        .request(
            &request,
            &conformance::message("OLDREQ01-0"),
            10,
            conformance::now(),
        )
        .await
        .unwrap();
    let hour_before = conformance::now() + chrono::Duration::hours(23);
    assert_eq!(store.erase_requests(hour_before).await.unwrap(), 0);
    assert!(store.pending("OLDREQ01").await.unwrap().is_some());
    let day_after = conformance::now() + chrono::Duration::hours(24);
    assert_eq!(store.erase_requests(day_after).await.unwrap(), 1);
    assert!(store.pending("OLDREQ01").await.unwrap().is_none());
}

/// Drafts never submitted go with their committee 30 days after they were started; a
/// submitted proposal stays, and so does its committee.
#[tokio::test]
async fn drafts_never_submitted_are_erased_after_30_days() {
    use musharaka_functions::store::{Members, NewMember};
    use musharaka_model::committee::Role;
    use musharaka_model::proposal::ProposalState;
    let (store, _dir) = make().await;
    let now = conformance::now();
    for id in ["OLD", "SENT"] {
        let agent = NewMember {
            role: Role::Agent,
            ..conformance::member(id, &format!("{id}-a"), &format!("{id}-cin"), "MA-04")
        };
        let p = conformance::proposal(id, 0);
        let m = conformance::message(&format!("{id}-a-0"));
        store.propose(&p, &agent, &m, 10, now).await.unwrap();
        let code = format!("code-{id}-a");
        store
            .seat(id, &agent.reference, &code, id, now)
            .await
            .unwrap();
    }
    let sent = store.proposal("SENT").await.unwrap().unwrap();
    let members = store.members("SENT").await.unwrap();
    let submitted = musharaka_model::proposal::Proposal {
        state: ProposalState::Submitted,
        submitted: Some(now.timestamp()),
        ..sent.proposal
    };
    let keep = Members::keep(&members, None);
    assert!(
        (store.save_proposal(&submitted, sent.version, keep, None, now))
            .await
            .unwrap()
    );
    // A request to join never confirmed goes after a day, with the data it holds.
    let waiting = conformance::member("OLD", "OLD-w", "OLD-w-cin", "MA-04");
    let m = conformance::message("OLD-w-0");
    store.join(&waiting, &m, 10, now).await.unwrap();
    assert_eq!(store.members("OLD").await.unwrap().len(), 2);
    store
        .erase_drafts(now + chrono::Duration::hours(25))
        .await
        .unwrap();
    assert_eq!(store.members("OLD").await.unwrap().len(), 1);
    let day_29 = now + chrono::Duration::days(29);
    assert_eq!(store.erase_drafts(day_29).await.unwrap(), 0);
    let day_30 = now + chrono::Duration::days(30);
    assert_eq!(store.erase_drafts(day_30).await.unwrap(), 1);
    assert!(store.proposal("OLD").await.unwrap().is_none());
    assert!(store.members("OLD").await.unwrap().is_empty());
    assert_eq!(store.keyed("OLD").await.unwrap(), None);
    assert!(store.proposal("SENT").await.unwrap().is_some());
    assert_eq!(store.members("SENT").await.unwrap().len(), 1);
}
