//! The storage conformance suite, written once: `conformance_tests!(make)` expands to one test
//! per behaviour, run against the store that `make().await` returns.

#![allow(dead_code)]

mod proposals;
mod requests;
pub(crate) use proposals::*;
pub(crate) use requests::*;

use chrono::{DateTime, Duration, Utc};
use musharaka_functions::store::{
    Action, AdminStore, NewComment, NewSignature, Receipted, Stored, Withdrawal,
};
use musharaka_model::catalog::{
    Catalog, Consultation, Details, Entry, Initiative, PageFrame, Refusal, SCHEMA_VERSION,
};
use musharaka_model::state::{ConsultationState, InitiativeState};
use musharaka_model::target::{Authority, Target};
use musharaka_model::{Lang, Localized};
use std::sync::Arc;

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Inside every window below.
pub(crate) fn now() -> DateTime<Utc> {
    at("2026-11-26T12:00:00+01:00")
}

fn initiative(id: &str, state: InitiativeState, opens: &str, closes: &str) -> Entry {
    Entry {
        id: id.into(),
        details: Details::Petition(Initiative {
            target: Target::new(Authority::HeadOfGovernment),
            threshold: 4000,
            per_province: None,
            state,
            decided: None,
            erase_by: DateTime::parse_from_rfc3339("2029-01-01T00:00:00+01:00").ok(),
            per_contact: 2,
        }),
        opens: DateTime::parse_from_rfc3339(opens).unwrap(),
        closes: DateTime::parse_from_rfc3339(closes).unwrap(),
        title: Localized::new(),
        url: Localized::new(),
    }
}

fn consultation(id: &str, state: ConsultationState) -> Entry {
    Entry {
        details: Details::Consultation(Consultation {
            authority: Localized::new(),
            state,
            sections: vec!["s1".into(), "s1-1".into()],
        }),
        ..initiative(
            id,
            InitiativeState::Collecting,
            "2026-10-01T00:00:00+01:00",
            "2027-01-31T00:00:00+01:00",
        )
    }
}

/// A catalog with an entry for each case (a contact confirms at most 2 signatures of each).
pub(crate) fn catalog() -> Catalog {
    let window = ("2026-10-01T00:00:00+01:00", "2027-01-31T00:00:00+01:00");
    Catalog {
        version: SCHEMA_VERSION,
        base_url: "https://example.ma".into(),
        entries: vec![
            initiative("p-open", InitiativeState::Collecting, window.0, window.1),
            initiative(
                "p-later",
                InitiativeState::Collecting,
                "2027-02-01T00:00:00+01:00",
                "2027-05-01T00:00:00+01:00",
            ),
            initiative(
                "p-past",
                InitiativeState::Collecting,
                "2026-01-01T00:00:00+01:00",
                "2026-11-01T00:00:00+01:00",
            ),
            initiative("p-filed", InitiativeState::Filed, window.0, window.1),
            consultation("c-open", ConsultationState::Open),
            consultation("c-closed", ConsultationState::Closed),
        ],
        retention: Default::default(),
        frames: [(
            Lang::Fr,
            PageFrame {
                head: "<!doctype html><title>".into(),
                top: "</title><header>Portail</header><main>".into(),
                bottom: "</main><footer></footer>".into(),
                privacy_url: Some("/fr/privacy/".into()),
                terms_url: None,
            },
        )]
        .into(),
    }
}

pub(crate) fn signature(initiative: &str, signer: &str, region: &str) -> NewSignature {
    NewSignature {
        initiative: initiative.into(),
        signer: format!("{signer:0>64}"),
        region: region.into(),
        lang: Lang::Fr,
        sealed: vec![1, 2, 3],
        receipt: format!("receipt-{initiative}-{signer}"),
        expires: at("2029-01-01T00:00:00+01:00").timestamp(),
        contact: format!("contact-{signer}"),
        group: "phone:+212".into(),
        client: "client-1".into(),
    }
}

pub(crate) fn comment(consultation: &str, id: &str) -> NewComment {
    NewComment {
        id: id.into(),
        consultation: consultation.into(),
        section: Some("s1-1".into()),
        text: "Je propose d'ajouter un délai.".into(),
        display_name: Some("Amina".into()),
        lang: Lang::Fr,
        sender: "5e4d3c2b1a09".into(),
    }
}

