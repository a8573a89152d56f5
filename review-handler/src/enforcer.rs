//! The enforcer's pure core: DynamoDB Streams records of disconnect requests in, IVS
//! Chat `DisconnectUser` calls and the batch response out.
//!
//! When a strikes threshold says so, the handler writes a `D#{room}#{user}#{at}` item to
//! the state table (attributes `room`, `user`, `reason`, `at`; `STATE-API.md`). The
//! table's stream (view type `NEW_IMAGE`) delivers it to the `enforcer` Lambda
//! (`src/bin/enforcer.rs`), which calls `DisconnectUser` off the message path. This
//! module decides, for every record of a batch, what to do ([`plan`]), and turns the
//! call results into the answer Lambda expects ([`BatchResponse`]):
//!
//! - an `INSERT`/`MODIFY` record whose new image has a `pk` starting with `D#` and valid
//!   `room`/`user` becomes a [`Disconnect`]; anything else is [`Skip`]ped, counted, never
//!   retried (a record that cannot be read now will not be readable on a retry);
//! - a call that IVS answered 200, or 404 `ResourceNotFoundException` (room or user
//!   gone: nothing left to disconnect), is done; a 400 `ValidationException` is
//!   rejected (permanent: retrying cannot help, it is counted and logged); anything else
//!   (throttling, 5xx, timeouts, access denied) is a failure, reported in
//!   `batchItemFailures` with the record's `SequenceNumber`, so Lambda retries from that
//!   record and only the unfinished rest of the batch is sent again.
//!
//! Redelivery is harmless: disconnecting a user twice is the same as once.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::HandlerError;

/// The `pk` prefix of disconnect requests.
pub const DISCONNECT_PREFIX: &str = "D#";

/// Longest `userId` IVS accepts (`DisconnectUser`: length 1 to 128).
pub const MAX_USER_ID_CHARS: usize = 128;

/// Longest `reason` IVS accepts (length 1 to 256); longer reasons are cut to it, an
/// empty reason is left out.
pub const MAX_REASON_CHARS: usize = 256;

/// Longest `roomIdentifier` IVS accepts (an ARN of at most 128 characters).
pub const MAX_ROOM_ARN_CHARS: usize = 128;

/// The environment variable holding the room ARN prefix.
pub const ROOM_ARN_PREFIX_VAR: &str = "ROOM_ARN_PREFIX";

/// `arn:<partition>:ivschat:<region>:<account>:room/`: the item names the room by its
/// resource id (the last segment of its ARN), `DisconnectUser` wants the ARN. The
/// template sets it from the stack's own partition, region and account; a Lambda
/// function cannot learn its account id from its environment otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomArnPrefix(String);

impl RoomArnPrefix {
    /// Checks `value`: `arn:`, a partition, `:ivschat:`, a region, an account of digits,
    /// `:room/`.
    pub fn parse(value: &str) -> Result<RoomArnPrefix, HandlerError> {
        let bad = || HandlerError::BadEnv {
            var: ROOM_ARN_PREFIX_VAR,
            expected: "arn:<partition>:ivschat:<region>:<account>:room/",
            value: value.to_string(),
        };
        let rest = value.strip_prefix("arn:").ok_or_else(bad)?;
        let parts: Vec<&str> = rest.split(':').collect();
        let [partition, service, region, account, resource] = parts.as_slice() else {
            return Err(bad());
        };
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let account_ok = !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit());
        if partition.is_empty() || *service != "ivschat" || !region_ok || !account_ok {
            return Err(bad());
        }
        if *resource != "room/" {
            return Err(bad());
        }
        Ok(RoomArnPrefix(value.to_string()))
    }

    /// The ARN of room `id`, or `None` when `id` is not a room resource id
    /// (`[a-zA-Z0-9-]+`) or the ARN would be longer than [`MAX_ROOM_ARN_CHARS`].
    pub fn room_arn(&self, id: &str) -> Option<String> {
        let valid = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let arn = format!("{}{id}", self.0);
        (valid && arn.len() <= MAX_ROOM_ARN_CHARS).then_some(arn)
    }
}

/// A DynamoDB Streams event as Lambda delivers it (only what the enforcer reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StreamEvent {
    /// The batch, in stream order.
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

/// One stream record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StreamRecord {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    #[serde(rename = "eventName", default)]
    pub event_name: Option<String>,
    /// The change.
    #[serde(default)]
    pub dynamodb: Option<StreamChange>,
}

/// The `dynamodb` member of a stream record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StreamChange {
    /// The record's position in its shard: the `itemIdentifier` of a batch item failure.
    #[serde(rename = "SequenceNumber", default)]
    pub sequence_number: Option<String>,
    /// The item after the change, as DynamoDB JSON (`{"pk": {"S": "D#..."}, ...}`).
    #[serde(rename = "NewImage", default)]
    pub new_image: Option<Map<String, Value>>,
}

