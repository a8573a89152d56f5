//! The workspace's one S3 shell: what `review-handler`, `log-ingest` and `replay` all need
//! to talk to S3, written once so that the three agree.
//!
//! - [`S3Url`]: `s3://bucket[/key]`, parsed with errors that say what was expected
//!   (dependency-free: available without the `client` feature);
//! - [`S3Settings`] and [`client`]: the S3 client from the environment, with the
//!   workspace's endpoint and path-style rules (`client` feature);
//! - [`objects`]: get, conditional get, download, put, delete and list (`client` feature);
//! - [`DynamoSettings`] and `dynamodb_client`: the DynamoDB client from the environment,
//!   with the same endpoint rules (`dynamodb` feature; the review handler's state store).
//!
//! See the README for why this is a crate of its own.
#![deny(missing_docs)]

mod error;
mod url;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "dynamodb")]
mod dynamodb;
#[cfg(feature = "client")]
pub mod objects;
mod settings;

#[cfg(feature = "client")]
pub use aws_sdk_s3::Client;
#[cfg(feature = "client")]
pub use client::{client, client_from_env};
#[cfg(feature = "dynamodb")]
pub use dynamodb::{dynamodb_client, dynamodb_client_from_env};
pub use error::{AwsShellError, Op};
pub use settings::{DynamoSettings, S3Settings};
pub use url::S3Url;
