//! The decision audit record: the one definition of the JSON line the review handler
//! writes per decision (to its CloudWatch log group) and that `log-ingest` turns into the
//! `decisions` table.
//!
//! ```json
//! {"kind":"decision","time":"2026-12-01T15:04:05.123Z","message_id":"m1","room":"abc123DEF456",
//!  "user_id":"u1","ip":"10.0.0.1","result":"DENY","action":"deny","outcome":"evaluated",
//!  "rules":["slurs"],"categories":["hate"],"shadow_rules":[],"pack":"default",
//!  "pack_version":"\"9b2cf535f27731c974343645a3985328\"","elapsed_us":41}
//! ```
//!
//! The vocabularies are closed: [`ReviewResult`] (`ALLOW`/`DENY`), [`DecisionAction`]
//! (an engine [`Verdict`] or `fail`) and [`DecisionOutcome`]. A line that says
//! `"kind":"decision"` but does not parse as a [`DecisionRecord`] is not a decision the
//! table may drop silently: `log-ingest` quarantines it ([`parse_line`] tells the cases
//! apart).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::action::Verdict;
use crate::ivs::ReviewResult;

/// The `kind` of a decision line (the audit line's discriminator among the handler's
/// other log lines: `rules_reload`, EMF metrics, the runtime's START/END/REPORT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// `decision`.
    Decision,
}

/// What the handler did with a message: the engine's [`Verdict`], or `fail` when it
/// answered the pack's fail decision instead (timeout, malformed request, engine fault,
/// invalid answer, unreachable shared state store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionAction {
    /// The engine evaluated the message and decided this.
    Verdict(Verdict),
    /// The fail decision answered instead of an evaluation.
    Fail,
}

impl DecisionAction {
    /// Every action, in the order of [`Verdict::ALL`] then `fail`.
    pub const ALL: [DecisionAction; 5] = [
        DecisionAction::Verdict(Verdict::Allow),
        DecisionAction::Verdict(Verdict::Deny),
        DecisionAction::Verdict(Verdict::Rewrite),
        DecisionAction::Verdict(Verdict::Tag),
        DecisionAction::Fail,
    ];

    /// The name in the audit log and the EMF `Action` dimension (`allow`, `deny`,
    /// `rewrite`, `tag`, `fail`).
    pub const fn as_str(self) -> &'static str {
        match self {
            DecisionAction::Verdict(v) => v.as_str(),
            DecisionAction::Fail => "fail",
        }
    }

    /// The action named `name`.
    pub fn from_name(name: &str) -> Option<DecisionAction> {
        DecisionAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for DecisionAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DecisionAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DecisionAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DecisionAction::from_name(&name).ok_or_else(|| {
            de::Error::invalid_value(
                de::Unexpected::Str(&name),
                &"one of allow, deny, rewrite, tag, fail",
            )
        })
    }
}

/// Why the answer is what it is, as the audit line and the EMF `Outcome` dimension name
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// The engine evaluated the request and its response passed the final check.
    Evaluated,
    /// The event was not a valid IVS review request; the fail decision was answered.
    Malformed,
    /// Evaluation exceeded the internal deadline; the fail decision was answered.
    Timeout,
    /// The engine's response failed the final validity check; a DENY was answered.
    InvalidResponse,
    /// Evaluation panicked or its task failed; a DENY was answered.
    Internal,
    /// Stateful rules could not reach the shared state store; the message was decided
    /// without it (the handler's store reports which way).
    Degraded,
}

impl DecisionOutcome {
    /// Every outcome.
    pub const ALL: [DecisionOutcome; 6] = [
        DecisionOutcome::Evaluated,
        DecisionOutcome::Malformed,
        DecisionOutcome::Timeout,
        DecisionOutcome::InvalidResponse,
        DecisionOutcome::Internal,
        DecisionOutcome::Degraded,
    ];

    /// Its name (`evaluated`, `malformed`, `timeout`, `invalid_response`, `internal`,
    /// `degraded`).
    pub const fn as_str(self) -> &'static str {
        match self {
            DecisionOutcome::Evaluated => "evaluated",
            DecisionOutcome::Malformed => "malformed",
            DecisionOutcome::Timeout => "timeout",
            DecisionOutcome::InvalidResponse => "invalid_response",
            DecisionOutcome::Internal => "internal",
            DecisionOutcome::Degraded => "degraded",
        }
    }
}

