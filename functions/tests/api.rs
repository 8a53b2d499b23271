//! The handlers as API Gateway (HTTP API, payload 2.0) calls them: real event JSON, parsed by
//! `lambda_http`, through the same router Lambda runs, on a real SQLite store.

use axum::Router;
use axum::body::Body;
use axum::http::Response;
use chrono::DateTime;
use musharaka_functions::crypto::Secrets;
use musharaka_functions::store::sqlite::SqliteStore;
use musharaka_functions::store::{
    AdminStore, Count, NewComment, NewSignature, Store, StoreError, StoreResult, Stored,
};
use musharaka_functions::{AppState, Settings, router};
use musharaka_model::Localized;
use musharaka_model::catalog::{Catalog, Consultation, Details, Entry, Initiative, SCHEMA_VERSION};
use musharaka_model::state::{ConsultationState, InitiativeState};
use musharaka_model::target::{Authority, Target};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

const ORIGIN: &str = "https://musharaka.ma";

fn entry(id: &str, details: Details, opens: &str, closes: &str) -> Entry {
    Entry {
        id: id.into(),
        details,
        opens: DateTime::parse_from_rfc3339(opens).unwrap(),
        closes: DateTime::parse_from_rfc3339(closes).unwrap(),
        title: Localized::new(),
        url: Localized::new(),
    }
}

fn petition(authority: Authority, region: Option<&str>, state: InitiativeState) -> Details {
    Details::Petition(Initiative {
        target: Target {
            authority,
            region: region.map(str::to_string),
            name: if authority == Authority::Commune {
                [(musharaka_model::Lang::Fr, "Asni".to_string())].into()
            } else {
                Localized::new()
            },
            population: (authority == Authority::Commune).then_some(20_000),
            arrondissements: false,
        },
        threshold: 100,
        state,
        decided: None,
        erase_by: DateTime::parse_from_rfc3339("2029-01-01T00:00:00+01:00").ok(),
    })
}

fn catalog() -> Catalog {
    let (o, c) = ("2020-01-01T00:00:00+01:00", "2100-01-01T00:00:00+01:00");
    Catalog {
        version: SCHEMA_VERSION,
        base_url: ORIGIN.into(),
        entries: vec![
            entry(
                "p-open",
                petition(
                    Authority::HeadOfGovernment,
                    None,
                    InitiativeState::Collecting,
                ),
                o,
                c,
            ),
            entry(
                "p-local",
                petition(
                    Authority::Commune,
                    Some("MA-07"),
                    InitiativeState::Collecting,
                ),
                o,
                c,
            ),
            entry(
                "p-closed",
                petition(
                    Authority::HeadOfGovernment,
                    None,
                    InitiativeState::Collecting,
                ),
                o,
                "2021-01-01T00:00:00+01:00",
            ),
            entry(
                "c-open",
                Details::Consultation(Consultation {
                    authority: Localized::new(),
                    state: ConsultationState::Open,
                    sections: vec!["s1".into(), "s1-1".into()],
                }),
                o,
                c,
            ),
        ],
        retention: Default::default(),
    }
}

fn settings() -> Settings {
    Settings::new(ORIGIN, Secrets::new(vec![5; 32], [6; 32]).unwrap())
}

struct Harness {
    app: Router,
    store: Arc<dyn AdminStore>,
    _dir: tempfile::TempDir,
}

async fn harness(settings: Settings) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn AdminStore> =
        Arc::new(SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap());
    store.publish(&catalog()).await.unwrap();
    let app = router(AppState::new(store.clone(), settings));
    Harness {
        app,
        store,
        _dir: dir,
    }
}

