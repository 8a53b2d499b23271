//! A synthetic trilingual site written in two formats from one seed: Musharaka's
//! (`content/` + a bench theme) and Hugo's (`content/` + `layouts/`), with templates of equal
//! work: a base with `lang`/`dir`, hreflang alternates and a language switcher; a page with
//! title, date, table of contents and content; a section list.

use anyhow::Result;
use std::fmt::Write as _;
use std::path::Path;

const LANGS: [(&str, &str, &str); 3] = [
    ("ar", "rtl", "العربية"),
    ("zgh", "ltr", "ⵜⴰⵎⴰⵣⵉⵖⵜ"),
    ("fr", "ltr", "Français"),
];

/// A small deterministic generator (xorshift), so both formats get the same text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn word(&mut self, lang: &str) -> &'static str {
        const AR: [&str; 8] = [
            "المواطنة",
            "العريضة",
            "الجماعة",
            "المشاركة",
            "القانون",
            "الجهة",
            "الحق",
            "الاستشارة",
        ];
        const ZGH: [&str; 8] = [
            "ⵜⴰⵙⵓⵜⵔⴰ",
            "ⵜⴰⴳⵎⴰⵖⵜ",
            "ⴰⵏⴰⵎⵓⵙ",
            "ⵜⴰⵎⵏⴰⴹⵜ",
            "ⴰⵣⵔⴼ",
            "ⴰⵙⵇⵙⵉ",
            "ⴰⵖⵔⴼⴰⵏ",
            "ⵜⴰⵎⵙⴰⵙⵓⵜ",
        ];
        const FR: [&str; 8] = [
            "citoyenne",
            "pétition",
            "commune",
            "participation",
            "loi",
            "région",
            "droit",
            "consultation",
        ];
        let list = match lang {
            "ar" => &AR,
            "zgh" => &ZGH,
            _ => &FR,
        };
        list[(self.next() % 8) as usize]
    }
}

/// About 5 KB of Markdown: four `##` sections, each with a paragraph, a list with bold text and
/// a link, and a table.
fn body(rng: &mut Rng, lang: &str) -> String {
    let mut s = String::with_capacity(6000);
    for section in 1..=4 {
        let _ = writeln!(s, "## {} {section}\n", rng.word(lang));
        for _ in 0..70 {
            s.push_str(rng.word(lang));
            s.push(' ');
        }
        s.push_str("\n\n");
        for i in 0..5 {
            let _ = writeln!(
                s,
                "- **{}** {} [{}](https://example.ma/{lang}/{section}/{i})",
                rng.word(lang),
                rng.word(lang),
                rng.word(lang)
            );
        }
        s.push_str("\n| a | b | c |\n|---|---|---|\n");
        for _ in 0..4 {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                rng.word(lang),
                rng.word(lang),
                rng.next() % 1000
            );
        }
        s.push('\n');
    }
    s
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::write(path, text)?;
    Ok(())
}

/// Writes the site of `n` pages per language under `dir/musharaka` and `dir/hugo`.
pub(super) fn write_sites(dir: &Path, n: usize) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let ours = dir.join("musharaka");
    let hugo = dir.join("hugo");
    write_theme(&ours)?;
    write_hugo_layouts(&hugo)?;
    let mut site_toml = String::from(
        "base_url = \"https://example.ma\"\nfallback = [\"ar\", \"fr\", \"zgh\"]\n[title]\nar = \"مشاركة\"\nzgh = \"ⵜⴰⵎⵙⴰⵙⵓⵜ\"\nfr = \"Musharaka\"\n",
    );
    let mut hugo_toml = String::from(
        "baseURL = \"https://example.ma/\"\ntitle = \"Musharaka\"\ndefaultContentLanguage = \"ar\"\ndefaultContentLanguageInSubdir = true\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n[languages]\n",
    );
    for (i, (code, dir_, name)) in LANGS.iter().enumerate() {
        let _ = write!(
            site_toml,
            "[[languages]]\ncode = \"{code}\"\nname = \"{name}\"\ndir = \"{dir_}\"\n"
        );
        let _ = write!(
            hugo_toml,
            "[languages.{code}]\nweight = {}\nlanguageName = \"{name}\"\nlanguageDirection = \"{dir_}\"\n",
            i + 1
        );
        write(
            &ours.join(format!("content/_index.{code}.md")),
            "+++\ntitle = \"Home\"\n+++\n",
        )?;
        write(
            &ours.join(format!("content/posts/_index.{code}.md")),
            "+++\ntitle = \"Posts\"\n+++\n",
        )?;
        write(
            &hugo.join(format!("content/_index.{code}.md")),
            "+++\ntitle = \"Home\"\n+++\n",
        )?;
        write(
            &hugo.join(format!("content/posts/_index.{code}.md")),
            "+++\ntitle = \"Posts\"\n+++\n",
        )?;
    }
    write(&ours.join("content/site.toml"), &site_toml)?;
    write(&hugo.join("hugo.toml"), &hugo_toml)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..n {
        for (code, _, _) in LANGS {
            let title = format!("{} {i}", rng.word(code));
            let day = 1 + i % 28;
            let fm = format!("+++\ntitle = \"{title}\"\ndate = 2026-03-{day:02}\n+++\n\n");
            let text = format!("{fm}{}", body(&mut rng, code));
            write(
                &ours.join(format!("content/posts/p-{i:05}.{code}.md")),
                &text,
            )?;
            write(
                &hugo.join(format!("content/posts/p-{i:05}.{code}.md")),
                &text,
            )?;
        }
    }
    Ok(())
}

