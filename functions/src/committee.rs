//! What the committee routes share: the invitation code of a proposal, the private code of a
//! member, a person's seat sealed with the message that carries its one-time code, and the
//! attestations a member of a committee gives.
//!
//! An invitation is the proposal's id and a keyed digest of it (`K7Q2M9XD-4PNRT3`): nothing is
//! stored for it, and it stops working when the committee closes. A private code is like a
//! receipt: 16 random characters, of which the store keeps only a keyed hash.

use crate::crypto::Secrets;
use crate::form::{Fields, Person};
use crate::notify::{Body, Message};
use crate::otp::{self, ALPHABET, crockford};
use crate::store::{NewMember, Outgoing};
use chrono::{DateTime, Duration, Utc};
use musharaka_model::Lang;
use musharaka_model::committee::Role;
use musharaka_model::outcome::Code;
use musharaka_model::proposal::{PENDING_SEAT_HOURS, Proposal};
use musharaka_model::signer::attestations;
use musharaka_model::signing::CODE_MINUTES;
use musharaka_model::target::Target;

/// Characters of the digest after a proposal's id in its invitation.
const INVITATION_DIGEST: usize = 6;

/// The invitation code of the proposal `id`.
pub(crate) fn invitation(secrets: &Secrets, id: &str) -> String {
    let digest = secrets.keyed_hash(&["invitation", id]);
    let bits = u64::from_str_radix(&digest[..8], 16).unwrap_or_default();
    let tail: String = (0..INVITATION_DIGEST)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{id}-{tail}")
}

/// The proposal an invitation code as typed names, when it is one.
pub(crate) fn invited(secrets: &Secrets, typed: &str) -> Option<String> {
    let canonical = crockford(typed, otp::REFERENCE_LEN + INVITATION_DIGEST)?;
    let (id, _) = canonical.split_at(otp::REFERENCE_LEN);
    let expected = invitation(secrets, id).replace('-', "");
    (expected == canonical).then(|| id.to_string())
}

/// The keyed hash under which the store knows a private code as typed; `None` when it cannot
/// be one.
pub(crate) fn key_hash(secrets: &Secrets, typed: &str) -> Option<String> {
    let canonical = crate::receipt::normalize(typed)?;
    Some(secrets.keyed_hash(&["committee-key", &canonical]))
}

/// The keyed hash of a CIN on the committee of `proposal`: one seat per person.
fn seat_of(secrets: &Secrets, proposal: &str, cin: &str) -> String {
    secrets.keyed_hash(&["committee", proposal, cin])
}

/// Whether `person` ticked the attestations a signer of an initiative to `target` ticks, and,
/// for a local council, lives in its region: a committee member must be able to sign.
pub(crate) fn eligible(fields: &Fields, person: &Person, target: &Target) -> Result<(), Code> {
    for attestation in attestations(target.authority) {
        if !fields.checked(attestation.field()) {
            return Err(Code::AttestationRequired);
        }
    }
    if target.authority.is_local() && target.region.as_deref() != Some(person.region.as_str()) {
        return Err(Code::NotEligible);
    }
    Ok(())
}

/// A seat asked for by `person` on the committee of `proposal`, with the message carrying its
/// one-time code; `None` when sealing failed.
pub(crate) fn sealed_seat(
    secrets: &Secrets,
    person: &Person,
    (proposal, role): (&Proposal, Role),
    lang: Lang,
    now: DateTime<Utc>,
) -> Option<(NewMember, Outgoing)> {
    let reference = otp::new_reference();
    let code = otp::new_code();
    let signer = seat_of(secrets, &proposal.id, &person.cin);
    let message = Message {
        to: person.contact.as_str().to_string(),
        lang,
        body: Body::CommitteeCode {
            code: code.clone(),
            reference: reference.clone(),
        },
    };
    let sealed = person
        .personal_data(&now.to_rfc3339(), lang)
        .seal(secrets, &proposal.id, &signer)
        .and_then(|sealed| Ok((sealed, message.seal(secrets, format!("{reference}-0"))?)));
    let (sealed, outgoing) = match sealed {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, "sealing failed");
            return None;
        }
    };
    let member = NewMember {
        proposal: proposal.id.clone(),
        code: otp::code_hash(secrets, &reference, &code),
        reference,
        role,
        region: person.region.clone(),
        signer,
        sealed,
        contact: secrets.keyed_hash(&["contact", person.contact.as_str()]),
        code_expires: (now + Duration::minutes(CODE_MINUTES)).timestamp(),
        lang,
        expires: (now + Duration::hours(PENDING_SEAT_HOURS)).timestamp(),
    };
    Some((member, outgoing))
}

#[cfg(test)]
mod tests {
    use super::{invitation, invited, key_hash};
    use crate::crypto::Secrets;

    #[test]
    fn an_invitation_names_its_proposal_and_cannot_be_made_up() {
        let s = Secrets::new(vec![7; 32], [9; 32]).unwrap();
        let code = invitation(&s, "K7Q2M9XD");
        assert_eq!(code.len(), 15);
        assert!(code.starts_with("K7Q2M9XD-"));
        assert_eq!(invited(&s, &code).as_deref(), Some("K7Q2M9XD"));
        assert_eq!(
            invited(&s, &code.to_lowercase().replace('-', " ")).as_deref(),
            Some("K7Q2M9XD")
        );
        let other = invitation(&s, "K7Q2M9XE");
        let forged = format!("K7Q2M9XD-{}", &other[9..]);
        assert_ne!(forged, code);
        assert_eq!(invited(&s, &forged), None);
        assert_eq!(invited(&s, "K7Q2M9XD"), None);
        let another_site = Secrets::new(vec![8; 32], [9; 32]).unwrap();
        assert_eq!(invited(&another_site, &code), None);
    }

    #[test]
    fn a_private_code_is_known_by_its_keyed_hash_only() {
        let s = Secrets::new(vec![7; 32], [9; 32]).unwrap();
        let key = crate::receipt::new_code();
        let hash = key_hash(&s, &key).unwrap();
        assert_eq!(key_hash(&s, &key.to_lowercase()), Some(hash.clone()));
        assert!(!hash.contains(&key.replace('-', "")));
        assert_eq!(key_hash(&s, "nope"), None);
    }
}
