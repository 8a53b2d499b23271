//! `content/site.toml`: the base URL, the languages in the order they are offered (with
//! their own-script names and directions), the fallback chain, titles and time offset.

use anyhow::{Context, Result, bail};
use chrono::FixedOffset;
use musharaka_model::{Dir, Lang, Localized};
use serde::Deserialize;
use std::path::Path;

/// One language of the site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageConfig {
    /// `ar`, `zgh` or `fr`.
    pub code: Lang,
    /// The language's name in its own script (`العربية`, `ⵜⴰⵎⴰⵣⵉⵖⵜ`, `Français`).
    pub name: String,
    /// Text direction.
    pub dir: Dir,
}

/// The site configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Absolute URL the site is published at, without a trailing slash.
    pub base_url: String,
    /// Site title per language.
    pub title: Localized,
    /// Short description per language (home page, feeds).
    #[serde(default)]
    pub description: Localized,
    /// Languages in the order they are offered.
    pub languages: Vec<LanguageConfig>,
    /// Where a missing page is taken from: the first language in this list that has it.
    pub fallback: Vec<Lang>,
    /// Offset in which instants are shown (Morocco: `+01:00`).
    #[serde(default = "default_offset")]
    pub utc_offset: String,
    /// How long signers' personal data is kept (`[retention]`).
    #[serde(default)]
    pub retention: musharaka_model::retention::Retention,
    /// How signatures are confirmed (`[signing]`).
    #[serde(default)]
    pub signing: musharaka_model::signing::SigningPolicy,
    /// The collection periods a citizen's proposal may ask for (`[proposals]`).
    #[serde(default)]
    pub proposals: musharaka_model::proposal_text::PeriodLimits,
    /// The licence of the open data under `/data/` (`[open_data]`).
    #[serde(default)]
    pub open_data: OpenData,
}

/// The licence the open data is published under, named in every file.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpenData {
    /// Its name (`CC BY 4.0`).
    pub licence: String,
    /// Where its text is.
    pub licence_url: String,
}

impl Default for OpenData {
    fn default() -> Self {
        OpenData {
            licence: "CC BY 4.0".into(),
            licence_url: "https://creativecommons.org/licenses/by/4.0/".into(),
        }
    }
}

fn default_offset() -> String {
    "+01:00".into()
}

impl SiteConfig {
    /// Parses and validates `site.toml` text.
    pub fn parse(text: &str) -> Result<Self> {
        let mut config: SiteConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| crate::diagnostics::line_of_offset(text, s.start));
            match line {
                Some(l) => anyhow::anyhow!("line {l}: {}", e.message()),
                None => anyhow::anyhow!("{}", e.message()),
            }
        })?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        config.validate()?;
        Ok(config)
    }

    /// Reads and validates `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text)
            .with_context(|| format!("{}: invalid site configuration", path.display()))
    }

    fn validate(&self) -> Result<()> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            bail!(
                "`base_url` must be an absolute http(s) URL, like \"https://musharaka.ma\", not {:?}",
                self.base_url
            );
        }
        if self.languages.is_empty() {
            bail!("`languages` must list at least one language");
        }
        if let Err(e) = self.retention.validate() {
            bail!("[retention]: {e}");
        }
        let p = self.proposals;
        if p.min_days == 0 || p.min_days > p.max_days {
            bail!(
                "[proposals]: `min_days` ({}) must be at least 1 and at most `max_days` ({})",
                p.min_days,
                p.max_days
            );
        }
        if let Err(e) = self.signing.validate() {
            bail!("[signing]: {e}");
        }
        for (i, l) in self.languages.iter().enumerate() {
            if self.languages[..i].iter().any(|o| o.code == l.code) {
                bail!("language `{}` is listed twice in `languages`", l.code);
            }
            if !self.title.contains_key(&l.code) {
                bail!("`title` has no `{}` entry", l.code);
            }
            if !self.fallback.contains(&l.code) {
                bail!(
                    "`fallback` must list every language; `{}` is missing",
                    l.code
                );
            }
        }
        for l in &self.fallback {
            if !self.has_lang(*l) {
                bail!("`fallback` names `{l}`, which is not in `languages`");
            }
        }
        self.offset()?;
        Ok(())
    }

    /// Whether `lang` is one of the site's languages.
    pub fn has_lang(&self, lang: Lang) -> bool {
        self.languages.iter().any(|l| l.code == lang)
    }

    /// The site's languages in the order they are offered.
    pub fn langs(&self) -> impl Iterator<Item = Lang> + '_ {
        self.languages.iter().map(|l| l.code)
    }

    /// The configuration of `lang`.
    pub fn language(&self, lang: Lang) -> &LanguageConfig {
        self.languages
            .iter()
            .find(|l| l.code == lang)
            .expect("languages were validated")
    }

    /// The offset in which instants are shown.
    pub fn offset(&self) -> Result<FixedOffset> {
        let fixed = chrono::DateTime::parse_from_rfc3339(&format!(
            "2000-01-01T00:00:00{}",
            self.utc_offset
        ))
        .with_context(|| {
            format!(
                "`utc_offset` must look like \"+01:00\", not {:?}",
                self.utc_offset
            )
        })?;
        Ok(*fixed.offset())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
base_url = "https://example.ma/"
title = { ar = "مشاركة", zgh = "ⵜⴰⵎⵙⴰⵙⵓⵜ", fr = "Musharaka" }
fallback = ["ar", "fr", "zgh"]
[[languages]]
code = "ar"
name = "العربية"
dir = "rtl"
[[languages]]
code = "zgh"
name = "ⵜⴰⵎⴰⵣⵉⵖⵜ"
dir = "ltr"
[[languages]]
code = "fr"
name = "Français"
dir = "ltr"
"#;

    #[test]
    fn parses_languages_in_order_and_trims_base_url() {
        let c = SiteConfig::parse(OK).unwrap();
        assert_eq!(c.base_url, "https://example.ma");
        assert_eq!(
            c.langs().collect::<Vec<_>>(),
            [Lang::Ar, Lang::Zgh, Lang::Fr]
        );
        assert_eq!(c.language(Lang::Ar).dir, Dir::Rtl);
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let err = SiteConfig::parse(&format!("base_ulr = 1\n{OK}")).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("line 1:"), "{msg}");
        assert!(msg.contains("base_ulr"), "{msg}");
    }

    #[test]
    fn the_retention_policy_has_defaults_and_a_floor() {
        let c = SiteConfig::parse(OK).unwrap();
        assert_eq!(c.retention.longest_days, 730);
        let err = SiteConfig::parse(&format!("{OK}[retention]\nlongest_days = 30\n")).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("[retention]") && msg.contains("at least 365"),
            "{msg}"
        );
        let typo = SiteConfig::parse(&format!("{OK}[retention]\nlongest_day = 800\n"));
        assert!(format!("{:#}", typo.unwrap_err()).contains("longest_day"));
    }

    #[test]
    fn fallback_must_cover_every_language() {
        let text = OK.replace(r#"fallback = ["ar", "fr", "zgh"]"#, r#"fallback = ["ar"]"#);
        assert!(SiteConfig::parse(&text).is_err());
    }
}
