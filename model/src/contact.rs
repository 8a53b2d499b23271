//! The contact a signer confirms their signature with: a mobile number (Moroccan numbers as
//! people write them, `06…`, `07…`, `+212 6…`, or another country's for Moroccans abroad),
//! normalized to E.164, or an email address. Only its keyed hash is kept for limits; the
//! contact itself is sealed with the other personal data.

use crate::outcome::Code;

/// Longest email address (RFC 5321 path limit).
pub const MAX_EMAIL: usize = 254;

/// A normalized contact.
#[derive(Clone, PartialEq, Eq)]
pub enum Contact {
    /// A mobile number in E.164 (`+212612345678`).
    Phone(String),
    /// An email address, lower-cased.
    Email(String),
}

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A contact is personal data: debug output shows its masked form only.
        write!(f, "Contact({})", self.masked())
    }
}

/// Calling codes of two digits (ITU-T E.164 assignments); `1` and `7` have one, the rest three.
const TWO_DIGIT_CODES: &[&str] = &[
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
    "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
    "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
];

impl Contact {
    /// Reads a contact as typed: an address when it holds `@`, else a phone number.
    pub fn parse(raw: &str) -> Result<Contact, Code> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(Code::MissingField);
        }
        if t.contains('@') {
            email(t).map(Contact::Email)
        } else {
            phone(t).map(Contact::Phone)
        }
    }

    /// The normalized form, which the keyed hash is taken of and messages are sent to.
    pub fn as_str(&self) -> &str {
        match self {
            Contact::Phone(p) | Contact::Email(p) => p,
        }
    }

    /// Whether messages go by SMS.
    pub fn is_phone(&self) -> bool {
        matches!(self, Contact::Phone(_))
    }

    /// What fraud statistics may show of it: the email domain, or the phone's calling code
    /// (`email:gmail.com`, `phone:+212`); never the person.
    pub fn group(&self) -> String {
        match self {
            Contact::Email(e) => format!("email:{}", e.rsplit_once('@').map_or("", |(_, d)| d)),
            Contact::Phone(p) => format!("phone:+{}", calling_code(&p[1..])),
        }
    }

    /// The contact as shown back to its owner, most of it hidden: `+212 6•••••78`,
    /// `a•••@gmail.com`.
    pub fn masked(&self) -> String {
        match self {
            Contact::Email(e) => {
                let (local, domain) = e.rsplit_once('@').unwrap_or((e, ""));
                let first: String = local.chars().take(1).collect();
                format!("{first}•••@{domain}")
            }
            Contact::Phone(p) => {
                let code = calling_code(&p[1..]);
                let national = &p[1 + code.len()..];
                let shown_start: String = national.chars().take(1).collect();
                let end: String = national
                    .chars()
                    .skip(national.len().saturating_sub(2))
                    .collect();
                let hidden = national.len().saturating_sub(3);
                format!("+{code} {shown_start}{}{end}", "•".repeat(hidden))
            }
        }
    }
}

/// The calling code that `digits` (an E.164 number without `+`) starts with.
fn calling_code(digits: &str) -> &str {
    let len = if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if TWO_DIGIT_CODES.iter().any(|c| digits.starts_with(c)) {
        2
    } else {
        3
    };
    &digits[..len.min(digits.len())]
}

