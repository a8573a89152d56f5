//! Backtests: what a pack would have done to historical chat, and how that compares
//! with another pack (`--against`) and with what the human moderators did. Pure: the
//! shell (`rules-backtest`, the `backtest/` crate) reads the sources into a
//! [`History`]; this module evaluates, aggregates, diffs, merges and renders.
//!
//! By phase: [`history`] (input model), [`run`] (evaluation and aggregation),
//! [`diff`], [`agreement`], [`report`] (the JSON report and stdout summary),
//! [`merge`] (partition reports into one), [`html`].

pub mod agreement;
pub mod diff;
pub mod history;
pub mod html;
mod merge;
pub mod report;
pub mod run;

pub use agreement::Agreement;
pub use diff::{ChangeKind, Diff};
pub use history::{History, Message, ModAction, ModEvent, RoomArns};
pub use report::{Inputs, PackInfo, Report, FORMAT_VERSION};
pub use run::{backtest, Options, Pack, Schedule};

use crate::RulesError;

impl Report {
    /// Reads a JSON report; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Report, RulesError> {
        let r: Report = serde_json::from_str(text).map_err(|e| {
            RulesError::Backtest(format!(
                "{origin}:{}:{}: expected a backtest JSON report (format_version {FORMAT_VERSION}): {e}",
                e.line(),
                e.column()
            ))
        })?;
        if r.format_version != FORMAT_VERSION {
            return Err(RulesError::Backtest(format!(
                "{origin}: format_version {}, expected {FORMAT_VERSION}",
                r.format_version
            )));
        }
        Ok(r)
    }

    /// The JSON report.
    pub fn to_json(&self) -> String {
        // A report is plain data (string keys): serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
