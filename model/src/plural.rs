//! Plural categories (CLDR names) for counts in each language: Arabic has six forms
//! (zero, one, two, few, many, other), French three, Amazigh two.

use crate::Lang;
use serde::{Deserialize, Serialize};

/// A CLDR plural category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Arabic 0.
    Zero,
    /// Singular.
    One,
    /// Arabic dual.
    Two,
    /// Arabic 3-10 (modulo 100).
    Few,
    /// Arabic 11-99 (modulo 100); French round millions.
    Many,
    /// Everything else.
    Other,
}

impl Category {
    /// The CLDR keyword, as used for keys in the UI string files.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Zero => "zero",
            Category::One => "one",
            Category::Two => "two",
            Category::Few => "few",
            Category::Many => "many",
            Category::Other => "other",
        }
    }
}

/// The plural category of the integer `n` in `lang` (CLDR 46 rules for `ar` and `fr`; CLDR has
/// no rules for `zgh`, which follows the singular/plural split of Amazigh nouns).
pub fn category(lang: Lang, n: u64) -> Category {
    match lang {
        Lang::Ar => match (n, n % 100) {
            (0, _) => Category::Zero,
            (1, _) => Category::One,
            (2, _) => Category::Two,
            (_, 3..=10) => Category::Few,
            (_, 11..=99) => Category::Many,
            _ => Category::Other,
        },
        Lang::Fr => match n {
            0 | 1 => Category::One,
            n if n % 1_000_000 == 0 => Category::Many,
            _ => Category::Other,
        },
        Lang::Zgh => match n {
            1 => Category::One,
            _ => Category::Other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_has_six_forms() {
        let cases = [
            (0, Category::Zero),
            (1, Category::One),
            (2, Category::Two),
            (3, Category::Few),
            (10, Category::Few),
            (11, Category::Many),
            (99, Category::Many),
            (100, Category::Other),
            (102, Category::Other),
            (103, Category::Few),
            (4000, Category::Other),
            (20011, Category::Many),
        ];
        for (n, want) in cases {
            assert_eq!(category(Lang::Ar, n), want, "n = {n}");
        }
    }

    #[test]
    fn french_singular_covers_zero_and_one() {
        assert_eq!(category(Lang::Fr, 0), Category::One);
        assert_eq!(category(Lang::Fr, 1), Category::One);
        assert_eq!(category(Lang::Fr, 2), Category::Other);
        assert_eq!(category(Lang::Fr, 2_000_000), Category::Many);
    }

    #[test]
    fn amazigh_has_singular_and_plural() {
        assert_eq!(category(Lang::Zgh, 1), Category::One);
        assert_eq!(category(Lang::Zgh, 0), Category::Other);
        assert_eq!(category(Lang::Zgh, 5), Category::Other);
    }
}
