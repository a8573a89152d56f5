//! Pure parsing of chat log inputs into [`ChatRecord`]s.
//!
//! Accepted, auto-detected per record:
//! - raw IVS log envelopes (contracts, section 2): one JSON object per line (S3
//!   delivery, CloudWatch export) or concatenated without separators (Firehose);
//! - the NDJSON rows written by `log-ingest` (flat, snake_case: `type`, `id`,
//!   `send_time` as integer nanoseconds, `sender_user_id`, `target_message_id` ...).
//!
//! Either may be gzip-compressed (detected by the magic bytes). The Parquet files
//! `log-ingest` writes are read too (detected by `PAR1`), see [`parquet`]. A record
//! that cannot be read is rejected with its `source:line` (row, for Parquet) and the
//! reason; the others are kept.

pub mod parquet;

use std::io::Read;

use serde::Deserialize;

use crate::error::ReplayError;
use crate::record::{Attrs, ChatRecord, RecordKind, DELETE_MESSAGE, DISCONNECT_USER};
use crate::timefmt::{parse_rfc3339, UnixNanos};

/// What came out of one input: the records read and the ones rejected.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Records read, in input order.
    pub records: Vec<ChatRecord>,
    /// One error per rejected record (or per unreadable input), with its location.
    pub rejected: Vec<ReplayError>,
}

/// Parses one input's bytes (plain or gzip). `room_hint` is the room id known from the
/// source (e.g. the S3 key), applied to records that carry none.
pub fn parse_chat(source_name: &str, bytes: &[u8], room_hint: Option<&str>) -> Parsed {
    if bytes.starts_with(b"PAR1") {
        return parquet::parse_parquet(source_name, bytes, room_hint);
    }
    let mut out = Parsed::default();
    let decoded;
    let text: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut buf = Vec::new();
        if let Err(e) = flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut buf) {
            out.rejected.push(ReplayError::field(
                source_name,
                0,
                "(gzip)",
                format!("a valid gzip stream: {e}"),
            ));
            // Keep what was decompressed before the damage.
        }
        decoded = buf;
        &decoded
    } else {
        bytes
    };
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        // A line may hold several concatenated values (Firehose without separators).
        let mut stream = serde_json::Deserializer::from_slice(trimmed).into_iter::<Line>();
        loop {
            match stream.next() {
                None => break,
                Some(Ok(l)) => match l.into_record(room_hint) {
                    Ok(r) => out.records.push(r),
                    Err((field, expected)) => {
                        out.rejected
                            .push(ReplayError::field(source_name, line_no, field, expected))
                    }
                },
                Some(Err(e)) => {
                    out.rejected
                        .push(ReplayError::json(source_name, line_no, &e));
                    break; // cannot resynchronise inside this line
                }
            }
        }
    }
    out
}

/// `event_timestamp` is RFC 3339 text in IVS envelopes and integer ns in log-ingest rows.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Instant {
    Nanos(i64),
    Text(String),
}

