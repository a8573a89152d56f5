//! The crate's one error type.

use std::path::PathBuf;

/// An S3 operation, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `GetObject`.
    Get,
    /// `PutObject`.
    Put,
    /// `DeleteObject`.
    Delete,
    /// `ListObjectsV2`.
    List,
}

impl Op {
    /// The verb used in messages (`get`, `put`, `delete`, `list`).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::Put => "put",
            Op::Delete => "delete",
            Op::List => "list",
        }
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in the S3 shell.
#[derive(Debug, thiserror::Error)]
pub enum AwsShellError {
    /// Text that should be an `s3://` URL is not one.
    #[error("{text:?}: expected {expected}")]
    Url {
        /// The text as given.
        text: String,
        /// What a valid URL looks like, and what was wrong.
        expected: String,
    },
    /// An S3 call failed; `detail` carries the SDK's whole error chain.
    #[error("{op} {url}: {detail}")]
    S3 {
        /// The operation.
        op: Op,
        /// The object or prefix, as `s3://bucket/key`.
        url: String,
        /// What the SDK (or the body stream) reported.
        detail: String,
    },
    /// A local file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
