//! SMS through Amazon SNS: `Publish` straight to a phone number (no topic), as a transactional
//! message (the kind carriers deliver first), with an optional sender id.

use super::{Deliver, Message, Rendered};
use crate::aws_env::AwsEnv;
use anyhow::anyhow;
use async_trait::async_trait;
use aws_sdk_sns::Client;
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::MessageAttributeValue;

/// Sends SMS with SNS.
pub struct Sns {
    client: Client,
    sender_id: Option<String>,
}

impl Sns {
    /// Sends through `client`, under `sender_id` where the destination country allows one (up
    /// to 11 letters and digits).
    pub fn new(client: Client, sender_id: Option<String>) -> Sns {
        Sns {
            client,
            sender_id: sender_id.filter(|s| !s.is_empty()),
        }
    }

    /// A client configured from the environment as Lambda sets it (`AWS_REGION`, the
    /// credentials), with `AWS_ENDPOINT_URL_SNS` or `AWS_ENDPOINT_URL` for a local server.
    pub fn client_from_env() -> anyhow::Result<Client> {
        use aws_sdk_sns::config::{BehaviorVersion, Builder};
        let env = AwsEnv::read("AWS_ENDPOINT_URL_SNS")?;
        let mut builder = Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(env.region)
            .credentials_provider(env.credentials);
        if let Some(url) = env.endpoint {
            builder = builder.endpoint_url(url);
        }
        Ok(Client::from_conf(builder.build()))
    }

    /// Sends under `sender_id` with a client from the environment.
    pub fn from_env(sender_id: Option<String>) -> anyhow::Result<Sns> {
        Ok(Sns::new(Sns::client_from_env()?, sender_id))
    }
}

/// A string message attribute.
fn attribute(value: &str) -> anyhow::Result<MessageAttributeValue> {
    Ok(MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()?)
}

#[async_trait]
impl Deliver for Sns {
    async fn deliver(&self, message: &Message, rendered: &Rendered) -> anyhow::Result<()> {
        let mut publish = self
            .client
            .publish()
            .phone_number(&message.to)
            .message(&rendered.text)
            .message_attributes("AWS.SNS.SMS.SMSType", attribute("Transactional")?);
        if let Some(id) = &self.sender_id {
            publish = publish.message_attributes("AWS.SNS.SMS.SenderID", attribute(id)?);
        }
        publish
            .send()
            .await
            // Only the kind and the service's error code: the service's text may quote the
            // phone number.
            .map_err(|e| {
                anyhow!(
                    "SNS Publish failed: {e} ({})",
                    e.code().unwrap_or("no code")
                )
            })?;
        Ok(())
    }
}
