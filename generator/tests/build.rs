//! Builds the trilingual fixture and checks what a reader, a search engine and the functions
//! get: `lang`/`dir` on every page, fallbacks with their notice, the language switcher,
//! sitemap, feeds, catalog, thresholds from the law; snapshots of each template's HTML.

mod common;

use musharaka_generator::Site;
use std::path::Path;

/// The instant the fixture is built for: inside the petition's window, after the
/// consultation's.
fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

fn build(site: &Path, out: &Path) {
    let mut site = Site::load(site, None).unwrap();
    site.now = now();
    site.counts.insert(
        "p-water".into(),
        serde_json::from_str(r#"{"total": 42, "regions": {"MA-07": 40, "MA-01": 2}}"#).unwrap(),
    );
    site.build(out, &|_, _| {}).unwrap();
}

fn trilingual() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = common::site_from(&[&common::fixtures().join("trilingual")]);
    let out = dir.path().join("public");
    build(dir.path(), &out);
    (dir, out)
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_page_declares_its_language_and_direction() {
    let (_dir, out) = trilingual();
    let mut pages = 0;
    for (lang, dir) in [("ar", "rtl"), ("zgh", "ltr"), ("fr", "ltr")] {
        for entry in walkdir::WalkDir::new(out.join(lang)) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "html") {
                let html = std::fs::read_to_string(entry.path()).unwrap();
                let want = format!("<html lang=\"{lang}\" dir=\"{dir}\">");
                assert!(
                    html.contains(&want),
                    "{}: no {want}",
                    entry.path().display()
                );
                // The lists by state, authority and region depend on the content.
                if !entry.path().components().any(|c| c.as_os_str() == "browse") {
                    pages += 1;
                }
            }
        }
    }
    // 10 pages, a 404, the signature and confirmation pages, the pages to propose, join and
    // open a committee, the rejected proposals, the search page, and a result page per
    // outcome, per language.
    let results = musharaka_model::outcome::Code::ALL.len();
    assert_eq!(pages, 3 * (18 + results));
}

#[test]
fn a_missing_translation_is_shown_from_the_fallback_with_a_notice_in_its_own_language() {
    let (_dir, out) = trilingual();
    let html = read(&out, "zgh/about/index.html");
    assert!(html.contains("<html lang=\"zgh\" dir=\"ltr\">"));
    assert!(html.contains("class=\"notice\""), "no fallback notice");
    // The fallback chain is ar, fr, zgh: the Arabic text keeps its own lang and dir.
    assert!(html.contains("<article lang=\"ar\" dir=\"rtl\">"), "{html}");
    // The switcher says which language is missing.
    assert!(
        html.contains("ⵓⵔ ⵜⵜⵓⵙⵙⵓⵖⵍ"),
        "switcher does not mark the missing language"
    );
}

#[test]
fn links_between_pages_resolve_in_the_reader_language() {
    let (_dir, out) = trilingual();
    let home = read(&out, "fr/index.html");
    assert!(home.contains("href=\"/fr/guide/\""));
    assert!(home.contains("href=\"/fr/consultations/draft/#art-2\""));
    let first = read(&out, "ar/guide/first/index.html");
    assert!(first.contains("rel=\"next\" href=\"/ar/guide/second/\""));
    assert!(first.contains("rel=\"prev\" href=\"/ar/guide/\""));
}

#[test]
fn thresholds_come_from_the_law_with_their_reference() {
    let (_dir, out) = trilingual();
    let fr = read(&out, "fr/initiatives/water/index.html");
    // A commune under 35,000 inhabitants: 100 signatures (organic law 113.14).
    assert!(fr.contains("100 signatures"), "{fr}");
    assert!(fr.contains("113.14"));
    let ar = read(&out, "ar/initiatives/law/index.html");
    assert!(ar.contains("20.000 توقيع"), "motion threshold in Arabic");
    let guide = read(&out, "fr/guide/first/index.html");
    assert!(
        guide.contains("needs 4\u{202F}000."),
        "shortcode not expanded"
    );
    assert!(guide.contains("<table>") && guide.contains("64.14"));
}

