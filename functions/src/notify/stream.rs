//! The `notify` function's work: the table's stream hands it each new outbox item (an
//! `INSERT` whose `pk` begins with `OUTBOX#`, as a new image); it opens the sealed message,
//! delivers it, then deletes the item.
//!
//! Delivery is at least once, in stream order, at most `MUSHARAKA_SEND_RATE` messages a second
//! per running batch (one per stream shard). The first message that cannot be delivered stops
//! the batch: it and every later record are reported as batch item failures, so that Lambda
//! retries from it (a bounded number of times, then the records' coordinates go to the
//! function's failure queue) without sending again what went out before it. A message that
//! can never be opened is dropped, its item deleted. A message delivered whose item could not
//! be deleted is not retried (its item expires with the TTL): a second code would be worse
//! than a stale sealed item.

use super::{Message, Notifier};
use crate::crypto::Secrets;
use crate::store::Outgoing;
use async_trait::async_trait;
/// The stream event the function receives.
pub use aws_lambda_events::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::DynamoDbBatchItemFailure;
/// What the function answers: the records to retry.
pub use aws_lambda_events::streams::DynamoDbEventResponse;
use serde_dynamo::AttributeValue;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Longest wait for one delivery before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Messages a second when `MUSHARAKA_SEND_RATE` is not set.
pub const DEFAULT_SEND_RATE: u32 = 10;

/// Deletes delivered messages from the outbox.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Deletes the outbox item of message `id` (nothing when it is gone already).
    async fn remove(&self, id: &str) -> anyhow::Result<()>;
}

/// The outbox in the DynamoDB table.
pub struct DynamoOutbox {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoOutbox {
    /// The outbox of `table` through `client`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> DynamoOutbox {
        DynamoOutbox {
            client,
            table: table.into(),
        }
    }
}

#[async_trait]
impl Outbox for DynamoOutbox {
    async fn remove(&self, id: &str) -> anyhow::Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(crate::store::dynamo::outbox_key(id)))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("DeleteItem failed: {e}"))?;
        Ok(())
    }
}

/// Spaces sends at least `1/rate` seconds apart, across the invocations of a warm function.
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// At most `rate` sends a second (at least one).
    pub fn new(rate: u32) -> Pacer {
        Pacer {
            interval: Duration::from_secs(1) / rate.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for the next slot.
    pub async fn wait(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        let slot = next.map_or(now, |n| n.max(now));
        tokio::time::sleep_until(slot).await;
        *next = Some(slot + self.interval);
    }
}

/// Reads `MUSHARAKA_SEND_RATE` (messages a second, default 10).
pub fn send_rate_from_env() -> anyhow::Result<u32> {
    match std::env::var("MUSHARAKA_SEND_RATE") {
        Ok(v) if !v.trim().is_empty() => match v.trim().parse::<u32>() {
            Ok(rate) if rate > 0 => Ok(rate),
            _ => anyhow::bail!("MUSHARAKA_SEND_RATE must be a whole number of messages a second"),
        },
        _ => Ok(DEFAULT_SEND_RATE),
    }
}

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handled {
    /// Sent (or dropped for good): done.
    Done,
    /// Not an outbox insert: nothing to do.
    Skipped,
    /// To retry.
    Failed,
}

/// Drains the outbox from the table's stream.
pub struct StreamSender {
    notifier: Notifier,
    secrets: Secrets,
    outbox: Arc<dyn Outbox>,
    pacer: Pacer,
}

impl StreamSender {
    /// Delivers through `notifier`, opens with `secrets`, deletes from `outbox`, at most
    /// `rate` messages a second.
    pub fn new(
        notifier: Notifier,
        secrets: Secrets,
        outbox: Arc<dyn Outbox>,
        rate: u32,
    ) -> StreamSender {
        StreamSender {
            notifier,
            secrets,
            outbox,
            pacer: Pacer::new(rate),
        }
    }

    /// As the function runs on Lambda: settings (`MUSHARAKA_SITE_ORIGIN`, the keys), the
    /// table of `MUSHARAKA_STORE=dynamodb:TABLE`, the back ends named by the environment (see
    /// [`super::config`]) and `MUSHARAKA_SEND_RATE`.
    pub fn from_env() -> anyhow::Result<StreamSender> {
        let settings = crate::settings::Settings::from_env()?;
        let store = std::env::var("MUSHARAKA_STORE").unwrap_or_default();
        let Some(table) = store.strip_prefix("dynamodb:").filter(|t| !t.is_empty()) else {
            anyhow::bail!(
                "the notify function drains the DynamoDB table's stream: MUSHARAKA_STORE must \
                 be dynamodb:TABLE"
            );
        };
        let client = crate::store::dynamo::DynamoStore::client_from_env()?;
        let notifier = super::config::from_env(&settings.site_origin, None)?;
        Ok(StreamSender::new(
            notifier,
            settings.secrets,
            Arc::new(DynamoOutbox::new(client, table)),
            send_rate_from_env()?,
        ))
    }

    /// Handles a batch of stream records; `deadline` is the invocation's (no record is started
    /// unless a whole delivery fits before it).
    pub async fn handle(
        &self,
        event: Event,
        deadline: Option<SystemTime>,
    ) -> DynamoDbEventResponse {
        let mut response = DynamoDbEventResponse::default();
        let (mut sent, mut skipped) = (0usize, 0usize);
        let mut records = event.records.into_iter();
        while let Some(record) = records.next() {
            let late = deadline.is_some_and(|d| {
                d.duration_since(SystemTime::now()).unwrap_or_default()
                    < SEND_TIMEOUT + Duration::from_secs(1)
            });
            let handled = if late {
                tracing::warn!("invocation about to time out: the rest of the batch is retried");
                Handled::Failed
            } else {
                self.record(&record).await
            };
            match handled {
                Handled::Done => sent += 1,
                Handled::Skipped => skipped += 1,
                Handled::Failed => {
                    // Lambda retries from the first failure; later records were not tried.
                    let failed: Vec<_> = std::iter::once(record).chain(records.by_ref()).collect();
                    for r in failed {
                        let mut failure = DynamoDbBatchItemFailure::default();
                        failure.item_identifier = r.change.sequence_number;
                        response.batch_item_failures.push(failure);
                    }
                }
            }
        }
        tracing::info!(
            sent,
            skipped,
            retried = response.batch_item_failures.len(),
            "outbox batch"
        );
        response
    }

    async fn record(&self, record: &EventRecord) -> Handled {
        let Some(item) = outgoing(record) else {
            return Handled::Skipped;
        };
        match Message::open(&self.secrets, &item) {
            Ok(message) => {
                self.pacer.wait().await;
                let channel = if message.is_sms() { "sms" } else { "email" };
                match tokio::time::timeout(SEND_TIMEOUT, self.notifier.send(&message)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::error!(id = %item.id, channel, error = %e, "message not delivered");
                        return Handled::Failed;
                    }
                    Err(_) => {
                        tracing::error!(id = %item.id, channel, "message delivery timed out");
                        return Handled::Failed;
                    }
                }
                tracing::info!(id = %item.id, channel, "message delivered");
            }
            Err(e) => {
                // Under another key or altered: it will never open.
                tracing::error!(id = %item.id, error = %e, "outbox message cannot be opened: dropped");
            }
        }
        if let Err(e) = self.outbox.remove(&item.id).await {
            tracing::warn!(id = %item.id, error = %e, "outbox item not deleted: its TTL will");
        }
        Handled::Done
    }
}

