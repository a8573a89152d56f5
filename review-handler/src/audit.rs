//! The structured audit record: one JSON log line per decision.
//!
//! ```json
//! {"kind":"decision","message_id":"m1","room":"abc123DEF456","user_id":"u1","ip":"10.0.0.1",
//!  "result":"DENY","action":"deny","outcome":"evaluated","rules":["slurs"],
//!  "shadow_rules":[],"pack":"default","elapsed_us":41}
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
use serde_json::{json, Value};
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

/// Builds the audit record of a decision.
pub fn audit_record(d: &Decision, config: &Config) -> Value {
    let identity = |v: &Option<String>| -> Value {
        match v {
            None => Value::Null,
            Some(v) => match &config.identity_key {
                Some(key) => Value::String(hash_identity(key, v)),
                None => Value::String(v.clone()),
            },
        }
    };
    let ids = |shadow: bool| -> Vec<&str> {
        d.fired
            .iter()
            .filter(|f| f.shadow == shadow)
            .map(|f| f.id.as_str())
            .collect()
    };
    let mut record = json!({
        "kind": "decision",
        "message_id": d.request.message_id,
        "room": d.request.room_id(),
        "user_id": identity(&d.request.user_id),
        "ip": identity(&d.request.ip),
        "result": d.result.as_str(),
        "action": d.action.as_str(),
        "outcome": d.outcome.label(),
        "rules": ids(false),
        "shadow_rules": ids(true),
        "pack": d.pack,
        "elapsed_us": u64::try_from(d.elapsed.as_micros()).unwrap_or(u64::MAX),
    });
    if let (Some(detail), Some(map)) = (d.outcome.detail(), record.as_object_mut()) {
        map.insert("detail".into(), Value::String(detail.to_string()));
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{DecisionAction, Fired, Outcome, RequestFacts};
    use rules::{Action, ReviewResult, Verdict};
    use std::time::Duration;

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
                },
                Fired {
                    id: "new-list".into(),
                    action: Action::Deny,
                    shadow: true,
                },
            ],
            pack: "default".into(),
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
        let r = audit_record(&decision(Outcome::Evaluated), &Config::default());
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
    }

    #[test]
    fn failures_carry_their_detail() {
        let r = audit_record(
            &decision(Outcome::Malformed("missing field `Content`".into())),
            &Config::default(),
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
        let r = audit_record(&decision(Outcome::Evaluated), &config);
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
