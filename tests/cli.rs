//! The `musharaka` command as an editor uses it: build and check the repository's content,
//! refuse each invalid fixture with file and line, scaffold pages, serve and live-rebuild.

#[path = "../generator/tests/common/mod.rs"]
mod common;
#[path = "support/keys.rs"]
mod keys;

use keys::local_keys;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn musharaka(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_musharaka"))
        .args(args)
        .output()
        .expect("the musharaka binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn builds_the_repository_content_in_three_languages() {
    let root = common::workspace();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    let o = musharaka(&["build", "--root", path(&root), "--out", path(&out)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("pages ar"), "{}", text(&o));
    for (lang, dir) in [("ar", "rtl"), ("zgh", "ltr"), ("fr", "ltr")] {
        let home = std::fs::read_to_string(out.join(lang).join("index.html")).unwrap();
        assert!(home.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")));
        assert!(out.join(lang).join("atom.xml").is_file());
    }
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("hreflang=\"zgh\""));
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("catalog.json")).unwrap()).unwrap();
    assert!(!catalog["entries"].as_array().unwrap().is_empty());
    let o = musharaka(&["check", "--root", path(&root)]);
    assert!(
        o.status.success(),
        "check fails on the repository content:\n{}",
        text(&o)
    );
}

#[test]
fn each_invalid_fixture_fails_check_and_build_naming_file_and_line() {
    let basic = common::fixtures().join("basic");
    for (name, dir, location, message) in common::invalid_cases() {
        let site = common::site_from(&[&basic, &dir]);
        let out = site.path().join("public");
        for cmd in ["check", "build"] {
            let o = musharaka(&[cmd, "--root", path(site.path())]);
            let t = text(&o);
            assert!(!o.status.success(), "{name}: `{cmd}` succeeded");
            assert!(
                t.contains(&location) && t.contains(&message),
                "{name}: `{cmd}` does not say `{location}` / `{message}`:\n{t}"
            );
            assert!(!t.contains("panicked"), "{name}: {t}");
        }
        assert!(
            !out.exists(),
            "{name}: a failed build wrote {}",
            out.display()
        );
    }
}

#[test]
fn new_scaffolds_the_three_languages_of_a_petition_that_pass_check() {
    let site = common::site_from(&[&common::fixtures().join("basic")]);
    let root = path(site.path());
    for args in [
        ["new", "section", "petitions"],
        ["new", "petition", "petitions/clean-water"],
        ["new", "section", "consultations"],
        ["new", "consultation", "consultations/water-tariffs"],
    ] {
        let o = musharaka(&[args[0], args[1], args[2], "--root", root]);
        assert!(o.status.success(), "{}", text(&o));
    }
    for lang in ["ar", "zgh", "fr"] {
        let file = site
            .path()
            .join(format!("content/petitions/clean-water.{lang}.md"));
        assert!(file.is_file(), "{}", file.display());
    }
    let o = musharaka(&["check", "--root", root]);
    assert!(o.status.success(), "{}", text(&o));
    let again = musharaka(&["new", "petition", "petitions/clean-water", "--root", root]);
    assert!(!again.status.success(), "overwrote an existing page");
    let bad = musharaka(&["new", "page", "Bad Name", "--root", root]);
    assert!(!bad.status.success());
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    (status, response)
}

