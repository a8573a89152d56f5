//! IVS Chat message review handler request/response types (contract section 1).
//!
//! Deserialisation is tolerant where real data is: missing or `null` attribute maps,
//! a missing or `null` `Sender`, missing `MessageId`/`RoomArn`. `Content` is required:
//! a request without it is malformed and gets the pack's fail decision.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::RulesError;

/// Maximum total size of the response `Attributes` (keys + values, UTF-8 bytes).
pub const MAX_ATTRIBUTES_BYTES: usize = 1024;

/// Default IVS room `MaximumMessageLength` (code points).
pub const DEFAULT_MAX_LENGTH: usize = 500;

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A message review request as IVS sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReviewRequest {
    /// The message text.
    pub content: String,
    /// IVS message id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub message_id: String,
    /// `arn:aws:ivschat:<region>:<account>:room/<id>`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub room_arn: String,
    /// The message's own (client-set) attributes.
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: BTreeMap<String, String>,
    /// Who sent it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sender: Sender,
}

impl ReviewRequest {
    /// What can be read of a request that does not deserialise: its `Content` and
    /// `RoomArn` when they are strings (`None` without a usable `Content`). The Lambda and
    /// `rules eval` answer a malformed request with the fail decision for this, so that a
    /// fail-ALLOW pack keeps the text and the room's pack is used.
    pub fn salvage(value: &serde_json::Value) -> Option<ReviewRequest> {
        let field = |k: &str| {
            value
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        field("Content").map(|content| ReviewRequest {
            content,
            room_arn: field("RoomArn").unwrap_or_default(),
            ..ReviewRequest::default()
        })
    }
}

/// The sender of a reviewed message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sender {
    /// Application user id from the chat token.
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_id: String,
    /// Client IP address.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ip: String,
    /// Attributes set by the app backend in the chat token (role, badges ...).
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: BTreeMap<String, String>,
}

/// `ALLOW` or `DENY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReviewResult {
    /// Deliver the (possibly rewritten) message.
    Allow,
    /// Drop the message; `Attributes.Reason` is shown to the sender.
    Deny,
}

impl ReviewResult {
    /// `"ALLOW"` or `"DENY"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewResult::Allow => "ALLOW",
            ReviewResult::Deny => "DENY",
        }
    }
}

/// The handler's answer to IVS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReviewResponse {
    /// ALLOW or DENY.
    pub review_result: ReviewResult,
    /// The content to deliver (original or rewrite).
    pub content: String,
    /// Message attributes; on DENY `Reason` is shown to the sender.
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: BTreeMap<String, String>,
}

/// Total size of an attribute map as IVS counts it (keys + values, UTF-8 bytes).
pub fn attributes_size(attrs: &BTreeMap<String, String>) -> usize {
    attrs.iter().map(|(k, v)| k.len() + v.len()).sum()
}

/// Checks a response against the IVS contract: on ALLOW `Content` has
/// 1..=`max_length` code points; on DENY at most `max_length`; `Attributes` <= 1 KB.
pub fn validate_response(r: &ReviewResponse, max_length: usize) -> Result<(), RulesError> {
    let len = r.content.chars().count();
    if r.review_result == ReviewResult::Allow && len == 0 {
        return Err(RulesError::InvalidResponse(
            "ALLOW with empty Content (expected 1 or more characters)".into(),
        ));
    }
    if len > max_length {
        return Err(RulesError::InvalidResponse(format!(
            "Content has {len} characters, expected at most {max_length}"
        )));
    }
    let size = attributes_size(&r.attributes);
    if size > MAX_ATTRIBUTES_BYTES {
        return Err(RulesError::InvalidResponse(format!(
            "Attributes total {size} bytes, expected at most {MAX_ATTRIBUTES_BYTES}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_null_and_missing_maps() {
        let r: ReviewRequest = serde_json::from_str(
            r#"{"Content":"hi","MessageId":"m","RoomArn":"arn:x","Attributes":null,
                "Sender":{"UserId":"u","Ip":"1.2.3.4","Attributes":null}}"#,
        )
        .unwrap();
        assert!(r.attributes.is_empty());
        assert!(r.sender.attributes.is_empty());
        let r: ReviewRequest = serde_json::from_str(r#"{"Content":"hi","Sender":null}"#).unwrap();
        assert_eq!(r.sender, Sender::default());
        assert!(serde_json::from_str::<ReviewRequest>(r#"{"MessageId":"x"}"#).is_err());
    }

    #[test]
    fn response_serialises_as_ivs_expects() {
        let r = ReviewResponse {
            review_result: ReviewResult::Deny,
            content: "x".into(),
            attributes: [("Reason".to_string(), "no".to_string())].into(),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"ReviewResult":"DENY","Content":"x","Attributes":{"Reason":"no"}}"#
        );
    }

    #[test]
    fn validation_catches_each_constraint() {
        let ok = ReviewResponse {
            review_result: ReviewResult::Allow,
            content: "héllo".into(),
            attributes: BTreeMap::new(),
        };
        assert!(validate_response(&ok, 5).is_ok());
        assert!(validate_response(&ok, 4).is_err());
        let empty = ReviewResponse {
            content: String::new(),
            ..ok.clone()
        };
        assert!(validate_response(&empty, 5).is_err());
        let big = ReviewResponse {
            attributes: [("k".to_string(), "v".repeat(1024))].into(),
            ..ok
        };
        assert!(validate_response(&big, 5).is_err());
    }
}
