//! Serverless functions of the Musharaka portal: accept support signatures and comments,
//! answer counts, let signers check or withdraw their signature. One axum router serves them on AWS Lambda (through `lambda_http`), in
//! `musharaka serve`, and in tests; storage is DynamoDB or an embedded SQLite file.

mod api;
pub mod aws_env;
mod client;
mod committee;
mod committee_page;
mod confirm_page;
pub mod crypto;
pub mod filing;
mod form;
mod form_page;
#[cfg(feature = "test-support")]
pub mod local_runtime;
pub mod logging;
mod messages;
pub mod notify;
mod otp;
pub mod personal;
mod proposal_form;
mod receipt;
pub mod security;
mod settings;
pub mod store;

pub use api::{AppState, Lambda, lambda_router, router, routes_of};
pub use settings::Settings;

/// The state of a Lambda function: settings from the environment and the store named by
/// `MUSHARAKA_STORE` (`dynamodb:TABLE`, or `sqlite:PATH` on one machine).
pub async fn lambda_state() -> anyhow::Result<AppState> {
    let settings = Settings::from_env()?;
    let spec = std::env::var("MUSHARAKA_STORE")
        .map_err(|_| anyhow::anyhow!("environment variable MUSHARAKA_STORE is not set"))?;
    Ok(AppState::new(store::open(&spec).await?, settings))
}
