//! UI strings of one language, from a TOML file (`site-theme/i18n/<lang>.toml`): plain
//! messages and plural messages whose forms are keyed by CLDR category.

use crate::{
    Lang,
    plural::{self, Category},
};
use std::collections::BTreeMap;

/// One message: plain text, or one text per plural category (`other` required).
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The same text whatever the count.
    Text(String),
    /// A text per plural category.
    Plural(BTreeMap<String, String>),
}

/// The UI strings of one language, keyed by dotted path (`state.collecting`).
#[derive(Debug, Clone, PartialEq)]
pub struct Strings {
    lang: Lang,
    messages: BTreeMap<String, Message>,
}

/// Why a strings file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StringsError {
    /// Not valid TOML.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// A value that is neither text nor a table.
    #[error("`{0}` must be a text or a table of texts")]
    NotText(String),
    /// A plural message without its `other` form.
    #[error("plural message `{0}` needs an `other` form")]
    NoOther(String),
}

const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

impl Strings {
    /// Parses the strings of `lang` from TOML text.
    pub fn parse(lang: Lang, text: &str) -> Result<Self, StringsError> {
        let table: toml::Table = toml::from_str(text)?;
        let mut messages = BTreeMap::new();
        flatten("", &table, &mut messages)?;
        Ok(Strings { lang, messages })
    }

    /// The language of these strings.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    /// The message under `key`.
    pub fn message(&self, key: &str) -> Option<&Message> {
        self.messages.get(key)
    }

    /// The text under `key`; for a plural message, its `other` form.
    pub fn get(&self, key: &str) -> Option<&str> {
        match self.messages.get(key)? {
            Message::Text(t) => Some(t),
            Message::Plural(forms) => forms.get("other").map(String::as_str),
        }
    }

    /// The text under `key` for the count `n`, with `{n}` replaced by the count, grouped as the
    /// language writes numbers.
    pub fn plural(&self, key: &str, n: u64) -> Option<String> {
        let text = match self.messages.get(key)? {
            Message::Text(t) => t,
            Message::Plural(forms) => {
                let cat: Category = plural::category(self.lang, n);
                forms.get(cat.as_str()).or_else(|| forms.get("other"))?
            }
        };
        Some(text.replace("{n}", &crate::number::format(self.lang, n)))
    }
}

fn is_plural(table: &toml::Table) -> bool {
    !table.is_empty() && table.keys().all(|k| CATEGORIES.contains(&k.as_str()))
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, Message>,
) -> Result<(), StringsError> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(s) => {
                out.insert(path, Message::Text(s.clone()));
            }
            toml::Value::Table(t) if is_plural(t) => {
                let mut forms = BTreeMap::new();
                for (cat, text) in t {
                    let text = text
                        .as_str()
                        .ok_or_else(|| StringsError::NotText(format!("{path}.{cat}")))?;
                    forms.insert(cat.clone(), text.to_string());
                }
                if !forms.contains_key("other") {
                    return Err(StringsError::NoOther(path));
                }
                out.insert(path, Message::Plural(forms));
            }
            toml::Value::Table(t) => flatten(&path, t, out)?,
            _ => return Err(StringsError::NotText(path)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AR: &str = r#"
title = "مشاركة"
[count]
signatures = { zero = "لا توقيع", one = "توقيع واحد", two = "توقيعان", few = "{n} توقيعات", many = "{n} توقيعًا", other = "{n} توقيع" }
"#;

    #[test]
    fn picks_the_arabic_plural_form_for_the_count() {
        let s = Strings::parse(Lang::Ar, AR).unwrap();
        assert_eq!(s.get("title"), Some("مشاركة"));
        assert_eq!(s.plural("count.signatures", 0).unwrap(), "لا توقيع");
        assert_eq!(s.plural("count.signatures", 2).unwrap(), "توقيعان");
        assert_eq!(s.plural("count.signatures", 7).unwrap(), "7 توقيعات");
        assert_eq!(s.plural("count.signatures", 4011).unwrap(), "4.011 توقيعًا");
        assert_eq!(s.plural("count.signatures", 4000).unwrap(), "4.000 توقيع");
    }

    #[test]
    fn a_plural_without_other_is_refused() {
        let err = Strings::parse(Lang::Fr, "x = { one = \"a\" }").unwrap_err();
        assert!(err.to_string().contains("other"));
    }
}