fn event(name: &str) -> Value {
    let path = format!("{}/tests/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn with_body(mut e: Value, body: &str) -> Value {
    e["body"] = Value::String(body.to_string());
    e["headers"]["content-length"] = Value::String(body.len().to_string());
    e
}

async fn call(app: &Router, e: &Value) -> Response<Body> {
    let request =
        lambda_http::request::from_str(&e.to_string()).expect("a valid API Gateway event");
    app.clone().oneshot(request).await.unwrap()
}

async fn json(r: Response<Body>) -> Value {
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn text(r: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The receipt code shown in a page or message (`XXXX-XXXX-XXXX-XXXX`).
fn receipt_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| {
            w.len() == 19 && w.split('-').all(|g| g.len() == 4) && w.matches('-').count() == 3
        })
        .map(str::to_string)
}

/// A request to `POST /api/signature` with `fields`, as a script (JSON) or a form.
fn signature_event(fields: &Value, script: bool) -> Value {
    let mut e = event("sign-json.json");
    e["rawPath"] = "/api/signature".into();
    e["routeKey"] = "POST /api/signature".into();
    e["requestContext"]["http"]["path"] = "/api/signature".into();
    e["requestContext"]["routeKey"] = "POST /api/signature".into();
    if !script {
        e["headers"]["accept"] = "text/html".into();
    }
    with_body(e, &fields.to_string())
}

fn location(r: &Response<Body>) -> &str {
    r.headers()["location"].to_str().unwrap()
}

async fn total(store: &Arc<dyn AdminStore>, id: &str) -> u64 {
    store.counts(&[id.to_string()]).await.unwrap()[id].total
}

#[tokio::test]
async fn a_form_without_javascript_is_thanked_then_told_it_already_signed() {
    let h = harness(settings()).await;
    let r = call(&h.app, &event("sign-form.json")).await;
    // The receipt code comes on a page of its own, never in a URL.
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("location").is_none());
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let page = text(r).await;
    assert!(page.contains("<html lang=\"fr\" dir=\"ltr\">"), "{page}");
    assert!(page.contains("Votre code de reçu"), "{page}");
    assert!(receipt_in(&page).is_some(), "{page}");
    assert!(page.contains("href=\"/fr/signature/\""), "{page}");
    assert_eq!(total(&h.store, "p-open").await, 1);
    let r = call(&h.app, &event("sign-form.json")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/fr/result/already-signed/");
    assert_eq!(
        total(&h.store, "p-open").await,
        1,
        "a second signature is not counted"
    );
}

#[tokio::test]
async fn a_script_gets_a_localized_json_answer_with_the_new_count() {
    let h = harness(settings()).await;
    let r = call(&h.app, &event("sign-json.json")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = json(r).await;
    assert_eq!(body["ok"], true);
    assert_eq!(body["code"], "signed");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("تم تسجيل توقيعك")
    );
    assert_eq!(body["count"]["total"], 1);
    assert_eq!(body["count"]["regions"]["MA-04"], 1);
    let receipt = body["receipt"]["code"].as_str().unwrap();
    assert_eq!(receipt_in(receipt).as_deref(), Some(receipt));
    assert_eq!(body["receipt"]["url"], "/ar/signature/");
    assert_eq!(body["receipt"]["label"], "رمز الوصل الخاص بك");
}

#[tokio::test]
async fn a_signer_checks_then_withdraws_with_the_receipt_and_the_count_drops() {
    let h = harness(settings()).await;
    let signed = json(call(&h.app, &event("sign-json.json")).await).await;
    let receipt = signed["receipt"]["code"].as_str().unwrap().to_string();
    assert_eq!(total(&h.store, "p-open").await, 1);
    let ask = |fields: Value, script: bool| {
        let e = signature_event(&fields, script);
        let app = h.app.clone();
        async move { call(&app, &e).await }
    };

    // Checked as typed by a person: lower case, spaces for dashes.
    let typed = receipt.to_lowercase().replace('-', " ");
    let r = ask(serde_json::json!({"lang": "fr", "receipt": typed}), true).await;
    assert_eq!(r.status(), 200);
    let body = json(r).await;
    assert_eq!(body["code"], "counted");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Signature comptée")
    );

    assert_eq!(body["initiative"]["title"], "p-open", "which initiative");
    assert!(
        body["initiative"]["signed"]
            .as_str()
            .unwrap()
            .starts_with("Signée le ")
    );

    // Without JavaScript: a page of the language that names the initiative.
    let r = ask(
        serde_json::json!({"lang": "zgh", "receipt": receipt}),
        false,
    )
    .await;
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(page.contains("<html lang=\"zgh\" dir=\"ltr\">"), "{page}");
    assert!(
        page.contains("data-code=\"counted\"") && page.contains("p-open"),
        "{page}"
    );

    // Bad input changes nothing.
    for (fields, status, code) in [
        (
            serde_json::json!({"lang": "fr", "receipt": " "}),
            422,
            "missing-field",
        ),
        (
            serde_json::json!({"lang": "fr", "receipt": "not a code"}),
            422,
            "unknown-receipt",
        ),
        (
            serde_json::json!({"lang": "fr", "receipt": "0000-0000-0000-0000"}),
            422,
            "unknown-receipt",
        ),
        (
            serde_json::json!({"lang": "fr", "receipt": receipt, "do": "withdraw"}),
            422,
            "confirmation-required",
        ),
    ] {
        let r = ask(fields.clone(), true).await;
        assert_eq!(r.status(), status, "{fields}");
        assert_eq!(json(r).await["code"], code, "{fields}");
        assert_eq!(total(&h.store, "p-open").await, 1, "{fields}");
    }

    let r = ask(
        serde_json::json!({"lang": "fr", "receipt": receipt, "do": "withdraw", "confirm": true}),
        true,
    )
    .await;
    assert_eq!(r.status(), 200);
    let body = json(r).await;
    assert_eq!(body["code"], "withdrawn");
    assert_eq!(body["count"]["total"], 0);
    assert_eq!(total(&h.store, "p-open").await, 0);
    assert!(h.store.signatures("p-open").await.unwrap().is_empty());

    // The code is spent; signing again is allowed and counted.
    let r = ask(serde_json::json!({"lang": "fr", "receipt": receipt}), false).await;
    assert_eq!(location(&r), "/fr/result/unknown-receipt/");
    let again = json(call(&h.app, &event("sign-json.json")).await).await;
    assert_eq!(again["code"], "signed");
    let receipt = again["receipt"]["code"].as_str().unwrap().to_string();
    assert_eq!(total(&h.store, "p-open").await, 1);

    // Once filed, a signature stays with the filing.
    let mut filed = catalog();
    if let Details::Petition(i) = &mut filed.entries[0].details {
        i.state = InitiativeState::Filed;
    }
    h.store.publish(&filed).await.unwrap();
    let r = ask(
        serde_json::json!({"lang": "ar", "receipt": receipt, "do": "withdraw", "confirm": true}),
        true,
    )
    .await;
    assert_eq!(r.status(), 409);
    let body = json(r).await;
    assert_eq!(body["code"], "withdrawal-closed");
    assert!(body["message"].as_str().unwrap().contains("لا يمكن السحب"));
    assert_eq!(total(&h.store, "p-open").await, 1);
}

