//! A citizen's proposal from the portal to collection, on each store: its committee forms
//! through the API (codes read from the messages really queued), `proposals accept` writes the
//! content file that `check` accepts, `build` and `publish` open collection with the committee
//! as its first signatures, a signer signs, the export lists the committee; `reject` shows its
//! reason on the public list in the three languages; the agent's code shows each state.

#[path = "../generator/tests/common/mod.rs"]
mod common;

use axum::Router;
use musharaka_functions::crypto::Secrets;
use musharaka_functions::notify::{Body, Message};
use musharaka_functions::store::AdminStore;
#[cfg(feature = "moto")]
use musharaka_functions::store::Outgoing;
use musharaka_functions::{AppState, Settings, router};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use tower::ServiceExt;

/// Where the messages a store queued are read from.
enum Outbox {
    Sqlite(Arc<musharaka_functions::store::sqlite::SqliteStore>),
    #[cfg(feature = "moto")]
    Dynamo(aws_sdk_dynamodb::Client, String),
}

/// A portal in a temporary folder (the repository's content and theme), its store and keys,
/// and the API on that store.
struct World {
    site: tempfile::TempDir,
    data: PathBuf,
    spec: String,
    env: Vec<(String, String)>,
    store: Arc<dyn AdminStore>,
    outbox: Outbox,
    app: Router,
    secrets: Secrets,
}

fn site_with_keys() -> (tempfile::TempDir, PathBuf, Secrets) {
    let site = common::site_from(&[]);
    common::copy_tree(
        &common::workspace().join("content"),
        &site.path().join("content"),
    );
    let data = site.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (pepper, key) = Secrets::generate().unwrap();
    let keys = format!("pepper = \"{pepper}\"\ndata_key = \"{key}\"\n");
    std::fs::write(data.join("secrets.toml"), keys).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let private = std::fs::Permissions::from_mode(0o600);
    std::fs::set_permissions(data.join("secrets.toml"), private).unwrap();
    (site, data, Secrets::from_base64(&pepper, &key).unwrap())
}

fn app(store: Arc<dyn AdminStore>, secrets: &Secrets) -> Router {
    let mut settings = Settings::new("https://musharaka.ma", secrets.clone());
    settings.set_rate_limit("100000/60").unwrap();
    router(AppState::new(store, settings))
}

async fn sqlite_world() -> World {
    use musharaka_functions::store::sqlite::SqliteStore;
    let (site, data, secrets) = site_with_keys();
    let db = data.join("m.sqlite3");
    let sqlite = Arc::new(SqliteStore::open(&db).unwrap());
    let store: Arc<dyn AdminStore> = sqlite.clone();
    World {
        app: app(store.clone(), &secrets),
        spec: format!("sqlite:{}", db.display()),
        env: Vec::new(),
        store,
        outbox: Outbox::Sqlite(sqlite),
        site,
        data,
        secrets,
    }
}

impl World {
    fn root(&self) -> &Path {
        self.site.path()
    }

    fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_musharaka"))
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("the musharaka binary runs")
    }

    /// Runs the command, which must succeed; what it printed.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.cli(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.status.success(), "musharaka {args:?}: {text}");
        text
    }

    fn build_and_publish(&self, create_table: bool) -> String {
        let root = self.root().to_str().unwrap();
        let public = self.root().join("public");
        let public = public.to_str().unwrap();
        if create_table {
            // No table yet to read counts from.
            self.ok(&["build", "--root", root, "--out", public]);
        } else {
            self.ok(&[
                "build", "--root", root, "--out", public, "--store", &self.spec,
            ]);
        }
        let catalog = format!("{public}/catalog.json");
        let data = self.data.to_str().unwrap();
        let mut args = vec![
            "publish",
            "--store",
            &self.spec,
            "--catalog",
            &catalog,
            "--data",
            data,
        ];
        if create_table {
            args.push("--create-table");
        }
        self.ok(&args)
    }

    async fn post(&self, path: &str, fields: &Value) -> Value {
        let body = fields.to_string();
        let request = axum::http::Request::post(path)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("origin", "https://musharaka.ma")
            .header("x-forwarded-for", "197.230.1.20")
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = self.app.clone().oneshot(request).await.unwrap();
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// The message queued as `id`, opened with the portal's keys.
    async fn message(&self, id: &str) -> Message {
        let item = match &self.outbox {
            Outbox::Sqlite(s) => (s.outbox(10_000).await.unwrap().into_iter())
                .find(|m| m.id == id)
                .unwrap_or_else(|| panic!("no message {id}")),
            #[cfg(feature = "moto")]
            Outbox::Dynamo(client, table) => {
                let key = musharaka_functions::store::dynamo::outbox_key(id);
                let got = client.get_item().table_name(table).set_key(Some(key));
                let item = got.send().await.unwrap().item.expect("the message");
                let sealed = item["sealed"].as_b().unwrap().as_ref().to_vec();
                Outgoing {
                    id: id.to_string(),
                    sealed,
                }
            }
        };
        Message::open(&self.secrets, &item).unwrap()
    }

    /// Seats the person whose answer was `sent`, with the code really queued: their key.
    async fn seat(&self, sent: &Value) -> String {
        assert_eq!(sent["code"], "seat-code-sent", "{sent}");
        let reference = sent["seat"]["reference"].as_str().unwrap();
        let Body::CommitteeCode { code, .. } = self.message(&format!("{reference}-0")).await.body
        else {
            panic!("not a committee code");
        };
        let fields = json!({"lang": "fr", "proposal": sent["seat"]["proposal"], "reference": reference, "code": code});
        let seated = self.post("/api/seat", &fields).await;
        assert_eq!(seated["code"], "seated", "{seated}");
        seated["key"]["code"].as_str().unwrap().to_string()
    }

    async fn page(&self, key: &str, action: &str, more: Value) -> Value {
        let mut fields = json!({"lang": "fr", "key": key, "do": action});
        for (k, v) in more.as_object().unwrap() {
            fields[k] = v.clone();
        }
        self.post("/api/committee", &fields).await
    }

    /// A proposal proposed, its committee of five formed, its deputy named and submitted: its
    /// id and its agent's key.
    async fn submitted(&self, title: &str, n: u32) -> (String, String) {
        let mut fields = person(n * 10, "MA-04");
        for (k, v) in proposal_text(title).as_object().unwrap() {
            fields[k] = v.clone();
        }
        let sent = self.post("/api/propose", &fields).await;
        let id = sent["seat"]["proposal"].as_str().unwrap().to_string();
        let agent = self.seat(&sent).await;
        let draft = self.page(&agent, "show", json!({})).await;
        assert_eq!(draft["proposal"]["state"], "draft", "{draft}");
        let invitation = draft["committee"]["invitation"]
            .as_str()
            .unwrap()
            .to_string();
        for m in 1..=4 {
            let mut fields = person(n * 10 + m, if m % 2 == 0 { "MA-01" } else { "MA-07" });
            fields["invitation"] = invitation.clone().into();
            let sent = self.post("/api/join", &fields).await;
            self.seat(&sent).await;
        }
        let page = self.page(&agent, "show", json!({})).await;
        let deputy = page["committee"]["members"][1]["reference"].clone();
        self.page(&agent, "deputy", json!({"member": deputy})).await;
        let submitted = self.page(&agent, "submit", json!({})).await;
        assert_eq!(submitted["code"], "proposal-submitted", "{submitted}");
        (id, agent)
    }
}

fn person(n: u32, region: &str) -> Value {
    json!({
        "lang": "fr", "first_name": format!("Prénom{n}"), "family_name": "Bennani",
        "cin": format!("BK{:06}", 1000 + n), "address": "3 derb Sidi Ahmed, Marrakech",
        "region": region, "contact": format!("personne{n}@example.ma"),
        "attest_electoral": true, "consent": true,
    })
}

fn proposal_text(title: &str) -> Value {
    let mut fields = json!({
        "kind": "petition", "authority": "head-of-government", "text_lang": "fr",
        "title": title,
        "request": "Ouvrir une bibliothèque publique dans chaque commune rurale.",
        "memorandum": "Les élèves n'ont aucun lieu pour lire.\n\n- pas de livres\n- pas de salle",
        "period": "120",
    });
    for e in
        musharaka_model::committee::exclusions(musharaka_model::state::InitiativeKind::Petition)
    {
        fields[format!("attest_{}", e.id)] = true.into();
    }
    fields
}

async fn total(store: &Arc<dyn AdminStore>, id: &str) -> u64 {
    store.counts(&[id.to_string()]).await.unwrap()[id].total
}

