//! `POST /api/join`: a citizen joins a committee with the invitation code its agent shared. The
//! seat waits for the one-time code sent to their contact; whether their CIN already sits on
//! the committee is told then, to the contact that proved it is theirs.

use super::propose::{problems_of_person, seat_sent};
use super::{ApiRoute, AppState, Form, Lambda, Outcome, store_failed, typed};
use crate::client::ClientAddr;
use crate::committee::{eligible, invited, sealed_seat};
use crate::form::{Fields, Person};
use crate::store::Asked;
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::committee::Role;
use musharaka_model::outcome::Code;

/// `POST /api/join`, on the `committee` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Join>("/api/join", Lambda::Committee);

struct Join;

impl Form for Join {
    const NAME: &'static str = "join";

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        _client: &ClientAddr,
    ) -> Outcome {
        let secrets = &state.settings.secrets;
        let id = match typed(fields, "invitation") {
            Ok(t) => match invited(secrets, t) {
                Some(id) => id,
                None => return Code::UnknownInvitation.into(),
            },
            Err(code) => return code.into(),
        };
        let person = match Person::from_fields(fields) {
            Ok(p) => p,
            Err(problems) => return problems_of_person(lang, &problems),
        };
        let stored = match state.store.proposal(&id).await {
            Ok(Some(p)) if p.confirmed => p,
            Ok(_) => return Code::UnknownInvitation.into(),
            Err(e) => return store_failed(&e),
        };
        let proposal = stored.proposal;
        if !proposal.state.is_open() {
            return Code::CommitteeClosed.into();
        }
        if let Err(code) = eligible(fields, &person, &proposal.target) {
            return code.into();
        }
        let now = Utc::now();
        let Some((member, message)) =
            sealed_seat(secrets, &person, (&proposal, Role::Member), lang, now)
        else {
            return Code::Unavailable.into();
        };
        let per_day = state.settings.per_contact_day;
        match state.store.join(&member, &message, per_day, now).await {
            Ok(Asked::Done) => seat_sent(lang, &member, &person),
            Ok(Asked::NotFound) => Code::UnknownInvitation.into(),
            Ok(Asked::Closed) => Code::CommitteeClosed.into(),
            Ok(Asked::ContactLimit) => Code::ContactLimit.into(),
            Err(e) => store_failed(&e),
        }
    }
}
