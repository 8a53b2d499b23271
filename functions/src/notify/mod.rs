//! Messages to signers: one-time codes and the outcome of a contest, in the signer's
//! language. A request writes its message, sealed, into the store's outbox in the same
//! transaction as the request; a sender drains the outbox and hands each message to a
//! [`Notifier`] (SES or SMTP for email, SNS for SMS, or a local folder on one machine), so
//! that accepting a signature never waits on delivery.

pub mod config;
mod local;
mod ses;
mod smtp;
mod sns;
pub mod stream;

pub use config::from_env;
pub use local::LocalOutbox;
pub use ses::Ses;
pub use smtp::Smtp;
pub use sns::Sns;
pub use stream::StreamSender;

use crate::crypto::Secrets;
use crate::messages::text;
use crate::store::Outgoing;
use async_trait::async_trait;
use musharaka_model::Lang;
use musharaka_model::outcome::confirm_page_url;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a message says.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Body {
    /// A one-time code for the request `reference`.
    Code {
        /// The six digits.
        code: String,
        /// The request's reference.
        reference: String,
        /// The initiative's title in the signer's language.
        title: String,
    },
    /// A one-time code for a seat on a committee. It does not name the proposal: its title is
    /// whatever its author typed, and the message goes to whatever contact was typed.
    CommitteeCode {
        /// The six digits.
        code: String,
        /// The member's reference.
        reference: String,
    },
    /// A moderator decided on the proposal `title`, now in `state`.
    ProposalDecision {
        /// The proposal's title.
        title: String,
        /// Its new state (`accepted`, `rejected`, `changes-requested`).
        state: String,
    },
    /// A moderator decided a contest on a signature of the initiative `title`.
    Decision {
        /// Whether the contested signature was kept (else struck).
        kept: bool,
        /// The initiative's title in the signer's language.
        title: String,
    },
}

/// A message to one signer.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// A phone number in E.164 or an email address.
    pub to: String,
    /// The signer's language.
    pub lang: Lang,
    /// What it says.
    pub body: Body,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the contact nor the code ever reaches a log line.
        write!(f, "Message {{ lang: {}, .. }}", self.lang)
    }
}

impl Message {
    /// Whether it goes by SMS (else by email).
    pub fn is_sms(&self) -> bool {
        self.to.starts_with('+')
    }

    /// Seals it for the outbox, under a new id.
    pub fn seal(&self, secrets: &Secrets, id: String) -> anyhow::Result<Outgoing> {
        let plain = serde_json::to_vec(self)?;
        let sealed = secrets.seal(&plain, context(&id).as_bytes())?;
        Ok(Outgoing { id, sealed })
    }

    /// Opens a message of the outbox.
    pub fn open(secrets: &Secrets, item: &Outgoing) -> anyhow::Result<Message> {
        let plain = secrets.open(&item.sealed, context(&item.id).as_bytes())?;
        Ok(serde_json::from_slice(&plain)?)
    }

    /// Subject and text, in the signer's language; `origin` is the site's (`https://…`).
    pub fn render(&self, origin: &str) -> Rendered {
        let t = |key: &str| text(self.lang, key);
        match &self.body {
            Body::Code {
                code,
                reference,
                title,
            } => {
                let fill = |s: String| fill_code(s, code, reference, title);
                // The code travels in the fragment: never sent to a server, never logged; a
                // mail scanner that follows the link confirms nothing (confirming is a POST).
                let link = format!(
                    "{origin}{}#r={reference}&c={code}",
                    confirm_page_url(self.lang)
                );
                Rendered {
                    subject: fill(t("notify.subject")),
                    text: if self.is_sms() {
                        fill(t("notify.sms"))
                    } else {
                        fill(t("notify.email")).replace("{link}", &link)
                    },
                }
            }
            Body::CommitteeCode { code, reference } => {
                let fill = |s: String| fill_code(s, code, reference, "");
                let key = if self.is_sms() { "sms" } else { "email" };
                Rendered {
                    subject: fill(t("committee_notify.subject")),
                    text: fill(t(&format!("committee_notify.{key}"))),
                }
            }
            Body::ProposalDecision { title, state } => Rendered {
                subject: t("committee_notify.decision_subject"),
                text: t("committee_notify.decision")
                    .replace("{title}", title)
                    .replace("{state}", &t(&format!("proposal.{state}"))),
            },
            Body::Decision { kept, title } => {
                let key = if *kept {
                    "notify.kept_sms"
                } else {
                    "notify.struck_sms"
                };
                Rendered {
                    subject: t("notify.kept_subject"),
                    text: t(key).replace("{title}", title),
                }
            }
        }
    }
}

