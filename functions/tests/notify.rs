//! Delivery against real local servers, as `cargo xtask test` starts them: moto for DynamoDB,
//! SES and SNS (`MUSHARAKA_TEST_DYNAMODB_ENDPOINT`), aiosmtpd writing to a Maildir for SMTP
//! (`MUSHARAKA_TEST_SMTP`, `MUSHARAKA_TEST_MAILDIR`). Messages are queued in a fresh table,
//! handed to the stream handler (and to the built `notify` binary through a local Lambda Runtime
//! API) in a stream event of the shape DynamoDB sends, and read back from what the servers
//! recorded: moto's `/moto-api/data.json`, the Maildir.

use base64::Engine;
use musharaka_functions::crypto::Secrets;
use musharaka_functions::local_runtime::LocalRuntime;
use musharaka_functions::notify::stream::{DynamoOutbox, StreamSender};
use musharaka_functions::notify::{Body, Deliver, Message, Notifier, Ses, Smtp, Sns};
use musharaka_functions::store::AdminStore;
use musharaka_functions::store::dynamo::{DynamoStore, outbox_key};
use musharaka_model::Lang;
use musharaka_model::outcome::confirm_page_url;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const ORIGIN: &str = "https://musharaka.ma";
const FROM: &str = "no-reply@musharaka.ma";
const REGION: &str = "eu-west-3";

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: these tests need local servers (moto for DynamoDB, SES and SNS; \
             aiosmtpd for SMTP). Run them with `cargo xtask test`, which starts them and sets it."
        )
    })
}

fn endpoint() -> String {
    required("MUSHARAKA_TEST_DYNAMODB_ENDPOINT")
}

/// Held by a test while it uses moto. `cargo xtask test` runs moto one request at a time, and
/// `/moto-api/data.json` walks every object moto holds (hundreds of thousands of items once the
/// DynamoDB suite has run): taking seconds, it would stall a delivery of another test past its
/// timeout.
static MOTO: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn secrets() -> Secrets {
    Secrets::new(vec![5; 32], [6; 32]).unwrap()
}

/// A name no other test (nor an earlier run against the same server) uses.
fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}{}x{}x{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A Moroccan mobile number no other test uses.
fn unique_phone() -> String {
    let digits: String = unique("").chars().filter(char::is_ascii_digit).collect();
    format!("+2126{}", &digits[digits.len().saturating_sub(8)..])
}

fn credentials() -> aws_sdk_dynamodb::config::Credentials {
    aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "test")
}

fn dynamo() -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Builder, Region};
    aws_sdk_dynamodb::Client::from_conf(
        Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint())
            .build(),
    )
}

fn ses() -> aws_sdk_sesv2::Client {
    use aws_sdk_sesv2::config::{BehaviorVersion, Builder, Region};
    aws_sdk_sesv2::Client::from_conf(
        Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint())
            .build(),
    )
}

fn sns() -> aws_sdk_sns::Client {
    use aws_sdk_sns::config::{BehaviorVersion, Builder, Region};
    aws_sdk_sns::Client::from_conf(
        Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint())
            .build(),
    )
}

/// SES sends only from a verified identity: the sender's domain (moto verifies at once).
async fn verify_sender() {
    use aws_sdk_sesv2::error::ProvideErrorMetadata;
    if let Err(e) = ses()
        .create_email_identity()
        .email_identity("musharaka.ma")
        .send()
        .await
    {
        assert_eq!(e.code(), Some("AlreadyExistsException"), "{e:?}");
    }
}

/// A fresh table made from the deployment template's definition.
async fn table() -> (DynamoStore, String) {
    let name = unique("musharaka-notify-");
    let store = DynamoStore::new(dynamo(), name.clone());
    store
        .create_table()
        .await
        .expect("create the table from infra/template.yaml");
    (store, name)
}

fn code(to: &str, lang: Lang, code: &str, reference: &str) -> Message {
    Message {
        to: to.into(),
        lang,
        body: Body::Code {
            code: code.into(),
            reference: reference.into(),
            title: "Eau potable à Figuig".into(),
        },
    }
}

/// Seals `message` into the table's outbox as a request does; returns its id.
async fn enqueue(store: &DynamoStore, message: &Message) -> String {
    let id = unique("m");
    let outgoing = message.seal(&secrets(), id.clone()).unwrap();
    store.enqueue(&outgoing).await.unwrap();
    id
}