#[tokio::test]
async fn each_bad_input_has_its_status_code_and_message_and_stores_nothing() {
    let h = harness(settings()).await;
    let base = event("sign-json.json");
    let body: Value = serde_json::from_str(base["body"].as_str().unwrap()).unwrap();
    let variant = |f: &dyn Fn(&mut Value)| {
        let mut b = body.clone();
        f(&mut b);
        with_body(base.clone(), &b.to_string())
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "no consent",
            variant(&|b| b["consent"] = Value::Bool(false)),
            422,
            "consent-required",
        ),
        (
            "bad CIN",
            variant(&|b| b["cin"] = "123456".into()),
            422,
            "invalid-cin",
        ),
        (
            "no name",
            variant(&|b| b["first_name"] = " ".into()),
            422,
            "missing-field",
        ),
        (
            "bad region",
            variant(&|b| b["region"] = "MA-13".into()),
            422,
            "invalid-region",
        ),
        (
            "no attestation",
            variant(&|b| b["attest_electoral"] = Value::Bool(false)),
            422,
            "attestation-required",
        ),
        (
            "unknown",
            variant(&|b| b["initiative"] = "p-nope".into()),
            422,
            "not-found",
        ),
        (
            "closed",
            variant(&|b| b["initiative"] = "p-closed".into()),
            409,
            "closed",
        ),
        (
            "consultation",
            variant(&|b| b["initiative"] = "c-open".into()),
            409,
            "wrong-kind",
        ),
        (
            "robot",
            variant(&|b| b["website"] = "http://spam".into()),
            400,
            "bad-request",
        ),
        (
            "outside the commune",
            variant(&|b| {
                b["initiative"] = "p-local".into();
                b["attest_local"] = Value::Bool(true);
            }),
            422,
            "not-eligible",
        ),
        (
            "not JSON",
            with_body(base.clone(), "{\"initiative\":"),
            400,
            "bad-request",
        ),
    ];
    for (what, e, status, code) in cases {
        let r = call(&h.app, &e).await;
        assert_eq!(r.status(), status, "{what}");
        let body = json(r).await;
        assert_eq!(body["code"], code, "{what}");
        assert_eq!(body["ok"], false, "{what}");
        assert_eq!(
            body["lang"], "ar",
            "{what}: answered in the form's language"
        );
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    let counts = h
        .store
        .counts(&["p-open".into(), "p-local".into(), "p-closed".into()])
        .await
        .unwrap();
    assert!(counts.values().all(|c| c.total == 0), "{counts:?}");
}

