//! The audit line: one JSON line per decision, a [`rules::audit::DecisionRecord`] (the
//! one definition of the line, shared with `log-ingest`'s decisions table).
//!
//! ```json
//! {"kind":"decision","time":"2026-12-01T15:04:05.123Z","message_id":"m1","room":"abc123DEF456",
//!  "user_id":"u1","ip":"10.0.0.1","result":"DENY","action":"deny","outcome":"evaluated",
//!  "rules":["slurs"],"categories":["hate"],"shadow_rules":[],"pack":"default",
//!  "pack_version":null,"elapsed_us":41}
//! ```
//!
//! With `HASH_IDENTITIES` the user id and IP are replaced by
//! `hmac-sha256:<hex>`, an HMAC-SHA256 keyed with the deployer's secret `HASH_KEY`, so
//! that decisions stay joinable per user without the log holding the raw identity. An
//! unkeyed (or publicly salted) hash is not enough: IPv4 has only 2^32 addresses and user
//! ids are often guessable, so anyone with the log could hash every candidate; without
//! the key they cannot.
//!
//! The `detail` of a failure never carries the message text or other request values
//! (see [`crate::decide`]): malformed-request details are computed on a redacted copy.

use hmac::{Hmac, KeyInit, Mac};
use rules::audit::{rfc3339_millis, DecisionRecord, RecordKind};
use serde_json::Value;
use sha2::Sha256;

use crate::config::Config;
use crate::decision::Decision;

/// Shortest accepted `HASH_KEY`, in bytes (the HMAC-SHA256 output size: a shorter key
/// would be the weakest part).
pub const MIN_KEY_BYTES: usize = 32;

/// The secret key of identity hashing. Its `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityKey(Vec<u8>);

impl IdentityKey {
    /// The key, if it has at least [`MIN_KEY_BYTES`] bytes.
    pub fn new(key: Vec<u8>) -> Option<IdentityKey> {
        (key.len() >= MIN_KEY_BYTES).then_some(IdentityKey(key))
    }
}

impl std::fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdentityKey(<redacted, {} bytes>)", self.0.len())
    }
}

/// `hmac-sha256:<hex of HMAC-SHA256(key, value)>`.
pub fn hash_identity(key: &IdentityKey, value: &str) -> String {
    let mut out = String::with_capacity(12 + 64);
    out.push_str("hmac-sha256:");
    // HMAC takes keys of any length, so this never fails.
    if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.0) {
        mac.update(value.as_bytes());
        for b in mac.finalize().into_bytes() {
            out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
            out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
        }
    }
    out
}

/// The audit record of a decision written at `now_ms` (Unix time, milliseconds).
pub fn decision_record(d: &Decision, config: &Config, now_ms: u64) -> DecisionRecord {
    let identity = |v: &Option<String>| -> Option<String> {
        let v = v.as_ref()?;
        Some(match &config.identity_key {
            Some(key) => hash_identity(key, v),
            None => v.clone(),
        })
    };
    let enforced = || d.fired.iter().filter(|f| !f.shadow);
    DecisionRecord {
        kind: RecordKind::Decision,
        time: rfc3339_millis(i64::try_from(now_ms).unwrap_or(i64::MAX)),
        message_id: d.request.message_id.clone(),
        room: d.request.room_id().map(str::to_string),
        user_id: identity(&d.request.user_id),
        ip: identity(&d.request.ip),
        result: d.result,
        action: d.action,
        outcome: d.outcome.kind(),
        rules: enforced().map(|f| f.id.clone()).collect(),
        categories: enforced().map(|f| f.category.clone()).collect(),
        shadow_rules: d
            .fired
            .iter()
            .filter(|f| f.shadow)
            .map(|f| f.id.clone())
            .collect(),
        pack: d.pack.clone(),
        pack_version: d.pack_version.clone(),
        elapsed_us: u64::try_from(d.elapsed.as_micros()).unwrap_or(u64::MAX),
        detail: d.outcome.detail().map(str::to_string),
    }
}

