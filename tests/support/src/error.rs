//! The one error type of the test-support crate.

use std::path::PathBuf;

/// Why a local stand-in could not be started or used.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// A tool (moto_server, cargo-lambda, a Lambda binary) is not installed where we look.
    #[error("{tool} not found at {path}: {hint}")]
    ToolMissing {
        /// What we looked for.
        tool: &'static str,
        /// Where we looked.
        path: PathBuf,
        /// How to install it.
        hint: &'static str,
    },
    /// Spawning a process failed.
    #[error("could not start {what}: {source}")]
    Spawn {
        /// What we tried to start.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A started server exited or did not answer in time.
    #[error("{what} did not become ready: {detail} (log: {log})")]
    NotReady {
        /// Which server.
        what: String,
        /// What went wrong.
        detail: String,
        /// Where its output went.
        log: PathBuf,
    },
    /// An HTTP call to a local server failed.
    #[error("HTTP call to {url} failed: {detail}")]
    Http {
        /// The URL called.
        url: String,
        /// The transport error or status.
        detail: String,
    },
    /// A response was not the JSON we expected.
    #[error("response from {url} is not JSON: {source}; body: {body}")]
    BadJson {
        /// The URL called.
        url: String,
        /// The parse error.
        source: serde_json::Error,
        /// The body, lossily decoded.
        body: String,
    },
    /// `infra/template.yaml` (or a policy file) could not be read or resolved.
    #[error("{at}: {detail}")]
    Template {
        /// Where (file, or path of the value in the template).
        at: String,
        /// What is wrong.
        detail: String,
    },
    /// `cargo build` of a workspace binary failed.
    #[error("building binary {bin} failed: {detail}")]
    Build {
        /// The binary name.
        bin: String,
        /// What cargo said.
        detail: String,
    },
}
