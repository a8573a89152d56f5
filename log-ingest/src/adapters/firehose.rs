//! Firehose data-transformation batches: every input record answered exactly once.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::envelope::parse_envelope;
use crate::record::{Position, SourceContext};

/// Firehose's cap on a transformation Lambda's response (bytes of JSON).
pub const RESPONSE_CAP: usize = 6 * 1024 * 1024;

/// The transformation request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseRequest {
    /// Invocation id.
    #[serde(default)]
    pub invocation_id: String,
    /// The delivery stream's ARN.
    #[serde(default)]
    pub delivery_stream_arn: String,
    /// Region of the stream.
    #[serde(default)]
    pub region: Option<String>,
    /// The records to transform.
    pub records: Vec<FirehoseInRecord>,
}

/// One input record.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseInRecord {
    /// Id to answer with.
    pub record_id: String,
    /// Arrival time, ms since epoch.
    #[serde(default)]
    pub approximate_arrival_timestamp: Option<i64>,
    /// Base64 of the record bytes (one IVS envelope).
    pub data: String,
}

/// The transformation response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FirehoseResponse {
    /// One answer per input record, same order.
    pub records: Vec<FirehoseOutRecord>,
}

/// The result of transforming one record. Serialised as the literal strings the
/// contract requires (`Ok`, `Dropped`, `ProcessingFailed`), not the `TransformedState...`
/// names `aws_lambda_events` documents for its untyped `result` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FirehoseResult {
    /// Transformed: `data` holds the normalised record.
    Ok,
    /// Dropped on purpose (configured event names): not delivered, not an error.
    Dropped,
    /// Could not be transformed: Firehose delivers it to its processing-failed output.
    ProcessingFailed,
}

impl FirehoseResult {
    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            FirehoseResult::Ok => "Ok",
            FirehoseResult::Dropped => "Dropped",
            FirehoseResult::ProcessingFailed => "ProcessingFailed",
        }
    }
}

/// One answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseOutRecord {
    /// The input's `recordId`.
    pub record_id: String,
    /// `Ok`, `Dropped` or `ProcessingFailed`.
    pub result: FirehoseResult,
    /// Base64: the normalised record plus `\n` when `Ok`, the input data otherwise.
    pub data: String,
    /// `partitionKeys` (`room`, `date`) when `Ok`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub metadata: Option<Metadata>,
}

/// Record metadata for dynamic partitioning.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Keys for `!{partitionKeyFromLambda:room}` and `!{partitionKeyFromLambda:date}`.
    pub partition_keys: BTreeMap<String, String>,
}

/// What the stream is configured with.
#[derive(Debug, Clone, Default)]
pub struct TransformConfig {
    /// The room this stream logs (Firehose records do not carry it); `unknown` when unset.
    pub room_id: Option<String>,
    /// Account id of the room, for `room_arn`.
    pub account_id: Option<String>,
    /// Event names to answer `Dropped` (e.g. noisy custom events); nothing else is dropped.
    pub drop_event_names: Vec<String>,
    /// Response size cap (0: [`RESPONSE_CAP`]); see [`transform`] for how it is kept.
    pub response_cap: usize,
}

/// Why each non-Ok record was not Ok, in input order (for logging); `None` for Ok.
pub type Reasons = Vec<Option<String>>;

/// The serialised size of an answer (what it adds to the response, without the comma).
fn json_len(answer: &FirehoseOutRecord) -> usize {
    serde_json::to_vec(answer).map_or(usize::MAX / 4, |v| v.len())
}

/// `{"records":[` + `]}`.
const RESPONSE_FRAME: usize = 14;

/// The `ProcessingFailed` answer to `rec`, echoing its data or (`echo == false`) with empty
/// data: Firehose keeps the original record for its processing-failed output.
fn failed_answer(rec: &FirehoseInRecord, echo: bool) -> FirehoseOutRecord {
    FirehoseOutRecord {
        record_id: rec.record_id.clone(),
        result: FirehoseResult::ProcessingFailed,
        data: if echo {
            rec.data.clone()
        } else {
            String::new()
        },
        metadata: None,
    }
}

