//! The scheduled jobs against a local AWS (moto: S3, CloudFront and DynamoDB): the site is
//! built, published and uploaded with its sources, as the deployment guide says; the
//! `musharaka` binary started as the `refresh` Lambda (through a local Lambda Runtime API)
//! writes nothing while nothing changed, and after a signature rewrites the pages that show
//! its count (the petition, its section, the home page, the lists, the open data), leaves the
//! other pages and the catalog alone, and invalidates the distribution's copies; the same
//! run from the command line (`musharaka refresh`) finds nothing to do after it; the `purge`
//! Lambda applies the published catalog's policy.

#![cfg(feature = "moto")]

#[path = "../generator/tests/common/mod.rs"]
mod common;
#[path = "support/keys.rs"]
mod keys;

use aws_sdk_cloudfront::types::{
    DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig, ViewerProtocolPolicy,
};
use musharaka_functions::local_runtime::LocalRuntime;
use musharaka_functions::store::dynamo::DynamoStore;
use musharaka_functions::store::{NewSignature, Store};
use musharaka_model::Lang;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const REGION: &str = "eu-west-3";

fn endpoint() -> String {
    std::env::var("MUSHARAKA_TEST_DYNAMODB_ENDPOINT").expect(
        "MUSHARAKA_TEST_DYNAMODB_ENDPOINT is not set: run with `cargo xtask test`, which starts a local AWS server",
    )
}

/// Runs the command line with the local AWS in its environment; returns what it printed.
fn musharaka(root: &Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_musharaka"))
        .args(args)
        .current_dir(root)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "musharaka {args:?}: {text}");
    text
}

fn credentials() -> aws_sdk_s3::config::Credentials {
    aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "test")
}

fn s3() -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(endpoint())
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