#[test]
fn serve_rebuilds_when_content_changes() {
    let site = common::site_from(&[&common::fixtures().join("basic")]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_musharaka"))
        .args(["serve", "--port", "0", "--root", path(site.path())])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("serve prints its URL").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let (status, body) = get(&url, "/fr/about/");
    assert_eq!(status, 200);
    assert!(body.contains("About fr") && body.contains("/__livereload.js"));
    assert_eq!(
        get(&url, "/fr/about").0,
        308,
        "a folder without its slash is redirected"
    );
    let (status, body) = get(&url, "/fr/nowhere/");
    assert_eq!(status, 404);
    assert!(body.contains("<html lang=\"fr\""), "the French 404 page");
    assert_eq!(get(&url, "/../../etc/passwd").0, 404);

    std::fs::write(
        site.path().join("content/about.fr.md"),
        "+++\ntitle = \"Rewritten\"\n+++\n\nNew text.\n",
    )
    .unwrap();
    let start = Instant::now();
    let mut rebuilt = false;
    while start.elapsed() < Duration::from_secs(20) {
        if get(&url, "/fr/about/").1.contains("Rewritten") {
            rebuilt = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(rebuilt, "the page was not rebuilt after its file changed");
    assert!(
        get(&url, "/fr/").1.contains("Rewritten"),
        "the home page's links show the new title"
    );

    // A broken save keeps the last good build served; the fix is picked up.
    std::fs::write(
        site.path().join("content/about.fr.md"),
        "+++\ntitle = \"Broken\n+++\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let (status, body) = get(&url, "/fr/about/");
    assert_eq!(status, 200);
    assert!(body.contains("Rewritten") && !body.contains("Broken"));
    std::fs::write(
        site.path().join("content/about.fr.md"),
        "+++\ntitle = \"Fixed\"\n+++\n",
    )
    .unwrap();
    let start = Instant::now();
    while !get(&url, "/fr/about/").1.contains("Fixed") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the fix was not rebuilt"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().ok();
    child.wait().ok();
}

/// A store with an open consultation `c-open` and its pending `comments` (id, text, sender).
fn comments_store(
    comments: Vec<(String, String, &str)>,
) -> (tempfile::TempDir, std::path::PathBuf) {
    use musharaka_functions::store::sqlite::SqliteStore;
    use musharaka_functions::store::{AdminStore, NewComment, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.sqlite3");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        let catalog = serde_json::json!({
            "version": 2, "base_url": "https://musharaka.ma",
            "entries": [{
                "id": "c-open", "kind": "consultation", "authority": {}, "state": "open",
                "sections": ["s1"], "opens": "2020-01-01T00:00:00+01:00",
                "closes": "2100-01-01T00:00:00+01:00", "title": {}, "url": {}
            }]
        });
        store
            .publish(&serde_json::from_value(catalog).unwrap())
            .await
            .unwrap();
        for (id, text, sender) in comments {
            let c = NewComment {
                id,
                consultation: "c-open".into(),
                section: Some("s1".into()),
                text,
                display_name: None,
                lang: musharaka_model::Lang::Fr,
                sender: sender.into(),
            };
            store.comment(&c, chrono::Utc::now()).await.unwrap();
        }
    });
    (dir, db)
}

/// A flood in the moderators' queue: hidden characters shown, the list paged with its totals,
/// one sender's comments rejected at once after a dry run.
#[test]
fn moderators_see_hidden_text_and_reject_a_flood_at_once() {
    // Stored before text was checked: what a moderator's terminal must not hide.
    let mut comments = vec![(
        "0000-x".to_string(),
        "insult\rbenign text".to_string(),
        "aaaaaaaaaaaa",
    )];
    for i in 1..=120 {
        let spam = format!("Achetez mes produits {i}");
        comments.push((format!("{i:04}-f"), spam, "f100df100d00"));
    }
    let real = "Un vrai avis sur l'article.".to_string();
    comments.push(("9999-z".into(), real, "bbbbbbbbbbbb"));
    let (_dir, db) = comments_store(comments);
    let spec = format!("sqlite:{}", db.display());
    let run = |args: &[&str]| {
        let mut all = vec!["moderate", "--store", spec.as_str()];
        all.extend_from_slice(args);
        musharaka(&all)
    };
    let shown = text(&run(&["show", "0000-x"]));
    assert!(shown.contains("insult⟨CR⟩benign text"), "{shown}");

    let page = text(&run(&["list", "--page", "2", "--per-page", "50"]));
    assert!(
        page.contains("122 pending comment(s); page 2 of 3 shows 51 to 100"),
        "{page}"
    );
    assert_eq!(page.matches("from f100df100d00").count(), 50);

    let dry = run(&[
        "reject",
        "--sender",
        "f100df100d00",
        "--contains",
        "PRODUITS",
        "--reason",
        "spam",
        "--moderator",
        "Salma",
        "--dry-run",
    ]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry).contains("would reject 120 of 122"),
        "{}",
        text(&dry)
    );
    assert!(
        text(&run(&["list"])).contains("122 pending"),
        "the dry run changed nothing"
    );
    let done = run(&[
        "reject",
        "--sender",
        "f100df100d00",
        "--reason",
        "spam",
        "--moderator",
        "Salma",
    ]);
    assert!(
        text(&done).contains("rejected (spam) 120 of 122"),
        "{}",
        text(&done)
    );
    let left = text(&run(&["list"]));
    assert!(
        left.contains("2 pending") && left.contains("9999-z"),
        "{left}"
    );
    let neither = run(&["reject", "--reason", "spam", "--moderator", "Salma"]);
    assert!(!neither.status.success() && text(&neither).contains("filters"));
}