/// `template` with its code, reference and title filled in.
fn fill_code(template: String, code: &str, reference: &str, title: &str) -> String {
    template
        .replace("{code}", code)
        .replace("{ref}", reference)
        .replace("{title}", title)
}

/// The context a message is sealed under.
fn context(id: &str) -> String {
    format!("outbox#{id}")
}

/// A message as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject of an email.
    pub subject: String,
    /// The text.
    pub text: String,
}

/// One way of delivering messages.
#[async_trait]
pub trait Deliver: Send + Sync {
    /// Delivers `message`, rendered as `rendered`.
    async fn deliver(&self, message: &Message, rendered: &Rendered) -> anyhow::Result<()>;
}

/// Delivers email and SMS, each its own way.
#[derive(Clone)]
pub struct Notifier {
    /// The site's origin, for links.
    pub origin: String,
    /// How email goes.
    pub email: Arc<dyn Deliver>,
    /// How SMS goes.
    pub sms: Arc<dyn Deliver>,
}

impl Notifier {
    /// Sends one message.
    pub async fn send(&self, message: &Message) -> anyhow::Result<()> {
        let rendered = message.render(&self.origin);
        if message.is_sms() {
            self.sms.deliver(message, &rendered).await
        } else {
            self.email.deliver(message, &rendered).await
        }
    }

    /// Opens and sends each item; returns the ids of those delivered (an item that cannot be
    /// opened is dropped too: it will never open).
    pub async fn send_all(&self, secrets: &Secrets, items: &[Outgoing]) -> Vec<String> {
        let mut done = Vec::new();
        for item in items {
            match Message::open(secrets, item) {
                Ok(message) => match self.send(&message).await {
                    Ok(()) => done.push(item.id.clone()),
                    Err(e) => tracing::error!(error = %e, "message not delivered"),
                },
                Err(e) => {
                    tracing::error!(error = %e, "outbox message cannot be opened");
                    done.push(item.id.clone());
                }
            }
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::{Body, Message};
    use crate::crypto::Secrets;
    use crate::store::Outgoing;
    use musharaka_model::Lang;

    fn secrets() -> Secrets {
        Secrets::new(vec![7; 32], [9; 32]).unwrap()
    }

    fn code_message(to: &str, lang: Lang) -> Message {
        Message {
            to: to.into(),
            lang,
            body: Body::Code {
                code: "042917".into(),
                reference: "K7Q2M9XD".into(),
                title: "Eau potable".into(),
            },
        }
    }

    #[test]
    fn a_sealed_message_opens_only_under_its_id() {
        let m = code_message("+212612345678", Lang::Fr);
        let sealed = m.seal(&secrets(), "a1".into()).unwrap();
        assert!(!sealed.sealed.windows(6).any(|w| w == b"042917"));
        assert_eq!(Message::open(&secrets(), &sealed).unwrap(), m);
        let moved = Outgoing {
            id: "a2".into(),
            ..sealed
        };
        assert!(Message::open(&secrets(), &moved).is_err());
        assert!(!format!("{m:?}").contains("612345678"));
    }

    #[test]
    fn an_sms_fits_one_segment_in_every_language() {
        for lang in Lang::ALL {
            let r = code_message("+212612345678", lang).render("https://musharaka.ma");
            assert!(r.text.contains("042917") && r.text.contains("K7Q2M9XD"));
            let limit = if r.text.is_ascii() { 160 } else { 70 };
            assert!(
                r.text.chars().count() <= limit,
                "{lang}: {} characters: {}",
                r.text.chars().count(),
                r.text
            );
        }
    }

    #[test]
    fn an_email_links_to_the_confirmation_page_with_the_code_in_the_fragment() {
        let r = code_message("amina@example.ma", Lang::Ar).render("https://musharaka.ma");
        assert!(
            r.text
                .contains("https://musharaka.ma/ar/confirm/#r=K7Q2M9XD&c=042917"),
            "{}",
            r.text
        );
        assert!(r.subject.contains("042917"));
    }
}
