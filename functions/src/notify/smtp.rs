//! Email through any SMTP relay (lettre): a plain UTF-8 text, base64-encoded, from one
//! address. The relay is given by a URL:
//!
//! - `smtp://USER:PASSWORD@HOST:587`: STARTTLS, required (the default of `smtp://`);
//! - `smtps://USER:PASSWORD@HOST:465`: TLS from the first byte;
//! - `smtp://HOST:25?tls=none`: no TLS, for a relay on this machine (a password is then
//!   refused unless the host is a loopback address).
//!
//! User and password are percent-decoded; a path (`smtp://HOST/NAME`) sets the name given in
//! `EHLO`, which is otherwise the sender's domain. Certificates are checked against the
//! system's roots.

use super::{Deliver, Message, Rendered};
use anyhow::{Context, anyhow, bail};
use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Security {
    /// STARTTLS after the greeting, required.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
    /// None (`?tls=none`): for a relay on this machine only.
    None,
}

/// A relay, as parsed from its URL.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Relay {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protection of the connection.
    pub security: Security,
    /// User and password, when the relay wants them.
    pub credentials: Option<(String, String)>,
    /// Name given in `EHLO`, when set by the URL's path.
    pub hello: Option<String>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password never reaches a log line.
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<redacted>"),
            )
            .field("hello", &self.hello)
            .finish()
    }
}

impl Relay {
    /// Parses `smtp://…` or `smtps://…` (see the module's documentation). Errors never repeat
    /// the URL, which may hold a password.
    pub(super) fn parse(spec: &str) -> anyhow::Result<Relay> {
        let url = url::Url::parse(spec.trim())
            .map_err(|e| anyhow!("MUSHARAKA_SMTP_URL is not a URL ({e})"))?;
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None | Some("required")) => (Security::StartTls, 587),
            ("smtp", Some("none")) => (Security::None, 25),
            ("smtps", None | Some("wrapper")) => (Security::Tls, 465),
            (scheme, tls) => bail!(
                "MUSHARAKA_SMTP_URL: scheme {scheme:?} with tls={} is not supported: use \
                 smtp:// (STARTTLS), smtps:// (TLS) or smtp://…?tls=none (a local relay)",
                tls.unwrap_or("(default)")
            ),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .context("MUSHARAKA_SMTP_URL has no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let decode = |s: &str| {
            percent_decode(s).context("MUSHARAKA_SMTP_URL: user or password is not UTF-8")
        };
        let credentials = match url.password() {
            Some(password) => Some((decode(url.username())?, decode(password)?)),
            None if !url.username().is_empty() => {
                bail!("MUSHARAKA_SMTP_URL has a user but no password")
            }
            None => None,
        };
        if security == Security::None && credentials.is_some() && !is_loopback(&host) {
            bail!(
                "MUSHARAKA_SMTP_URL: a password is never sent without TLS to a relay on another \
                 machine: use smtp:// (STARTTLS) or smtps://"
            );
        }
        let hello = Some(url.path().trim_matches('/'))
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        Ok(Relay {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            credentials,
            hello,
        })
    }
}

/// Decodes `%XX` escapes (a `+` stays a `+`: this is a URL's user part, not a form).
fn percent_decode(s: &str) -> anyhow::Result<String> {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8(out)?)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Sends email through an SMTP relay.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// Sends from `from` (`address` or `Name <address>`) through the relay at `url`.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Smtp> {
        let relay = Relay::parse(url)?;
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow!("MUSHARAKA_MAIL_FROM is not an email address ({e})"))?;
        let hello = relay
            .hello
            .clone()
            .unwrap_or_else(|| from.email.domain().to_string());
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).context("cannot set up TLS for the SMTP relay")
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&relay.host)
            .port(relay.port)
            .hello_name(ClientId::Domain(hello))
            .timeout(Some(Duration::from_secs(10)))
            .tls(match relay.security {
                Security::StartTls => Tls::Required(tls(&relay.host)?),
                Security::Tls => Tls::Wrapper(tls(&relay.host)?),
                Security::None => Tls::None,
            });
        if let Some((user, password)) = relay.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }

    /// The message as sent: `text/plain; charset=utf-8` in base64 (Arabic and Tifinagh text
    /// survives any relay), the subject in RFC 2047 encoded words when not ASCII.
    pub fn compose(&self, to: &str, rendered: &Rendered) -> anyhow::Result<lettre::Message> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| anyhow!("the recipient is not an email address ({e})"))?;
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|e| anyhow!("no randomness ({e})"))?;
        let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
        lettre::Message::builder()
            // A Message-ID in the sender's domain: mail without one looks like spam.
            .message_id(Some(format!("<{random}@{}>", self.from.email.domain())))
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::Base64)
            .body(rendered.text.clone())
            .map_err(|e| anyhow!("cannot compose the email ({e})"))
    }
}

