//! The one error type of the `backtest` crate.

/// What can stop a backtest run.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    /// A pack could not be loaded or compiled, or a report not read or merged.
    #[error(transparent)]
    Rules(#[from] rules::RulesError),
    /// A source could not be listed or opened (replay's reader says where and why).
    #[error(transparent)]
    Read(#[from] replay::ReplayError),
    /// Writing an output failed.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The output file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A report file could not be read.
    #[error("{path}: cannot read: {source}")]
    ReadReport {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