const BASE: &str = r#"<!doctype html>
<html lang="{{ lang.code }}" dir="{{ lang.dir }}">
<head><meta charset="utf-8"><title>{% block title %}{{ page.title }}{% endblock title %} · {{ site.title }}</title>
{%- for l in languages %}
<link rel="alternate" hreflang="{{ l.code }}" href="{{ l.permalink }}">
{%- endfor %}
</head>
<body>
<nav><ul>{% for l in languages %}<li><a href="{{ l.url }}" hreflang="{{ l.code }}">{{ l.name }}</a></li>{% endfor %}</ul></nav>
<main>{% block main %}{% endblock main %}</main>
</body>
</html>
"#;

const PAGE: &str = r##"{% extends "base.html" %}
{% block main %}
<article lang="{{ page.lang }}" dir="{{ page.dir }}">
<h1>{{ page.title }}</h1>
{% if page.date %}<p><time datetime="{{ page.date.iso }}">{{ page.date.text }}</time></p>{% endif %}
<nav><ol>{% for h in page.toc %}<li><a href="#{{ h.id }}">{{ h.text }}</a></li>{% endfor %}</ol></nav>
{{ page.html | safe }}
</article>
{% endblock main %}
"##;

const SECTION: &str = r#"{% extends "base.html" %}
{% block main %}
<h1>{{ page.title }}</h1>
<ul>{% for p in pages %}<li><a href="{{ p.url }}">{{ p.title }}</a></li>{% endfor %}</ul>
{% endblock main %}
"#;

fn write_theme(ours: &Path) -> Result<()> {
    let t = ours.join("site-theme/templates");
    write(&t.join("base.html"), BASE)?;
    write(&t.join("page.html"), PAGE)?;
    write(&t.join("section.html"), SECTION)?;
    for name in ["home", "guide", "petition", "motion", "consultation"] {
        write(
            &t.join(format!("{name}.html")),
            "{% extends \"base.html\" %}{% block main %}{{ page.title }}{% endblock main %}",
        )?;
    }
    let tools = [
        "404",
        "result",
        "signature",
        "confirm",
        "propose",
        "join",
        "committee",
        "rejected",
        "search",
        "browse",
    ];
    for name in tools {
        write(
            &t.join(format!("{name}.html")),
            "<!doctype html><html lang=\"{{ lang.code }}\"><title>x</title></html>",
        )?;
    }
    write(&t.join("languages.html"), "<!doctype html><title>x</title>")?;
    write(&t.join("partials/section-comment.html"), "")?;
    for (code, _, _) in LANGS {
        write(
            &ours.join(format!("site-theme/i18n/{code}.toml")),
            "[count]\nsignatures = { one = \"{n}\", other = \"{n}\" }\n",
        )?;
    }
    std::fs::create_dir_all(ours.join("site-theme/static"))?;
    Ok(())
}

fn write_hugo_layouts(hugo: &Path) -> Result<()> {
    let l = hugo.join("layouts/_default");
    write(
        &l.join("baseof.html"),
        r#"<!doctype html>
<html lang="{{ .Language.Lang }}" dir="{{ .Language.LanguageDirection | default "ltr" }}">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
{{- range .AllTranslations }}
<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">
{{- end }}
</head>
<body>
<nav><ul>{{ range .AllTranslations }}<li><a href="{{ .RelPermalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.LanguageName }}</a></li>{{ end }}</ul></nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"#,
    )?;
    write(
        &l.join("single.html"),
        r#"{{ define "main" }}
<article lang="{{ .Language.Lang }}" dir="{{ .Language.LanguageDirection | default "ltr" }}">
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date | time.Format ":date_long" }}</time></p>
{{ .TableOfContents }}
{{ .Content }}
</article>
{{ end }}
"#,
    )?;
    write(
        &l.join("list.html"),
        r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"#,
    )?;
    Ok(())
}
