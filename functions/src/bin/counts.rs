//! The `counts` Lambda: serves `/api/counts` from the shared router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    musharaka_functions::logging::init();
    let state = musharaka_functions::lambda_state().await?;
    lambda_http::run(musharaka_functions::lambda_router(
        musharaka_functions::Lambda::Counts,
        state,
    ))
    .await
}
