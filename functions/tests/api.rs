//! The handlers as API Gateway (HTTP API, payload 2.0) calls them: real event JSON, parsed by
//! `lambda_http`, through the same router Lambda runs, on a real SQLite store.

mod harness;

use harness::*;
use musharaka_functions::store::{
    Asked, CommitteeChange, Confirmation, Confirmed, Count, Member, Members, NewComment, NewMember,
    NewRequest, NewSignature, Outgoing, Pending, Requested, Seated, Store, StoreError, StoreResult,
    Stored, StoredProposal,
};
use musharaka_functions::{AppState, router};
use musharaka_model::catalog::{Details, Entry, PageFrame};
use musharaka_model::proposal::Proposal;
use musharaka_model::state::InitiativeState;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

#[tokio::test]
async fn a_form_without_javascript_confirms_its_code_then_gets_its_receipt() {
    let h = harness(settings()).await;
    let r = call(&h.app, &event("sign-form.json")).await;
    // The confirmation form comes on a page of its own, with the reference in it.
    assert_eq!(r.status(), 202);
    assert!(r.headers().get("location").is_none());
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let page = text(r).await;
    assert!(page.contains("<html lang=\"fr\" dir=\"ltr\">"), "{page}");
    assert!(page.contains("data-code=\"code-sent\""), "{page}");
    assert!(
        page.contains("+212 6••••••78"),
        "the masked contact: {page}"
    );
    let reference = page
        .split("name=\"reference\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert_eq!(
        total(&h.store, "p-open").await,
        0,
        "nothing counts before confirmation"
    );

    let code = h.code_for(&reference).await;
    let (to, sms) = h.messages().pop().unwrap();
    assert_eq!(to, "+212612345678", "the SMS goes to the number as E.164");
    assert!(sms.contains("Channel: sms"), "{sms}");
    let fields = serde_json::json!({"lang": "fr", "reference": reference, "code": code});
    let r = call(&h.app, &post_event("/api/confirm", &fields, false)).await;
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(page.contains("Votre code de reçu"), "{page}");
    assert!(receipt_in(&page).is_some(), "{page}");
    assert!(page.contains("href=\"/fr/signature/\""), "{page}");
    assert_eq!(total(&h.store, "p-open").await, 1);

    // The same person again, from the same phone: told at confirmation, not before.
    let r = call(&h.app, &event("sign-form.json")).await;
    assert_eq!(r.status(), 202);
    let page = text(r).await;
    let reference = page
        .split("name=\"reference\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let code = h.code_for(&reference).await;
    let fields = serde_json::json!({"lang": "fr", "reference": reference, "code": code});
    let r = call(&h.app, &post_event("/api/confirm", &fields, false)).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/fr/result/already-signed/");
    assert_eq!(
        total(&h.store, "p-open").await,
        1,
        "a second signature is not counted"
    );
}

#[tokio::test]
async fn a_script_gets_a_localized_json_answer_then_the_new_count() {
    let h = harness(settings()).await;
    let r = call(&h.app, &event("sign-json.json")).await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = json(r).await;
    assert_eq!(body["ok"], true);
    assert_eq!(body["code"], "code-sent");
    assert!(body["message"].as_str().unwrap().contains("رمز"));
    assert_eq!(body["count"], Value::Null, "nothing is counted yet");
    let reference = body["confirm"]["reference"].as_str().unwrap().to_string();
    assert_eq!(body["confirm"]["to"], "a•••@example.ma");
    let url = body["confirm"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("/ar/confirm/#r={reference}&to=")),
        "{url}"
    );

    let code = h.code_for(&reference).await;
    let (to, email) = h.messages().pop().unwrap();
    assert_eq!(to, "amina.alaoui@example.ma");
    assert!(
        email.contains(&format!(
            "https://musharaka.ma/ar/confirm/#r={reference}&c={code}"
        )),
        "the email links to the confirmation page with the code in the fragment: {email}"
    );
    let fields =
        serde_json::json!({"lang": "ar", "reference": reference.to_lowercase(), "code": code});
    let r = call(&h.app, &post_event("/api/confirm", &fields, true)).await;
    assert_eq!(r.status(), 200);
    let body = json(r).await;
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
    let signed = h.sign_and_confirm(&event("sign-json.json")).await;
    let receipt = signed["receipt"]["code"].as_str().unwrap().to_string();
    assert_eq!(total(&h.store, "p-open").await, 1);
    let ask = |fields: Value, script: bool| {
        let e = post_event("/api/signature", &fields, script);
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
    let again = h.sign_and_confirm(&event("sign-json.json")).await;
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
            "outside the commune's region",
            variant(&|b| {
                b["initiative"] = "p-local".into();
                b["attest_local"] = "07.041.07.03".into();
            }),
            422,
            "not-eligible",
        ),
        (
            "attesting another commune",
            variant(&|b| {
                b["initiative"] = "p-local".into();
                b["region"] = "MA-07".into();
                b["attest_local"] = "07.041.07.01".into();
            }),
            422,
            "not-eligible",
        ),
        (
            "a box that names no commune",
            variant(&|b| {
                b["initiative"] = "p-local".into();
                b["region"] = "MA-07".into();
                b["attest_local"] = Value::Bool(true);
            }),
            422,
            "not-eligible",
        ),
        (
            "a province of another region",
            variant(&|b| {
                b["initiative"] = "p-region".into();
                b["region"] = "MA-08".into();
                b["province"] = "07.041".into();
                b["attest_local"] = Value::Bool(true);
            }),
            422,
            "not-eligible",
        ),
        (
            "no province",
            variant(&|b| {
                b["initiative"] = "p-region".into();
                b["region"] = "MA-08".into();
                b["attest_local"] = Value::Bool(true);
            }),
            422,
            "missing-field",
        ),
        (
            "bad contact",
            variant(&|b| b["contact"] = "05 22 12 34 56".into()),
            422,
            "invalid-contact",
        ),
        (
            "no contact",
            variant(&|b| b["contact"] = "".into()),
            422,
            "missing-field",
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
        .counts(&[
            "p-open".into(),
            "p-local".into(),
            "p-closed".into(),
            "p-region".into(),
        ])
        .await
        .unwrap();
    assert!(counts.values().all(|c| c.total == 0), "{counts:?}");
    assert!(
        h.sqlite.outbox(10).await.unwrap().is_empty(),
        "no code was sent"
    );
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
        &format!("text={}", "a".repeat(200_000)),
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
    // The box of the commune's petition carries the code of the commune it attests.
    body["attest_local"] = "07.041.07.03".into();
    let r = call(&h.app, &with_body(base.clone(), &body.to_string())).await;
    assert_eq!(json(r).await["code"], "code-sent");
}

#[tokio::test]
async fn a_region_petition_is_counted_by_province_too() {
    let h = harness(settings()).await;
    let signed = h
        .sign_and_confirm(&sign_event(|b| {
            b["initiative"] = "p-region".into();
            b["region"] = "MA-08".into();
            b["province"] = "08.201".into();
            b["attest_local"] = Value::Bool(true);
        }))
        .await;
    assert_eq!(signed["code"], "signed", "{signed}");
    assert_eq!(signed["count"]["total"], 1);
    assert_eq!(signed["count"]["regions"]["MA-08"], 1);
    assert_eq!(signed["count"]["provinces"]["08.201"], 1);
    let counts = h.store.counts(&["p-region".into()]).await.unwrap();
    assert_eq!(counts["p-region"].regions["08.201"], 1, "kept by province");
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
    h.sign_and_confirm(&event("sign-json.json")).await;
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
        assert_eq!(call(&h.app, &event("sign-json.json")).await.status(), 202);
    }
    let r = call(&h.app, &event("sign-json.json")).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "60");
    let mut other = event("sign-json.json");
    other["requestContext"]["http"]["sourceIp"] = "41.250.0.9".into();
    assert_eq!(call(&h.app, &other).await.status(), 202, "another address");
}

