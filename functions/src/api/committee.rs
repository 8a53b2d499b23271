//! `POST /api/committee`: a committee member opens the private page of their proposal with
//! their private code (`do=show`); the agent edits the text (`save`), names the deputy
//! (`deputy`), submits it for review (`submit`, refused with the rules not met) or withdraws it
//! (`withdraw`); a member leaves (`leave`). Every change is written over the version read, so
//! two people acting at once never undo each other.

use super::committee_view::{private_view, unmet};
use super::propose::problems_outcome;
use super::{ApiRoute, AppState, Form, Lambda, Outcome, View, store_failed, typed};
use crate::client::ClientAddr;
use crate::committee::key_hash;
use crate::form::Fields;
use crate::proposal_form::read_text;
use crate::settings::Settings;
use crate::store::{CommitteeChange, Member, Members, StoredProposal};
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::committee::Role;
use musharaka_model::outcome::Code;
use musharaka_model::proposal::{Proposal, ProposalState};

/// `POST /api/committee`, on the `committee` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Committee>("/api/committee", Lambda::Committee);

struct Committee;

/// A proposal, its committee, and the member reading it.
struct Loaded {
    key: String,
    stored: StoredProposal,
    members: Vec<Member>,
    me: Member,
}

impl Form for Committee {
    const NAME: &'static str = "committee";

    fn body_limit(settings: &Settings) -> usize {
        settings.max_proposal_body
    }

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        _client: &ClientAddr,
    ) -> Outcome {
        let loaded = match load(state, fields).await {
            Ok(l) => l,
            Err(o) => return o,
        };
        let code = match fields.get("do").unwrap_or("show") {
            "save" => save(state, fields, &loaded, lang).await,
            "deputy" => deputy(state, fields, &loaded).await,
            "submit" => submit(state, &loaded).await,
            "withdraw" => return withdraw(state, fields, &loaded).await,
            "leave" => return leave(state, fields, &loaded).await,
            _ => Ok(Code::ProposalShown),
        };
        match code {
            Ok(code) => page(state, lang, &loaded.key, code).await,
            Err(o) => o,
        }
    }
}

/// The proposal and committee of the private code in `fields`.
async fn load(state: &AppState, fields: &Fields) -> Result<Loaded, Outcome> {
    let typed = typed(fields, "key").map_err(Outcome::from)?;
    let unknown = || Outcome::from(Code::UnknownKey);
    let hash = key_hash(&state.settings.secrets, typed).ok_or_else(unknown)?;
    let keyed = state.store.keyed(&hash).await;
    let (id, reference) = keyed.map_err(|e| store_failed(&e))?.ok_or_else(unknown)?;
    let stored = state.store.proposal(&id).await;
    let stored = stored.map_err(|e| store_failed(&e))?.ok_or_else(unknown)?;
    let members = state.store.members(&id).await;
    let members = members.map_err(|e| store_failed(&e))?;
    let me = (members.iter())
        .find(|m| m.reference == reference && m.joined)
        .cloned()
        .ok_or_else(unknown)?;
    let key = crate::receipt::normalize(typed).unwrap_or_default();
    Ok(Loaded {
        key,
        stored,
        members,
        me,
    })
}

/// The private page after `code`, read again.
async fn page(state: &AppState, lang: Lang, key: &str, code: Code) -> Outcome {
    let mut fields = Fields::default();
    fields.insert("key", key);
    let loaded = match load(state, &fields).await {
        Ok(l) => l,
        Err(o) => return o,
    };
    view_outcome(state, lang, &loaded, code, Vec::new())
}

fn view_outcome(
    state: &AppState,
    lang: Lang,
    l: &Loaded,
    code: Code,
    problems: Vec<String>,
) -> Outcome {
    let mut view = private_view(
        &state.settings,
        lang,
        (&l.key, &l.me),
        &l.stored,
        &l.members,
    );
    view.problems = problems;
    Outcome {
        subject: Some(l.stored.proposal.id.clone()),
        view: Some(View {
            json: view.json(),
            html: view.html(lang, code),
        }),
        ..code.into()
    }
}

/// Whether the agent of `l` may still change the proposal.
fn agent_may_change(l: &Loaded) -> Result<(), Code> {
    if l.me.role != Role::Agent || !l.stored.proposal.state.is_open() {
        return Err(Code::CommitteeClosed);
    }
    Ok(())
}