/// One `DisconnectUser` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnect {
    /// The record's sequence number (reported when the call fails).
    pub sequence_number: String,
    /// `roomIdentifier`: the room's ARN.
    pub room_arn: String,
    /// `userId`.
    pub user_id: String,
    /// `reason`, at most [`MAX_REASON_CHARS`]; `None` when the item had none.
    pub reason: Option<String>,
}

/// Why a record is not acted on (never retried).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// A `REMOVE` (TTL expiry or a delete), or a record without a new image.
    NoNewImage,
    /// Not a disconnect request (`pk` without the `D#` prefix).
    NotDisconnect,
    /// A disconnect request that cannot be performed: which attribute, what was expected.
    Malformed {
        /// The attribute (`pk`, `room`, `user`, `reason`, `SequenceNumber`).
        field: &'static str,
        /// What a valid value looks like.
        expected: &'static str,
    },
}

/// What to do with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Call `DisconnectUser`.
    Disconnect(Disconnect),
    /// Nothing; the sequence number is kept for the log line.
    Skip {
        /// The record's sequence number, if it had one.
        sequence_number: Option<String>,
        /// Why.
        why: Skip,
    },
}

/// The plan for every record of `event`, in order.
pub fn plan(event: &StreamEvent, rooms: &RoomArnPrefix) -> Vec<Planned> {
    event.records.iter().map(|r| plan_one(r, rooms)).collect()
}

fn plan_one(record: &StreamRecord, rooms: &RoomArnPrefix) -> Planned {
    let change = record.dynamodb.as_ref();
    let sequence_number = change.and_then(|c| c.sequence_number.clone());
    let skip = |why| Planned::Skip {
        sequence_number: sequence_number.clone(),
        why,
    };
    let removed = record.event_name.as_deref() == Some("REMOVE");
    let Some(image) = change
        .and_then(|c| c.new_image.as_ref())
        .filter(|_| !removed)
    else {
        return skip(Skip::NoNewImage);
    };
    let malformed = |field, expected| skip(Skip::Malformed { field, expected });
    let Some(pk) = string_attr(image, "pk") else {
        return malformed("pk", "a string attribute");
    };
    if !pk.starts_with(DISCONNECT_PREFIX) {
        return skip(Skip::NotDisconnect);
    }
    let Some(sequence) = sequence_number.clone() else {
        return malformed("SequenceNumber", "the record's sequence number");
    };
    let Some(room_arn) = string_attr(image, "room").and_then(|id| rooms.room_arn(id)) else {
        return malformed(
            "room",
            "a string attribute holding a room resource id ([a-zA-Z0-9-]+)",
        );
    };
    let user_id = match string_attr(image, "user") {
        Some(u) if !u.is_empty() && u.chars().count() <= MAX_USER_ID_CHARS => u.to_string(),
        _ => return malformed("user", "a string attribute of 1 to 128 characters"),
    };
    let reason = match image.get("reason") {
        None => None,
        Some(_) => match string_attr(image, "reason") {
            Some(r) => Some(r.chars().take(MAX_REASON_CHARS).collect::<String>())
                .filter(|r: &String| !r.is_empty()),
            None => return malformed("reason", "a string attribute"),
        },
    };
    Planned::Disconnect(Disconnect {
        sequence_number: sequence,
        room_arn,
        user_id,
        reason,
    })
}

/// The `S` value of a DynamoDB JSON attribute.
fn string_attr<'a>(image: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    image.get(name)?.get("S")?.as_str()
}

/// How IVS answered one `DisconnectUser` call, as far as the enforcer cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallResult {
    /// 200: the user's connections are closed.
    Disconnected,
    /// 404 `ResourceNotFoundException`: the room or the user is gone; nothing to do.
    NotFound,
    /// 400 `ValidationException`: IVS will never accept this call; not retried.
    Rejected,
    /// Anything else (throttled, 5xx, timeout, access denied): retried.
    Failed,
}

impl CallResult {
    /// Classifies an error answer by its HTTP status and error code (either may be
    /// missing, e.g. for a timeout).
    pub fn from_error(status: Option<u16>, code: Option<&str>) -> CallResult {
        match (status, code) {
            (_, Some("ResourceNotFoundException")) | (Some(404), None) => CallResult::NotFound,
            (_, Some("ValidationException")) => CallResult::Rejected,
            _ => CallResult::Failed,
        }
    }
}

