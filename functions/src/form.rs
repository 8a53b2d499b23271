//! Reading what a citizen sent: a URL-encoded form (no JavaScript) or a JSON object, into the
//! fields of a signature or a comment, validated with the model's rules.

use crate::personal::PersonalData;
use musharaka_model::contact::Contact;
use musharaka_model::geography;
use musharaka_model::outcome::Code;
use musharaka_model::signer::{self, Attestation, MAX_NAME, attestations};
use musharaka_model::target::{Authority, Target};
use std::collections::BTreeMap;

/// Name of the hidden field that people never fill and robots do.
pub(crate) const HONEYPOT: &str = "website";

/// Longest display name of a comment's author.
pub(crate) const MAX_DISPLAY_NAME: usize = 80;

/// Why a body cannot be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Neither a form nor JSON.
    UnsupportedType,
    /// Not parseable (bad encoding, invalid UTF-8, not an object).
    Malformed,
}

/// The fields of a submission, as text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Fields(BTreeMap<String, String>);

impl Fields {
    /// Reads `body` according to its `Content-Type`.
    pub(crate) fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Fields, BodyError> {
        let mime = content_type
            .and_then(|c| c.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase());
        let text = std::str::from_utf8(body).map_err(|_| BodyError::Malformed)?;
        match mime.as_deref() {
            Some("application/x-www-form-urlencoded") => {
                let pairs: Vec<(String, String)> =
                    serde_urlencoded::from_str(text).map_err(|_| BodyError::Malformed)?;
                Ok(Fields(pairs.into_iter().collect()))
            }
            Some("application/json") => {
                let value: serde_json::Value =
                    serde_json::from_str(text).map_err(|_| BodyError::Malformed)?;
                let obj = value.as_object().ok_or(BodyError::Malformed)?;
                let mut map = BTreeMap::new();
                for (k, v) in obj {
                    let s = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Bool(true) => "on".into(),
                        serde_json::Value::Bool(false) | serde_json::Value::Null => continue,
                        serde_json::Value::Number(n) => n.to_string(),
                        _ => return Err(BodyError::Malformed),
                    };
                    map.insert(k.clone(), s);
                }
                Ok(Fields(map))
            }
            _ => Err(BodyError::UnsupportedType),
        }
    }

    /// Sets the field `name`.
    pub(crate) fn insert(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.to_string());
    }

    /// A field's value, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Whether a checkbox is ticked.
    pub(crate) fn checked(&self, name: &str) -> bool {
        matches!(
            self.get(name)
                .map(|v| v.trim().to_ascii_lowercase())
                .as_deref(),
            Some("on" | "true" | "1" | "yes")
        )
    }

    /// Whether the honeypot was filled (a robot).
    pub(crate) fn is_robot(&self) -> bool {
        self.get(HONEYPOT).is_some_and(|v| !v.trim().is_empty())
    }
}

/// A person as the law names them for a signature or a seat on a committee: name, CIN,
/// address, region, and the contact their one-time code goes to; consent given.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Person {
    /// First name.
    pub first_name: String,
    /// Family name.
    pub family_name: String,
    /// Normalized CIN.
    pub cin: String,
    /// Home address.
    pub address: String,
    /// Region code, MA-01..MA-12.
    pub region: String,
    /// HCP code of the prefecture or province, for a signer of a local council's petition:
    /// the one chosen (region council) or the council's own (province or commune council).
    pub province: Option<String>,
    /// HCP code of the commune, for a signer of a commune council's petition.
    pub commune: Option<String>,
    /// The phone or email the one-time code goes to.
    pub contact: Contact,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data never reaches a log line, even through a debug print.
        write!(f, "Person {{ region: {:?}, .. }}", self.region)
    }
}

/// A supporter's signature, validated except for what depends on the initiative.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SignForm {
    /// Initiative id.
    pub initiative: String,
    /// Who signs.
    pub person: Person,
    /// Ticked: electoral lists.
    pub attest_electoral: bool,
    /// Ticked (with the territory's code, for a province or commune council): resident or
    /// active in the territory.
    pub attest_local: bool,
}

impl std::fmt::Debug for SignForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SignForm {{ initiative: {:?}, region: {:?}, .. }}",
            self.initiative, self.person.region
        )
    }
}

fn optional(fields: &Fields, name: &str, max: usize) -> Result<Option<String>, Code> {
    match fields.get(name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => signer::text_field(Some(v), max).map(Some),
    }
}

