//! Hot reload of an S3 rule pack, off the message path.
//!
//! A background task wakes every `RULES_RELOAD_SECONDS`, asks S3 for the object with
//! `If-None-Match: <last seen ETag>` under `RULES_FETCH_TIMEOUT_MS`, compiles a changed
//! pack on a blocking thread and swaps it in atomically ([`arc_swap::ArcSwap`]): requests
//! in flight finish on the engine they loaded. A pack that fails to parse or compile is
//! rejected, the last good engine stays, and an `ERROR` line says why. The rejected ETag
//! is remembered, so the same bad object is reported once, not on every check.
//!
//! In Lambda the environment is frozen between invocations, so checks only run while
//! invocations are being served; the interval is wall-clock, so the first check after a
//! long idle period happens right away (in the background, never delaying the message).

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use aws_sdk_s3::Client;
use serde_json::{json, Value};

use crate::config::Config;
use crate::s3::fetch_if_changed;
use crate::source::{compile_text, Loaded};

/// What one check did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// The ETag is unchanged.
    Unchanged,
    /// A new pack was compiled and swapped in.
    Reloaded {
        /// Its ETag.
        etag: String,
    },
    /// A new object failed to load; the last good engine is kept.
    Rejected {
        /// The rejected ETag.
        etag: String,
        /// Why (file, line, rule ...).
        error: String,
    },
    /// S3 could not be asked (timeout, network, permissions); nothing changed.
    FetchFailed {
        /// Why.
        error: String,
    },
}

/// The operational log line for an outcome (`None` for [`ReloadOutcome::Unchanged`]).
pub fn reload_record(origin: &str, outcome: &ReloadOutcome) -> Option<Value> {
    match outcome {
        ReloadOutcome::Unchanged => None,
        ReloadOutcome::Reloaded { etag } => Some(json!({
            "kind": "rules_reload", "level": "INFO", "origin": origin, "etag": etag,
            "message": "rule pack reloaded",
        })),
        ReloadOutcome::Rejected { etag, error } => Some(json!({
            "kind": "rules_reload", "level": "ERROR", "origin": origin, "etag": etag, "error": error,
            "message": "REJECTED new rule pack; keeping the last good pack",
        })),
        ReloadOutcome::FetchFailed { error } => Some(json!({
            "kind": "rules_reload", "level": "WARN", "origin": origin, "error": error,
            "message": "rule pack check failed; keeping the current pack",
        })),
    }
}

/// Re-checks one S3 pack object and swaps new engines in.
pub struct Reloader {
    client: Client,
    bucket: String,
    key: String,
    config: Arc<Config>,
    engines: Arc<ArcSwap<Loaded>>,
    last_seen: Option<String>,
}

impl Reloader {
    /// A reloader for `s3://bucket/key`; `engines` holds the engine loaded at init
    /// (its ETag is the first one compared). Each check is bounded by
    /// `config.fetch_timeout`, and [`Config::configure`] is applied to every new engine
    /// (`DECISION_ATTRIBUTES`, the `MAX_MESSAGE_LENGTH` cap), as at cold start.
    pub fn new(
        client: Client,
        bucket: String,
        key: String,
        config: Arc<Config>,
        engines: Arc<ArcSwap<Loaded>>,
    ) -> Reloader {
        let last_seen = engines.load().etag.clone();
        Reloader {
            client,
            bucket,
            key,
            config,
            engines,
            last_seen,
        }
    }

    fn origin(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    /// One check: fetch if changed, compile, swap.
    pub async fn check_once(&mut self) -> ReloadOutcome {
        let fetch = fetch_if_changed(
            &self.client,
            &self.bucket,
            &self.key,
            self.last_seen.as_deref(),
        );
        let fetch_timeout = self.config.fetch_timeout;
        let object = match tokio::time::timeout(fetch_timeout, fetch).await {
            Err(_) => {
                return ReloadOutcome::FetchFailed {
                    error: format!("timed out after {fetch_timeout:?}"),
                }
            }
            Ok(Err(e)) => {
                return ReloadOutcome::FetchFailed {
                    error: e.to_string(),
                }
            }
            Ok(Ok(None)) => return ReloadOutcome::Unchanged,
            Ok(Ok(Some(object))) => object,
        };
        self.last_seen = Some(object.etag.clone());
        let origin = self.origin();
        let compile_origin = origin.clone();
        let body = object.body;
        let compiled =
            tokio::task::spawn_blocking(move || compile_text(&body, &compile_origin, None)).await;
        match compiled {
            Ok(Ok(mut engine)) => {
                self.config.configure(&mut engine);
                let etag = object.etag;
                self.engines.store(Arc::new(Loaded {
                    engine,
                    origin,
                    etag: Some(etag.clone()),
                }));
                ReloadOutcome::Reloaded { etag }
            }
            Ok(Err(e)) => ReloadOutcome::Rejected {
                etag: object.etag,
                error: e.to_string(),
            },
            Err(e) => ReloadOutcome::Rejected {
                etag: object.etag,
                error: format!("compile task failed: {e}"),
            },
        }
    }

    /// Runs [`Reloader::check_once`] every `every`, logging each change as one JSON line.
    pub fn spawn(mut self, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await; // the first tick is immediate; init just loaded the pack
            loop {
                ticker.tick().await;
                let outcome = self.check_once().await;
                if let Some(line) = reload_record(&self.origin(), &outcome) {
                    println!("{line}");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_is_loud_and_names_the_error() {
        let r = reload_record(
            "s3://b/k",
            &ReloadOutcome::Rejected {
                etag: "\"e1\"".into(),
                error: "pack.toml:3:1: bad".into(),
            },
        )
        .unwrap();
        assert_eq!(r["level"], "ERROR");
        assert_eq!(r["etag"], "\"e1\"");
        assert_eq!(r["error"], "pack.toml:3:1: bad");
        assert!(r["message"]
            .as_str()
            .unwrap()
            .contains("keeping the last good pack"));
    }

    #[test]
    fn unchanged_is_silent() {
        assert!(reload_record("s3://b/k", &ReloadOutcome::Unchanged).is_none());
        let r = reload_record("s3://b/k", &ReloadOutcome::Reloaded { etag: "x".into() }).unwrap();
        assert_eq!(r["level"], "INFO");
        let r = reload_record(
            "s3://b/k",
            &ReloadOutcome::FetchFailed {
                error: "timeout".into(),
            },
        )
        .unwrap();
        assert_eq!(r["level"], "WARN");
    }
}
