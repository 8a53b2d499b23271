//! The storage conformance suite on DynamoDB, through aws-sdk-dynamodb against a local
//! DynamoDB-compatible server (moto). `cargo xtask test` starts the server and sets
//! `MUSHARAKA_TEST_DYNAMODB_ENDPOINT`; each test gets a fresh table made from the deployment
//! template's definition.

mod conformance;

use musharaka_functions::store::Store;
use musharaka_functions::store::dynamo::DynamoStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

fn endpoint() -> String {
    std::env::var("MUSHARAKA_TEST_DYNAMODB_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "MUSHARAKA_TEST_DYNAMODB_ENDPOINT is not set: these tests need a local DynamoDB server. \
             Run them with `cargo xtask test`, which starts moto_server and sets it."
        )
    })
}

async fn make() -> (Arc<dyn Store>, ()) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let endpoint = endpoint();
    let client = {
        use aws_sdk_dynamodb::config::{BehaviorVersion, Builder, Credentials, Region};
        let config = Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-3"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .endpoint_url(endpoint)
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    };
    let table = format!(
        "musharaka-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let store = DynamoStore::new(client, table);
    store
        .create_table()
        .await
        .expect("create the table from infra/template.yaml");
    (Arc::new(store), ())
}

conformance_tests!(make());
