//! What a supporter gives when signing, and its validation: the CIN (lenient pattern, see
//! the domain notes), names and address of the legal filing, the region, and the eligibility
//! attestations each kind of target requires.

use crate::outcome::Code;
use crate::target::Authority;

/// Longest first or family name accepted.
pub const MAX_NAME: usize = 100;
/// Longest address accepted.
pub const MAX_ADDRESS: usize = 300;
/// Longest CIN a form lets one type (two letters, six digits and a few spaces).
pub const MAX_CIN: usize = 12;

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

/// The CIN in its stored form, if it matches the lenient pattern `^[A-Z]{1,2}[0-9]{1,6}$`
/// once trimmed, uppercased, its inner spaces removed and its number's leading zeros dropped.
///
/// Leading zeros: no official pattern of the CIN number is published; the numbers met are 1 or
/// 2 Latin letters then digits (`AB123456`, `K45678`). What the rule relies on is that the
/// digits are a serial number, and forms that
/// want a fixed width pad it with zeros, so `QZ4321`, `QZ04321` and `QZ004321` are one card
/// written three ways. Its value is what identifies the card: the zeros before it are dropped
/// (`QZ4321`) before the CIN is hashed, compared or filed; what is left has 1 to 6 digits.
pub fn normalize_cin(raw: &str) -> Result<String, Code> {
    let cin: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if cin.is_empty() {
        return Err(Code::MissingField);
    }
    let letters = cin.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let serial = &cin[letters..];
    let all_digits = !serial.is_empty() && serial.bytes().all(|b| b.is_ascii_digit());
    let value = serial.trim_start_matches('0');
    if (1..=2).contains(&letters) && all_digits && (1..=6).contains(&value.len()) {
        Ok(format!("{}{value}", &cin[..letters]))
    } else {
        Err(Code::InvalidCin)
    }
}

/// The address, typed on one line or several (the form's field is a text area, and browsers
/// fill it on several): its lines joined with ", ", then checked as one line.
pub fn address_field(raw: Option<&str>) -> Result<String, Code> {
    let joined = crate::text::lines(raw.unwrap_or_default())
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    text_field(Some(&joined), MAX_ADDRESS)
}

/// An id a page's form sends in a hidden field (an initiative, a consultation, a section):
/// 1 to 64 ASCII letters, digits and hyphens.
pub fn id_field(raw: Option<&str>) -> Result<String, Code> {
    let id = raw.unwrap_or_default().trim();
    if id.is_empty() {
        Err(Code::MissingField)
    } else if id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(id.to_string())
    } else {
        Err(Code::BadRequest)
    }
}

/// A required one-line text field: see [`crate::text::one_line`].
pub fn text_field(raw: Option<&str>, max: usize) -> Result<String, Code> {
    crate::text::one_line(raw, max)
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
        assert_eq!(normalize_cin("A0"), Err(Code::InvalidCin));
        assert_eq!(normalize_cin("A"), Err(Code::InvalidCin));
    }

    #[test]
    fn leading_zeros_of_the_serial_are_padding() {
        for typed in ["QZ4321", "QZ04321", "qz 004321", "QZ00004321"] {
            assert_eq!(normalize_cin(typed).unwrap(), "QZ4321", "{typed}");
        }
        assert_eq!(normalize_cin("AB100000").unwrap(), "AB100000");
        assert_eq!(normalize_cin("AB1000000"), Err(Code::InvalidCin));
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
    fn an_address_on_several_lines_is_one_line() {
        assert_eq!(
            address_field(Some("12 rue X\r\n  Rabat \n")).unwrap(),
            "12 rue X, Rabat"
        );
        assert_eq!(address_field(Some("a\u{202E}b")), Err(Code::InvalidText));
    }

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        assert_eq!(text_field(Some("  Amina "), 10).unwrap(), "Amina");
        assert_eq!(text_field(Some(""), 10), Err(Code::MissingField));
        assert_eq!(text_field(Some("abcdefghijk"), 10), Err(Code::TooLong));
        assert_eq!(text_field(Some("a\u{0}b"), 10), Err(Code::InvalidText));
    }
}
