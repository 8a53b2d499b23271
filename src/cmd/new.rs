//! `musharaka new <kind> <section/name>`: writes the three language files of a new page with
//! the front matter its kind needs, ready for `musharaka check`.

use anyhow::{Context, Result, bail};
use musharaka_generator::Kind;
use musharaka_model::Lang;
use std::path::Path;
use std::process::ExitCode;

fn front_matter(kind: Kind, id: &str, lang: Lang) -> String {
    let (title, authority) = match lang {
        Lang::Ar => ("العنوان", "السلطة التي فتحت الاستشارة"),
        Lang::Zgh => ("ⴰⵣⵡⵍ", "ⵜⴰⵏⴱⴰⴹⵜ"),
        Lang::Fr => ("Titre", "Autorité qui ouvre la consultation"),
    };
    let today = chrono::Local::now().date_naive();
    let opens = format!("{today}T00:00:00+01:00");
    let closes = format!(
        "{}T00:00:00+01:00",
        today
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(today)
    );
    let body = match kind {
        Kind::Page => String::new(),
        Kind::Section => "kind = \"section\"\n".into(),
        Kind::Guide => "kind = \"guide\"\n".into(),
        Kind::Petition | Kind::Motion => {
            let authority = if kind == Kind::Petition {
                "head-of-government"
            } else {
                "house-of-representatives"
            };
            let k = kind.as_str();
            format!(
                "kind = \"{k}\"\nid = \"{id}\"\nstate = \"drafting\"\nopens = {opens}\ncloses = {closes}\n\n[target]\nauthority = \"{authority}\"\n"
            )
        }
        Kind::Consultation => format!(
            "kind = \"consultation\"\nid = \"{id}\"\nstate = \"upcoming\"\nopens = {opens}\ncloses = {closes}\nauthority = \"{authority}\"\n"
        ),
    };
    format!("+++\ntitle = \"{title}\"\n{body}+++\n\n")
}

/// The kinds of page `musharaka new` takes, listed in `--help`.
pub(crate) fn kinds() -> impl clap::builder::TypedValueParser<Value = Kind> {
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(Kind::ALL.map(Kind::as_str)).try_map(|s| s.parse::<Kind>())
}

/// Runs `musharaka new`.
pub(crate) fn run(root: &Path, kind: Kind, name: &str) -> Result<ExitCode> {
    let name = name.trim_matches('/');
    let valid = !name.is_empty()
        && name.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if !valid {
        bail!("`{name}` becomes a URL: use lowercase letters, digits, `-` and `/` between folders");
    }
    let content = root.join("content");
    if !content.join("site.toml").is_file() {
        bail!(
            "{} has no content/site.toml: run this from the portal's folder or pass --root",
            root.display()
        );
    }
    let folder_kind = matches!(kind, Kind::Section | Kind::Guide);
    let id = name.rsplit('/').next().unwrap_or(name);
    let paths: Vec<_> = Lang::ALL
        .iter()
        .map(|lang| {
            let file = if folder_kind {
                content
                    .join(name)
                    .join(format!("_index.{}.md", lang.code()))
            } else {
                content.join(format!("{name}.{}.md", lang.code()))
            };
            (*lang, file)
        })
        .collect();
    if let Some((_, existing)) = paths.iter().find(|(_, p)| p.exists()) {
        bail!("{} already exists: nothing was written", existing.display());
    }
    for (lang, path) in &paths {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(path, front_matter(kind, id, *lang))
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("created {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
