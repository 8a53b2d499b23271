//! `POST /api/propose`: a citizen proposes a petition or a motion and becomes its committee's
//! agent. The proposal is stored as a draft nobody sees until the agent confirms the one-time
//! code sent to their contact; the answer is the form to type it.

use super::{ApiRoute, AppState, Form, Lambda, Outcome, View, refused, store_failed};
use crate::client::ClientAddr;
use crate::committee::{eligible, sealed_seat};
use crate::committee_page;
use crate::form::{Fields, Person, Problems};
use crate::proposal_form::{problem_text, read_target, read_text};
use crate::settings::Settings;
use crate::store::{Asked, NewMember};
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::committee::Role;
use musharaka_model::outcome::Code;
use musharaka_model::proposal::{Proposal, ProposalState};

/// `POST /api/propose`, on the `committee` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Propose>("/api/propose", Lambda::Committee);

struct Propose;

impl Form for Propose {
    const NAME: &'static str = "propose";

    fn body_limit(settings: &Settings) -> usize {
        settings.max_proposal_body
    }

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        _client: &ClientAddr,
    ) -> Outcome {
        let person = match Person::from_fields(fields) {
            Ok(p) => p,
            Err(problems) => return problems_of_person(lang, &problems),
        };
        let (kind, target, text_lang) = match read_target(fields) {
            Ok(t) => t,
            Err(code) => return code.into(),
        };
        if let Err(code) = eligible(fields, &person, &target) {
            return code.into();
        }
        let text = match read_text(fields, kind, state.settings.proposal_days) {
            Ok(t) => t,
            Err(problems) => return problems_outcome(lang, &problems),
        };
        let now = Utc::now();
        let proposal = Proposal {
            id: crate::otp::new_reference(),
            kind,
            target,
            lang: text_lang,
            title: text.title,
            request: text.request,
            memorandum: text.memorandum,
            period_days: text.period_days,
            state: ProposalState::Draft,
            created: now.timestamp(),
            updated: now.timestamp(),
            submitted: None,
            reviews: Vec::new(),
        };
        let secrets = &state.settings.secrets;
        let Some((agent, message)) =
            sealed_seat(secrets, &person, (&proposal, Role::Agent), lang, now)
        else {
            return Code::Unavailable.into();
        };
        let per_day = state.settings.per_contact_day;
        match (state.store)
            .propose(&proposal, &agent, &message, per_day, now)
            .await
        {
            Ok(Asked::Done) => seat_sent(lang, &agent, &person),
            Ok(Asked::ContactLimit) => Code::ContactLimit.into(),
            Ok(_) => Code::Unavailable.into(),
            Err(e) => store_failed(&e),
        }
    }
}

/// The answer to a proposal with `problems`, each in words.
pub(super) fn problems_outcome(
    lang: Lang,
    problems: &[musharaka_model::proposal_text::Problem],
) -> Outcome {
    let words: Vec<String> = problems.iter().map(|p| problem_text(lang, p)).collect();
    let code = Code::InvalidProposal;
    let mut json = serde_json::Map::new();
    json.insert("problems".into(), serde_json::json!(words));
    Outcome {
        view: Some(View {
            json,
            html: committee_page::problems_page(lang, code, &words),
        }),
        ..code.into()
    }
}

/// The answer to a person's fields refused for `problems` (an agent proposing, a member
/// joining): each field's message; without JavaScript, a page that lists them.
pub(super) fn problems_of_person(lang: Lang, problems: &Problems) -> Outcome {
    let words: Vec<String> = (problems.fields.iter())
        .map(|(field, code)| crate::messages::field_error(lang, field, *code))
        .collect();
    refused(
        lang,
        problems,
        committee_page::problems_page(lang, problems.code, &words),
    )
}

/// The answer once the seat `member` of `person` waits for its code: the form to type it.
pub(super) fn seat_sent(lang: Lang, member: &NewMember, person: &Person) -> Outcome {
    let code = Code::SeatCodeSent;
    let to = person.contact.masked();
    let mut json = serde_json::Map::new();
    json.insert(
        "seat".into(),
        serde_json::json!({
            "proposal": member.proposal, "reference": member.reference, "to": to,
        }),
    );
    let ids = (member.proposal.as_str(), member.reference.as_str());
    Outcome {
        subject: Some(member.proposal.clone()),
        view: Some(View {
            json,
            html: committee_page::seat_form(lang, code, ids, Some(&to)),
        }),
        ..code.into()
    }
}
