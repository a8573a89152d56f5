//! The rows `log-ingest` writes (its NDJSON lines and Parquet rows): flat, snake_case,
//! `send_time` as integer nanoseconds. IVS envelopes are parsed by `log-ingest` itself
//! (see [`super::envelope`]); this is the only shape replay reads on its own.

use std::sync::Arc;

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::envelope::Senders;
use log_ingest::envelope::RecordType;

use crate::record::{Attrs, ChatRecord, EventInfo, RecordKind, SystemEvent};
use crate::timefmt::UnixNanos;

/// `event_timestamp` is RFC 3339 text in IVS envelopes and integer ns in log-ingest rows.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Instant {
    Nanos(i64),
    Text(String),
}

/// One log-ingest row; unknown fields are ignored.
#[derive(Deserialize, Default)]
pub(crate) struct Row {
    /// Present only in IVS envelopes: tells an envelope that failed to parse from a row.
    pub(crate) payload: Option<IgnoredAny>,
    pub(crate) event_timestamp: Option<Instant>,
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

/// A field name and what was expected there.
pub(crate) type FieldError = (&'static str, String);

/// Reads `bytes` as a log-ingest row. `None` when it is not one: not a JSON object, or
/// an object with a `payload` (an IVS envelope).
pub(crate) fn parse_row(
    bytes: &[u8],
    room: Option<&Arc<str>>,
    senders: &mut Senders,
) -> Option<Result<ChatRecord, FieldError>> {
    let row: Row = serde_json::from_slice(bytes).ok()?;
    if row.payload.is_some() {
        return None;
    }
    Some(row.into_record(room, senders))
}

impl Row {
    /// Normalises the row; `room` is the source's room, used when the row has none.
    pub(crate) fn into_record(
        self,
        room: Option<&Arc<str>>,
        senders: &mut Senders,
    ) -> Result<ChatRecord, FieldError> {
        let envelope_time: Option<UnixNanos> = match &self.event_timestamp {
            None => None,
            Some(Instant::Nanos(n)) => Some(*n),
            Some(Instant::Text(t)) => Some(crate::timefmt::parse_rfc3339(t).ok_or((
                "event_timestamp",
                format!("an RFC 3339 timestamp, found {t:?}"),
            ))?),
        };
        let Some(kind) = self.r#type else {
            return Err((
                "payload",
                "an IVS envelope (with `payload`) or a log-ingest row (with `type`)".to_owned(),
            ));
        };
        let attributes = self.attributes.unwrap_or_default();
        let kind = match RecordType::from_name(&kind) {
            Some(RecordType::Message) => RecordKind::Message,
            Some(RecordType::Event) => {
                let name = self
                    .event_name
                    .ok_or(("event_name", "the event name of an EVENT row".to_owned()))?;
                RecordKind::Event(Box::new(EventInfo {
                    target_message_id: self
                        .target_message_id
                        .or_else(|| target_message(&name, &attributes)),
                    target_user_id: self
                        .target_user_id
                        .or_else(|| target_user(&name, &attributes)),
                    // As log-ingest reads envelopes: only `aws:` events have a reason;
                    // a custom event keeps `Reason` as an attribute.
                    reason: self.reason.or_else(|| {
                        SystemEvent::is_system_name(&name)
                            .then(|| attributes.get("Reason").cloned())
                            .flatten()
                    }),
                    name,
                }))
            }
            None => return Err(("type", format!("MESSAGE or EVENT, found {kind:?}"))),
        };
        let send_time = self.send_time.or(envelope_time).ok_or((
            "send_time",
            "integer nanoseconds (or event_timestamp)".to_owned(),
        ))?;
        Ok(ChatRecord {
            id: self
                .id
                .ok_or(("id", "the message or event id".to_owned()))?
                .into(),
            send_time,
            sender_user_id: self.sender_user_id.map(Into::into),
            sender_attributes: senders.intern(self.sender_attributes),
            content: self.content.map(Into::into),
            attributes,
            room: self.room_id.map(Arc::from).or_else(|| room.cloned()),
            kind,
        })
    }
}

/// `aws:DELETE_MESSAGE` names its target as `MessageID` and/or `MessageId`.
fn target_message(event_name: &str, attrs: &Attrs) -> Option<String> {
    (SystemEvent::from_name(event_name) == Some(SystemEvent::DeleteMessage))
        .then(|| {
            attrs
                .get("MessageID")
                .or_else(|| attrs.get("MessageId"))
                .cloned()
        })
        .flatten()
}

fn target_user(event_name: &str, attrs: &Attrs) -> Option<String> {
    (SystemEvent::from_name(event_name) == Some(SystemEvent::DisconnectUser))
        .then(|| attrs.get("UserId").cloned())
        .flatten()
}