#[test]
fn moderators_approve_and_reject_pending_comments_once() {
    let (_dir, db) = comments_store(vec![
        (
            "0001-a".into(),
            "Ajouter un délai de réponse.".into(),
            "5e4d3c2b1a09",
        ),
        (
            "0002-b".into(),
            "Achetez mes produits !".into(),
            "5e4d3c2b1a09",
        ),
    ]);
    let spec = format!("sqlite:{}", db.display());
    let run = |args: &[&str]| {
        let mut all = vec!["moderate", "--store", spec.as_str()];
        all.extend_from_slice(args);
        musharaka(&all)
    };
    let list = run(&["list"]);
    assert!(list.status.success(), "{}", text(&list));
    assert!(text(&list).contains("0001-a") && text(&list).contains("2 pending"));
    assert!(
        run(&["approve", "0001-a", "--moderator", "Salma"])
            .status
            .success()
    );
    let bad = run(&[
        "reject",
        "0002-b",
        "--reason",
        "rude",
        "--moderator",
        "Salma",
    ]);
    assert!(
        !bad.status.success() && text(&bad).contains("personal-data"),
        "{}",
        text(&bad)
    );
    assert!(
        run(&[
            "reject",
            "0002-b",
            "--reason",
            "spam",
            "--moderator",
            "Salma"
        ])
        .status
        .success()
    );
    let again = run(&["approve", "0002-b", "--moderator", "Youssef"]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("already rejected by Salma"),
        "{}",
        text(&again)
    );
    assert!(
        !run(&["approve", "nope", "--moderator", "Salma"])
            .status
            .success()
    );
    let shown = run(&["show", "0002-b"]);
    assert!(text(&shown).contains("reason spam"), "{}", text(&shown));
    assert!(text(&run(&["list"])).contains("0 pending"));
    let early = run(&[
        "retain",
        "0001-a",
        "--retained",
        "yes",
        "--reason",
        "Repris.",
    ]);
    assert!(
        !early.status.success() && text(&early).contains("not published yet"),
        "{}",
        text(&early)
    );
}

/// The trilingual fixture, built into its `public/`.
fn built_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let site = common::site_from(&[&common::fixtures().join("trilingual")]);
    let out = site.path().join("public");
    let o = musharaka(&["build", "--root", path(site.path()), "--out", path(&out)]);
    assert!(o.status.success(), "{}", text(&o));
    (site, out)
}

