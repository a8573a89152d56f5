//! Dev-only helpers that give tests real local stand-ins for AWS, and the one generator
//! of IVS test data ([`ivs`]):
//!
//! - [`MotoServer`]: a `moto_server` (S3, SQS, Firehose, CloudWatch Logs) on a free
//!   loopback port, with an [`aws_config::SdkConfig`] pointed at it;
//!   [`MotoServer::start_iam_enforced`] starts one that enforces IAM, with principals
//!   ([`Principal`]) made by the test;
//! - [`LocalLambda`]: one of our Lambda binaries running its real `lambda_runtime` loop
//!   against the Runtime API of `cargo lambda watch`, invoked over HTTP;
//! - [`chromium`]: headless Chromium for page tests, and tools found on `PATH`;
//! - [`s3`]: bucket and object setup through the workspace's one S3 shell;
//! - [`Template`]: `infra/template.yaml` with its intrinsics resolved to a test's names,
//!   so tests use the template's own IAM statements and environments;
//! - [`CaptureServer`]: a loopback HTTP server standing in for a service moto lacks (IVS
//!   Chat), recording every request byte for byte and answering as the test says.
//!
//! Both look for their tools in the workspace venv (`.venv/bin`, made by
//! `scripts/setup.sh`), then on `PATH`. A missing tool is an error, never a skipped test.
//! Servers are stopped by PID when their guard drops, and the kernel stops them
//! (`PR_SET_PDEATHSIG`) if the test process dies first.

mod capture;
pub mod chromium;
mod error;
mod iam;
pub mod ivs;
mod lambda;
mod moto;
mod process;
pub mod s3;
mod template;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub use capture::{CaptureServer, CapturedRequest, Reply};
pub use error::SupportError;
pub use iam::{AccessKey, Principal};
pub use lambda::LocalLambda;
pub use moto::{MotoServer, ACCOUNT_ID};
pub use template::{Bindings, Physical, Template, STREAM_LABEL};

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A name unique to this call, safe for S3 buckets, SQS queues, Firehose streams and log
/// groups: lowercase letters, digits and dashes, at most 63 characters.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(30)
        .collect();
    format!("{clean}-{}-{n}-{nanos:x}", std::process::id())
}

/// Finds a tool: `$<ENV_VAR>` if set, else `<workspace>/.venv/bin/<name>`, else `PATH`.
pub(crate) fn find_tool(
    name: &'static str,
    env_var: &str,
    hint: &'static str,
) -> Result<PathBuf, SupportError> {
    if let Some(p) = std::env::var_os(env_var) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(SupportError::ToolMissing {
                tool: name,
                path: p,
                hint,
            })
        };
    }
    let venv = workspace_root().join(".venv").join("bin").join(name);
    if venv.is_file() {
        return Ok(venv);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    on_path.ok_or(SupportError::ToolMissing {
        tool: name,
        path: venv,
        hint,
    })
}

/// Whether `key` is one of the variables cargo sets for the crate a test or build script
/// belongs to (not a cargo setting such as `CARGO_HOME` or `CARGO_TARGET_DIR`).
pub fn is_cargo_test_env(key: &str) -> bool {
    const PREFIXES: [&str; 4] = [
        "CARGO_PKG_",
        "CARGO_BIN_EXE_",
        "CARGO_CFG_",
        "CARGO_MANIFEST_",
    ];
    const NAMES: [&str; 5] = [
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "OUT_DIR",
    ];
    PREFIXES.iter().any(|p| key.starts_with(p)) || NAMES.contains(&key)
}

/// The path of a workspace binary in the target dir of this build profile, after
/// `cargo build --workspace --bins` (once per test process; a quick no-op when it is up to
/// date), so that a test never runs a stale binary of another package.
///
/// Always the whole workspace, never `--bin <name>` alone: cargo unifies dependency
/// features over the packages it builds, so a one-package build compiles the AWS SDK and
/// Arrow again with that package's features (minutes and gigabytes per package, in CI
/// right after `scripts/test.sh` built every binary with the workspace's features).
///
/// In an integration test of the crate that owns the binary, prefer
/// `env!("CARGO_BIN_EXE_<name>")`, which cargo builds for you.
pub fn workspace_binary(name: &str) -> Result<PathBuf, SupportError> {
    static BUILT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    // Test executables live in <target>/<profile>/deps/; binaries in <target>/<profile>/.
    let profile_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .map(|dir| match dir.file_name() {
            Some(name) if name == "deps" => dir.parent().map(Path::to_path_buf).unwrap_or(dir),
            _ => dir,
        })
        .unwrap_or_else(|| workspace_root().join("target").join("debug"));
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(other) => other.to_string(),
    };
    let path = profile_dir.join(name);
    let built = BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = std::process::Command::new(cargo);
        build.current_dir(workspace_root()).args([
            "build",
            "--quiet",
            "--profile",
            &profile,
            "--workspace",
            "--bins",
        ]);
        // What cargo sets for a test process (this crate's manifest dir, package name and
        // version ...) must not reach the build: build scripts that watch those names
        // (ring's `rerun-if-env-changed=CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME` ...) would see
        // them change and rerun, and ring, rustls and the AWS SDK be compiled again.
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(is_cargo_test_env) {
                build.env_remove(&key);
            }
        }
        let out = build.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "cargo build --workspace --bins exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(detail) = built {
        return Err(SupportError::Build {
            bin: name.into(),
            detail: detail.clone(),
        });
    }
    if !path.is_file() {
        return Err(SupportError::Build {
            bin: name.into(),
            detail: format!("no {} after cargo build --workspace --bins", path.display()),
        });
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::is_cargo_test_env;

    #[test]
    fn a_test_s_crate_variables_are_told_from_cargo_settings() {
        for key in [
            "CARGO_MANIFEST_DIR",
            "CARGO_MANIFEST_PATH",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_BIN_EXE_review-handler",
            "CARGO_CRATE_NAME",
            "CARGO_TARGET_TMPDIR",
            "OUT_DIR",
        ] {
            assert!(is_cargo_test_env(key), "{key}");
        }
        for key in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_INCREMENTAL",
            "CARGO_BUILD_JOBS",
            "PATH",
            "MANIFEST_DIR",
        ] {
            assert!(!is_cargo_test_env(key), "{key}");
        }
    }
}
