//! Confirming signatures through the API as a signer does: the code read from the message
//! really sent, duplicates kept private, wrong and stale codes, resends, contests, limits per
//! contact and per address.

mod harness;

use harness::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// Every key path of a JSON value (`confirm.reference`, ...).
fn keys(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    if let Value::Object(map) = v {
        for (k, v) in map {
            let path = format!("{prefix}{k}");
            out.insert(path.clone());
            keys(v, &format!("{path}."), out);
        }
    }
}

fn reference_in(page: &str) -> String {
    page.split("name=\"reference\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string()
}

/// Runs `sql` on the harness's SQLite file (to move a request's clock back).
fn sql(h: &Harness, sql: &str) {
    let conn = rusqlite::Connection::open(h.dir.path().join("s.sqlite3")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn confirm_fields(reference: &str, code: &str) -> Value {
    serde_json::json!({"lang": "fr", "reference": reference, "code": code})
}

#[tokio::test]
async fn answers_to_signing_requests_do_not_tell_whether_the_cin_signed() {
    let h = harness(settings()).await;
    let signed = h.sign_and_confirm(&event("sign-json.json")).await;
    assert_eq!(signed["code"], "signed");

    // The same CIN (from another contact) and a CIN that never signed.
    let again = sign_event(|b| b["contact"] = "0611223344".into());
    let fresh = sign_event(|b| {
        b["contact"] = "0611223344".into();
        b["cin"] = "ZZ9999".into();
    });
    let (a, b) = (call(&h.app, &again).await, call(&h.app, &fresh).await);
    assert_eq!(a.status(), b.status());
    for name in ["content-type", "cache-control"] {
        assert_eq!(a.headers().get(name), b.headers().get(name), "{name}");
    }
    assert_eq!(a.headers().len(), b.headers().len());
    let (a, b) = (json(a).await, json(b).await);
    let (mut ka, mut kb) = (BTreeSet::new(), BTreeSet::new());
    keys(&a, "", &mut ka);
    keys(&b, "", &mut kb);
    assert_eq!(ka, kb);
    assert_eq!((&a["code"], &a["message"]), (&b["code"], &b["message"]));
    assert_eq!(a["code"], "code-sent");

    // Without JavaScript: the same page but for the reference.
    let form = |change: &dyn Fn(String) -> String| {
        let e = event("sign-form.json");
        let body = change(e["body"].as_str().unwrap().to_string());
        with_body(e, &body)
    };
    let signed_form = form(&|b| b);
    let sent = text(call(&h.app, &signed_form).await).await;
    let code = h.code_for(&reference_in(&sent)).await;
    call(
        &h.app,
        &post_event(
            "/api/confirm",
            &confirm_fields(&reference_in(&sent), &code),
            true,
        ),
    )
    .await;
    let other = form(&|b| b.replace("cin=AB123456", "cin=QY7777"));
    let (a, b) = (call(&h.app, &signed_form).await, call(&h.app, &other).await);
    assert_eq!((a.status(), b.status()), (b.status(), a.status()));
    assert_eq!(a.headers().get("location"), b.headers().get("location"));
    assert_eq!(
        a.headers().get("content-type"),
        b.headers().get("content-type")
    );
    let (a, b) = (text(a).await, text(b).await);
    assert_eq!(
        a.replace(&reference_in(&a), "REF"),
        b.replace(&reference_in(&b), "REF")
    );
}

#[tokio::test]
async fn a_cin_confirmed_from_another_contact_is_contested_and_set_aside() {
    let h = harness(settings()).await;
    assert_eq!(
        h.sign_and_confirm(&event("sign-json.json")).await["code"],
        "signed"
    );
    // The same contact again hears "already counted".
    assert_eq!(
        h.sign_and_confirm(&event("sign-json.json")).await["code"],
        "already-signed"
    );
    // Another contact with the same CIN hears it is counted, and may contest.
    let other = sign_event(|b| b["contact"] = "+33 6 12 34 56 78".into());
    let sent = json(call(&h.app, &other).await).await;
    let reference = sent["confirm"]["reference"].as_str().unwrap().to_string();
    let code = h.code_for(&reference).await;
    let r = call(
        &h.app,
        &post_event("/api/confirm", &confirm_fields(&reference, &code), false),
    )
    .await;
    assert_eq!(r.status(), 409);
    let page = text(r).await;
    assert!(page.contains("data-code=\"cin-taken\""), "{page}");
    assert!(page.contains("value=\"contest\""), "a contest form: {page}");
    assert_eq!(total(&h.store, "p-open").await, 1);
    assert_eq!(h.store.signatures("p-open").await.unwrap().len(), 1);

    // A wrong code contests nothing.
    let mut wrong = confirm_fields(&reference, "000000");
    wrong["do"] = "contest".into();
    let r = json(call(&h.app, &post_event("/api/confirm", &wrong, true)).await).await;
    assert_eq!(r["code"], "wrong-code");

    let mut fields = confirm_fields(&reference, &code);
    fields["do"] = "contest".into();
    let r = call(&h.app, &post_event("/api/confirm", &fields, true)).await;
    assert_eq!(r.status(), 202);
    assert_eq!(json(r).await["code"], "contested");
    assert_eq!(total(&h.store, "p-open").await, 1, "still counted");
    assert!(
        h.store.signatures("p-open").await.unwrap().is_empty(),
        "left out of the filing until a moderator decides"
    );
    assert_eq!(h.store.disputes().await.unwrap().len(), 1);
}

#[tokio::test]
async fn wrong_codes_lock_a_request_and_stale_ones_are_refused() {
    let h = harness(settings()).await;
    let sent = json(call(&h.app, &event("sign-json.json")).await).await;
    let reference = sent["confirm"]["reference"].as_str().unwrap().to_string();
    let code = h.code_for(&reference).await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for i in 1..=5 {
        let r = call(
            &h.app,
            &post_event("/api/confirm", &confirm_fields(&reference, wrong), true),
        )
        .await;
        assert_eq!(r.status(), 422);
        let expected = if i < 5 { "wrong-code" } else { "locked" };
        assert_eq!(json(r).await["code"], expected, "try {i}");
    }
    let r = call(
        &h.app,
        &post_event("/api/confirm", &confirm_fields(&reference, &code), true),
    )
    .await;
    assert_eq!(
        json(r).await["code"],
        "locked",
        "the right code comes too late"
    );
    assert_eq!(total(&h.store, "p-open").await, 0);

    // A code older than 15 minutes.
    let sent = json(call(&h.app, &sign_event(|b| b["cin"] = "BK1234".into())).await).await;
    let reference = sent["confirm"]["reference"].as_str().unwrap().to_string();
    let code = h.code_for(&reference).await;
    sql(
        &h,
        &format!(
            "UPDATE pending SET code_expires = code_expires - 901 WHERE reference = '{reference}'"
        ),
    );
    let r = call(
        &h.app,
        &post_event("/api/confirm", &confirm_fields(&reference, &code), false),
    )
    .await;
    let page = text(r).await;
    assert!(
        page.contains("data-code=\"code-expired\""),
        "the form again, to ask for a new code: {page}"
    );

    // Unknown, malformed and empty references and codes.
    for (fields, expected) in [
        (confirm_fields("ZZZZZZZZ", "123456"), "unknown-request"),
        (confirm_fields("not-a-ref", "123456"), "unknown-request"),
        (confirm_fields("", "123456"), "missing-field"),
        (confirm_fields(&reference, "12ab56"), "wrong-code"),
        (confirm_fields(&reference, ""), "missing-field"),
    ] {
        let r = call(&h.app, &post_event("/api/confirm", &fields, true)).await;
        assert_eq!(json(r).await["code"], expected, "{fields}");
    }
    assert_eq!(total(&h.store, "p-open").await, 0);
}

#[tokio::test]
async fn a_code_is_resent_at_most_three_times_each_after_a_longer_wait() {
    let h = harness(settings()).await;
    let sent = json(call(&h.app, &event("sign-json.json")).await).await;
    let reference = sent["confirm"]["reference"].as_str().unwrap().to_string();
    let first = h.code_for(&reference).await;
    let mut resend = confirm_fields(&reference, "");
    resend["do"] = "resend".into();
    let r = call(&h.app, &post_event("/api/confirm", &resend, true)).await;
    assert_eq!(r.status(), 429, "too soon");
    let wait: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((55..=60).contains(&wait), "{wait}");
    assert_eq!(json(r).await["code"], "resend-too-soon");
    for (turn, delay) in [(1, 60), (2, 120), (3, 240)] {
        sql(
            &h,
            &format!("UPDATE pending SET sent = sent - {delay} WHERE reference = '{reference}'"),
        );
        let r = call(&h.app, &post_event("/api/confirm", &resend, true)).await;
        assert_eq!(r.status(), 202, "resend {turn}");
        assert_eq!(json(r).await["code"], "resent");
    }
    sql(
        &h,
        &format!("UPDATE pending SET sent = sent - 1000 WHERE reference = '{reference}'"),
    );
    let r = call(&h.app, &post_event("/api/confirm", &resend, true)).await;
    assert_eq!(json(r).await["code"], "resend-limit");
    let latest = h.code_for(&reference).await;
    let codes_sent = h
        .messages()
        .iter()
        .filter(|(_, t)| t.contains(&reference))
        .count();
    assert_eq!(codes_sent, 4, "the first code and three resends");
    if latest != first {
        let r = call(
            &h.app,
            &post_event("/api/confirm", &confirm_fields(&reference, &first), true),
        )
        .await;
        assert_eq!(
            json(r).await["code"],
            "wrong-code",
            "an old code no longer works"
        );
    }
    let r = call(
        &h.app,
        &post_event("/api/confirm", &confirm_fields(&reference, &latest), true),
    )
    .await;
    assert_eq!(json(r).await["code"], "signed");
}

#[tokio::test]
async fn one_phone_confirms_at_most_three_signatures_of_an_initiative() {
    let h = harness(settings()).await;
    for (i, cin) in ["FA1001", "FA1002", "FA1003", "FA1004"].iter().enumerate() {
        let answer = h
            .sign_and_confirm(&sign_event(|b| {
                b["cin"] = (*cin).into();
                b["contact"] = "0600000001".into();
            }))
            .await;
        let expected = if i < 3 { "signed" } else { "contact-limit" };
        assert_eq!(answer["code"], expected, "signature {i}");
    }
    assert_eq!(total(&h.store, "p-open").await, 3);
}

#[tokio::test]
async fn a_contact_asks_for_a_bounded_number_of_codes_a_day() {
    let mut s = settings();
    s.per_contact_day = 2;
    let h = harness(s).await;
    for (i, cin) in ["DA1", "DA2", "DA3"].iter().enumerate() {
        let r = call(&h.app, &sign_event(|b| b["cin"] = (*cin).into())).await;
        let expected = if i < 2 { "code-sent" } else { "contact-limit" };
        assert_eq!(json(r).await["code"], expected, "request {i}");
    }
}

#[tokio::test]
async fn fifty_concurrent_confirmations_of_one_code_count_once() {
    let mut s = settings();
    s.set_rate_limit("100/60").unwrap();
    let h = harness(s).await;
    let sent = json(call(&h.app, &event("sign-json.json")).await).await;
    let reference = sent["confirm"]["reference"].as_str().unwrap().to_string();
    let code = h.code_for(&reference).await;
    let e = post_event("/api/confirm", &confirm_fields(&reference, &code), true);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let (app, e) = (h.app.clone(), e.clone());
            tokio::spawn(async move { json(call(&app, &e).await).await["code"].clone() })
        })
        .collect();
    let mut signed = 0;
    for c in calls {
        let code = c.await.unwrap();
        assert!(code == "signed" || code == "already-signed", "{code}");
        signed += usize::from(code == "signed");
    }
    assert_eq!(signed, 1);
    assert_eq!(total(&h.store, "p-open").await, 1);
}

#[tokio::test]
async fn the_address_limit_follows_the_viewer_cloudfront_passes_on() {
    let mut s = settings();
    s.set_rate_limit("2/60").unwrap();
    let h = harness(s).await;
    // Behind CloudFront every request comes from an edge address; the viewer's own address
    // comes in CloudFront-Viewer-Address.
    let from = |viewer: &str, cin: &str| {
        let mut e = sign_event(|b| b["cin"] = cin.into());
        e["requestContext"]["http"]["sourceIp"] = "130.176.1.1".into();
        e["headers"]["cloudfront-viewer-address"] = format!("{viewer}:51234").into();
        e
    };
    for cin in ["VA1", "VA2"] {
        assert_eq!(call(&h.app, &from("197.230.1.20", cin)).await.status(), 202);
    }
    let r = call(&h.app, &from("197.230.1.20", "VA3")).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        call(&h.app, &from("2001:db8::1", "VA4")).await.status(),
        202,
        "another viewer behind the same edge"
    );
}