impl fmt::Display for DecisionOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One decision, as the audit line carries it. Field names are the JSON keys (and the
/// `decisions` table's column names in `log-ingest`). Unknown fields are ignored (a newer
/// handler may add some before the ingest knows them); a missing required field or a
/// value outside a vocabulary is an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct DecisionRecord {
    /// Always [`RecordKind::Decision`].
    pub kind: RecordKind,
    /// When the handler wrote the line: RFC 3339, UTC, milliseconds
    /// (`2026-12-01T15:04:05.123Z`, see [`rfc3339_millis`]).
    pub time: String,
    /// The request's `MessageId` (joins the chat table's `id`), null when unreadable.
    pub message_id: Option<String>,
    /// The room's resource id (the part of `RoomArn` after `room/`).
    pub room: Option<String>,
    /// `Sender.UserId`, raw or `hmac-sha256:<hex>` (the handler's `HASH_IDENTITIES`).
    pub user_id: Option<String>,
    /// `Sender.Ip`, raw or hashed like `user_id`.
    pub ip: Option<String>,
    /// `ALLOW` or `DENY`: what IVS was answered.
    pub result: ReviewResult,
    /// The verdict, or `fail`.
    pub action: DecisionAction,
    /// Why.
    pub outcome: DecisionOutcome,
    /// Enforced rules that fired, in evaluation order.
    pub rules: Vec<String>,
    /// The category of each of `rules` (same order and length), null for a rule without.
    #[serde(default)]
    pub categories: Vec<Option<String>>,
    /// Shadow rules that fired (reported, not enforced).
    pub shadow_rules: Vec<String>,
    /// The pack (or `pack@room` variant) that decided; empty for a fail decision.
    pub pack: String,
    /// The version of the deployed pack: the S3 ETag of the pack object the engine was
    /// compiled from; null for a bundled or local-file pack.
    #[serde(default)]
    pub pack_version: Option<String>,
    /// Time spent deciding, microseconds.
    pub elapsed_us: u64,
    /// The detail of a failure (never request values), absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl DecisionRecord {
    /// The record as one JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        // A struct of strings, numbers and enums with string names always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What a log line is, for a reader of the handler's log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A decision audit line.
    Decision(Box<DecisionRecord>),
    /// Some other line (EMF metrics, `rules_reload`, the Lambda runtime's
    /// START/END/REPORT, plain text): not a decision, skipped.
    Other,
    /// A line that claims to be a decision (`"kind":"decision"`) but is not a valid one.
    BadDecision(String),
}

/// Classifies one log line of the handler (whitespace around it ignored).
///
/// A line is a decision candidate when it is a JSON object whose `kind` is `"decision"`;
/// such a line must then parse as a [`DecisionRecord`] (with a valid `time`), else it is
/// [`Line::BadDecision`] with serde's reason. Anything else is [`Line::Other`].
pub fn parse_line(line: &str) -> Line {
    let line = line.trim();
    if !line.starts_with('{') {
        return Line::Other;
    }
    #[derive(Deserialize)]
    struct Kind<'a> {
        #[serde(borrow, default)]
        kind: Option<std::borrow::Cow<'a, str>>,
    }
    match serde_json::from_str::<Kind<'_>>(line) {
        Ok(Kind { kind: Some(k) }) if k == "decision" => {}
        // Not JSON, or JSON of another kind: unless it plainly mentions the kind (a
        // decision line cut short), not ours.
        Ok(_) => return Line::Other,
        Err(e) if mentions_decision_kind(line) => {
            return Line::BadDecision(format!("not valid JSON: {e}"))
        }
        Err(_) => return Line::Other,
    }
    match serde_json::from_str::<DecisionRecord>(line) {
        Ok(r) => match parse_rfc3339_millis(&r.time) {
            Some(_) => Line::Decision(Box::new(r)),
            None => Line::BadDecision(format!(
                "field `time`: {:?} is not an RFC 3339 UTC time (expected e.g. 2026-12-01T15:04:05.123Z)",
                r.time
            )),
        },
        Err(e) => Line::BadDecision(format!("not a decision record: {e}")),
    }
}

