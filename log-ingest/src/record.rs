//! The flat chat record: one row per IVS log envelope. See `SCHEMA.md` for the column docs.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::envelope::StrMap;

/// Where a record came from and what the delivery tells us that the record does not.
///
/// IVS envelopes carry no room: the S3 key or the CloudWatch log stream does, and a
/// Firehose stream is configured per room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceContext {
    /// Source identifier: `s3://bucket/key`, a local path, `cloudwatch:<group>/<stream>`...
    pub source: String,
    /// AWS account id, when known (S3 key).
    pub account_id: Option<String>,
    /// AWS region, when known (S3 key, Firehose/CloudWatch configuration).
    pub region: Option<String>,
    /// Chat room resource id (the part after `room/` in the ARN), when known.
    pub room_id: Option<String>,
    /// Log format version from the S3 key, when known.
    pub key_version: Option<String>,
}

impl SourceContext {
    /// A context that only names its source: nothing is known about account or room.
    pub fn named(source: impl Into<String>) -> Self {
        SourceContext {
            source: source.into(),
            ..SourceContext::default()
        }
    }

    /// `arn:aws:ivschat:<region>:<account>:room/<id>` when region, account and room are known.
    pub fn room_arn(&self) -> Option<String> {
        match (&self.region, &self.account_id, &self.room_id) {
            (Some(r), Some(a), Some(id)) => Some(format!("arn:aws:ivschat:{r}:{a}:room/{id}")),
            _ => None,
        }
    }
}

/// Position of one input unit inside its source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 1-based line number, for line-oriented sources (IVS S3 objects, NDJSON).
    pub line: Option<u64>,
    /// Byte offset in the decompressed stream, when the source is a byte stream.
    pub offset: Option<u64>,
}

/// One IVS chat log envelope, flattened. Serialises as the NDJSON sink's line format.
///
/// Field names are the column names of the Parquet output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatRecord {
    /// Envelope `event_timestamp` (when IVS received it), ns since epoch, UTC (ms precision).
    pub event_timestamp: i64,
    /// Envelope `type`: `MESSAGE` or `EVENT`.
    pub r#type: String,
    /// Envelope `version`, e.g. `1.0`.
    pub version: String,
    /// Account id, from the S3 key (null otherwise).
    pub account_id: Option<String>,
    /// Region, from the S3 key or configuration.
    pub region: Option<String>,
    /// Room resource id, from the S3 key, log stream or configuration.
    pub room_id: Option<String>,
    /// Room ARN, when account, region and room id are all known.
    pub room_arn: Option<String>,
    /// Payload `Id`: the message id (MESSAGE) or event id (EVENT).
    pub id: String,
    /// Payload `RequestId`; an empty string becomes null.
    pub request_id: Option<String>,
    /// Payload `EventName` (EVENT only), e.g. `aws:DELETE_MESSAGE` or a custom name.
    pub event_name: Option<String>,
    /// Payload `Content` (MESSAGE only).
    pub content: Option<String>,
    /// Payload `SendTime`, ns since epoch, UTC, full nanosecond precision.
    pub send_time: Option<i64>,
    /// Payload `Sender.UserId`.
    pub sender_user_id: Option<String>,
    /// Payload `Sender.Attributes` (null when missing or null).
    pub sender_attributes: Option<BTreeMap<String, String>>,
    /// Payload `Attributes`: message attributes, or event attributes (null when null/missing).
    pub attributes: Option<BTreeMap<String, String>>,
    /// `aws:DELETE_MESSAGE`: the deleted message id (`MessageID` or `MessageId`, normalised).
    pub target_message_id: Option<String>,
    /// `aws:DISCONNECT_USER`: the disconnected user id.
    pub target_user_id: Option<String>,
    /// System events: `Attributes.Reason`.
    pub reason: Option<String>,
    /// Unknown payload fields as a JSON object text (schema evolution), else null.
    pub payload_extra: Option<String>,
    /// Unknown envelope fields as a JSON object text, else null.
    pub envelope_extra: Option<String>,
    /// Source identifier (object URI, path, log group/stream).
    pub source: String,
    /// 1-based line in the source, for line-oriented sources.
    pub source_line: Option<u64>,
    /// Byte offset in the decompressed source, when it is a byte stream.
    pub source_offset: Option<u64>,
    /// Id of the delivery unit: CloudWatch log event id or Firehose record id.
    pub source_ref: Option<String>,
}