/// A store whose database is down.
struct Down;

#[async_trait::async_trait]
impl Store for Down {
    async fn entry(&self, _: &str) -> StoreResult<Option<Entry>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn frame(&self, _: musharaka_model::Lang) -> StoreResult<Option<PageFrame>> {
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
    async fn request(
        &self,
        _: &NewRequest,
        _: &Outgoing,
        _: u32,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Requested> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn pending(&self, _: &str) -> StoreResult<Option<Pending>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn wrong_code(&self, _: &str) -> StoreResult<()> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn resend(
        &self,
        _: &str,
        _: u32,
        _: &str,
        _: i64,
        _: &Outgoing,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn confirm(
        &self,
        _: &str,
        _: &Confirmation,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Confirmed> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn contest(&self, _: &str, _: chrono::DateTime<chrono::Utc>) -> StoreResult<bool> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn propose(
        &self,
        _: &Proposal,
        _: &NewMember,
        _: &Outgoing,
        _: u32,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Asked> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn join(
        &self,
        _: &NewMember,
        _: &Outgoing,
        _: u32,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Asked> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn proposal(&self, _: &str) -> StoreResult<Option<StoredProposal>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn members(&self, _: &str) -> StoreResult<Vec<Member>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn keyed(&self, _: &str) -> StoreResult<Option<(String, String)>> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn seat(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Seated> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn member_wrong_code(&self, _: &str, _: &str) -> StoreResult<()> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn change_committee(&self, _: &str, _: &CommitteeChange, _: u64) -> StoreResult<bool> {
        Err(StoreError::Unavailable("down".into()))
    }
    async fn save_proposal(
        &self,
        _: &Proposal,
        _: u64,
        _: Members<'_>,
        _: Option<&Outgoing>,
        _: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        Err(StoreError::Unavailable("down".into()))
    }
}

#[tokio::test]
async fn an_unavailable_store_answers_503_with_retry_after() {
    let app = router(AppState::new(Arc::new(Down), settings()));
    let r = call(&app, &event("sign-json.json")).await;
    assert_eq!(r.status(), 503);
    let confirm = serde_json::json!({"reference": "K7Q2M9XD", "code": "123456"});
    let r = call(&app, &post_event("/api/confirm", &confirm, true)).await;
    assert_eq!(r.status(), 503, "a confirmation too");
    assert_eq!(r.headers()["retry-after"], "2");
    assert_eq!(json(r).await["code"], "unavailable");
    assert_eq!(call(&app, &event("counts.json")).await.status(), 503);
}

/// A comment as long as the form allows, in the script whose letters take the most bytes once
/// percent-encoded (Tifinagh: 9 each), is taken from the form without JavaScript.
#[tokio::test]
async fn a_comment_of_4000_tifinagh_letters_is_taken_from_the_plain_form() {
    let h = harness(settings()).await;
    let letters: String = "ⵜⴰⵎⵓⵖⵍⵉ".chars().cycle().take(4000).collect();
    let encoded: String = letters.bytes().map(|b| format!("%{b:02X}")).collect();
    let body = format!("consultation=c-open&lang=zgh&section=s1-1&text={encoded}&consent=on");
    assert!(body.len() > 36_000);
    let r = call(&h.app, &with_body(event("comment-form.json"), &body)).await;
    assert_eq!(location(&r), "/zgh/result/commented/");
    let pending = h.store.pending_comments(Some("c-open")).await.unwrap();
    assert_eq!(pending[0].text.chars().count(), 4000);
}

/// Text that would hide or reorder what a reader sees is refused, with its own message; a
/// comment's line breaks are kept as `\n`.
#[tokio::test]
async fn hidden_characters_are_refused_and_line_breaks_kept() {
    let h = harness(settings()).await;
    for name in ["Amina\u{202E}", "\u{200B}\u{FEFF}", "Ami\rna", "\u{FFFD}"] {
        let e = sign_event(|b| b["first_name"] = name.into());
        let r = call(&h.app, &e).await;
        assert_eq!(r.status(), 422, "{name:?}");
        assert_eq!(json(r).await["code"], "invalid-text", "{name:?}");
    }
    let form = |text: &str| {
        with_body(
            event("comment-form.json"),
            &format!("consultation=c-open&lang=fr&text={text}&consent=on"),
        )
    };
    // Without JavaScript the form comes back with the text kept and the problem beside it.
    let r = call(&h.app, &form("insult%0Dbenign%E2%80%AE")).await;
    assert_eq!(r.status(), 422);
    let page = text(r).await;
    assert!(page.contains("data-code=\"invalid-text\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""), "{page}");
    assert!(
        page.contains(">insult\rbenign\u{202E}</textarea>"),
        "{page}"
    );
    let r = call(&h.app, &form("Premier%20point%0D%0ASecond%20point")).await;
    assert_eq!(location(&r), "/fr/result/commented/");
    let pending = h.store.pending_comments(Some("c-open")).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].text, "Premier point\nSecond point");
}

/// A signature with fields to correct: with JavaScript each field's message; without, the
/// form again with what was typed (in the body, never in a URL) and the problems beside their
/// fields, in the site's own page once it was published.
#[tokio::test]
async fn a_refused_signature_names_each_field_and_keeps_what_was_typed() {
    let h = harness(settings()).await;
    let e = sign_event(|b| {
        b["first_name"] = "".into();
        b["cin"] = "12345".into();
        b["consent"] = serde_json::Value::Null;
    });
    let r = call(&h.app, &e).await;
    assert_eq!(r.status(), 422);
    let answer = json(r).await;
    assert_eq!(answer["code"], "missing-field");
    let fields: Vec<&str> = (answer["errors"].as_array().unwrap().iter())
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["first_name", "cin", "consent"]);
    assert!(
        answer["errors"][1]["message"]
            .as_str()
            .unwrap()
            .starts_with("رقم البطاقة")
    );
    let mut form = event("sign-form.json");
    let body = form["body"]
        .as_str()
        .unwrap()
        .replace("cin=", "cin=12&old=");
    form = with_body(form, &body);
    let r = call(&h.app, &form).await;
    assert_eq!(r.status(), 422);
    assert!(r.headers().get("location").is_none());
    let page = text(r).await;
    assert!(page.contains("<a href=\"#cin\">"), "{page}");
    assert!(
        page.contains("aria-invalid=\"true\" aria-describedby=\"cin-help cin-error\""),
        "{page}"
    );
    assert!(page.contains("value=\"12\""), "{page}");
    assert!(!page.contains("site-header"), "no frame was published yet");
}

/// Only a submission from the site itself: one `Origin`, the site's; without one, a browser
/// that says the request is cross-site is refused too.
#[tokio::test]
async fn submissions_from_elsewhere_are_refused_however_they_come() {
    let h = harness(settings()).await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut e = event("sign-json.json");
        change(&mut e);
        e
    };
    let two =
        with(&|e| e["headers"]["origin"] = "https://musharaka.ma, https://evil.example".into());
    assert_eq!(call(&h.app, &two).await.status(), 403);
    for site in ["cross-site", "same-site"] {
        let e = with(&|e| {
            e["headers"].as_object_mut().unwrap().remove("origin");
            e["headers"]["sec-fetch-site"] = site.into();
        });
        assert_eq!(call(&h.app, &e).await.status(), 403, "{site}");
    }
    let own = with(&|e| {
        e["headers"].as_object_mut().unwrap().remove("origin");
        e["headers"]["sec-fetch-site"] = "same-origin".into();
    });
    assert_eq!(call(&h.app, &own).await.status(), 202);
}

/// A flood of comments: one sender gets so many a day on one consultation, and a consultation
/// so many a minute from everyone.
#[tokio::test]
async fn comment_floods_are_held_back_per_sender_and_per_consultation() {
    let mut s = settings();
    s.set_rate_limit("1000/60").unwrap();
    s.comments_per_sender_day = 3;
    s.comments_per_minute = 5;
    let h = harness(s).await;
    let from = |ip: &str| {
        let mut e = event("comment-form.json");
        e["requestContext"]["http"]["sourceIp"] = ip.into();
        e
    };
    for _ in 0..3 {
        assert_eq!(
            location(&call(&h.app, &from("41.1.1.1")).await),
            "/zgh/result/commented/"
        );
    }
    let r = call(&h.app, &from("41.1.1.1")).await;
    assert_eq!(location(&r), "/zgh/result/rate-limited/");
    for ip in ["41.1.1.2", "41.1.1.3"] {
        assert_eq!(
            location(&call(&h.app, &from(ip)).await),
            "/zgh/result/commented/"
        );
    }
    let r = call(&h.app, &from("41.1.1.4")).await;
    assert_eq!(
        location(&r),
        "/zgh/result/rate-limited/",
        "a sixth in a minute"
    );
    let pending = h.store.pending_comments(Some("c-open")).await.unwrap();
    assert_eq!(pending.len(), 5);
    let senders: std::collections::BTreeSet<_> =
        pending.iter().map(|c| c.sender.clone().unwrap()).collect();
    assert_eq!(senders.len(), 3, "each address has its own sender hash");
    assert!(senders.iter().all(|s| !s.contains("41.1.1")));
}

/// Zeros before the CIN's number are padding: the same card typed with them is the same signer.
#[tokio::test]
async fn a_cin_typed_with_leading_zeros_is_the_same_signer() {
    let h = harness(settings()).await;
    let first = h
        .sign_and_confirm(&sign_event(|b| b["cin"] = "QZ4321".into()))
        .await;
    assert_eq!(first["code"], "signed", "{first}");
    let again = sign_event(|b| {
        b["cin"] = "qz 004321".into();
        b["contact"] = "autre@example.ma".into();
    });
    let answer = h.sign_and_confirm(&again).await;
    assert_eq!(answer["code"], "cin-taken", "{answer}");
    assert_eq!(total(&h.store, "p-open").await, 1);
}
