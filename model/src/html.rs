//! Escaping text for HTML and XML: one function for the generator's templates, feeds and
//! sitemap, the functions' receipt pages and the filing export.

/// Escapes text for HTML and XML content and quoted attributes. (Tera's default also escapes
/// `/`, which bloats every URL.)
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_quotes_are_escaped_and_slashes_kept() {
        assert_eq!(
            super::escape(r#"<a href="/x">l'eau & co</a>"#),
            "&lt;a href=&quot;/x&quot;&gt;l&#39;eau &amp; co&lt;/a&gt;"
        );
    }
}