#[test]
fn a_collecting_petition_offers_the_form_the_law_asks_for_with_its_count() {
    let (_dir, out) = trilingual();
    let ar = read(&out, "ar/initiatives/water/index.html");
    assert!(ar.contains("action=\"/api/sign?lang=ar\""));
    for field in [
        "first_name",
        "family_name",
        "cin",
        "address",
        "region",
        "attest_local",
        "attest_electoral",
        "consent",
    ] {
        assert!(ar.contains(&format!("name=\"{field}\"")), "no {field}");
    }
    assert!(
        ar.contains("<option value=\"MA-07\" selected>"),
        "the commune's region is preselected"
    );
    assert!(ar.contains("42 توقيعًا"), "the count as of the build");
    assert!(ar.contains("value=\"42\""), "progress: 42 of 100");
    // The motion is answered: no form, and the reason.
    let motion = read(&out, "fr/initiatives/law/index.html");
    assert!(!motion.contains("action=\"/api/sign"));
    assert!(motion.contains("class=\"notice\""));
}

#[test]
fn every_outcome_has_a_result_page_in_every_language() {
    let (_dir, out) = trilingual();
    for lang in ["ar", "zgh", "fr"] {
        for code in musharaka_model::outcome::Code::ALL {
            let html = read(&out, &format!("{lang}/result/{}/index.html", code.as_str()));
            assert!(html.contains(&format!("data-code=\"{}\"", code.as_str())));
        }
    }
    assert!(read(&out, "ar/result/already-signed/index.html").contains("سبق لك التوقيع"));
}

#[test]
fn sitemap_lists_alternates_of_existing_translations() {
    let (_dir, out) = trilingual();
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.ma/fr/about/</loc>"));
    assert!(!sitemap.contains("<loc>https://example.ma/zgh/about/</loc>"));
    assert!(
        sitemap.contains("hreflang=\"zgh\" href=\"https://example.ma/zgh/consultations/draft/\"")
    );
    assert!(read(&out, "robots.txt").contains("Sitemap: https://example.ma/sitemap.xml"));
}

#[test]
fn each_language_has_a_feed_of_initiatives_and_consultations() {
    let (_dir, out) = trilingual();
    for lang in ["ar", "zgh", "fr"] {
        let feed = read(&out, &format!("{lang}/atom.xml"));
        assert!(feed.contains(&format!("xml:lang=\"{lang}\"")));
        assert_eq!(feed.matches("<entry").count(), 3, "{lang}");
        assert!(feed.contains(&format!("https://example.ma/{lang}/initiatives/water/")));
    }
}