/// A phone number in E.164. Moroccan numbers must be mobiles (`6` or `7` after the trunk `0`
/// or the calling code `212`), since the code comes by SMS.
fn phone(raw: &str) -> Result<String, Code> {
    let mut digits = String::new();
    let mut plus = false;
    for (i, c) in raw.chars().enumerate() {
        match c {
            '+' if i == 0 => plus = true,
            '0'..='9' => digits.push(c),
            // Arabic-Indic and Eastern Arabic-Indic digits, as some keyboards type them.
            '\u{660}'..='\u{669}' => digits.push(char::from(b'0' + (c as u32 - 0x660) as u8)),
            '\u{6f0}'..='\u{6f9}' => digits.push(char::from(b'0' + (c as u32 - 0x6f0) as u8)),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return Err(Code::InvalidContact),
        }
    }
    let international = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if digits.len() == 10 && digits.starts_with('0') {
        format!("212{}", &digits[1..])
    } else if digits.len() == 12 && digits.starts_with("212") {
        digits
    } else {
        return Err(Code::InvalidContact);
    };
    // `+212 06…`: the trunk zero typed after the calling code.
    let international = match international.strip_prefix("2120") {
        Some(rest) => format!("212{rest}"),
        None => international,
    };
    if let Some(national) = international.strip_prefix("212") {
        let mobile =
            national.len() == 9 && (national.starts_with('6') || national.starts_with('7'));
        return if mobile {
            Ok(format!("+{international}"))
        } else {
            Err(Code::InvalidContact)
        };
    }
    if (8..=15).contains(&international.len()) && !international.starts_with('0') {
        Ok(format!("+{international}"))
    } else {
        Err(Code::InvalidContact)
    }
}

/// An email address, lower-cased: one `@`, a local part without spaces, a domain of at least
/// two labels of letters, digits and hyphens.
fn email(raw: &str) -> Result<String, Code> {
    let e = raw.to_lowercase();
    if e.chars().count() > MAX_EMAIL {
        return Err(Code::TooLong);
    }
    let Some((local, domain)) = e.split_once('@') else {
        return Err(Code::InvalidContact);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2);
    if local_ok && domain_ok {
        Ok(e)
    } else {
        Err(Code::InvalidContact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone_of(raw: &str) -> Result<String, Code> {
        Contact::parse(raw).map(|c| c.as_str().to_string())
    }

    #[test]
    fn moroccan_mobiles_are_read_as_people_write_them() {
        for typed in [
            "0612345678",
            "06 12 34 56 78",
            "06-12-34-56-78",
            "+212 6 12 34 56 78",
            "+212 06 12 34 56 78",
            "00212612345678",
            "212612345678",
            "٠٦١٢٣٤٥٦٧٨",
        ] {
            assert_eq!(phone_of(typed).unwrap(), "+212612345678", "{typed}");
        }
        assert_eq!(phone_of("07 00 11 22 33").unwrap(), "+212700112233");
    }

    #[test]
    fn landlines_and_malformed_numbers_are_refused() {
        for typed in [
            "0522123456",
            "+212 5 22 12 34 56",
            "061234567",
            "06123456789",
            "06x2345678",
            "12",
        ] {
            assert_eq!(phone_of(typed), Err(Code::InvalidContact), "{typed}");
        }
    }

    #[test]
    fn numbers_abroad_are_kept_in_e164_with_their_calling_code() {
        let c = Contact::parse("+33 6 12 34 56 78").unwrap();
        assert_eq!(c.as_str(), "+33612345678");
        assert_eq!(c.group(), "phone:+33");
        assert_eq!(Contact::parse("0033612345678").unwrap(), c);
        assert_eq!(
            Contact::parse("+1 514 555 0199").unwrap().group(),
            "phone:+1"
        );
        assert_eq!(
            Contact::parse("+971 50 123 4567").unwrap().group(),
            "phone:+971"
        );
        assert_eq!(Contact::parse("0612345678").unwrap().group(), "phone:+212");
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        let c = Contact::parse("  Amina.Alaoui@Example.MA ").unwrap();
        assert_eq!(c.as_str(), "amina.alaoui@example.ma");
        assert_eq!(c.group(), "email:example.ma");
        for bad in [
            "amina@",
            "@example.ma",
            "amina@example",
            "a b@example.ma",
            "a@@b.ma",
            "a..b@x.ma",
        ] {
            assert_eq!(Contact::parse(bad), Err(Code::InvalidContact), "{bad}");
        }
        assert_eq!(Contact::parse(" "), Err(Code::MissingField));
    }

    #[test]
    fn a_contact_is_shown_masked_and_never_in_debug_output() {
        let p = Contact::parse("0612345678").unwrap();
        assert_eq!(p.masked(), "+212 6••••••78");
        assert!(!format!("{p:?}").contains("12345678"));
        let e = Contact::parse("amina@example.ma").unwrap();
        assert_eq!(e.masked(), "a•••@example.ma");
    }
}