/// DynamoDB JSON of an item, as a stream record carries it.
fn image(item: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>) -> Value {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let mut out = serde_json::Map::new();
    for (name, value) in item {
        let v = match value {
            A::S(s) => json!({ "S": s }),
            A::N(n) => json!({ "N": n }),
            A::B(b) => json!({ "B": b64().encode(b.as_ref()) }),
            A::Bool(b) => json!({ "BOOL": b }),
            other => panic!("unexpected attribute type in an outbox item: {other:?}"),
        };
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

/// The outbox item `id` as stored, if still there.
async fn outbox_item(
    table: &str,
    id: &str,
) -> Option<HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    dynamo()
        .get_item()
        .table_name(table)
        .set_key(Some(outbox_key(id)))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

/// A stream event with one INSERT record per outbox item, made from the documented shape in
/// `tests/events/outbox-stream.json` with each item as DynamoDB stored it.
async fn stream_event(table: &str, ids: &[String]) -> Value {
    let path = format!(
        "{}/tests/events/outbox-stream.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let template = fixture["Records"][0].clone();
    let mut records = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let item = outbox_item(table, id).await.expect("the queued item");
        let mut r = template.clone();
        r["eventID"] = json!(format!("event-{i}"));
        r["eventSourceARN"] = json!(format!(
            "arn:aws:dynamodb:{REGION}:123456789012:table/{table}/stream/2026-01-01T00:00:00.000"
        ));
        r["dynamodb"]["Keys"] = json!({
            "pk": { "S": format!("OUTBOX#{id}") },
            "sk": { "S": "OUTBOX" },
        });
        r["dynamodb"]["NewImage"] = image(&item);
        r["dynamodb"]["SequenceNumber"] = json!(format!("{:028}", 100 + i));
        records.push(r);
    }
    json!({ "Records": records })
}

/// What moto recorded: `(ses messages, sns sms)`.
async fn moto_sent() -> (Vec<Value>, Vec<Value>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let endpoint = endpoint();
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request =
        format!("GET /moto-api/data.json HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.") && head.contains(" 200 "),
        "{head}"
    );
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    let data: Value = serde_json::from_str(&body).unwrap();
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    (list(&data["ses"]["Message"]), list(&data["sns"]["SMS"]))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

fn notifier() -> Notifier {
    Notifier {
        origin: ORIGIN.into(),
        email: Arc::new(Ses::new(ses(), FROM)),
        sms: Arc::new(Sns::new(sns(), Some("Musharaka".into()))),
    }
}

/// The email moto recorded for `to`.
fn email_to<'a>(messages: &'a [Value], to: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == to)
        .collect()
}

/// The SMS moto recorded for `to`.
fn sms_to<'a>(messages: &'a [Value], to: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|m| m["phone_number"] == to)
        .collect()
}

#[tokio::test]
async fn the_stream_handler_sends_codes_by_ses_and_sns_and_empties_the_outbox() {
    let _moto = MOTO.lock().await;
    verify_sender().await;
    let (store, table) = table().await;
    let email = format!("{}@example.ma", unique("amina"));
    let phone = unique_phone();
    let ids = [
        enqueue(&store, &code(&email, Lang::Fr, "042917", "K7Q2M9XD")).await,
        enqueue(&store, &code(&phone, Lang::Ar, "731864", "P3W8N2RT")).await,
    ];
    let event = serde_json::from_value(stream_event(&table, &ids).await).unwrap();
    let sender = StreamSender::new(
        notifier(),
        secrets(),
        Arc::new(DynamoOutbox::new(dynamo(), table.clone())),
        10,
    );
    let response = sender.handle(event, None).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");

    let (emails, sms) = moto_sent().await;
    let sent = email_to(&emails, &email);
    assert_eq!(sent.len(), 1, "one email to the signer");
    let sent = sent[0];
    assert_eq!(sent["source"], FROM);
    let body = sent["body"].as_str().unwrap();
    let link = format!("{ORIGIN}{}#r=K7Q2M9XD&c=042917", confirm_page_url(Lang::Fr));
    assert!(body.contains("042917"), "{body}");
    assert!(body.contains(&link), "{link} in {body}");
    assert!(sent["subject"].as_str().unwrap().contains("042917"));

    let sent = sms_to(&sms, &phone);
    assert_eq!(sent.len(), 1, "one SMS to the signer");
    let text = sent[0]["message"].as_str().unwrap();
    assert!(
        text.contains("731864") && text.contains("P3W8N2RT"),
        "{text}"
    );

    for id in &ids {
        assert!(
            outbox_item(&table, id).await.is_none(),
            "outbox item {id} deleted"
        );
    }
}

/// The built binary, started as Lambda starts it, with the environment the template gives it.
struct Function(std::process::Child);

impl Drop for Function {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notify_binary_drains_the_stream_and_reports_what_to_retry() {
    let _moto = MOTO.lock().await;
    verify_sender().await;
    let (store, table) = table().await;
    let email = format!("{}@example.ma", unique("youssef"));
    let phone = unique_phone();
    let ids = [
        enqueue(&store, &code(&phone, Lang::Zgh, "550281", "H4K9Q2ZX")).await,
        enqueue(&store, &code(&email, Lang::Ar, "118306", "T6M3V8WB")).await,
        // SES refuses an address without a domain: this record is reported for retry.
        enqueue(
            &store,
            &code("nobody-at-example.ma", Lang::Fr, "900001", "Z9Z9Z9Z9"),
        )
        .await,
    ];
    let event = stream_event(&table, &ids).await;

