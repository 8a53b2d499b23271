//! Text into search terms, the same way for the pages and for what a reader types (the
//! search script has a twin of [`for_each_term`]; a test and the browser suite check they
//! agree). Words are runs of letters and digits; then, by script:
//!
//! - Arabic: diacritics (U+064B–U+065F, U+0670) and tatweel (U+0640) are dropped without
//!   splitting the word; alef variants (أ إ آ ٱ) become ا, ى and ئ become ي, ة becomes ه, ؤ
//!   becomes و; a leading article (وال، بال، كال، فال، لل، ال) goes when two letters remain;
//! - Latin: lowercase, accents folded (canonical decomposition, combining marks dropped), œ and
//!   æ spelt out; an apostrophe ends a word (`l'eau` gives `l` and `eau`);
//! - Tifinagh and any other script: the word as typed, lowercased.
//!
//! Terms of one letter are left out.

use unicode_normalization::char::decompose_canonical;

/// Articles and the prepositions fused with them, longest first.
const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];

/// Letters a term keeps after its article.
const MIN_STEM: usize = 2;

/// Whether `c` is dropped inside a word: Latin combining marks, Arabic diacritics and tatweel.
fn dropped(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

/// The Arabic letter `c` stands for in a term.
fn arabic_letter(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' | 'ئ' => 'ي',
        'ة' => 'ه',
        'ؤ' => 'و',
        c => c,
    }
}

/// Whether `c` is a letter that stands for itself in a term: most letters of a text, whose
/// words are then read in place, without a copy.
fn as_is(c: char) -> bool {
    match c {
        'a'..='z' | '0'..='9' | '\u{2D30}'..='\u{2D67}' | '\u{2D6F}' => true,
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => arabic_letter(c) == c,
        _ => false,
    }
}

/// The word being read: in place in the text from `start` while its letters stand for
/// themselves, else spelt out in `word`.
struct Reader<'t, F: FnMut(&str)> {
    text: &'t str,
    word: String,
    start: usize,
    letters: usize,
    copied: bool,
    f: F,
}

impl<F: FnMut(&str)> Reader<'_, F> {
    /// A letter at `at` that stands for itself.
    fn same(&mut self, at: usize, c: char) {
        if self.copied {
            self.word.push(c);
        } else if self.letters == 0 {
            self.start = at;
        }
        self.letters += 1;
    }

    /// Letters at `at` spelt `s` in the term (`n` of them).
    fn spelt(&mut self, at: usize, s: &str, n: usize) {
        self.copy(at);
        self.word.push_str(s);
        self.letters += n;
    }

    /// From here on the word is spelt out: what was read in place is copied.
    fn copy(&mut self, at: usize) {
        if !self.copied {
            self.word.clear();
            if self.letters > 0 {
                self.word.push_str(&self.text[self.start..at]);
            }
            self.copied = true;
        }
    }

    /// The word ends before `at`.
    fn end(&mut self, at: usize) {
        if self.letters > 0 {
            let word = if self.copied {
                &self.word[..]
            } else {
                &self.text[self.start..at]
            };
            emit(word, self.letters, &mut self.f);
        }
        self.letters = 0;
        self.copied = false;
    }

    /// The character `d` of the decomposition of the one at `at`.
    fn decomposed(&mut self, at: usize, d: char) {
        if dropped(d) {
            if self.letters > 0 {
                self.copy(at);
            }
            return;
        }
        for l in arabic_letter(d).to_lowercase() {
            let mut buf = [0u8; 4];
            match l {
                'œ' => self.spelt(at, "oe", 2),
                'æ' => self.spelt(at, "ae", 2),
                l if l.is_alphanumeric() => self.spelt(at, l.encode_utf8(&mut buf), 1),
                _ => self.end(at),
            }
        }
    }
}

/// Splits `text` into words and calls `f` with each term, in order (a term once per
/// occurrence).
pub(crate) fn for_each_term(text: &str, f: impl FnMut(&str)) {
    let mut r = Reader {
        text,
        word: String::new(),
        start: 0,
        letters: 0,
        copied: false,
        f,
    };
    for (at, c) in text.char_indices() {
        if as_is(c) {
            r.same(at, c);
        } else if c.is_ascii_uppercase() {
            let mut buf = [0u8; 4];
            r.spelt(at, c.to_ascii_lowercase().encode_utf8(&mut buf), 1);
        } else if c.is_ascii() {
            r.end(at);
        } else {
            decompose_canonical(c, |d| r.decomposed(at, d));
        }
    }
    r.end(text.len());
}

/// Calls `f` with the term of `word` (of `letters` characters), without its Arabic article,
/// if it has two letters or more.
fn emit(word: &str, letters: usize, f: &mut impl FnMut(&str)) {
    // Arabic letters begin with the byte D8 or D9 in UTF-8.
    let arabic = matches!(word.as_bytes().first(), Some(0xD8 | 0xD9));
    for article in ARTICLES.iter().filter(|_| arabic) {
        if let Some(stem) = word.strip_prefix(article) {
            // Arabic letters are two bytes each.
            if letters - article.len() / 2 >= MIN_STEM {
                f(stem);
                return;
            }
        }
    }
    if letters >= 2 {
        f(word);
    }
}

/// The terms of `text`, in order.
#[cfg(test)]
pub(crate) fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words and their terms in each language, which `site-theme/static/search.js` must give
    /// too (the browser suite runs the same file through it).
    fn samples() -> Vec<(String, Vec<String>)> {
        serde_json::from_str(include_str!("samples.json")).expect("samples.json")
    }

    #[test]
    fn the_same_word_in_any_spelling_gives_one_term() {
        let samples = samples();
        assert!(samples.len() > 20);
        for (text, want) in samples {
            assert_eq!(terms(&text), want, "{text}");
        }
    }

    #[test]
    fn diacritics_and_tatweel_do_not_split_a_word() {
        assert_eq!(terms("المُشارَكَةُ الـمواطنة"), ["مشاركه", "مواطنه"]);
        assert_eq!(terms("دَوْرٌ"), ["دور"]);
    }

    #[test]
    fn punctuation_and_spaces_split_words_in_every_script() {
        assert_eq!(
            terms("signatures, pétitions; l'intérêt (général)"),
            ["signatures", "petitions", "interet", "general"]
        );
        assert_eq!(terms("العرائض، والمشاركة؟"), ["عرايض", "مشاركه"]);
        assert_eq!(terms("ⴰⵏⴰⵎⵓⵙ, ⴰⵣⵔⴼ"), ["ⴰⵏⴰⵎⵓⵙ", "ⴰⵣⵔⴼ"]);
    }
}
