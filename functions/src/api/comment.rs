//! `POST /api/comment`: a comment on an open consultation, or one of its sections, stored
//! pending moderation.

use super::{ApiRoute, AppState, Form, Lambda, Outcome, refusal_code, refused, store_failed};
use crate::client::ClientAddr;
use crate::form::{CommentForm, Fields, Problems};
use crate::store::{NewComment, Stored};
use chrono::Utc;
use musharaka_model::Lang;
use musharaka_model::catalog::Details;
use musharaka_model::outcome::Code;

/// `POST /api/comment`, on the `comment` Lambda.
pub(super) const ROUTE: ApiRoute = ApiRoute::form::<Comment>("/api/comment", Lambda::Comment);

struct Comment;

impl Form for Comment {
    const NAME: &'static str = "comment";

    fn body_limit(settings: &crate::Settings) -> usize {
        settings.comment_body()
    }

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        client: &ClientAddr,
    ) -> Outcome {
        let form = match CommentForm::from_fields(fields, state.settings.max_comment) {
            Ok(f) => f,
            Err(problems) => return refused_comment(state, fields, lang, &problems).await,
        };
        let with_subject = |code: Code| Outcome {
            subject: Some(form.consultation.clone()),
            ..code.into()
        };
        let entry = match state.entry(&form.consultation).await {
            Ok(Some(e)) => e,
            Ok(None) => return with_subject(Code::NotFound),
            Err(e) => return store_failed(&e),
        };
        let Details::Consultation(c) = &entry.details else {
            return with_subject(Code::WrongKind);
        };
        if let Some(section) = &form.section
            && !c.sections.contains(section)
        {
            return with_subject(Code::InvalidSection);
        }
        let now = Utc::now();
        let sender: String = (state.settings.secrets)
            .keyed_hash(&["comment-sender", &client.0])
            .chars()
            .take(12)
            .collect();
        match flood(state, &form.consultation, &sender, now).await {
            Ok(true) => {}
            Ok(false) => return with_subject(Code::RateLimited),
            Err(e) => return store_failed(&e),
        }
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).ok();
        let id = format!(
            "{:013}-{}",
            now.timestamp_millis(),
            suffix
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let comment = NewComment {
            id,
            consultation: form.consultation.clone(),
            section: form.section.clone(),
            text: form.text.clone(),
            display_name: form.display_name.clone(),
            lang,
            sender,
        };
        match state.store.comment(&comment, now).await {
            Ok(Stored::Done) => with_subject(Code::Commented),
            Ok(Stored::Duplicate) => with_subject(Code::Commented),
            Ok(Stored::NotFound) => with_subject(Code::NotFound),
            Ok(Stored::Refused(r)) => with_subject(refusal_code(r)),
            Err(e) => store_failed(&e),
        }
    }
}

/// Whether one more comment from `sender` on `consultation` stays within the limits: so many
/// a day from one sender, so many a minute from everyone.
async fn flood(
    state: &AppState,
    consultation: &str,
    sender: &str,
    now: chrono::DateTime<Utc>,
) -> crate::store::StoreResult<bool> {
    let s = &state.settings;
    let mine = s.secrets.keyed_hash(&["comments", consultation, sender]);
    if !(state.store)
        .allow(&mine, now, 24 * 3600, s.comments_per_sender_day)
        .await?
    {
        return Ok(false);
    }
    let everyone = s.secrets.keyed_hash(&["comments", consultation]);
    state
        .store
        .allow(&everyone, now, 60, s.comments_per_minute)
        .await
}

/// The answer to a comment refused for `problems`: without JavaScript, the form again with the
/// text kept, when the consultation is known.
async fn refused_comment(
    state: &AppState,
    fields: &Fields,
    lang: Lang,
    problems: &Problems,
) -> Outcome {
    // Only a person's typing errors get their form back: not a robot, not a forged id.
    let id = musharaka_model::signer::id_field(fields.get("consultation"));
    let (false, Ok(id)) = (problems.fields.is_empty(), id) else {
        return problems.code.into();
    };
    let Ok(Some(entry)) = state.entry(&id).await else {
        return problems.code.into();
    };
    let frame = state.frame(lang).await;
    let max = state.settings.max_comment;
    let page = crate::form_page::comment((lang, &entry, max), fields, problems, frame.as_deref());
    Outcome {
        subject: Some(entry.id.clone()),
        ..refused(lang, problems, page)
    }
}
