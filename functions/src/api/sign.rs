//! `POST /api/sign`: a support signature, checked against the stored catalog, sealed, stored
//! and counted once, with the receipt code its signer keeps.

use super::*;

pub(super) async fn sign_outcome(state: &AppState, fields: &Fields, lang: Lang) -> Outcome {
    let form = match SignForm::from_fields(fields) {
        Ok(f) => f,
        Err(code) => return code.into(),
    };
    let subject = Some(form.initiative.clone());
    let with_subject = |code: Code| Outcome {
        subject: subject.clone(),
        ..code.into()
    };
    let entry = match state.entry(&form.initiative).await {
        Ok(Some(e)) => e,
        Ok(None) => return with_subject(Code::NotFound),
        Err(e) => return store_failed(&e),
    };
    let (Details::Petition(init) | Details::Motion(init)) = &entry.details else {
        return with_subject(Code::WrongKind);
    };
    for attestation in attestations(init.target.authority) {
        let ticked = match attestation {
            Attestation::Electoral => form.attest_electoral,
            Attestation::Local => form.attest_local,
        };
        if !ticked {
            return with_subject(Code::AttestationRequired);
        }
    }
    if init.target.authority.is_local()
        && init.target.region.as_deref() != Some(form.region.as_str())
    {
        return with_subject(Code::NotEligible);
    }
    let now = Utc::now();
    let s = &state.settings.secrets;
    let code = receipt::new_code();
    let receipt_hash = receipt_key(state, &code);
    let signer = s.keyed_hash(&[&form.initiative, &form.cin]);
    let context = format!("{}#{signer}", form.initiative);
    let sealed = match s.seal(&form.personal_data(&now.to_rfc3339()), context.as_bytes()) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "sealing failed");
            return Code::Unavailable.into();
        }
    };
    let signature = NewSignature {
        initiative: form.initiative.clone(),
        signer,
        region: form.region.clone(),
        lang,
        sealed,
        receipt: receipt_hash,
        expires: entry.erase_by().unwrap_or(entry.closes).timestamp(),
    };
    let (result, count) = match state.store.sign_and_count(&signature, now).await {
        Ok((Stored::Done, count)) => (Code::Signed, count),
        Ok((Stored::Duplicate, count)) => (Code::AlreadySigned, count),
        Ok((Stored::NotFound, _)) => (Code::NotFound, None),
        Ok((Stored::Refused(r), _)) => (refusal_code(r), None),
        Err(e) => return store_failed(&e),
    };
    let back = entry.url.get(&lang).map(|url| path_of(url).to_string());
    Outcome {
        count,
        receipt: (result == Code::Signed).then_some((code, back)),
        ..with_subject(result)
    }
}

/// The keyed hash under which the store knows receipt `code` (canonical form).
pub(super) fn receipt_key(state: &AppState, code: &str) -> String {
    let canonical = receipt::normalize(code).unwrap_or_default();
    state.settings.secrets.keyed_hash(&["receipt", &canonical])
}

/// The path of an absolute URL (`https://host/ar/x/` gives `/ar/x/`).
pub(super) fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}