/// Loads a catalog into a store with `musharaka publish`.
fn publish(spec: &str, catalog: &Path) {
    let o = musharaka(&["publish", "--store", spec, "--catalog", path(catalog)]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn build_with_a_store_shows_counts_and_approved_comments_without_javascript() {
    use musharaka_functions::store::sqlite::SqliteStore;
    use musharaka_functions::store::{AdminStore, NewComment, NewSignature, Store};
    let (site, out) = built_fixture();
    let root = path(site.path());
    let db = site.path().join("data/m.sqlite3");
    let spec = format!("sqlite:{}", db.display());
    let catalog = out.join("catalog.json");
    publish(&spec, &catalog);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        // The fixture's consultation is closed: comments reach it from when it was open.
        let mut open: musharaka_model::catalog::Catalog =
            serde_json::from_str(&std::fs::read_to_string(&catalog).unwrap()).unwrap();
        for e in &mut open.entries {
            if let musharaka_model::catalog::Details::Consultation(c) = &mut e.details {
                c.state = musharaka_model::state::ConsultationState::Open;
                e.closes =
                    chrono::DateTime::parse_from_rfc3339("2100-01-01T00:00:00+01:00").unwrap();
            }
        }
        store.publish(&open).await.unwrap();
        let c = NewComment {
            id: "0001-a".into(),
            consultation: "c-draft".into(),
            section: Some("art-2".into()),
            text: "Deux semaines suffisent.".into(),
            display_name: Some("Amina".into()),
            lang: musharaka_model::Lang::Fr,
            sender: "5e4d3c2b1a09".into(),
        };
        store.comment(&c, chrono::Utc::now()).await.unwrap();
        store
            .decide("0001-a", None, "Salma", chrono::Utc::now())
            .await
            .unwrap();
        let s = NewSignature {
            initiative: "p-water".into(),
            signer: "a".repeat(64),
            region: "MA-07".into(),
            lang: musharaka_model::Lang::Fr,
            sealed: vec![1],
            receipt: "r-a".into(),
            expires: i64::MAX,
            contact: "contact-a".into(),
            group: "phone:+212".into(),
            client: "client-a".into(),
        };
        store.sign(&s, chrono::Utc::now()).await.unwrap();
    });
    // Back to the published catalog, where the synthesis is out.
    publish(&spec, &catalog);
    let retained = musharaka(&[
        "moderate",
        "--store",
        &spec,
        "retain",
        "0001-a",
        "--retained",
        "yes",
        "--reason",
        "Retenu à l'article 2.",
    ]);
    assert!(retained.status.success(), "{}", text(&retained));
    let o = musharaka(&[
        "build",
        "--root",
        root,
        "--out",
        path(&out),
        "--store",
        &spec,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(out.join("fr/consultations/draft/index.html")).unwrap();
    assert!(page.contains("Deux semaines suffisent.") && page.contains("Amina"));
    assert!(page.find("Deux semaines").unwrap() > page.find("id=\"art-2\"").unwrap());
    assert!(page.contains("Retenue"), "the retained marker");
    let petition = std::fs::read_to_string(out.join("fr/initiatives/water/index.html")).unwrap();
    assert!(
        petition.contains("1 signature"),
        "the count as of the build"
    );
}

/// Signatures of `p-water` by CIN, each counted under its key (a region, or a province for a
/// region council's petition), sealed as the functions seal them.
fn sign_counted_under(
    db: &Path,
    secrets: &musharaka_functions::crypto::Secrets,
    signers: &[(&str, &str)],
) {
    use musharaka_functions::personal::PersonalData;
    use musharaka_functions::store::sqlite::SqliteStore;
    use musharaka_functions::store::{NewSignature, Store};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(db).unwrap();
        for (cin, key) in signers {
            let signer = secrets.keyed_hash(&["p-water", cin]);
            let data = PersonalData {
                cin: cin.to_string(),
                province: Some(key.to_string()),
                region: "MA-08".into(),
                ..PersonalData::default()
            };
            let s = NewSignature {
                initiative: "p-water".into(),
                receipt: format!("r-{signer}"),
                sealed: data.seal(secrets, "p-water", &signer).unwrap(),
                signer,
                region: key.to_string(),
                lang: musharaka_model::Lang::Fr,
                expires: i64::MAX,
                contact: format!("contact-{cin}"),
                group: "email:example.ma".into(),
                client: format!("client-{cin}"),
            };
            store.sign(&s, chrono::Utc::now()).await.unwrap();
        }
    });
}

/// Two signatures of `p-water`, sealed with `secrets` as the functions seal them.
fn sign_two_signers(db: &Path, secrets: &musharaka_functions::crypto::Secrets) {
    use musharaka_functions::personal::PersonalData;
    use musharaka_functions::store::sqlite::SqliteStore;
    use musharaka_functions::store::{NewSignature, Store};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(db).unwrap();
        for (first, family, cin, client, group) in [
            (
                "Amina",
                "Alaoui",
                "AB123456",
                "aaaaaaaaaaaa1111",
                "email:example.ma",
            ),
            ("=cmd()", "+Tazi", "K45678", "bbbbbbbbbbbb2222", "phone:+33"),
        ] {
            let signer = secrets.keyed_hash(&["p-water", cin]);
            let data = PersonalData {
                first_name: first.into(),
                family_name: family.into(),
                cin: cin.into(),
                address: "Asni".into(),
                signed_at: "2026-11-26T12:00:00Z".into(),
                ..PersonalData::default()
            };
            let sealed = data.seal(secrets, "p-water", &signer).unwrap();
            let s = NewSignature {
                initiative: "p-water".into(),
                receipt: format!("r-{signer}"),
                signer,
                region: "MA-07".into(),
                lang: musharaka_model::Lang::Fr,
                sealed,
                expires: i64::MAX,
                contact: format!("contact-{cin}"),
                group: group.into(),
                client: client.into(),
            };
            store.sign(&s, chrono::Utc::now()).await.unwrap();
        }
    });
}

