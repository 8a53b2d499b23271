//! The rules of a signature's confirmation: a signature counts only once its signer confirms
//! a one-time code sent to their phone or email. How long a code lives, how many tries and
//! resends it allows, and how many signatures one contact may confirm per initiative (a family
//! sharing one phone), the last from `[signing]` in `site.toml`.

use serde::{Deserialize, Serialize};

/// Digits of a one-time code.
pub const CODE_DIGITS: usize = 6;
/// Minutes a one-time code stays valid after it is sent.
pub const CODE_MINUTES: i64 = 15;
/// Wrong codes after which a request is locked for good.
pub const MAX_ATTEMPTS: u32 = 5;
/// Times a code can be sent again for one request.
pub const MAX_RESENDS: u32 = 3;
/// Hours after which a request never confirmed is deleted (DynamoDB's TTL, `purge` on SQLite).
pub const PENDING_HOURS: i64 = 24;

/// Seconds to wait before the `n`-th resend (0-based) may go: 60, 120, 240.
pub fn resend_delay(n: u32) -> i64 {
    60 << n.min(10)
}

/// Signatures one contact may confirm per initiative, unless `site.toml` says otherwise.
pub const DEFAULT_PER_CONTACT: u32 = 3;

/// `[signing]` in `site.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SigningPolicy {
    /// Signatures one phone number or address may confirm per initiative.
    pub per_contact: u32,
}

impl Default for SigningPolicy {
    fn default() -> Self {
        SigningPolicy {
            per_contact: DEFAULT_PER_CONTACT,
        }
    }
}

impl SigningPolicy {
    /// Checks the policy holds together.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=20).contains(&self.per_contact) {
            return Err(format!(
                "`per_contact` ({}) must be between 1 and 20: one contact confirms a household's signatures, not a crowd's",
                self.per_contact
            ));
        }
        Ok(())
    }
}

/// The default for catalog entries written before the limit existed.
pub fn default_per_contact() -> u32 {
    DEFAULT_PER_CONTACT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resends_wait_longer_each_time() {
        assert_eq!(
            (0..MAX_RESENDS).map(resend_delay).collect::<Vec<_>>(),
            vec![60, 120, 240]
        );
    }

    #[test]
    fn the_per_contact_limit_is_bounded() {
        assert!(SigningPolicy::default().validate().is_ok());
        assert!(SigningPolicy { per_contact: 0 }.validate().is_err());
        assert!(SigningPolicy { per_contact: 50 }.validate().is_err());
    }
}
