//! Email through Amazon SES (API v2, `SendEmail` with simple content): a subject and a plain
//! UTF-8 text, from one verified address.

use super::{Deliver, Message, Rendered};
use crate::aws_env::AwsEnv;
use anyhow::anyhow;
use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::ProvideErrorMetadata;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message as SesMessage};

/// Sends email with SES.
pub struct Ses {
    client: Client,
    from: String,
}

impl Ses {
    /// Sends from `from` (an address of an identity verified in SES) through `client`.
    pub fn new(client: Client, from: impl Into<String>) -> Ses {
        Ses {
            client,
            from: from.into(),
        }
    }

    /// A client configured from the environment as Lambda sets it (`AWS_REGION`, the
    /// credentials), with `AWS_ENDPOINT_URL_SES` or `AWS_ENDPOINT_URL` for a local server.
    pub fn client_from_env() -> anyhow::Result<Client> {
        use aws_sdk_sesv2::config::{BehaviorVersion, Builder};
        let env = AwsEnv::read("AWS_ENDPOINT_URL_SES")?;
        let mut builder = Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(env.region)
            .credentials_provider(env.credentials);
        if let Some(url) = env.endpoint {
            builder = builder.endpoint_url(url);
        }
        Ok(Client::from_conf(builder.build()))
    }

    /// Sends from `from` with a client from the environment.
    pub fn from_env(from: impl Into<String>) -> anyhow::Result<Ses> {
        Ok(Ses::new(Ses::client_from_env()?, from))
    }
}

/// UTF-8 content for SES.
fn utf8(data: &str) -> anyhow::Result<Content> {
    Ok(Content::builder().data(data).charset("UTF-8").build()?)
}

#[async_trait]
impl Deliver for Ses {
    async fn deliver(&self, message: &Message, rendered: &Rendered) -> anyhow::Result<()> {
        let content = EmailContent::builder()
            .simple(
                SesMessage::builder()
                    .subject(utf8(&rendered.subject)?)
                    .body(Body::builder().text(utf8(&rendered.text)?).build())
                    .build(),
            )
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&message.to).build())
            .content(content)
            .send()
            .await
            // Only the kind and the service's error code: the service's text may quote the
            // address.
            .map_err(|e| {
                anyhow!(
                    "SES SendEmail failed: {e} ({})",
                    e.code().unwrap_or("no code")
                )
            })?;
        Ok(())
    }
}
