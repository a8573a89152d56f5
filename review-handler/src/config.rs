//! Handler configuration, parsed from environment variables by a pure function.
//!
//! | Variable | Default | Meaning |
//! |---|---|---|
//! | `RULES_SOURCE` | `bundled` | `bundled`, a file path, or `s3://bucket/key` |
//! | `RULES_RELOAD_SECONDS` | `60` | for `s3://` sources: re-check the object's ETag at most this often (`0` = never) |
//! | `RULES_FETCH_TIMEOUT_MS` | `2000` | timeout of one background S3 re-check |
//! | `REVIEW_DEADLINE_MS` | `150` | internal evaluation budget; past it the fail decision is answered; at most 199 (IVS's limit is 200 ms), or 60000 with `CLOCK=request` |
//! | `DECISION_ATTRIBUTES` | `pack` | `true`/`false` force every pack's `expose_rule_ids` on/off (the enforced rule ids that fired, in the attribute the pack names, `moderation_rules` by default); `pack` or unset: each pack decides |
//! | `HASH_IDENTITIES` | `false` | log `hmac-sha256:<hex>` (keyed with `HASH_KEY`) instead of the user id and IP |
//! | `HASH_KEY` | unset | the secret HMAC key for `HASH_IDENTITIES`, at least 32 bytes; required when hashing is on (startup error otherwise) |
//! | `HASH_SALT` | - | replaced by `HASH_KEY`: setting it is a startup error, so an old deployment does not silently log unkeyed hashes |
//! | `MAX_MESSAGE_LENGTH` | unset | the rooms' `MaximumMessageLength`; when set, it caps every pack's `max_length` in the engine (the smaller wins), so rewrites are clamped to it |
//! | `METRICS_NAMESPACE` | `IvsChatReview` | CloudWatch namespace of the EMF metrics |
//! | `STATE_TABLE` | unset | the DynamoDB table of stateful rules (see [`crate::store`]); unset: no store, a stateful pack degrades on every message (said at init) |
//! | `STORE_DEADLINE_MS` | `30` | the longest wait for one store round trip; clamped to `REVIEW_DEADLINE_MS`, and each round trip also to what is left of that budget |
//! | `CLOCK` | `system` | the time stateful rules and audit lines use: `system`, or `request` (the event's top-level `Time`, RFC 3339 or epoch ms, as `rules eval` reads it; the system clock when absent). `request` is for replays, demos and tests that play recorded chat at its own pace, and lifts `REVIEW_DEADLINE_MS`'s limit to 60000 (moto's DynamoDB is slower than DynamoDB); never set it in a deployment (IVS sends no `Time`, but anyone allowed to invoke the function could then choose the time) |
//!
//! Booleans accept `true/false`, `1/0`, `yes/no`, `on/off` (any case).

use std::path::PathBuf;
use std::time::Duration;

use rules::Engine;

use crate::audit::IdentityKey;
use crate::HandlerError;

/// Where the rule pack comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesSource {
    /// The pack compiled into the `rules` crate.
    Bundled,
    /// A TOML pack file on the local file system (e.g. in a Lambda layer).
    File(PathBuf),
    /// A TOML pack object in S3, re-checked by ETag.
    S3 {
        /// Bucket name.
        bucket: String,
        /// Object key.
        key: String,
    },
}

impl RulesSource {
    /// Parses `bundled`, `s3://bucket/key` or a path.
    pub fn parse(value: &str) -> Result<RulesSource, HandlerError> {
        let value = value.trim();
        if value.is_empty() || value.eq_ignore_ascii_case("bundled") {
            return Ok(RulesSource::Bundled);
        }
        if value.starts_with("s3://") {
            let url = aws_shell::S3Url::parse_object(value).map_err(|_| HandlerError::BadEnv {
                var: "RULES_SOURCE",
                expected: "s3://bucket/key with a non-empty bucket and key",
                value: value.to_string(),
            })?;
            return Ok(RulesSource::S3 {
                bucket: url.bucket,
                key: url.key,
            });
        }
        Ok(RulesSource::File(PathBuf::from(value)))
    }

    /// A human-readable origin for logs and error messages.
    pub fn origin(&self) -> String {
        match self {
            RulesSource::Bundled => "bundled".to_string(),
            RulesSource::File(p) => p.display().to_string(),
            RulesSource::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
        }
    }
}

/// Where the handler takes "now" from (`CLOCK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock (every deployment).
    #[default]
    System,
    /// The event's top-level `Time` ([`rules::state::TIME_FIELD`]), the system clock
    /// when absent: recorded chat replayed at its own pace.
    Request,
}

