//! Problems found in content or theme files, each with the file, the line where known, and
//! what to write instead; collected so that `check` reports them all at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a problem is: errors stop the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Reported, the build goes on (for example a missing translation).
    Warning,
    /// The build fails.
    Error,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub path: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: {}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found so far.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records an error.
    pub fn error(&mut self, path: &Path, line: Option<usize>, message: impl Into<String>) {
        self.push(Severity::Error, path, line, message.into());
    }

    /// Records a warning.
    pub fn warning(&mut self, path: &Path, line: Option<usize>, message: impl Into<String>) {
        self.push(Severity::Warning, path, line, message.into());
    }

    fn push(&mut self, severity: Severity, path: &Path, line: Option<usize>, message: String) {
        self.items.push(Diagnostic {
            severity,
            path: path.to_path_buf(),
            line,
            message,
        });
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Every problem, sorted by file and line.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<_> = self.items.iter().collect();
        v.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
        v
    }

    /// Adds every problem of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Error returned when a site has errors: carries them all.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(.0))]
pub struct SiteErrors(pub Diagnostics);

fn render(d: &Diagnostics) -> String {
    let mut out: Vec<String> = d
        .sorted()
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    let n = d.error_count();
    out.push(format!(
        "{n} error{} found; nothing was written",
        if n == 1 { "" } else { "s" }
    ));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_file_and_line_like_a_compiler() {
        let mut d = Diagnostics::default();
        d.error(Path::new("content/a.fr.md"), Some(3), "unknown key `titel`");
        assert_eq!(
            d.sorted()[0].to_string(),
            "error: content/a.fr.md:3: unknown key `titel`"
        );
        assert!(d.has_errors());
    }

    #[test]
    fn counts_lines_from_one() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 4), 3);
    }
}
