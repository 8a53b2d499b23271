//! What the API tests share: a catalog, a router on a real SQLite store, real API Gateway
//! events, and the local outbox the one-time codes are read from, as a signer reads them.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::Response;
use chrono::DateTime;
use musharaka_functions::crypto::Secrets;
use musharaka_functions::notify::{LocalOutbox, Notifier};
use musharaka_functions::store::AdminStore;
use musharaka_functions::store::sqlite::SqliteStore;
use musharaka_functions::{AppState, Settings, router};
use musharaka_model::Localized;
use musharaka_model::catalog::{Catalog, Consultation, Details, Entry, Initiative, SCHEMA_VERSION};
use musharaka_model::state::{ConsultationState, InitiativeState};
use musharaka_model::target::{Authority, Codes, Target};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

const ORIGIN: &str = "https://musharaka.ma";

pub(crate) fn entry(id: &str, details: Details, opens: &str, closes: &str) -> Entry {
    Entry {
        id: id.into(),
        details,
        opens: DateTime::parse_from_rfc3339(opens).unwrap(),
        closes: DateTime::parse_from_rfc3339(closes).unwrap(),
        title: Localized::new(),
        url: Localized::new(),
    }
}

/// A petition to `authority`: a region council's is Drâa-Tafilalet's (`MA-08`), a province
/// council's Figuig's (`02.251`), a commune council's Asni's (`07.041.07.03`, Marrakech-Safi).
pub(crate) fn petition(authority: Authority, state: InitiativeState) -> Details {
    let codes = match authority {
        Authority::Region => Codes {
            region: Some("MA-08"),
            ..Codes::default()
        },
        Authority::Province => Codes {
            province: Some("02.251"),
            ..Codes::default()
        },
        Authority::Commune => Codes {
            commune: Some("07.041.07.03"),
            ..Codes::default()
        },
        _ => Codes::default(),
    };
    let threshold = if authority == Authority::Region {
        300
    } else {
        100
    };
    Details::Petition(Initiative {
        target: Target::from_codes(authority, codes).expect("codes of the census"),
        threshold,
        per_province: (authority == Authority::Region).then_some(15),
        state,
        decided: None,
        erase_by: DateTime::parse_from_rfc3339("2029-01-01T00:00:00+01:00").ok(),
        per_contact: 3,
    })
}

pub(crate) fn catalog() -> Catalog {
    let (o, c) = ("2020-01-01T00:00:00+01:00", "2100-01-01T00:00:00+01:00");
    Catalog {
        version: SCHEMA_VERSION,
        base_url: ORIGIN.into(),
        entries: vec![
            entry(
                "p-open",
                petition(Authority::HeadOfGovernment, InitiativeState::Collecting),
                o,
                c,
            ),
            entry(
                "p-local",
                petition(Authority::Commune, InitiativeState::Collecting),
                o,
                c,
            ),
            entry(
                "p-closed",
                petition(Authority::HeadOfGovernment, InitiativeState::Collecting),
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
            entry(
                "p-region",
                petition(Authority::Region, InitiativeState::Collecting),
                o,
                c,
            ),
        ],
        retention: Default::default(),
        frames: Default::default(),
    }
}

pub(crate) fn settings() -> Settings {
    Settings::new(ORIGIN, Secrets::new(vec![5; 32], [6; 32]).unwrap())
}

pub(crate) struct Harness {
    pub app: Router,
    pub store: Arc<dyn AdminStore>,
    pub sqlite: Arc<SqliteStore>,
    pub secrets: Secrets,
    pub dir: tempfile::TempDir,
}

pub(crate) async fn harness(settings: Settings) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Arc::new(SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap());
    let store: Arc<dyn AdminStore> = sqlite.clone();
    store.publish(&catalog()).await.unwrap();
    let secrets = settings.secrets.clone();
    let app = router(AppState::new(store.clone(), settings));
    Harness {
        app,
        store,
        sqlite,
        secrets,
        dir,
    }
}

