//! The pure core of the handler: one raw event in, one [`Decision`] out.
//!
//! Synchronous and free of I/O, so it can be unit- and property-tested directly; the
//! deadline, the store round trips and the logging live in [`crate::handler`]. A
//! message with stateful rules goes [`begin`] (stateless pass, store ops listed) →
//! store → [`finish`] (decision, follow-up writes); [`decide`] is both without a store.

use std::time::Instant;

use rules::state::{Answer, Millis, Op};
use rules::{
    validate_response, Engine, Pending, ReviewRequest, ReviewResponse, ReviewResult, StateUse,
};
use serde::Deserialize;
use serde_json::Value;

use crate::config::Config;
use crate::decision::{Decision, DecisionAction, Fired, Outcome, RequestFacts};

/// Reason shown to the sender by the last-resort answer (see [`last_resort`]).
pub const LAST_RESORT_REASON: &str = "Message could not be reviewed";

/// Evaluates one raw event without a state store: [`begin`], then [`finish`] with no
/// answers (a stateful pack degrades as it says; a stateless one needs none). Never
/// panics on input, and the returned [`Decision::response`] always passes
/// [`rules::validate_response`] with the room's limit ([`Config::max_length`] of the
/// pack's `max_length`). An engine answer that fails that check becomes a DENY
/// ([`fail_decision`]), never the unmoderated original.
pub fn decide(engine: &Engine, event: &Value, config: &Config) -> Decision {
    match begin(engine, event, config, 0) {
        Ok(begun) => finish(engine, event, begun, None, config).decision,
        Err(decision) => *decision,
    }
}

/// A request after phase 1 ([`Engine::begin`]): the stateless pass is done and the store
/// ops of the stateful rules are listed.
#[derive(Debug)]
pub struct Begun {
    request: ReviewRequest,
    pending: Pending,
    started: Instant,
}

impl Begun {
    /// The ops the store must answer before [`finish`]; empty when the room's pack has no
    /// stateful rules.
    pub fn ops(&self) -> &[Op] {
        self.pending.ops()
    }
}

/// Phase 1 for one raw event as of `now`: the [`Begun`] request, or at once the
/// [`Decision`] for an event that is not a review request (the same answer as
/// `rules eval`, Engine::review_value: the fail decision for whatever is readable).
pub fn begin(
    engine: &Engine,
    event: &Value,
    config: &Config,
    now: Millis,
) -> Result<Begun, Box<Decision>> {
    let started = Instant::now();
    match ReviewRequest::deserialize(event) {
        Ok(request) => Ok(Begun {
            pending: engine.begin(&request, now),
            request,
            started,
        }),
        Err(_) => {
            let outcome = Outcome::Malformed(malformed_detail(event));
            let salvaged = ReviewRequest::salvage(event);
            Err(Box::new(fail_decision(
                engine,
                event,
                salvaged.as_ref(),
                outcome,
                config,
                started,
            )))
        }
    }
}

/// A decision and the store writes that follow from it.
#[derive(Debug)]
pub struct Decided {
    /// The decision.
    pub decision: Decision,
    /// Follow-up writes (strikes, mutes, commands ...), empty when the store was not
    /// used or did not answer.
    pub writes: Vec<Op>,
}

/// Phase 2: decides from the store's `answers` (one per [`Begun::ops`], `None` when the
/// store failed or missed its deadline: then the pack's `state_unavailable` applies and
/// the outcome is [`Outcome::Degraded`]).
pub fn finish(
    engine: &Engine,
    event: &Value,
    begun: Begun,
    answers: Option<&[Answer]>,
    config: &Config,
) -> Decided {
    let Begun {
        request,
        pending,
        started,
    } = begun;
    let answers = if pending.ops().is_empty() {
        Some(&[][..])
    } else {
        answers
    };
    let finished = engine.finish(pending, answers);
    let evaluation = finished.evaluation;
    let outcome = match finished.state {
        StateUse::Degraded => Outcome::Degraded,
        StateUse::NotUsed | StateUse::Applied => Outcome::Evaluated,
    };
    let fired: Vec<Fired> = evaluation
        .fired
        .iter()
        .map(|f| Fired {
            id: f.id.to_string(),
            action: f.action,
            shadow: f.shadow,
            category: f.category.clone(),
        })
        .collect();
    let response = evaluation.response;
    if let Err(e) = validate_response(&response, config.max_length(evaluation.max_length)) {
        let outcome = Outcome::InvalidResponse(e.to_string());
        let mut d = fail_decision(engine, event, Some(&request), outcome, config, started);
        d.fired = fired;
        d.pack = evaluation.pack.to_string();
        return Decided {
            decision: d,
            writes: Vec::new(),
        };
    }
    Decided {
        decision: Decision {
            result: response.review_result,
            response: to_json(&response),
            action: DecisionAction::Verdict(evaluation.action),
            outcome,
            fired,
            pack: evaluation.pack.to_string(),
            pack_version: None,
            request: RequestFacts::from_event(event),
            elapsed: started.elapsed(),
        },
        writes: finished.writes,
    }
}

