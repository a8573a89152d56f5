//! The decisions table schema, defined once (like the chat table's [`crate::schema`]):
//! every column's name, kind and nullability, in table order. The Parquet sink builds its
//! Arrow schema from [`DecisionColumn::ALL`], the rows name their cells by
//! [`DecisionColumn`] ([`super::row::DecisionRow::cell`]), and `tests/schema_docs.rs`
//! checks `SCHEMA.md`, `sql/athena_decisions_table.sql` and the Glue table of
//! `infra/template.yaml` against this table.
//!
//! The columns are the fields of the audit line ([`rules::audit::DecisionRecord`]), with
//! `room` named `room_id` (as in the chat table: `room` is the Hive partition column) and
//! the position of the line in its source.

use crate::schema::columns;

/// Number of columns of the decisions table.
pub const DECISION_COLUMN_COUNT: usize = 18;

columns! {
    /// One column of the decisions table (see `SCHEMA.md`, "Decisions").
    DecisionColumn[DECISION_COLUMN_COUNT];
    high_cardinality: ["time", "message_id", "elapsed_us", "detail", "source_line", "source_ref"];
    no_statistics: ["detail"];
    /// Audit `time`: when the handler decided.
    Time = "time", TimestampMillis, false;
    /// Audit `message_id`: joins the chat table's `id`.
    MessageId = "message_id", Text, true;
    /// Audit `room`: the room's resource id.
    RoomId = "room_id", Text, true;
    /// Audit `user_id`, raw or `hmac-sha256:` hashed.
    UserId = "user_id", Text, true;
    /// Audit `ip`, raw or hashed.
    Ip = "ip", Text, true;
    /// `ALLOW` or `DENY`.
    Result = "result", Text, false;
    /// `allow`, `deny`, `rewrite`, `tag` or `fail`.
    Action = "action", Text, false;
    /// `evaluated`, `malformed`, `timeout`, `invalid_response`, `internal`, `degraded`.
    Outcome = "outcome", Text, false;
    /// Enforced rules that fired.
    Rules = "rules", TextList, false;
    /// The category of each of `rules` (null items for rules without one).
    Categories = "categories", TextList, false;
    /// Shadow rules that fired.
    ShadowRules = "shadow_rules", TextList, false;
    /// The pack that decided (empty for a fail decision).
    Pack = "pack", Text, false;
    /// The S3 ETag of the deployed pack (null for bundled/file packs).
    PackVersion = "pack_version", Text, true;
    /// Time spent deciding, microseconds.
    ElapsedUs = "elapsed_us", Int64, false;
    /// Failure detail.
    Detail = "detail", Text, true;
    /// Source identifier (`cloudwatch:<group>/<stream>`, a path).
    Source = "source", Text, false;
    /// Event index in the CloudWatch batch / 1-based line of a file.
    SourceLine = "source_line", Int64, true;
    /// CloudWatch log event id.
    SourceRef = "source_ref", Text, true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_indexes_follow_the_table() {
        for (i, c) in DecisionColumn::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(DecisionColumn::from_name(c.name()), Some(c));
        }
    }
}
