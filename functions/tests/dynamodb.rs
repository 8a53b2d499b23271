//! The storage conformance suite on DynamoDB, through aws-sdk-dynamodb against a local
//! DynamoDB-compatible server (moto). `cargo xtask test` starts the server and sets
//! `MUSHARAKA_TEST_DYNAMODB_ENDPOINT`; each test gets a fresh table made from the deployment
//! template's definition.

mod conformance;

use musharaka_functions::store::AdminStore;
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

async fn make() -> (Arc<dyn AdminStore>, ()) {
    let (store, _, _) = make_with_client().await;
    (store, ())
}

/// A store on a fresh table, with the client and the table's name.
async fn make_with_client() -> (Arc<dyn AdminStore>, aws_sdk_dynamodb::Client, String) {
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
    let store = DynamoStore::new(client.clone(), table.clone());
    store
        .create_table()
        .await
        .expect("create the table from infra/template.yaml");
    (Arc::new(store), client, table)
}

conformance_tests!(make());

/// DynamoDB forgets by itself: a signature and its receipt carry the initiative's retention
/// deadline in the TTL attribute, even if nobody runs `purge`.
#[tokio::test]
async fn signature_items_carry_the_retention_deadline_as_ttl() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use musharaka_functions::store::dynamo::{names, signature_pks};
    let (store, client, table) = make_with_client().await;
    store.publish(&conformance::catalog()).await.unwrap();
    let sig = conformance::signature("p-open", "a1", "MA-04");
    store.sign(&sig, conformance::now()).await.unwrap();
    let (pk, _) = signature_pks("p-open", &sig.signer);
    for (pk, sk) in [
        (pk, "SIG".to_string()),
        (format!("RECEIPT#{}", sig.receipt), "RECEIPT".to_string()),
    ] {
        let item = client
            .get_item()
            .table_name(&table)
            .key(names::PK, AttributeValue::S(pk.clone()))
            .key(names::SK, AttributeValue::S(sk))
            .send()
            .await
            .unwrap()
            .item
            .unwrap_or_else(|| panic!("no item {pk}"));
        assert_eq!(
            item[names::TTL].as_n().unwrap(),
            &sig.expires.to_string(),
            "{pk}"
        );
    }
}

/// A signing request and its message carry their deadlines as TTL: DynamoDB forgets a request
/// never confirmed after 24 hours, and a message a day after it was queued.
#[tokio::test]
async fn requests_and_messages_expire_by_ttl() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use musharaka_functions::store::dynamo::names;
    let (store, client, table) = make_with_client().await;
    store.publish(&conformance::catalog()).await.unwrap();
    let request = conformance::request("p-open", "TTLREQ01", "t1", "c1");
    let message = conformance::message("TTLREQ01-0");
    store
        .request(&request, &message, 10, conformance::now())
        .await
        .unwrap();
    let day = 86_400;
    for (pk, sk, expires) in [
        ("REQ#TTLREQ01", "REQ", request.expires),
        (
            "OUTBOX#TTLREQ01-0",
            "OUTBOX",
            conformance::now().timestamp() + day,
        ),
    ] {
        let item = client
            .get_item()
            .table_name(&table)
            .key(names::PK, AttributeValue::S(pk.into()))
            .key(names::SK, AttributeValue::S(sk.into()))
            .send()
            .await
            .unwrap()
            .item
            .unwrap_or_else(|| panic!("no item {pk}"));
        assert_eq!(
            item[names::TTL].as_n().unwrap(),
            &expires.to_string(),
            "{pk}"
        );
    }
    assert_eq!(
        request.expires - conformance::now().timestamp(),
        day,
        "24 hours"
    );
}
