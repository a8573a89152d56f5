//! Raw IVS log envelopes, parsed by `log-ingest`'s envelope parser
//! ([`log_ingest::envelope::parse_envelope_fields`]: the same validation and error
//! wording as ingestion, strings borrowed from the input), then copied into replay's
//! [`ChatRecord`]: only the strings replay keeps are allocated, and sender attributes
//! are shared.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use log_ingest::envelope::{parse_envelope_fields, ParsedEnvelope, RecordType};
use log_ingest::IngestError;

use crate::record::{Attrs, ChatRecord, CompactString, EventInfo, RecordKind};

/// Interns sender attribute maps: every record of a sender with the same attributes
/// shares one [`Arc`] (a chat has far fewer senders than messages). Lookups hash the
/// borrowed pairs, so a known sender costs no allocation.
#[derive(Debug)]
pub struct Senders {
    seen: HashMap<u64, Arc<Attrs>>,
    hasher: foldhash::fast::FixedState,
    empty: Arc<Attrs>,
}

impl Default for Senders {
    fn default() -> Self {
        Senders {
            seen: HashMap::new(),
            hasher: foldhash::fast::FixedState::default(),
            empty: Arc::default(),
        }
    }
}

impl Senders {
    /// The shared copy of `attrs` (missing and empty maps are the same).
    pub fn intern(&mut self, attrs: Option<Attrs>) -> Arc<Attrs> {
        match attrs {
            Some(a) => self.intern_pairs(|| a.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            None => Arc::clone(&self.empty),
        }
    }

    /// The shared map holding the pairs `pairs()` yields (in key order, each key once).
    pub fn intern_pairs<'p, I>(&mut self, pairs: impl Fn() -> I) -> Arc<Attrs>
    where
        I: Iterator<Item = (&'p str, &'p str)>,
    {
        let mut h = self.hasher.build_hasher();
        let mut n = 0usize;
        for (k, v) in pairs() {
            k.hash(&mut h);
            v.hash(&mut h);
            n += 1;
        }
        if n == 0 {
            return Arc::clone(&self.empty);
        }
        let key = h.finish();
        let same = |a: &Attrs| {
            let mut it = pairs();
            a.iter()
                .all(|(k, v)| it.next() == Some((k.as_str(), v.as_str())))
                && it.next().is_none()
        };
        if let Some(a) = self.seen.get(&key).filter(|a| same(a)) {
            return Arc::clone(a);
        }
        let a: Arc<Attrs> = Arc::new(pairs().map(|(k, v)| (k.to_owned(), v.to_owned())).collect());
        // On a hash collision the first map stays cached; this one is simply not shared.
        self.seen.entry(key).or_insert_with(|| Arc::clone(&a));
        a
    }
}

/// Parses one envelope (the bytes of one JSON value). `Err` is `log-ingest`'s record
/// error: the field and what was expected.
pub(crate) fn parse(
    bytes: &[u8],
    room: Option<&Arc<str>>,
    senders: &mut Senders,
) -> Result<ChatRecord, IngestError> {
    parse_envelope_fields(bytes).map(|e| from_fields(e, room, senders))
}

/// Copies what replay keeps of a validated envelope.
fn from_fields(
    e: ParsedEnvelope<'_>,
    room: Option<&Arc<str>>,
    senders: &mut Senders,
) -> ChatRecord {
    let owned = |s: Option<Cow<'_, str>>| s.map(Cow::into_owned);
    let compact = |s: Option<Cow<'_, str>>| s.map(|s| CompactString::from(&*s));
    let kind = match e.r#type {
        RecordType::Event => RecordKind::Event(Box::new(EventInfo {
            // log-ingest guarantees a non-empty EventName for events.
            name: owned(e.event_name).unwrap_or_default(),
            target_message_id: owned(e.target_message_id),
            target_user_id: owned(e.target_user_id),
            reason: owned(e.reason),
        })),
        RecordType::Message => RecordKind::Message,
    };
    let sender_attributes = match &e.sender_attributes {
        Some(a) => senders.intern_pairs(|| a.iter()),
        None => senders.intern(None),
    };
    ChatRecord {
        kind,
        id: CompactString::from(&*e.id),
        // SendTime, else when IVS received it.
        send_time: e.send_time.unwrap_or(e.event_timestamp),
        sender_user_id: compact(e.sender_user_id),
        sender_attributes,
        content: compact(e.content),
        attributes: e.attributes.map(|a| a.to_btree()).unwrap_or_default(),
        room: room.cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_share_equal_attributes_and_only_those() {
        let mut s = Senders::default();
        let ann = Attrs::from([("displayName".to_owned(), "Ann".to_owned())]);
        let a1 = s.intern(Some(ann.clone()));
        let a2 = s.intern_pairs(|| [("displayName", "Ann")].into_iter());
        assert!(Arc::ptr_eq(&a1, &a2));
        assert_eq!(*a1, ann);
        let bob = s.intern_pairs(|| [("displayName", "Bob")].into_iter());
        let two = s.intern_pairs(|| [("displayName", "Ann"), ("role", "mod")].into_iter());
        assert_eq!(bob["displayName"], "Bob");
        assert_eq!(two.len(), 2);
        assert!(!Arc::ptr_eq(&a1, &bob) && !Arc::ptr_eq(&a1, &two));
        let e1 = s.intern(None);
        let e2 = s.intern(Some(Attrs::new()));
        assert!(Arc::ptr_eq(&e1, &e2) && e1.is_empty());
    }
}