impl Clock {
    /// "Now" for `event`: Unix milliseconds; `Err` names the field and what was expected
    /// when [`Clock::Request`] finds a `Time` it cannot read.
    pub fn now(self, event: &serde_json::Value) -> Result<rules::state::Millis, String> {
        let system = crate::handler::now_ms;
        match self {
            Clock::System => Ok(system()),
            Clock::Request => Ok(rules::state::time_of(event)?.unwrap_or_else(system)),
        }
    }
}

/// The handler's settings. Build it with [`Config::from_env`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the rule pack comes from.
    pub source: RulesSource,
    /// Minimum interval between S3 ETag re-checks; `None` disables reloading.
    pub reload_every: Option<Duration>,
    /// Timeout of one S3 re-check.
    pub fetch_timeout: Duration,
    /// Internal evaluation budget.
    pub deadline: Duration,
    /// Forces every pack's `expose_rule_ids` on or off; `None`: each pack decides.
    pub decision_attributes: Option<bool>,
    /// The HMAC key when user ids and IPs are hashed in the audit log; `None`: logged
    /// as they are.
    pub identity_key: Option<IdentityKey>,
    /// The rooms' maximum message length in code points, if configured; the pack's
    /// per-room `max_length` applies too (the smaller wins, see [`Config::configure`]).
    pub max_message_length: Option<usize>,
    /// CloudWatch namespace for EMF metrics.
    pub metrics_namespace: String,
    /// The DynamoDB table of stateful rules; `None`: no store.
    pub state_table: Option<String>,
    /// The longest wait for one store round trip (never above [`Config::deadline`]).
    pub store_deadline: Duration,
    /// Where "now" comes from.
    pub clock: Clock,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            source: RulesSource::Bundled,
            reload_every: Some(Duration::from_secs(60)),
            fetch_timeout: Duration::from_millis(2000),
            deadline: Duration::from_millis(150),
            decision_attributes: None,
            identity_key: None,
            max_message_length: None,
            metrics_namespace: "IvsChatReview".to_string(),
            state_table: None,
            store_deadline: Duration::from_millis(DEFAULT_STORE_DEADLINE_MS),
            clock: Clock::System,
        }
    }
}

impl Config {
    /// Applies the deployment-wide overrides to a freshly compiled engine (at cold
    /// start and on every reload): `DECISION_ATTRIBUTES` and the `MAX_MESSAGE_LENGTH`
    /// cap, so that the engine rewrites and clamps to the room's real limit.
    pub fn configure(&self, engine: &mut Engine) {
        if let Some(on) = self.decision_attributes {
            engine.set_expose_rule_ids(on);
        }
        if let Some(limit) = self.max_message_length {
            engine.cap_max_length(limit);
        }
    }

    /// The length limit for a final response check: the pack's limit for the room,
    /// lowered to `MAX_MESSAGE_LENGTH` when that is set.
    pub fn max_length(&self, pack_max: usize) -> usize {
        self.max_message_length
            .map_or(pack_max, |m| m.min(pack_max))
    }

