//! Finds the content files: `content/<section>/<name>.<lang>.md`, section indexes
//! `_index.<lang>.md`; the language comes from the file name.

use crate::diagnostics::Diagnostics;
use crate::front_matter::{self, Parsed};
use musharaka_model::Lang;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Name of a section's index page (without language and extension).
pub(crate) const INDEX: &str = "_index";

/// One Markdown file under `content/`, located by its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SourceFile {
    /// Path relative to the site root (`content/guide/signing.fr.md`), for messages.
    pub rel: PathBuf,
    /// Absolute or root-joined path, for reading.
    pub path: PathBuf,
    /// Section folder relative to `content/`, `""` for the top level (`guide`, `petitions`).
    pub section: String,
    /// Page name shared by its translations (`signing`), or `_index`.
    pub name: String,
    /// Language from the file name.
    pub lang: Lang,
}

impl SourceFile {
    /// Whether this is a section index page.
    pub(crate) fn is_index(&self) -> bool {
        self.name == INDEX
    }

    /// The key shared by every translation of this page: `section/name`.
    pub(crate) fn key(&self) -> String {
        page_key(&self.section, &self.name)
    }
}

/// One content file, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// Where it is.
    pub(crate) file: SourceFile,
    /// Its front matter and body.
    pub(crate) parsed: Parsed,
}

/// Reads and parses one content file; an error comes with its line where known.
pub(crate) fn read_source(file: &SourceFile) -> Result<Parsed, (Option<usize>, String)> {
    let bytes = std::fs::read(&file.path).map_err(|e| (None, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line =
            crate::diagnostics::line_of_offset(&String::from_utf8_lossy(&e.as_bytes()[..at]), at);
        (
            Some(line),
            "invalid UTF-8: save the file as UTF-8".to_string(),
        )
    })?;
    front_matter::parse(&text).map_err(|e| (Some(e.line), e.message))
}

/// The key of page `name` in `section`, as `@/` links name it (`guide/signing`, `about`).
pub(crate) fn page_key(section: &str, name: &str) -> String {
    if section.is_empty() {
        name.to_string()
    } else {
        format!("{section}/{name}")
    }
}

fn is_url_safe(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Lists every Markdown file under `root/content`, reporting misnamed files.
pub(crate) fn discover(root: &Path, langs: &[Lang], diags: &mut Diagnostics) -> Vec<SourceFile> {
    let content = root.join("content");
    let mut files = Vec::new();
    for entry in WalkDir::new(&content).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(&content).to_path_buf();
                diags.error(&relative(root, &path), None, format!("cannot read: {e}"));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = relative(root, path);
        let file_name = path.file_name().and_then(|n| n.to_str());
        if path.parent() == Some(&content) && matches!(file_name, Some("site.toml" | "README.md")) {
            // The configuration and the editors' manual are not pages.
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            diags.warning(&rel, None, "not a Markdown file (`.md`): ignored");
            continue;
        }
        if let Some(file) = classify(root, &content, path, langs, diags) {
            files.push(file);
        }
    }
    files
}

pub(crate) fn classify(
    root: &Path,
    content: &Path,
    path: &Path,
    langs: &[Lang],
    diags: &mut Diagnostics,
) -> Option<SourceFile> {
    let rel = relative(root, path);
    let stem = path.file_stem()?.to_string_lossy().to_string();
    let codes = langs
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(", ");
    let Some((name, code)) = stem.rsplit_once('.') else {
        diags.error(
            &rel,
            None,
            format!("the file name has no language: name it `{stem}.<lang>.md` with <lang> one of {codes}"),
        );
        return None;
    };
    let lang = match code.parse::<Lang>() {
        Ok(l) if langs.contains(&l) => l,
        _ => {
            diags.error(
                &rel,
                None,
                format!("unknown language suffix `.{code}`: expected one of {codes}"),
            );
            return None;
        }
    };
    let section_path = path.parent()?.strip_prefix(content).ok()?;
    let mut parts = Vec::new();
    for part in section_path.components() {
        let part = part.as_os_str().to_string_lossy().to_string();
        if !is_url_safe(&part) {
            diags.error(
                &rel,
                None,
                format!(
                    "folder name `{part}` becomes a URL: use lowercase letters, digits and `-` only"
                ),
            );
            return None;
        }
        parts.push(part);
    }
    if name != INDEX && !is_url_safe(name) {
        diags.error(
            &rel,
            None,
            format!("page name `{name}` becomes a URL: use lowercase letters, digits and `-` only"),
        );
        return None;
    }
    Some(SourceFile {
        rel,
        path: path.to_path_buf(),
        section: parts.join("/"),
        name: name.to_string(),
        lang,
    })
}

/// `path` relative to `root` when it is inside it.
pub(crate) fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_section_name_and_language_from_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("content/guide");
        std::fs::create_dir_all(&c).unwrap();
        std::fs::write(c.join("signing.ar.md"), "").unwrap();
        std::fs::write(c.join("signing.en.md"), "").unwrap();
        std::fs::write(c.join("notes.md"), "").unwrap();
        let mut d = Diagnostics::default();
        let files = discover(dir.path(), &Lang::ALL, &mut d);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].section, "guide");
        assert_eq!(files[0].name, "signing");
        assert_eq!(files[0].lang, Lang::Ar);
        assert_eq!(files[0].key(), "guide/signing");
        let msgs: Vec<String> = d.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("notes.md") && msgs[0].contains("no language"));
        assert!(msgs[1].contains("signing.en.md") && msgs[1].contains("`.en`"));
    }
}
