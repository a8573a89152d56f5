//! A pack named on a command line: a pack file, or `bundled` for the built-in default.

use std::path::Path;

use crate::{PackSet, RulesError};

/// The command-line name of the built-in default pack.
pub const BUNDLED: &str = "bundled";

impl PackSet {
    /// Loads the pack file at `arg`, or the bundled default pack when `arg` is
    /// [`BUNDLED`] (what `rules eval`, `rules backtest` ... accept as PACK).
    pub fn load_or_bundled(arg: &Path) -> Result<PackSet, RulesError> {
        if arg == Path::new(BUNDLED) {
            Ok(PackSet::bundled_default())
        } else {
            PackSet::load(arg)
        }
    }
}
