//! The one error type of the `log-ingest` crate.
//!
//! Record-level problems (bad JSON, wrong types, ...) are *not* errors: they become
//! [`crate::QuarantineEntry`] values and ingestion goes on. `IngestError` is for the
//! things that stop one source or one run: I/O on outputs, Parquet encoding, bad
//! command-line or event input that is not a chat record at all.

use std::path::PathBuf;

/// Why a source, a sink or a run failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Reading or writing a local file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Arrow or Parquet refused to build or encode a batch.
    #[error("parquet output {path}: {detail}")]
    Parquet {
        /// The output file.
        path: PathBuf,
        /// What arrow/parquet said.
        detail: String,
    },
    /// A Lambda event did not have the expected shape.
    #[error("event: {0}")]
    Event(String),
    /// A command-line argument or environment setting is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// A source went past a bound that cannot be handled by counting (see
    /// [`crate::limits::Limits`]); the message names the bound.
    #[error("limit: {0}")]
    Limit(String),
    /// An AWS call (S3) failed.
    #[error("aws: {0}")]
    Aws(String),
}

impl IngestError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IngestError::Io {
            path: path.into(),
            source,
        }
    }
}