/// Runs a query on a SQLite file and prints its rows, as Python shows them.
fn sql(db: &Path, query: &str) -> String {
    let o = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())",
        ])
        .arg(db)
        .arg(query)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Rewrites the entry `id` of a catalog file with `change`.
fn edit_catalog(catalog: &Path, id: &str, change: impl Fn(&mut serde_json::Value)) {
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(catalog).unwrap()).unwrap();
    for e in value["entries"].as_array_mut().unwrap() {
        if e["id"] == id {
            change(e);
        }
    }
    std::fs::write(catalog, value.to_string()).unwrap();
}

/// `musharaka export signatures p-water` from `spec` into `out` with the keys of `data`.
fn export_water(spec: &str, out: &Path, data: &Path) -> Output {
    musharaka(&[
        "export",
        "signatures",
        "p-water",
        "--store",
        spec,
        "--exporter",
        "Salma",
        "--out",
        path(out),
        "--data",
        path(data),
    ])
}

/// The built fixture, published into a SQLite store with local keys, and signed twice.
struct Signed {
    site: tempfile::TempDir,
    data: std::path::PathBuf,
    db: std::path::PathBuf,
    spec: String,
    catalog: std::path::PathBuf,
}

fn signed_fixture() -> Signed {
    let (site, out) = built_fixture();
    let (data, secrets) = local_keys(site.path());
    let db = data.join("m.sqlite3");
    let spec = format!("sqlite:{}", db.display());
    let catalog = out.join("catalog.json");
    publish(&spec, &catalog);
    sign_two_signers(&db, &secrets);
    Signed {
        site,
        data,
        db,
        spec,
        catalog,
    }
}

#[test]
fn signatures_are_exported_for_filing_only_past_the_threshold_or_closed() {
    let Signed {
        site,
        data,
        db,
        spec,
        catalog: catalog_path,
    } = signed_fixture();
    let exports = site.path().join("exports");
    let export = || export_water(&spec, &exports, &data);
    let refused = export();
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("2 of the 100"),
        "{}",
        text(&refused)
    );
    assert!(!exports.exists(), "a refused export wrote files");

    // Once filed (closed), the list can go to the authority.
    edit_catalog(&catalog_path, "p-water", |e| e["state"] = "filed".into());
    publish(&spec, &catalog_path);
    let done = export();
    assert!(done.status.success(), "{}", text(&done));
    let csv = std::fs::read_to_string(exports.join("p-water-signatures.csv")).unwrap();
    for file in ["p-water-signatures.csv", "p-water-signatures.html"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(exports.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "{file}: names and CINs readable by others"
        );
    }
    assert!(
        csv.contains("\"Alaoui\",\"Amina\",\"AB123456\",\"Asni\""),
        "{csv}"
    );
    assert!(
        csv.contains("\"'+Tazi\",\"'=cmd()\""),
        "formulas are guarded: {csv}"
    );
    let html = std::fs::read_to_string(exports.join("p-water-signatures.html")).unwrap();
    assert!(html.contains("<td>AB123456</td>") && html.contains("=cmd()"));
    assert_eq!(
        sql(&db, "SELECT action, who, rows FROM audit"),
        "[('export', 'Salma', 2)]"
    );

    // With another data key nothing can be read, and nothing is written.
    std::fs::remove_dir_all(&exports).unwrap();
    local_keys(site.path());
    let wrong = export();
    assert!(
        !wrong.status.success() && text(&wrong).contains("wrong data key"),
        "{}",
        text(&wrong)
    );
    assert!(!exports.join("p-water-signatures.csv").exists());

    // Without any key, the same: a clear error, and no key file made up.
    let empty = site.path().join("no-keys");
    let missing = export_water(&spec, &exports, &empty);
    assert!(
        !missing.status.success() && text(&missing).contains("no data key"),
        "{}",
        text(&missing)
    );
    assert!(!empty.exists() && !exports.join("p-water-signatures.csv").exists());
}