pub(crate) fn event(name: &str) -> Value {
    let path = format!("{}/tests/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub(crate) fn with_body(mut e: Value, body: &str) -> Value {
    e["body"] = Value::String(body.to_string());
    e["headers"]["content-length"] = Value::String(body.len().to_string());
    e
}

pub(crate) async fn call(app: &Router, e: &Value) -> Response<Body> {
    let request =
        lambda_http::request::from_str(&e.to_string()).expect("a valid API Gateway event");
    app.clone().oneshot(request).await.unwrap()
}

pub(crate) async fn json(r: Response<Body>) -> Value {
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub(crate) async fn text(r: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The receipt code shown in a page or message (`XXXX-XXXX-XXXX-XXXX`).
pub(crate) fn receipt_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| {
            w.len() == 19 && w.split('-').all(|g| g.len() == 4) && w.matches('-').count() == 3
        })
        .map(str::to_string)
}

/// A request to `POST /api/signature` with `fields`, as a script (JSON) or a form.
pub(crate) fn signature_event(fields: &Value, script: bool) -> Value {
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

pub(crate) fn location(r: &Response<Body>) -> &str {
    r.headers()["location"].to_str().unwrap()
}

pub(crate) async fn total(store: &Arc<dyn AdminStore>, id: &str) -> u64 {
    store.counts(&[id.to_string()]).await.unwrap()[id].total
}

/// A request to `POST <path>` with JSON `fields`, as a script (JSON answer) or a form (HTML).
pub(crate) fn post_event(path: &str, fields: &Value, script: bool) -> Value {
    let mut e = event("sign-json.json");
    e["rawPath"] = path.into();
    e["routeKey"] = format!("POST {path}").into();
    e["requestContext"]["http"]["path"] = path.into();
    e["requestContext"]["routeKey"] = format!("POST {path}").into();
    if !script {
        e["headers"]["accept"] = "text/html".into();
    }
    with_body(e, &fields.to_string())
}

/// The signing request of the JSON fixture, with `change` applied to its fields.
pub(crate) fn sign_event(change: impl Fn(&mut Value)) -> Value {
    let base = event("sign-json.json");
    let mut body: Value = serde_json::from_str(base["body"].as_str().unwrap()).unwrap();
    change(&mut body);
    with_body(base, &body.to_string())
}

impl Harness {
    /// The local outbox folder.
    pub(crate) fn outbox_dir(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    /// Sends what waits in the store's outbox, as `serve` does, into the local outbox folder.
    pub(crate) async fn deliver(&self) {
        let notifier = Notifier {
            origin: ORIGIN.into(),
            email: Arc::new(LocalOutbox::new(self.outbox_dir())),
            sms: Arc::new(LocalOutbox::new(self.outbox_dir())),
        };
        let items = self.sqlite.outbox(1000).await.unwrap();
        let done = notifier.send_all(&self.secrets, &items).await;
        assert_eq!(done.len(), items.len(), "every message was delivered");
        self.sqlite.sent(done).await.unwrap();
    }

    /// Every message delivered so far, oldest first: (recipient, whole text).
    pub(crate) fn messages(&self) -> Vec<(String, String)> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.outbox_dir())
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap();
                let to = text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("To: "))
                    .unwrap()
                    .to_string();
                (to, text)
            })
            .collect()
    }

    /// The last code sent for `reference`, read from the delivered messages.
    pub(crate) async fn code_for(&self, reference: &str) -> String {
        self.deliver().await;
        let (_, text) = self
            .messages()
            .into_iter()
            .rev()
            .find(|(_, t)| t.contains(reference))
            .unwrap_or_else(|| panic!("no message for {reference}"));
        six_digits(&text).unwrap_or_else(|| panic!("no code in {text}"))
    }

    /// Signs with `sign` (a JSON event) and confirms with the code sent: the confirmation's answer.
    pub(crate) async fn sign_and_confirm(&self, sign: &Value) -> Value {
        let sent = json(call(&self.app, sign).await).await;
        assert_eq!(sent["code"], "code-sent", "{sent}");
        let reference = sent["confirm"]["reference"].as_str().unwrap().to_string();
        let code = self.code_for(&reference).await;
        let fields = serde_json::json!({"lang": "ar", "reference": reference, "code": code});
        json(call(&self.app, &post_event("/api/confirm", &fields, true)).await).await
    }
}

/// The first run of exactly six digits in `text`.
pub(crate) fn six_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_string)
}
