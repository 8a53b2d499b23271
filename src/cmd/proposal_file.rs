//! The Markdown file an accepted proposal becomes: `content/<petitions|motions>/<slug>.<lang>.md`
//! in the proposal's language, with its id, target (a local council's territory by its HCP
//! code), dates, state and a `created` step dated from its committee, then the request and the
//! memorandum as the agent wrote them (escaped, so that nothing they typed becomes markup or a
//! shortcode).

use anyhow::{Context, Result, bail};
use chrono::{Duration, NaiveDate};
use musharaka_model::i18n::Strings;
use musharaka_model::proposal::Proposal;
use musharaka_model::state::InitiativeKind;
use musharaka_model::target::Authority;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What the moderator adds to a proposal when accepting it.
pub(crate) struct Acceptance {
    /// The day collection opens.
    pub opens: NaiveDate,
    /// Members and regions of the committee, for the `created` step.
    pub committee: (usize, usize),
    /// The day the committee was complete (its submission).
    pub formed: NaiveDate,
}

/// A TOML string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `text` as Markdown that shows exactly what was typed: paragraphs, line breaks and `- `
/// lists kept, every other character that Markdown or a shortcode would read escaped.
pub(crate) fn escaped(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let (marker, rest) = match line.strip_prefix("- ") {
            Some(rest) => ("- ", rest),
            None => ("", *line),
        };
        out.push_str(marker);
        // What would open a rule, a heading underline or a numbered list stays text.
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let rest = if rest.starts_with('-') {
            out.push('\\');
            rest
        } else if digits > 0 && rest[digits..].starts_with(['.', ')']) {
            out.push_str(&rest[..digits]);
            out.push('\\');
            &rest[digits..]
        } else {
            rest
        };
        for c in rest.chars() {
            if c.is_ascii_punctuation()
                && !matches!(
                    c,
                    '.' | ',' | ';' | ':' | '?' | '\'' | '"' | '/' | '%' | '-' | '(' | ')'
                )
            {
                out.push('\\');
            }
            out.push(c);
        }
        // A line break inside a paragraph stays a line break.
        let next = lines.get(i + 1).copied().unwrap_or_default();
        if !line.is_empty() && !next.is_empty() && !next.starts_with("- ") {
            out.push('\\');
        }
        out.push('\n');
    }
    out
}

/// A file name from the title: lowercase ASCII words, else the id.
fn slug(p: &Proposal) -> String {
    let words: Vec<String> = (p.title.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_lowercase)
        .collect();
    let id = p.id.to_ascii_lowercase();
    if words.is_empty() {
        id
    } else {
        format!("{}-{id}", words.join("-"))
    }
}

/// The first sentence of the request, short enough for a description.
fn description(p: &Proposal) -> String {
    let first = p
        .request
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let first = first.trim().trim_start_matches("- ");
    if first.chars().count() <= 160 {
        first.to_string()
    } else {
        format!("{}…", first.chars().take(159).collect::<String>())
    }
}

fn front_matter(p: &Proposal, a: &Acceptance, strings: &Strings) -> String {
    let kind = match p.kind {
        InitiativeKind::Petition => "petition",
        InitiativeKind::Motion => "motion",
    };
    let closes = a.opens + Duration::days(i64::from(p.period_days) - 1);
    let mut fm = String::from("+++\n");
    let _ = writeln!(fm, "title = {}", quoted(&p.title));
    let _ = writeln!(fm, "kind = \"{kind}\"");
    let _ = writeln!(fm, "id = \"{}\"", p.initiative_id());
    let _ = writeln!(fm, "description = {}", quoted(&description(p)));
    let _ = writeln!(fm, "state = \"collecting\"");
    let _ = writeln!(fm, "opens = {}T00:00:00+01:00", a.opens);
    let _ = writeln!(fm, "closes = {closes}T23:59:00+01:00");
    // A local council by the code of its territory: its name, region and population follow
    // from the census.
    let t = &p.target;
    let _ = writeln!(fm, "\n[target]\nauthority = \"{}\"", t.authority.as_str());
    let territory = match t.authority {
        Authority::Region => t.region.as_deref().map(|code| ("region", code)),
        Authority::Province => t.province.as_deref().map(|code| ("province", code)),
        Authority::Commune => t.commune.as_deref().map(|code| ("commune", code)),
        _ => None,
    };
    if let Some((key, code)) = territory {
        let _ = writeln!(fm, "{key} = {}", quoted(code));
    }
    let note = (strings.get("proposal.created_note").unwrap_or_default())
        .replace("{n}", &a.committee.0.to_string())
        .replace("{r}", &a.committee.1.to_string());
    let _ = writeln!(
        fm,
        "\n[[history]]\ndate = {}\nstep = \"created\"\nnote = {}",
        a.formed,
        quoted(&note)
    );
    let _ = writeln!(
        fm,
        "\n[[history]]\ndate = {}\nstep = \"collection-opened\"\n+++",
        a.opens
    );
    fm
}