#[test]
fn a_region_petition_over_its_total_is_not_exported_while_a_province_is_under_its_share() {
    // p-water becomes a petition to the Draa-Tafilalet region council needing 4 signatures,
    // at least 1 from each of its five provinces (a share of 5 % of 20, say).
    let (site, out) = built_fixture();
    let (data, secrets) = local_keys(site.path());
    let db = data.join("m.sqlite3");
    let spec = format!("sqlite:{}", db.display());
    let catalog = out.join("catalog.json");
    edit_catalog(&catalog, "p-water", |e| {
        e["target"] = serde_json::json!({"authority": "region", "region": "MA-08"});
        e["threshold"] = 4.into();
        e["per_province"] = 1.into();
    });
    publish(&spec, &catalog);
    // Six signatures, from Errachidia, Ouarzazate, Midelt and Tinghir: none from Zagora.
    let keys = ["08.201", "08.201", "08.401", "08.363", "08.577", "08.577"];
    let signers: Vec<(String, &str)> = (keys.iter().enumerate())
        .map(|(i, key)| (format!("AB10000{i}"), *key))
        .collect();
    let signers: Vec<(&str, &str)> = signers.iter().map(|(c, k)| (c.as_str(), *k)).collect();
    sign_counted_under(&db, &secrets, &signers);
    let exports = site.path().join("exports");
    let refused = export_water(&spec, &exports, &data);
    assert!(!refused.status.success());
    assert!(
        text(&refused)
            .contains("6 of the 4 signatures it needs, but fewer than 1 from Zagora (08.587): 0"),
        "{}",
        text(&refused)
    );
    assert!(!exports.exists(), "a refused export wrote files");

    // One signature from Zagora, and every province has its share: the list is filed, with
    // each signer's province.
    sign_counted_under(&db, &secrets, &[("AB200000", "08.587")]);
    let done = export_water(&spec, &exports, &data);
    assert!(done.status.success(), "{}", text(&done));
    let csv = std::fs::read_to_string(exports.join("p-water-signatures.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("\"province\",\"commune\""),
        "{csv}"
    );
    assert!(csv.contains("\"Zagora (08.587)\""), "{csv}");
}

#[test]
fn purge_deletes_personal_data_past_retention_and_keeps_counts() {
    let Signed {
        site,
        data,
        db,
        spec,
        catalog,
    } = signed_fixture();
    let purge = |extra: &[&str]| {
        let mut args = vec![
            "purge",
            "--store",
            &spec,
            "--catalog",
            path(&catalog),
            "--operator",
            "Salma",
        ];
        args.extend_from_slice(extra);
        musharaka(&args)
    };
    let signatures = "SELECT COUNT(*) FROM signatures";

    // Collecting: nothing is due.
    let kept = purge(&[]);
    assert!(kept.status.success(), "{}", text(&kept));
    assert!(
        text(&kept).contains("p-water: kept until"),
        "{}",
        text(&kept)
    );
    assert_eq!(sql(&db, signatures), "[(2,)]");

    // Answered long ago: past the 90 days after the decision.
    edit_catalog(&catalog, "p-water", |e| {
        e["state"] = "answered".into();
        e["decided"] = "2020-03-01T23:59:59+01:00".into();
    });
    let unpublished = purge(&[]);
    assert!(
        !unpublished.status.success() && text(&unpublished).contains("musharaka publish"),
        "{}",
        text(&unpublished)
    );
    assert_eq!(sql(&db, signatures), "[(2,)]");
    publish(&spec, &catalog);
    let dry = purge(&["--dry-run"]);
    assert!(text(&dry).contains("would be deleted"), "{}", text(&dry));
    assert_eq!(sql(&db, signatures), "[(2,)]", "a dry run deletes nothing");

    let done = purge(&[]);
    assert!(done.status.success(), "{}", text(&done));
    assert!(
        text(&done).contains("due since 2020-05-30") && text(&done).contains("2 signers"),
        "{}",
        text(&done)
    );
    assert_eq!(sql(&db, signatures), "[(0,)]", "the personal data is gone");
    assert_eq!(
        sql(
            &db,
            "SELECT SUM(n) FROM counts WHERE initiative = 'p-water'"
        ),
        "[(2,)]",
        "the count stays"
    );
    assert_eq!(
        sql(&db, "SELECT action, initiative, who, rows FROM audit"),
        "[('purge', 'p-water', 'Salma', 2)]"
    );

    // Nothing is left to file, and the export says why.
    let export = export_water(&spec, &site.path().join("exports"), &data);
    assert!(!export.status.success());
    assert!(text(&export).contains("retention"), "{}", text(&export));

    // Bad input: a name is required, and the store must exist in a known form.
    let nameless = musharaka(&[
        "purge",
        "--store",
        &spec,
        "--catalog",
        path(&catalog),
        "--operator",
        " ",
    ]);
    assert!(!nameless.status.success() && text(&nameless).contains("--operator"));
    let unknown = musharaka(&[
        "purge",
        "--store",
        "mysql:x",
        "--catalog",
        path(&catalog),
        "--operator",
        "S",
    ]);
    assert!(!unknown.status.success() && text(&unknown).contains("sqlite:PATH"));
}

