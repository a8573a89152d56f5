//! `rules-backtest` (run as `rules backtest`): the shell around `rules::backtest`. It
//! reads the sources with replay's readers ([`read`]), turns replay's records into the
//! backtest's input model ([`convert`]), runs the pure backtest and writes the reports.

#![deny(missing_docs)]

pub mod convert;
mod error;
pub mod read;

pub use error::BacktestError;
