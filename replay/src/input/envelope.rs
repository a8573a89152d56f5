//! Raw IVS log envelopes, parsed by `log-ingest`'s envelope parser
//! ([`log_ingest::parse_envelope`]: the same validation and error wording as ingestion),
//! then reduced to replay's [`ChatRecord`] without copying the strings.

use std::collections::HashSet;
use std::sync::Arc;

use log_ingest::record::{Position, SourceContext};

use crate::record::{Attrs, ChatRecord, RecordKind};

/// Interns sender attribute maps: every record of a sender with the same attributes
/// shares one [`Arc`] (a chat has far fewer senders than messages).
#[derive(Debug, Default)]
pub struct Senders {
    seen: HashSet<Arc<Attrs>>,
}

impl Senders {
    /// The shared copy of `attrs` (missing and empty maps are the same).
    pub fn intern(&mut self, attrs: Option<Attrs>) -> Arc<Attrs> {
        let attrs = attrs.unwrap_or_default();
        if let Some(a) = self.seen.get(&attrs) {
            return Arc::clone(a);
        }
        let a = Arc::new(attrs);
        self.seen.insert(Arc::clone(&a));
        a
    }
}

/// Parses one envelope (the bytes of one JSON value). `Err` is `log-ingest`'s reason:
/// the field and what was expected.
pub(crate) fn parse(
    bytes: &[u8],
    ctx: &SourceContext,
    line: usize,
    room: Option<&Arc<str>>,
    senders: &mut Senders,
) -> Result<ChatRecord, String> {
    let pos = Position {
        line: Some(line as u64),
        offset: None,
    };
    log_ingest::parse_envelope(bytes, ctx, pos).map(|r| from_ingest(r, room, senders))
}

/// Moves a `log-ingest` record's fields into a replay record.
fn from_ingest(
    r: log_ingest::ChatRecord,
    room: Option<&Arc<str>>,
    senders: &mut Senders,
) -> ChatRecord {
    let kind = if r.r#type == "EVENT" {
        // log-ingest guarantees a non-empty EventName for events.
        RecordKind::Event(r.event_name.unwrap_or_default())
    } else {
        RecordKind::Message
    };
    ChatRecord {
        kind,
        id: r.id,
        // SendTime, else when IVS received it.
        send_time: r.send_time.unwrap_or(r.event_timestamp),
        sender_user_id: r.sender_user_id,
        sender_attributes: senders.intern(r.sender_attributes),
        content: r.content,
        attributes: r.attributes.unwrap_or_default(),
        room: room.cloned(),
        target_message_id: r.target_message_id,
        target_user_id: r.target_user_id,
        reason: r.reason,
    }
}
