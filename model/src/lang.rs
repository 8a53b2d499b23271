//! The portal's languages: Arabic (right to left), Standard Moroccan Amazigh in Tifinagh,
//! and French, with their codes, directions and per-language values.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A language the portal is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Arabic (Morocco), right to left.
    Ar,
    /// Standard Moroccan Amazigh, Tifinagh script.
    Zgh,
    /// French.
    Fr,
}

/// Text direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Left to right.
    Ltr,
    /// Right to left.
    Rtl,
}

impl Dir {
    /// The value of the HTML `dir` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Ltr => "ltr",
            Dir::Rtl => "rtl",
        }
    }
}

impl Lang {
    /// Every language the model knows, in code order.
    pub const ALL: [Lang; 3] = [Lang::Ar, Lang::Zgh, Lang::Fr];

    /// The BCP 47 code used in file names, URLs and `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Zgh => "zgh",
            Lang::Fr => "fr",
        }
    }

    /// The natural direction of the language's script.
    pub fn dir(self) -> Dir {
        match self {
            Lang::Ar => Dir::Rtl,
            Lang::Zgh | Lang::Fr => Dir::Ltr,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Error for a language code the portal does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}` (expected one of: ar, zgh, fr)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ar" => Ok(Lang::Ar),
            "zgh" => Ok(Lang::Zgh),
            "fr" => Ok(Lang::Fr),
            other => Err(UnknownLang(other.to_string())),
        }
    }
}

/// A value given in several languages, such as a title or a legal reference.
pub type Localized<T = String> = BTreeMap<Lang, T>;

/// Picks the value for `lang`, else the first of `fallback` that has one.
pub fn pick<'a, T>(values: &'a Localized<T>, lang: Lang, fallback: &[Lang]) -> Option<&'a T> {
    values
        .get(&lang)
        .or_else(|| fallback.iter().find_map(|l| values.get(l)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_right_to_left_and_the_others_left_to_right() {
        assert_eq!(Lang::Ar.dir(), Dir::Rtl);
        assert_eq!(Lang::Zgh.dir(), Dir::Ltr);
        assert_eq!(Lang::Fr.dir(), Dir::Ltr);
    }

    #[test]
    fn parses_codes_and_rejects_others() {
        assert_eq!("zgh".parse::<Lang>(), Ok(Lang::Zgh));
        assert!("en".parse::<Lang>().is_err());
    }
}