#[async_trait]
impl Deliver for Smtp {
    async fn deliver(&self, message: &Message, rendered: &Rendered) -> anyhow::Result<()> {
        let email = self.compose(&message.to, rendered)?;
        self.transport.send(email).await.map_err(|e| {
            // A reply from the relay: only its code, for its text may quote the address.
            if let Some(code) = e.status() {
                let kind = if e.is_permanent() {
                    "permanent"
                } else {
                    "transient"
                };
                return anyhow!("SMTP {kind} error ({code})");
            }
            if e.is_response() || e.is_client() {
                // A reply that could not be parsed, or a refusal of lettre's own.
                return anyhow!("SMTP protocol error");
            }
            // Otherwise the cause is the connection (socket, TLS, timeout), never the message.
            let kind = if e.is_timeout() {
                "timeout"
            } else if e.is_tls() {
                "TLS error"
            } else {
                "connection error"
            };
            match std::error::Error::source(&e) {
                Some(cause) => anyhow!("SMTP {kind}: {cause}"),
                None => anyhow!("SMTP {kind}"),
            }
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Deliver, Message, Relay, Rendered, Security, Smtp};

    #[test]
    fn urls_choose_the_protection_and_default_port() {
        let r = Relay::parse("smtp://mailer%40example.ma:p%3Ass@smtp.example.ma").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.security),
            ("smtp.example.ma", 587, Security::StartTls)
        );
        assert_eq!(
            r.credentials,
            Some(("mailer@example.ma".into(), "p:ss".into()))
        );
        assert!(!format!("{r:?}").contains("p:ss"));
        let r = Relay::parse("smtps://u:p@smtp.example.ma").unwrap();
        assert_eq!((r.port, r.security), (465, Security::Tls));
        let r = Relay::parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!((r.port, r.security), (2525, Security::None));
        assert_eq!(r.credentials, None);
        let r = Relay::parse("smtp://smtp.example.ma:2587/mail.musharaka.ma").unwrap();
        assert_eq!(r.hello.as_deref(), Some("mail.musharaka.ma"));
    }

    #[test]
    fn a_password_never_travels_in_clear_and_errors_never_repeat_it() {
        let err = Relay::parse("smtp://u:secret@smtp.example.ma?tls=none").unwrap_err();
        assert!(!format!("{err:#}").contains("secret"), "{err:#}");
        assert!(Relay::parse("smtp://u:secret@localhost:25?tls=none").is_ok());
        for bad in [
            "smtp://u:secret@host?tls=opportunistic",
            "http://u:secret@host",
            "smtps://u:secret@host?tls=none",
            "smtp://u@host",
        ] {
            let err = Relay::parse(bad).unwrap_err();
            assert!(!format!("{err:#}").contains("secret"), "{err:#}");
        }
    }

    #[tokio::test]
    async fn a_relay_that_cannot_be_reached_is_an_error_naming_the_cause() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let smtp = Smtp::new(
            &format!("smtp://127.0.0.1:{port}?tls=none"),
            "no-reply@musharaka.ma",
        )
        .unwrap();
        let message = Message {
            to: "amina@example.ma".into(),
            lang: musharaka_model::Lang::Fr,
            body: super::super::Body::Decision {
                kept: true,
                title: "Eau potable".into(),
            },
        };
        let rendered = message.render("https://musharaka.ma");
        let err = smtp.deliver(&message, &rendered).await.unwrap_err();
        let err = format!("{err:#}");
        assert!(err.starts_with("SMTP connection error"), "{err}");
        assert!(!err.contains("amina"), "{err}");
    }

    #[tokio::test]
    async fn the_body_is_utf8_text_in_base64() {
        let smtp = Smtp::new(
            "smtp://127.0.0.1:25?tls=none",
            "Musharaka <no-reply@musharaka.ma>",
        )
        .unwrap();
        let rendered = Rendered {
            subject: "رمزك 042917".into(),
            text: "رمز التأكيد: 042917".into(),
        };
        let raw = String::from_utf8(
            smtp.compose("amina@example.ma", &rendered)
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("Content-Transfer-Encoding: base64"), "{raw}");
        let id = raw
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: <"))
            .expect("a Message-ID");
        assert!(id.ends_with("@musharaka.ma>") && id.len() > 40, "{id}");
        assert!(raw.is_ascii());
        assert!(smtp.compose("not an address", &rendered).is_err());
    }
}
