//! Moderation, filtering and alignment of chat records onto a [`Timeline`].
//!
//! Documented choices:
//! - the input order does not matter: entries are sorted by
//!   (offset, send time, id, messages before events), so equal offsets always come out
//!   in the same order;
//!   records that arrive out of send-time order are counted, not rejected;
//! - a record seen twice (same kind and id: at-least-once deliveries) is kept once;
//! - deletes apply whatever their position in the input (before or after the message);
//! - the latency shift moves chat earlier; a message sent inside the recording that the
//!   shift pushes before its start is pinned to offset 0; records sent before the
//!   recording started or after it ended are dropped and counted;
//! - chat sent while the stream was down (a gap) is dropped or pinned to the offset
//!   where the video resumes, by [`GapPolicy`].

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::record::{ChatRecord, RecordKind, DELETE_MESSAGE, DISCONNECT_USER};
use crate::timefmt::{UnixNanos, NANOS_PER_MS};
use crate::timeline::{Placement, Timeline};

/// While moving records into entries, the input is shrunk every this many records.
const SHRINK_EVERY: usize = 1 << 16;

/// Default latency compensation: IVS low-latency viewers are ~2-5 s behind live.
pub const DEFAULT_LATENCY_MS: i64 = 3_000;

/// What to do with chat sent while the stream was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapPolicy {
    /// Drop it.
    #[default]
    Drop,
    /// Show it where the video resumes.
    Pin,
}

/// What to do with messages later deleted by `aws:DELETE_MESSAGE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeletedPolicy {
    /// Leave them out.
    #[default]
    Remove,
    /// Keep them, marked deleted (with the reason).
    Mark,
}

/// A sender attribute condition, `key=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrMatch {
    /// Attribute name.
    pub key: String,
    /// Required value.
    pub value: String,
}

impl AttrMatch {
    fn matches(&self, r: &ChatRecord) -> bool {
        r.sender_attributes.get(&self.key) == Some(&self.value)
    }
}

/// Alignment and moderation options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlignOptions {
    /// Viewer latency to compensate, in ms (chat moves this much earlier).
    pub latency_ms: i64,
    /// Chat sent during a gap.
    pub gap_policy: GapPolicy,
    /// Deleted messages.
    pub deleted: DeletedPolicy,
    /// Include `aws:DISCONNECT_USER` events as entries.
    pub include_disconnects: bool,
    /// Include custom (application) events as entries.
    pub include_custom_events: bool,
    /// Keep only these rooms (empty: all). Records without a room are kept only when
    /// this is empty.
    pub rooms: Vec<String>,
    /// Keep only messages whose sender has all of these attributes.
    pub require_sender: Vec<AttrMatch>,
    /// Drop messages whose sender has any of these attributes.
    pub exclude_sender: Vec<AttrMatch>,
}

impl Default for AlignOptions {
    fn default() -> Self {
        AlignOptions {
            latency_ms: DEFAULT_LATENCY_MS,
            gap_policy: GapPolicy::Drop,
            deleted: DeletedPolicy::Remove,
            include_disconnects: false,
            include_custom_events: false,
            rooms: Vec::new(),
            require_sender: Vec::new(),
            exclude_sender: Vec::new(),
        }
    }
}

/// One line of the replay: a record placed on the video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Offset into the video, milliseconds.
    pub offset_ms: u64,
    /// Sent during a gap and pinned to where the video resumes.
    pub pinned_to_gap: bool,
    /// `Some(reason)` when the message was deleted and [`DeletedPolicy::Mark`] kept it
    /// (the reason may be empty).
    pub deleted: Option<String>,
    /// The record.
    pub record: ChatRecord,
}

