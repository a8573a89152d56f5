//! CloudWatch Embedded Metric Format (EMF) records, written as JSON lines on stdout:
//! CloudWatch Logs extracts the metrics, so the message path makes no network call.
//!
//! Per decision, one record in the configured namespace with
//! - `Decisions` (Count), `FailDecisions` (Count, 1 when the fail decision was answered)
//!   and `EvaluationLatency` (Microseconds),
//! - dimension sets `[]`, `[Action]`, `[Room, Action]` and `[Outcome]`;
//!
//! and per fired rule one record with `RuleFired` (Count), dimension sets
//! `[Rule, Mode]` and `[Room, Rule, Mode]` (`Mode` is `enforced` or `shadow`).
//!
//! When the message used the state store (or degraded without it), one more record
//! ([`store_record`]) with `StoreRoundTrips` (Count), `StoreErrors` (Count: round trips
//! that failed or missed the deadline), `DegradedDecisions` (Count) and `StoreLatency`
//! (Microseconds, all round trips of the message), dimension sets `[]` and `[Room]`.
//!
//! The alarms in `infra/template.yaml` use `FailDecisions` without dimensions (and, for
//! the store, `StoreErrors` and `DegradedDecisions`).

use serde_json::{json, Value};

use crate::decision::{Decision, Outcome};
use crate::store::StoreUse;

/// Room dimension value when the request had no readable room ARN.
pub const UNKNOWN_ROOM: &str = "unknown";

/// The EMF records of one decision; `timestamp_ms` is the Unix time in milliseconds.
pub fn emf_records(d: &Decision, namespace: &str, timestamp_ms: u64) -> Vec<Value> {
    let room = d.request.room_id().unwrap_or(UNKNOWN_ROOM);
    let mut out = Vec::with_capacity(1 + d.fired.len());
    out.push(json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [[], ["Action"], ["Room", "Action"], ["Outcome"]],
                "Metrics": [
                    {"Name": "Decisions", "Unit": "Count"},
                    {"Name": "FailDecisions", "Unit": "Count"},
                    {"Name": "EvaluationLatency", "Unit": "Microseconds"}
                ]
            }]
        },
        "Action": d.action.as_str(),
        "Room": room,
        "Outcome": d.outcome.label(),
        "Decisions": 1,
        "FailDecisions": u8::from(d.outcome.is_failure()),
        "EvaluationLatency": u64::try_from(d.elapsed.as_micros()).unwrap_or(u64::MAX),
    }));
    for f in &d.fired {
        out.push(json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [["Rule", "Mode"], ["Room", "Rule", "Mode"]],
                    "Metrics": [{"Name": "RuleFired", "Unit": "Count"}]
                }]
            },
            "Rule": f.id,
            "Mode": if f.shadow { "shadow" } else { "enforced" },
            "Room": room,
            "RuleFired": 1,
        }));
    }
    out
}

