//! The 12 regions of Morocco with their ISO 3166-2 codes (MA-01..MA-12), names in the three
//! languages and legal populations, read from `data/regions.toml`.

use crate::Localized;
use serde::Deserialize;
use std::sync::OnceLock;

/// One region of Morocco.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// ISO 3166-2 code, `MA-01` to `MA-12`.
    pub code: String,
    /// Legal population, which sets the petition threshold of the region council.
    pub population: u64,
    /// Name in each language.
    pub name: Localized,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    census: String,
    region: Vec<Region>,
}

fn file() -> &'static RegionsFile {
    static FILE: OnceLock<RegionsFile> = OnceLock::new();
    FILE.get_or_init(|| {
        toml::from_str(include_str!("../data/regions.toml")).expect("data/regions.toml is valid")
    })
}

/// Every region, in code order.
pub fn all() -> &'static [Region] {
    &file().region
}

/// The census the populations come from.
pub fn census() -> &'static str {
    &file().census
}

/// The region with ISO code `code` (`MA-04`), if any.
pub fn by_code(code: &str) -> Option<&'static Region> {
    all().iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn has_the_twelve_regions_named_in_every_language() {
        assert_eq!(all().len(), 12);
        for (i, region) in all().iter().enumerate() {
            assert_eq!(region.code, format!("MA-{:02}", i + 1));
            for lang in Lang::ALL {
                assert!(region.name.contains_key(&lang), "{} in {lang}", region.code);
            }
        }
        assert!(
            by_code("MA-12").unwrap().name[&Lang::Zgh]
                .chars()
                .all(|c| c == ' ' || c == '-' || ('\u{2D30}'..='\u{2D7F}').contains(&c))
        );
        assert!(by_code("MA-13").is_none());
    }
}
