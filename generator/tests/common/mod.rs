//! Test support: assembles a site in a temporary folder from a fixture's `content/`, the
//! project's real `site-theme/`, and optional overlays (an invalid case's files).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The workspace root.
pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("site-theme").is_dir())
        .expect("the workspace holds site-theme/")
        .to_path_buf()
}

/// The fixtures folder.
pub(crate) fn fixtures() -> PathBuf {
    workspace().join("generator/tests/fixtures")
}

/// Copies every file under `from` into `to`, replacing files of the same name.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A site made of the project's theme, then each of `layers` (folders holding `content/`
/// and possibly `site-theme/`) copied over it in order.
pub(crate) fn site_from(layers: &[&Path]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &workspace().join("site-theme"),
        &dir.path().join("site-theme"),
    );
    for layer in layers {
        copy_tree(layer, dir.path());
    }
    dir
}

/// Every invalid case: its name, its folder, and the expected `path:line` and message.
pub(crate) fn invalid_cases() -> Vec<(String, PathBuf, String, String)> {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    cases
        .into_iter()
        .map(|dir| {
            let expected = std::fs::read_to_string(dir.join("expected")).unwrap();
            let mut lines = expected.lines();
            let location = lines.next().unwrap().to_string();
            let message = lines.next().unwrap().to_string();
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            (name, dir, location, message)
        })
        .collect()
}
