//! The `committee` Lambda: serves `/api/propose`, `/api/join`, `/api/seat` and
//! `/api/committee` (citizens' proposals and their committees) from the shared router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    musharaka_functions::logging::init();
    let state = musharaka_functions::lambda_state().await?;
    lambda_http::run(musharaka_functions::lambda_router(
        musharaka_functions::Lambda::Committee,
        state,
    ))
    .await
}