#[test]
fn the_catalog_lists_initiatives_with_threshold_state_and_urls() {
    let (_dir, out) = trilingual();
    let catalog: serde_json::Value = serde_json::from_str(&read(&out, "catalog.json")).unwrap();
    let entries = catalog["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let water = entries.iter().find(|e| e["id"] == "p-water").unwrap();
    assert_eq!(water["kind"], "petition");
    assert_eq!(water["threshold"], 100);
    assert_eq!(water["state"], "collecting");
    assert_eq!(water["target"]["authority"], "commune");
    assert_eq!(water["target"]["name"]["zgh"], "ⵜⴰⵃⵏⴰⵡⵓⵜ");
    assert_eq!(
        water["url"]["ar"],
        "https://example.ma/ar/initiatives/water/"
    );
    assert_eq!(water["opens"], "2026-10-01T00:00:00+01:00");
    let draft = entries.iter().find(|e| e["id"] == "c-draft").unwrap();
    assert_eq!(
        draft["sections"],
        serde_json::json!(["s1", "s1-1", "art-2"])
    );
    // The catalog reads back into the model the functions use.
    let _: musharaka_model::catalog::Catalog = serde_json::from_value(catalog).unwrap();
}

#[test]
fn the_root_offers_every_language_without_redirecting() {
    let (_dir, out) = trilingual();
    let root = read(&out, "index.html");
    for href in ["href=\"/ar/\"", "href=\"/zgh/\"", "href=\"/fr/\""] {
        assert!(root.contains(href));
    }
    assert!(!root.contains("http-equiv=\"refresh\""));
    assert!(out.join("fr/404.html").is_file() && out.join("static/fonts/OFL.txt").is_file());
    // The icon where browsers look for it, and the top-level 404 in every language.
    assert_eq!(
        std::fs::read(out.join("favicon.ico")).unwrap()[..4],
        [0, 0, 1, 0]
    );
    let not_found = read(&out, "404.html");
    for text in ["Page introuvable", "الصفحة غير موجودة", "ⵜⴰⵙⵏⴰ ⵓⵔ ⵜⵍⵍⵉ"]
    {
        assert!(not_found.contains(text), "{not_found}");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let (dir, out) = trilingual();
    let before = read(&out, "fr/about/index.html");
    std::fs::write(
        dir.path().join("content/about.fr.md"),
        "+++\ntitle = \"Changed\"\n+++\n\n[broken](@/nowhere.md)\n",
    )
    .unwrap();
    let site = Site::load(dir.path(), None).unwrap();
    assert!(site.build(&out, &|_, _| {}).is_err());
    assert_eq!(read(&out, "fr/about/index.html"), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left: {leftovers:?}"
    );
}

/// Snapshots of every template in both directions.
#[test]
fn templates_render_as_in_their_snapshots() {
    let (_dir, out) = trilingual();
    let pages = [
        ("home", "index.html"),
        ("section", "initiatives/index.html"),
        ("page", "about/index.html"),
        ("guide", "guide/first/index.html"),
        ("petition", "initiatives/water/index.html"),
        ("motion", "initiatives/law/index.html"),
        ("consultation", "consultations/draft/index.html"),
        ("404", "404.html"),
        ("result", "result/signed/index.html"),
        ("signature", "signature/index.html"),
    ];
    for lang in ["ar", "fr"] {
        for (name, rel) in pages {
            let html = read(&out, &format!("{lang}/{rel}"));
            insta::assert_snapshot!(format!("{name}_{lang}"), html);
        }
    }
    insta::assert_snapshot!("languages", read(&out, "index.html"));
}

#[test]
fn new_counts_and_a_closing_render_again_the_pages_that_show_them() {
    let dir = common::site_from(&[&common::fixtures().join("trilingual")]);
    let out = dir.path().join("public");
    let mut site = Site::load(dir.path(), None).unwrap();
    site.now = now();
    let mut anchors = site.build(&out, &|_, _| {}).unwrap().anchors;
    let about = out.join("fr/about/index.html");
    let written = std::fs::metadata(&about).unwrap().modified().unwrap();

    let fresh = |counts: &str| musharaka_generator::Fresh {
        counts: serde_json::from_str(counts).unwrap(),
        ..Default::default()
    };
    assert_eq!(
        site.refresh(fresh("{}"), now(), &out, &mut anchors)
            .unwrap(),
        0
    );

    let counts = r#"{"p-water": {"total": 43, "regions": {"MA-07": 43}}}"#;
    let n = site.refresh(fresh(counts), now(), &out, &mut anchors);
    assert_eq!(n.unwrap(), 3, "the petition, its section and the home page");
    assert!(read(&out, "ar/initiatives/water/index.html").contains("43 توقيعًا"));
    assert!(read(&out, "fr/initiatives/index.html").contains("43 signatures"));
    let by_state = read(&out, "fr/browse/state/collecting/index.html");
    assert!(by_state.contains("43 signatures"), "the lists by state too");
    let data = read(&out, "data/p-water.json");
    assert!(data.contains("\"signatures\": 43"), "and the open data");
    let unchanged = std::fs::metadata(&about).unwrap().modified().unwrap();
    assert_eq!(unchanged, written, "a page without a count is left alone");

    // A new complete day of signatures is open data too.
    let mut days = fresh(counts);
    days.daily = Some(serde_json::from_str(r#"{"p-water": {"2026-11-25": 43}}"#).unwrap());
    assert_eq!(site.refresh(days, now(), &out, &mut anchors).unwrap(), 3);
    assert!(read(&out, "data/p-water.json").contains("\"2026-11-25\""));

    let closed = "2027-01-31T12:00:00Z".parse().unwrap();
    assert!(
        site.refresh(fresh(counts), closed, &out, &mut anchors)
            .unwrap()
            >= 3
    );
    let page = read(&out, "fr/initiatives/water/index.html");
    assert!(!page.contains("action=\"/api/sign"), "no form once closed");
    // A closed initiative is not rendered again as days pass.
    let later = "2027-03-01T12:00:00Z".parse().unwrap();
    assert_eq!(
        site.refresh(fresh(counts), later, &out, &mut anchors)
            .unwrap(),
        0
    );
    assert!(page.contains("43 signatures"));
}

/// The URLs, titles and languages of the pages whose terms begin with `prefix` (already a
/// term: lowercase, accents folded), read from the index files as the search script reads them.
fn found(out: &Path, lang: &str, prefix: &str) -> Vec<(String, String, String)> {
    let key: String = prefix.chars().take(2).collect();
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    let shard: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read(out, &format!("{lang}/search/t-{hex}.json"))).unwrap();
    let mut docs = std::collections::BTreeSet::new();
    for (term, postings) in shard.iter().filter(|(t, _)| t.starts_with(prefix)) {
        let postings = postings.as_array().unwrap();
        assert!(postings.len() % 2 == 0, "{term}: [doc, weight] pairs");
        let mut doc = 0;
        for pair in postings.chunks(2) {
            doc += pair[0].as_u64().unwrap();
            docs.insert(doc);
        }
    }
    docs.into_iter()
        .map(|d| {
            let chunk: serde_json::Value =
                serde_json::from_str(&read(out, &format!("{lang}/search/d-{}.json", d / 50)))
                    .unwrap();
            let row = &chunk[(d % 50) as usize];
            let s = |i: usize| row[i].as_str().unwrap().to_string();
            (s(0), s(1), s(4))
        })
        .collect()
}

#[test]
fn the_search_index_finds_a_page_by_the_start_of_its_words_in_each_language() {
    let (_dir, out) = trilingual();
    // "Water for the douars." in the French text; the title weighs more than the text.
    let water = (
        "/fr/initiatives/water/".to_string(),
        "Water fr".to_string(),
        "fr".to_string(),
    );
    assert_eq!(found(&out, "fr", "douar"), std::slice::from_ref(&water));
    assert_eq!(found(&out, "fr", "wat"), [water]);
    // The page not translated into Tamazight is found in its Arabic text ("بالعربية"), under
    // its Tamazight URL, with the language it is written in.
    let about = found(&out, "zgh", "عربيه");
    assert_eq!(about, [("/zgh/about/".into(), "حول".into(), "ar".into())]);
    // The search page of each language, with its form, and its script; nothing else loads it.
    for lang in ["ar", "zgh", "fr"] {
        let html = read(&out, &format!("{lang}/search/index.html"));
        assert!(
            html.contains(&format!(
                r#"<form role="search" action="/{lang}/search/" method="get">"#
            )),
            "{html}"
        );
        assert!(html.contains(r#"<script src="/static/search.js" defer></script>"#));
        let home = read(&out, &format!("{lang}/index.html"));
        assert!(home.contains(&format!(r#"href="/{lang}/search/""#)));
        assert!(!home.contains("search.js"));
    }
    assert!(out.join("static/search.js").is_file());
}

#[test]
fn initiatives_are_listed_by_state_authority_and_region_with_their_counts() {
    let (_dir, out) = trilingual();
    let index = read(&out, "fr/browse/index.html");
    for link in [
        "/fr/browse/state/collecting/",
        "/fr/browse/authority/commune/",
        "/fr/browse/region/ma-07/",
        "/fr/browse/region/national/",
    ] {
        assert!(index.contains(&format!("href=\"{link}\"")), "{link}");
    }
    let empty = read(&out, "fr/browse/region/ma-01/index.html");
    assert!(
        empty.contains("Aucune pétition ni motion ici"),
        "an empty group says so"
    );
    let commune = read(&out, "ar/browse/authority/commune/index.html");
    assert!(commune.contains("42 توقيعًا") && commune.contains("/ar/initiatives/water/"));
    let national = read(&out, "fr/browse/region/national/index.html");
    assert!(
        national.contains("/fr/initiatives/law/") && !national.contains("/fr/initiatives/water/")
    );
}

#[test]
fn open_data_lists_every_initiative_with_its_count_threshold_and_law() {
    let (_dir, out) = trilingual();
    let list: serde_json::Value =
        serde_json::from_str(&read(&out, "data/initiatives.json")).unwrap();
    assert_eq!(list["schema"], 1);
    assert_eq!(list["licence"]["licence"], "CC BY 4.0");
    let water = (list["initiatives"].as_array().unwrap().iter())
        .find(|i| i["id"] == "p-water")
        .unwrap();
    assert_eq!(water["signatures"], 42);
    assert_eq!(water["target"]["authority"], "commune");
    let detail: serde_json::Value = serde_json::from_str(&read(&out, "data/p-water.json")).unwrap();
    assert_eq!(detail["regions"]["MA-07"], 40);
    assert!(
        detail["threshold_reference"]["fr"]
            .as_str()
            .unwrap()
            .contains("113.14")
    );
    let csv = read(&out, "data/initiatives.csv");
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 3, "a header and a line per initiative: {csv}");
    assert!(lines[1..].iter().any(|l| l.starts_with("\"p-water\",\"petition\",\"collecting\",\"commune\",\"MA-07\"")));
    for schema in ["common", "initiatives", "consultations", "entry"] {
        let text = read(&out, &format!("data/schema/{schema}.schema.json"));
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }
}

#[test]
fn each_initiative_can_be_followed_and_shared_without_a_third_party_script() {
    let (_dir, out) = trilingual();
    let feed = read(&out, "fr/initiatives/law/atom.xml");
    assert!(
        feed.contains("<id>https://example.ma/fr/initiatives/law/atom.xml</id>"),
        "{feed}"
    );
    assert!(feed.contains("<updated>2025-09-01T00:00:00+01:00</updated>"));
    assert!(
        feed.contains("&lt;strong&gt;accepted&lt;/strong&gt;"),
        "the answer: {feed}"
    );
    let water = read(&out, "ar/initiatives/water/atom.xml");
    assert_eq!(water.matches("<entry>").count(), 1, "one step: {water}");

    let page = read(&out, "fr/initiatives/law/index.html");
    for tag in [
        "<meta property=\"og:title\" content=\"Law fr\">",
        "<meta property=\"og:url\" content=\"https://example.ma/fr/initiatives/law/\">",
        "<meta property=\"og:locale\" content=\"fr_MA\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "href=\"/fr/initiatives/law/atom.xml\"",
        "href=\"/data/m-law.json\"",
        "https://wa.me/?text=Law%20fr%20https%3A//example.ma/fr/initiatives/law/",
    ] {
        assert!(page.contains(tag), "no {tag}");
    }
    let scripts: Vec<&str> = (page.split("<script").skip(1))
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect();
    assert!(!scripts.is_empty());
    assert!(
        scripts.iter().all(|s| s.contains("src=\"/static/")),
        "only the site's own scripts: {scripts:?}"
    );
}
