//! The `notify` Lambda: invoked by the table's stream with new outbox items, delivers each
//! message (SES or SMTP for email, SNS for SMS) and deletes its item; failed records are
//! reported back so that the stream retries them.

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use musharaka_functions::notify::StreamSender;
use musharaka_functions::notify::stream::{DynamoDbEvent, DynamoDbEventResponse};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    musharaka_functions::logging::init();
    let sender = Arc::new(StreamSender::from_env()?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<DynamoDbEvent>| {
        let sender = sender.clone();
        async move {
            let deadline = event.context.deadline();
            Ok::<DynamoDbEventResponse, lambda_runtime::Error>(
                sender.handle(event.payload, Some(deadline)).await,
            )
        }
    }))
    .await
}
