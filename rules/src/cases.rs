//! Moderators' regression cases (`rules test PACK CASES.jsonl`): one JSON object per
//! line with a request (or just a message) and the expected decision.
//!
//! ```json
//! {"message": "you are an a$$hole", "expect": "ALLOW", "content": "you are an ********"}
//! {"request": {"Content": "hi", "RoomArn": "arn:...", "Sender": {"UserId": "u"}}, "expect": "DENY", "fired": ["spam"]}
//! {"note": "slow mode", "steps": [{"user": "u", "message": "hi {i}", "repeat": 5, "every": 1}, {"user": "u", "message": "again", "expect": "DENY"}]}
//! ```
//! Optional checks: `content` (exact rewritten content), `fired` (ids of enforced and
//! shadow rules that fired, in order), `reason` (exact `Attributes.Reason`).
//!
//! A case with `steps` is a sequence, for stateful rules: the steps run in order
//! against a fresh in-memory store (one per case), step `at` seconds after
//! [`CASE_START`] (default: one second after the previous step). A step may `repeat`
//! (at most [`MAX_REPEAT`] times, `every` seconds apart, default 0.1), with `{i}` in
//! its `user` and content replaced by the repetition number (0, 1, ...). A step's
//! own checks apply to its last repetition; the case's top-level checks to the last
//! step. A single case (no `steps`) is the same as one step at [`CASE_START`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::state::{MemoryStore, Millis};
use crate::{Engine, Evaluation, ReviewRequest, ReviewResult};

/// When a case's time starts: 2026-01-01T00:00:00Z (so `{until}` in reasons is fixed).
pub const CASE_START: Millis = 1_767_225_600_000;

/// Most repetitions of one step.
pub const MAX_REPEAT: u32 = 1000;

/// Most steps of one case.
pub const MAX_STEPS: usize = 1000;

/// One regression case, or one step of a sequence case (a step is a case without
/// `steps`; a sequence's top level has only `steps`, checks and `note`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Full IVS request (wins over `message`).
    pub request: Option<ReviewRequest>,
    /// Shorthand: a request with this content (and the sender below).
    pub message: Option<String>,
    /// Shorthand: the sender's `UserId`.
    pub user: Option<String>,
    /// Shorthand: the sender's attributes (e.g. a moderator role, a display name).
    #[serde(default)]
    pub sender_attributes: BTreeMap<String, String>,
    /// Seconds after the case's start.
    pub at: Option<f64>,
    /// Send this request this many times.
    pub repeat: Option<u32>,
    /// Seconds between repetitions.
    pub every: Option<f64>,
    /// A sequence of requests (see the module docs).
    pub steps: Option<Vec<Case>>,
    /// Expected `ReviewResult` (of the last repetition; of the last step for a
    /// sequence); required without `steps`.
    pub expect: Option<ReviewResult>,
    /// Expected response content.
    pub content: Option<String>,
    /// Expected fired rule ids, in order.
    pub fired: Option<Vec<String>>,
    /// Expected `Attributes.Reason`.
    pub reason: Option<String>,
    /// Free text for humans.
    #[serde(default)]
    pub note: Option<String>,
}

/// A step of a sequence case.
pub type Step = Case;

/// Checks what a single request (a step, or a case without steps) must have.
fn check_request(c: &Case) -> Result<(), String> {
    if c.request.is_none() && c.message.is_none() {
        return Err("expected `request` or `message`".into());
    }
    if c.steps.is_some() {
        return Err("a step cannot have `steps`".into());
    }
    if c.repeat.is_some_and(|n| n == 0 || n > MAX_REPEAT) {
        return Err(format!("`repeat` must be 1 to {MAX_REPEAT}"));
    }
    for (name, v) in [("at", c.at), ("every", c.every)] {
        if v.is_some_and(|v| !(v.is_finite() && (0.0..=1e9).contains(&v))) {
            return Err(format!("`{name}` must be seconds, 0 or more"));
        }
    }
    Ok(())
}

/// Parses one line of a cases file.
pub fn parse_case(line: &str) -> Result<Case, String> {
    let case: Case =
        serde_json::from_str(line).map_err(|e| format!("column {}: {e}", e.column()))?;
    let Some(steps) = &case.steps else {
        check_request(&case)?;
        if case.expect.is_none() {
            return Err("expected `expect` (ALLOW or DENY)".into());
        }
        return Ok(case);
    };
    let request_fields = case.request.is_some()
        || case.message.is_some()
        || case.user.is_some()
        || !case.sender_attributes.is_empty()
        || case.at.is_some()
        || case.repeat.is_some()
        || case.every.is_some();
    if request_fields {
        return Err(
            "`steps` replaces `request`/`message`/`user`/`at`/`repeat`: give them per step".into(),
        );
    }
    if steps.is_empty() || steps.len() > MAX_STEPS {
        return Err(format!("`steps` needs 1 to {MAX_STEPS} steps"));
    }
    for (i, s) in steps.iter().enumerate() {
        check_request(s).map_err(|e| format!("steps[{i}]: {e}"))?;
    }
    Ok(case)
}

/// The checks of a case or step.
struct Checks<'a> {
    expect: Option<ReviewResult>,
    content: Option<&'a String>,
    fired: Option<&'a Vec<String>>,
    reason: Option<&'a String>,
}