pub(crate) async fn publish_then_read_back(store: Arc<dyn AdminStore>) {
    let c = catalog();
    assert_eq!(store.publish(&c).await.unwrap(), c.entries.len());
    assert_eq!(
        store.entry("p-open").await.unwrap().as_ref(),
        Some(&c.entries[0])
    );
    assert_eq!(store.entry("nope").await.unwrap(), None);
    // The site's page frame in each language it was published in, apart from the entries.
    assert_eq!(
        store.frame(Lang::Fr).await.unwrap().as_ref(),
        c.frames.get(&Lang::Fr)
    );
    assert_eq!(store.frame(Lang::Ar).await.unwrap(), None);
}

pub(crate) async fn a_signature_counts_once(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let s = signature("p-open", "a1", "MA-04");
    assert_eq!(store.sign(&s, now()).await.unwrap(), Stored::Done);
    assert_eq!(store.sign(&s, now()).await.unwrap(), Stored::Duplicate);
    store
        .sign(&signature("p-open", "b2", "MA-06"), now())
        .await
        .unwrap();
    store
        .sign(&signature("p-open", "c3", "MA-04"), now())
        .await
        .unwrap();
    let counts = store
        .counts(&["p-open".into(), "p-filed".into(), "nope".into()])
        .await
        .unwrap();
    assert_eq!(counts["p-open"].total, 3);
    assert_eq!(counts["p-open"].regions["MA-04"], 2);
    assert_eq!(counts["p-open"].regions["MA-06"], 1);
    assert_eq!(counts["p-filed"].total, 0);
    assert!(!counts.contains_key("nope"), "unknown ids are left out");
}

pub(crate) async fn signatures_only_while_collecting(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let cases = [
        ("p-later", Stored::Refused(Refusal::NotYetOpen)),
        ("p-past", Stored::Refused(Refusal::Closed)),
        ("p-filed", Stored::Refused(Refusal::Closed)),
        ("c-open", Stored::Refused(Refusal::WrongKind)),
        ("nope", Stored::NotFound),
    ];
    for (id, want) in cases {
        assert_eq!(
            store
                .sign(&signature(id, "a1", "MA-01"), now())
                .await
                .unwrap(),
            want,
            "{id}"
        );
    }
    let counts = store
        .counts(&["p-later".into(), "p-past".into(), "p-filed".into()])
        .await
        .unwrap();
    assert!(
        counts.values().all(|c| c.total == 0),
        "a refused signature was counted: {counts:?}"
    );
    // Closing is exclusive: at the closing instant it is closed.
    let closes = at("2027-01-31T00:00:00+01:00");
    assert_eq!(
        store
            .sign(&signature("p-open", "z9", "MA-01"), closes)
            .await
            .unwrap(),
        Stored::Refused(Refusal::Closed)
    );
}

pub(crate) async fn republishing_keeps_counts_and_applies_the_new_state(
    store: Arc<dyn AdminStore>,
) {
    let mut c = catalog();
    store.publish(&c).await.unwrap();
    store
        .sign(&signature("p-open", "a1", "MA-04"), now())
        .await
        .unwrap();
    if let Details::Petition(i) = &mut c.entries[0].details {
        i.state = InitiativeState::Filed;
    }
    store.publish(&c).await.unwrap();
    assert_eq!(
        store
            .sign(&signature("p-open", "b2", "MA-04"), now())
            .await
            .unwrap(),
        Stored::Refused(Refusal::Closed)
    );
    assert_eq!(
        store.counts(&["p-open".into()]).await.unwrap()["p-open"].total,
        1
    );
}