/// The answer this record gets when the response has room for it.
fn preferred_answer(
    rec: &FirehoseInRecord,
    ctx: &SourceContext,
    cfg: &TransformConfig,
) -> (FirehoseOutRecord, Option<String>) {
    let bytes = match STANDARD.decode(rec.data.as_bytes()) {
        Ok(b) => b,
        Err(e) => {
            let why = format!("record {}: data is not base64: {e}", rec.record_id);
            return (failed_answer(rec, true), Some(why));
        }
    };
    let mut r = match parse_envelope(bytes.trim_ascii(), ctx, Position::default()) {
        Ok(r) => r,
        Err(reason) => {
            let why = format!("record {}: {reason}", rec.record_id);
            return (failed_answer(rec, true), Some(why));
        }
    };
    r.source_ref = Some(rec.record_id.clone());
    let dropped = r
        .event_name
        .as_ref()
        .is_some_and(|n| cfg.drop_event_names.iter().any(|d| d == n));
    if dropped {
        let answer = FirehoseOutRecord {
            record_id: rec.record_id.clone(),
            result: FirehoseResult::Dropped,
            data: rec.data.clone(),
            metadata: None,
        };
        let why = format!("record {}: event name configured to drop", rec.record_id);
        return (answer, Some(why));
    }
    let (room, date) = r.partition();
    let mut line = r.to_json_line();
    line.push('\n');
    let answer = FirehoseOutRecord {
        record_id: rec.record_id.clone(),
        result: FirehoseResult::Ok,
        data: STANDARD.encode(line.as_bytes()),
        metadata: Some(Metadata {
            partition_keys: BTreeMap::from([
                ("date".to_string(), date),
                ("room".to_string(), room),
            ]),
        }),
    };
    (answer, None)
}