impl Checks<'_> {
    fn problems(&self, eval: &Evaluation) -> Vec<String> {
        let r = &eval.response;
        let mut problems = Vec::new();
        if let Some(expect) = self.expect.filter(|e| *e != r.review_result) {
            problems.push(format!(
                "expected {}, got {}",
                expect.as_str(),
                r.review_result.as_str()
            ));
        }
        if let Some(c) = self.content.filter(|c| **c != r.content) {
            problems.push(format!("expected content {c:?}, got {:?}", r.content));
        }
        if let Some(ids) = self.fired {
            let got: Vec<&str> = eval.fired.iter().map(|f| f.id.as_str()).collect();
            if *ids != got {
                problems.push(format!("expected fired rules {ids:?}, got {got:?}"));
            }
        }
        if let Some(reason) = self.reason {
            let got = r.attributes.get("Reason");
            if got != Some(reason) {
                problems.push(format!("expected reason {reason:?}, got {got:?}"));
            }
        }
        problems
    }
}

fn seconds(s: f64) -> Millis {
    (s * 1000.0).round() as Millis
}

impl Case {
    /// The request of repetition `i` (`{i}` replaced in the user and the content).
    fn request_for(&self, i: u32) -> ReviewRequest {
        let n = i.to_string();
        let mut req = self.request.clone().unwrap_or_else(|| ReviewRequest {
            content: self.message.clone().unwrap_or_default(),
            ..Default::default()
        });
        req.content = req.content.replace("{i}", &n);
        if let Some(u) = &self.user {
            req.sender.user_id = u.replace("{i}", &n);
        }
        req.sender.attributes.extend(
            self.sender_attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.replace("{i}", &n))),
        );
        req
    }

    /// The request of a single case (the first step's for a sequence).
    pub fn to_request(&self) -> ReviewRequest {
        self.steps
            .iter()
            .flatten()
            .next()
            .unwrap_or(self)
            .request_for(0)
    }

    fn checks(&self) -> Checks<'_> {
        Checks {
            expect: self.expect,
            content: self.content.as_ref(),
            fired: self.fired.as_ref(),
            reason: self.reason.as_ref(),
        }
    }

    /// Evaluates the case with a fresh in-memory store; `Err` lists every mismatch.
    pub fn check(&self, engine: &Engine) -> Result<Evaluation, Vec<String>> {
        let mut store = MemoryStore::new();
        let mut problems = Vec::new();
        // A single case is a sequence of itself, at the start.
        let steps = self.steps.as_deref().unwrap_or(std::slice::from_ref(self));
        let mut now = CASE_START - 1000;
        let mut last = None;
        for (i, step) in steps.iter().enumerate() {
            now = step.at.map_or(now + 1000, |s| CASE_START + seconds(s));
            let every = seconds(step.every.unwrap_or(0.1));
            for r in 0..step.repeat.unwrap_or(1) {
                if r > 0 {
                    now += every;
                }
                last = Some(engine.evaluate_with(&step.request_for(r), now, &mut store));
            }
            if let (Some(eval), Some(_)) = (&last, &self.steps) {
                let prefix = format!("step {}: ", i + 1);
                problems.extend(
                    step.checks()
                        .problems(eval)
                        .into_iter()
                        .map(|p| format!("{prefix}{p}")),
                );
            }
        }
        let Some(last) = last else {
            return Err(vec!["no steps".into()]);
        };
        problems.extend(self.checks().problems(&last));
        if problems.is_empty() {
            Ok(last)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PackSet;

    const SLOW: &str =
        "[[rules]]\nid = \"slow\"\nkind = \"rate\"\nmax_messages = 2\nwindow = \"10s\"\n";

    #[test]
    fn sequences_run_in_order_on_one_store_and_check_each_step() {
        let engine =
            Engine::compile(&PackSet::from_toml_str(SLOW, "p.toml", None).unwrap()).unwrap();
        let ok = parse_case(r#"{"steps": [{"user": "u", "message": "a {i}", "repeat": 2, "expect": "ALLOW"}, {"user": "u", "message": "b", "expect": "DENY", "fired": ["slow"]}, {"user": "u", "message": "c", "at": 30}], "expect": "ALLOW"}"#).unwrap();
        assert!(ok.check(&engine).is_ok(), "{:?}", ok.check(&engine).err());
        let wrong = parse_case(
            r#"{"steps": [{"user": "u", "message": "a", "repeat": 3}], "expect": "ALLOW"}"#,
        )
        .unwrap();
        assert_eq!(
            wrong.check(&engine).unwrap_err(),
            vec!["expected ALLOW, got DENY".to_string()]
        );
        let step = parse_case(r#"{"steps": [{"user": "u", "message": "a", "repeat": 3, "expect": "ALLOW"}, {"user": "v", "message": "x"}]}"#).unwrap();
        assert_eq!(
            step.check(&engine).unwrap_err(),
            vec!["step 1: expected ALLOW, got DENY".to_string()]
        );
        // Each case starts with an empty store.
        assert!(wrong.check(&engine).is_err() && ok.check(&engine).is_ok());
    }

    #[test]
    fn single_cases_parse_as_before_and_bad_sequences_are_errors() {
        assert!(parse_case(r#"{"message": "hi", "expect": "ALLOW"}"#).is_ok());
        assert!(parse_case(r#"{"message": "hi"}"#)
            .unwrap_err()
            .contains("expect"));
        assert!(parse_case(r#"{"steps": []}"#).is_err());
        assert!(parse_case(r#"{"steps": [{"user": "u"}]}"#)
            .unwrap_err()
            .contains("steps[0]"));
        assert!(parse_case(r#"{"steps": [{"message": "x", "repeat": 0}]}"#).is_err());
        assert!(parse_case(r#"{"steps": [{"message": "x", "at": -1}]}"#).is_err());
        assert!(parse_case(r#"{"message": "x", "steps": [{"message": "x"}]}"#).is_err());
    }
}
