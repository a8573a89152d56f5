//! Moderators' regression cases (`rules test PACK CASES.jsonl`): one JSON object per
//! line with a request (or just a message) and the expected decision.
//!
//! ```json
//! {"message": "you are an a$$hole", "expect": "ALLOW", "content": "you are an ********"}
//! {"request": {"Content": "hi", "RoomArn": "arn:...", "Sender": {"UserId": "u"}}, "expect": "DENY", "fired": ["spam"]}
//! ```
//! Optional checks: `content` (exact rewritten content), `fired` (ids of enforced and
//! shadow rules that fired, in order), `reason` (exact `Attributes.Reason`).

use serde::Deserialize;

use crate::{Engine, Evaluation, ReviewRequest, ReviewResult};

/// One regression case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Full IVS request (wins over `message`).
    pub request: Option<ReviewRequest>,
    /// Shorthand: a request with this content and nothing else.
    pub message: Option<String>,
    /// Expected `ReviewResult`.
    pub expect: ReviewResult,
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

/// Parses one line of a cases file.
pub fn parse_case(line: &str) -> Result<Case, String> {
    let case: Case =
        serde_json::from_str(line).map_err(|e| format!("column {}: {e}", e.column()))?;
    if case.request.is_none() && case.message.is_none() {
        return Err("expected `request` or `message`".into());
    }
    Ok(case)
}

impl Case {
    /// The request this case sends.
    pub fn to_request(&self) -> ReviewRequest {
        self.request.clone().unwrap_or_else(|| ReviewRequest {
            content: self.message.clone().unwrap_or_default(),
            ..Default::default()
        })
    }

    /// Evaluates the case; `Err` lists every mismatch.
    pub fn check(&self, engine: &Engine) -> Result<Evaluation, Vec<String>> {
        let eval = engine.evaluate(&self.to_request());
        let r = &eval.response;
        let mut problems = Vec::new();
        if r.review_result != self.expect {
            problems.push(format!(
                "expected {}, got {}",
                self.expect.as_str(),
                r.review_result.as_str()
            ));
        }
        if let Some(c) = &self.content {
            if *c != r.content {
                problems.push(format!("expected content {c:?}, got {:?}", r.content));
            }
        }
        if let Some(ids) = &self.fired {
            let got: Vec<&str> = eval.fired.iter().map(|f| f.id.as_str()).collect();
            if *ids != got {
                problems.push(format!("expected fired rules {ids:?}, got {got:?}"));
            }
        }
        if let Some(reason) = &self.reason {
            let got = r.attributes.get("Reason");
            if got != Some(reason) {
                problems.push(format!("expected reason {reason:?}, got {got:?}"));
            }
        }
        if problems.is_empty() {
            Ok(eval)
        } else {
            Err(problems)
        }
    }
}