    /// Builds the configuration from `(name, value)` pairs (pass `std::env::vars()`).
    /// Unknown variables are ignored; a known variable with a bad value is an error
    /// naming the variable and what was expected.
    pub fn from_env<I, K, V>(vars: I) -> Result<Config, HandlerError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut c = Config::default();
        let (mut hash_identities, mut hash_key) = (false, None);
        for (k, v) in vars {
            let v = v.as_ref();
            match k.as_ref() {
                "RULES_SOURCE" => c.source = RulesSource::parse(v)?,
                "RULES_RELOAD_SECONDS" => {
                    let secs = parse_u64(
                        "RULES_RELOAD_SECONDS",
                        v,
                        "a whole number of seconds (0 = never)",
                    )?;
                    c.reload_every = (secs > 0).then(|| Duration::from_secs(secs));
                }
                "RULES_FETCH_TIMEOUT_MS" => {
                    c.fetch_timeout = Duration::from_millis(positive("RULES_FETCH_TIMEOUT_MS", v)?);
                }
                "REVIEW_DEADLINE_MS" => {
                    // Checked against the limit below, once `CLOCK` is known.
                    c.deadline = Duration::from_millis(positive("REVIEW_DEADLINE_MS", v)?);
                }
                "DECISION_ATTRIBUTES" => {
                    c.decision_attributes = match v.trim().to_ascii_lowercase().as_str() {
                        "pack" => None,
                        _ => Some(parse_bool("DECISION_ATTRIBUTES", v)?),
                    }
                }
                "HASH_IDENTITIES" => hash_identities = parse_bool("HASH_IDENTITIES", v)?,
                "HASH_KEY" => hash_key = Some(v.to_string()),
                "HASH_SALT" => {
                    return Err(HandlerError::BadEnv {
                        var: "HASH_SALT",
                        expected: "unset: identities are hashed with an HMAC keyed by HASH_KEY",
                        value: "<redacted>".to_string(),
                    })
                }
                "MAX_MESSAGE_LENGTH" => {
                    c.max_message_length = Some(
                        usize::try_from(positive("MAX_MESSAGE_LENGTH", v)?).unwrap_or(usize::MAX),
                    );
                }
                "METRICS_NAMESPACE" => {
                    if v.trim().is_empty() {
                        return Err(HandlerError::BadEnv {
                            var: "METRICS_NAMESPACE",
                            expected: "a non-empty CloudWatch namespace",
                            value: v.to_string(),
                        });
                    }
                    c.metrics_namespace = v.trim().to_string();
                }
                "STATE_TABLE" => {
                    c.state_table = Some(v.trim().to_string()).filter(|t| !t.is_empty());
                }
                "STORE_DEADLINE_MS" => {
                    c.store_deadline = Duration::from_millis(positive("STORE_DEADLINE_MS", v)?);
                }
                "CLOCK" => {
                    c.clock = match v.trim().to_ascii_lowercase().as_str() {
                        "" | "system" => Clock::System,
                        "request" => Clock::Request,
                        _ => {
                            return Err(HandlerError::BadEnv {
                                var: "CLOCK",
                                expected: "system or request",
                                value: v.to_string(),
                            })
                        }
                    }
                }
                _ => {}
            }
        }
        let limit = match c.clock {
            Clock::System => MAX_DEADLINE_MS,
            Clock::Request => MAX_REPLAY_DEADLINE_MS,
        };
        if c.deadline > Duration::from_millis(limit) {
            return Err(HandlerError::BadEnv {
                var: "REVIEW_DEADLINE_MS",
                expected: match c.clock {
                    Clock::System => "milliseconds below IVS's fixed 200 ms limit (1..=199; up to 60000 with CLOCK=request, which serves replays, not IVS)",
                    Clock::Request => "milliseconds up to 60000 (CLOCK=request)",
                },
                value: c.deadline.as_millis().to_string(),
            });
        }
        c.store_deadline = c.store_deadline.min(c.deadline);
        if hash_identities {
            let key = hash_key.unwrap_or_default();
            let redacted = format!("<redacted, {} bytes>", key.len());
            c.identity_key = Some(IdentityKey::new(key.into_bytes()).ok_or(
                HandlerError::BadEnv {
                    var: "HASH_KEY",
                    expected: KEY_EXPECTED,
                    value: redacted,
                },
            )?);
        }
        Ok(c)
    }
}

/// The highest `REVIEW_DEADLINE_MS`: under IVS's fixed 200 ms.
pub const MAX_DEADLINE_MS: u64 = 199;

/// The highest `REVIEW_DEADLINE_MS` with `CLOCK=request`: a replay of recorded chat (the
/// demo, tests against moto's slower DynamoDB) answers no IVS room, so IVS's limit does
/// not bind it.
pub const MAX_REPLAY_DEADLINE_MS: u64 = 60_000;

/// `STORE_DEADLINE_MS` when unset.
pub const DEFAULT_STORE_DEADLINE_MS: u64 = 30;

/// What `HASH_KEY` must hold, for the startup error.
const KEY_EXPECTED: &str = "a secret of at least 32 bytes when HASH_IDENTITIES is on";

fn parse_u64(var: &'static str, v: &str, expected: &'static str) -> Result<u64, HandlerError> {
    v.trim().parse::<u64>().map_err(|_| HandlerError::BadEnv {
        var,
        expected,
        value: v.to_string(),
    })
}

fn positive(var: &'static str, v: &str) -> Result<u64, HandlerError> {
    match parse_u64(var, v, "a positive whole number")? {
        0 => Err(HandlerError::BadEnv {
            var,
            expected: "a positive whole number",
            value: v.to_string(),
        }),
        n => Ok(n),
    }
}