impl ChatRecord {
    /// The Hive partition this record belongs to: (`room` value, `date` value).
    ///
    /// An unknown room is partitioned as `unknown`.
    pub fn partition(&self) -> (String, String) {
        (
            self.room_id
                .clone()
                .unwrap_or_else(|| "unknown".to_string()),
            crate::timefmt::utc_date(self.event_timestamp),
        )
    }

    /// The record as one NDJSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        // Serialising a struct of strings, integers and string maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A borrowed view of this record, as the sinks take it.
    pub fn row(&self) -> RowRef<'_> {
        RowRef {
            event_timestamp: self.event_timestamp,
            r#type: &self.r#type,
            version: &self.version,
            account_id: self.account_id.as_deref(),
            region: self.region.as_deref(),
            room_id: self.room_id.as_deref(),
            room_arn: self.room_arn.as_deref(),
            id: &self.id,
            request_id: self.request_id.as_deref(),
            event_name: self.event_name.as_deref(),
            content: self.content.as_deref(),
            send_time: self.send_time,
            sender_user_id: self.sender_user_id.as_deref(),
            sender_attributes: self.sender_attributes.as_ref().map(MapRef::Tree),
            attributes: self.attributes.as_ref().map(MapRef::Tree),
            target_message_id: self.target_message_id.as_deref(),
            target_user_id: self.target_user_id.as_deref(),
            reason: self.reason.as_deref(),
            payload_extra: self.payload_extra.as_deref(),
            envelope_extra: self.envelope_extra.as_deref(),
            source: &self.source,
            source_line: self.source_line,
            source_offset: self.source_offset,
            source_ref: self.source_ref.as_deref(),
        }
    }
}

/// A string map column value, borrowed from a [`ChatRecord`] or a parsed envelope.
#[derive(Debug, Clone, Copy)]
pub enum MapRef<'r> {
    /// From an owned record.
    Tree(&'r BTreeMap<String, String>),
    /// From a borrowed parse (already in key order, keys unique).
    Pairs(&'r StrMap<'r>),
}

impl<'r> MapRef<'r> {
    /// Key/value pairs in key order.
    pub fn for_each(&self, mut f: impl FnMut(&str, &str)) {
        match self {
            MapRef::Tree(m) => m.iter().for_each(|(k, v)| f(k, v)),
            MapRef::Pairs(m) => m.iter().for_each(|(k, v)| f(k, v)),
        }
    }
}

impl Serialize for MapRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MapRef::Tree(m) => m.serialize(s),
            MapRef::Pairs(m) => {
                let mut out = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
    }
}

/// One row, every column borrowed: what the sinks write. Serialises exactly like
/// [`ChatRecord`] (same fields, same order), so the NDJSON output does not depend on
/// which path produced the row.
#[derive(Debug, Clone, Copy, Serialize)]
#[allow(missing_docs)] // the columns are documented on `ChatRecord` and in SCHEMA.md
pub struct RowRef<'r> {
    pub event_timestamp: i64,
    pub r#type: &'r str,
    pub version: &'r str,
    pub account_id: Option<&'r str>,
    pub region: Option<&'r str>,
    pub room_id: Option<&'r str>,
    pub room_arn: Option<&'r str>,
    pub id: &'r str,
    pub request_id: Option<&'r str>,
    pub event_name: Option<&'r str>,
    pub content: Option<&'r str>,
    pub send_time: Option<i64>,
    pub sender_user_id: Option<&'r str>,
    pub sender_attributes: Option<MapRef<'r>>,
    pub attributes: Option<MapRef<'r>>,
    pub target_message_id: Option<&'r str>,
    pub target_user_id: Option<&'r str>,
    pub reason: Option<&'r str>,
    pub payload_extra: Option<&'r str>,
    pub envelope_extra: Option<&'r str>,
    pub source: &'r str,
    pub source_line: Option<u64>,
    pub source_offset: Option<u64>,
    pub source_ref: Option<&'r str>,
}

impl RowRef<'_> {
    /// The `room` partition value: the room id, or `unknown`.
    pub fn partition_room(&self) -> &str {
        self.room_id.unwrap_or("unknown")
    }

    /// The row as one NDJSON line (no trailing newline), appended to `out`.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        // Serialising strings, integers and string maps into a Vec cannot fail.
        let _ = serde_json::to_writer(out, self);
    }
}
