//! The published site on AWS: its S3 bucket (read a file, write one with its media type,
//! copy a folder down) and its CloudFront distribution (invalidate paths), with clients from
//! the environment as Lambda gives it (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_CLOUDFRONT` or
//! `AWS_ENDPOINT_URL` for a local server).

use anyhow::{Context, Result};
use aws_sdk_s3::primitives::ByteStream;
use musharaka_functions::aws_env::AwsEnv;
use std::path::Path;

/// A bucket holding the built site.
pub(crate) struct Bucket {
    client: aws_sdk_s3::Client,
    /// Its name.
    pub(crate) name: String,
}

impl Bucket {
    /// The bucket `name`, with a client from the environment.
    pub(crate) fn from_env(name: &str) -> Result<Bucket> {
        let env = AwsEnv::read("AWS_ENDPOINT_URL_S3")?;
        let mut config = aws_sdk_s3::config::Builder::new()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(env.region)
            .credentials_provider(env.credentials);
        if let Some(url) = env.endpoint {
            config = config.endpoint_url(url).force_path_style(true);
        }
        Ok(Bucket {
            client: aws_sdk_s3::Client::from_conf(config.build()),
            name: name.to_string(),
        })
    }

    /// The object `key`, or `None` if there is none.
    pub(crate) async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let got = self
            .client
            .get_object()
            .bucket(&self.name)
            .key(key)
            .send()
            .await;
        match got {
            Ok(o) => {
                let body = o.body.collect().await.context("cannot read from S3")?;
                Ok(Some(body.into_bytes().to_vec()))
            }
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => Ok(None),
            Err(e) => {
                Err(anyhow::Error::new(e).context(format!("cannot read s3://{}/{key}", self.name)))
            }
        }
    }

    /// Writes `bytes` as `key`, with the media type its extension says.
    pub(crate) async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.client
            .put_object()
            .bucket(&self.name)
            .key(key)
            .content_type(media_type(key))
            .body(ByteStream::from(bytes))
            .send()
            .await
            .with_context(|| format!("cannot write s3://{}/{key}", self.name))?;
        Ok(())
    }

    /// Copies the objects under `prefix` that `keep` keeps (by their path without the prefix)
    /// into `dir`; returns how many.
    pub(crate) async fn download(
        &self,
        prefix: &str,
        dir: &Path,
        keep: impl Fn(&str) -> bool,
    ) -> Result<usize> {
        let mut n = 0;
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.name)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.with_context(|| format!("cannot list s3://{}/{prefix}", self.name))?;
            for key in page.contents().iter().filter_map(|o| o.key()) {
                let Some(rel) = key.strip_prefix(prefix) else {
                    continue;
                };
                if rel.is_empty() || rel.split('/').any(|p| p == ".." || p.is_empty()) || !keep(rel)
                {
                    continue;
                }
                // Deleted since it was listed: a deployment under way, which the next run sees.
                let Some(bytes) = self.get(key).await? else {
                    continue;
                };
                let path = dir.join(rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, bytes)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// A CloudFront distribution in front of the bucket.
pub(crate) struct Cdn {
    client: aws_sdk_cloudfront::Client,
    /// Its id.
    pub(crate) distribution: String,
}

impl Cdn {
    /// The distribution `id`, with a client from the environment.
    pub(crate) fn from_env(id: &str) -> Result<Cdn> {
        let env = AwsEnv::read("AWS_ENDPOINT_URL_CLOUDFRONT")?;
        let mut config = aws_sdk_cloudfront::config::Builder::new()
            .behavior_version(aws_sdk_cloudfront::config::BehaviorVersion::latest())
            .region(env.region)
            .credentials_provider(env.credentials);
        if let Some(url) = env.endpoint {
            config = config.endpoint_url(url);
        }
        Ok(Cdn {
            client: aws_sdk_cloudfront::Client::from_conf(config.build()),
            distribution: id.to_string(),
        })
    }

    /// Asks the distribution to forget `paths` (`/fr/petitions/x/`, `/*`); returns the
    /// invalidation's id.
    pub(crate) async fn invalidate(&self, paths: &[String], reference: &str) -> Result<String> {
        use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
        let items = paths.to_vec();
        let batch = InvalidationBatch::builder()
            .caller_reference(reference)
            .paths(
                Paths::builder()
                    .quantity(items.len() as i32)
                    .set_items(Some(items))
                    .build()?,
            )
            .build()?;
        let made = self
            .client
            .create_invalidation()
            .distribution_id(&self.distribution)
            .invalidation_batch(batch)
            .send()
            .await
            .with_context(|| format!("cannot invalidate on {}", self.distribution))?;
        Ok(made
            .invalidation()
            .map(|i| i.id().to_string())
            .unwrap_or_default())
    }
}

/// The media type of a file of the site, by its extension.
pub(crate) fn media_type(key: &str) -> &'static str {
    match key.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" if key.ends_with("atom.xml") => "application/atom+xml",
        "xml" => "application/xml",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