/// What one invocation did, for its log line and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchResponse {
    /// Users disconnected (200).
    pub disconnected: u32,
    /// Calls answered 404 (room or user gone), counted as done.
    pub not_found: u32,
    /// Calls IVS rejected as invalid (not retried).
    pub rejected: u32,
    /// Records skipped (not disconnect requests, removes, malformed).
    pub skipped: u32,
    /// Of those, malformed disconnect requests.
    pub malformed: u32,
    /// Sequence numbers of the calls that failed, in batch order.
    pub failures: Vec<String>,
}

impl BatchResponse {
    /// Counts a skipped record.
    pub fn skip(&mut self, why: &Skip) {
        self.skipped += 1;
        if matches!(why, Skip::Malformed { .. }) {
            self.malformed += 1;
        }
    }

    /// Counts a call's result.
    pub fn record(&mut self, call: &Disconnect, result: CallResult) {
        match result {
            CallResult::Disconnected => self.disconnected += 1,
            CallResult::NotFound => self.not_found += 1,
            CallResult::Rejected => self.rejected += 1,
            CallResult::Failed => self.failures.push(call.sequence_number.clone()),
        }
    }

    /// The answer to Lambda: `{"batchItemFailures": [{"itemIdentifier": seq}, ...]}`
    /// (the event source mapping has `ReportBatchItemFailures`).
    pub fn to_json(&self) -> Value {
        let failures: Vec<Value> = self
            .failures
            .iter()
            .map(|s| json!({ "itemIdentifier": s }))
            .collect();
        json!({ "batchItemFailures": failures })
    }