#[test]
fn invalidate_strikes_matching_signatures_from_counts_and_exports() {
    let Signed {
        site,
        data,
        db,
        spec,
        catalog,
    } = signed_fixture();
    let stats = musharaka(&["signatures", "stats", "p-water", "--store", &spec]);
    assert!(stats.status.success(), "{}", text(&stats));
    let t = text(&stats);
    assert!(
        t.contains("aaaaaaaaaaaa") && t.contains("bbbbbbbbbbbb"),
        "{t}"
    );
    assert!(
        t.contains("phone:+33") && t.contains("email:example.ma"),
        "{t}"
    );
    assert!(
        !t.contains("AB123456") && !t.contains("Alaoui"),
        "no personal data: {t}"
    );

    let invalidate = |extra: &[&str]| {
        let mut args = vec![
            "invalidate",
            "p-water",
            "--store",
            &spec,
            "--reason",
            "burst from one address",
            "--operator",
            "Salma",
        ];
        args.extend_from_slice(extra);
        musharaka(&args)
    };
    let everything = invalidate(&[]);
    assert!(!everything.status.success(), "a filter is required");
    assert!(
        text(&everything).contains("--client"),
        "{}",
        text(&everything)
    );
    let dry = invalidate(&["--client", "bbbbbbbb", "--dry-run"]);
    assert!(
        text(&dry).contains("1 signatures of p-water match"),
        "{}",
        text(&dry)
    );
    assert_eq!(
        sql(
            &db,
            "SELECT SUM(n) FROM counts WHERE initiative = 'p-water'"
        ),
        "[(2,)]"
    );
    let done = invalidate(&["--client", "bbbbbbbb"]);
    assert!(done.status.success(), "{}", text(&done));
    assert!(
        text(&done).contains("struck 1 signatures"),
        "{}",
        text(&done)
    );
    assert_eq!(
        sql(
            &db,
            "SELECT SUM(n) FROM counts WHERE initiative = 'p-water'"
        ),
        "[(1,)]"
    );
    assert_eq!(
        sql(&db, "SELECT action, who, rows FROM audit"),
        "[('invalidate', 'Salma: burst from one address', 1)]"
    );
    edit_catalog(&catalog, "p-water", |e| e["state"] = "filed".into());
    publish(&spec, &catalog);
    let exports = site.path().join("exports");
    let o = export_water(&spec, &exports, &data);
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(exports.join("p-water-signatures.csv")).unwrap();
    assert!(csv.contains("Alaoui") && !csv.contains("Tazi"), "{csv}");
}