/// The audit record of a decision as JSON (see [`decision_record`]).
pub fn audit_record(d: &Decision, config: &Config, now_ms: u64) -> Value {
    // A struct of strings, numbers and named enums always serialises.
    serde_json::to_value(decision_record(d, config, now_ms)).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{DecisionAction, Fired, Outcome, RequestFacts};
    use rules::{Action, ReviewResult, Verdict};
    use serde_json::json;
    use std::time::Duration;

    /// 2023-01-05T14:33:32.894Z.
    const NOW_MS: u64 = 1_672_929_212_894;

    fn decision(outcome: Outcome) -> Decision {
        Decision {
            response: json!({"ReviewResult": "DENY", "Content": "x"}),
            result: ReviewResult::Deny,
            action: DecisionAction::Verdict(Verdict::Deny),
            outcome,
            fired: vec![
                Fired {
                    id: "slurs".into(),
                    action: Action::Deny,
                    shadow: false,
                    category: Some("hate".into()),
                },
                Fired {
                    id: "new-list".into(),
                    action: Action::Deny,
                    shadow: true,
                    category: None,
                },
            ],
            pack: "default".into(),
            pack_version: Some("\"etag-1\"".into()),
            request: RequestFacts {
                message_id: Some("m1".into()),
                room_arn: Some("arn:aws:ivschat:us-west-2:123456789012:room/abc".into()),
                user_id: Some("user-1".into()),
                ip: Some("192.0.2.7".into()),
            },
            elapsed: Duration::from_micros(42),
        }
    }

    #[test]
    fn record_has_every_field() {
        let r = audit_record(&decision(Outcome::Evaluated), &Config::default(), NOW_MS);
        assert_eq!(r["kind"], "decision");
        assert_eq!(r["message_id"], "m1");
        assert_eq!(r["room"], "abc");
        assert_eq!(r["user_id"], "user-1");
        assert_eq!(r["ip"], "192.0.2.7");
        assert_eq!(r["result"], "DENY");
        assert_eq!(r["action"], "deny");
        assert_eq!(r["outcome"], "evaluated");
        assert_eq!(r["rules"], json!(["slurs"]));
        assert_eq!(r["shadow_rules"], json!(["new-list"]));
        assert_eq!(r["pack"], "default");
        assert_eq!(r["elapsed_us"], 42);
        assert!(r.get("detail").is_none());
        assert_eq!(r["time"], "2023-01-05T14:33:32.894Z");
        assert_eq!(r["categories"], json!(["hate"]));
        assert_eq!(r["pack_version"], "\"etag-1\"");
    }

    #[test]
    fn the_line_parses_back_as_the_shared_record() {
        let d = decision(Outcome::Timeout);
        let line = audit_record(&d, &Config::default(), NOW_MS).to_string();
        match rules::audit::parse_line(&line) {
            rules::audit::Line::Decision(r) => {
                assert_eq!(*r, decision_record(&d, &Config::default(), NOW_MS));
                assert_eq!(r.outcome, rules::audit::DecisionOutcome::Timeout);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn failures_carry_their_detail() {
        let r = audit_record(
            &decision(Outcome::Malformed("missing field `Content`".into())),
            &Config::default(),
            NOW_MS,
        );
        assert_eq!(r["outcome"], "malformed");
        assert_eq!(r["detail"], "missing field `Content`");
    }

    fn key(byte: u8, len: usize) -> IdentityKey {
        IdentityKey::new(vec![byte; len]).unwrap()
    }

    #[test]
    fn identities_are_hashed_on_request() {
        let config = Config {
            identity_key: Some(key(7, 32)),
            ..Config::default()
        };
        let r = audit_record(&decision(Outcome::Evaluated), &config, NOW_MS);
        let user = r["user_id"].as_str().unwrap();
        assert_eq!(user, hash_identity(&key(7, 32), "user-1"));
        assert!(
            user.starts_with("hmac-sha256:") && user.len() == 12 + 64,
            "{user}"
        );
        assert!(!r.to_string().contains("user-1") && !r.to_string().contains("192.0.2.7"));
        assert_ne!(
            hash_identity(&key(7, 32), "user-1"),
            hash_identity(&key(8, 32), "user-1")
        );
    }

    #[test]
    fn keys_shorter_than_32_bytes_are_refused() {
        assert!(IdentityKey::new(vec![1; 31]).is_none());
        assert!(IdentityKey::new(Vec::new()).is_none());
        assert_eq!(
            format!("{:?}", key(b'k', 40)),
            "IdentityKey(<redacted, 40 bytes>)"
        );
    }

    #[test]
    fn known_hmac_sha256_vector() {
        // RFC 4231 test case 6: a 131-byte key of 0xaa.
        assert_eq!(
            hash_identity(
                &key(0xaa, 131),
                "Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "hmac-sha256:60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