/// The fields of the signing form, in the order the page shows them (the province only on a
/// region council's petition; the attestations in the order of
/// [`musharaka_model::signer::attestations`]).
const SIGN_ORDER: [&str; 10] = [
    "first_name",
    "family_name",
    "cin",
    "address",
    "region",
    "contact",
    "province",
    "attest_local",
    "attest_electoral",
    "consent",
];

/// Why a form was refused: the code of the answer, and each field's problem in the form's
/// order (none when the refusal is not about a field: a robot, a bad hidden id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problems {
    /// The answer's code: the first field's problem.
    pub code: Code,
    /// Each field that must be corrected (its `name`), with what is wrong.
    pub fields: Vec<(&'static str, Code)>,
}

impl Problems {
    /// A refusal of the whole form, about no field of its own.
    pub(crate) fn whole(code: Code) -> Problems {
        Problems {
            code,
            fields: Vec::new(),
        }
    }

    /// Keeps the value of `field`, or its problem.
    fn check<T>(&mut self, field: &'static str, value: Result<T, Code>) -> Option<T> {
        value.map_err(|code| self.add(field, code)).ok()
    }

    /// Adds the problem `code` of `field`.
    pub(crate) fn add(&mut self, field: &'static str, code: Code) {
        if self.fields.is_empty() {
            self.code = code;
        }
        self.fields.push((field, code));
    }

    /// Puts the problems in the order of the fields on the form (`order`), so that the summary
    /// reads as the form does; the first one gives the code.
    fn in_order(&mut self, order: &[&str]) {
        let at = |field: &str| order.iter().position(|o| *o == field);
        self.fields.sort_by_key(|(field, _)| at(field));
        if let Some((_, code)) = self.fields.first() {
            self.code = *code;
        }
    }

    /// `value` if no field had a problem.
    fn or_value<T>(self, value: Option<T>) -> Result<T, Problems> {
        match value {
            Some(v) if self.fields.is_empty() => Ok(v),
            _ => Err(self),
        }
    }
}

impl Default for Problems {
    fn default() -> Problems {
        Problems::whole(Code::BadRequest)
    }
}

impl Person {
    /// Validates a person's fields, consent included, naming every field to correct.
    pub(crate) fn from_fields(f: &Fields) -> Result<Person, Problems> {
        if f.is_robot() {
            return Err(Problems::whole(Code::BadRequest));
        }
        let mut p = Problems::default();
        let person = Person::read(f, &mut p);
        consent(f, &mut p);
        p.or_value(person)
    }

    /// Reads a person's fields, adding each field's problem to `p`: the person when every
    /// field was right. Their province and commune are left out: they are the petition's to
    /// set ([`SignForm::from_fields`]).
    fn read(f: &Fields, p: &mut Problems) -> Option<Person> {
        let first_name = p.check(
            "first_name",
            signer::text_field(f.get("first_name"), MAX_NAME),
        );
        let family_name = p.check(
            "family_name",
            signer::text_field(f.get("family_name"), MAX_NAME),
        );
        let cin = p.check(
            "cin",
            signer::normalize_cin(f.get("cin").unwrap_or_default()),
        );
        let address = p.check("address", signer::address_field(f.get("address")));
        let region = p.check("region", region_field(f.get("region")));
        let contact = p.check(
            "contact",
            Contact::parse(f.get("contact").unwrap_or_default()),
        );
        Some(Person {
            contact: contact?,
            first_name: first_name?,
            family_name: family_name?,
            cin: cin?,
            address: address?,
            region: region?,
            province: None,
            commune: None,
        })
    }

    /// What the legal filing needs, with the contact and the language messages to the person
    /// use, to be sealed.
    pub(crate) fn personal_data(
        &self,
        signed_at: &str,
        lang: musharaka_model::Lang,
    ) -> PersonalData {
        PersonalData {
            address: self.address.clone(),
            cin: self.cin.clone(),
            commune: self.commune.clone(),
            contact: self.contact.as_str().to_string(),
            family_name: self.family_name.clone(),
            first_name: self.first_name.clone(),
            lang: lang.code().to_string(),
            province: self.province.clone(),
            region: self.region.clone(),
            signed_at: signed_at.to_string(),
        }
    }
}

/// A region code, `MA-01` to `MA-12`, in upper case.
fn region_field(raw: Option<&str>) -> Result<String, Code> {
    let region = signer::text_field(raw, 8)?.to_ascii_uppercase();
    match musharaka_model::region::by_code(&region) {
        Some(_) => Ok(region),
        None => Err(Code::InvalidRegion),
    }
}

