//! The chat record replay works on, whatever the input format.
//!
//! Kept small, since a replay holds every record in memory: short strings (IVS ids, most
//! user ids, short messages) are stored inline ([`CompactString`], up to 24 bytes, no
//! allocation), and what only events have sits behind one box ([`EventInfo`]).

use std::collections::BTreeMap;
use std::sync::Arc;

pub use compact_str::CompactString;

pub use log_ingest::envelope::SystemEvent;

use crate::timefmt::UnixNanos;

/// String-to-string attribute map (message, sender or event attributes).
pub type Attrs = BTreeMap<String, String>;

/// What a record is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKind {
    /// A chat message (`MESSAGE`).
    Message,
    /// An event (`EVENT`): a system event (`aws:...`) or a custom one.
    Event(Box<EventInfo>),
}

/// What only events carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventInfo {
    /// `EventName`.
    pub name: String,
    /// `aws:DELETE_MESSAGE`: the id of the deleted message (`MessageID`/`MessageId`).
    pub target_message_id: Option<String>,
    /// `aws:DISCONNECT_USER`: the disconnected user.
    pub target_user_id: Option<String>,
    /// System events: `Attributes.Reason`.
    pub reason: Option<String>,
}

impl RecordKind {
    /// An event named `name` with nothing else set.
    pub fn event(name: impl Into<String>) -> RecordKind {
        RecordKind::Event(Box::new(EventInfo {
            name: name.into(),
            ..EventInfo::default()
        }))
    }
}

/// One chat log record, normalised from a raw IVS envelope or a log-ingest row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRecord {
    /// Message or event (with the event's fields).
    pub kind: RecordKind,
    /// Payload `Id`.
    pub id: CompactString,
    /// When it was sent: payload `SendTime`, else the envelope `event_timestamp`.
    pub send_time: UnixNanos,
    /// `Sender.UserId` (messages; events sent by a user).
    pub sender_user_id: Option<CompactString>,
    /// `Sender.Attributes` (display name, role, badges ...), shared by every record of
    /// the same sender with the same attributes (interned while parsing).
    pub sender_attributes: Arc<Attrs>,
    /// `Content` (messages).
    pub content: Option<CompactString>,
    /// Message or event `Attributes`.
    pub attributes: Attrs,
    /// Room resource id, when the source tells it (the records themselves do not); shared
    /// by the records of one source.
    pub room: Option<Arc<str>>,
}

impl ChatRecord {
    /// True for chat messages.
    pub fn is_message(&self) -> bool {
        self.kind == RecordKind::Message
    }

    /// The event's fields, for events.
    pub fn event(&self) -> Option<&EventInfo> {
        match &self.kind {
            RecordKind::Event(e) => Some(e),
            RecordKind::Message => None,
        }
    }

    /// The event name, for events.
    pub fn event_name(&self) -> Option<&str> {
        self.event().map(|e| e.name.as_str())
    }

    /// The system event this record is (`aws:DELETE_MESSAGE`, `aws:DISCONNECT_USER`);
    /// `None` for messages and custom events.
    pub fn system_event(&self) -> Option<SystemEvent> {
        SystemEvent::from_name(self.event_name()?)
    }

    /// `aws:DELETE_MESSAGE`: the id of the deleted message.
    pub fn target_message_id(&self) -> Option<&str> {
        self.event()?.target_message_id.as_deref()
    }

    /// `aws:DISCONNECT_USER`: the disconnected user.
    pub fn target_user_id(&self) -> Option<&str> {
        self.event()?.target_user_id.as_deref()
    }

    /// System events: `Attributes.Reason`.
    pub fn reason(&self) -> Option<&str> {
        self.event()?.reason.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_stay_small() {
        // Every record of a replay is in memory: a size regression costs real memory.
        assert!(
            std::mem::size_of::<ChatRecord>() <= 136,
            "{}",
            std::mem::size_of::<ChatRecord>()
        );
        assert_eq!(std::mem::size_of::<RecordKind>(), 8);
        assert_eq!(std::mem::size_of::<Option<CompactString>>(), 24);
    }
}
