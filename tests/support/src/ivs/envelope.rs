//! IVS chat-log envelopes (contracts doc, section 2): one JSON object per logged
//! message or event, `{"event_timestamp", "type", "version", "payload"}`.
//!
//! The builders return [`serde_json::Value`]s; `to_string()` gives the log line.

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::time::{rfc3339, unix_nanos, Precision};

/// A MESSAGE payload and its envelope's timestamp, as IVS logs an allowed message.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// `event_timestamp` as written.
    pub event_timestamp: &'a str,
    /// `payload.SendTime` as written.
    pub send_time: &'a str,
    /// `payload.Id`.
    pub id: &'a str,
    /// `payload.RequestId`.
    pub request_id: &'a str,
    /// `payload.Content`.
    pub content: &'a str,
    /// `payload.Attributes`.
    pub attributes: &'a Value,
    /// `payload.Sender.UserId`.
    pub sender_user_id: &'a str,
    /// `payload.Sender.Attributes`.
    pub sender_attributes: &'a Value,
}

impl Message<'_> {
    /// The envelope.
    pub fn envelope(&self) -> Value {
        json!({
            "event_timestamp": self.event_timestamp,
            "type": "MESSAGE",
            "version": "1.0",
            "payload": {
                "Type": "MESSAGE",
                "Id": self.id,
                "RequestId": self.request_id,
                "Content": self.content,
                "Attributes": self.attributes,
                "SendTime": self.send_time,
                "Sender": { "UserId": self.sender_user_id, "Attributes": self.sender_attributes }
            }
        })
    }
}

/// An EVENT payload (`aws:DELETE_MESSAGE`, `aws:DISCONNECT_USER`, custom events) and its
/// envelope's timestamp.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// `event_timestamp` as written.
    pub event_timestamp: &'a str,
    /// `payload.SendTime` as written.
    pub send_time: &'a str,
    /// `payload.Id`.
    pub id: &'a str,
    /// `payload.RequestId`.
    pub request_id: &'a str,
    /// `payload.EventName`.
    pub name: &'a str,
    /// `payload.Attributes`.
    pub attributes: &'a Value,
}

impl Event<'_> {
    /// The envelope.
    pub fn envelope(&self) -> Value {
        json!({
            "event_timestamp": self.event_timestamp,
            "type": "EVENT",
            "version": "1.0",
            "payload": {
                "Type": "EVENT",
                "Id": self.id,
                "RequestId": self.request_id,
                "EventName": self.name,
                "SendTime": self.send_time,
                "Attributes": self.attributes
            }
        })
    }
}

/// A MESSAGE envelope as IVS logs an allowed message sent at `send_time`
/// (`event_timestamp` in ms, `SendTime` in ns, no `RequestId`).
pub fn message_envelope(
    send_time: OffsetDateTime,
    id: &str,
    content: &str,
    attributes: &Value,
    sender_user_id: &str,
    sender_attributes: &Value,
) -> Value {
    let t = unix_nanos(send_time);
    Message {
        event_timestamp: &rfc3339(t, Precision::Millis),
        send_time: &rfc3339(t, Precision::Nanos),
        id,
        request_id: "",
        content,
        attributes,
        sender_user_id,
        sender_attributes,
    }
    .envelope()
}

/// An `aws:DELETE_MESSAGE` EVENT envelope, as IVS logs a moderator's deletion.
pub fn delete_envelope(
    at: OffsetDateTime,
    event_id: &str,
    message_id: &str,
    reason: &str,
) -> Value {
    let t = unix_nanos(at);
    Event {
        event_timestamp: &rfc3339(t, Precision::Millis),
        send_time: &rfc3339(t, Precision::Nanos),
        id: event_id,
        request_id: "",
        name: "aws:DELETE_MESSAGE",
        attributes: &json!({ "MessageID": message_id, "Reason": reason }),
    }
    .envelope()
}