/// Why `event` is not a review request, without any of its values: serde's message for
/// a copy whose strings are emptied and numbers zeroed (serde quotes the offending value,
/// which may be the message text, and the audit log must not carry it). The copy has
/// the same shape, so it fails the same way.
pub fn malformed_detail(event: &Value) -> String {
    match ReviewRequest::deserialize(&redacted(event)) {
        Err(e) => format!("{e} (values redacted)"),
        Ok(_) => "not an IVS review request".to_string(),
    }
}

/// `value` with every string emptied and every number zeroed (integers stay integers);
/// keys, `null`s, booleans and nesting are kept.
fn redacted(value: &Value) -> Value {
    match value {
        Value::String(_) => Value::String(String::new()),
        Value::Number(n) if n.is_f64() => Value::from(0.0),
        Value::Number(_) => Value::from(0),
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), redacted(v))).collect())
        }
        Value::Null | Value::Bool(_) => value.clone(),
    }
}

/// The fail decision for `event` (used for malformed requests, timeouts, internal and
/// invalid-response errors). For a malformed request or a timeout it is the pack's fail
/// response (`fail = "allow"` keeps the original), checked like any other. When the
/// engine itself failed on this input ([`Outcome::is_engine_fault`]: a rewrite that is
/// not a valid answer, a panic) it is [`last_resort`]'s DENY whatever the fail mode: an
/// input that makes the engine fail must not be delivered unmoderated.
pub fn fail_decision(
    engine: &Engine,
    event: &Value,
    request: Option<&ReviewRequest>,
    outcome: Outcome,
    config: &Config,
    started: Instant,
) -> Decision {
    let room = request.map_or("", |r| r.room_arn.as_str());
    let response = if outcome.is_engine_fault() {
        last_resort()
    } else {
        fail_response(engine, request, config.max_length(engine.max_length(room)))
    };
    Decision {
        result: response.review_result,
        response: to_json(&response),
        action: DecisionAction::Fail,
        outcome,
        fired: Vec::new(),
        pack: String::new(),
        pack_version: None,
        request: RequestFacts::from_event(event),
        elapsed: started.elapsed(),
    }
}

/// The engine's fail response for the request if it is valid, else its request-less fail
/// response, else [`last_resort`].
fn fail_response(
    engine: &Engine,
    request: Option<&ReviewRequest>,
    max_length: usize,
) -> ReviewResponse {
    let candidates = [
        request.map(|r| engine.fail_response(Some(r))),
        Some(engine.fail_response(None)),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|r| validate_response(r, max_length).is_ok())
        .unwrap_or_else(last_resort)
}

/// A DENY that satisfies the contract whatever the configuration: the answer when the
/// engine failed on the input, or when the engine's own fail responses are invalid (a
/// misconfigured pack).
pub fn last_resort() -> ReviewResponse {
    ReviewResponse {
        review_result: ReviewResult::Deny,
        content: "-".to_string(),
        attributes: [("Reason".to_string(), LAST_RESORT_REASON.to_string())].into(),
    }
}

