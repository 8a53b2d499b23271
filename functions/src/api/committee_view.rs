//! What a committee member reads on their private page, in their language: the proposal and its
//! state, the committee (names for the agent only), the rules not met yet, the moderators'
//! decisions, the invitation code and the draft's deadline.

use crate::committee::invitation;
use crate::committee_page::{MemberLine, PrivateView};
use crate::messages::text;
use crate::personal::PersonalData;
use crate::settings::Settings;
use crate::store::{Member, StoredProposal};
use chrono::{DateTime, FixedOffset};
use musharaka_model::committee::{Role, Seat, Unmet, rule};
use musharaka_model::lang::pick;
use musharaka_model::proposal::{Proposal, Review};
use musharaka_model::{Lang, date, region};
use std::collections::BTreeSet;

/// Morocco's offset, in which the portal writes dates.
fn morocco() -> FixedOffset {
    FixedOffset::east_opt(3600).expect("one hour")
}

fn day(lang: Lang, at: i64) -> String {
    DateTime::from_timestamp(at, 0)
        .map(|t| date::format_day(lang, t.with_timezone(&morocco()).date_naive()))
        .unwrap_or_default()
}

fn region_name(lang: Lang, code: &str) -> String {
    (region::by_code(code))
        .and_then(|r| pick(&r.name, lang, &Lang::ALL).cloned())
        .unwrap_or_else(|| code.to_string())
}

/// The seats of the members who confirmed their code.
pub(super) fn seats(members: &[Member]) -> Vec<Seat<'_>> {
    (members.iter())
        .filter(|m| m.joined)
        .map(|m| Seat {
            role: m.role,
            region: &m.region,
        })
        .collect()
}

/// The rules of `p`'s committee that `members` do not meet yet.
pub(super) fn unmet(p: &Proposal, members: &[Member]) -> Vec<Unmet> {
    rule(p.kind, p.target.authority).unmet(&seats(members))
}

fn unmet_text(lang: Lang, u: &Unmet) -> String {
    let key = format!("committee.unmet_{}", u.key().replace('-', "_"));
    let (have, needed) = match u {
        Unmet::TooFewMembers { have, needed } | Unmet::TooFewRegions { have, needed } => {
            (*have, *needed)
        }
        Unmet::NoDeputy => (0, 0),
    };
    text(lang, &key)
        .replace("{have}", &have.to_string())
        .replace("{needed}", &needed.to_string())
}

fn review_text(lang: Lang, r: &Review) -> String {
    let mut parts = vec![
        day(lang, r.at),
        text(lang, &format!("proposal.{}", r.state.as_str())),
    ];
    if let Some(reason) = r.reason() {
        parts.push(reason.words(lang, |key| text(lang, key)));
    }
    if !r.message.is_empty() {
        parts.push(r.message.clone());
    }
    parts.join(" — ")
}

fn role_text(lang: Lang, role: Role) -> String {
    text(lang, &format!("committee.role_{}", role.as_str()))
}

/// The name of `m`, opened for the agent.
fn name_of(settings: &Settings, m: &Member) -> Option<String> {
    let data = PersonalData::open(&settings.secrets, &m.sealed, &m.proposal, &m.signer).ok()?;
    Some(format!("{} {}", data.first_name, data.family_name))
}

/// The private page of `me` on `stored`'s committee of `members`, in `lang`.
pub(super) fn private_view(
    settings: &Settings,
    lang: Lang,
    (key, me): (&str, &Member),
    stored: &StoredProposal,
    members: &[Member],
) -> PrivateView {
    let p = &stored.proposal;
    let agent = me.role == Role::Agent;
    let joined = members.iter().filter(|m| m.joined).count();
    let regions: BTreeSet<&str> = (members.iter())
        .filter(|m| m.joined)
        .map(|m| m.region.as_str())
        .collect();
    let lines = (members.iter())
        .filter(|m| agent || m.joined)
        .map(|m| MemberLine {
            // Only a seated member is named deputy: a waiting request's reference stays its own.
            reference: if m.joined {
                m.reference.clone()
            } else {
                String::new()
            },
            role: role_text(lang, m.role),
            region: region_name(lang, &m.region),
            name: (agent || m.reference == me.reference)
                .then(|| name_of(settings, m))
                .flatten(),
            joined: m.joined,
            may_be_deputy: agent && m.joined && m.role == Role::Member,
        })
        .collect();
    let rule = rule(p.kind, p.target.authority);
    PrivateView {
        key: key.to_string(),
        role: me.role,
        proposal: p.clone(),
        state: text(lang, &format!("proposal.{}", p.state.as_str())),
        summary: text(lang, "committee.members_count")
            .replace("{n}", &joined.to_string())
            .replace("{r}", &regions.len().to_string()),
        members: lines,
        unmet: (
            (unmet(p, members).iter())
                .map(|u| unmet_text(lang, u))
                .collect(),
            pick(&rule.reference, lang, &Lang::ALL)
                .cloned()
                .unwrap_or_default(),
        ),
        problems: Vec::new(),
        invitation: (agent && p.state.is_open()).then(|| invitation(&settings.secrets, &p.id)),
        deadline: (p.deadline())
            .map(|d| text(lang, "committee.deadline").replace("{date}", &day(lang, d))),
        reviews: p.reviews.iter().map(|r| review_text(lang, r)).collect(),
        limits: settings.proposal_days,
    }
}