#[test]
fn a_moderator_decides_a_dispute_and_both_signers_are_told() {
    use musharaka_functions::notify::{Body, Message};
    use musharaka_functions::personal::{PersonalData, sealing_context};
    use musharaka_functions::store::sqlite::SqliteStore;
    use musharaka_functions::store::{
        AdminStore, Confirmation, Confirmed, NewRequest, NewSignature, Outgoing, Store,
    };
    let (site, out) = built_fixture();
    let (data, secrets) = local_keys(site.path());
    let db = data.join("m.sqlite3");
    let spec = format!("sqlite:{}", db.display());
    publish(&spec, &out.join("catalog.json"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let signer = secrets.keyed_hash(&["p-water", "AB123456"]);
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        let now = chrono::Utc::now();
        for (reference, first, contact) in [
            ("DISPUTE1", "Usurper", "usurper@example.com"),
            ("DISPUTE2", "Amina", "+212612345678"),
        ] {
            let data = PersonalData {
                first_name: first.into(),
                family_name: "Alaoui".into(),
                cin: "AB123456".into(),
                address: "Asni".into(),
                contact: contact.into(),
                lang: "fr".into(),
                signed_at: now.to_rfc3339(),
                ..PersonalData::default()
            };
            let sealed = data.seal(&secrets, "p-water", &signer).unwrap();
            let request = NewRequest {
                reference: reference.into(),
                signature: NewSignature {
                    initiative: "p-water".into(),
                    signer: signer.clone(),
                    region: "MA-07".into(),
                    lang: musharaka_model::Lang::Fr,
                    sealed,
                    receipt: String::new(),
                    expires: 0,
                    contact: secrets.keyed_hash(&["contact", contact]),
                    group: "email:example.com".into(),
                    client: "cccccccccccc".into(),
                },
                code: format!("code-{reference}"),
                code_expires: now.timestamp() + 900,
                expires: now.timestamp() + 86_400,
            };
            let message = Outgoing {
                id: reference.into(),
                sealed: vec![0],
            };
            store.request(&request, &message, 10, now).await.unwrap();
            let confirmation = Confirmation {
                code: format!("code-{reference}"),
                receipt: format!("receipt-{reference}"),
            };
            let confirmed = store.confirm(reference, &confirmation, now).await.unwrap();
            if reference == "DISPUTE2" {
                assert_eq!(confirmed, Confirmed::OtherContact);
            }
        }
        assert!(store.contest("DISPUTE2", now).await.unwrap());
        // The code messages of the requests are not this test's concern.
        let ids = store
            .outbox(10)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        store.sent(ids).await.unwrap();
    });
    let list = musharaka(&["disputes", "--store", &spec, "list"]);
    assert!(text(&list).contains("DISPUTE2  open"), "{}", text(&list));
    let show = musharaka(&[
        "disputes",
        "--store",
        &spec,
        "show",
        "DISPUTE2",
        "--data",
        path(&data),
    ]);
    let t = text(&show);
    assert!(
        t.contains("Usurper Alaoui") && t.contains("Amina Alaoui"),
        "both records: {t}"
    );
    let resolve = musharaka(&[
        "disputes",
        "--store",
        &spec,
        "resolve",
        "DISPUTE2",
        "--strike",
        "--moderator",
        "Salma",
        "--data",
        path(&data),
    ]);
    assert!(resolve.status.success(), "{}", text(&resolve));
    assert!(
        text(&resolve).contains("2 signers told"),
        "{}",
        text(&resolve)
    );
    let again = musharaka(&[
        "disputes",
        "--store",
        &spec,
        "resolve",
        "DISPUTE2",
        "--keep",
        "--moderator",
        "Salma",
        "--data",
        path(&data),
    ]);
    assert!(!again.status.success(), "decided once");
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        let mut told: Vec<(String, bool)> = store
            .outbox(10)
            .await
            .unwrap()
            .iter()
            .map(|item| {
                let m = Message::open(&secrets, item).unwrap();
                let Body::Decision { kept, title } = m.body else {
                    panic!("a decision")
                };
                assert!(!title.is_empty());
                (m.to, kept)
            })
            .collect();
        told.sort();
        assert_eq!(
            told,
            vec![
                ("+212612345678".to_string(), false),
                ("usurper@example.com".to_string(), false)
            ]
        );
        let exported = store.signatures("p-water").await.unwrap();
        assert_eq!(exported.len(), 1);
        let plain = secrets
            .open(
                &exported[0].sealed,
                sealing_context("p-water", &signer).as_bytes(),
            )
            .unwrap();
        assert!(
            String::from_utf8(plain).unwrap().contains("Amina"),
            "the contester counts now"
        );
        assert_eq!(
            store.counts(&["p-water".into()]).await.unwrap()["p-water"].total,
            1
        );
    });
    assert_eq!(
        sql(&db, "SELECT action, who, rows FROM audit"),
        "[('dispute', 'Salma', 1)]"
    );
}
