//! The built Lambda binaries themselves, started as Lambda starts them: polling a local
//! Lambda Runtime API for API Gateway events, answering with API Gateway responses.

use base64::Engine;
use musharaka_functions::local_runtime::LocalRuntime;
use musharaka_functions::notify::{Body, Message};
use musharaka_functions::store::AdminStore;
use musharaka_functions::store::sqlite::SqliteStore;
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn event(name: &str) -> Value {
    let path = format!("{}/tests/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Function(Child);

impl Drop for Function {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn start(binary: &str, runtime: &LocalRuntime, store: &std::path::Path) -> Function {
    let b64 = base64::engine::general_purpose::STANDARD;
    let child = Command::new(binary)
        .envs(runtime.lambda_env("musharaka-test"))
        .env("MUSHARAKA_STORE", format!("sqlite:{}", store.display()))
        .env("MUSHARAKA_SITE_ORIGIN", "https://musharaka.ma")
        .env("MUSHARAKA_PEPPER", b64.encode([5u8; 32]))
        .env("MUSHARAKA_DATA_KEY", b64.encode([6u8; 32]))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the Lambda binary starts");
    Function(child)
}

async fn published_store(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("store.sqlite3");
    let store = SqliteStore::open(&path).unwrap();
    let catalog = serde_json::json!({
        "version": 2,
        "base_url": "https://musharaka.ma",
        "entries": [{
            "id": "p-open", "kind": "petition",
            "target": {"authority": "head-of-government"},
            "threshold": 4000, "state": "collecting",
            "opens": "2020-01-01T00:00:00+01:00", "closes": "2100-01-01T00:00:00+01:00",
            "erase_by": "2102-01-01T00:00:00+01:00", "title": {}, "url": {}
        }]
    });
    store
        .publish(&serde_json::from_value(catalog).unwrap())
        .await
        .unwrap();
    path
}

/// The code of the last message waiting in the store's outbox, opened with the binary's keys.
async fn last_code(store: &std::path::Path) -> (String, String) {
    let secrets = musharaka_functions::crypto::Secrets::new(vec![5; 32], [6; 32]).unwrap();
    let items = SqliteStore::open(store).unwrap().outbox(100).await.unwrap();
    let message = Message::open(&secrets, items.last().expect("a message in the outbox")).unwrap();
    match message.body {
        Body::Code {
            code, reference, ..
        } => (reference, code),
        _ => panic!("not a signature's code"),
    }
}

/// A confirmation event for `reference` with `code`, as the confirmation page's script sends it.
fn confirm_event(reference: &str, code: &str) -> Value {
    let mut e = event("sign-json.json");
    for (at, value) in [
        ("rawPath", "/api/confirm"),
        ("routeKey", "POST /api/confirm"),
    ] {
        e[at] = value.into();
    }
    e["requestContext"]["http"]["path"] = "/api/confirm".into();
    e["requestContext"]["routeKey"] = "POST /api/confirm".into();
    let body = serde_json::json!({"lang": "fr", "reference": reference, "code": code}).to_string();
    e["headers"]["content-length"] = body.len().to_string().into();
    e["body"] = body.into();
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_binary_answers_api_gateway_events_from_the_runtime_api() {
    let dir = tempfile::tempdir().unwrap();
    let store = published_store(&dir).await;
    let runtime = LocalRuntime::start().await.unwrap();
    let _sign = start(env!("CARGO_BIN_EXE_sign"), &runtime, &store);
    let wait = Duration::from_secs(20);

    let answer = runtime
        .invoke(&event("sign-form.json"), wait)
        .await
        .unwrap();
    // Without JavaScript the confirmation form comes as a page, not a redirection.
    assert_eq!(answer["statusCode"], 202, "{answer}");
    assert_eq!(
        answer["headers"]["content-type"],
        "text/html; charset=utf-8"
    );
    assert!(
        answer["body"]
            .as_str()
            .unwrap()
            .contains("data-code=\"code-sent\""),
        "{answer}"
    );
    let (reference, code) = last_code(&store).await;
    let answer = runtime
        .invoke(&confirm_event(&reference, &code), wait)
        .await
        .unwrap();
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["code"], "signed");
    assert_eq!(body["count"]["total"], 1);
    assert!(body["receipt"]["code"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counts_binary_reads_what_sign_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let store = published_store(&dir).await;
    let runtime = LocalRuntime::start().await.unwrap();
    {
        let _sign = start(env!("CARGO_BIN_EXE_sign"), &runtime, &store);
        let answer = runtime
            .invoke(&event("sign-json.json"), Duration::from_secs(20))
            .await
            .unwrap();
        assert_eq!(answer["statusCode"], 202);
        let (reference, code) = last_code(&store).await;
        let answer = runtime
            .invoke(&confirm_event(&reference, &code), Duration::from_secs(20))
            .await
            .unwrap();
        assert_eq!(answer["statusCode"], 200, "{answer}");
    }
    let runtime = LocalRuntime::start().await.unwrap();
    let _counts = start(env!("CARGO_BIN_EXE_counts"), &runtime, &store);
    let answer = runtime
        .invoke(&event("counts.json"), Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["counts"]["p-open"]["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committee_binary_answers_a_private_code_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let store = published_store(&dir).await;
    let runtime = LocalRuntime::start().await.unwrap();
    let _committee = start(env!("CARGO_BIN_EXE_committee"), &runtime, &store);
    let answer = runtime
        .invoke(&event("committee-form.json"), Duration::from_secs(20))
        .await
        .unwrap();
    // Without JavaScript, to the result page that says so, in the form's language.
    assert_eq!(answer["statusCode"], 303, "{answer}");
    assert_eq!(answer["headers"]["location"], "/fr/result/unknown-key/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binary_without_its_settings_reports_an_init_error() {
    let runtime = LocalRuntime::start().await.unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_comment"))
        .envs(runtime.lambda_env("musharaka-test"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _f = Function(child);
    let err = runtime
        .invoke(&event("comment-form.json"), Duration::from_secs(3))
        .await
        .unwrap_err();
    assert!(
        err.contains("did not answer") || err.contains("init error"),
        "{err}"
    );
}
