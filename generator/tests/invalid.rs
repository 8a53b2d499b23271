//! Every folder under `fixtures/invalid/` breaks one rule of the content format; loading and
//! checking the site must report it with the file, the line and what is wrong.

mod common;

use musharaka_generator::Site;

#[test]
fn each_invalid_fixture_is_reported_with_file_and_line() {
    let cases = common::invalid_cases();
    assert!(
        cases.len() >= 15,
        "found only {} invalid cases",
        cases.len()
    );
    let basic = common::fixtures().join("basic");
    let mut failures = Vec::new();
    for (name, dir, location, message) in cases {
        let site_dir = common::site_from(&[&basic, &dir]);
        let report = match Site::load(site_dir.path(), None) {
            Err(e) => format!("{e:#}"),
            Ok(site) => {
                let diags = site.check().unwrap();
                assert!(diags.has_errors(), "{name}: no error reported");
                diags
                    .sorted()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        let found = report
            .lines()
            .any(|l| l.contains(&location) && l.contains(&message))
            || (report.contains(&location) && report.contains(&message));
        if !found {
            failures.push(format!(
                "{name}: expected `{location}` and `{message}` in:\n{report}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_basic_fixture_is_valid() {
    let dir = common::site_from(&[&common::fixtures().join("basic")]);
    let site = Site::load(dir.path(), None).unwrap();
    let diags = site.check().unwrap();
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
}
