//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in the review handler outside the message path.
///
/// The message path itself never returns an error to IVS: a malformed request, a
/// timeout or an internal failure becomes the pack's fail decision (see
/// [`crate::handler`]). These errors describe configuration and rule-loading problems.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// An environment variable holds a value we cannot use.
    #[error("environment variable {var}: expected {expected}, got {value:?}")]
    BadEnv {
        /// The variable's name.
        var: &'static str,
        /// What a valid value looks like.
        expected: &'static str,
        /// What was found.
        value: String,
    },
    /// The rule pack failed to load or compile.
    #[error("rule pack {origin}: {source}")]
    Rules {
        /// Where the pack came from (path, `s3://bucket/key` or `bundled`).
        origin: String,
        /// What the rules crate reported.
        #[source]
        source: rules::RulesError,
    },
    /// A pack file could not be read.
    #[error("rule pack {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Fetching the pack from S3 failed.
    #[error("rule pack s3://{bucket}/{key}: {detail}")]
    S3 {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// What went wrong (SDK error, timeout, body not UTF-8 ...).
        detail: String,
    },
    /// A state-store call failed. On the message path this is not returned: the
    /// decision degrades as the pack says and the error is counted (see
    /// [`crate::store`]). The detail never names the item (its key holds a user id).
    #[error("state store {table}: {call}: {detail}")]
    Store {
        /// The table.
        table: String,
        /// The DynamoDB call or store op that failed.
        call: &'static str,
        /// What the SDK reported.
        detail: String,
    },
}
