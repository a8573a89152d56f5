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

use std::hash::BuildHasher;

use foldhash::{HashMap, HashMapExt};

use crate::record::{ChatRecord, SystemEvent};
use crate::timefmt::{UnixNanos, NANOS_PER_MS};
use crate::timeline::{Placement, Timeline};

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
    pub record: Box<ChatRecord>,
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

impl AlignStats {
    /// Adds `other`'s counts to these.
    fn add(&mut self, other: &AlignStats) {
        let AlignStats {
            input,
            entries,
            duplicates,
            deletes,
            deleted_removed,
            deleted_marked,
            events_filtered,
            room_filtered,
            sender_filtered,
            before_start,
            after_end,
            gap_dropped,
            gap_pinned,
            out_of_order,
        } = other;
        self.input += input;
        self.entries += entries;
        self.duplicates += duplicates;
        self.deletes += deletes;
        self.deleted_removed += deleted_removed;
        self.deleted_marked += deleted_marked;
        self.events_filtered += events_filtered;
        self.room_filtered += room_filtered;
        self.sender_filtered += sender_filtered;
        self.before_start += before_start;
        self.after_end += after_end;
        self.gap_dropped += gap_dropped;
        self.gap_pinned += gap_pinned;
        self.out_of_order += out_of_order;
    }
}