fn to_json(response: &ReviewResponse) -> Value {
    // A struct of strings and a string map always serialises.
    serde_json::to_value(response).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::PackSet;
    use serde_json::json;

    const ROOM: &str = "arn:aws:ivschat:us-west-2:123456789012:room/abc123DEF456";

    fn engine() -> Engine {
        Engine::compile(&PackSet::bundled_default()).unwrap()
    }

    fn request(content: &str) -> Value {
        json!({"Content": content, "MessageId": "WhO6MW6iRdS5", "RoomArn": ROOM,
               "Attributes": {"username": "gleningp"},
               "Sender": {"UserId": "u-1", "Ip": "203.0.113.9", "Attributes": {"role": "viewer"}}})
    }

    #[test]
    fn malformed_request_gets_the_same_answer_as_rules_eval() {
        let engine = engine();
        let events = [
            json!({"Content": "good game", "MessageId": 42, "RoomArn": ROOM}),
            json!({"Content": "good game", "Sender": "not an object"}),
            json!({"MessageId": "x", "RoomArn": ROOM}),
            json!("just a string"),
        ];
        for event in &events {
            let d = decide(&engine, event, &Config::default());
            assert_eq!(d.outcome.label(), "malformed", "{event}");
            let expected = engine.review_value(event).expect_err("malformed");
            assert_eq!(d.response, to_json(&expected), "{event}");
        }
        // With a readable Content, the bundled pack's fail-ALLOW keeps the text.
        let d = decide(&engine, &events[0], &Config::default());
        assert_eq!(d.response["Content"], "good game");
    }

    #[test]
    fn clean_message_is_allowed_unchanged() {
        let d = decide(
            &engine(),
            &request("good game everyone"),
            &Config::default(),
        );
        assert_eq!(d.outcome, Outcome::Evaluated);
        assert_eq!(d.result, ReviewResult::Allow);
        assert_eq!(d.response["Content"], "good game everyone");
        assert!(d.fired.is_empty());
        assert_eq!(d.request.user_id.as_deref(), Some("u-1"));
    }

    #[test]
    fn harassment_is_denied_with_a_reason() {
        let d = decide(&engine(), &request("just kys already"), &Config::default());
        assert_eq!(d.result, ReviewResult::Deny);
        assert!(d.response["Attributes"]["Reason"].is_string());
        assert!(d.fired.iter().any(|f| f.id == "self-harm" && !f.shadow));
    }

    #[test]
    fn profanity_is_masked_and_ids_exposed_on_request() {
        let mut exposing = engine();
        exposing.set_expose_rule_ids(true);
        let d = decide(&exposing, &request("what the fuck"), &Config::default());
        assert_eq!(d.result, ReviewResult::Allow);
        let content = d.response["Content"].as_str().unwrap();
        assert!(
            content.starts_with("what the ") && !content.contains("fuck"),
            "{content}"
        );
        assert_eq!(d.response["Attributes"]["moderation_rules"], "profanity");
        let quiet = decide(&engine(), &request("what the fuck"), &Config::default());
        assert!(quiet.response["Attributes"]
            .get("moderation_rules")
            .is_none());
    }

    #[test]
    fn malformed_requests_get_the_fail_decision() {
        for event in [
            json!(null),
            json!("text"),
            json!({"MessageId": "x"}),
            json!({"Content": 5}),
        ] {
            let d = decide(&engine(), &event, &Config::default());
            assert_eq!(d.outcome.label(), "malformed", "{event}");
            assert_eq!(d.action, DecisionAction::Fail);
            let r: ReviewResponse = serde_json::from_value(d.response.clone()).unwrap();
            assert!(validate_response(&r, 500).is_ok());
        }
    }

    #[test]
    fn null_attribute_maps_are_tolerated() {
        let event = json!({"Content": "hi", "MessageId": "m", "RoomArn": ROOM, "Attributes": null,
                           "Sender": {"UserId": "u", "Ip": "1.2.3.4", "Attributes": null}});
        let d = decide(&engine(), &event, &Config::default());
        assert_eq!(d.outcome, Outcome::Evaluated);
        assert_eq!(d.result, ReviewResult::Allow);
    }

    #[test]
    fn a_lower_configured_limit_turns_into_a_valid_fail_decision() {
        let config = Config {
            max_message_length: Some(3),
            ..Config::default()
        };
        let d = decide(&engine(), &request("a long enough message"), &config);
        assert_eq!(d.outcome.label(), "invalid_response");
        let r: ReviewResponse = serde_json::from_value(d.response).unwrap();
        assert!(validate_response(&r, 3).is_ok(), "{r:?}");
    }

    #[test]
    fn engine_faults_are_denied_whatever_the_fail_mode() {
        // The bundled pack fails open (`fail = "allow"`): a timeout keeps the original,
        // a panic or an invalid answer must not.
        let engine = engine();
        let event = request("hello there");
        let req = ReviewRequest::deserialize(&event).unwrap();
        let fail = |outcome| {
            fail_decision(
                &engine,
                &event,
                Some(&req),
                outcome,
                &Config::default(),
                Instant::now(),
            )
        };
        assert_eq!(fail(Outcome::Timeout).response["Content"], "hello there");
        assert_eq!(fail(Outcome::Timeout).result, ReviewResult::Allow);
        for outcome in [
            Outcome::Internal("x".into()),
            Outcome::InvalidResponse("x".into()),
        ] {
            let d = fail(outcome);
            assert_eq!(d.result, ReviewResult::Deny, "{:?}", d.outcome);
            assert_eq!(d.response, to_json(&last_resort()));
        }
    }

    #[test]
    fn malformed_details_carry_no_request_values() {
        let d = decide(
            &engine(),
            &json!({"Content": "hi", "Sender": "my secret message", "MessageId": 12345}),
            &Config::default(),
        );
        let detail = d.outcome.detail().unwrap();
        assert!(
            !detail.contains("secret") && !detail.contains("12345"),
            "{detail}"
        );
        assert!(
            detail.contains("expected") && detail.contains("redacted"),
            "{detail}"
        );
    }

    #[test]
    fn last_resort_is_valid_for_any_limit() {
        assert!(validate_response(&last_resort(), 1).is_ok());
    }
}
