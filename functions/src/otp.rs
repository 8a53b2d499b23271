//! One-time codes and request references. A signing request gets a reference of 8 Crockford
//! base-32 characters (40 random bits), given to the signer with a 6-digit code; the store
//! keeps only a keyed hash of the code, bound to its reference.

use crate::crypto::Secrets;
use musharaka_model::signing::CODE_DIGITS;

/// Crockford's base 32: no I, L, O or U, which read like other characters.
pub(crate) const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A Crockford base-32 code of `len` characters as typed by a person, in canonical form (upper
/// case, no spaces or dashes, the look-alike letters read as digits); `None` when it cannot be
/// one.
pub(crate) fn crockford(typed: &str, len: usize) -> Option<String> {
    let mut out = String::with_capacity(len);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{a0}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        out.push(c);
    }
    (out.len() == len).then_some(out)
}

/// Characters of a reference.
pub(crate) const REFERENCE_LEN: usize = 8;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the system's random source");
    bytes
}

/// A new reference, like `K7Q2M9XD`.
pub(crate) fn new_reference() -> String {
    let bits = random_bytes::<5>()
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    (0..REFERENCE_LEN)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// A reference as typed, in canonical form; `None` when it cannot be one.
pub(crate) fn normalize_reference(typed: &str) -> Option<String> {
    crockford(typed, REFERENCE_LEN)
}

/// A new 6-digit code, uniformly drawn (leading zeros kept).
pub(crate) fn new_code() -> String {
    // Rejection sampling: 4,294,000,000 is a multiple of 1,000,000 below 2^32.
    loop {
        let n = u32::from_le_bytes(random_bytes::<4>());
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// A code as typed, digits only (Arabic-Indic digits read as Western ones); `None` when it is
/// not six digits.
pub(crate) fn normalize_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_DIGITS);
    for c in typed.chars() {
        match c {
            '0'..='9' => out.push(c),
            '\u{660}'..='\u{669}' => out.push(char::from(b'0' + (c as u32 - 0x660) as u8)),
            '\u{6f0}'..='\u{6f9}' => out.push(char::from(b'0' + (c as u32 - 0x6f0) as u8)),
            ' ' | '-' | '\u{a0}' => {}
            _ => return None,
        }
    }
    (out.len() == CODE_DIGITS).then_some(out)
}

/// The keyed hash under which the store knows `code` for `reference`.
pub(crate) fn code_hash(secrets: &Secrets, reference: &str, code: &str) -> String {
    secrets.keyed_hash(&["code", reference, code])
}

#[cfg(test)]
mod tests {
    use super::{code_hash, new_code, new_reference, normalize_code, normalize_reference};
    use crate::crypto::Secrets;

    #[test]
    fn references_and_codes_read_back_as_typed() {
        let r = new_reference();
        assert_eq!(r.len(), 8);
        assert_eq!(normalize_reference(&r.to_lowercase()), Some(r.clone()));
        assert_eq!(
            normalize_reference("k7q2 m9xd").as_deref(),
            Some("K7Q2M9XD")
        );
        assert_eq!(normalize_reference("K7Q2M9X"), None);
        assert_eq!(normalize_reference("K7Q2M9XU"), None);
        let c = new_code();
        assert_eq!(c.len(), 6);
        assert_eq!(normalize_code(&c), Some(c.clone()));
        assert_eq!(normalize_code("042 917").as_deref(), Some("042917"));
        assert_eq!(normalize_code("٠٤٢٩١٧").as_deref(), Some("042917"));
        assert_eq!(normalize_code("04291"), None);
        assert_eq!(normalize_code("04291a"), None);
        assert_ne!(new_reference(), new_reference());
    }

    #[test]
    fn a_code_hash_is_bound_to_its_reference() {
        let s = Secrets::new(vec![7; 32], [9; 32]).unwrap();
        assert_ne!(
            code_hash(&s, "AAAAAAAA", "123456"),
            code_hash(&s, "BBBBBBBB", "123456")
        );
        assert!(!code_hash(&s, "AAAAAAAA", "123456").contains("123456"));
    }
}