fn mentions_decision_kind(line: &str) -> bool {
    line.contains(r#""kind":"decision""#) || line.contains(r#""kind": "decision""#)
}

use crate::state::time::{civil_from_days, days_from_civil, days_in_month};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// `ms` (Unix time in milliseconds) as RFC 3339 UTC with milliseconds,
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`. Years outside 0..=9999 are clamped to that range.
pub fn rfc3339_millis(ms: i64) -> String {
    let ms = ms.clamp(-62_167_219_200_000, 253_402_300_799_999);
    let (days, in_day) = (ms.div_euclid(MILLIS_PER_DAY), ms.rem_euclid(MILLIS_PER_DAY));
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// The Unix time in milliseconds of `YYYY-MM-DDTHH:MM:SS[.fff]Z` (what
/// [`rfc3339_millis`] writes; 0 to 9 fraction digits, cut to milliseconds), `None` for
/// anything else.
pub fn parse_rfc3339_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = s.get(19..)?.strip_suffix('Z')?;
    let millis = match rest.strip_prefix('.') {
        None if rest.is_empty() => 0,
        None => return None,
        Some(f) if (1..=9).contains(&f.len()) && f.bytes().all(|c| c.is_ascii_digit()) => {
            let padded = format!("{f:0<3}");
            num_str(&padded[..3])?
        }
        Some(_) => return None,
    };
    let valid = (1..=12).contains(&mo)
        && (1..=days_in_month(y, mo)).contains(&d)
        && h < 24
        && mi < 60
        && sec < 60;
    valid.then(|| {
        days_from_civil(y, mo, d) * MILLIS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + millis
    })
}

fn num_str(s: &str) -> Option<i64> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> DecisionRecord {
        DecisionRecord {
            kind: RecordKind::Decision,
            time: "2026-12-01T15:04:05.123Z".into(),
            message_id: Some("m1".into()),
            room: Some("abc".into()),
            user_id: Some("u".into()),
            ip: None,
            result: ReviewResult::Deny,
            action: DecisionAction::Verdict(Verdict::Deny),
            outcome: DecisionOutcome::Evaluated,
            rules: vec!["slurs".into()],
            categories: vec![Some("hate".into())],
            shadow_rules: vec![],
            pack: "default".into(),
            pack_version: Some("\"etag\"".into()),
            elapsed_us: 41,
            detail: None,
        }
    }

    #[test]
    fn a_record_round_trips_through_its_line() {
        let r = record();
        let line = r.to_json_line();
        assert_eq!(parse_line(&line), Line::Decision(Box::new(r.clone())));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["kind"], "decision");
        assert_eq!(v["result"], "DENY");
        assert_eq!(v["action"], "deny");
        assert_eq!(v["outcome"], "evaluated");
        assert_eq!(v["ip"], serde_json::Value::Null);
        assert!(v.get("detail").is_none());
    }

    #[test]
    fn names_are_the_serde_names() {
        for a in DecisionAction::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
            assert_eq!(
                serde_json::from_value::<DecisionAction>(a.as_str().into()).unwrap(),
                a
            );
        }
        for o in DecisionOutcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        assert!(serde_json::from_value::<DecisionAction>("block".into()).is_err());
        assert_eq!(DecisionOutcome::Degraded.as_str(), "degraded");
    }

    #[test]
    fn other_lines_are_skipped() {
        for line in [
            "START RequestId: 1 Version: $LATEST",
            "REPORT RequestId: 1\tDuration: 1.2 ms",
            r#"{"_aws":{"Timestamp":1},"Decisions":1}"#,
            r#"{"kind":"rules_reload","level":"INFO"}"#,
            "",
            "[1, 2]",
            "{not json at all",
        ] {
            assert_eq!(parse_line(line), Line::Other, "{line}");
        }
    }

    #[test]
    fn bad_decisions_say_what_is_wrong() {
        let good = record().to_json_line();
        let cases = [
            (good.replace("\"DENY\"", "\"BLOCK\""), "BLOCK"),
            (good.replace("\"evaluated\"", "\"exploded\""), "exploded"),
            (good.replace(",\"elapsed_us\":41", ""), "elapsed_us"),
            (
                good.replace("2026-12-01T15:04:05.123Z", "yesterday"),
                "field `time`",
            ),
            (good[..good.len() / 2].to_string(), "not valid JSON"),
            (
                good.replace("\"pack\":", "\"pak\":"),
                "missing field `pack`",
            ),
        ];
        for (line, want) in cases {
            match parse_line(&line) {
                Line::BadDecision(reason) => assert!(reason.contains(want), "{reason}"),
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn older_lines_without_the_new_fields_parse() {
        let line =
            json!({"kind":"decision","time":"2026-12-01T15:04:05Z","message_id":null,"room":null,
            "user_id":null,"ip":null,"result":"ALLOW","action":"fail","outcome":"malformed",
            "rules":[],"shadow_rules":[],"pack":"","elapsed_us":3,"detail":"x"})
            .to_string();
        match parse_line(&line) {
            Line::Decision(r) => {
                assert_eq!(r.action, DecisionAction::Fail);
                assert_eq!(r.detail.as_deref(), Some("x"));
                assert!(r.categories.is_empty() && r.pack_version.is_none());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn times_format_and_parse() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(1_672_929_212_894),
            "2023-01-05T14:33:32.894Z"
        );
        assert_eq!(rfc3339_millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
        for ms in [0, 1_672_929_212_894, -1, 951_782_400_000, 4_102_444_799_999] {
            assert_eq!(parse_rfc3339_millis(&rfc3339_millis(ms)), Some(ms));
        }
        assert_eq!(
            parse_rfc3339_millis("2023-01-05T14:33:32.894089757Z"),
            Some(1_672_929_212_894)
        );
        assert_eq!(
            parse_rfc3339_millis("2023-01-05T14:33:32Z"),
            Some(1_672_929_212_000)
        );
        for bad in [
            "2023-02-29T00:00:00Z",
            "2023-01-05 14:33:32Z",
            "2023-01-05T14:33:32",
            "2023-01-05T24:00:00Z",
            "2023-01-05T14:33:32.Z",
            "2023-01-05T14:33:32+01:00",
            "",
        ] {
            assert_eq!(parse_rfc3339_millis(bad), None, "{bad}");
        }
    }
}