/// The prefecture or province a signer of a region council's petition chose: the HCP code of
/// one of the region's (`region`), which the law counts signatures from.
fn province_field(raw: Option<&str>, region: Option<&str>) -> Result<String, Code> {
    let code = raw.map(str::trim).unwrap_or_default();
    if code.is_empty() {
        return Err(Code::MissingField);
    }
    match geography::province(code) {
        Some(p) if region == Some(p.region.as_str()) => Ok(p.code.clone()),
        _ => Err(Code::NotEligible),
    }
}

/// Checks the attestation `a` of a petition to `target`, adding its problem to `p`: a box to
/// tick, or, for the local attestation of a province or commune council, the code of the
/// territory it attests, which must be the council's own.
fn attestation(f: &Fields, a: Attestation, target: &Target, p: &mut Problems) {
    let field = a.field();
    match (a, target.attested_code()) {
        (Attestation::Local, Some(code)) => match f.get(field).map(str::trim) {
            None | Some("") => p.add(field, Code::AttestationRequired),
            Some(v) if v == code => {}
            Some(_) => p.add(field, Code::NotEligible),
        },
        _ if !f.checked(field) => p.add(field, Code::AttestationRequired),
        _ => {}
    }
}

/// The consent box, which must be ticked.
fn consent(f: &Fields, p: &mut Problems) {
    if !f.checked("consent") {
        p.add("consent", Code::ConsentRequired);
    }
}

impl SignForm {
    /// Validates the fields of a signature of the initiative `initiative` (an id already
    /// checked), addressed to `target`: the person, a local council's region, a region
    /// council's province, the attestations the authority requires (a province or commune
    /// council's local one naming that territory), consent. The person's province and commune
    /// are the codes the law counts them under: the one chosen for a region council, the
    /// council's own for a province or commune council, none for a national authority.
    pub(crate) fn from_fields(
        f: &Fields,
        initiative: &str,
        target: &Target,
    ) -> Result<SignForm, Problems> {
        if f.is_robot() {
            return Err(Problems::whole(Code::BadRequest));
        }
        let mut p = Problems::default();
        let person = Person::read(f, &mut p);
        if let Ok(region) = region_field(f.get("region"))
            && target.authority.is_local()
            && target.region.as_deref() != Some(region.as_str())
        {
            p.add("region", Code::NotEligible);
        }
        let place = match target.authority {
            Authority::Region => p
                .check(
                    "province",
                    province_field(f.get("province"), target.region.as_deref()),
                )
                .map(|province| (Some(province), None)),
            Authority::Province | Authority::Commune => {
                Some((target.province.clone(), target.commune.clone()))
            }
            _ => Some((None, None)),
        };
        for a in attestations(target.authority) {
            attestation(f, *a, target, &mut p);
        }
        consent(f, &mut p);
        p.in_order(&SIGN_ORDER);
        let local = attestations(target.authority).contains(&Attestation::Local);
        let form = person
            .zip(place)
            .map(|(person, (province, commune))| SignForm {
                initiative: initiative.to_string(),
                attest_electoral: f.checked("attest_electoral"),
                // Checked above: whatever reaches here is the attestation the council needs.
                attest_local: local,
                person: Person {
                    province,
                    commune,
                    ..person
                },
            });
        p.or_value(form)
    }
}

/// A comment on a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommentForm {
    /// Consultation id.
    pub consultation: String,
    /// Anchor id of the section commented on, or the whole text.
    pub section: Option<String>,
    /// The comment, plain text.
    pub text: String,
    /// The name the author wants shown, if any.
    pub display_name: Option<String>,
}

impl CommentForm {
    /// Validates the fields of a comment; `max` is the longest text accepted.
    pub(crate) fn from_fields(f: &Fields, max: usize) -> Result<CommentForm, Problems> {
        if f.is_robot() {
            return Err(Problems::whole(Code::BadRequest));
        }
        let consultation = signer::id_field(f.get("consultation")).map_err(Problems::whole)?;
        let section = match f.get("section").map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(signer::id_field(Some(s)).map_err(Problems::whole)?),
        };
        let mut p = Problems::default();
        let text = p.check("text", musharaka_model::text::multiline(f.get("text"), max));
        let display_name = p.check(
            "display_name",
            optional(f, "display_name", MAX_DISPLAY_NAME),
        );
        consent(f, &mut p);
        let form = text
            .zip(display_name)
            .map(|(text, display_name)| CommentForm {
                consultation,
                section,
                text,
                display_name,
            });
        p.or_value(form)
    }
}