    let runtime = LocalRuntime::start().await.unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_notify"))
        .envs(runtime.lambda_env("musharaka-notify"))
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("MUSHARAKA_STORE", format!("dynamodb:{table}"))
        .env("MUSHARAKA_SITE_ORIGIN", ORIGIN)
        .env("MUSHARAKA_PEPPER", b64().encode([5u8; 32]))
        .env("MUSHARAKA_DATA_KEY", b64().encode([6u8; 32]))
        .env("MUSHARAKA_SES_FROM", FROM)
        .env("MUSHARAKA_SNS_SMS", "1")
        .env("MUSHARAKA_SMS_SENDER_ID", "Musharaka")
        .env("MUSHARAKA_SEND_RATE", "20")
        .env_remove("MUSHARAKA_SMTP_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the notify binary starts");
    let _function = Function(child);
    let answer = runtime
        .invoke(&event, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(
        answer,
        json!({ "batchItemFailures": [{ "itemIdentifier": format!("{:028}", 102) }] })
    );

    let (emails, sms) = moto_sent().await;
    let text = sms_to(&sms, &phone)[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("550281"), "{text}");
    let body = email_to(&emails, &email)[0]["body"]
        .as_str()
        .unwrap()
        .to_string();
    let link = format!("{ORIGIN}{}#r=T6M3V8WB&c=118306", confirm_page_url(Lang::Ar));
    assert!(body.contains(&link), "{link} in {body}");
    assert!(outbox_item(&table, &ids[0]).await.is_none());
    assert!(outbox_item(&table, &ids[1]).await.is_none());
    assert!(
        outbox_item(&table, &ids[2]).await.is_some(),
        "the failed message stays queued for the retry"
    );
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) of an unfolded header;
/// whitespace between two encoded words is dropped, as the RFC says.
fn decode_header(value: &str) -> String {
    let mut bytes = Vec::new();
    let mut pending_space = String::new();
    let mut previous_encoded = false;
    for word in value.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        let encoded = parts.len() == 5 && parts[0] == "=" && parts[4] == "=";
        if !encoded || !previous_encoded {
            bytes.extend(pending_space.as_bytes());
        }
        if encoded {
            match parts[2].to_ascii_lowercase().as_str() {
                "b" => bytes.extend(b64().decode(parts[3]).unwrap()),
                _ => bytes.extend(quoted_printable(&parts[3].replace('_', " "))),
            }
        } else {
            bytes.extend(word.as_bytes());
        }
        previous_encoded = encoded;
        pending_space = " ".into();
    }
    String::from_utf8(bytes).unwrap()
}

fn quoted_printable(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Headers (unfolded, names in lowercase) and decoded body of a single-part message.
fn parse_mail(raw: &str) -> (HashMap<String, String>, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap();
    let mut headers: HashMap<String, String> = HashMap::new();
    let mut last = String::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            headers.get_mut(&last).unwrap().push_str(line);
        } else if let Some((name, value)) = line.split_once(':') {
            last = name.trim().to_ascii_lowercase();
            headers.insert(last.clone(), value.trim().to_string());
        }
    }
    let encoding = headers
        .get("content-transfer-encoding")
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let body = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(b64().decode(compact).unwrap()).unwrap()
        }
        "quoted-printable" => String::from_utf8(quoted_printable(body)).unwrap(),
        _ => body.to_string(),
    };
    (headers, body)
}

#[tokio::test]
async fn smtp_delivers_the_code_in_utf8_to_a_real_server() {
    let relay = required("MUSHARAKA_TEST_SMTP");
    let maildir = std::path::PathBuf::from(required("MUSHARAKA_TEST_MAILDIR"));
    let smtp = Smtp::new(
        &format!("smtp://{relay}?tls=none"),
        "Musharaka <no-reply@musharaka.ma>",
    )
    .unwrap();
    let to = format!("{}@example.ma", unique("fatima"));
    let message = code(&to, Lang::Ar, "604219", "R2D7K9PX");
    let rendered = message.render(ORIGIN);
    smtp.deliver(&message, &rendered).await.unwrap();

    let found = {
        let mut found = None;
        for _ in 0..50 {
            let files = std::fs::read_dir(maildir.join("new"))
                .map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
                .unwrap_or_default();
            found = files
                .into_iter()
                .filter_map(|f| std::fs::read_to_string(f).ok())
                .find(|raw| raw.contains(&to));
            if found.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        found.expect("the message in the Maildir")
    };
    let (headers, body) = parse_mail(&found);
    assert_eq!(headers["to"], to);
    assert!(headers["from"].contains("no-reply@musharaka.ma"));
    assert_eq!(
        headers["content-type"]
            .to_ascii_lowercase()
            .replace(' ', ""),
        "text/plain;charset=utf-8"
    );
    assert_eq!(decode_header(&headers["subject"]), rendered.subject);
    // Text travels in its canonical form, with CRLF line ends.
    assert_eq!(
        body.replace("\r\n", "\n").trim_end(),
        rendered.text.trim_end()
    );
    let link = format!("{ORIGIN}{}#r=R2D7K9PX&c=604219", confirm_page_url(Lang::Ar));
    assert!(body.contains("604219") && body.contains(&link), "{body}");
}
