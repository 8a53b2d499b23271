//! The AWS settings Lambda gives a function (region, credentials, and an endpoint for a local
//! server), read once the same way for DynamoDB, SES and SNS. The region and credential types
//! are the SDK's shared ones, which every service crate re-exports.

use aws_sdk_dynamodb::config::{Credentials, Region};

/// A variable of the environment, unless unset or empty.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// What an AWS client needs from the environment.
pub struct AwsEnv {
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`, else eu-west-3).
    pub region: Region,
    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    pub credentials: Credentials,
    /// The service's endpoint variable, else `AWS_ENDPOINT_URL`: a local server.
    pub endpoint: Option<String>,
}

impl AwsEnv {
    /// Reads them, with `endpoint_var` (`AWS_ENDPOINT_URL_SES`…) for the endpoint.
    pub fn read(endpoint_var: &str) -> anyhow::Result<AwsEnv> {
        let region = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "eu-west-3".into());
        let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
        else {
            anyhow::bail!(
                "AWS credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            );
        };
        Ok(AwsEnv {
            region: Region::new(region),
            credentials: Credentials::new(
                id,
                secret,
                var("AWS_SESSION_TOKEN"),
                None,
                "environment",
            ),
            endpoint: var(endpoint_var).or_else(|| var("AWS_ENDPOINT_URL")),
        })
    }
}
