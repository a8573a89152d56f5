//! The chat record replay works on, whatever the input format.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::timefmt::UnixNanos;

/// String-to-string attribute map (message, sender or event attributes).
pub type Attrs = BTreeMap<String, String>;

/// Event name of an IVS message deletion.
pub const DELETE_MESSAGE: &str = "aws:DELETE_MESSAGE";
/// Event name of an IVS user disconnection.
pub const DISCONNECT_USER: &str = "aws:DISCONNECT_USER";

/// What a record is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKind {
    /// A chat message (`MESSAGE`).
    Message,
    /// An event (`EVENT`) with its `EventName`: a system event (`aws:...`) or a custom one.
    Event(String),
}

/// One chat log record, normalised from a raw IVS envelope or a log-ingest row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRecord {
    /// Message or event.
    pub kind: RecordKind,
    /// Payload `Id`.
    pub id: String,
    /// When it was sent: payload `SendTime`, else the envelope `event_timestamp`.
    pub send_time: UnixNanos,
    /// `Sender.UserId` (messages; events sent by a user).
    pub sender_user_id: Option<String>,
    /// `Sender.Attributes` (display name, role, badges ...), shared by every record of
    /// the same sender with the same attributes (interned while parsing).
    pub sender_attributes: Arc<Attrs>,
    /// `Content` (messages).
    pub content: Option<String>,
    /// Message or event `Attributes`.
    pub attributes: Attrs,
    /// Room resource id, when the source tells it (the records themselves do not); shared
    /// by the records of one source.
    pub room: Option<Arc<str>>,
    /// `aws:DELETE_MESSAGE`: the id of the deleted message (`MessageID`/`MessageId`).
    pub target_message_id: Option<String>,
    /// `aws:DISCONNECT_USER`: the disconnected user.
    pub target_user_id: Option<String>,
    /// System events: `Attributes.Reason`.
    pub reason: Option<String>,
}

impl ChatRecord {
    /// True for chat messages.
    pub fn is_message(&self) -> bool {
        self.kind == RecordKind::Message
    }

    /// The event name, for events.
    pub fn event_name(&self) -> Option<&str> {
        match &self.kind {
            RecordKind::Event(n) => Some(n),
            RecordKind::Message => None,
        }
    }
}
