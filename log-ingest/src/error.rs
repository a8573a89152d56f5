//! The one error type of the `log-ingest` crate.
//!
//! Record-level problems (bad JSON, wrong types, ...) do not stop ingestion: the
//! envelope parser returns them as the record variants ([`IngestError::InvalidJson`],
//! [`IngestError::NotAnEnvelope`], [`IngestError::MissingField`],
//! [`IngestError::InvalidField`]), whose text becomes the reason of a
//! [`crate::QuarantineEntry`], and ingestion goes on. The other variants are for the
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
    /// A record: not valid JSON (syntax error or cut short).
    #[error("not valid JSON: {0}")]
    InvalidJson(String),
    /// A record: valid JSON, but not shaped like an IVS log envelope.
    #[error("not an IVS log envelope: {0}")]
    NotAnEnvelope(String),
    /// A record: the JSON reader failed to read (serde_json's I/O category).
    #[error("read error: {0}")]
    JsonRead(String),
    /// A record: a required field is missing.
    #[error("missing field `{field}`: expected {expected}")]
    MissingField {
        /// The field's path in the envelope, e.g. `payload.Id`.
        field: &'static str,
        /// What the contract requires there.
        expected: &'static str,
    },
    /// A record: a field has a value the contract does not allow.
    #[error("field `{field}`: {problem}")]
    InvalidField {
        /// The field's path in the envelope, e.g. `payload.SendTime`.
        field: &'static str,
        /// The value found and what was expected.
        problem: String,
    },
}

impl IngestError {
    /// True for the record variants: one envelope rejected (quarantined), not a failure
    /// of the source or run.
    pub fn is_record_error(&self) -> bool {
        matches!(
            self,
            IngestError::InvalidJson(_)
                | IngestError::NotAnEnvelope(_)
                | IngestError::JsonRead(_)
                | IngestError::MissingField { .. }
                | IngestError::InvalidField { .. }
        )
    }

    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IngestError::Io {
            path: path.into(),
            source,
        }
    }
}