/// What happened to the input records; every record is counted exactly once in
/// `entries` or in one of the drop reasons, except delete events (`deletes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AlignStats {
    /// Records given.
    pub input: usize,
    /// Entries produced.
    pub entries: usize,
    /// Duplicates dropped (same kind and id seen before).
    pub duplicates: usize,
    /// `aws:DELETE_MESSAGE` events (consumed, never entries).
    pub deletes: usize,
    /// Messages removed because deleted.
    pub deleted_removed: usize,
    /// Messages kept and marked deleted.
    pub deleted_marked: usize,
    /// Events filtered out by option.
    pub events_filtered: usize,
    /// Records filtered out by room.
    pub room_filtered: usize,
    /// Messages filtered out by sender attributes.
    pub sender_filtered: usize,
    /// Sent before the recording started.
    pub before_start: usize,
    /// Sent after the recording ended.
    pub after_end: usize,
    /// Sent during a gap and dropped.
    pub gap_dropped: usize,
    /// Sent during a gap and pinned.
    pub gap_pinned: usize,
    /// Records whose send time is earlier than the previous input record's (informative).
    pub out_of_order: usize,
}

/// Applies moderation and filters, places every kept record on the timeline and returns
/// the entries sorted by (offset, send time, id, messages before events).
///
/// Cost: one pass over borrowed records (ids and delete targets are hashed, never
/// copied), then the kept records are moved (not cloned) into entries and sorted; input
/// that is already in time order sorts in linear time.
pub fn align(
    records: Vec<ChatRecord>,
    timeline: &Timeline,
    opts: &AlignOptions,
) -> (Vec<Entry>, AlignStats) {
    let mut stats = AlignStats {
        input: records.len(),
        ..AlignStats::default()
    };
    stats.out_of_order = records
        .windows(2)
        .filter(|w| w[1].send_time < w[0].send_time)
        .count();
    let (mut placed, mut marked) = decide(&records, timeline, opts, &mut stats);
    let mut entries = Vec::with_capacity(placed.iter().filter(|p| p.is_some()).count());
    // Move the records from the back, giving the input's memory back as it shrinks: the
    // input and the entries are never both whole in memory.
    let mut records = records;
    while let Some(record) = records.pop() {
        let i = records.len();
        if let Some(Some((offset_ms, pinned_to_gap))) = placed.pop() {
            entries.push(Entry {
                offset_ms,
                pinned_to_gap,
                deleted: marked.remove(&i),
                record,
            });
        }
        if i.is_multiple_of(SHRINK_EVERY) {
            records.shrink_to_fit();
        }
    }
    // A total order (a message and an event may share an id, never two messages), so
    // the result does not depend on the input order.
    entries.sort_by(|a, b| {
        a.offset_ms
            .cmp(&b.offset_ms)
            .then(a.record.send_time.cmp(&b.record.send_time))
            .then_with(|| a.record.id.cmp(&b.record.id))
            .then_with(|| b.record.is_message().cmp(&a.record.is_message()))
    });
    stats.entries = entries.len();
    (entries, stats)
}

/// The placement of every record (`None`: dropped, counted in `stats`) and the delete
/// reasons of the deleted messages kept by [`DeletedPolicy::Mark`], by record index.
#[allow(clippy::type_complexity)]
fn decide(
    records: &[ChatRecord],
    timeline: &Timeline,
    opts: &AlignOptions,
    stats: &mut AlignStats,
) -> (Vec<Option<(u64, bool)>>, HashMap<usize, String>) {
    // Deletions, wherever they are in the input. Later reasons do not override earlier.
    let mut deleted: HashMap<&str, &str> = HashMap::new();
    for r in records {
        if r.event_name() == Some(DELETE_MESSAGE) {
            if let Some(target) = &r.target_message_id {
                deleted
                    .entry(target)
                    .or_insert_with(|| r.reason.as_deref().unwrap_or_default());
            }
        }
    }
    let latency = opts.latency_ms.saturating_mul(NANOS_PER_MS);
    let mut seen: HashSet<(bool, &str)> = HashSet::with_capacity(records.len());
    let mut marked = HashMap::new();
    let placed = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if !seen.insert((r.is_message(), &r.id)) {
                stats.duplicates += 1;
                return None;
            }
            if !keep(r, opts, stats) {
                return None;
            }
            let deleted_reason = if r.is_message() {
                deleted.get(r.id.as_str())
            } else {
                None
            };
            if deleted_reason.is_some() && opts.deleted == DeletedPolicy::Remove {
                stats.deleted_removed += 1;
                return None;
            }
            let placed = place(timeline, r.send_time, latency, opts.gap_policy, stats)?;
            if let Some(reason) = deleted_reason {
                stats.deleted_marked += 1;
                marked.insert(i, (*reason).to_owned());
            }
            Some(placed)
        })
        .collect();
    (placed, marked)
}

