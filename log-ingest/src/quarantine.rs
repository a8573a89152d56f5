//! Quarantine entries: input that could not become a record, with where and why.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::limits::{MAX_SUMMARY_REASONS, OTHER_REASONS};
use crate::record::Position;

/// At most this many raw bytes of a bad input unit are kept in its quarantine entry.
pub const RAW_CAP: usize = 4096;

/// One input unit (line, JSON value, log event, unreadable tail) that was not ingested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantineEntry {
    /// Source identifier, as in [`crate::ChatRow::source`].
    pub source: String,
    /// 1-based line, for line-oriented sources.
    pub line: Option<u64>,
    /// Byte offset in the decompressed source, when it is a byte stream.
    pub offset: Option<u64>,
    /// Id of the delivery unit (CloudWatch log event id, Firehose record id).
    pub source_ref: Option<String>,
    /// What was wrong and what was expected.
    pub reason: String,
    /// The raw bytes (lossy UTF-8), at most [`RAW_CAP`] bytes of them.
    pub raw: String,
    /// Length in bytes of the whole raw unit (may exceed what `raw` holds).
    pub raw_len: u64,
    /// True when `raw` holds less than `raw_len` bytes.
    pub raw_truncated: bool,
}

impl QuarantineEntry {
    /// Builds an entry, capping the raw bytes at [`RAW_CAP`].
    pub fn new(
        source: &str,
        pos: Position,
        reason: impl Into<String>,
        raw: &[u8],
        raw_len: u64,
    ) -> Self {
        let kept = &raw[..raw.len().min(RAW_CAP)];
        QuarantineEntry {
            source: source.to_string(),
            line: pos.line,
            offset: pos.offset,
            source_ref: None,
            reason: reason.into(),
            raw: String::from_utf8_lossy(kept).into_owned(),
            raw_len,
            raw_truncated: (kept.len() as u64) < raw_len,
        }
    }

    /// The entry as one NDJSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The summary key of a reason: its text up to the first `:` (what kind of problem, not
/// where), at most 80 bytes.
pub fn reason_summary(reason: &str) -> &str {
    let head = reason.split(':').next().unwrap_or(reason);
    let mut end = head.len().min(80);
    while !head.is_char_boundary(end) {
        end -= 1;
    }
    &head[..end]
}

/// Counts one omitted entry of `reason` in `counts`, which holds at most
/// [`MAX_SUMMARY_REASONS`] reasons plus [`OTHER_REASONS`].
pub fn count_omitted(counts: &mut BTreeMap<String, u64>, reason: &str) {
    let key = reason_summary(reason);
    if let Some(n) = counts.get_mut(key) {
        *n += 1;
    } else if counts.len() < MAX_SUMMARY_REASONS {
        counts.insert(key.to_string(), 1);
    } else {
        *counts.entry(OTHER_REASONS.to_string()).or_insert(0) += 1;
    }
}

/// The outcome for one input unit: a record, or a quarantine entry. Never both, never neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// The unit parsed into a chat record.
    Record(Box<crate::ChatRow>),
    /// The unit was rejected.
    Quarantined(Box<QuarantineEntry>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omitted_entries_are_counted_by_the_head_of_their_reason_in_a_bounded_map() {
        assert_eq!(
            reason_summary("not valid JSON: expected value at line 1 column 1"),
            "not valid JSON"
        );
        assert_eq!(reason_summary(&"é".repeat(100)).len(), 80);
        let mut counts = BTreeMap::new();
        for i in 0..(MAX_SUMMARY_REASONS + 10) {
            count_omitted(&mut counts, &format!("reason {i}: x"));
        }
        count_omitted(&mut counts, "reason 0: y");
        assert_eq!(counts.len(), MAX_SUMMARY_REASONS + 1);
        assert_eq!(counts["reason 0"], 2);
        assert_eq!(counts[OTHER_REASONS], 10);
    }
}
