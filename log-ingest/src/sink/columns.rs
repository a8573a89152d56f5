//! The Arrow schema of chat records and a builder that appends records column by column.

use std::sync::{Arc, OnceLock};

use arrow::array::{
    ArrayRef, Int64Builder, MapBuilder, StringBuilder, TimestampMillisecondBuilder,
    TimestampNanosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

use crate::record::{ChatRecord, MapRef, RowRef};

fn string_map_type() -> DataType {
    let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    arrow::array::Array::data_type(&b.finish()).clone()
}

/// The Arrow schema of the Parquet output; column docs are in `SCHEMA.md`.
pub fn arrow_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let s = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
            let utc: Option<Arc<str>> = Some("UTC".into());
            Arc::new(Schema::new(vec![
                Field::new(
                    "event_timestamp",
                    DataType::Timestamp(TimeUnit::Millisecond, utc.clone()),
                    false,
                ),
                s("type", false),
                s("version", false),
                s("account_id", true),
                s("region", true),
                s("room_id", true),
                s("room_arn", true),
                s("id", false),
                s("request_id", true),
                s("event_name", true),
                s("content", true),
                Field::new(
                    "send_time",
                    DataType::Timestamp(TimeUnit::Nanosecond, utc),
                    true,
                ),
                s("sender_user_id", true),
                Field::new("sender_attributes", string_map_type(), true),
                Field::new("attributes", string_map_type(), true),
                s("target_message_id", true),
                s("target_user_id", true),
                s("reason", true),
                s("payload_extra", true),
                s("envelope_extra", true),
                s("source", false),
                Field::new("source_line", DataType::Int64, true),
                Field::new("source_offset", DataType::Int64, true),
                s("source_ref", true),
            ]))
        })
        .clone()
}

/// Schema positions of the 18 string columns, in the order of `ColumnBuilder::strings`.
const STRING_COLUMNS: [usize; 18] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 16, 17, 18, 19, 20, 23,
];

/// Column builders for a batch of records.
pub struct ColumnBuilder {
    event_timestamp: TimestampMillisecondBuilder,
    strings: [StringBuilder; 18],
    send_time: TimestampNanosecondBuilder,
    sender_attributes: MapBuilder<StringBuilder, StringBuilder>,
    attributes: MapBuilder<StringBuilder, StringBuilder>,
    source_line: Int64Builder,
    source_offset: Int64Builder,
    len: usize,
}

impl Default for ColumnBuilder {
    fn default() -> Self {
        Self::new()
    }
}

fn append_map(
    b: &mut MapBuilder<StringBuilder, StringBuilder>,
    m: Option<MapRef<'_>>,
) -> Result<(), ArrowError> {
    match m {
        Some(m) => {
            m.for_each(|k, v| {
                b.keys().append_value(k);
                b.values().append_value(v);
            });
            b.append(true)
        }
        None => b.append(false),
    }
}

impl ColumnBuilder {
    /// Empty builders.
    pub fn new() -> Self {
        ColumnBuilder {
            event_timestamp: TimestampMillisecondBuilder::new().with_timezone("UTC"),
            strings: std::array::from_fn(|_| StringBuilder::new()),
            send_time: TimestampNanosecondBuilder::new().with_timezone("UTC"),
            sender_attributes: MapBuilder::new(None, StringBuilder::new(), StringBuilder::new()),
            attributes: MapBuilder::new(None, StringBuilder::new(), StringBuilder::new()),
            source_line: Int64Builder::new(),
            source_offset: Int64Builder::new(),
            len: 0,
        }
    }

    /// Rows appended since the last [`ColumnBuilder::finish`].
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no row is buffered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one record as a row.
    pub fn append(&mut self, r: &ChatRecord) -> Result<(), ArrowError> {
        self.append_row(&r.row())
    }

    /// Appends one borrowed row.
    pub fn append_row(&mut self, r: &RowRef<'_>) -> Result<(), ArrowError> {
        self.event_timestamp
            .append_value(r.event_timestamp.div_euclid(1_000_000));
        let texts: [Option<&str>; 18] = [
            Some(r.r#type),
            Some(r.version),
            r.account_id,
            r.region,
            r.room_id,
            r.room_arn,
            Some(r.id),
            r.request_id,
            r.event_name,
            r.content,
            r.sender_user_id,
            r.target_message_id,
            r.target_user_id,
            r.reason,
            r.payload_extra,
            r.envelope_extra,
            Some(r.source),
            r.source_ref,
        ];
        for (b, v) in self.strings.iter_mut().zip(texts) {
            b.append_option(v);
        }
        self.send_time.append_option(r.send_time);
        append_map(&mut self.sender_attributes, r.sender_attributes)?;
        append_map(&mut self.attributes, r.attributes)?;
        // Int64, not UInt64: Athena/Hive have no unsigned integers. Positions fit easily.
        self.source_line
            .append_option(r.source_line.and_then(|v| i64::try_from(v).ok()));
        self.source_offset
            .append_option(r.source_offset.and_then(|v| i64::try_from(v).ok()));
        self.len += 1;
        Ok(())
    }

    /// Builds a batch of the buffered rows (in schema order) and resets the builders.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let [ty, version, account, region, room, arn, id, req, ev, content, sender, tmsg, tuser, reason, pextra, eextra, source, sref] =
            &mut self.strings;
        let s = |b: &mut StringBuilder| -> ArrayRef { Arc::new(b.finish()) };
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.event_timestamp.finish()),
            s(ty),
            s(version),
            s(account),
            s(region),
            s(room),
            s(arn),
            s(id),
            s(req),
            s(ev),
            s(content),
            Arc::new(self.send_time.finish()),
            s(sender),
            Arc::new(self.sender_attributes.finish()),
            Arc::new(self.attributes.finish()),
            s(tmsg),
            s(tuser),
            s(reason),
            s(pextra),
            s(eextra),
            s(source),
            Arc::new(self.source_line.finish()),
            Arc::new(self.source_offset.finish()),
            s(sref),
        ];
        // `finish` leaves the builders empty without capacity: size them for a batch like
        // this one, so the next batch appends without growing (copying) its buffers.
        let rows = self.len;
        for (b, col) in self.strings.iter_mut().zip(STRING_COLUMNS) {
            let bytes = cols[col].to_data().buffers().get(1).map_or(0, |v| v.len());
            *b = StringBuilder::with_capacity(rows, bytes);
        }
        self.len = 0;
        RecordBatch::try_new(arrow_schema(), cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_column_positions_match_the_schema() {
        let schema = arrow_schema();
        let utf8: Vec<usize> = (0..schema.fields().len())
            .filter(|&i| schema.field(i).data_type() == &DataType::Utf8)
            .collect();
        assert_eq!(utf8, STRING_COLUMNS.to_vec());
    }
}