    /// One CloudWatch EMF record of the invocation in `namespace`, no dimensions:
    /// `Disconnects`, `DisconnectsNotFound`, `DisconnectsRejected`,
    /// `DisconnectFailures`, `StreamRecordsSkipped`, `MalformedDisconnects` (Count).
    pub fn emf_record(&self, namespace: &str, timestamp_ms: u64) -> Value {
        let names = [
            ("Disconnects", self.disconnected),
            ("DisconnectsNotFound", self.not_found),
            ("DisconnectsRejected", self.rejected),
            ("DisconnectFailures", self.failures.len() as u32),
            ("StreamRecordsSkipped", self.skipped),
            ("MalformedDisconnects", self.malformed),
        ];
        let metrics: Vec<Value> = names
            .iter()
            .map(|(n, _)| json!({"Name": n, "Unit": "Count"}))
            .collect();
        let mut record = json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [[]],
                    "Metrics": metrics,
                }]
            }
        });
        for (n, v) in names {
            record[n] = json!(v);
        }
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "arn:aws:ivschat:us-east-1:123456789012:room/";

    fn rooms() -> RoomArnPrefix {
        RoomArnPrefix::parse(PREFIX).unwrap()
    }

    fn record(event: &str, seq: &str, image: Value) -> Value {
        json!({"eventID": "e", "eventName": event, "eventSource": "aws:dynamodb",
               "dynamodb": {"SequenceNumber": seq, "StreamViewType": "NEW_IMAGE",
                            "Keys": {"pk": image["pk"].clone()}, "NewImage": image}})
    }

    fn disconnect_image(room: &str, user: &str, reason: Option<&str>) -> Value {
        let mut image = json!({"pk": {"S": format!("D#{room}#{user}#1700000000000")},
            "room": {"S": room}, "user": {"S": user}, "at": {"N": "1700000000000"},
            "expires_at": {"N": "1700086400"}});
        if let Some(r) = reason {
            image["reason"] = json!({ "S": r });
        }
        image
    }

    fn planned(records: Vec<Value>) -> Vec<Planned> {
        let event: StreamEvent = serde_json::from_value(json!({ "Records": records })).unwrap();
        plan(&event, &rooms())
    }

    #[test]
    fn room_arn_prefix_is_checked() {
        assert!(RoomArnPrefix::parse(PREFIX).is_ok());
        assert!(RoomArnPrefix::parse("arn:aws-cn:ivschat:cn-north-1:1:room/").is_ok());
        for bad in [
            "",
            "arn:aws:ivschat:us-east-1:123456789012:room",
            "arn:aws:ivs:us-east-1:123456789012:room/",
            "arn:aws:ivschat:us-east-1:acct:room/",
            "arn:aws:ivschat::123456789012:room/",
            "arn:aws:ivschat:us-east-1:123456789012:room/abc",
            "aws:ivschat:us-east-1:123456789012:room/",
        ] {
            let e = RoomArnPrefix::parse(bad).unwrap_err().to_string();
            assert!(e.contains("ROOM_ARN_PREFIX"), "{bad}: {e}");
        }
        assert_eq!(
            rooms().room_arn("a-B9").as_deref(),
            Some(&*format!("{PREFIX}a-B9"))
        );
        assert_eq!(rooms().room_arn(""), None);
        assert_eq!(rooms().room_arn("a/b"), None);
        assert_eq!(rooms().room_arn(&"a".repeat(100)), None);
    }

    #[test]
    fn a_disconnect_record_becomes_one_call() {
        let got = planned(vec![record(
            "INSERT",
            "100",
            disconnect_image("r1", "alice", Some("too many strikes")),
        )]);
        assert_eq!(
            got,
            [Planned::Disconnect(Disconnect {
                sequence_number: "100".into(),
                room_arn: format!("{PREFIX}r1"),
                user_id: "alice".into(),
                reason: Some("too many strikes".into()),
            })]
        );
    }

    #[test]
    fn other_items_removes_and_malformed_requests_are_skipped() {
        let mut no_user = disconnect_image("r1", "u", None);
        no_user.as_object_mut().unwrap().remove("user");
        let mut numeric_room = disconnect_image("r1", "u", None);
        numeric_room["room"] = json!({"N": "1"});
        let got = planned(vec![
            record("INSERT", "1", json!({"pk": {"S": "U#r1#alice"}})),
            record("REMOVE", "2", disconnect_image("r1", "u", None)),
            json!({"eventName": "INSERT", "dynamodb": {"SequenceNumber": "3"}}),
            record("INSERT", "4", no_user),
            record("INSERT", "5", numeric_room),
            record("INSERT", "6", disconnect_image("r/1", "u", None)),
            record(
                "INSERT",
                "7",
                disconnect_image("r1", &"x".repeat(129), None),
            ),
            record("INSERT", "8", json!({"pk": {"N": "1"}})),
        ]);
        let whys: Vec<Skip> = got
            .into_iter()
            .map(|p| match p {
                Planned::Skip { why, .. } => why,
                other => panic!("expected a skip: {other:?}"),
            })
            .collect();
        assert_eq!(whys[0], Skip::NotDisconnect);
        assert_eq!(whys[1], Skip::NoNewImage);
        assert_eq!(whys[2], Skip::NoNewImage);
        let fields: Vec<&str> = whys[3..]
            .iter()
            .map(|w| match w {
                Skip::Malformed { field, .. } => *field,
                other => panic!("expected malformed: {other:?}"),
            })
            .collect();
        assert_eq!(fields, ["user", "room", "room", "user", "pk"]);
    }

    #[test]
    fn reasons_are_cut_to_what_ivs_accepts_and_empty_ones_left_out() {
        let long = "é".repeat(300);
        let got = planned(vec![
            record("MODIFY", "1", disconnect_image("r1", "u", Some(&long))),
            record("INSERT", "2", disconnect_image("r1", "u", Some(""))),
            record("INSERT", "3", disconnect_image("r1", "u", None)),
        ]);
        let reasons: Vec<Option<usize>> = got
            .iter()
            .map(|p| match p {
                Planned::Disconnect(d) => d.reason.as_ref().map(|r| r.chars().count()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(reasons, [Some(256), None, None]);
    }

    #[test]
    fn only_failed_calls_are_reported_and_404_is_done() {
        assert_eq!(
            CallResult::from_error(Some(404), Some("ResourceNotFoundException")),
            CallResult::NotFound
        );
        assert_eq!(
            CallResult::from_error(Some(404), None),
            CallResult::NotFound
        );
        assert_eq!(
            CallResult::from_error(Some(400), Some("ValidationException")),
            CallResult::Rejected
        );
        for (status, code) in [
            (Some(500), Some("InternalServerException")),
            (Some(429), Some("ThrottlingException")),
            (Some(403), Some("AccessDeniedException")),
            (None, None),
        ] {
            assert_eq!(CallResult::from_error(status, code), CallResult::Failed);
        }
        let call = |seq: &str| Disconnect {
            sequence_number: seq.into(),
            room_arn: format!("{PREFIX}r"),
            user_id: "u".into(),
            reason: None,
        };
        let mut b = BatchResponse::default();
        b.record(&call("1"), CallResult::Disconnected);
        b.record(&call("2"), CallResult::Failed);
        b.record(&call("3"), CallResult::NotFound);
        b.record(&call("4"), CallResult::Failed);
        b.skip(&Skip::NotDisconnect);
        assert_eq!(
            b.to_json(),
            json!({"batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "4"}]})
        );
        let emf = b.emf_record("NS", 1);
        assert_eq!(emf["Disconnects"], 1);
        assert_eq!(emf["DisconnectFailures"], 2);
        assert_eq!(emf["DisconnectsNotFound"], 1);
        assert_eq!(emf["StreamRecordsSkipped"], 1);
        for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
        {
            assert!(emf[m["Name"].as_str().unwrap()].is_number(), "{m}");
        }
        assert_eq!(
            BatchResponse::default().to_json(),
            json!({"batchItemFailures": []})
        );
    }
}
