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

/// Every file under `dir`, read whole.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// A withdrawn signature leaves no copy on disk: not in the database file (deleted rows are
/// overwritten), not in its write-ahead log (cut back a moment after the withdrawal, without
/// the signer waiting for it).
#[tokio::test]
async fn a_withdrawn_signature_leaves_no_byte_on_disk() {
    use musharaka_functions::store::NewSignature;
    let (store, dir) = make().await;
    store.publish(&conformance::catalog()).await.unwrap();
    let sealed = |i: u8| -> Vec<u8> {
        (0..48u8)
            .map(|j| i ^ j.wrapping_mul(37).wrapping_add(11))
            .collect()
    };
    for i in 0..40u8 {
        let s = NewSignature {
            sealed: sealed(i),
            ..conformance::signature("p-open", &format!("s{i}"), "MA-04")
        };
        store.sign(&s, conformance::now()).await.unwrap();
    }
    let secret = sealed(7);
    let found = |files: &[(std::path::PathBuf, Vec<u8>)]| {
        files
            .iter()
            .filter(|(_, bytes)| bytes.windows(secret.len()).any(|w| w == secret))
            .map(|(p, _)| p.display().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        !found(&files_under(dir.path())).is_empty(),
        "the test's signature is on disk before it is withdrawn"
    );
    let withdrawn = store
        .withdraw("receipt-p-open-s7", conformance::now())
        .await
        .unwrap();
    assert!(matches!(
        withdrawn,
        musharaka_functions::store::Withdrawal::Done { .. }
    ));
    let start = std::time::Instant::now();
    let mut left = found(&files_under(dir.path()));
    while !left.is_empty() && start.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        left = found(&files_under(dir.path()));
    }
    assert!(
        left.is_empty(),
        "the withdrawn signature is still in {left:?}"
    );
    assert_eq!(store.signatures("p-open").await.unwrap().len(), 39);
}

/// Runs `chattr` (an immutable file refuses every write, even root's).
fn chattr(flag: &str, files: &[std::path::PathBuf]) {
    let existing: Vec<_> = files.iter().filter(|f| f.exists()).collect();
    let status = std::process::Command::new("chattr")
        .arg(flag)
        .args(&existing)
        .status()
        .expect("chattr (e2fsprogs) is installed");
    assert!(status.success(), "chattr {flag} failed");
}

/// A store whose file could not be written when it was opened (SQLite then opens it read-only,
/// silently), or for a while later (a read-only disk, a full one), serves again once it can,
/// without a restart.
#[tokio::test]
async fn a_store_that_could_not_write_serves_again_once_it_can() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/musharaka.sqlite3");
    let files = [db.clone(), db.with_extension("sqlite3-wal")];
    {
        let store = SqliteStore::open(&db).unwrap();
        store.publish(&conformance::catalog()).await.unwrap();
    }
    // The closed store's threads let go of its files.
    std::thread::sleep(std::time::Duration::from_millis(300));
    chattr("+i", &files);
    let store = SqliteStore::open(&db);
    let store = match store {
        Ok(store) => store,
        Err(e) => {
            chattr("-i", &files);
            panic!("a store that can only be read does not open: {e}");
        }
    };
    let refused = sign(&store, 1).await;
    chattr("-i", &files);
    assert!(refused.is_err(), "a write to an immutable file succeeded");
    assert!(
        sign(&store, 2).await.is_ok(),
        "the store opened read-only stays unavailable once its file is writable"
    );

    chattr("+i", &files);
    let refused = sign(&store, 3).await;
    chattr("-i", &files);
    assert!(refused.is_err(), "a write to an immutable file succeeded");
    assert!(
        sign(&store, 4).await.is_ok(),
        "the store stays unavailable after its files are writable again"
    );
    assert_eq!(
        store.counts(&["p-open".into()]).await.unwrap()["p-open"].total,
        2
    );
}

/// One signature of `r<i>`.
async fn sign(
    store: &SqliteStore,
    i: u32,
) -> musharaka_functions::store::StoreResult<musharaka_functions::store::Stored> {
    let s = conformance::signature("p-open", &format!("r{i}"), "MA-04");
    store.sign(&s, conformance::now()).await
}
