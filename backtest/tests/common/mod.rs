//! Shared by the backtest's integration tests.
#![allow(dead_code)]

pub mod chat;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `rules-backtest` of this build.
pub fn rules_backtest() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rules-backtest"))
}

/// The `rules` CLI (cargo does not build a dependency's binaries for our tests:
/// `test_support::workspace_binary` does, with the workspace's features).
pub fn rules_cli() -> PathBuf {
    test_support::workspace_binary("rules").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a program; returns its output.
pub fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap()
}

/// Stdout and stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A JSON file.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