#[cfg(test)]
mod tests {
    use super::{BodyError, CommentForm, Fields, Problems, SignForm};
    use musharaka_model::outcome::Code;
    use musharaka_model::target::{Authority, Codes, Target};

    const FORM: &str = "application/x-www-form-urlencoded";

    fn national() -> Target {
        Target::new(Authority::HeadOfGovernment)
    }

    /// The petition to the council of Asni (Al Haouz, Marrakech-Safi).
    fn asni() -> Target {
        let codes = Codes {
            commune: Some("07.041.07.03"),
            ..Codes::default()
        };
        Target::from_codes(Authority::Commune, codes).unwrap()
    }

    /// The petition to the council of Drâa-Tafilalet.
    fn draa_tafilalet() -> Target {
        let codes = Codes {
            region: Some("MA-08"),
            ..Codes::default()
        };
        Target::from_codes(Authority::Region, codes).unwrap()
    }

    fn sign_to(target: &Target, body: &str) -> Result<SignForm, Problems> {
        let fields = Fields::parse(Some(FORM), body.as_bytes()).unwrap();
        SignForm::from_fields(&fields, "p-1", target)
    }

    fn sign(body: &str) -> Result<SignForm, Code> {
        let fields = Fields::parse(Some(FORM), body.as_bytes()).unwrap();
        SignForm::from_fields(&fields, "p-1", &national()).map_err(|p| p.code)
    }

    const OK: &str = "initiative=p-1&first_name=Amina&family_name=Alaoui&cin=ab%20123456&address=12+rue+X%2C+Rabat&region=ma-04&contact=06+12+34+56+78&attest_electoral=on&consent=on";

    #[test]
    fn reads_a_form_and_normalizes_it() {
        let s = sign(OK).unwrap();
        assert_eq!(s.person.cin, "AB123456");
        assert_eq!(s.person.region, "MA-04");
        assert_eq!(s.person.address, "12 rue X, Rabat");
        assert!(s.attest_electoral && !s.attest_local);
        assert!(
            !format!("{s:?}").contains("AB123456"),
            "debug output shows the CIN"
        );
    }

    #[test]
    fn reads_json_with_booleans() {
        let body = r#"{"initiative":"p-1","first_name":"أمينة","family_name":"العلوي","cin":"K45678","address":"الرباط","region":"MA-04","contact":"amina@example.ma","attest_electoral":true,"consent":true}"#;
        let f = Fields::parse(Some("application/json; charset=utf-8"), body.as_bytes()).unwrap();
        assert_eq!(
            SignForm::from_fields(&f, "p-1", &national())
                .unwrap()
                .person
                .first_name,
            "أمينة"
        );
    }

    #[test]
    fn each_problem_has_its_code() {
        assert_eq!(
            sign(&OK.replace("consent=on", "consent=")).unwrap_err(),
            Code::ConsentRequired
        );
        assert_eq!(
            sign(&OK.replace("cin=ab%20123456", "cin=123")).unwrap_err(),
            Code::InvalidCin
        );
        assert_eq!(
            sign(&OK.replace("region=ma-04", "region=MA-13")).unwrap_err(),
            Code::InvalidRegion
        );
        assert_eq!(
            sign(&OK.replace("first_name=Amina", "first_name=+")).unwrap_err(),
            Code::MissingField
        );
        assert_eq!(
            sign(&format!("{OK}&website=spam")).unwrap_err(),
            Code::BadRequest
        );
        assert_eq!(
            sign(&OK.replace("contact=06+12+34+56+78", "contact=0522")).unwrap_err(),
            Code::InvalidContact
        );
        assert_eq!(
            sign(&OK.replace("contact=06+12+34+56+78", "contact=")).unwrap_err(),
            Code::MissingField
        );
        let long = "x".repeat(400);
        assert_eq!(
            sign(&OK.replace("12+rue+X%2C+Rabat", &long)).unwrap_err(),
            Code::TooLong
        );
    }