/// The union of both line shapes; unknown fields are ignored.
#[derive(Deserialize)]
pub(crate) struct Line {
    // IVS envelope
    pub(crate) payload: Option<Payload>,
    pub(crate) event_timestamp: Option<Instant>,
    // log-ingest row
    pub(crate) r#type: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) event_name: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) send_time: Option<i64>,
    pub(crate) sender_user_id: Option<String>,
    pub(crate) sender_attributes: Option<Attrs>,
    pub(crate) attributes: Option<Attrs>,
    pub(crate) target_message_id: Option<String>,
    pub(crate) target_user_id: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) room_id: Option<String>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct Payload {
    Type: Option<String>,
    Id: Option<String>,
    Content: Option<String>,
    Attributes: Option<Attrs>,
    SendTime: Option<String>,
    Sender: Option<Sender>,
    EventName: Option<String>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct Sender {
    UserId: Option<String>,
    Attributes: Option<Attrs>,
}

/// A field name and what was expected there.
pub(crate) type FieldError = (&'static str, String);

impl Line {
    pub(crate) fn into_record(self, room_hint: Option<&str>) -> Result<ChatRecord, FieldError> {
        let envelope_time = match &self.event_timestamp {
            None => None,
            Some(Instant::Nanos(n)) => Some(*n),
            Some(Instant::Text(t)) => Some(parse_rfc3339(t).ok_or((
                "event_timestamp",
                format!("an RFC 3339 timestamp, found {t:?}"),
            ))?),
        };
        match self.payload {
            Some(p) => envelope_record(p, envelope_time, room_hint),
            None => self.ingest_record(envelope_time, room_hint),
        }
    }

    fn ingest_record(
        self,
        envelope_time: Option<UnixNanos>,
        room_hint: Option<&str>,
    ) -> Result<ChatRecord, FieldError> {
        let Some(kind) = self.r#type else {
            return Err((
                "payload",
                "an IVS envelope (with `payload`) or a log-ingest row (with `type`)".to_owned(),
            ));
        };
        let kind = match kind.as_str() {
            "MESSAGE" => RecordKind::Message,
            "EVENT" => RecordKind::Event(
                self.event_name
                    .ok_or(("event_name", "the event name of an EVENT row".to_owned()))?,
            ),
            other => return Err(("type", format!("MESSAGE or EVENT, found {other:?}"))),
        };
        let send_time = self.send_time.or(envelope_time).ok_or((
            "send_time",
            "integer nanoseconds (or event_timestamp)".to_owned(),
        ))?;
        let attributes = self.attributes.unwrap_or_default();
        let reason = self.reason.or_else(|| attributes.get("Reason").cloned());
        Ok(ChatRecord {
            id: self
                .id
                .ok_or(("id", "the message or event id".to_owned()))?,
            send_time,
            sender_user_id: self.sender_user_id,
            sender_attributes: self.sender_attributes.unwrap_or_default(),
            content: self.content,
            target_message_id: self
                .target_message_id
                .or_else(|| target_message(&kind, &attributes)),
            target_user_id: self
                .target_user_id
                .or_else(|| target_user(&kind, &attributes)),
            reason,
            attributes,
            room: self.room_id.or_else(|| room_hint.map(str::to_owned)),
            kind,
        })
    }
}

fn envelope_record(
    p: Payload,
    envelope_time: Option<UnixNanos>,
    room_hint: Option<&str>,
) -> Result<ChatRecord, FieldError> {
    let kind = match p.Type.as_deref() {
        Some("MESSAGE") => RecordKind::Message,
        Some("EVENT") => RecordKind::Event(
            p.EventName
                .ok_or(("payload.EventName", "the event name of an EVENT".to_owned()))?,
        ),
        other => return Err(("payload.Type", format!("MESSAGE or EVENT, found {other:?}"))),
    };
    let send_time = match &p.SendTime {
        Some(t) => parse_rfc3339(t).ok_or((
            "payload.SendTime",
            format!("an RFC 3339 timestamp, found {t:?}"),
        ))?,
        None => envelope_time.ok_or((
            "payload.SendTime",
            "an RFC 3339 timestamp (or event_timestamp)".to_owned(),
        ))?,
    };
    let attributes = p.Attributes.unwrap_or_default();
    let (sender_user_id, sender_attributes) = match p.Sender {
        Some(s) => (s.UserId, s.Attributes.unwrap_or_default()),
        None => (None, Attrs::new()),
    };
    Ok(ChatRecord {
        id: p
            .Id
            .ok_or(("payload.Id", "the message or event id".to_owned()))?,
        send_time,
        sender_user_id,
        sender_attributes,
        content: p.Content,
        target_message_id: target_message(&kind, &attributes),
        target_user_id: target_user(&kind, &attributes),
        reason: match kind {
            RecordKind::Event(_) => attributes.get("Reason").cloned(),
            RecordKind::Message => None,
        },
        attributes,
        room: room_hint.map(str::to_owned),
        kind,
    })
}

/// `aws:DELETE_MESSAGE` names its target as `MessageID` and/or `MessageId`.
fn target_message(kind: &RecordKind, attrs: &Attrs) -> Option<String> {
    match kind {
        RecordKind::Event(n) if n == DELETE_MESSAGE => attrs
            .get("MessageID")
            .or_else(|| attrs.get("MessageId"))
            .cloned(),
        _ => None,
    }
}

fn target_user(kind: &RecordKind, attrs: &Attrs) -> Option<String> {
    match kind {
        RecordKind::Event(n) if n == DISCONNECT_USER => attrs.get("UserId").cloned(),
        _ => None,
    }
}

/// The room id in an IVS chat log S3 key or file name (`room_<id>`), if any.
pub fn room_from_key(key: &str) -> Option<&str> {
    let start = key.rfind("room_")? + "room_".len();
    let rest = &key[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const MSG: &str = r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Content":"bbiab!","Attributes":{"username":"gleningp"},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{"UserId":"u1","Attributes":{}}}}"#;
    const DEL: &str = r#"{"event_timestamp":"2023-01-05T14:33:40Z","type":"EVENT","version":"1.0","payload":{"Type":"EVENT","Id":"e1","RequestId":"r","EventName":"aws:DELETE_MESSAGE","SendTime":"2023-01-05T14:33:40Z","Attributes":{"MessageId":"WhO6MW6iRdS5","Reason":"Spam"}}}"#;

    #[test]
    fn reads_envelope_lines_gzip_and_concatenated_values() {
        let plain = format!("{MSG}\n\n{DEL}\n");
        let p = parse_chat("a.log", plain.as_bytes(), Some("room1"));
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.records.len(), 2);
        let m = &p.records[0];
        assert_eq!(m.content.as_deref(), Some("bbiab!"));
        assert_eq!(m.send_time % 1_000_000_000, 894_089_757);
        assert_eq!(m.room.as_deref(), Some("room1"));
        assert_eq!(
            p.records[1].target_message_id.as_deref(),
            Some("WhO6MW6iRdS5")
        );
        assert_eq!(p.records[1].reason.as_deref(), Some("Spam"));

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(format!("{MSG}{DEL}").as_bytes()).unwrap();
        let p = parse_chat("b.gz", &gz.finish().unwrap(), None);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.records.len(), 2);
    }

    #[test]
    fn reads_log_ingest_rows() {
        let row = r#"{"event_timestamp":1672929212894000000,"type":"EVENT","version":"1.0","room_id":"abc","id":"e2","event_name":"aws:DELETE_MESSAGE","send_time":1672929212894089757,"attributes":{"MessageID":"m1"},"target_message_id":"m1","reason":"Spam","source":"x","source_line":3}"#;
        let p = parse_chat("rows.ndjson", row.as_bytes(), None);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let r = &p.records[0];
        assert_eq!(r.event_name(), Some(DELETE_MESSAGE));
        assert_eq!(r.send_time, 1_672_929_212_894_089_757);
        assert_eq!(r.room.as_deref(), Some("abc"));
        assert_eq!(r.target_message_id.as_deref(), Some("m1"));
    }

    #[test]
    fn bad_records_are_rejected_with_location_and_the_rest_kept() {
        let text = format!("{MSG}\n{{\"payload\":{{\"Type\":\"MESSAGE\",\"Id\":\"x\",\"SendTime\":\"later\"}}}}\nnot json\n{DEL}\n");
        let p = parse_chat("c.log", text.as_bytes(), None);
        assert_eq!(p.records.len(), 2);
        let errs: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].starts_with("c.log:2:")
                && errs[0].contains("payload.SendTime")
                && errs[0].contains("later"),
            "{errs:?}"
        );
        assert!(
            errs[1].starts_with("c.log:3:") && errs[1].contains("invalid JSON"),
            "{errs:?}"
        );
    }

    #[test]
    fn room_from_s3_key() {
        let key = "AWSLogs/1/IVSChatLogs/1.0/us-west-2/room_abc123DEF456/2022/10/14/17/1_IVSChatLogs_1.0_us-west-2_room_abc123DEF456_20221014T1740Z_1766dcbc.log.gz";
        assert_eq!(room_from_key(key), Some("abc123DEF456"));
        assert_eq!(room_from_key("chat.log"), None);
    }
}
