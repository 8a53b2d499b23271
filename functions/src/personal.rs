//! The personal data of a signature: what the legal filing needs, with the contact and the
//! language that messages to the signer use. It is sealed when the signer asks to sign, under a
//! context that binds it to the initiative and the signer's keyed hash, and opened for a new
//! code, a dispute or the filing export.

use crate::crypto::{OpenError, Secrets};
use musharaka_model::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A signer's personal data, as sealed in a signature.
///
/// The JSON keys are the stored format: the fields are in key order, so that a record reads
/// the same whichever version wrote it. A key missing from an older record reads as empty.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonalData {
    /// Home address.
    pub address: String,
    /// Normalized CIN.
    pub cin: String,
    /// HCP code of the commune, for a commune council's petition (older records: the name the
    /// signer typed, if any).
    pub commune: Option<String>,
    /// The phone or email the one-time code goes to.
    pub contact: String,
    /// Family name.
    pub family_name: String,
    /// First name.
    pub first_name: String,
    /// The code of the language messages to the signer use (`ar`, `zgh`, `fr`).
    pub lang: String,
    /// HCP code of the prefecture or province, for a local council's petition (older records:
    /// the name the signer typed, if any).
    pub province: Option<String>,
    /// Region code, MA-01..MA-12: the signer's own, whatever key the signature is counted
    /// under.
    pub region: String,
    /// When the signer asked to sign (RFC 3339).
    pub signed_at: String,
}

impl fmt::Debug for PersonalData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data never reaches a log line, even through a debug print.
        f.write_str("PersonalData(<redacted>)")
    }
}

/// Why sealed personal data cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum UnsealError {
    /// Wrong data key, wrong context, or an altered record.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// Decrypted, but not the JSON of personal data.
    #[error(transparent)]
    Unreadable(#[from] serde_json::Error),
}

/// The context personal data is sealed under: the initiative and the signer's keyed hash, so
/// that a record opens only as the signature it belongs to.
pub fn sealing_context(initiative: &str, signer: &str) -> String {
    format!("{initiative}#{signer}")
}

impl PersonalData {
    /// The contact messages to the signer go to, if it was recorded.
    pub fn contact(&self) -> Option<&str> {
        Some(self.contact.as_str()).filter(|c| !c.is_empty())
    }

    /// The language messages to the signer use, if it was recorded.
    pub fn language(&self) -> Option<Lang> {
        self.lang.parse().ok()
    }

    /// Encrypts this data for the signature of `signer` on `initiative`.
    pub fn seal(
        &self,
        secrets: &Secrets,
        initiative: &str,
        signer: &str,
    ) -> anyhow::Result<Vec<u8>> {
        let plain = serde_json::to_vec(self).expect("JSON of strings");
        secrets.seal(&plain, sealing_context(initiative, signer).as_bytes())
    }

    /// Decrypts what [`PersonalData::seal`] produced for the same signature.
    pub fn open(
        secrets: &Secrets,
        sealed: &[u8],
        initiative: &str,
        signer: &str,
    ) -> Result<PersonalData, UnsealError> {
        let plain = secrets.open(sealed, sealing_context(initiative, signer).as_bytes())?;
        Ok(serde_json::from_slice(&plain)?)
    }
}

#[cfg(test)]
mod tests {
    use super::{PersonalData, sealing_context};
    use crate::crypto::Secrets;
    use musharaka_model::Lang;

    fn secrets() -> Secrets {
        Secrets::new(vec![7; 32], [9; 32]).unwrap()
    }

    fn amina() -> PersonalData {
        PersonalData {
            address: "12 rue X, Rabat".into(),
            cin: "AB123456".into(),
            commune: None,
            contact: "+212612345678".into(),
            family_name: "Alaoui".into(),
            first_name: "Amina".into(),
            lang: "fr".into(),
            province: Some("Rabat".into()),
            region: "MA-04".into(),
            signed_at: "2026-11-26T12:00:00+00:00".into(),
        }
    }

    #[test]
    fn the_stored_json_keeps_its_keys_in_order() {
        let json = String::from_utf8(serde_json::to_vec(&amina()).unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"address":"12 rue X, Rabat","cin":"AB123456","commune":null,"contact":"+212612345678","family_name":"Alaoui","first_name":"Amina","lang":"fr","province":"Rabat","region":"MA-04","signed_at":"2026-11-26T12:00:00+00:00"}"#
        );
    }

    #[test]
    fn opens_only_as_the_signature_it_was_sealed_for() {
        let s = secrets();
        let sealed = amina().seal(&s, "p-1", "signer").unwrap();
        assert_eq!(
            PersonalData::open(&s, &sealed, "p-1", "signer").unwrap(),
            amina()
        );
        assert!(PersonalData::open(&s, &sealed, "p-2", "signer").is_err());
        assert!(PersonalData::open(&s, &sealed, "p-1", "other").is_err());
        assert_eq!(amina().language(), Some(Lang::Fr));
    }

    #[test]
    fn older_records_with_fewer_keys_still_open() {
        let s = secrets();
        let plain = br#"{"first_name":"Amina","family_name":"Alaoui","cin":"AB123456","address":"Asni","signed_at":"2026-11-26T12:00:00Z"}"#;
        let sealed = s
            .seal(plain, sealing_context("p-1", "x").as_bytes())
            .unwrap();
        let data = PersonalData::open(&s, &sealed, "p-1", "x").unwrap();
        assert_eq!(data.first_name, "Amina");
        assert_eq!(data.contact(), None);
        assert_eq!(data.language(), None);
        assert!(!format!("{data:?}").contains("Amina"));
    }
}
