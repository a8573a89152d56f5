//! Headless Chromium for page tests (replay's preview, the backtest HTML report), and
//! finding such tools on `PATH`. A missing tool fails the test with a message, it never
//! skips.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The program `name`: `$env` when set, else the first `name` on `PATH`. Panics with
/// the Debian package to install when there is none (tests only).
pub fn tool(name: &str, env: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env) {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` not found on PATH (set {env}); install the Debian package `{name}`")
        })
}

/// What one headless run printed.
#[derive(Debug)]
pub struct Run {
    /// Stdout (the DOM with `--dump-dom`).
    pub stdout: String,
    /// Stderr: Chromium's log, with the page's console messages (`CONSOLE`) as
    /// [`headless`] turns logging on.
    pub stderr: String,
}

/// Runs headless Chromium (`$CHROMIUM` or `chromium`) on `url` with a fresh profile
/// under `work`, no network services of its own, and console logging on stderr; `extra`
/// flags are added (`--dump-dom`, `--virtual-time-budget=...`, `--screenshot=...`).
/// Panics (tests only) when Chromium fails or runs over 90 s.
pub fn headless(work: &Path, url: &str, extra: &[&str]) -> Run {
    let profile = tempfile::tempdir_in(work).unwrap_or_else(|e| panic!("profile dir: {e}"));
    let out = Command::new("timeout")
        .arg("90")
        .arg(tool("chromium", "CHROMIUM"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run chromium: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed on {url}: {stderr}");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}
