//! Bucket and object setup for tests against moto, through the workspace's one S3 shell
//! ([`aws_shell`]). Test helpers: a failure panics with what failed.

use aws_shell::{Client, S3Url};

use crate::unique_name;

/// Creates a bucket named `prefix` plus a unique suffix; returns its name.
pub async fn create_bucket(client: &Client, prefix: &str) -> String {
    let name = unique_name(prefix);
    if let Err(e) = client.create_bucket().bucket(&name).send().await {
        panic!(
            "create bucket {name}: {}",
            aws_sdk_s3::error::DisplayErrorContext(e)
        );
    }
    name
}

/// Puts `body` as `s3://bucket/key`.
pub async fn put_object(client: &Client, bucket: &str, key: &str, body: Vec<u8>) {
    let url = S3Url::new(bucket, key);
    if let Err(e) = aws_shell::objects::put_bytes(client, &url, body).await {
        panic!("{e}");
    }
}