/// Writes `proposal` over the version `l` read; the answer's code.
async fn write(
    state: &AppState,
    l: &Loaded,
    proposal: &Proposal,
    members: Members<'_>,
    done: Code,
) -> Result<Code, Outcome> {
    let saved = (state.store)
        .save_proposal(proposal, l.stored.version, members, None, Utc::now())
        .await;
    match saved {
        Ok(true) => Ok(done),
        Ok(false) => Ok(Code::ProposalChanged),
        Err(e) => Err(store_failed(&e)),
    }
}

async fn save(state: &AppState, fields: &Fields, l: &Loaded, lang: Lang) -> Result<Code, Outcome> {
    agent_may_change(l).map_err(Outcome::from)?;
    let p = &l.stored.proposal;
    let text = match read_text(fields, p.kind, state.settings.proposal_days) {
        Ok(t) => t,
        Err(problems) => {
            let words = problems_outcome(lang, &problems);
            let list = (words.view.as_ref())
                .and_then(|v| v.json.get("problems"))
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            return Err(view_outcome(state, lang, l, Code::InvalidProposal, list));
        }
    };
    let edited = Proposal {
        title: text.title,
        request: text.request,
        memorandum: text.memorandum,
        period_days: text.period_days,
        updated: Utc::now().timestamp(),
        ..p.clone()
    };
    write(state, l, &edited, Members::UNCHANGED, Code::ProposalSaved).await
}

async fn deputy(state: &AppState, fields: &Fields, l: &Loaded) -> Result<Code, Outcome> {
    agent_may_change(l).map_err(Outcome::from)?;
    let chosen = fields.get("member").unwrap_or_default().trim();
    let Some(member) = (l.members.iter()).find(|m| m.reference == chosen && m.joined) else {
        return Err(Code::MissingField.into());
    };
    let previous = (l.members.iter())
        .find(|m| m.role == Role::Deputy)
        .map(|m| m.reference.clone());
    let change = CommitteeChange::Deputy {
        reference: member.reference.clone(),
        previous,
    };
    let id = &l.stored.proposal.id;
    match (state.store)
        .change_committee(id, &change, l.stored.version)
        .await
    {
        Ok(true) => Ok(Code::ProposalSaved),
        Ok(false) => Ok(Code::ProposalChanged),
        Err(e) => Err(store_failed(&e)),
    }
}

async fn submit(state: &AppState, l: &Loaded) -> Result<Code, Outcome> {
    agent_may_change(l).map_err(Outcome::from)?;
    let p = &l.stored.proposal;
    if !unmet(p, &l.members).is_empty() {
        return Ok(Code::RulesUnmet);
    }
    let now = Utc::now().timestamp();
    let submitted = Proposal {
        state: ProposalState::Submitted,
        submitted: Some(now),
        updated: now,
        ..p.clone()
    };
    let joined: Vec<Member> = l.members.iter().filter(|m| m.joined).cloned().collect();
    let keep = Members::keep(&joined, None);
    write(state, l, &submitted, keep, Code::ProposalSubmitted).await
}

async fn withdraw(state: &AppState, fields: &Fields, l: &Loaded) -> Outcome {
    let p = &l.stored.proposal;
    if l.me.role != Role::Agent || !p.state.may_withdraw() {
        return Code::CommitteeClosed.into();
    }
    if !fields.checked("confirm") {
        return Code::ConfirmationRequired.into();
    }
    let withdrawn = Proposal {
        state: ProposalState::Withdrawn,
        updated: Utc::now().timestamp(),
        ..p.clone()
    };
    let erase = Members::erase(&l.members);
    match write(state, l, &withdrawn, erase, Code::ProposalWithdrawn).await {
        Ok(code) => code.into(),
        Err(o) => o,
    }
}

async fn leave(state: &AppState, fields: &Fields, l: &Loaded) -> Outcome {
    if l.me.role == Role::Agent || !l.stored.proposal.state.is_open() {
        return Code::CommitteeClosed.into();
    }
    if !fields.checked("confirm") {
        return Code::ConfirmationRequired.into();
    }
    let change = CommitteeChange::Leave {
        reference: l.me.reference.clone(),
    };
    let id = &l.stored.proposal.id;
    match (state.store)
        .change_committee(id, &change, l.stored.version)
        .await
    {
        Ok(true) => Code::LeftCommittee.into(),
        Ok(false) => Code::ProposalChanged.into(),
        Err(e) => store_failed(&e),
    }
}
