//! The validated form of an envelope, [`ParsedEnvelope`], and how it becomes a row.

use std::borrow::Cow;

use super::{RecordType, StrMap};
use crate::record::{ChatRow, MapRef, Position, RowRef, SourceContext};

/// One validated envelope, its strings borrowed from the input where possible.
///
/// Field meanings are those of the same-named [`ChatRow`] fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEnvelope<'a> {
    /// Envelope `event_timestamp`, ns since epoch, UTC.
    pub event_timestamp: i64,
    /// Envelope `type`: `MESSAGE` or `EVENT`.
    pub r#type: RecordType,
    /// Envelope `version`.
    pub version: Cow<'a, str>,
    /// Payload `Id` (never empty).
    pub id: Cow<'a, str>,
    /// Payload `RequestId`; an empty string is `None`.
    pub request_id: Option<Cow<'a, str>>,
    /// Payload `EventName`.
    pub event_name: Option<Cow<'a, str>>,
    /// Payload `Content`.
    pub content: Option<Cow<'a, str>>,
    /// Payload `SendTime`, ns since epoch, UTC.
    pub send_time: Option<i64>,
    /// Payload `Sender.UserId`.
    pub sender_user_id: Option<Cow<'a, str>>,
    /// Payload `Sender.Attributes`.
    pub sender_attributes: Option<StrMap<'a>>,
    /// Payload `Attributes`, `MessageID` renamed `MessageId`.
    pub attributes: Option<StrMap<'a>>,
    /// `aws:DELETE_MESSAGE`: the deleted message id.
    pub target_message_id: Option<Cow<'a, str>>,
    /// `aws:DISCONNECT_USER`: the disconnected user id.
    pub target_user_id: Option<Cow<'a, str>>,
    /// `aws:*` events: `Attributes.Reason`.
    pub reason: Option<Cow<'a, str>>,
    /// Unknown payload fields as JSON object text.
    pub payload_extra: Option<String>,
    /// Unknown envelope fields as JSON object text.
    pub envelope_extra: Option<String>,
}

/// An owned copy of a borrowed string.
fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

impl<'a> ParsedEnvelope<'a> {
    /// The row of this envelope from `ctx` at `pos`; `room_arn` is `ctx.room_arn()`,
    /// computed once per source by the caller.
    pub fn row<'r>(
        &'r self,
        ctx: &'r SourceContext,
        room_arn: Option<&'r str>,
        pos: Position,
    ) -> RowRef<'r> {
        RowRef {
            event_timestamp: self.event_timestamp,
            r#type: self.r#type,
            version: &self.version,
            account_id: ctx.account_id.as_deref(),
            region: ctx.region.as_deref(),
            room_id: ctx.room_id.as_deref(),
            room_arn,
            id: &self.id,
            request_id: self.request_id.as_deref(),
            event_name: self.event_name.as_deref(),
            content: self.content.as_deref(),
            send_time: self.send_time,
            sender_user_id: self.sender_user_id.as_deref(),
            sender_attributes: self.sender_attributes.as_ref().map(MapRef::Pairs),
            attributes: self.attributes.as_ref().map(MapRef::Pairs),
            target_message_id: self.target_message_id.as_deref(),
            target_user_id: self.target_user_id.as_deref(),
            reason: self.reason.as_deref(),
            payload_extra: self.payload_extra.as_deref(),
            envelope_extra: self.envelope_extra.as_deref(),
            source: &ctx.source,
            source_line: pos.line,
            source_offset: pos.offset,
            source_ref: None,
        }
    }

    /// The owned row of this envelope from `ctx` at `pos`.
    pub fn into_row(self, ctx: &SourceContext, pos: Position) -> ChatRow {
        ChatRow {
            event_timestamp: self.event_timestamp,
            r#type: self.r#type,
            version: self.version.into_owned(),
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            room_id: ctx.room_id.clone(),
            room_arn: ctx.room_arn(),
            id: self.id.into_owned(),
            request_id: owned(self.request_id),
            event_name: owned(self.event_name),
            content: owned(self.content),
            send_time: self.send_time,
            sender_user_id: owned(self.sender_user_id),
            sender_attributes: self.sender_attributes.map(|m| m.to_btree()),
            attributes: self.attributes.map(|m| m.to_btree()),
            target_message_id: owned(self.target_message_id),
            target_user_id: owned(self.target_user_id),
            reason: owned(self.reason),
            payload_extra: self.payload_extra,
            envelope_extra: self.envelope_extra,
            source: ctx.source.clone(),
            source_line: pos.line,
            source_offset: pos.offset,
            source_ref: None,
        }
    }
}
