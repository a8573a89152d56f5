//! CloudWatch Logs subscription batches (`awslogs.data`) to items.

use std::io::Read;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flate2::read::MultiGzDecoder;
use serde::Deserialize;

use crate::decisions::LogLine;
use crate::envelope::parse_item;
use crate::error::IngestError;
use crate::keys::room_from_log_stream;
use crate::quarantine::Item;
use crate::record::{Position, SourceContext};

/// Decoded batches larger than this are refused (Lambda payloads are at most 6 MB compressed).
pub const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;

/// The decoded `awslogs.data` document.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogsData {
    /// `DATA_MESSAGE` or `CONTROL_MESSAGE`.
    pub message_type: String,
    /// Account id of the log group.
    #[serde(default)]
    pub owner: String,
    /// Log group name.
    #[serde(default)]
    pub log_group: String,
    /// Log stream name: `aws/IVSChatLogs/<version>/room_<id>`.
    #[serde(default)]
    pub log_stream: String,
    /// The log events.
    #[serde(default)]
    pub log_events: Vec<LogEvent>,
}

/// One log event: its message is one envelope.
#[derive(Debug, Clone, Deserialize)]
pub struct LogEvent {
    /// Event id.
    #[serde(default)]
    pub id: String,
    /// Ingestion time, ms since epoch.
    #[serde(default)]
    pub timestamp: i64,
    /// The envelope text.
    pub message: String,
}

/// Decodes `{"awslogs":{"data": base64(gzip(json))}}`.
pub fn decode_event(event: &serde_json::Value) -> Result<LogsData, IngestError> {
    let data = event
        .pointer("/awslogs/data")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            IngestError::Event("expected {\"awslogs\":{\"data\": \"<base64>\"}}".to_string())
        })?;
    let gz = STANDARD
        .decode(data.as_bytes())
        .map_err(|e| IngestError::Event(format!("awslogs.data is not base64: {e}")))?;
    let mut json = Vec::new();
    MultiGzDecoder::new(gz.as_slice())
        .take(MAX_DECODED_BYTES)
        .read_to_end(&mut json)
        .map_err(|e| IngestError::Event(format!("awslogs.data is not gzip: {e}")))?;
    serde_json::from_slice(&json)
        .map_err(|e| IngestError::Event(format!("awslogs.data is not a subscription batch: {e}")))
}

impl LogsData {
    /// True for the CONTROL_MESSAGE CloudWatch sends to check the destination.
    pub fn is_control(&self) -> bool {
        self.message_type == "CONTROL_MESSAGE"
    }

    /// Source identifier `cloudwatch:<group>/<stream>`.
    pub fn source(&self) -> String {
        format!("cloudwatch:{}/{}", self.log_group, self.log_stream)
    }

    /// A stable key naming this batch's outputs: group, stream and first/last event ids,
    /// so a redelivered batch replaces its earlier outputs.
    pub fn output_key(&self) -> String {
        let first = self.log_events.first().map_or("", |e| e.id.as_str());
        let last = self.log_events.last().map_or("", |e| e.id.as_str());
        format!(
            "cloudwatch/{}/{}/{}-{}",
            self.log_group, self.log_stream, first, last
        )
    }

    /// The context: room from the stream name, account from `owner`.
    pub fn context(&self, region: Option<String>) -> SourceContext {
        SourceContext {
            source: self.source(),
            account_id: Some(self.owner.clone()).filter(|o| !o.is_empty()),
            region,
            room_id: room_from_log_stream(&self.log_stream),
            key_version: None,
        }
    }

    /// The log events as lines of a decisions source (none for a CONTROL_MESSAGE): the
    /// review handler's log group; `line` is the 1-based event index, `source_ref` the
    /// event id.
    pub fn log_lines(&self) -> Vec<LogLine<'_>> {
        if self.is_control() {
            return Vec::new();
        }
        self.log_events
            .iter()
            .enumerate()
            .map(|(i, e)| LogLine {
                text: e.message.trim().as_bytes(),
                pos: Position {
                    line: Some(i as u64 + 1),
                    offset: None,
                },
                source_ref: Some(e.id.as_str()),
            })
            .collect()
    }

    /// One item per log event (none for a CONTROL_MESSAGE); `line` is the 1-based event index.
    pub fn items(&self, ctx: &SourceContext) -> Vec<Item> {
        if self.is_control() {
            return Vec::new();
        }
        self.log_events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let pos = Position {
                    line: Some(i as u64 + 1),
                    offset: None,
                };
                match parse_item(e.message.trim().as_bytes(), ctx, pos) {
                    Item::Record(mut r) => {
                        r.source_ref = Some(e.id.clone());
                        Item::Record(r)
                    }
                    Item::Quarantined(mut q) => {
                        q.source_ref = Some(e.id.clone());
                        Item::Quarantined(q)
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use serde_json::json;
    use std::io::Write;

    fn wrap(doc: &serde_json::Value) -> serde_json::Value {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(doc.to_string().as_bytes()).unwrap();
        json!({"awslogs": {"data": STANDARD.encode(e.finish().unwrap())}})
    }

    const MSG: &str = r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Content":"bbiab!","Attributes":{},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{"UserId":"u","Attributes":{}}}}"#;

    #[test]
    fn data_message_room_from_stream_and_bad_events_quarantined() {
        let doc = json!({"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/ivs/chat",
            "logStream":"aws/IVSChatLogs/1.0/room_abc123DEF456","subscriptionFilters":["all"],
            "logEvents":[{"id":"e1","timestamp":1672929212894i64,"message":MSG},
                         {"id":"e2","timestamp":1672929212895i64,"message":"oops"}]});
        let logs = decode_event(&wrap(&doc)).unwrap();
        let ctx = logs.context(Some("us-east-1".into()));
        let items = logs.items(&ctx);
        assert_eq!(items.len(), 2);
        match &items[0] {
            Item::Record(r) => {
                assert_eq!(r.room_id.as_deref(), Some("abc123DEF456"));
                assert_eq!(
                    r.room_arn.as_deref(),
                    Some("arn:aws:ivschat:us-east-1:123456789012:room/abc123DEF456")
                );
                assert_eq!(r.source_ref.as_deref(), Some("e1"));
                assert_eq!(
                    r.source,
                    "cloudwatch:/ivs/chat/aws/IVSChatLogs/1.0/room_abc123DEF456"
                );
            }
            other => panic!("{other:?}"),
        }
        match &items[1] {
            Item::Quarantined(q) => {
                assert_eq!((q.source_ref.as_deref(), q.line), (Some("e2"), Some(2)))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            logs.output_key(),
            "cloudwatch//ivs/chat/aws/IVSChatLogs/1.0/room_abc123DEF456/e1-e2"
        );
    }

    #[test]
    fn control_message_is_skipped() {
        let doc = json!({"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"",
            "subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]});
        let logs = decode_event(&wrap(&doc)).unwrap();
        assert!(logs.is_control());
        assert!(logs.items(&logs.context(None)).is_empty());
    }

    #[test]
    fn malformed_events_are_errors() {
        assert!(decode_event(&json!({})).is_err());
        assert!(decode_event(&json!({"awslogs":{"data":"!!"}})).is_err());
        assert!(decode_event(&json!({"awslogs":{"data":STANDARD.encode(b"plain")}})).is_err());
    }
}
