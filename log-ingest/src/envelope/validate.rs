//! The contract's checks on the raw fields (contracts, section 2), shared by the fast
//! scanner and the serde visitors, and every error they give.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::raw::RawEnvelope;
use super::{ParsedEnvelope, RecordType, SystemEvent};
use crate::error::IngestError;
use crate::timefmt::parse_rfc3339_nanos;

/// Versions this parser understands: major version 1 (`1.0` today).
fn supported_version(v: &str) -> bool {
    v == "1"
        || v.strip_prefix("1.")
            .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

/// Unknown fields as one JSON object text, `None` when there is none.
fn extra_text(m: Map<String, Value>) -> Option<String> {
    if m.is_empty() {
        None
    } else {
        Some(Value::Object(m).to_string())
    }
}

fn missing(field: &'static str, expected: &'static str) -> IngestError {
    IngestError::MissingField { field, expected }
}

fn invalid(field: &'static str, problem: String) -> IngestError {
    IngestError::InvalidField { field, problem }
}

/// An RFC 3339 field as nanoseconds since the epoch.
fn timestamp(field: &'static str, s: &str) -> Result<i64, IngestError> {
    parse_rfc3339_nanos(s).map_err(|want| {
        invalid(
            field,
            format!("{s:?} is not a valid timestamp, expected {want}"),
        )
    })
}

impl<'a> RawEnvelope<'a> {
    /// Checks the raw fields against the contract: the validated envelope, or the first
    /// problem found (field, what was found, what was expected).
    pub(super) fn validate(self) -> Result<ParsedEnvelope<'a>, IngestError> {
        let ts = self
            .event_timestamp
            .ok_or_else(|| missing("event_timestamp", "an RFC 3339 string"))?;
        let event_timestamp = timestamp("event_timestamp", &ts)?;
        let type_text = self
            .r#type
            .ok_or_else(|| missing("type", "\"MESSAGE\" or \"EVENT\""))?;
        let r#type = RecordType::from_name(&type_text).ok_or_else(|| {
            invalid(
                "type",
                format!("{type_text:?} is not \"MESSAGE\" or \"EVENT\""),
            )
        })?;
        let version = self.version.ok_or_else(|| missing("version", "\"1.0\""))?;
        if !supported_version(&version) {
            return Err(invalid(
                "version",
                format!("unsupported log format version {version:?}, expected 1.x"),
            ));
        }
        if self.payload_null {
            return Err(invalid(
                "payload",
                "null, expected a JSON object".to_string(),
            ));
        }
        let p = self
            .payload
            .ok_or_else(|| missing("payload", "a JSON object"))?;
        if let Some(pt) = &p.r#type {
            if *pt != r#type.as_str() {
                return Err(invalid(
                    "payload.Type",
                    format!("{pt:?} does not match envelope type {type_text:?}"),
                ));
            }
        }
        let id =
            p.id.filter(|s| !s.is_empty())
                .ok_or_else(|| missing("payload.Id", "a non-empty string"))?;
        let send_time = match &p.send_time {
            None => None,
            Some(s) => Some(timestamp("payload.SendTime", s)?),
        };
        let mut target_message_id = None;
        let mut target_user_id = None;
        let mut reason = None;
        match r#type {
            RecordType::Event => {
                let name = p.event_name.as_deref().unwrap_or_default();
                if name.is_empty() {
                    return Err(missing(
                        "payload.EventName",
                        "a non-empty string for an EVENT",
                    ));
                }
                if let Some(attrs) = &p.attributes {
                    match SystemEvent::from_name(name) {
                        Some(SystemEvent::DeleteMessage) => {
                            // Either or both spellings may appear; they name the same message.
                            target_message_id = attrs
                                .get("MessageID")
                                .or_else(|| attrs.get("MessageId"))
                                .cloned();
                        }
                        Some(SystemEvent::DisconnectUser) => {
                            target_user_id = attrs.get("UserId").cloned();
                        }
                        None => {}
                    }
                    if SystemEvent::is_system_name(name) {
                        reason = attrs.get("Reason").cloned();
                    }
                }
            }
            RecordType::Message => {
                if p.content.is_none() {
                    return Err(missing("payload.Content", "a string for a MESSAGE"));
                }
            }
        }
        let attributes = p.attributes.map(|mut a| {
            // Normalise: keep one key, `MessageId`, for engines with case-insensitive keys.
            if let Some(v) = a.remove("MessageID") {
                a.insert(Cow::Borrowed("MessageId"), v);
            }
            a
        });
        Ok(ParsedEnvelope {
            event_timestamp,
            r#type,
            version,
            id,
            request_id: p.request_id.filter(|s| !s.is_empty()),
            event_name: p.event_name,
            content: p.content,
            send_time,
            sender_user_id: p.sender_user_id,
            sender_attributes: p.sender_attributes,
            attributes,
            target_message_id,
            target_user_id,
            reason,
            payload_extra: extra_text(p.extra),
            envelope_extra: extra_text(self.extra),
        })
    }
}