pub(crate) async fn comments_only_on_open_consultations(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    assert_eq!(
        store
            .comment(&comment("c-open", "0001-a"), now())
            .await
            .unwrap(),
        Stored::Done
    );
    assert_eq!(
        store
            .comment(&comment("c-closed", "0002-a"), now())
            .await
            .unwrap(),
        Stored::Refused(Refusal::Closed)
    );
    assert_eq!(
        store
            .comment(&comment("p-open", "0003-a"), now())
            .await
            .unwrap(),
        Stored::Refused(Refusal::WrongKind)
    );
    assert_eq!(
        store
            .comment(&comment("nope", "0004-a"), now())
            .await
            .unwrap(),
        Stored::NotFound
    );
}

pub(crate) async fn the_rate_limit_counts_per_client_and_window(store: Arc<dyn AdminStore>) {
    let t = now();
    for _ in 0..3 {
        assert!(store.allow("client-a", t, 60, 3).await.unwrap());
    }
    assert!(
        !store.allow("client-a", t, 60, 3).await.unwrap(),
        "the fourth in a window"
    );
    assert!(
        store.allow("client-b", t, 60, 3).await.unwrap(),
        "another client"
    );
    assert!(
        store
            .allow("client-a", t + Duration::seconds(60), 60, 3)
            .await
            .unwrap(),
        "the next window"
    );
}

/// Pending comments are listed by consultation, section and age; each is decided once, with
/// who and when recorded.
pub(crate) async fn moderation_decides_each_comment_once(store: Arc<dyn AdminStore>) {
    use musharaka_functions::store::Decided;
    use musharaka_model::moderation::{ModerationState, RejectReason};
    store.publish(&catalog()).await.unwrap();
    let mut whole = comment("c-open", "0003-c");
    whole.section = None;
    let later = comment("c-open", "0002-b");
    store
        .comment(&comment("c-open", "0001-a"), now())
        .await
        .unwrap();
    store
        .comment(&later, now() + Duration::seconds(5))
        .await
        .unwrap();
    store
        .comment(&whole, now() + Duration::seconds(9))
        .await
        .unwrap();
    let ids = |v: Vec<musharaka_functions::store::StoredComment>| {
        v.into_iter().map(|c| c.id).collect::<Vec<_>>()
    };
    // The whole text first, then section s1-1 oldest first.
    assert_eq!(
        ids(store.pending_comments(Some("c-open")).await.unwrap()),
        ["0003-c", "0001-a", "0002-b"]
    );
    assert_eq!(ids(store.pending_comments(None).await.unwrap()).len(), 3);
    assert!(
        store
            .pending_comments(Some("c-closed"))
            .await
            .unwrap()
            .is_empty()
    );

    let at = now() + Duration::hours(1);
    assert_eq!(
        store.decide("0001-a", None, "Salma", at).await.unwrap(),
        Decided::Done
    );
    assert_eq!(
        store
            .decide("0002-b", Some(RejectReason::OffTopic), "Salma", at)
            .await
            .unwrap(),
        Decided::Done
    );
    assert_eq!(
        store
            .decide("0001-a", Some(RejectReason::Spam), "Youssef", at)
            .await
            .unwrap(),
        Decided::AlreadyDecided,
        "a second decision changes nothing"
    );
    assert_eq!(
        store.decide("nope", None, "Salma", at).await.unwrap(),
        Decided::NotFound
    );
    let approved = store.stored_comment("0001-a").await.unwrap().unwrap();
    assert_eq!(approved.state, ModerationState::Approved);
    assert_eq!(
        approved.decision,
        Some(("Salma".to_string(), at.timestamp(), None))
    );
    let rejected = store.stored_comment("0002-b").await.unwrap().unwrap();
    assert_eq!(rejected.state, ModerationState::Rejected);
    assert_eq!(rejected.decision.unwrap().2, Some(RejectReason::OffTopic));
    assert_eq!(
        ids(store.pending_comments(Some("c-open")).await.unwrap()),
        ["0003-c"]
    );
    assert_eq!(store.stored_comment("nope").await.unwrap(), None);
}

