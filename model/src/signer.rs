//! What a supporter gives when signing, and its validation: the CIN (lenient pattern, see
//! the domain notes), names and address of the legal filing, the region, and the eligibility
//! attestations each kind of target requires.

use crate::outcome::Code;
use crate::target::Authority;

/// Longest first or family name accepted.
pub const MAX_NAME: usize = 100;
/// Longest address accepted.
pub const MAX_ADDRESS: usize = 300;

/// An eligibility statement a supporter ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attestation {
    /// Registered on the general electoral lists, enjoying civil and political rights
    /// (organic laws 44.14 and 64.14; 112.14 and 113.14 for provinces and communes).
    Electoral,
    /// Resident of the territory, or with an economic, commercial or professional activity there
    /// (organic laws 111.14, 112.14, 113.14).
    Local,
}

impl Attestation {
    /// Form field name of the checkbox.
    pub fn field(self) -> &'static str {
        match self {
            Attestation::Electoral => "attest_electoral",
            Attestation::Local => "attest_local",
        }
    }
}

/// The attestations a supporter of an initiative addressed to `authority` must tick.
pub fn attestations(authority: Authority) -> &'static [Attestation] {
    match authority {
        Authority::HeadOfGovernment
        | Authority::HouseOfRepresentatives
        | Authority::HouseOfCouncillors => &[Attestation::Electoral],
        Authority::Region => &[Attestation::Local],
        Authority::Province | Authority::Commune => &[Attestation::Local, Attestation::Electoral],
    }
}

/// The CIN in its stored form (trimmed, uppercased, inner spaces removed), if it matches the
/// lenient pattern `^[A-Z]{1,2}[0-9]{1,6}$`.
pub fn normalize_cin(raw: &str) -> Result<String, Code> {
    let cin: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let letters = cin.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = cin.len() - letters;
    let ok = (1..=2).contains(&letters)
        && (1..=6).contains(&digits)
        && cin[letters..].chars().all(|c| c.is_ascii_digit());
    if cin.is_empty() {
        Err(Code::MissingField)
    } else if ok {
        Ok(cin)
    } else {
        Err(Code::InvalidCin)
    }
}

/// A required text field, trimmed, at most `max` characters, without control characters.
pub fn text_field(raw: Option<&str>, max: usize) -> Result<String, Code> {
    let t = raw.unwrap_or_default().trim();
    if t.is_empty() {
        Err(Code::MissingField)
    } else if t.chars().count() > max {
        Err(Code::TooLong)
    } else if t
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        Err(Code::BadRequest)
    } else {
        Ok(t.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cin_is_normalized_leniently() {
        assert_eq!(normalize_cin(" ab123456 ").unwrap(), "AB123456");
        assert_eq!(normalize_cin("k 45678").unwrap(), "K45678");
        assert_eq!(normalize_cin("ABC12"), Err(Code::InvalidCin));
        assert_eq!(normalize_cin("1234"), Err(Code::InvalidCin));
        assert_eq!(normalize_cin("A1234567"), Err(Code::InvalidCin));
        assert_eq!(normalize_cin("AB12X4"), Err(Code::InvalidCin));
        assert_eq!(normalize_cin("  "), Err(Code::MissingField));
    }

    #[test]
    fn local_petitions_need_the_local_attestation() {
        assert_eq!(
            attestations(Authority::HeadOfGovernment),
            &[Attestation::Electoral]
        );
        assert!(attestations(Authority::Commune).contains(&Attestation::Local));
        assert!(attestations(Authority::Commune).contains(&Attestation::Electoral));
    }

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        assert_eq!(text_field(Some("  Amina "), 10).unwrap(), "Amina");
        assert_eq!(text_field(Some(""), 10), Err(Code::MissingField));
        assert_eq!(text_field(Some("abcdefghijk"), 10), Err(Code::TooLong));
        assert_eq!(text_field(Some("a\u{0}b"), 10), Err(Code::BadRequest));
    }
}
