//! The chat record schema, defined once: every column's name, kind and nullability, in
//! table order. The [`columns!`] macro and the [`TableColumn`] trait are shared with the
//! decisions table's schema ([`crate::decisions::schema::DecisionColumn`]), so both
//! tables are written by the same column builders and Parquet sink.
//!
//! The Parquet writer builds its Arrow schema and column builders from [`Column::ALL`]
//! (`sink/columns.rs`), the rows name their cells by [`Column`] ([`crate::record::RowRef::cell`]),
//! readers (replay) find columns by [`Column::name`], and a test checks `SCHEMA.md` and
//! `sql/athena_table.sql` against this table. Inserting a column here is the whole change
//! (plus its [`crate::record::RowRef`] field, which the exhaustive `cell` match demands).

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, TimeUnit};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Timestamp with millisecond precision, UTC (rows hold nanoseconds).
    TimestampMillis,
    /// Timestamp with nanosecond precision, UTC.
    TimestampNanos,
    /// UTF-8 text.
    Text,
    /// Signed 64-bit integer (Athena/Hive have no unsigned integers).
    Int64,
    /// `map<string, string>`.
    TextMap,
    /// A list of UTF-8 texts (items may be null).
    TextList,
}

impl ColumnKind {
    /// The Arrow (and so Parquet) type of the column.
    pub fn arrow_type(self) -> DataType {
        let utc = || Some(Arc::<str>::from("UTC"));
        match self {
            ColumnKind::TimestampMillis => DataType::Timestamp(TimeUnit::Millisecond, utc()),
            ColumnKind::TimestampNanos => DataType::Timestamp(TimeUnit::Nanosecond, utc()),
            ColumnKind::Text => DataType::Utf8,
            ColumnKind::Int64 => DataType::Int64,
            ColumnKind::TextMap => {
                // Arrow's default map layout: `entries` struct of non-null `keys` and
                // nullable `values` (what `MapBuilder::new(None, ..)` builds).
                let entries = Field::new(
                    "entries",
                    DataType::Struct(
                        vec![
                            Field::new("keys", DataType::Utf8, false),
                            Field::new("values", DataType::Utf8, true),
                        ]
                        .into(),
                    ),
                    false,
                );
                DataType::Map(Arc::new(entries), false)
            }
            // Arrow's default list layout: nullable `item`s (what `ListBuilder` builds).
            ColumnKind::TextList => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
        }
    }

    /// The column type in the Athena DDL (`sql/athena_table.sql`).
    pub fn athena_type(self) -> &'static str {
        match self {
            ColumnKind::TimestampMillis | ColumnKind::TimestampNanos => "timestamp",
            ColumnKind::Text => "string",
            ColumnKind::Int64 => "bigint",
            ColumnKind::TextMap => "map<string,string>",
            ColumnKind::TextList => "array<string>",
        }
    }

    /// The type as `SCHEMA.md` writes it (without `, null`).
    pub fn doc_type(self) -> &'static str {
        match self {
            ColumnKind::TimestampMillis => "timestamp(ms, UTC) / timestamp",
            ColumnKind::TimestampNanos => "timestamp(ns, UTC) / timestamp",
            ColumnKind::Text => "string",
            ColumnKind::Int64 => "int64",
            ColumnKind::TextMap => "map<string,string>",
            ColumnKind::TextList => "list<string> / array<string>",
        }
    }
}

/// The columns of one table: what the column builders and the Parquet sink are generic
/// over. Implemented by the [`columns!`] macro.
pub trait TableColumn: Copy + Eq + std::fmt::Debug + Send + 'static {
    /// Every column, in table order.
    fn all() -> &'static [Self];
    /// The column name (Parquet column, Athena column).
    fn name(self) -> &'static str;
    /// What the column holds.
    fn kind(self) -> ColumnKind;
    /// True when the column may be null.
    fn nullable(self) -> bool;
    /// Columns whose values are (nearly) unique per row: written without a dictionary.
    const HIGH_CARDINALITY: &'static [&'static str];
    /// Free-text columns: written without min/max statistics (they prune nothing).
    const NO_STATISTICS: &'static [&'static str];

    /// The Arrow field of the column.
    fn arrow_field(self) -> Field {
        Field::new(self.name(), self.kind().arrow_type(), self.nullable())
    }
}

