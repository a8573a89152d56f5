//! One decisions-table row: a parsed audit line and where it was read.

use rules::audit::DecisionRecord;

use super::schema::DecisionColumn;
use crate::record::{Cell, ListRef};

/// A decision and its position in its source, borrowed: what the sink writes.
#[derive(Debug, Clone, Copy)]
pub struct DecisionRow<'r> {
    /// The audit record.
    pub record: &'r DecisionRecord,
    /// Its `time`, ns since the epoch (UTC, millisecond precision).
    pub time: i64,
    /// Source identifier.
    pub source: &'r str,
    /// Event index in the batch, or 1-based line.
    pub source_line: Option<u64>,
    /// CloudWatch log event id.
    pub source_ref: Option<&'r str>,
}

impl<'r> DecisionRow<'r> {
    /// The `room` partition value: the room id, or `unknown`.
    pub fn partition_room(&self) -> &'r str {
        self.record.room.as_deref().unwrap_or("unknown")
    }

    /// The cell of column `c` (its kind is `c.kind()`; a test checks every column).
    pub fn cell(&self, c: DecisionColumn) -> Cell<'r> {
        use Cell::{Int, List, Text, Time};
        let r = self.record;
        match c {
            DecisionColumn::Time => Time(Some(self.time)),
            DecisionColumn::MessageId => Text(r.message_id.as_deref()),
            DecisionColumn::RoomId => Text(r.room.as_deref()),
            DecisionColumn::UserId => Text(r.user_id.as_deref()),
            DecisionColumn::Ip => Text(r.ip.as_deref()),
            DecisionColumn::Result => Text(Some(r.result.as_str())),
            DecisionColumn::Action => Text(Some(r.action.as_str())),
            DecisionColumn::Outcome => Text(Some(r.outcome.as_str())),
            DecisionColumn::Rules => List(Some(ListRef::Texts(&r.rules))),
            DecisionColumn::Categories => List(Some(ListRef::Nullable(&r.categories))),
            DecisionColumn::ShadowRules => List(Some(ListRef::Texts(&r.shadow_rules))),
            DecisionColumn::Pack => Text(Some(&r.pack)),
            DecisionColumn::PackVersion => Text(r.pack_version.as_deref()),
            // Int64 in the table: a (never seen) value past i64::MAX is clamped, not nulled.
            DecisionColumn::ElapsedUs => Int(Some(r.elapsed_us.min(i64::MAX as u64))),
            DecisionColumn::Detail => Text(r.detail.as_deref()),
            DecisionColumn::Source => Text(Some(self.source)),
            DecisionColumn::SourceLine => Int(self.source_line),
            DecisionColumn::SourceRef => Text(self.source_ref),
        }
    }
}