    #[test]
    fn every_field_to_correct_is_named_in_the_form_order() {
        let body = "initiative=p-1&first_name=&family_name=Alaoui&cin=12345&address=Rabat&region=MA-04&contact=0522";
        let fields = Fields::parse(Some(FORM), body.as_bytes()).unwrap();
        let problems = SignForm::from_fields(&fields, "p-1", &national()).unwrap_err();
        assert_eq!(problems.code, Code::MissingField);
        assert_eq!(
            problems.fields,
            [
                ("first_name", Code::MissingField),
                ("cin", Code::InvalidCin),
                ("contact", Code::InvalidContact),
                ("attest_electoral", Code::AttestationRequired),
                ("consent", Code::ConsentRequired),
            ]
        );
    }

    #[test]
    fn a_commune_petition_takes_who_attests_that_very_commune() {
        let body = OK.replace("region=ma-04", "region=MA-07");
        let refused = |extra: &str| sign_to(&asni(), &format!("{body}{extra}")).unwrap_err();
        assert_eq!(
            refused("&attest_local=07.041.07.01").fields,
            [("attest_local", Code::NotEligible)],
            "another commune of Al Haouz"
        );
        assert_eq!(
            refused("&attest_local=on").fields,
            [("attest_local", Code::NotEligible)],
            "a box that names no commune"
        );
        assert_eq!(
            refused("&attest_local=").fields,
            [("attest_local", Code::AttestationRequired)]
        );
        assert_eq!(
            refused("").fields,
            [("attest_local", Code::AttestationRequired)]
        );
        // A province posted is not the signer's to choose here.
        let s = sign_to(
            &asni(),
            &format!("{body}&attest_local=07.041.07.03&province=08.201"),
        )
        .unwrap();
        assert!(s.attest_local && s.attest_electoral);
        assert_eq!(s.person.commune.as_deref(), Some("07.041.07.03"));
        assert_eq!(s.person.province.as_deref(), Some("07.041"));
        // From another region, the region is what is wrong, first.
        let far = sign_to(&asni(), &format!("{OK}&attest_local=07.041.07.03")).unwrap_err();
        assert_eq!(far.fields, [("region", Code::NotEligible)]);
    }

    #[test]
    fn a_region_petition_asks_which_of_its_provinces() {
        let body = OK.replace("region=ma-04", "region=MA-08") + "&attest_local=on";
        let s = sign_to(&draa_tafilalet(), &format!("{body}&province=08.201")).unwrap();
        assert_eq!(s.person.province.as_deref(), Some("08.201"));
        assert_eq!(s.person.commune, None);
        assert!(s.attest_local);
        let refused = |extra: &str| {
            sign_to(&draa_tafilalet(), &format!("{body}{extra}"))
                .unwrap_err()
                .fields
        };
        assert_eq!(
            refused("&province=07.041"),
            [("province", Code::NotEligible)],
            "Al Haouz is in Marrakech-Safi"
        );
        assert_eq!(
            refused("&province=Errachidia"),
            [("province", Code::NotEligible)]
        );
        assert_eq!(refused("&province=+"), [("province", Code::MissingField)]);
        assert_eq!(refused(""), [("province", Code::MissingField)]);
    }

    #[test]
    fn a_national_petition_keeps_no_province_or_commune() {
        let body = format!("{OK}&province=07.041&commune=07.041.07.03&attest_local=on");
        let s = sign_to(&national(), &body).unwrap();
        assert_eq!((s.person.province, s.person.commune), (None, None));
        assert!(!s.attest_local);
    }

    #[test]
    fn refuses_other_types_and_bad_bytes() {
        assert_eq!(
            Fields::parse(Some("text/plain"), b"a=b"),
            Err(BodyError::UnsupportedType)
        );
        assert_eq!(Fields::parse(None, b"a=b"), Err(BodyError::UnsupportedType));
        assert_eq!(
            Fields::parse(Some(FORM), b"a=\xff"),
            Err(BodyError::Malformed)
        );
        assert_eq!(
            Fields::parse(Some("application/json"), b"[1]"),
            Err(BodyError::Malformed)
        );
    }

    #[test]
    fn comments_are_bounded_plain_text() {
        let f = Fields::parse(
            Some(FORM),
            b"consultation=c-1&section=s1-2&text=Bien&consent=on",
        )
        .unwrap();
        let c = CommentForm::from_fields(&f, 10).unwrap();
        assert_eq!(c.section.as_deref(), Some("s1-2"));
        let f = Fields::parse(
            Some(FORM),
            b"consultation=c-1&text=Trop+long+texte&consent=on",
        )
        .unwrap();
        assert_eq!(
            CommentForm::from_fields(&f, 10).unwrap_err().fields,
            [("text", Code::TooLong)]
        );
    }
}
