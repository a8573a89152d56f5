//! The flat chat row: one row per IVS log envelope, the columns of [`crate::schema`].
//! See `SCHEMA.md` for the column docs.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::envelope::{RecordType, StrMap};
use crate::schema::Column;

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

/// One IVS chat log envelope, flattened into a row of the chat table (owned). Serialises
/// as the NDJSON sink's line format, through [`RowRef`], so both forms write the same
/// line.
///
/// Field names are the column names ([`Column::name`]) of the Parquet output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRow {
    /// Envelope `event_timestamp` (when IVS received it), ns since epoch, UTC (ms precision).
    pub event_timestamp: i64,
    /// Envelope `type`: `MESSAGE` or `EVENT`.
    pub r#type: RecordType,
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

impl Serialize for ChatRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.row().serialize(s)
    }
}

impl ChatRow {
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
            r#type: self.r#type,
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

/// A string map column value, borrowed from a [`ChatRow`] or a parsed envelope.
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

/// One row, every column borrowed: what the sinks write, and how a [`ChatRow`]
/// serialises, so the NDJSON output does not depend on which path produced the row.
///
/// The fields are the columns of [`Column::ALL`], in that order, named by
/// [`Column::name`] (a test checks the serialised keys against the schema).
#[derive(Debug, Clone, Copy, Serialize)]
#[allow(missing_docs)] // the columns are documented on `ChatRow` and in SCHEMA.md
pub struct RowRef<'r> {
    pub event_timestamp: i64,
    pub r#type: RecordType,
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

/// One cell of a row, as the column builders take it.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'r> {
    /// A timestamp, nanoseconds since the epoch (UTC).
    Time(Option<i64>),
    /// Text.
    Text(Option<&'r str>),
    /// A count or position.
    Int(Option<u64>),
    /// A string map.
    Map(Option<MapRef<'r>>),
    /// A list of texts.
    List(Option<ListRef<'r>>),
}

/// A list-of-text column value, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum ListRef<'r> {
    /// Texts, none null.
    Texts(&'r [String]),
    /// Texts, some null.
    Nullable(&'r [Option<String>]),
}

impl ListRef<'_> {
    /// The items in order.
    pub fn for_each(&self, mut f: impl FnMut(Option<&str>)) {
        match self {
            ListRef::Texts(v) => v.iter().for_each(|s| f(Some(s))),
            ListRef::Nullable(v) => v.iter().for_each(|s| f(s.as_deref())),
        }
    }
}

impl<'r> RowRef<'r> {
    /// The cell of column `c` (its kind is `c.kind()`; a test checks every column).
    #[inline]
    pub fn cell(&self, c: Column) -> Cell<'r> {
        use Cell::{Int, Map, Text, Time};
        match c {
            Column::EventTimestamp => Time(Some(self.event_timestamp)),
            Column::Type => Text(Some(self.r#type.as_str())),
            Column::Version => Text(Some(self.version)),
            Column::AccountId => Text(self.account_id),
            Column::Region => Text(self.region),
            Column::RoomId => Text(self.room_id),
            Column::RoomArn => Text(self.room_arn),
            Column::Id => Text(Some(self.id)),
            Column::RequestId => Text(self.request_id),
            Column::EventName => Text(self.event_name),
            Column::Content => Text(self.content),
            Column::SendTime => Time(self.send_time),
            Column::SenderUserId => Text(self.sender_user_id),
            Column::SenderAttributes => Map(self.sender_attributes),
            Column::Attributes => Map(self.attributes),
            Column::TargetMessageId => Text(self.target_message_id),
            Column::TargetUserId => Text(self.target_user_id),
            Column::Reason => Text(self.reason),
            Column::PayloadExtra => Text(self.payload_extra),
            Column::EnvelopeExtra => Text(self.envelope_extra),
            Column::Source => Text(Some(self.source)),
            Column::SourceLine => Int(self.source_line),
            Column::SourceOffset => Int(self.source_offset),
            Column::SourceRef => Text(self.source_ref),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnKind;

    fn full_row() -> ChatRow {
        let map = BTreeMap::from([("k".to_string(), "v".to_string())]);
        ChatRow {
            event_timestamp: 1,
            r#type: RecordType::Event,
            version: "1.0".into(),
            account_id: Some("a".into()),
            region: Some("r".into()),
            room_id: Some("room".into()),
            room_arn: Some("arn".into()),
            id: "id".into(),
            request_id: Some("req".into()),
            event_name: Some("aws:DELETE_MESSAGE".into()),
            content: Some("c".into()),
            send_time: Some(2),
            sender_user_id: Some("u".into()),
            sender_attributes: Some(map.clone()),
            attributes: Some(map),
            target_message_id: Some("m".into()),
            target_user_id: Some("t".into()),
            reason: Some("why".into()),
            payload_extra: Some("{}".into()),
            envelope_extra: Some("{}".into()),
            source: "s".into(),
            source_line: Some(3),
            source_offset: Some(4),
            source_ref: Some("ref".into()),
        }
    }

    #[test]
    fn every_cell_has_its_columns_kind() {
        let owned = full_row();
        let row = owned.row();
        for c in Column::ALL {
            let ok = match (row.cell(c), c.kind()) {
                (Cell::Time(v), ColumnKind::TimestampMillis | ColumnKind::TimestampNanos) => {
                    v.is_some()
                }
                (Cell::Text(v), ColumnKind::Text) => v.is_some(),
                (Cell::Int(v), ColumnKind::Int64) => v.is_some(),
                (Cell::Map(v), ColumnKind::TextMap) => v.is_some(),
                _ => false,
            };
            assert!(ok, "column {} ({:?})", c.name(), c.kind());
        }
    }

    #[test]
    fn ndjson_keys_are_the_schema_columns_in_order() {
        let line = full_row().to_json_line();
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line).unwrap();
        let keys: Vec<&str> = v.keys().map(String::as_str).collect();
        let want: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        let mut sorted = want.clone();
        sorted.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, sorted, "same key set");
        // serde_json's Map is sorted unless preserve_order: check the order on the text.
        let positions: Vec<usize> = want
            .iter()
            .map(|k| line.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert!(line.contains(r#""type":"EVENT""#), "{line}");
    }
}
