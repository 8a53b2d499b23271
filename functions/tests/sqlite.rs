//! The storage conformance suite on the embedded SQLite store.

mod conformance;

use musharaka_functions::store::Store;
use musharaka_functions::store::sqlite::SqliteStore;
use std::sync::Arc;

async fn make() -> (Arc<dyn Store>, tempfile::TempDir) {
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
