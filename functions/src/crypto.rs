//! Personal data at rest (law 09-08): the signer's dedupe key is an HMAC-SHA256 of the
//! initiative and the CIN with a secret pepper; what the legal filing needs is sealed with
//! AES-256-GCM under a data key. Neither secret is ever logged.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The pepper and the data key.
#[derive(Clone)]
pub struct Secrets {
    pepper: Vec<u8>,
    data_key: [u8; 32],
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

/// Sealing or opening failed (wrong key, altered data).
#[derive(Debug, thiserror::Error)]
#[error("personal data cannot be decrypted: wrong data key or altered record")]
pub struct OpenError;

impl Secrets {
    /// Secrets from raw bytes; the pepper needs at least 32 bytes.
    pub fn new(pepper: Vec<u8>, data_key: [u8; 32]) -> Result<Secrets> {
        if pepper.len() < 32 {
            bail!("the pepper must have at least 32 bytes");
        }
        Ok(Secrets { pepper, data_key })
    }

    /// Secrets from their base64 forms (as kept in Secrets Manager or the environment).
    pub fn from_base64(pepper: &str, data_key: &str) -> Result<Secrets> {
        let pepper = STANDARD
            .decode(pepper.trim())
            .context("MUSHARAKA_PEPPER is not base64")?;
        let key = STANDARD
            .decode(data_key.trim())
            .context("MUSHARAKA_DATA_KEY is not base64")?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| anyhow::anyhow!("MUSHARAKA_DATA_KEY must be 32 bytes (AES-256)"))?;
        Secrets::new(pepper, key)
    }

    /// Fresh random secrets, as base64 `(pepper, data_key)`.
    pub fn generate() -> Result<(String, String)> {
        let mut pepper = [0u8; 32];
        let mut key = [0u8; 32];
        getrandom::fill(&mut pepper).context("no randomness")?;
        getrandom::fill(&mut key).context("no randomness")?;
        Ok((STANDARD.encode(pepper), STANDARD.encode(key)))
    }

    /// A random token (128 bits, hex), for what must be unique and unguessable but is never
    /// typed by anyone (the receipt of a signature its signer does not hold).
    pub fn random_token() -> String {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the system's random source");
        hex(&bytes)
    }

    /// Keyed hash of `parts` (joined unambiguously), as lowercase hex.
    pub fn keyed_hash(&self, parts: &[&str]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.pepper).expect("any key length");
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        hex(&mac.finalize().into_bytes())
    }

    /// Encrypts `plain`, bound to `context` (which must be given again to open it).
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let cipher = Aes256Gcm::new_from_slice(&self.data_key).expect("32-byte key");
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).context("no randomness")?;
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(out)
    }

    /// Decrypts what [`Secrets::seal`] produced with the same `context`.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < 12 {
            return Err(OpenError);
        }
        let cipher = Aes256Gcm::new_from_slice(&self.data_key).expect("32-byte key");
        cipher
            .decrypt(
                Nonce::from_slice(&sealed[..12]),
                Payload {
                    msg: &sealed[12..],
                    aad: context,
                },
            )
            .map_err(|_| OpenError)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::Secrets;

    fn secrets() -> Secrets {
        Secrets::new(vec![7; 32], [9; 32]).unwrap()
    }

    #[test]
    fn hashes_are_keyed_and_do_not_contain_the_cin() {
        let a = secrets().keyed_hash(&["p-1", "AB123456"]);
        assert_eq!(a.len(), 64);
        assert!(!a.contains("AB123456"));
        assert_eq!(a, secrets().keyed_hash(&["p-1", "AB123456"]));
        assert_ne!(
            a,
            secrets().keyed_hash(&["p-2", "AB123456"]),
            "not linkable across initiatives"
        );
        let other = Secrets::new(vec![8; 32], [9; 32]).unwrap();
        assert_ne!(a, other.keyed_hash(&["p-1", "AB123456"]));
        // Parts are length-prefixed: ("ab", "c") differs from ("a", "bc").
        assert_ne!(
            secrets().keyed_hash(&["ab", "c"]),
            secrets().keyed_hash(&["a", "bc"])
        );
    }

    #[test]
    fn sealed_data_opens_only_with_its_key_and_context() {
        let s = secrets();
        let sealed = s.seal(b"Amina Alaoui AB123456", b"p-1").unwrap();
        assert!(!sealed.windows(8).any(|w| w == b"AB123456"));
        assert_eq!(s.open(&sealed, b"p-1").unwrap(), b"Amina Alaoui AB123456");
        assert!(s.open(&sealed, b"p-2").is_err());
        let other = Secrets::new(vec![7; 32], [1; 32]).unwrap();
        assert!(other.open(&sealed, b"p-1").is_err());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        assert_eq!(format!("{:?}", secrets()), "Secrets(<redacted>)");
    }
}