fn parse_bool(var: &'static str, v: &str) -> Result<bool, HandlerError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(HandlerError::BadEnv {
            var,
            expected: "true/false, 1/0, yes/no or on/off",
            value: v.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<Config, HandlerError> {
        Config::from_env(pairs.iter().copied())
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let c = env(&[("PATH", "/bin")]).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.deadline, Duration::from_millis(150));
        assert_eq!(c.decision_attributes, None);
        assert_eq!(c.source, RulesSource::Bundled);
    }

    #[test]
    fn parses_every_variable() {
        let c = env(&[
            ("RULES_SOURCE", "s3://packs/rooms/pack.toml"),
            ("RULES_RELOAD_SECONDS", "5"),
            ("RULES_FETCH_TIMEOUT_MS", "700"),
            ("REVIEW_DEADLINE_MS", "80"),
            ("DECISION_ATTRIBUTES", "ON"),
            ("HASH_IDENTITIES", "yes"),
            ("HASH_KEY", KEY),
            ("MAX_MESSAGE_LENGTH", "1000"),
            ("METRICS_NAMESPACE", "Chat"),
        ])
        .unwrap();
        assert_eq!(
            c.source,
            RulesSource::S3 {
                bucket: "packs".into(),
                key: "rooms/pack.toml".into()
            }
        );
        assert_eq!(c.reload_every, Some(Duration::from_secs(5)));
        assert_eq!(c.fetch_timeout, Duration::from_millis(700));
        assert_eq!(c.deadline, Duration::from_millis(80));
        assert!(c.decision_attributes == Some(true));
        assert_eq!(c.identity_key, IdentityKey::new(KEY.into()));
        for (value, expect) in [("pack", None), ("off", Some(false)), ("", Some(false))] {
            let c = env(&[("DECISION_ATTRIBUTES", value)]).unwrap();
            assert_eq!(c.decision_attributes, expect, "{value}");
        }
        assert_eq!(c.max_message_length, Some(1000));
        assert_eq!(c.metrics_namespace, "Chat");
    }

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn the_clock_is_the_system_one_unless_request_is_asked_for() {
        assert_eq!(env(&[]).unwrap().clock, Clock::System);
        assert_eq!(env(&[("CLOCK", "Request")]).unwrap().clock, Clock::Request);
        assert_eq!(env(&[("CLOCK", "system")]).unwrap().clock, Clock::System);
        let err = env(&[("CLOCK", "event")]).unwrap_err().to_string();
        assert!(
            err.contains("CLOCK") && err.contains("system or request"),
            "{err}"
        );

        let timed = serde_json::json!({"Time": "2026-11-20T19:00:01.500Z", "Content": "hi"});
        let untimed = serde_json::json!({"Content": "hi"});
        assert_eq!(Clock::Request.now(&timed), Ok(1_795_201_201_500));
        let before = crate::handler::now_ms();
        for (clock, event) in [(Clock::System, &timed), (Clock::Request, &untimed)] {
            let now = clock.now(event).unwrap();
            assert!(now >= before && now < before + 60_000, "{clock:?}: {now}");
        }
        // IVS's 200 ms binds the system clock only; a replay may wait longer, in any order.
        for pairs in [
            [("REVIEW_DEADLINE_MS", "5000"), ("CLOCK", "request")],
            [("CLOCK", "request"), ("REVIEW_DEADLINE_MS", "5000")],
        ] {
            let c = env(&pairs).unwrap();
            assert_eq!(c.deadline, Duration::from_millis(5000));
        }
        for (pairs, says) in [
            (vec![("REVIEW_DEADLINE_MS", "200")], "1..=199"),
            (
                vec![("REVIEW_DEADLINE_MS", "5000"), ("CLOCK", "system")],
                "1..=199",
            ),
            (
                vec![("REVIEW_DEADLINE_MS", "60001"), ("CLOCK", "request")],
                "60000",
            ),
        ] {
            let err = env(&pairs).unwrap_err().to_string();
            assert!(
                err.contains("REVIEW_DEADLINE_MS") && err.contains(says),
                "{err}"
            );
        }
        let bad = Clock::Request
            .now(&serde_json::json!({"Time": "soon"}))
            .unwrap_err();
        assert!(bad.contains("`Time`") && bad.contains("RFC 3339"), "{bad}");
    }

    #[test]
    fn hashing_requires_a_long_enough_key_and_never_echoes_it() {
        // Issue 15 finding 10: hashing used to default to an empty salt.
        for pairs in [
            vec![("HASH_IDENTITIES", "true")],
            vec![("HASH_IDENTITIES", "true"), ("HASH_KEY", "")],
            vec![
                ("HASH_IDENTITIES", "on"),
                ("HASH_KEY", "short-secret-31-bytes-long-xxxx"),
            ],
        ] {
            let err = env(&pairs).unwrap_err().to_string();
            assert!(
                err.contains("HASH_KEY") && err.contains("32 bytes"),
                "{err}"
            );
            assert!(
                !err.contains("short-secret"),
                "the key must not be echoed: {err}"
            );
        }
        let c = env(&[("HASH_KEY", KEY), ("HASH_IDENTITIES", "true")]).unwrap();
        assert!(c.identity_key.is_some());
        assert!(
            !format!("{c:?}").contains(KEY),
            "Debug must not print the key"
        );
        // A key without hashing on is unused.
        assert_eq!(env(&[("HASH_KEY", KEY)]).unwrap().identity_key, None);
        let err = env(&[("HASH_SALT", "pepper")]).unwrap_err().to_string();
        assert!(
            err.contains("HASH_SALT") && err.contains("HASH_KEY") && !err.contains("pepper"),
            "{err}"
        );
    }

    #[test]
    fn configure_caps_the_engines_max_length() {
        let mut engine = Engine::compile(&rules::PackSet::bundled_default()).unwrap();
        assert_eq!(engine.max_length(""), 500);
        Config::default().configure(&mut engine);
        assert_eq!(engine.max_length(""), 500);
        let c = Config {
            max_message_length: Some(200),
            ..Config::default()
        };
        c.configure(&mut engine);
        assert_eq!(engine.max_length(""), 200);
        // A larger room limit never raises a pack's own.
        Config {
            max_message_length: Some(900),
            ..Config::default()
        }
        .configure(&mut engine);
        assert_eq!(engine.max_length(""), 200);
    }

    #[test]
    fn max_length_takes_the_smaller_limit() {
        assert_eq!(Config::default().max_length(800), 800);
        let c = Config {
            max_message_length: Some(500),
            ..Config::default()
        };
        assert_eq!(c.max_length(800), 500);
        assert_eq!(c.max_length(300), 300);
    }

    #[test]
    fn state_table_and_a_store_deadline_clamped_to_the_handlers() {
        let c = env(&[("PATH", "/bin")]).unwrap();
        assert_eq!(
            (c.state_table, c.store_deadline),
            (None, Duration::from_millis(30))
        );
        let c = env(&[("STATE_TABLE", " state "), ("STORE_DEADLINE_MS", "45")]).unwrap();
        assert_eq!(c.state_table.as_deref(), Some("state"));
        assert_eq!(c.store_deadline, Duration::from_millis(45));
        // Above the handler's own budget, in either order: clamped to it.
        for pairs in [
            [("STORE_DEADLINE_MS", "500"), ("REVIEW_DEADLINE_MS", "60")],
            [("REVIEW_DEADLINE_MS", "60"), ("STORE_DEADLINE_MS", "500")],
        ] {
            assert_eq!(
                env(&pairs).unwrap().store_deadline,
                Duration::from_millis(60)
            );
        }
        assert_eq!(env(&[("STATE_TABLE", "")]).unwrap().state_table, None);
        let err = env(&[("STORE_DEADLINE_MS", "0")]).unwrap_err().to_string();
        assert!(err.contains("STORE_DEADLINE_MS"), "{err}");
    }

    #[test]
    fn zero_reload_disables_reloading() {
        assert_eq!(
            env(&[("RULES_RELOAD_SECONDS", "0")]).unwrap().reload_every,
            None
        );
    }

    #[test]
    fn sources() {
        assert_eq!(RulesSource::parse("BUNDLED").unwrap(), RulesSource::Bundled);
        assert_eq!(
            RulesSource::parse("/opt/pack.toml").unwrap(),
            RulesSource::File("/opt/pack.toml".into())
        );
        assert_eq!(RulesSource::parse("s3://b/k").unwrap().origin(), "s3://b/k");
        for bad in ["s3://", "s3://bucket", "s3://bucket/", "s3:///key"] {
            assert!(RulesSource::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("REVIEW_DEADLINE_MS", "200"),
            ("REVIEW_DEADLINE_MS", "0"),
            ("REVIEW_DEADLINE_MS", "fast"),
            ("RULES_RELOAD_SECONDS", "-1"),
            ("DECISION_ATTRIBUTES", "maybe"),
            ("MAX_MESSAGE_LENGTH", "0"),
            ("METRICS_NAMESPACE", " "),
        ] {
            let err = env(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(var), "{err}");
        }
    }
}