/// The whole path of a comment: sent, pending, approved, then shown under its section by the
/// next build; a rejected or pending one never shown.
pub(crate) async fn approved_comments_appear_under_their_section_after_build(
    store: Arc<dyn AdminStore>,
) {
    store.publish(&catalog()).await.unwrap();
    let mut approved = comment("c-open", "0001-a");
    approved.text = "Préciser le délai <b>de réponse</b>.".into();
    let mut rejected = comment("c-open", "0002-b");
    rejected.text = "Achetez mes produits.".into();
    let mut pending = comment("c-open", "0003-c");
    pending.text = "Encore en attente.".into();
    for c in [&approved, &rejected, &pending] {
        assert_eq!(store.comment(c, now()).await.unwrap(), Stored::Done);
    }
    store.decide("0001-a", None, "Salma", now()).await.unwrap();
    store
        .decide(
            "0002-b",
            Some(musharaka_model::moderation::RejectReason::Spam),
            "Salma",
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        store.set_retained("0002-b", true, "x").await.unwrap(),
        musharaka_functions::store::Decided::NotFound
    );
    assert_eq!(
        store
            .set_retained("0001-a", true, "Repris à l'article 2.")
            .await
            .unwrap(),
        musharaka_functions::store::Decided::Done
    );
    let published: Vec<_> = store
        .approved_comments("c-open")
        .await
        .unwrap()
        .iter()
        .map(|c| c.published())
        .collect();
    assert_eq!(published.len(), 1);

    let site_dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    for entry in walkdir::WalkDir::new(root.join("site-theme")) {
        let entry = entry.unwrap();
        let dest = site_dir
            .path()
            .join(entry.path().strip_prefix(root).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    let content = site_dir.path().join("content");
    std::fs::create_dir_all(content.join("consultations")).unwrap();
    std::fs::copy(
        root.join("generator/tests/fixtures/basic/content/site.toml"),
        content.join("site.toml"),
    )
    .unwrap();
    std::fs::write(
        content.join("_index.fr.md"),
        "+++\ntitle = \"Accueil\"\n+++\n",
    )
    .unwrap();
    std::fs::write(
        content.join("consultations/_index.fr.md"),
        "+++\ntitle = \"Consultations\"\n+++\n",
    )
    .unwrap();
    std::fs::write(
        content.join("consultations/open.fr.md"),
        "+++\ntitle = \"Projet\"\nkind = \"consultation\"\nid = \"c-open\"\nstate = \"open\"\nauthority = \"Ministère\"\nopens = 2020-01-01T00:00:00+01:00\ncloses = 2100-01-01T00:00:00+01:00\n+++\n\n## Chapitre\n\nIntro.\n\n### Article premier\n\nTexte.\n",
    )
    .unwrap();
    let mut site = musharaka_generator::Site::load(site_dir.path(), None).unwrap();
    site.comments.insert("c-open".into(), published);
    let out = site_dir.path().join("public");
    site.build(&out, &|_, _| {}).unwrap();
    let html = std::fs::read_to_string(out.join("fr/consultations/open/index.html")).unwrap();
    let article = html.find("id=\"s1-1\"").expect("the article heading");
    let shown = html
        .find("Préciser le délai &lt;b&gt;de réponse&lt;/b&gt;.")
        .expect("the approved comment, escaped");
    assert!(shown > article, "the comment is under its article");
    assert!(html.contains("1 commentaire"), "a count per section");
    assert!(
        html.contains("Repris à l&#39;article 2."),
        "the authority's reason"
    );
    assert!(!html.contains("Achetez") && !html.contains("Encore en attente"));
}

/// The signatures of an initiative come back sealed, for the filing export, which is logged.
pub(crate) async fn signatures_are_listed_for_the_filing(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    for (i, signer) in ["a1", "b2", "c3"].iter().enumerate() {
        store
            .sign(
                &signature("p-open", signer, "MA-04"),
                now() + Duration::seconds(i as i64),
            )
            .await
            .unwrap();
    }
    store
        .sign(&signature("p-later", "z9", "MA-04"), now())
        .await
        .unwrap();
    let sigs = store.signatures("p-open").await.unwrap();
    let signers: Vec<String> = sigs
        .iter()
        .map(|s| s.signer.trim_start_matches('0').to_string())
        .collect();
    assert_eq!(
        signers,
        ["a1", "b2", "c3"],
        "oldest first, this initiative only"
    );
    assert!(sigs.iter().all(|s| s.sealed == vec![1, 2, 3]));
    store
        .log_action(Action::Export, "p-open", "Salma", now(), 3)
        .await
        .unwrap();
}

fn total(count: &musharaka_model::catalog::Count) -> (u64, u64) {
    (
        count.total,
        count.regions.get("MA-04").copied().unwrap_or_default(),
    )
}

async fn total_of(store: &Arc<dyn AdminStore>, id: &str) -> (u64, u64) {
    total(&store.counts(&[id.to_string()]).await.unwrap()[id])
}

/// A signer checks their signature with its receipt and withdraws it while the initiative
/// collects: it is gone, the count is lowered; once the initiative is filed, it stays.
pub(crate) async fn a_signer_checks_and_withdraws_with_the_receipt(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let (mine, other) = (
        signature("p-open", "a1", "MA-04"),
        signature("p-open", "b2", "MA-04"),
    );
    store.sign(&mine, now()).await.unwrap();
    store.sign(&other, now()).await.unwrap();
    assert_eq!(
        store.receipted(&mine.receipt).await.unwrap(),
        Some(Receipted {
            initiative: "p-open".into(),
            created: now().timestamp()
        })
    );
    assert_eq!(store.receipted("no-such").await.unwrap(), None);
    assert_eq!(
        store.withdraw("no-such", now()).await.unwrap(),
        Withdrawal::NotFound
    );
    assert_eq!(total_of(&store, "p-open").await, (2, 2));

    let Withdrawal::Done(found, count) = store.withdraw(&mine.receipt, now()).await.unwrap() else {
        panic!("the withdrawal was refused");
    };
    assert_eq!(found.initiative, "p-open");
    assert_eq!(
        count.as_ref().map(total),
        Some((1, 1)),
        "the count answered is the new one"
    );
    assert_eq!(total_of(&store, "p-open").await, (1, 1));
    assert_eq!(store.receipted(&mine.receipt).await.unwrap(), None);
    let left = store.signatures("p-open").await.unwrap();
    assert_eq!(left.len(), 1, "a withdrawn signature is not filed");
    assert_eq!(left[0].signer, other.signer);
    assert_eq!(
        store.withdraw(&mine.receipt, now()).await.unwrap(),
        Withdrawal::NotFound,
        "twice changes nothing"
    );
    assert_eq!(total_of(&store, "p-open").await, (1, 1));

    // Signing again after a withdrawal counts again.
    let again = NewSignature {
        receipt: "receipt-again".into(),
        ..mine
    };
    assert_eq!(store.sign(&again, now()).await.unwrap(), Stored::Done);
    assert_eq!(total_of(&store, "p-open").await, (2, 2));

    // Filed: no more withdrawal.
    let mut filed = catalog();
    for e in &mut filed.entries {
        if let Details::Petition(i) = &mut e.details
            && e.id == "p-open"
        {
            i.state = InitiativeState::Filed;
        }
    }
    store.publish(&filed).await.unwrap();
    assert_eq!(
        store.withdraw(&other.receipt, now()).await.unwrap(),
        Withdrawal::Refused(Refusal::Closed)
    );
    assert_eq!(total_of(&store, "p-open").await, (2, 2));
    assert!(store.receipted(&other.receipt).await.unwrap().is_some());
}

/// The purge deletes an initiative's personal data, and only its: the counts stay; and the
/// comments rejected long enough ago.
pub(crate) async fn erasing_personal_data_keeps_counts(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let signers = ["a1", "b2", "c3"].map(|s| signature("p-open", s, "MA-04"));
    for s in &signers {
        store.sign(s, now()).await.unwrap();
    }
    let later = signature("p-later", "z9", "MA-04");
    store
        .sign(&later, at("2027-02-02T00:00:00+01:00"))
        .await
        .unwrap();
    assert_eq!(store.erase_signatures("p-open").await.unwrap(), 3);
    assert!(store.signatures("p-open").await.unwrap().is_empty());
    assert_eq!(store.receipted(&signers[0].receipt).await.unwrap(), None);
    assert_eq!(total_of(&store, "p-open").await, (3, 3), "counts are kept");
    assert_eq!(store.signatures("p-later").await.unwrap().len(), 1);
    assert_eq!(store.erase_signatures("p-open").await.unwrap(), 0);
    store
        .log_action(Action::Purge, "p-open", "Salma", now(), 3)
        .await
        .unwrap();

    // Rejected comments go once their time is up; approved ones stay with the consultation.
    use musharaka_model::moderation::RejectReason;
    for id in ["0001-a", "0002-b", "0003-c"] {
        store.comment(&comment("c-open", id), now()).await.unwrap();
    }
    let (early, late) = (now() + Duration::days(1), now() + Duration::days(20));
    let reject = Some(RejectReason::Spam);
    store
        .decide("0001-a", reject, "Salma", early)
        .await
        .unwrap();
    store.decide("0002-b", reject, "Salma", late).await.unwrap();
    store.decide("0003-c", None, "Salma", early).await.unwrap();
    let cutoff = (now() + Duration::days(10)).timestamp();
    assert_eq!(store.erase_rejected_comments(cutoff).await.unwrap(), 1);
    assert!(store.stored_comment("0001-a").await.unwrap().is_none());
    assert!(store.stored_comment("0002-b").await.unwrap().is_some());
    assert!(store.stored_comment("0003-c").await.unwrap().is_some());
}

/// Many signers at once, some signing twice: the count is the number of distinct signers.
pub(crate) async fn concurrent_signers_are_counted_exactly(store: Arc<dyn AdminStore>) {
    store.publish(&catalog()).await.unwrap();
    let distinct = 120;
    let mut tasks = Vec::new();
    for i in 0..(distinct + 40) {
        let store = store.clone();
        let signer = format!("s{}", i % distinct);
        // A repeat signs from the same region as the first time.
        let region = format!("MA-{:02}", 1 + (i % distinct) % 12);
        tasks.push(tokio::spawn(async move {
            store
                .sign(&signature("p-open", &signer, &region), now())
                .await
                .unwrap()
        }));
    }
    let mut done = 0;
    let mut duplicates = 0;
    for t in tasks {
        match t.await.unwrap() {
            Stored::Done => done += 1,
            Stored::Duplicate => duplicates += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((done, duplicates), (distinct, 40));
    let count = &store.counts(&["p-open".into()]).await.unwrap()["p-open"];
    assert_eq!(count.total, distinct as u64);
    assert_eq!(count.regions.values().sum::<u64>(), distinct as u64);
    assert_eq!(count.regions["MA-01"], 10);
}

/// Expands to one `#[tokio::test]` per behaviour for the store made by `$make`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@each $make;
            publish_then_read_back,
            a_signature_counts_once,
            signatures_only_while_collecting,
            republishing_keeps_counts_and_applies_the_new_state,
            comments_only_on_open_consultations,
            the_rate_limit_counts_per_client_and_window,
            moderation_decides_each_comment_once,
            approved_comments_appear_under_their_section_after_build,
            signatures_are_listed_for_the_filing,
            a_signer_checks_and_withdraws_with_the_receipt,
            erasing_personal_data_keeps_counts,
            concurrent_signers_are_counted_exactly,
            a_request_counts_only_once_confirmed,
            a_stale_or_locked_code_confirms_nothing,
            a_code_is_resent_once_per_turn,
            one_contact_confirms_at_most_its_limit,
            a_contact_asks_for_a_bounded_number_of_codes_a_day,
            a_cin_confirmed_again_is_told_apart_by_contact_and_may_be_contested,
            a_dispute_kept_leaves_the_signature_counted,
            struck_signatures_stop_counting_and_leave_the_export,
            concurrent_confirmations_count_once,
            a_proposal_is_nobodys_until_its_agent_confirms,
            wrong_member_codes_lock_the_request,
            a_committee_changes_only_while_open_and_over_the_version_seen,
            a_committee_holds_a_bounded_number_of_people,
            a_contact_asks_for_a_bounded_number_of_committee_codes,
            the_review_queue_is_paged_by_state_oldest_first,
            a_rejection_is_written_once_and_erases_the_committee
        );
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let (store, _guard) = $make.await;
                conformance::$name(store).await;
            }
        )*
    };
}