/// The outbox item a record inserts, unless it is not an outbox insert (an item without its
/// sealed message comes with an empty one, which never opens).
fn outgoing(record: &EventRecord) -> Option<Outgoing> {
    if record.event_name != "INSERT" {
        return None;
    }
    let image = &record.change.new_image;
    let id = match image.get(crate::store::dynamo::names::PK) {
        Some(AttributeValue::S(pk)) => pk.strip_prefix("OUTBOX#")?.to_string(),
        _ => return None,
    };
    let sealed = match image.get("sealed") {
        Some(AttributeValue::B(sealed)) => sealed.clone(),
        _ => Vec::new(),
    };
    Some(Outgoing { id, sealed })
}

#[cfg(test)]
mod tests {
    use super::{Message, Notifier, Outbox, Pacer, StreamSender};
    use crate::crypto::Secrets;
    use crate::notify::{Body, Deliver, Rendered};
    use async_trait::async_trait;
    use aws_lambda_events::dynamodb::Event;
    use aws_lambda_events::streams::DynamoDbEventResponse;
    use musharaka_model::Lang;
    use std::sync::Arc;
    use std::sync::Mutex as StdMutex;
    use std::time::{Duration, SystemTime};
    use tokio::time::Instant;

    fn secrets() -> Secrets {
        Secrets::new(vec![7; 32], [9; 32]).unwrap()
    }

    /// Records what it is given; fails for addresses starting with `fail`.
    #[derive(Default)]
    struct Recorder(StdMutex<Vec<(String, Instant)>>);

    #[async_trait]
    impl Deliver for Recorder {
        async fn deliver(&self, message: &Message, rendered: &Rendered) -> anyhow::Result<()> {
            if message.to.starts_with("fail") {
                anyhow::bail!("refused");
            }
            self.0
                .lock()
                .unwrap()
                .push((rendered.text.clone(), Instant::now()));
            Ok(())
        }
    }

    #[derive(Default)]
    struct Removed(StdMutex<Vec<String>>);

    #[async_trait]
    impl Outbox for Removed {
        async fn remove(&self, id: &str) -> anyhow::Result<()> {
            self.0.lock().unwrap().push(id.to_string());
            Ok(())
        }
    }

    fn sender(rate: u32) -> (StreamSender, Arc<Recorder>, Arc<Removed>) {
        let recorder = Arc::new(Recorder::default());
        let removed = Arc::new(Removed::default());
        let notifier = Notifier {
            origin: "https://musharaka.ma".into(),
            email: recorder.clone(),
            sms: recorder.clone(),
        };
        (
            StreamSender::new(notifier, secrets(), removed.clone(), rate),
            recorder,
            removed,
        )
    }

