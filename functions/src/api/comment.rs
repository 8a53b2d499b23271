//! `POST /api/comment`: a comment on an open consultation, or one of its sections, stored
//! pending moderation.

use super::{ApiRoute, AppState, Form, Lambda, Outcome, refusal_code, store_failed};
use crate::client::ClientAddr;
use crate::form::{CommentForm, Fields};
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

    async fn outcome(
        state: &AppState,
        fields: &Fields,
        lang: Lang,
        _client: &ClientAddr,
    ) -> Outcome {
        let form = match CommentForm::from_fields(fields, state.settings.max_comment) {
            Ok(f) => f,
            Err(code) => return code.into(),
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