fn cloudfront() -> aws_sdk_cloudfront::Client {
    let config = aws_sdk_cloudfront::config::Builder::new()
        .behavior_version(aws_sdk_cloudfront::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudfront::config::Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(endpoint())
        .build();
    aws_sdk_cloudfront::Client::from_conf(config)
}

fn dynamodb() -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(endpoint())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A job's process, stopped when dropped (even when an assertion fails).
struct Job(std::process::Child);

impl Drop for Job {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `musharaka` binary started by a (local) Lambda runtime as the function of `job`.
fn start_job(runtime: &LocalRuntime, job: &str, table: &str, bucket: &str, cdn: &str) -> Job {
    let child = Command::new(env!("CARGO_BIN_EXE_musharaka"))
        .envs(runtime.lambda_env(job))
        .env("_HANDLER", job)
        .env("MUSHARAKA_STORE", format!("dynamodb:{table}"))
        .env("MUSHARAKA_BUCKET", bucket)
        .env("MUSHARAKA_DISTRIBUTION", cdn)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .spawn()
        .unwrap();
    Job(child)
}

/// What the job answered to a scheduled event.
async fn scheduled(runtime: &LocalRuntime) -> Value {
    let event = json!({"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}});
    runtime
        .invoke(&event, Duration::from_secs(120))
        .await
        .expect("the job answers")
}

/// Uploads every file under `dir` to `bucket` under `prefix`.
async fn upload(dir: &Path, bucket: &str, prefix: &str) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let body = std::fs::read(entry.path()).unwrap();
            let put = s3()
                .put_object()
                .bucket(bucket)
                .key(format!("{prefix}{rel}"));
            put.body(body.into()).send().await.unwrap();
        }
    }
}

/// An object of the bucket, as text, and when it was last written.
async fn object(bucket: &str, key: &str) -> (String, Option<aws_sdk_s3::primitives::DateTime>) {
    let o = s3()
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{key}: {e:?}"));
    let modified = o.last_modified;
    let bytes = o.body.collect().await.unwrap().into_bytes();
    (String::from_utf8(bytes.to_vec()).unwrap(), modified)
}

/// A distribution in front of `bucket`, as the deployment makes one.
async fn distribution(bucket: &str) -> String {
    let origin = Origin::builder()
        .id("site")
        .domain_name(format!("{bucket}.s3.{REGION}.amazonaws.com"))
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap();
    let config = DistributionConfig::builder()
        .caller_reference(bucket)
        .comment("site")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .unwrap(),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id("site")
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let made = cloudfront()
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .unwrap();
    made.distribution().unwrap().id().to_string()
}

/// The paths of every invalidation made on `id`, newest first.
async fn invalidated(id: &str) -> Vec<Vec<String>> {
    let cf = cloudfront();
    let list = cf
        .list_invalidations()
        .distribution_id(id)
        .send()
        .await
        .unwrap();
    let mut out = Vec::new();
    let summaries = list
        .invalidation_list()
        .map(|l| l.items())
        .unwrap_or_default();
    for s in summaries {
        let one = cf
            .get_invalidation()
            .distribution_id(id)
            .id(s.id())
            .send()
            .await
            .unwrap();
        let paths = one
            .invalidation()
            .unwrap()
            .invalidation_batch()
            .unwrap()
            .paths()
            .unwrap();
        out.push(paths.items().to_vec());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rewrites_the_pages_a_new_signature_changes_and_invalidates_them() {
    let site = common::site_from(&[]);
    let root = site.path();
    common::copy_tree(&common::workspace().join("content"), &root.join("content"));
    let (data, _) = keys::local_keys(root);
    let id = std::process::id();
    let (table, bucket) = (format!("refresh-{id}"), format!("site-{id}"));
    let spec = format!("dynamodb:{table}");
    let public = root.join("public");
    let (p, d) = (public.to_str().unwrap(), data.to_str().unwrap());
    musharaka(root, &["build", "--root", ".", "--out", p]);
    let catalog = format!("{p}/catalog.json");
    musharaka(
        root,
        &[
            "publish",
            "--store",
            &spec,
            "--catalog",
            &catalog,
            "--data",
            d,
            "--create-table",
        ],
    );

    // The site and its sources as the deployment uploads them.
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let location = CreateBucketConfiguration::builder()
        .location_constraint(BucketLocationConstraint::EuWest3)
        .build();
    let made = s3()
        .create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(location);
    made.send().await.unwrap();
    upload(&public, &bucket, "").await;
    upload(&root.join("content"), &bucket, "_source/content/").await;
    upload(&root.join("site-theme"), &bucket, "_source/site-theme/").await;
    let cdn = distribution(&bucket).await;
    let runtime = LocalRuntime::start().await.unwrap();
    let job = start_job(&runtime, "refresh", &table, &bucket, &cdn);

    // The first run knows nothing of what the pages show: it renders every dated page again.
    let first = scheduled(&runtime).await;
    assert!(first["documents"].as_u64().unwrap() > 10, "{first}");
    assert_eq!(invalidated(&cdn).await.len(), 1, "{first}");
    let (about_before, about_written) = object(&bucket, "fr/about/index.html").await;
    let (catalog_before, _) = object(&bucket, "catalog.json").await;

    let second = scheduled(&runtime).await;
    assert_eq!(second, json!({"documents": 0, "files": 0}));
    assert_eq!(invalidated(&cdn).await.len(), 1, "nothing to invalidate");

    // A signature counted on the national petition.
    let entries: serde_json::Value = serde_json::from_str(&catalog_before).unwrap();
    let petition = (entries["entries"].as_array().unwrap().iter())
        .find(|e| {
            e["kind"] == "petition"
                && e["state"] == "collecting"
                && e["target"]["authority"] == "head-of-government"
        })
        .unwrap();
    let petition_id = petition["id"].as_str().unwrap();
    let page = petition["url"]["fr"]
        .as_str()
        .unwrap()
        .trim_start_matches("https://musharaka.ma/");
    let store = DynamoStore::new(dynamodb(), &table);
    let before = store.counts(&[petition_id.to_string()]).await.unwrap();
    let before = before.get(petition_id).map_or(0, |c| c.total);
    let signature = NewSignature {
        initiative: petition_id.into(),
        signer: format!("{:0>64}", "51"),
        region: "MA-04".into(),
        lang: Lang::Fr,
        sealed: vec![1, 2, 3],
        receipt: "receipt-refresh".into(),
        expires: chrono::Utc::now().timestamp() + 86_400,
        contact: "contact-refresh".into(),
        group: "phone:+212".into(),
        client: "client-refresh".into(),
    };
    store.sign(&signature, chrono::Utc::now()).await.unwrap();

    let third = scheduled(&runtime).await;
    assert!(third["documents"].as_u64().unwrap() >= 3, "{third}");
    drop(job);
    let after = before + 1;
    let shown = format!("{after} signature");
    let (petition_page, _) = object(&bucket, &format!("{page}index.html")).await;
    assert!(
        petition_page.contains(&format!("<strong class=\"count-total\">{shown}")),
        "the petition's page"
    );
    let (section, _) = object(&bucket, "fr/petitions/index.html").await;
    assert!(section.contains(&shown), "its section");
    let (by_state, _) = object(&bucket, "fr/browse/state/collecting/index.html").await;
    assert!(by_state.contains(&shown), "the list by state");
    let (data, _) = object(&bucket, &format!("data/{petition_id}.json")).await;
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["initiative"]["signatures"], after);
    assert_eq!(data["regions"]["MA-04"], 1);

    let (about_after, about_rewritten) = object(&bucket, "fr/about/index.html").await;
    assert_eq!(
        (about_after, about_rewritten),
        (about_before, about_written),
        "a page without a count is left alone"
    );
    let (catalog_after, _) = object(&bucket, "catalog.json").await;
    assert_eq!(catalog_after, catalog_before, "the published catalog stays");

    let runs = invalidated(&cdn).await;
    assert_eq!(runs.len(), 2, "a run that wrote pages invalidates");
    assert!(
        runs.iter().all(|paths| paths == &["/*"]),
        "one path a run: {runs:?}"
    );
    let (state, _) = object(&bucket, "_jobs/refresh.json").await;
    assert!(state.contains(petition_id));

    // The command line runs the same job: nothing left to do.
    let refresh = [
        "refresh",
        "--root",
        ".",
        "--store",
        &spec,
        "--bucket",
        &bucket,
        "--distribution",
        &cdn,
    ];
    let by_hand = musharaka(root, &refresh);
    assert!(
        by_hand.contains("rendered 0 pages again; wrote 0 files"),
        "{by_hand}"
    );

    // The daily purge, with the published catalog: nothing is due yet.
    let runtime = LocalRuntime::start().await.unwrap();
    let purge = start_job(&runtime, "purge", &table, &bucket, "");
    let purged = scheduled(&runtime).await;
    drop(purge);
    assert_eq!(purged, json!({"deleted": 0}));
    let counts = store.counts(&[petition_id.to_string()]).await.unwrap();
    assert_eq!(counts[petition_id].total, after, "the count stays");
}
