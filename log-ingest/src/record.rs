//! The flat chat record: one row per IVS log envelope. See `SCHEMA.md` for the column docs.

use std::collections::BTreeMap;

use serde::Serialize;

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
}
