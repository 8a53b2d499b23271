//! Which back end delivers each channel, from the environment:
//!
//! | channel | back end | when |
//! |---|---|---|
//! | email | SMTP relay | `MUSHARAKA_SMTP_URL` is set (sender `MUSHARAKA_MAIL_FROM`, then required) |
//! | email | Amazon SES | else, `MUSHARAKA_SES_FROM` is set (the sender) |
//! | SMS | Amazon SNS | `MUSHARAKA_SNS_SMS=1` (sender id `MUSHARAKA_SMS_SENDER_ID`, optional) |
//! | either | the local outbox folder | else, when the caller has one (`musharaka serve`) |
//!
//! Anything else is an error naming the variables to set: a function that cannot deliver
//! codes must not start.

use super::{Deliver, LocalOutbox, Notifier, Ses, Smtp, Sns};
use std::path::PathBuf;
use std::sync::Arc;

/// A variable of the environment, unless unset or empty.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// How email goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailBy {
    /// An SMTP relay.
    Smtp,
    /// Amazon SES.
    Ses,
    /// The local outbox folder.
    Local,
}

/// How SMS goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsBy {
    /// Amazon SNS.
    Sns,
    /// The local outbox folder.
    Local,
}

/// The back ends named by the variables `get` reads (see the module's documentation); `local`
/// tells whether a local outbox may be used.
pub fn choose(
    get: impl Fn(&str) -> Option<String>,
    local: bool,
) -> anyhow::Result<(EmailBy, SmsBy)> {
    let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    let email = if get("MUSHARAKA_SMTP_URL").is_some() {
        if get("MUSHARAKA_MAIL_FROM").is_none() {
            anyhow::bail!(
                "MUSHARAKA_SMTP_URL is set but MUSHARAKA_MAIL_FROM is not: set the sender address"
            );
        }
        EmailBy::Smtp
    } else if get("MUSHARAKA_SES_FROM").is_some() {
        EmailBy::Ses
    } else if local {
        EmailBy::Local
    } else {
        anyhow::bail!(
            "no email delivery configured: set MUSHARAKA_SMTP_URL and MUSHARAKA_MAIL_FROM (an \
             SMTP relay) or MUSHARAKA_SES_FROM (Amazon SES)"
        );
    };
    let sms = match get("MUSHARAKA_SNS_SMS").as_deref() {
        Some("1") => SmsBy::Sns,
        Some(other) if other != "0" => anyhow::bail!("MUSHARAKA_SNS_SMS must be 1 or 0"),
        _ if local => SmsBy::Local,
        _ => anyhow::bail!("no SMS delivery configured: set MUSHARAKA_SNS_SMS=1 (Amazon SNS)"),
    };
    Ok((email, sms))
}

/// A notifier for the site at `origin`, each channel by the back end the environment names;
/// `local` is the outbox folder to fall back on (`None` on Lambda).
pub fn from_env(origin: &str, local: Option<PathBuf>) -> anyhow::Result<Notifier> {
    let (email_by, sms_by) = choose(var, local.is_some())?;
    // One folder for both channels, so that its file names stay in sequence.
    let outbox: Option<Arc<dyn Deliver>> = local.map(|dir| Arc::new(LocalOutbox::new(dir)) as _);
    let fallback = || {
        outbox
            .clone()
            .ok_or_else(|| anyhow::anyhow!("no local outbox"))
    };
    let required = |name: &str| var(name).ok_or_else(|| anyhow::anyhow!("{name} is not set"));
    let email: Arc<dyn Deliver> = match email_by {
        EmailBy::Smtp => Arc::new(Smtp::new(
            &required("MUSHARAKA_SMTP_URL")?,
            &required("MUSHARAKA_MAIL_FROM")?,
        )?),
        EmailBy::Ses => Arc::new(Ses::from_env(required("MUSHARAKA_SES_FROM")?)?),
        EmailBy::Local => fallback()?,
    };
    let sms: Arc<dyn Deliver> = match sms_by {
        SmsBy::Sns => Arc::new(Sns::from_env(var("MUSHARAKA_SMS_SENDER_ID"))?),
        SmsBy::Local => fallback()?,
    };
    tracing::info!(email = ?email_by, sms = ?sms_by, "message delivery");
    Ok(Notifier {
        origin: origin.trim_end_matches('/').to_string(),
        email,
        sms,
    })
}

#[cfg(test)]
mod tests {
    use super::{EmailBy, SmsBy, choose};

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn smtp_comes_before_ses_and_the_local_outbox_last() {
        let all = env(&[
            ("MUSHARAKA_SMTP_URL", "smtp://127.0.0.1:25?tls=none"),
            ("MUSHARAKA_MAIL_FROM", "no-reply@musharaka.ma"),
            ("MUSHARAKA_SES_FROM", "no-reply@musharaka.ma"),
            ("MUSHARAKA_SNS_SMS", "1"),
        ]);
        assert_eq!(choose(&all, true).unwrap(), (EmailBy::Smtp, SmsBy::Sns));
        let ses = env(&[("MUSHARAKA_SES_FROM", "no-reply@musharaka.ma")]);
        assert_eq!(choose(&ses, true).unwrap(), (EmailBy::Ses, SmsBy::Local));
        let none = env(&[("MUSHARAKA_SES_FROM", " "), ("MUSHARAKA_SNS_SMS", "0")]);
        assert_eq!(choose(&none, true).unwrap(), (EmailBy::Local, SmsBy::Local));
    }

    #[test]
    fn without_a_local_outbox_each_channel_must_be_named() {
        let err = choose(env(&[]), false).unwrap_err().to_string();
        assert!(
            err.contains("MUSHARAKA_SES_FROM") && err.contains("MUSHARAKA_SMTP_URL"),
            "{err}"
        );
        let err = choose(env(&[("MUSHARAKA_SES_FROM", "a@b.ma")]), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("MUSHARAKA_SNS_SMS=1"), "{err}");
        let err = choose(env(&[("MUSHARAKA_SMTP_URL", "smtp://h")]), true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("MUSHARAKA_MAIL_FROM"), "{err}");
        assert!(choose(env(&[("MUSHARAKA_SNS_SMS", "yes")]), true).is_err());
    }
}
