//! Whole numbers as each language groups their digits (Western digits everywhere):
//! `4 000` in French and Amazigh, `4.000` in Moroccan Arabic (CLDR `ar-MA`).

use crate::Lang;

/// The thousands separator of `lang`.
pub fn separator(lang: Lang) -> &'static str {
    match lang {
        Lang::Ar => ".",
        // Narrow no-break space (French typography), no-break space (CLDR zgh).
        Lang::Fr => "\u{202F}",
        Lang::Zgh => "\u{A0}",
    }
}

/// `n` with its digits grouped by thousands as `lang` writes it.
pub fn format(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator(lang));
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_per_language() {
        assert_eq!(format(Lang::Fr, 20000), "20\u{202F}000");
        assert_eq!(format(Lang::Ar, 4000), "4.000");
        assert_eq!(format(Lang::Zgh, 1234567), "1\u{A0}234\u{A0}567");
        assert_eq!(format(Lang::Ar, 999), "999");
        assert_eq!(format(Lang::Fr, 0), "0");
    }
}
