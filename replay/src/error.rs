//! The one error type of the `replay` crate.
//!
//! Every variant that comes from bad input names where (`source`: a file path or `s3://`
//! URL, plus a line and/or field when known) and what was expected.

use std::path::PathBuf;

/// Everything that can go wrong in `replay`, from parsing to writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A JSON document or line could not be parsed at all.
    #[error("{source_name}:{line}:{column}: invalid JSON: {message}")]
    Json {
        /// File or object the JSON came from.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// 1-based column number.
        column: usize,
        /// What serde_json said.
        message: String,
    },
    /// A field is missing or has the wrong shape.
    #[error("{source_name}:{line}: field `{field}`: expected {expected}")]
    Field {
        /// File or object the record came from.
        source_name: String,
        /// 1-based line number (0 when the whole file is one document).
        line: usize,
        /// Dotted path of the offending field.
        field: String,
        /// What a valid value looks like (and what was found, when useful).
        expected: String,
    },
    /// A chat record was rejected by `log-ingest`'s IVS envelope parser; `reason` names
    /// the field and what was expected (e.g. ``field `payload.SendTime`: ...``).
    #[error("{source_name}:{line}: {reason}")]
    Record {
        /// File or object the record came from.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong and what was expected, as `log-ingest` words it.
        reason: String,
    },
    /// An HLS playlist line could not be understood.
    #[error("{source_name}:{line}: HLS playlist: {message}")]
    Playlist {
        /// Playlist file or object.
        source_name: String,
        /// 1-based line number (0 for whole-file problems).
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A required input file or object does not exist.
    #[error("{source_name}: not found ({what})")]
    NotFound {
        /// Path or `s3://` URL that was looked up.
        source_name: String,
        /// What it was needed for.
        what: String,
    },
    /// An input went past one of the documented bounds (see the README's Limits); what
    /// was read before it is kept.
    #[error("{source_name}: limit: {message}")]
    Limit {
        /// File or object the input came from.
        source_name: String,
        /// Which limit, its value, and what happened to the rest of the input.
        message: String,
    },
    /// The command line or options are inconsistent.
    #[error("invalid option: {0}")]
    Usage(String),
    /// Reading or writing a local file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An S3 request failed.
    #[error("{url}: S3 error: {message}")]
    S3 {
        /// `s3://bucket/key` of the request.
        url: String,
        /// The SDK's error, rendered with its causes.
        message: String,
    },
}

impl ReplayError {
    /// Builds a [`ReplayError::Field`].
    pub fn field(source_name: &str, line: usize, field: &str, expected: impl Into<String>) -> Self {
        ReplayError::Field {
            source_name: source_name.to_owned(),
            line,
            field: field.to_owned(),
            expected: expected.into(),
        }
    }

    /// Builds a [`ReplayError::Json`] from a serde_json error whose line/column are
    /// relative to a line that starts at `line_base` (0 for whole documents).
    pub fn json(source_name: &str, line_base: usize, err: &serde_json::Error) -> Self {
        ReplayError::Json {
            source_name: source_name.to_owned(),
            line: line_base + err.line().max(1) - usize::from(line_base > 0),
            column: err.column(),
            message: strip_position(&err.to_string()),
        }
    }

    /// Adds `lines` to the line number of a located input error (for a piece of a file
    /// parsed on its own, starting after `lines` lines). Other errors are unchanged.
    pub fn shift_line(&mut self, lines: usize) {
        match self {
            ReplayError::Json { line, .. }
            | ReplayError::Field { line, .. }
            | ReplayError::Record { line, .. }
                if *line > 0 =>
            {
                *line += lines
            }
            _ => {}
        }
    }

    /// Builds a [`ReplayError::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ReplayError::Io {
            path: path.into(),
            source,
        }
    }
}

/// serde_json appends " at line L column C"; we report the position ourselves.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Result alias for this crate.
pub type Result<T, E = ReplayError> = std::result::Result<T, E>;