/// The whole file.
pub(crate) fn markdown(p: &Proposal, a: &Acceptance, strings: &Strings) -> String {
    let heading = |key: &str| strings.get(key).unwrap_or_default().to_string();
    format!(
        "{}\n## {}\n\n{}\n## {}\n\n{}",
        front_matter(p, a, strings),
        heading("propose.request"),
        escaped(&p.request),
        heading("propose.memorandum"),
        escaped(&p.memorandum),
    )
}

/// The UI strings of `p`'s language, from the theme under `root`.
pub(crate) fn strings_for(root: &Path, p: &Proposal) -> Result<Strings> {
    let path = root
        .join("site-theme/i18n")
        .join(format!("{}.toml", p.lang.code()));
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Strings::parse(p.lang, &text).with_context(|| format!("{}: invalid", path.display()))
}

/// Writes the file of `p` under `root`, never over an existing one; its path.
pub(crate) fn write(root: &Path, p: &Proposal, a: &Acceptance) -> Result<PathBuf> {
    let section = match p.kind {
        InitiativeKind::Petition => "petitions",
        InitiativeKind::Motion => "motions",
    };
    let dir = root.join("content").join(section);
    if !dir.is_dir() {
        bail!(
            "{} does not exist: pass the portal's folder with --root",
            dir.display()
        );
    }
    let path = dir.join(format!("{}.{}.md", slug(p), p.lang.code()));
    if path.exists() {
        bail!("{} exists already: nothing was written", path.display());
    }
    let text = markdown(p, a, &strings_for(root, p)?);
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::{Acceptance, escaped, front_matter};
    use chrono::NaiveDate;
    use musharaka_model::Lang;
    use musharaka_model::i18n::Strings;
    use musharaka_model::proposal::{Proposal, ProposalState};
    use musharaka_model::state::InitiativeKind;
    use musharaka_model::target::{Authority, Codes, Target};

    fn proposal(target: Target) -> Proposal {
        Proposal {
            id: "AB12CD".into(),
            kind: InitiativeKind::Petition,
            target,
            lang: Lang::Fr,
            title: "Une ambulance pour Asni".into(),
            request: "Mettre une ambulance à Asni.".into(),
            memorandum: "L'hôpital est loin.".into(),
            period_days: 90,
            state: ProposalState::Accepted,
            created: 0,
            updated: 0,
            submitted: None,
            reviews: Vec::new(),
        }
    }

    fn target_of(target: Target) -> String {
        let day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        let acceptance = Acceptance {
            opens: day,
            committee: (9, 1),
            formed: day,
        };
        let fm = front_matter(
            &proposal(target),
            &acceptance,
            &Strings::parse(Lang::Fr, "").unwrap(),
        );
        let from = fm.find("[target]").unwrap();
        let to = fm.find("[[history]]").unwrap();
        fm[from..to].to_string()
    }

    #[test]
    fn a_local_council_is_written_by_its_code_only() {
        let codes = Codes {
            commune: Some("07.041.07.03"),
            ..Codes::default()
        };
        let asni = Target::from_codes(Authority::Commune, codes).unwrap();
        assert_eq!(
            target_of(asni),
            "[target]\nauthority = \"commune\"\ncommune = \"07.041.07.03\"\n\n"
        );
        let codes = Codes {
            province: Some("02.251"),
            ..Codes::default()
        };
        let figuig = Target::from_codes(Authority::Province, codes).unwrap();
        assert_eq!(
            target_of(figuig),
            "[target]\nauthority = \"province\"\nprovince = \"02.251\"\n\n"
        );
        let draa = Target {
            region: Some("MA-08".into()),
            ..Target::new(Authority::Region)
        };
        assert_eq!(
            target_of(draa),
            "[target]\nauthority = \"region\"\nregion = \"MA-08\"\n\n"
        );
        assert_eq!(
            target_of(Target::new(Authority::HeadOfGovernment)),
            "[target]\nauthority = \"head-of-government\"\n\n"
        );
    }

    #[test]
    fn what_the_agent_typed_stays_text() {
        let typed = "Un *point* [lien](x) {{ shortcode() }} # titre <b>\n\n- un élément\n1. fin";
        let md = escaped(typed);
        assert!(md.contains("\\*point\\*"), "{md}");
        assert!(md.contains("\\[lien\\](x)"), "{md}");
        assert!(md.contains("\\{\\{ shortcode() \\}\\}"), "{md}");
        assert!(md.contains("\\# titre \\<b\\>"), "{md}");
        assert!(md.contains("\n- un élément\\\n1\\. fin\n"), "{md}");
        let rules = escaped("---\n- - -\n2026) bilan");
        assert_eq!(rules, "\\---\n- \\- -\\\n2026\\) bilan\n");
    }
}