/// The store record of a decision, or `None` when it neither used the store nor
/// degraded for the lack of one.
pub fn store_record(
    d: &Decision,
    used: &StoreUse,
    namespace: &str,
    timestamp_ms: u64,
) -> Option<Value> {
    let degraded = d.outcome == Outcome::Degraded;
    if used.round_trips == 0 && used.errors == 0 && !degraded {
        return None;
    }
    Some(json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [[], ["Room"]],
                "Metrics": [
                    {"Name": "StoreRoundTrips", "Unit": "Count"},
                    {"Name": "StoreErrors", "Unit": "Count"},
                    {"Name": "DegradedDecisions", "Unit": "Count"},
                    {"Name": "StoreLatency", "Unit": "Microseconds"}
                ]
            }]
        },
        "Room": d.request.room_id().unwrap_or(UNKNOWN_ROOM),
        "StoreRoundTrips": used.round_trips,
        "StoreErrors": used.errors,
        "DegradedDecisions": u8::from(degraded),
        "StoreLatency": u64::try_from(used.latency.as_micros()).unwrap_or(u64::MAX),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{DecisionAction, Fired, Outcome, RequestFacts};
    use rules::{Action, ReviewResult, Verdict};
    use std::time::Duration;

    fn decision(fired: Vec<Fired>, outcome: Outcome, room: Option<&str>) -> Decision {
        Decision {
            response: json!({}),
            result: ReviewResult::Allow,
            action: DecisionAction::Verdict(Verdict::Rewrite),
            outcome,
            fired,
            pack: "p".into(),
            pack_version: None,
            request: RequestFacts {
                room_arn: room.map(str::to_string),
                ..RequestFacts::default()
            },
            elapsed: Duration::from_micros(17),
        }
    }

    /// Every dimension named in a directive must be a string member of the record, and
    /// every metric a number member: that is what CloudWatch requires to extract it.
    fn assert_valid_emf(record: &Value) {
        let aws = &record["_aws"];
        assert!(aws["Timestamp"].is_u64());
        for directive in aws["CloudWatchMetrics"].as_array().unwrap() {
            assert!(directive["Namespace"].is_string());
            for set in directive["Dimensions"].as_array().unwrap() {
                for dim in set.as_array().unwrap() {
                    let name = dim.as_str().unwrap();
                    assert!(
                        record[name].is_string(),
                        "dimension {name} missing in {record}"
                    );
                }
            }
            for metric in directive["Metrics"].as_array().unwrap() {
                let name = metric["Name"].as_str().unwrap();
                assert!(
                    record[name].is_number(),
                    "metric {name} missing in {record}"
                );
            }
        }
    }

    #[test]
    fn one_record_per_decision_plus_one_per_rule() {
        let fired = vec![
            Fired {
                id: "a".into(),
                action: Action::Mask,
                shadow: false,
                category: None,
            },
            Fired {
                id: "b".into(),
                action: Action::Deny,
                shadow: true,
                category: None,
            },
        ];
        let records = emf_records(
            &decision(
                fired,
                Outcome::Evaluated,
                Some("arn:aws:ivschat:us-east-1:1:room/r1"),
            ),
            "NS",
            1_700_000_000_000,
        );
        assert_eq!(records.len(), 3);
        records.iter().for_each(assert_valid_emf);
        assert_eq!(records[0]["Room"], "r1");
        assert_eq!(records[0]["Action"], "rewrite");
        assert_eq!(records[0]["FailDecisions"], 0);
        assert_eq!(records[0]["EvaluationLatency"], 17);
        assert_eq!(
            records[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "NS"
        );
        assert_eq!(records[1]["Rule"], "a");
        assert_eq!(records[1]["Mode"], "enforced");
        assert_eq!(records[2]["Mode"], "shadow");
    }

    #[test]
    fn store_use_is_its_own_record() {
        let d = decision(
            vec![],
            Outcome::Evaluated,
            Some("arn:aws:ivschat:us-east-1:1:room/r1"),
        );
        assert_eq!(store_record(&d, &StoreUse::default(), "NS", 1), None);
        let used = StoreUse {
            round_trips: 2,
            errors: 1,
            latency: Duration::from_micros(1_500),
        };
        let r = store_record(&d, &used, "NS", 1).unwrap();
        assert_valid_emf(&r);
        assert_eq!(
            (&r["StoreRoundTrips"], &r["StoreErrors"], &r["StoreLatency"]),
            (&json!(2), &json!(1), &json!(1_500))
        );
        assert_eq!(r["DegradedDecisions"], 0);
        // Degraded without a store: no round trip, still counted.
        let d = decision(vec![], Outcome::Degraded, None);
        let r = store_record(&d, &StoreUse::default(), "NS", 1).unwrap();
        assert_eq!(r["DegradedDecisions"], 1);
        assert_eq!(r["Room"], UNKNOWN_ROOM);
    }

    #[test]
    fn failures_count_and_unknown_room() {
        let records = emf_records(&decision(vec![], Outcome::Timeout, None), "NS", 1);
        assert_eq!(records.len(), 1);
        assert_valid_emf(&records[0]);
        assert_eq!(records[0]["FailDecisions"], 1);
        assert_eq!(records[0]["Outcome"], "timeout");
        assert_eq!(records[0]["Room"], UNKNOWN_ROOM);
    }
}
