//! The theme in `site-theme/`: tera templates, the UI strings of each language
//! (`i18n/<lang>.toml`, shared with the functions' messages) and the static files.

use crate::diagnostics::Diagnostics;
use anyhow::{Context, Result};
use musharaka_model::{Lang, i18n::Strings};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tera::Tera;

/// Escapes text for HTML and XML (the templates', feeds' and sitemap's escape).
pub(crate) use musharaka_model::html::escape as escape_html;

/// Templates, strings and static files of the site.
pub(crate) struct Theme {
    /// The compiled templates.
    pub tera: Tera,
    /// UI strings per language.
    pub strings: Arc<BTreeMap<Lang, Strings>>,
    /// The same strings as nested JSON, handed to templates as `s`.
    pub strings_json: BTreeMap<Lang, serde_json::Value>,
    /// Folder of files copied as they are to `static/` in the output.
    pub static_dir: PathBuf,
}

/// Path of the UI strings file of `lang`, relative to the site root.
pub(crate) fn strings_path(lang: Lang) -> PathBuf {
    PathBuf::from(format!("site-theme/i18n/{}.toml", lang.code()))
}

/// Formats an error and its causes on one line each, as tera nests them.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

impl Theme {
    /// Loads the theme under `root/site-theme` for `langs`, recording problems in `diags`.
    pub(crate) fn load(
        root: &Path,
        langs: &[Lang],
        diags: &mut Diagnostics,
    ) -> Result<Option<Theme>> {
        let dir = root.join("site-theme");
        if !dir.is_dir() {
            anyhow::bail!(
                "{}: no theme folder (expected templates and i18n there)",
                dir.display()
            );
        }
        let mut strings = BTreeMap::new();
        let mut strings_json = BTreeMap::new();
        for &lang in langs {
            let rel = strings_path(lang);
            let text = std::fs::read_to_string(root.join(&rel))
                .with_context(|| format!("cannot read {}", rel.display()))?;
            match Strings::parse(lang, &text) {
                Ok(s) => {
                    strings.insert(lang, s);
                    strings_json.insert(lang, toml::from_str::<serde_json::Value>(&text)?);
                }
                Err(e) => diags.error(&rel, None, e.to_string()),
            }
        }
        let all_keys: BTreeSet<&str> = strings.values().flat_map(Strings::keys).collect();
        for (lang, s) in &strings {
            let have: BTreeSet<&str> = s.keys().collect();
            let missing: Vec<&str> = all_keys.difference(&have).copied().collect();
            if !missing.is_empty() {
                diags.error(
                    &strings_path(*lang),
                    None,
                    format!("missing UI strings: {}", missing.join(", ")),
                );
            }
        }
        let glob = format!("{}/templates/**/*.html", dir.display());
        let mut tera = match Tera::new(&glob) {
            Ok(t) => t,
            Err(e) => {
                diags.error(Path::new("site-theme/templates"), None, error_chain(&e));
                return Ok(None);
            }
        };
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        let strings = Arc::new(strings);
        tera.register_function("plural", Plural(strings.clone()));
        if diags.has_errors() {
            return Ok(None);
        }
        Ok(Some(Theme {
            tera,
            strings,
            strings_json,
            static_dir: dir.join("static"),
        }))
    }

    /// The UI text under `key` in `lang`, or the key itself if missing (reported by `load`).
    pub(crate) fn text(&self, lang: Lang, key: &str) -> String {
        self.strings
            .get(&lang)
            .and_then(|s| s.get(key))
            .unwrap_or(key)
            .to_string()
    }

    /// The plural UI text under `key` for count `n` in `lang`.
    pub(crate) fn plural(&self, lang: Lang, key: &str, n: u64) -> String {
        self.strings
            .get(&lang)
            .and_then(|s| s.plural(key, n))
            .unwrap_or_else(|| format!("{n} {key}"))
    }
}

/// Tera function `plural(key="count.signatures", n=12, lang="ar")`.
struct Plural(Arc<BTreeMap<Lang, Strings>>);

impl tera::Function for Plural {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let arg = |name: &str| {
            args.get(name)
                .ok_or_else(|| tera::Error::msg(format!("plural() needs `{name}`")))
        };
        let key = arg("key")?.as_str().unwrap_or_default();
        let n = arg("n")?
            .as_u64()
            .ok_or_else(|| tera::Error::msg("plural(): `n` must be a whole number"))?;
        let lang: Lang = arg("lang")?
            .as_str()
            .unwrap_or_default()
            .parse()
            .map_err(|e: musharaka_model::lang::UnknownLang| tera::Error::msg(e.to_string()))?;
        let text = self
            .0
            .get(&lang)
            .and_then(|s| s.plural(key, n))
            .ok_or_else(|| tera::Error::msg(format!("no UI string `{key}` in {lang}")))?;
        Ok(tera::Value::String(text))
    }

    fn is_safe(&self) -> bool {
        false
    }
}
