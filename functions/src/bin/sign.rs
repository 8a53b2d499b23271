//! The `sign` Lambda: serves `/api/sign` and `/api/signature` (a signer's check or withdrawal)
//! from the shared router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    musharaka_functions::logging::init();
    let state = musharaka_functions::lambda_state().await?;
    lambda_http::run(musharaka_functions::lambda_router(
        musharaka_functions::Lambda::Sign,
        state,
    ))
    .await
}