/// Transforms a batch: `Ok` + normalised JSON line + partition keys for envelopes,
/// `ProcessingFailed` for anything that is not one, `Dropped` for configured event names.
///
/// Every input record is answered exactly once, in order, and the serialised response is
/// at most the cap (6 MB) whenever answering every record `ProcessingFailed` with empty
/// data fits (always, for a request within Lambda's 6 MB payload limit: such an answer is
/// smaller than its input record). Room is reserved for the answers still to come: while
/// echoing the data of every failed record fits, failed records echo it and `Ok` records
/// that do not fit are answered `ProcessingFailed` (with echoed data, Firehose delivers
/// them to its processing-failed output); otherwise failed records are answered with
/// empty data.
pub fn transform(req: &FirehoseRequest, cfg: &TransformConfig) -> (FirehoseResponse, Reasons) {
    let ctx = SourceContext {
        source: if req.delivery_stream_arn.is_empty() {
            "firehose".to_string()
        } else {
            req.delivery_stream_arn.clone()
        },
        account_id: cfg.account_id.clone(),
        region: req.region.clone(),
        room_id: cfg.room_id.clone(),
        key_version: None,
    };
    let cap = if cfg.response_cap == 0 {
        RESPONSE_CAP
    } else {
        cfg.response_cap
    };
    let echo_len: Vec<usize> = req
        .records
        .iter()
        .map(|r| json_len(&failed_answer(r, true)) + 1)
        .collect();
    let echo_fits = RESPONSE_FRAME + echo_len.iter().sum::<usize>() <= cap;
    let reserve: Vec<usize> = if echo_fits {
        echo_len
    } else {
        req.records
            .iter()
            .map(|r| json_len(&failed_answer(r, false)) + 1)
            .collect()
    };
    // `after[i]`: the room reserved for the answers to records i+1.. .
    let mut after = vec![0usize; req.records.len()];
    for i in (0..req.records.len().saturating_sub(1)).rev() {
        after[i] = after[i + 1] + reserve[i + 1];
    }
    let mut size = RESPONSE_FRAME;
    let mut out = Vec::with_capacity(req.records.len());
    let mut reasons = Vec::with_capacity(req.records.len());
    for (i, rec) in req.records.iter().enumerate() {
        let fits = |a: &FirehoseOutRecord| size + json_len(a) + 1 + after[i] <= cap;
        let (preferred, why) = preferred_answer(rec, &ctx, cfg);
        let (answer, why) = if fits(&preferred) {
            (preferred, why)
        } else {
            let over = format!(
                "record {}: the response would exceed the {cap}-byte Firehose limit",
                rec.record_id
            );
            let why = why.map_or(over.clone(), |w| format!("{w}; {over}"));
            let echoed = failed_answer(rec, true);
            if fits(&echoed) {
                (echoed, Some(why))
            } else {
                let bare = failed_answer(rec, false);
                (bare, Some(format!("{why}: answered without its data")))
            }
        };
        size += json_len(&answer) + 1;
        out.push(answer);
        reasons.push(why);
    }
    (FirehoseResponse { records: out }, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(s: &str) -> String {
        STANDARD.encode(s.as_bytes())
    }

    const MSG: &str = r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Content":"bbiab!","Attributes":{},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{"UserId":"u","Attributes":{}}}}"#;
    const EV: &str = r#"{"event_timestamp":"2023-01-05T14:34:00.000Z","type":"EVENT","version":"1.0","payload":{"Type":"EVENT","Id":"EvT000000001","RequestId":"","EventName":"app:heartbeat","SendTime":"2023-01-05T14:34:00Z","Attributes":{}}}"#;

    fn request(datas: &[String]) -> FirehoseRequest {
        let v = json!({
            "invocationId": "inv-1",
            "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/room-abc",
            "region": "us-east-1",
            "records": datas.iter().enumerate().map(|(i, d)| json!({
                "recordId": format!("r{i}"), "approximateArrivalTimestamp": 1672929212894i64, "data": d
            })).collect::<Vec<_>>()
        });
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn every_record_answered_with_literal_results() {
        let req = request(&[
            b64(&format!("{MSG}\n")),
            b64("garbage"),
            "%%%".to_string(),
            b64(EV),
        ]);
        let cfg = TransformConfig {
            room_id: Some("abc".into()),
            account_id: Some("123456789012".into()),
            drop_event_names: vec!["app:heartbeat".into()],
            response_cap: 0,
        };
        let (resp, reasons) = transform(&req, &cfg);
        let results: Vec<&str> = resp.records.iter().map(|r| r.result.as_str()).collect();
        let wire: Vec<serde_json::Value> = resp
            .records
            .iter()
            .map(|r| serde_json::to_value(r).unwrap()["result"].clone())
            .collect();
        assert_eq!(
            wire,
            ["Ok", "ProcessingFailed", "ProcessingFailed", "Dropped"]
        );
        assert_eq!(
            results,
            ["Ok", "ProcessingFailed", "ProcessingFailed", "Dropped"]
        );
        let ids: Vec<&str> = resp.records.iter().map(|r| r.record_id.as_str()).collect();
        assert_eq!(ids, ["r0", "r1", "r2", "r3"]);
        assert_eq!(
            resp.records[1].data, req.records[1].data,
            "failed records keep their data"
        );
        assert!(reasons[1].as_ref().unwrap().contains("not valid JSON"));
        assert!(reasons[2].as_ref().unwrap().contains("base64"));
        let ok = &resp.records[0];
        let line = String::from_utf8(STANDARD.decode(&ok.data).unwrap()).unwrap();
        assert!(line.ends_with('\n'));
        let row: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(row["id"], "WhO6MW6iRdS5");
        assert_eq!(
            row["room_arn"],
            "arn:aws:ivschat:us-east-1:123456789012:room/abc"
        );
        assert_eq!(row["source_ref"], "r0");
        let keys = &ok.metadata.as_ref().unwrap().partition_keys;
        assert_eq!(
            (keys["room"].as_str(), keys["date"].as_str()),
            ("abc", "2023-01-05")
        );
        let wire = serde_json::to_value(&resp).unwrap();
        assert_eq!(
            wire["records"][0]["metadata"]["partitionKeys"]["room"],
            "abc"
        );
        assert!(wire["records"][1].get("metadata").is_none());
    }

    #[test]
    fn response_cap_fails_the_overflow_instead_of_dropping() {
        let req = request(&vec![b64(MSG); 10]);
        let cfg = TransformConfig {
            response_cap: 3000,
            ..TransformConfig::default()
        };
        let (resp, _) = transform(&req, &cfg);
        assert_eq!(resp.records.len(), 10);
        assert!(resp.records[0].result == FirehoseResult::Ok);
        assert!(resp.records[9].result == FirehoseResult::ProcessingFailed);
        assert_eq!(
            resp.records[0].metadata.as_ref().unwrap().partition_keys["room"],
            "unknown"
        );
    }
}
