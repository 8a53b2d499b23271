//! Serverless functions of the Musharaka portal: accept support signatures and comments,
//! answer counts, let signers check or withdraw their signature. One axum router serves them on AWS Lambda (through `lambda_http`), in
//! `musharaka serve`, and in tests; storage is DynamoDB or an embedded SQLite file.

pub mod api;
pub mod aws_env;
pub mod client;
pub mod confirm_page;
pub mod crypto;
pub mod filing;
pub mod form;
pub mod local_runtime;
pub mod logging;
pub mod messages;
pub mod notify;
pub mod otp;
pub mod personal;
pub mod receipt;
pub mod security;
pub mod settings;
pub mod store;

pub use api::{AppState, router};
pub use settings::Settings;

/// The state of a Lambda function: settings from the environment and the store named by
/// `MUSHARAKA_STORE` (`dynamodb:TABLE`, or `sqlite:PATH` on one machine).
pub async fn lambda_state() -> anyhow::Result<AppState> {
    let settings = Settings::from_env()?;
    let spec = std::env::var("MUSHARAKA_STORE")
        .map_err(|_| anyhow::anyhow!("environment variable MUSHARAKA_STORE is not set"))?;
    Ok(AppState::new(store::open(&spec).await?, settings))
}