#[tokio::test]
async fn envelope_problems_are_refused_before_reading_the_form() {
    let h = harness(settings()).await;
    let mut foreign = event("sign-json.json");
    foreign["headers"]["origin"] = "https://evil.example".into();
    let r = call(&h.app, &foreign).await;
    assert_eq!(r.status(), 403);

    let big = with_body(
        event("sign-form.json"),
        &format!("text={}", "a".repeat(20_000)),
    );
    let r = call(&h.app, &big).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/fr/result/too-large/");

    let mut plain = event("sign-json.json");
    plain["headers"]["content-type"] = "text/plain".into();
    assert_eq!(call(&h.app, &plain).await.status(), 415);

    let mut bad_utf8 = event("sign-json.json");
    bad_utf8["body"] = "/w==".into(); // 0xFF
    bad_utf8["isBase64Encoded"] = Value::Bool(true);
    assert_eq!(call(&h.app, &bad_utf8).await.status(), 400);
    assert_eq!(total(&h.store, "p-open").await, 0);
}

#[tokio::test]
async fn local_petitions_take_residents_of_their_region() {
    let h = harness(settings()).await;
    let base = event("sign-json.json");
    let mut body: Value = serde_json::from_str(base["body"].as_str().unwrap()).unwrap();
    body["initiative"] = "p-local".into();
    body["region"] = "MA-07".into();
    body["attest_local"] = Value::Bool(true);
    let r = call(&h.app, &with_body(base.clone(), &body.to_string())).await;
    assert_eq!(json(r).await["code"], "signed");
}

#[tokio::test]
async fn a_comment_on_an_article_waits_for_moderation() {
    let h = harness(settings()).await;
    let r = call(&h.app, &event("comment-form.json")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/zgh/result/commented/");
    let e = event("comment-form.json");
    let body = e["body"]
        .as_str()
        .unwrap()
        .replace("section=s1-1", "section=s9");
    let r = call(&h.app, &with_body(e, &body)).await;
    assert_eq!(location(&r), "/zgh/result/invalid-section/");
}

#[tokio::test]
async fn counts_are_cacheable_and_leave_unknown_ids_out() {
    let h = harness(settings()).await;
    call(&h.app, &event("sign-form.json")).await;
    let r = call(&h.app, &event("counts.json")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=5")
    );
    let body = json(r).await;
    assert_eq!(body["counts"]["p-open"]["total"], 1);
    assert_eq!(body["counts"]["c-open"]["total"], 0);
    assert!(body["counts"].get("nope").is_none());
}

#[tokio::test]
async fn too_many_submissions_from_one_address_are_refused() {
    let mut s = settings();
    s.set_rate_limit("3/60").unwrap();
    let h = harness(s).await;
    for _ in 0..3 {
        assert_eq!(call(&h.app, &event("sign-json.json")).await.status(), 200);
    }
    let r = call(&h.app, &event("sign-json.json")).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "60");
    let mut other = event("sign-json.json");
    other["requestContext"]["http"]["sourceIp"] = "41.250.0.9".into();
    assert_eq!(call(&h.app, &other).await.status(), 200, "another address");
}

/// A store whose database is down.
struct Down;

#[async_trait::async_trait]
impl Store for Down {
    async fn entry(&self, _: &str) -> StoreResult<Option<Entry>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn sign(
        &self,
        _: &NewSignature,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Stored> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn comment(
        &self,
        _: &NewComment,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Stored> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn counts(&self, _: &[String]) -> StoreResult<BTreeMap<String, Count>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn receipted(
        &self,
        _: &str,
    ) -> StoreResult<Option<musharaka_functions::store::Receipted>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn withdraw(
        &self,
        _: &str,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<musharaka_functions::store::Withdrawal> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn allow(
        &self,
        _: &str,
        _: chrono::DateTime<chrono::Utc>,
        _: u64,
        _: u32,
    ) -> StoreResult<bool> {
        Err(StoreError::Unavailable("down".into()))
    }
}

#[tokio::test]
async fn an_unavailable_store_answers_503_with_retry_after() {
    let app = router(AppState::new(Arc::new(Down), settings()));
    let r = call(&app, &event("sign-json.json")).await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "2");
    assert_eq!(json(r).await["code"], "unavailable");
    assert_eq!(call(&app, &event("counts.json")).await.status(), 503);
}