/// Declares a column enum and its table from one list: variant, name, kind, nullability;
/// plus the names of its high-cardinality and no-statistics columns (see [`TableColumn`]).
macro_rules! columns {
    (
        $(#[$enum_doc:meta])* $enum:ident [$count:ident];
        high_cardinality: [$($high:literal),* $(,)?];
        no_statistics: [$($nostat:literal),* $(,)?];
        $($(#[$doc:meta])* $variant:ident = $name:literal, $kind:ident, $nullable:literal;)*
    ) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $enum {
            $($(#[$doc])* $variant,)*
        }

        impl $enum {
            /// Every column, in table order (the Parquet and NDJSON field order).
            pub const ALL: [$enum; $count] = [$($enum::$variant,)*];

            /// The column name (Parquet column, NDJSON key, Athena column).
            pub const fn name(self) -> &'static str {
                match self {
                    $($enum::$variant => $name,)*
                }
            }

            /// What the column holds.
            pub const fn kind(self) -> $crate::schema::ColumnKind {
                match self {
                    $($enum::$variant => $crate::schema::ColumnKind::$kind,)*
                }
            }

            /// True when the column may be null.
            pub const fn nullable(self) -> bool {
                match self {
                    $($enum::$variant => $nullable,)*
                }
            }

            /// The column named `name`.
            pub fn from_name(name: &str) -> Option<$enum> {
                $enum::ALL.into_iter().find(|c| c.name() == name)
            }

            /// Its position in the table.
            pub fn index(self) -> usize {
                self as usize
            }

            /// The Arrow field of the column.
            pub fn arrow_field(self) -> arrow::datatypes::Field {
                $crate::schema::TableColumn::arrow_field(self)
            }
        }

        impl $crate::schema::TableColumn for $enum {
            fn all() -> &'static [Self] {
                &$enum::ALL
            }
            fn name(self) -> &'static str {
                $enum::name(self)
            }
            fn kind(self) -> $crate::schema::ColumnKind {
                $enum::kind(self)
            }
            fn nullable(self) -> bool {
                $enum::nullable(self)
            }
            const HIGH_CARDINALITY: &'static [&'static str] = &[$($high),*];
            const NO_STATISTICS: &'static [&'static str] = &[$($nostat),*];
        }
    };
}
pub(crate) use columns;

/// Number of columns of the chat record table.
pub const COLUMN_COUNT: usize = 24;

columns! {
    /// One column of the chat record table (see `SCHEMA.md` for what each holds).
    Column[COLUMN_COUNT];
    high_cardinality: [
        "event_timestamp", "id", "request_id", "content", "send_time", "target_message_id",
        "payload_extra", "envelope_extra", "source_line", "source_offset", "source_ref",
    ];
    no_statistics: ["content", "payload_extra", "envelope_extra"];
    /// Envelope `event_timestamp`.
    EventTimestamp = "event_timestamp", TimestampMillis, false;
    /// Envelope `type`.
    Type = "type", Text, false;
    /// Envelope `version`.
    Version = "version", Text, false;
    /// Account id of the room.
    AccountId = "account_id", Text, true;
    /// Region of the room.
    Region = "region", Text, true;
    /// Room resource id.
    RoomId = "room_id", Text, true;
    /// Room ARN.
    RoomArn = "room_arn", Text, true;
    /// Payload `Id`.
    Id = "id", Text, false;
    /// Payload `RequestId`.
    RequestId = "request_id", Text, true;
    /// Payload `EventName`.
    EventName = "event_name", Text, true;
    /// Payload `Content`.
    Content = "content", Text, true;
    /// Payload `SendTime`.
    SendTime = "send_time", TimestampNanos, true;
    /// Payload `Sender.UserId`.
    SenderUserId = "sender_user_id", Text, true;
    /// Payload `Sender.Attributes`.
    SenderAttributes = "sender_attributes", TextMap, true;
    /// Payload `Attributes`.
    Attributes = "attributes", TextMap, true;
    /// `aws:DELETE_MESSAGE`: the deleted message.
    TargetMessageId = "target_message_id", Text, true;
    /// `aws:DISCONNECT_USER`: the disconnected user.
    TargetUserId = "target_user_id", Text, true;
    /// `aws:*` events: `Attributes.Reason`.
    Reason = "reason", Text, true;
    /// Unknown payload fields (JSON text).
    PayloadExtra = "payload_extra", Text, true;
    /// Unknown envelope fields (JSON text).
    EnvelopeExtra = "envelope_extra", Text, true;
    /// Source identifier.
    Source = "source", Text, false;
    /// 1-based line in the source.
    SourceLine = "source_line", Int64, true;
    /// Byte offset in the decompressed source.
    SourceOffset = "source_offset", Int64, true;
    /// Delivery unit id (CloudWatch event id, Firehose record id).
    SourceRef = "source_ref", Text, true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_indexes_follow_the_table() {
        for (i, c) in Column::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(Column::from_name(c.name()), Some(c));
        }
        assert_eq!(Column::from_name("room"), None);
    }

    #[test]
    fn map_type_is_what_the_map_builder_builds() {
        use arrow::array::{Array, MapBuilder, StringBuilder};
        let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        assert_eq!(b.finish().data_type(), &ColumnKind::TextMap.arrow_type());
    }
}
