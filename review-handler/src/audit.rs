//! The structured audit record: one JSON log line per decision.
//!
//! ```json
//! {"kind":"decision","message_id":"m1","room":"abc123DEF456","user_id":"u1","ip":"10.0.0.1",
//!  "result":"DENY","action":"deny","outcome":"evaluated","rules":["slurs"],
//!  "shadow_rules":[],"pack":"default","elapsed_us":41}
//! ```
//!
//! With `HASH_IDENTITIES` the user id and IP are replaced by `sha256:<hex>` of
//! `HASH_SALT` followed by the value, so that decisions stay joinable per user without
//! the log holding the raw identity.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::decision::Decision;

/// `sha256:<hex of sha256(salt || value)>`.
pub fn hash_identity(salt: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(value.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// Builds the audit record of a decision.
pub fn audit_record(d: &Decision, config: &Config) -> Value {
    let identity = |v: &Option<String>| -> Value {
        match v {
            None => Value::Null,
            Some(v) if config.hash_identities => Value::String(hash_identity(&config.hash_salt, v)),
            Some(v) => Value::String(v.clone()),
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
        "result": d.result,
        "action": d.action,
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
    use crate::decision::{Fired, Outcome, RequestFacts};
    use std::time::Duration;

    fn decision(outcome: Outcome) -> Decision {
        Decision {
            response: json!({"ReviewResult": "DENY", "Content": "x"}),
            result: "DENY".into(),
            action: "deny".into(),
            outcome,
            fired: vec![
                Fired {
                    id: "slurs".into(),
                    action: "deny".into(),
                    shadow: false,
                },
                Fired {
                    id: "new-list".into(),
                    action: "deny".into(),
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

    #[test]
    fn identities_are_hashed_on_request() {
        let config = Config {
            hash_identities: true,
            hash_salt: "salt".into(),
            ..Config::default()
        };
        let r = audit_record(&decision(Outcome::Evaluated), &config);
        let user = r["user_id"].as_str().unwrap();
        assert_eq!(user, hash_identity("salt", "user-1"));
        assert!(!r.to_string().contains("user-1") && !r.to_string().contains("192.0.2.7"));
        assert_ne!(
            hash_identity("salt", "user-1"),
            hash_identity("other", "user-1")
        );
    }

    #[test]
    fn known_sha256_vector() {
        // sha256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            hash_identity("", "abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash_identity("a", "bc"), hash_identity("", "abc"));
    }
}