/// Applies moderation and filters, places every kept record on the timeline and returns
/// the entries sorted by (offset, send time, id, messages before events).
///
/// Cost: one pass over borrowed records (ids and delete targets are hashed, never
/// copied), then the kept records are moved (as boxes, never copied) into entries and
/// sorted; input that is already in time order sorts in linear time.
#[allow(clippy::vec_box)]
pub fn align(
    records: Vec<Box<ChatRecord>>,
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
    let (placed, mut marked) = decide(&records, timeline, opts, &mut stats);
    let mut entries = Vec::with_capacity(placed.iter().filter(|p| p.is_some()).count());
    for (i, (record, placed)) in records.into_iter().zip(placed).enumerate() {
        if let Some((offset_ms, pinned_to_gap)) = placed {
            entries.push(Entry {
                offset_ms,
                pinned_to_gap,
                deleted: marked.remove(&i),
                record,
            });
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

/// Where a record goes: offset (ms) and pinned-to-gap, `None` when it is dropped.
type Placed = Option<(u64, bool)>;

/// Records per thread below which the passes below do not split the work.
const MIN_RECORDS_PER_THREAD: usize = 1 << 15;

/// The placement of every record (`None`: dropped, counted in `stats`) and the delete
/// reasons of the deleted messages kept by [`DeletedPolicy::Mark`], by record index.
fn decide(
    records: &[Box<ChatRecord>],
    timeline: &Timeline,
    opts: &AlignOptions,
    stats: &mut AlignStats,
) -> (Vec<Placed>, HashMap<usize, String>) {
    let threads = crate::parallel::threads_for(records.len(), MIN_RECORDS_PER_THREAD);
    decide_on(records, timeline, opts, stats, threads)
}

/// [`decide`] on `threads` threads: duplicates are found per hash partition, the
/// records are placed per index range; the result does not depend on `threads`.
fn decide_on(
    records: &[Box<ChatRecord>],
    timeline: &Timeline,
    opts: &AlignOptions,
    stats: &mut AlignStats,
    threads: usize,
) -> (Vec<Placed>, HashMap<usize, String>) {
    // Deletions, wherever they are in the input. Later reasons do not override earlier.
    let mut deleted: HashMap<&str, &str> = HashMap::new();
    for r in records {
        if r.system_event() == Some(SystemEvent::DeleteMessage) {
            if let Some(target) = r.target_message_id() {
                deleted
                    .entry(target)
                    .or_insert_with(|| r.reason().unwrap_or_default());
            }
        }
    }
    let duplicate = duplicates(records, threads);
    let parts = crate::parallel::map_chunks(records, threads, |offset, chunk| {
        let mut part_stats = AlignStats::default();
        let mut marked = Vec::new();
        let placed: Vec<Placed> = (offset..)
            .zip(chunk)
            .map(|(i, r)| {
                if duplicate[i] {
                    part_stats.duplicates += 1;
                    return None;
                }
                let reason = if r.is_message() {
                    deleted.get(r.id.as_str()).copied()
                } else {
                    None
                };
                let placed = place_one(r, reason, timeline, opts, &mut part_stats)?;
                if let Some(reason) = reason {
                    marked.push((i, reason.to_owned()));
                }
                Some(placed)
            })
            .collect();
        (placed, part_stats, marked)
    });
    let mut placed = Vec::with_capacity(records.len());
    let mut marked = HashMap::new();
    for (part, part_stats, part_marked) in parts {
        placed.extend(part);
        stats.add(&part_stats);
        marked.extend(part_marked);
    }
    (placed, marked)
}

/// Filters, moderation and placement of one record that is not a duplicate;
/// `deleted_reason` is set when a delete event names it.
fn place_one(
    r: &ChatRecord,
    deleted_reason: Option<&str>,
    timeline: &Timeline,
    opts: &AlignOptions,
    stats: &mut AlignStats,
) -> Placed {
    if !keep(r, opts, stats) {
        return None;
    }
    if deleted_reason.is_some() && opts.deleted == DeletedPolicy::Remove {
        stats.deleted_removed += 1;
        return None;
    }
    let latency = opts.latency_ms.saturating_mul(NANOS_PER_MS);
    let placed = place(timeline, r.send_time, latency, opts.gap_policy, stats)?;
    if deleted_reason.is_some() {
        stats.deleted_marked += 1;
    }
    Some(placed)
}

/// Flags every record whose kind and id an earlier record already had. The hashes are
/// computed once, in parallel; then each thread owns one partition of the hash space (a
/// table of indexes, small enough to stay in cache) and walks the hashes in input
/// order, so the first of equal records is the one kept whatever the number of threads.
fn duplicates(records: &[Box<ChatRecord>], threads: usize) -> Vec<bool> {
    fn key(r: &ChatRecord) -> (bool, &str) {
        (r.is_message(), r.id.as_str())
    }
    let state = foldhash::fast::FixedState::with_seed(0x5eed);
    let hashes: Vec<u64> = crate::parallel::map_chunks(records, threads, |_, chunk| {
        chunk
            .iter()
            .map(|r| state.hash_one(key(r)))
            .collect::<Vec<u64>>()
    })
    .concat();
    let parts = crate::parallel::map_parts(threads, |k| {
        let mut table: hashbrown::HashTable<usize> =
            hashbrown::HashTable::with_capacity(records.len() / threads + 1);
        let mut dups = Vec::new();
        for (i, &h) in hashes.iter().enumerate() {
            // hashbrown uses the low bits (bucket) and the top 7 (tag): partition on others.
            if (h >> 32) as usize % threads != k {
                continue;
            }
            let same = |&j: &usize| key(&records[j]) == key(&records[i]);
            match table.entry(h, same, |&j| hashes[j]) {
                hashbrown::hash_table::Entry::Occupied(_) => dups.push(i),
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
        dups
    });
    let mut flags = vec![false; records.len()];
    for i in parts.into_iter().flatten() {
        flags[i] = true;
    }
    flags
}

/// Event and sender/room filters; `false` (counted in `stats`) drops the record.
fn keep(r: &ChatRecord, opts: &AlignOptions, stats: &mut AlignStats) -> bool {
    // `Some(None)`: a custom event (or an `aws:` name the contract does not define).
    match r.event_name().map(SystemEvent::from_name) {
        Some(Some(SystemEvent::DeleteMessage)) => {
            stats.deletes += 1;
            return false;
        }
        Some(Some(SystemEvent::DisconnectUser)) if !opts.include_disconnects => {
            stats.events_filtered += 1;
            return false;
        }
        Some(None) if !opts.include_custom_events => {
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
    use crate::record::{Attrs, EventInfo, RecordKind};
    use crate::timefmt::parse_rfc3339;

    fn t(s: &str) -> UnixNanos {
        parse_rfc3339(s).unwrap()
    }

    fn msg(id: &str, at: &str, user: &str) -> Box<ChatRecord> {
        Box::new(ChatRecord {
            kind: RecordKind::Message,
            id: id.into(),
            send_time: t(at),
            sender_user_id: Some(user.into()),
            sender_attributes: std::sync::Arc::new(Attrs::from([(
                "role".to_owned(),
                if user == "bot" { "bot" } else { "viewer" }.to_owned(),
            )])),
            content: Some(compact_str::format_compact!("hi from {user}")),
            attributes: Attrs::new(),
            room: Some("r1".into()),
        })
    }

    fn event(id: &str, at: &str, name: &str, target: Option<&str>) -> Box<ChatRecord> {
        Box::new(ChatRecord {
            kind: RecordKind::Event(Box::new(EventInfo {
                name: name.into(),
                target_message_id: target.map(str::to_owned),
                target_user_id: None,
                reason: Some("Spam".into()),
            })),
            sender_user_id: None,
            content: None,
            ..*msg(id, at, "x")
        })
    }

    fn tl() -> Timeline {
        Timeline::linear(t("2023-01-05T14:00:00Z"), Some(60_000))
    }

    #[test]
    fn deletes_apply_in_any_order_and_equal_offsets_are_stable() {
        let records = vec![
            event(
                "d1",
                "2023-01-05T14:00:20Z",
                SystemEvent::DeleteMessage.as_str(),
                Some("m2"),
            ),
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
    fn threads_do_not_change_the_decisions() {
        // Duplicates of both kinds far apart, deletes before and after their targets,
        // records outside the recording, events of every kind.
        let mut records = Vec::new();
        for i in 0..400u32 {
            let at = format!("2023-01-05T14:00:{:02}.{:03}Z", (i * 7) % 70, i % 1000);
            let at = if (i * 7) % 70 >= 60 {
                "2023-01-05T14:01:30Z".to_owned()
            } else {
                at
            };
            records.push(msg(
                &format!("m{}", i % 300),
                &at,
                if i % 5 == 0 { "bot" } else { "a" },
            ));
            if i % 9 == 0 {
                let target = format!("m{}", (i * 13) % 300);
                records.push(event(
                    &format!("d{i}"),
                    &at,
                    SystemEvent::DeleteMessage.as_str(),
                    Some(&target),
                ));
            }
            if i % 11 == 0 {
                records.push(event(&format!("m{}", i % 300), &at, "poll", None));
                records.push(event(
                    &format!("u{i}"),
                    &at,
                    SystemEvent::DisconnectUser.as_str(),
                    None,
                ));
            }
        }
        for deleted in [DeletedPolicy::Remove, DeletedPolicy::Mark] {
            let opts = AlignOptions {
                latency_ms: 1_500,
                deleted,
                include_custom_events: true,
                exclude_sender: vec![AttrMatch {
                    key: "role".into(),
                    value: "bot".into(),
                }],
                ..AlignOptions::default()
            };
            let run = |threads| {
                let mut stats = AlignStats::default();
                let (placed, marked) = decide_on(&records, &tl(), &opts, &mut stats, threads);
                let mut marked: Vec<(usize, String)> = marked.into_iter().collect();
                marked.sort();
                (placed, marked, stats)
            };
            let one = run(1);
            assert!(one.2.duplicates >= 100 && one.2.deletes > 40 && one.2.after_end > 0);
            assert_eq!(one.2.deleted_marked > 0, deleted == DeletedPolicy::Mark);
            for threads in [2, 3, 7] {
                assert_eq!(run(threads), one, "{threads} threads");
            }
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
            event(
                "dc",
                "2023-01-05T14:00:40Z",
                SystemEvent::DisconnectUser.as_str(),
                None,
            ),
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
