//! Shortcodes in Markdown, so that legal figures are written in one place (the rules data) and
//! never copied into prose: `{{ threshold:head-of-government }}`, `{{ threshold:region:MA-06 }}`,
//! `{{ threshold:commune:20000 }}`, `{{ thresholds }}` (the whole table).

use crate::theme::Theme;
use musharaka_model::rules::{self, ScheduleRow};
use musharaka_model::state::InitiativeKind;
use musharaka_model::target::{Authority, Target};
use musharaka_model::{Lang, number};

/// A shortcode that cannot be expanded, with its line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShortcodeError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

const USAGE: &str = "expected `{{ thresholds }}` or `{{ threshold:<authority>[:<region or population>] }}`, with <authority> one of head-of-government, house-of-representatives, house-of-councillors, motion, region:MA-xx, province, commune:<population>, commune:arrondissements";

/// Expands every shortcode of `md` (whose first line is `first_line` of its file) in `lang`.
pub(crate) fn expand(
    md: &str,
    first_line: usize,
    lang: Lang,
    theme: &Theme,
) -> Result<String, ShortcodeError> {
    if !md.contains("{{") {
        return Ok(md.to_string());
    }
    let mut out = String::with_capacity(md.len() + 256);
    let mut rest = md;
    let mut consumed = 0;
    while let Some(start) = rest.find("{{") {
        let line = first_line + md[..consumed + start].matches('\n').count();
        let Some(len) = rest[start..].find("}}") else {
            return Err(ShortcodeError {
                line,
                message: "`{{` opens a shortcode that is never closed with `}}`".into(),
            });
        };
        let code = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        out.push_str(&one(code, lang, theme).map_err(|message| ShortcodeError { line, message })?);
        consumed += start + len + 2;
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn one(code: &str, lang: Lang, theme: &Theme) -> Result<String, String> {
    if code == "thresholds" {
        return Ok(table(lang, theme));
    }
    let parts: Vec<&str> = code.split(':').map(str::trim).collect();
    if parts.first() != Some(&"threshold") || parts.len() < 2 {
        return Err(format!("unknown shortcode `{{{{ {code} }}}}`: {USAGE}"));
    }
    let target = Target::new;
    let named = |authority| Target {
        name: [(lang, "-".to_string())].into(),
        region: Some("MA-01".into()),
        ..target(authority)
    };
    let (kind, t) = match (parts[1], parts.get(2)) {
        ("head-of-government", None) => (
            InitiativeKind::Petition,
            target(Authority::HeadOfGovernment),
        ),
        ("house-of-representatives", None) => (
            InitiativeKind::Petition,
            target(Authority::HouseOfRepresentatives),
        ),
        ("house-of-councillors", None) => (
            InitiativeKind::Petition,
            target(Authority::HouseOfCouncillors),
        ),
        ("motion", None) => (
            InitiativeKind::Motion,
            target(Authority::HouseOfRepresentatives),
        ),
        ("province", None) => (InitiativeKind::Petition, named(Authority::Province)),
        ("region", Some(code)) => (
            InitiativeKind::Petition,
            Target {
                region: Some(code.to_string()),
                ..target(Authority::Region)
            },
        ),
        ("commune", Some(&"arrondissements")) => (
            InitiativeKind::Petition,
            Target {
                population: Some(0),
                arrondissements: true,
                ..named(Authority::Commune)
            },
        ),
        ("commune", Some(pop)) => {
            let population = pop
                .replace(['_', ' ', ','], "")
                .parse::<u64>()
                .map_err(|_| {
                    format!(
                        "`{pop}` is not a population: write `{{{{ threshold:commune:28000 }}}}`"
                    )
                })?;
            (
                InitiativeKind::Petition,
                Target {
                    population: Some(population),
                    ..named(Authority::Commune)
                },
            )
        }
        _ => return Err(format!("unknown shortcode `{{{{ {code} }}}}`: {USAGE}")),
    };
    let th = rules::threshold(kind, &t).map_err(|e| format!("`{{{{ {code} }}}}`: {e}"))?;
    Ok(number::format(lang, th.signatures))
}

fn tier_label(lang: Lang, theme: &Theme, prev: Option<u64>, below: Option<u64>) -> String {
    let n = |v: u64| number::format(lang, v);
    match (prev, below) {
        (None, None) => String::new(),
        (None, Some(b)) => theme.text(lang, "rules.below").replace("{n}", &n(b)),
        (Some(a), Some(b)) => theme
            .text(lang, "rules.between")
            .replace("{a}", &n(a))
            .replace("{b}", &n(b - 1)),
        (Some(a), None) => theme.text(lang, "rules.from").replace("{n}", &n(a)),
    }
}

/// The Markdown table of every threshold with its legal reference.
fn table(lang: Lang, theme: &Theme) -> String {
    let t = |k: &str| theme.text(lang, k);
    let mut out = format!(
        "\n| {} | {} | {} |\n|---|---|---|\n",
        t("rules.authority"),
        t("rules.signatures"),
        t("rules.basis")
    );
    for ScheduleRow {
        key,
        tiers,
        with_arrondissements,
        reference,
        ..
    } in rules::schedule()
    {
        let name = if key == "motion" {
            t("kind.motion")
        } else {
            t(&format!("authority.{key}"))
        };
        // A figure still to be checked against the Bulletin officiel is marked in
        // `rules.toml` for editors, not on the public page.
        let basis = reference.get(&lang).cloned().unwrap_or_default();
        let mut prev = None;
        for (below, n) in &tiers {
            let tier = tier_label(lang, theme, prev, *below);
            let label = if tier.is_empty() {
                name.clone()
            } else {
                format!("{name}: {tier}")
            };
            out.push_str(&format!(
                "| {label} | {} | {basis} |\n",
                number::format(lang, *n)
            ));
            prev = *below;
        }
        if let Some(n) = with_arrondissements {
            out.push_str(&format!(
                "| {name}: {} | {} | {basis} |\n",
                t("rules.arrondissements"),
                number::format(lang, n)
            ));
        }
    }
    out.push('\n');
    out
}