/// Event and sender/room filters; `false` (counted in `stats`) drops the record.
fn keep(r: &ChatRecord, opts: &AlignOptions, stats: &mut AlignStats) -> bool {
    match &r.kind {
        RecordKind::Event(n) if n == DELETE_MESSAGE => {
            stats.deletes += 1;
            return false;
        }
        RecordKind::Event(n) if n == DISCONNECT_USER && !opts.include_disconnects => {
            stats.events_filtered += 1;
            return false;
        }
        RecordKind::Event(n) if n != DISCONNECT_USER && !opts.include_custom_events => {
            stats.events_filtered += 1;
            return false;
        }
        _ => {}
    }
    if !opts.rooms.is_empty()
        && !r
            .room
            .as_deref()
            .is_some_and(|room| opts.rooms.iter().any(|k| k == room))
    {
        stats.room_filtered += 1;
        return false;
    }
    if r.is_message()
        && (!opts.require_sender.iter().all(|m| m.matches(r))
            || opts.exclude_sender.iter().any(|m| m.matches(r)))
    {
        stats.sender_filtered += 1;
        return false;
    }
    true
}

/// Places one send time; `None` (counted in `stats`) when it is dropped.
fn place(
    timeline: &Timeline,
    send_time: UnixNanos,
    latency: i64,
    gap: GapPolicy,
    stats: &mut AlignStats,
) -> Option<(u64, bool)> {
    let placement = match timeline.locate(send_time.saturating_sub(latency)) {
        Placement::BeforeStart => match timeline.locate(send_time) {
            Placement::BeforeStart => Placement::BeforeStart,
            _ => Placement::Video(0),
        },
        p => p,
    };
    match placement {
        Placement::Video(ms) => Some((ms, false)),
        Placement::Gap(ms) => match gap {
            GapPolicy::Pin => {
                stats.gap_pinned += 1;
                Some((ms, true))
            }
            GapPolicy::Drop => {
                stats.gap_dropped += 1;
                None
            }
        },
        Placement::BeforeStart => {
            stats.before_start += 1;
            None
        }
        Placement::AfterEnd => {
            stats.after_end += 1;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Attrs;
    use crate::timefmt::parse_rfc3339;

    fn t(s: &str) -> UnixNanos {
        parse_rfc3339(s).unwrap()
    }

    fn msg(id: &str, at: &str, user: &str) -> ChatRecord {
        ChatRecord {
            kind: RecordKind::Message,
            id: id.into(),
            send_time: t(at),
            sender_user_id: Some(user.into()),
            sender_attributes: std::sync::Arc::new(Attrs::from([(
                "role".to_owned(),
                if user == "bot" { "bot" } else { "viewer" }.to_owned(),
            )])),
            content: Some(format!("hi from {user}")),
            attributes: Attrs::new(),
            room: Some("r1".into()),
            target_message_id: None,
            target_user_id: None,
            reason: None,
        }
    }

    fn event(id: &str, at: &str, name: &str, target: Option<&str>) -> ChatRecord {
        ChatRecord {
            kind: RecordKind::Event(name.into()),
            target_message_id: target.map(str::to_owned),
            reason: Some("Spam".into()),
            sender_user_id: None,
            content: None,
            ..msg(id, at, "x")
        }
    }

    fn tl() -> Timeline {
        Timeline::linear(t("2023-01-05T14:00:00Z"), Some(60_000))
    }

    #[test]
    fn deletes_apply_in_any_order_and_equal_offsets_are_stable() {
        let records = vec![
            event("d1", "2023-01-05T14:00:20Z", DELETE_MESSAGE, Some("m2")),
            msg("m3", "2023-01-05T14:00:10Z", "a"),
            msg("m1", "2023-01-05T14:00:10Z", "b"),
            msg("m2", "2023-01-05T14:00:05Z", "c"),
            msg("m1", "2023-01-05T14:00:10Z", "b"),
        ];
        let opts = AlignOptions {
            latency_ms: 0,
            ..AlignOptions::default()
        };
        let (e, s) = align(records.clone(), &tl(), &opts);
        let ids: Vec<&str> = e.iter().map(|e| e.record.id.as_str()).collect();
        assert_eq!(ids, ["m1", "m3"]);
        assert_eq!(e[0].offset_ms, 10_000);
        assert_eq!(
            (s.deleted_removed, s.duplicates, s.deletes, s.out_of_order),
            (1, 1, 1, 2)
        );

        let mut reversed = records;
        reversed.reverse();
        let opts = AlignOptions {
            deleted: DeletedPolicy::Mark,
            ..opts
        };
        let (e, s) = align(reversed, &tl(), &opts);
        let ids: Vec<&str> = e.iter().map(|e| e.record.id.as_str()).collect();
        assert_eq!(ids, ["m2", "m1", "m3"]);
        assert_eq!(e[0].deleted.as_deref(), Some("Spam"));
        assert_eq!(s.deleted_marked, 1);
    }

    #[test]
    fn order_is_total_whatever_the_input_order() {
        let mut records = vec![
            event("x1", "2023-01-05T14:00:10Z", "poll", None),
            msg("x1", "2023-01-05T14:00:10Z", "a"),
            msg("x0", "2023-01-05T14:00:10Z", "b"),
            msg("early", "2023-01-05T14:00:02Z", "c"),
        ];
        let opts = AlignOptions {
            latency_ms: 0,
            include_custom_events: true,
            ..AlignOptions::default()
        };
        let want = [("early", true), ("x0", true), ("x1", true), ("x1", false)];
        for _ in 0..2 {
            let (e, _) = align(records.clone(), &tl(), &opts);
            let got: Vec<(&str, bool)> = e
                .iter()
                .map(|e| (e.record.id.as_str(), e.record.is_message()))
                .collect();
            assert_eq!(got, want);
            records.reverse();
        }
    }

    #[test]
    fn latency_filters_and_bounds() {
        let records = vec![
            msg("early", "2023-01-05T13:59:59Z", "a"),
            msg("first", "2023-01-05T14:00:01Z", "a"),
            msg("mid", "2023-01-05T14:00:30.250Z", "a"),
            msg("bot", "2023-01-05T14:00:31Z", "bot"),
            msg("late", "2023-01-05T14:01:03.500Z", "a"),
            event("dc", "2023-01-05T14:00:40Z", DISCONNECT_USER, None),
            event("cu", "2023-01-05T14:00:41Z", "poll", None),
        ];
        let opts = AlignOptions {
            exclude_sender: vec![AttrMatch {
                key: "role".into(),
                value: "bot".into(),
            }],
            ..AlignOptions::default()
        };
        let (e, s) = align(records.clone(), &tl(), &opts);
        let got: Vec<(&str, u64)> = e
            .iter()
            .map(|e| (e.record.id.as_str(), e.offset_ms))
            .collect();
        // default 3 s latency: "first" pins to 0, "late" (63.5 s - 3 s) is 60.5 s: after end.
        assert_eq!(got, [("first", 0), ("mid", 27_250)]);
        assert_eq!(
            (
                s.before_start,
                s.after_end,
                s.sender_filtered,
                s.events_filtered
            ),
            (1, 1, 1, 2)
        );

        let opts = AlignOptions {
            include_disconnects: true,
            include_custom_events: true,
            rooms: vec!["r2".into()],
            ..opts
        };
        let (e, s) = align(records, &tl(), &opts);
        assert!(e.is_empty());
        assert_eq!(s.room_filtered, 7);
    }
}