    fn record(seq: u32, name: &str, pk: &str, sealed: Option<Vec<u8>>) -> serde_json::Value {
        use base64::Engine;
        let mut image = serde_json::json!({"pk": {"S": pk}, "sk": {"S": "OUTBOX"}});
        if let Some(sealed) = sealed {
            image["sealed"] =
                serde_json::json!({"B": base64::engine::general_purpose::STANDARD.encode(sealed)});
        }
        serde_json::json!({
            "eventID": format!("e{seq}"),
            "eventName": name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "eu-west-3",
            "dynamodb": {
                "Keys": {"pk": {"S": pk}, "sk": {"S": "OUTBOX"}},
                "NewImage": image,
                "SequenceNumber": format!("{seq:030}"),
                "SizeBytes": 120,
                "StreamViewType": "NEW_IMAGE"
            }
        })
    }

    fn message(id: &str, to: &str) -> serde_json::Value {
        let m = Message {
            to: to.into(),
            lang: Lang::Fr,
            body: Body::Code {
                code: format!("00000{}", id.len() % 10),
                reference: "K7Q2M9XD".into(),
                title: "Eau potable".into(),
            },
        };
        let sealed = m.seal(&secrets(), id.into()).unwrap();
        record(
            id.len() as u32,
            "INSERT",
            &format!("OUTBOX#{id}"),
            Some(sealed.sealed),
        )
    }

    fn event(records: Vec<serde_json::Value>) -> Event {
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    fn failures(r: &DynamoDbEventResponse) -> Vec<String> {
        r.batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone().unwrap_or_default())
            .collect()
    }

    #[tokio::test]
    async fn delivered_messages_leave_the_outbox_and_other_records_are_ignored() {
        let (sender, recorder, removed) = sender(1000);
        let e = event(vec![
            message("a", "amina@example.ma"),
            record(2, "MODIFY", "OUTBOX#bb", None),
            record(3, "INSERT", "REQ#ccc", None),
            message("dddd", "+212612345678"),
        ]);
        let r = sender.handle(e, None).await;
        assert!(failures(&r).is_empty());
        assert_eq!(*removed.0.lock().unwrap(), ["a", "dddd"]);
        assert_eq!(recorder.0.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn the_first_failure_and_every_later_record_are_retried() {
        let (sender, recorder, removed) = sender(1000);
        let e = event(vec![
            message("a", "amina@example.ma"),
            message("bb", "fail@example.ma"),
            message("ccc", "+212612345678"),
        ]);
        let r = sender.handle(e, None).await;
        assert_eq!(failures(&r), [format!("{:030}", 2), format!("{:030}", 3)]);
        assert_eq!(*removed.0.lock().unwrap(), ["a"]);
        assert_eq!(recorder.0.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_message_that_never_opens_is_dropped_and_a_late_batch_is_retried() {
        let (sender, recorder, removed) = sender(1000);
        let mut bad = message("a", "amina@example.ma");
        bad["dynamodb"]["NewImage"]["pk"]["S"] = "OUTBOX#other".into();
        let r = sender.handle(event(vec![bad]), None).await;
        assert!(failures(&r).is_empty());
        assert_eq!(*removed.0.lock().unwrap(), ["other"]);
        assert!(recorder.0.lock().unwrap().is_empty());
        let r = sender
            .handle(event(vec![record(2, "INSERT", "OUTBOX#bb", None)]), None)
            .await;
        assert!(failures(&r).is_empty());
        assert_eq!(*removed.0.lock().unwrap(), ["other", "bb"]);

        let soon = SystemTime::now() + Duration::from_secs(2);
        let r = sender
            .handle(event(vec![message("a", "amina@example.ma")]), Some(soon))
            .await;
        assert_eq!(failures(&r), [format!("{:030}", 1)]);
        assert!(recorder.0.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn sends_are_paced_across_invocations() {
        let (sender, recorder, _) = sender(20);
        let start = Instant::now();
        sender
            .handle(
                event(vec![
                    message("a", "a@example.ma"),
                    message("bb", "b@example.ma"),
                ]),
                None,
            )
            .await;
        sender
            .handle(event(vec![message("ccc", "c@example.ma")]), None)
            .await;
        let times: Vec<_> = recorder.0.lock().unwrap().iter().map(|(_, t)| *t).collect();
        assert_eq!(times.len(), 3);
        // 50 ms apart, give or take the time each delivery takes after its slot.
        for pair in times.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(35), "{times:?}");
        }
        assert!(
            times[2] - times[0] >= Duration::from_millis(90),
            "{times:?}"
        );
        assert!(start.elapsed() >= Duration::from_millis(100));
    }

    #[test]
    fn the_pacer_spaces_sends_by_the_inverse_of_the_rate() {
        assert_eq!(Pacer::new(0).interval, Duration::from_secs(1));
        assert_eq!(Pacer::new(10).interval, Duration::from_millis(100));
    }
}