/// The whole journey on `w`.
async fn from_proposal_to_collection(w: World, create_table: bool) {
    w.build_and_publish(create_table);
    let spec = w.spec.clone();
    let (root, data) = (w.root().to_str().unwrap(), w.data.to_str().unwrap());

    let (id, agent) = w
        .submitted("Une bibliothèque dans chaque commune rurale", 1)
        .await;
    let listed = w.ok(&["proposals", "--store", &spec, "list"]);
    assert!(listed.contains(&id), "{listed}");
    let shown = w.ok(&["proposals", "--store", &spec, "show", &id]);
    assert!(shown.contains("5 members from 3 regions"), "{shown}");

    let version = (shown.split("accept with --version ").nth(1))
        .and_then(|v| v.split(')').next())
        .unwrap()
        .to_string();
    // A version no longer current is refused: the text accepted is the text reviewed.
    let mut accept = vec![
        "proposals",
        "--store",
        &spec,
        "accept",
        &id,
        "--version",
        "0",
        "--moderator",
        "Salma",
        "--root",
        root,
        "--data",
        data,
    ];
    let stale = w.cli(&accept);
    assert!(!stale.status.success());
    assert!(String::from_utf8_lossy(&stale.stderr).contains("changed since version 0"));
    accept[6] = &version;
    let accepted = w.ok(&accept);
    let initiative = format!("p-{}", id.to_lowercase());
    let file = w.root().join(format!(
        "content/petitions/une-biblioth-que-dans-chaque-commune-{}.fr.md",
        id.to_lowercase()
    ));
    assert!(file.is_file(), "{accepted}");
    let markdown = std::fs::read_to_string(&file).unwrap();
    assert!(
        markdown.contains(&format!("id = \"{initiative}\"")),
        "{markdown}"
    );
    assert!(markdown.contains("step = \"created\""));
    let check = w.ok(&["check", "--root", root]);
    let key = file
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .trim_end_matches(".fr.md");
    assert!(
        check.contains(&format!("to translate into ar: petitions/{key}")),
        "{check}"
    );
    assert!(
        check.contains(&format!("to translate into zgh: petitions/{key}")),
        "{check}"
    );
    let page = w.page(&agent, "show", json!({})).await;
    assert_eq!(page["proposal"]["state"], "accepted");

    // Built and published: collection opens with the committee's five signatures.
    let published = w.build_and_publish(false);
    assert!(
        published.contains("counted 5 committee members"),
        "{published}"
    );
    assert_eq!(total(&w.store, &initiative).await, 5);
    assert!(
        !w.build_and_publish(false).contains("counted"),
        "counted once"
    );
    let zgh = std::fs::read_to_string(
        w.root()
            .join(format!("public/zgh/petitions/{key}/index.html")),
    )
    .unwrap();
    assert!(zgh.contains("class=\"notice\""), "the fallback notice");
    let mut signer = person(99, "MA-04");
    signer["initiative"] = initiative.clone().into();
    let sent = w.post("/api/sign", &signer).await;
    assert_eq!(sent["code"], "code-sent", "{sent}");
    let reference = sent["confirm"]["reference"].as_str().unwrap();
    let Body::Code { code, .. } = w.message(&format!("{reference}-0")).await.body else {
        panic!("not a signing code");
    };
    let confirmed = w
        .post(
            "/api/confirm",
            &json!({"lang": "fr", "reference": reference, "code": code}),
        )
        .await;
    assert_eq!(confirmed["code"], "signed", "{confirmed}");
    assert_eq!(total(&w.store, &initiative).await, 6);

    // Closed, its export lists the committee with each role.
    let catalog = w.root().join("public/catalog.json");
    let mut value: Value =
        serde_json::from_str(&std::fs::read_to_string(&catalog).unwrap()).unwrap();
    for e in value["entries"].as_array_mut().unwrap() {
        if e["id"] == initiative.as_str() {
            e["closes"] = "2026-01-01T00:00:00+01:00".into();
            e["opens"] = "2025-12-01T00:00:00+01:00".into();
        }
    }
    std::fs::write(&catalog, value.to_string()).unwrap();
    let catalog = catalog.to_str().unwrap();
    w.ok(&[
        "publish",
        "--store",
        &spec,
        "--catalog",
        catalog,
        "--data",
        data,
    ]);
    let out = w.root().join("exports");
    let out = out.to_str().unwrap();
    w.ok(&[
        "export",
        "signatures",
        &initiative,
        "--store",
        &spec,
        "--exporter",
        "Salma",
        "--out",
        out,
        "--data",
        data,
    ]);
    let committee = std::fs::read_to_string(format!("{out}/{initiative}-committee.csv")).unwrap();
    assert_eq!(committee.lines().count(), 6, "{committee}");
    assert!(
        committee.contains("\"agent\",\"Bennani\",\"Prénom10\""),
        "{committee}"
    );
    assert!(committee.contains("\"deputy\","), "{committee}");
    let signatures = std::fs::read_to_string(format!("{out}/{initiative}-signatures.csv")).unwrap();
    assert_eq!(
        signatures.lines().count(),
        7,
        "5 members and 1 signer: {signatures}"
    );

    // Rejected for insult: listed in the three languages with its reason, without its text.
    let (rejected, rejected_agent) = w.submitted("Un titre injurieux pour un ministre", 2).await;
    w.ok(&[
        "proposals",
        "--store",
        &spec,
        "reject",
        &rejected,
        "--reason",
        "insult",
        "--moderator",
        "Salma",
        "--message",
        "Propos injurieux.",
        "--data",
        data,
    ]);
    let told = w.message(&format!("{rejected}-rejected-1")).await;
    assert_eq!(
        told.to, "personne20@example.ma",
        "the agent's confirmed contact"
    );
    assert!(matches!(told.body, Body::ProposalDecision { ref state, .. } if state == "rejected"));
    let page = w.page(&rejected_agent, "show", json!({})).await;
    assert_eq!(page["proposal"]["state"], "rejected");
    assert!(
        page["proposal"]["reviews"][0]
            .as_str()
            .unwrap()
            .contains("L'injure"),
        "{page}"
    );
    // Sent back: the agent reads what to change.
    let (sent_back, sent_back_agent) = w.submitted("Des bancs dans les jardins publics", 3).await;
    w.ok(&[
        "proposals",
        "--store",
        &spec,
        "request-changes",
        &sent_back,
        "--message",
        "Précisez les communes.",
        "--moderator",
        "Salma",
        "--data",
        data,
    ]);
    let page = w.page(&sent_back_agent, "show", json!({})).await;
    assert_eq!(page["proposal"]["state"], "changes-requested");
    assert!(page.to_string().contains("Précisez les communes."));
    w.build_and_publish(false);
    for (lang, reason) in [
        ("ar", "السب أو القذف"),
        ("zgh", "ⴰⵙⵔⵓⴳⴳⵍ"),
        ("fr", "L'injure, la diffamation"),
    ] {
        let list = std::fs::read_to_string(
            w.root()
                .join(format!("public/{lang}/proposals/rejected/index.html")),
        )
        .unwrap();
        assert!(
            list.contains(reason) || list.contains(&reason.replace('\'', "&#39;")),
            "{lang}: {list}"
        );
        assert!(
            !list.contains("Un titre injurieux"),
            "{lang}: the text is hidden"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_becomes_an_initiative_on_sqlite() {
    from_proposal_to_collection(sqlite_world().await, false).await;
}

#[cfg(feature = "moto")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_becomes_an_initiative_on_dynamodb() {
    use musharaka_functions::store::dynamo::DynamoStore;
    let endpoint = std::env::var("MUSHARAKA_TEST_DYNAMODB_ENDPOINT").expect(
        "MUSHARAKA_TEST_DYNAMODB_ENDPOINT is not set: run with `cargo xtask test`, which starts a local DynamoDB server",
    );
    let (site, data, secrets) = site_with_keys();
    let table = format!("proposals-{}", std::process::id());
    let env: Vec<(String, String)> = [
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str()),
        ("AWS_REGION", "eu-west-3"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
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
    let store: Arc<dyn AdminStore> = Arc::new(DynamoStore::new(client.clone(), &table));
    let w = World {
        app: app(store.clone(), &secrets),
        spec: format!("dynamodb:{table}"),
        env,
        store,
        outbox: Outbox::Dynamo(client, table),
        site,
        data,
        secrets,
    };
    from_proposal_to_collection(w, true).await;
}
