//! What the handler decided for one request, in a form independent of the engine's
//! types: the audit log line, the EMF metrics and the tests all read this.

use std::time::Duration;

use rules::audit::DecisionOutcome;
use rules::{Action, ReviewResult};

/// Why the answer is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The engine evaluated the request and its response passed the final check.
    Evaluated,
    /// The event was not a valid IVS review request; the fail decision was answered.
    Malformed(String),
    /// Evaluation exceeded the internal deadline; the fail decision was answered.
    Timeout,
    /// The engine's response failed the final validity check (a bug); a DENY was
    /// answered (never the original).
    InvalidResponse(String),
    /// Evaluation panicked or its task failed (a bug); a DENY was answered.
    Internal(String),
    /// The pack has stateful rules and the state store did not answer (an error, its
    /// deadline, no `STATE_TABLE`): the pack's `state_unavailable` setting decided.
    Degraded,
}

impl Outcome {
    /// The outcome's name in the audit record's closed vocabulary.
    pub fn kind(&self) -> DecisionOutcome {
        match self {
            Outcome::Evaluated => DecisionOutcome::Evaluated,
            Outcome::Malformed(_) => DecisionOutcome::Malformed,
            Outcome::Timeout => DecisionOutcome::Timeout,
            Outcome::InvalidResponse(_) => DecisionOutcome::InvalidResponse,
            Outcome::Internal(_) => DecisionOutcome::Internal,
            Outcome::Degraded => DecisionOutcome::Degraded,
        }
    }

    /// A short stable label for logs and metric dimensions ([`Outcome::kind`]'s name).
    pub fn label(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The detail of a failure, if any.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Outcome::Evaluated | Outcome::Timeout | Outcome::Degraded => None,
            Outcome::Malformed(d) | Outcome::InvalidResponse(d) | Outcome::Internal(d) => Some(d),
        }
    }

    /// Whether the engine failed on this input (an invalid answer, a panic): such a
    /// request is denied whatever the pack's fail mode, since the input may have been
    /// crafted to make the engine fail and get through unmoderated.
    pub fn is_engine_fault(&self) -> bool {
        matches!(self, Outcome::InvalidResponse(_) | Outcome::Internal(_))
    }

    /// Whether the handler's fail decision was answered instead of an evaluation. A
    /// [`Outcome::Degraded`] decision is not one: the engine decided as the pack says
    /// (it is counted as `DegradedDecisions`).
    pub fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Evaluated | Outcome::Degraded)
    }
}

/// What the handler did with a message (an engine verdict or `fail`): defined with the
/// audit record it is logged in, [`rules::audit`].
pub use rules::audit::DecisionAction;

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The rule id.
    pub id: String,
    /// The rule's action (`deny`, `mask`, `tag` ...).
    pub action: Action,
    /// Shadow rules are reported but not enforced.
    pub shadow: bool,
    /// The rule's category, if it has one.
    pub category: Option<String>,
}

/// Identifying fields of the request, as far as they could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// `MessageId`.
    pub message_id: Option<String>,
    /// `RoomArn`.
    pub room_arn: Option<String>,
    /// `Sender.UserId`.
    pub user_id: Option<String>,
    /// `Sender.Ip`.
    pub ip: Option<String>,
}

impl RequestFacts {
    /// Reads what it can from a raw event, whatever its shape (strings only).
    pub fn from_event(event: &serde_json::Value) -> RequestFacts {
        let s = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
        let sender = event.get("Sender");
        RequestFacts {
            message_id: s(event.get("MessageId")),
            room_arn: s(event.get("RoomArn")),
            user_id: s(sender.and_then(|x| x.get("UserId"))),
            ip: s(sender.and_then(|x| x.get("Ip"))),
        }
    }

    /// The room's resource id: the part of the ARN after `room/`.
    pub fn room_id(&self) -> Option<&str> {
        room_id(self.room_arn.as_deref()?)
    }
}

/// The resource id of an IVS Chat room ARN (`arn:aws:ivschat:<region>:<acct>:room/<id>`).
pub fn room_id(arn: &str) -> Option<&str> {
    arn.rsplit_once(":room/")
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty())
}

/// The full record of one decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The IVS response JSON that is returned.
    pub response: serde_json::Value,
    /// `ALLOW` or `DENY` (copied from the response).
    pub result: ReviewResult,
    /// The engine's verdict (`allow`, `deny`, `rewrite`, `tag`), or `fail`.
    pub action: DecisionAction,
    /// Why.
    pub outcome: Outcome,
    /// Rules that fired, enforced and shadow.
    pub fired: Vec<Fired>,
    /// The pack (or room override) that decided.
    pub pack: String,
    /// The version of the pack set the engine was compiled from: its S3 ETag, `None`
    /// for a bundled or local-file pack (set by [`crate::handler::State::review`]).
    pub pack_version: Option<String>,
    /// Request fields for the audit log.
    pub request: RequestFacts,
    /// Time spent deciding.
    pub elapsed: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn facts_tolerate_any_shape() {
        let f = RequestFacts::from_event(&json!({
            "MessageId": "m1", "RoomArn": "arn:aws:ivschat:us-west-2:123456789012:room/abc123DEF456",
            "Sender": {"UserId": "u1", "Ip": "10.0.0.1"}
        }));
        assert_eq!(f.message_id.as_deref(), Some("m1"));
        assert_eq!(f.user_id.as_deref(), Some("u1"));
        assert_eq!(f.ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(f.room_id(), Some("abc123DEF456"));
        assert_eq!(
            RequestFacts::from_event(&json!([1, 2])),
            RequestFacts::default()
        );
        assert_eq!(
            RequestFacts::from_event(&json!({"Sender": 5, "RoomArn": 7})),
            RequestFacts::default()
        );
    }

    #[test]
    fn room_ids() {
        assert_eq!(room_id("arn:aws:ivschat:us-east-1:1:room/x"), Some("x"));
        assert_eq!(room_id("arn:aws:ivschat:us-east-1:1:room/"), None);
        assert_eq!(room_id("nonsense"), None);
    }

    #[test]
    fn outcome_labels() {
        assert!(!Outcome::Evaluated.is_failure());
        assert!(Outcome::Timeout.is_failure());
        assert_eq!(Outcome::Malformed("x".into()).detail(), Some("x"));
        assert_eq!(Outcome::Internal("x".into()).label(), "internal");
    }
}
