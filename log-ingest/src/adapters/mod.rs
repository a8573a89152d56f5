//! Pure adapters between Lambda event shapes and the ingestion core (no AWS calls, no async).

pub mod cloudwatch;
pub mod firehose;
pub mod s3_event;
