//! Bounds on everything a hostile source could grow, and the report entry written when a
//! source reaches one. The README's "Limits" table lists the same values.
//!
//! Per-source bounds are fields of [`Limits`] (so tests and the CLI can lower or raise
//! them); structural constants that never need tuning are `const`s here.

use serde::Serialize;

/// Deepest nesting of `{`/`[` the JSON-values reader follows inside one value: a log
/// envelope nests 4 levels (envelope, payload, Sender, Attributes). A deeper value is
/// quarantined whole (it is still delimited exactly, so the next value is read).
pub const MAX_JSON_DEPTH: u32 = 64;

/// Longest `room=<value>` partition value (bytes, after sanitising). IVS room ids are 12
/// characters; a longer value is cut and suffixed with a hash of the whole id
/// (`<first 100>~<16 hex>`), since file-name components are limited to 255 bytes.
pub const MAX_ROOM_COMPONENT: usize = 128;

/// Distinct reasons counted in [`crate::SourceReport::quarantine_omitted_by_reason`]; the
/// rest are counted under [`OTHER_REASONS`].
pub const MAX_SUMMARY_REASONS: usize = 64;

/// The summary key for omitted quarantine entries past [`MAX_SUMMARY_REASONS`] reasons.
pub const OTHER_REASONS: &str = "(other reasons)";

/// Per-source bounds of one ingestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Partition files open at once per source (each Parquet one with its writer thread).
    /// Opening one more closes the least recently used; its later rows go to a further
    /// part file (`<stem>.<n>.parquet`; NDJSON appends to the same file).
    pub max_open_partitions: usize,
    /// Partition files (parts included) one source may write; past it the source fails
    /// with an error naming the bound, and nothing of it is committed.
    pub max_partition_files: usize,
    /// Quarantine entries kept per source; later ones are counted by reason only.
    pub max_quarantine_entries: u64,
    /// Bytes of the quarantine file per source; entries that would grow it past this are
    /// counted by reason only.
    pub max_quarantine_bytes: u64,
    /// Decompressed bytes per compressed byte of a gzip source, enforced once
    /// [`Limits::decompression_floor_bytes`] have been decompressed; past it the rest of the
    /// source is one quarantine entry.
    pub max_decompression_ratio: u64,
    /// Decompressed bytes any gzip source may reach whatever its ratio.
    pub decompression_floor_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_open_partitions: 8,
            max_partition_files: 10_000,
            max_quarantine_entries: 1_000,
            max_quarantine_bytes: 8 << 20,
            max_decompression_ratio: 100,
            decompression_floor_bytes: 64 << 20,
        }
    }
}

/// Which bound a source reached (closed vocabulary of report entries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// [`Limits::max_open_partitions`]: a partition was closed early (continued in a part).
    OpenPartitions,
    /// [`Limits::max_quarantine_entries`]: quarantine entries counted, not kept.
    QuarantineEntries,
    /// [`Limits::max_quarantine_bytes`]: quarantine entries counted, not kept.
    QuarantineBytes,
    /// [`Limits::max_decompression_ratio`]: the rest of the source was not decompressed.
    DecompressionRatio,
    /// [`MAX_ROOM_COMPONENT`]: the room's partition value was cut and hashed.
    RoomIdLength,
}

/// A source reached a bound: how often, and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitReached {
    /// The bound's value.
    pub value: u64,
    /// How many times it applied (partitions closed early, entries not kept, ...).
    pub times: u64,
    /// What happened past it.
    pub effect: &'static str,
}

impl Limit {
    /// What happens past this bound (the report's `effect` text).
    pub fn effect(self) -> &'static str {
        match self {
            Limit::OpenPartitions => {
                "least recently used partition closed; its later rows continue in a further part file listed in the manifest"
            }
            Limit::QuarantineEntries | Limit::QuarantineBytes => {
                "quarantine entries counted by reason in quarantine_omitted_by_reason, not kept"
            }
            Limit::DecompressionRatio => {
                "decompression stopped; the rest of the source is one quarantine entry"
            }
            Limit::RoomIdLength => {
                "room partition value cut to 100 bytes plus a hash of the whole id; room_id keeps the id"
            }
        }
    }
}

/// The bounds a source reached, by bound.
pub type LimitsReached = std::collections::BTreeMap<Limit, LimitReached>;

/// Adds `times` occurrences of `limit` (of `value`) to `reached`.
pub fn note(reached: &mut LimitsReached, limit: Limit, value: u64, times: u64) {
    if times == 0 {
        return;
    }
    reached
        .entry(limit)
        .or_insert(LimitReached {
            value,
            times: 0,
            effect: limit.effect(),
        })
        .times += times;
}
