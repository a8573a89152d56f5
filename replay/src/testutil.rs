//! Builders shared by unit tests.

use std::sync::Arc;

use crate::align::Entry;
use crate::record::{Attrs, ChatRecord, RecordKind};

/// A message entry at `offset_ms` with id and content `id`, sent at `offset_ms` ns.
pub(crate) fn entry(offset_ms: u64, id: &str) -> Entry {
    Entry {
        offset_ms,
        pinned_to_gap: false,
        deleted: None,
        record: Box::new(ChatRecord {
            kind: RecordKind::Message,
            id: id.into(),
            send_time: 1_672_927_200_000_000_000 + i64::try_from(offset_ms).unwrap() * 1_000_000,
            sender_user_id: Some("u1".into()),
            sender_attributes: Arc::new(Attrs::from([(
                "displayName".to_owned(),
                "Ann".to_owned(),
            )])),
            content: Some(id.into()),
            attributes: Attrs::new(),
            room: None,
        }),
    }
}
