//! Text a citizen types, made safe to keep and to show: composed the one way (Unicode NFC),
//! without the characters that hide or reorder what a reader sees, and shown visibly to the
//! people who decide on it.
//!
//! A one-line field (a name, an address) holds no control character, no bidirectional control
//! and no invisible character, and at least one letter. A text of several lines (a comment, a
//! proposal) keeps its line breaks as `\n` alone. Nothing a form receives is silently dropped:
//! what cannot be kept is refused with [`Code::InvalidText`], which names the problem.

use crate::outcome::Code;
use unicode_normalization::UnicodeNormalization;

/// The explicit bidirectional controls (embeddings, overrides, isolates): they reorder what
/// follows them, so that a reader sees another text than the one stored.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no room: zero-width space, word joiner, byte-order mark, the
/// invisible operators, the line and paragraph separators, the soft hyphen, the Hangul fillers
/// (letters that draw nothing), and U+FFFD (what undecodable bytes became). The zero-width joiners (U+200C, U+200D) and the directional marks
/// (U+200E, U+200F) are left alone: Arabic and mixed-script text use them rightly.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFD}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
    )
}

/// What a reader could not see, or would see reordered, in a line of text.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// A required one-line field: NFC, trimmed, at most `max` characters, holding a letter and
/// no hidden character.
pub fn one_line(raw: Option<&str>, max: usize) -> Result<String, Code> {
    let t: String = raw.unwrap_or_default().trim().nfc().collect();
    checked(t, max, |t| {
        !t.chars().any(is_hidden) && t.chars().any(char::is_alphabetic)
    })
}

/// `t` if not empty, at most `max` characters and `readable`.
fn checked(t: String, max: usize, readable: impl Fn(&str) -> bool) -> Result<String, Code> {
    if t.is_empty() {
        Err(Code::MissingField)
    } else if t.chars().count() > max {
        Err(Code::TooLong)
    } else if !readable(&t) {
        Err(Code::InvalidText)
    } else {
        Ok(t)
    }
}

/// Line breaks as `\n` alone (`\r\n` and a lone `\r` become `\n`), tabs as spaces, NFC.
pub fn lines(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', " ")
        .nfc()
        .collect()
}

/// A required text of several lines: [`lines`], trimmed, at most `max` characters, holding a
/// letter or a digit and no hidden character besides its line breaks.
pub fn multiline(raw: Option<&str>, max: usize) -> Result<String, Code> {
    let t = lines(raw.unwrap_or_default()).trim().to_string();
    checked(t, max, |t| {
        !t.chars().any(|c| c != '\n' && is_hidden(c)) && t.chars().any(char::is_alphanumeric)
    })
}

/// `text` with every hidden character written out, for a moderator's terminal: a line break
/// stays a line break, the others become `⟨CR⟩`, `⟨TAB⟩` or `⟨U+202E⟩`, so that nothing
/// printed can hide or reorder what follows it.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\r' => out.push_str("⟨CR⟩"),
            '\t' => out.push_str("⟨TAB⟩"),
            c if is_hidden(c) || matches!(c, '\u{200C}'..='\u{200F}') => {
                out.push_str(&format!("⟨U+{:04X}⟩", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether a spreadsheet would read `value` as a formula: its first character that is not
/// hidden, not a format character and not a space is `=`, `+`, `-` or `@`, in its ASCII or
/// fullwidth form.
pub fn starts_formula(value: &str) -> bool {
    if value.starts_with(['\t', '\r', '\n']) {
        return true;
    }
    let first = value
        .chars()
        .find(|&c| !(is_hidden(c) || c.is_whitespace() || matches!(c, '\u{200C}'..='\u{200F}')));
    matches!(
        first,
        Some('=' | '+' | '-' | '@' | '＝' | '＋' | '－' | '＠' | '﹦' | '﹢' | '﹣' | '﹫')
    )
}

/// A CSV cell: quoted, and prefixed with `'` when a spreadsheet would read it as a formula
/// (even behind invisible characters or in fullwidth signs).
pub fn csv_cell(value: &str) -> String {
    let guarded = if starts_formula(value) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_refuse_what_hides_text() {
        assert_eq!(one_line(Some("  Amina "), 10).unwrap(), "Amina");
        // Decomposed é becomes the one composed character.
        assert_eq!(one_line(Some("Ame\u{301}lie"), 10).unwrap(), "Amélie");
        for hidden in [
            "a\rb",
            "a\nb",
            "a\u{0}b",
            "abc\u{202E}def",
            "\u{2067}name",
            "a\u{FFFD}",
            "ab\u{200B}c",
        ] {
            assert_eq!(
                one_line(Some(hidden), 40),
                Err(Code::InvalidText),
                "{hidden:?}"
            );
        }
        for no_letter in [
            "\u{200B}\u{FEFF}",
            "---",
            "123",
            "\u{202E}\u{202E}",
            "\u{3164}\u{3164}",
        ] {
            assert_eq!(
                one_line(Some(no_letter), 40),
                Err(Code::InvalidText),
                "{no_letter:?}"
            );
        }
        assert_eq!(one_line(Some("ⴰⵎⵉⵏⴰ"), 10).unwrap(), "ⴰⵎⵉⵏⴰ");
        assert_eq!(one_line(Some("أمينة"), 10).unwrap(), "أمينة");
        assert_eq!(one_line(Some(""), 10), Err(Code::MissingField));
        assert_eq!(one_line(Some("abcdefghijk"), 10), Err(Code::TooLong));
    }

    #[test]
    fn multiline_text_keeps_breaks_as_lf() {
        assert_eq!(
            multiline(Some("un\r\ndeux\rtrois"), 40).unwrap(),
            "un\ndeux\ntrois"
        );
        assert_eq!(
            multiline(Some("insult\u{202E}benign"), 40),
            Err(Code::InvalidText)
        );
        assert_eq!(
            multiline(Some("\u{200B}\n\u{FEFF}"), 40),
            Err(Code::InvalidText)
        );
        assert_eq!(multiline(Some("12"), 40).unwrap(), "12");
    }

    #[test]
    fn hidden_characters_are_shown() {
        assert_eq!(visible("insult\rbenign"), "insult⟨CR⟩benign");
        assert_eq!(visible("a\u{202E}b\nc"), "a⟨U+202E⟩b\nc");
    }

    #[test]
    fn formulas_are_found_behind_invisible_and_fullwidth_signs() {
        for f in [
            "=1+1",
            "\u{200B}=1",
            "\u{FEFF}+1",
            "\u{202E}@SUM(A1)",
            "＝1",
            " -2",
            "\tx",
        ] {
            assert!(starts_formula(f), "{f:?}");
        }
        for ok in ["Amina", "1-2", "a=b", ""] {
            assert!(!starts_formula(ok), "{ok:?}");
        }
    }
}
