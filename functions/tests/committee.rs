//! Citizens' proposals through the API as their committees use it: the agent proposes and
//! confirms with the code really sent, members join with the invitation, submission is refused
//! naming the rule until the committee holds, and bad input is refused with nothing written.

mod harness;

use harness::*;
use musharaka_model::proposal::ProposalState;
use serde_json::{Value, json};

fn committee_settings() -> musharaka_functions::Settings {
    let mut s = settings();
    s.set_rate_limit("10000/60").unwrap();
    s
}

/// A person's legal data, as the forms send it.
fn person(n: u32, region: &str) -> Value {
    json!({
        "lang": "fr", "first_name": format!("Prénom{n}"), "family_name": "Alaoui",
        "cin": format!("K{:06}", 100 + n), "address": "12 rue Oued Sebou, Rabat",
        "region": region, "contact": format!("member{n}@example.ma"),
        "attest_electoral": true, "consent": true,
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    for (k, v) in b.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

fn exclusions(kind: &str) -> Value {
    let kind = if kind == "motion" {
        musharaka_model::state::InitiativeKind::Motion
    } else {
        musharaka_model::state::InitiativeKind::Petition
    };
    let map = musharaka_model::committee::exclusions(kind)
        .map(|e| (format!("attest_{}", e.id), Value::Bool(true)))
        .collect();
    Value::Object(map)
}

/// The fields of a proposal of `kind` to `authority`.
fn proposal_fields(kind: &str, authority: &str) -> Value {
    let text = json!({
        "kind": kind, "authority": authority, "text_lang": "fr",
        "title": "Une fontaine publique dans chaque douar",
        "request": "Installer une fontaine publique dans chaque douar de plus de 200 habitants.",
        "memorandum": "L'eau manque chaque été.\n\n- les puits tarissent\n- les citernes coûtent cher",
        "period": "90",
    });
    merge(merge(person(0, "MA-04"), text), exclusions(kind))
}

/// Posts `fields` to `path` as a script; the JSON answer.
async fn post(h: &Harness, path: &str, fields: &Value) -> Value {
    json(call(&h.app, &post_event(path, fields, true)).await).await
}

/// Seats the person whose seat answer is `sent` with the code really sent: their private code.
async fn seat(h: &Harness, sent: &Value) -> String {
    assert_eq!(sent["code"], "seat-code-sent", "{sent}");
    let reference = sent["seat"]["reference"].as_str().unwrap().to_string();
    let code = h.code_for(&reference).await;
    let fields = json!({
        "lang": "fr", "proposal": sent["seat"]["proposal"], "reference": reference, "code": code,
    });
    let seated = post(h, "/api/seat", &fields).await;
    assert_eq!(seated["code"], "seated", "{seated}");
    seated["key"]["code"].as_str().unwrap().to_string()
}

/// The agent proposes: their private code and the committee's invitation.
async fn proposed(h: &Harness, fields: &Value) -> (String, String) {
    let sent = post(h, "/api/propose", fields).await;
    let key = seat(h, &sent).await;
    let page = post(h, "/api/committee", &json!({"lang": "fr", "key": key})).await;
    assert_eq!(page["code"], "proposal-shown", "{page}");
    let invitation = page["committee"]["invitation"]
        .as_str()
        .unwrap()
        .to_string();
    (key, invitation)
}

/// Member `n` from `region` joins with `invitation`: their private code.
async fn joins(h: &Harness, invitation: &str, n: u32, region: &str) -> String {
    let fields = merge(person(n, region), json!({"invitation": invitation}));
    let sent = post(h, "/api/join", &fields).await;
    seat(h, &sent).await
}

async fn act(h: &Harness, key: &str, action: &str, more: Value) -> Value {
    let fields = merge(json!({"lang": "fr", "key": key, "do": action}), more);
    post(h, "/api/committee", &fields).await
}

#[tokio::test]
async fn a_petition_is_submitted_once_its_committee_holds() {
    let h = harness(committee_settings()).await;
    let (agent, invitation) =
        proposed(&h, &proposal_fields("petition", "head-of-government")).await;
    let mut members = Vec::new();
    for n in 1..=3 {
        members.push(joins(&h, &invitation, n, "MA-04").await);
    }
    let refused = act(&h, &agent, "submit", json!({})).await;
    assert_eq!(refused["code"], "rules-unmet", "{refused}");
    let unmet = refused["committee"]["unmet"].to_string();
    assert!(
        unmet.contains("4 membres") && unmet.contains("au moins 5"),
        "{unmet}"
    );
    assert!(
        refused["committee"]["rule"]
            .as_str()
            .unwrap()
            .contains("44.14")
    );

    members.push(joins(&h, &invitation, 4, "MA-01").await);
    let page = act(&h, &agent, "show", json!({})).await;
    assert_eq!(
        page["committee"]["summary"],
        "Membres confirmés : 5 · régions : 2"
    );
    // Names are the agent's to see; a member sees the committee without them.
    assert!(page.to_string().contains("Prénom3 Alaoui"));
    let seen_by_member = act(&h, &members[0], "show", json!({})).await;
    assert_eq!(seen_by_member["committee"]["role"], "member");
    assert!(!seen_by_member.to_string().contains("Prénom3"));
    assert!(seen_by_member["committee"]["invitation"].is_null());

    let refused = act(&h, &agent, "submit", json!({})).await;
    assert_eq!(refused["code"], "rules-unmet");
    assert!(
        refused["committee"]["unmet"]
            .to_string()
            .contains("suppléant")
    );
    let deputy = page["committee"]["members"][2]["reference"].clone();
    let named = act(&h, &agent, "deputy", json!({"member": deputy})).await;
    assert_eq!(named["code"], "proposal-saved", "{named}");
    let submitted = act(&h, &agent, "submit", json!({})).await;
    assert_eq!(submitted["code"], "proposal-submitted", "{submitted}");
    assert_eq!(submitted["proposal"]["state"], "submitted");

    // The committee is closed: no one joins, leaves or edits any more.
    let late = merge(person(9, "MA-04"), json!({"invitation": invitation}));
    assert_eq!(
        post(&h, "/api/join", &late).await["code"],
        "committee-closed"
    );
    let leave = act(&h, &members[0], "leave", json!({"confirm": true})).await;
    assert_eq!(leave["code"], "committee-closed");
    let (queue, _) = h
        .store
        .proposals(ProposalState::Submitted, None, 10)
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
}

#[tokio::test]
async fn a_motion_needs_members_from_four_regions() {
    let h = harness(committee_settings()).await;
    let fields = proposal_fields("motion", "house-of-representatives");
    let (agent, invitation) = proposed(&h, &fields).await;
    let mut refs = Vec::new();
    for n in 1..=4 {
        refs.push(
            joins(
                &h,
                &invitation,
                n,
                if n % 2 == 0 { "MA-04" } else { "MA-01" },
            )
            .await,
        );
    }
    let page = act(&h, &agent, "show", json!({})).await;
    assert_eq!(page["committee"]["members"][0]["role"], "Mandataire");
    let deputy = page["committee"]["members"][1]["reference"].clone();
    act(&h, &agent, "deputy", json!({"member": deputy})).await;
    let refused = act(&h, &agent, "submit", json!({})).await;
    assert_eq!(refused["code"], "rules-unmet");
    let unmet = refused["committee"]["unmet"].to_string();
    assert!(
        unmet.contains("2 régions") && unmet.contains("au moins 4"),
        "{unmet}"
    );
    assert_eq!(
        refused["committee"]["unmet"].as_array().unwrap().len(),
        1,
        "{unmet}"
    );
    joins(&h, &invitation, 5, "MA-07").await;
    joins(&h, &invitation, 6, "MA-09").await;
    let submitted = act(&h, &agent, "submit", json!({})).await;
    assert_eq!(submitted["code"], "proposal-submitted", "{submitted}");
}

#[tokio::test]
async fn bad_proposals_are_refused_naming_each_problem_and_nothing_is_written() {
    let h = harness(committee_settings()).await;
    let mut fields = proposal_fields("petition", "head-of-government");
    fields["request"] = "Installer <script>alert(1)</script> des fontaines.".into();
    fields["title"] = "Eau".into();
    fields["attest_insult"] = Value::Null;
    fields["period"] = "900".into();
    let answer = post(&h, "/api/propose", &fields).await;
    assert_eq!(answer["code"], "invalid-proposal", "{answer}");
    let problems = answer["problems"].to_string();
    for expected in [
        "Titre : 10 caractères au moins",
        "La demande : le texte contient du HTML",
        "Durée de collecte : de 30 à 365 jours",
        "Attestation manquante : L'injure, la diffamation",
    ] {
        assert!(problems.contains(expected), "{expected} in {problems}");
    }
    let motion_to_government = proposal_fields("motion", "head-of-government");
    let answer = post(&h, "/api/propose", &motion_to_government).await;
    assert_eq!(answer["code"], "invalid-target");
    let mut commune = proposal_fields("petition", "commune");
    commune["target_region"] = "MA-07".into();
    let answer = post(&h, "/api/propose", &commune).await;
    assert_eq!(answer["code"], "invalid-target", "a commune needs its name");
    commune["target_name"] = "Asni".into();
    commune["attest_local"] = true.into();
    let answer = post(&h, "/api/propose", &commune).await;
    assert_eq!(
        answer["code"], "not-eligible",
        "the agent lives in MA-04: {answer}"
    );
    h.deliver().await;
    assert!(h.messages().is_empty(), "no code sent");
    for state in [ProposalState::Draft, ProposalState::Submitted] {
        let (listed, _) = h.store.proposals(state, None, 10).await.unwrap();
        assert!(listed.is_empty());
    }
}

#[tokio::test]
async fn one_person_has_one_seat_and_invitations_cannot_be_made_up() {
    let h = harness(committee_settings()).await;
    let (_, invitation) = proposed(&h, &proposal_fields("petition", "head-of-government")).await;
    joins(&h, &invitation, 1, "MA-04").await;
    let twin = merge(
        person(1, "MA-04"),
        json!({"invitation": invitation, "contact": "other@example.ma"}),
    );
    let sent = post(&h, "/api/join", &twin).await;
    let reference = sent["seat"]["reference"].as_str().unwrap().to_string();
    let code = h.code_for(&reference).await;
    let fields = json!({"lang": "fr", "proposal": sent["seat"]["proposal"], "reference": reference, "code": code});
    assert_eq!(
        post(&h, "/api/seat", &fields).await["code"],
        "already-member"
    );

    let forged = format!("{}ZZZZZZ", &invitation[..9]);
    let fake = merge(person(2, "MA-04"), json!({"invitation": forged}));
    assert_eq!(
        post(&h, "/api/join", &fake).await["code"],
        "unknown-invitation"
    );
    let wrong = json!({"lang": "fr", "proposal": sent["seat"]["proposal"], "reference": reference, "code": "000000"});
    assert_eq!(post(&h, "/api/seat", &wrong).await["code"], "wrong-code");
}

#[tokio::test]
async fn a_withdrawn_proposal_erases_its_committee_and_its_codes() {
    let h = harness(committee_settings()).await;
    let (agent, invitation) =
        proposed(&h, &proposal_fields("petition", "head-of-government")).await;
    let member = joins(&h, &invitation, 1, "MA-04").await;
    let unconfirmed = act(&h, &agent, "withdraw", json!({})).await;
    assert_eq!(unconfirmed["code"], "confirmation-required");
    let left = act(&h, &member, "leave", json!({"confirm": true})).await;
    assert_eq!(left["code"], "left-committee");
    assert_eq!(
        act(&h, &member, "show", json!({})).await["code"],
        "unknown-key"
    );
    let withdrawn = act(&h, &agent, "withdraw", json!({"confirm": true})).await;
    assert_eq!(withdrawn["code"], "proposal-withdrawn", "{withdrawn}");
    assert_eq!(
        act(&h, &agent, "show", json!({})).await["code"],
        "unknown-key"
    );
    let (listed, _) = h
        .store
        .proposals(ProposalState::Withdrawn, None, 10)
        .await
        .unwrap();
    assert!(
        h.store
            .members(&listed[0].proposal.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn without_javascript_each_step_is_a_page_that_keeps_codes_out_of_urls() {
    let h = harness(committee_settings()).await;
    let r = call(
        &h.app,
        &post_event(
            "/api/propose",
            &proposal_fields("petition", "head-of-government"),
            false,
        ),
    )
    .await;
    assert_eq!(r.status(), 202);
    let page = text(r).await;
    assert!(page.contains("action=\"/api/seat?lang=fr\""), "{page}");
    let value = |page: &str, name: &str| {
        page.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string()
    };
    let (proposal, reference) = (value(&page, "proposal"), value(&page, "reference"));
    let code = h.code_for(&reference).await;
    let fields = json!({"lang": "fr", "proposal": proposal, "reference": reference, "code": code});
    let r = call(&h.app, &post_event("/api/seat", &fields, false)).await;
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    let key = receipt_in(&page).expect("the private code on the page");
    let r = call(
        &h.app,
        &post_event("/api/committee", &json!({"lang": "fr", "key": key}), false),
    )
    .await;
    assert_eq!(r.status(), 200);
    let page = text(r).await;
    assert!(page.contains("Une fontaine publique dans chaque douar"));
    assert!(page.contains(&format!("{proposal}-")), "the invitation");
    assert!(page.contains("value=\"submit\""));
    assert!(page.contains("lang=\"fr\" dir=\"ltr\""));
}
