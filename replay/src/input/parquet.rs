//! The Parquet files `log-ingest` writes (the columns of `log_ingest::schema::Column`):
//! replay reads `type`, `id`, `event_name`, `content`, `send_time` (timestamp ns),
//! `event_timestamp` (timestamp ms), `sender_user_id`, `sender_attributes` /
//! `attributes` (string maps), `target_message_id`, `target_user_id`, `reason`,
//! `room_id`. Columns are found by name; other columns are ignored. Each row goes through the same mapping as an
//! NDJSON row, so both formats mean the same thing.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, MapArray, RecordBatch};
use arrow::datatypes::{DataType, TimeUnit};
use log_ingest::schema::Column;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::envelope::Senders;
use super::row::{Instant, Row};
use super::{Parsed, RejectReason};
use crate::error::ReplayError;
use crate::record::Attrs;

/// Reads every row of a Parquet file. Rows are numbered from 1 in error messages
/// (as `source:row`).
pub fn parse_parquet(source_name: &str, bytes: &[u8], room_hint: Option<&str>) -> Parsed {
    let mut out = Parsed::default();
    let fail = |what: String| ReplayError::field(source_name, 0, "(parquet)", what);
    let reader =
        match ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
            .and_then(|b| b.with_batch_size(8192).build())
        {
            Ok(r) => r,
            Err(e) => {
                out.rejected.push(RejectReason::Unreadable, || {
                    fail(format!("a readable Parquet file: {e}"))
                });
                return out;
            }
        };
    let mut row_base = 0usize;
    let room = room_hint.map(Arc::<str>::from);
    let mut senders = Senders::default();
    for batch in reader {
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                out.rejected.push(RejectReason::Unreadable, || {
                    fail(format!("a readable row group after row {row_base}: {e}"))
                });
                break;
            }
        };
        let cols = Columns::new(&batch);
        for i in 0..batch.num_rows() {
            match cols.row(i).into_record(room.as_ref(), &mut senders) {
                Ok(r) => out.records.push(Box::new(r)),
                Err((field, expected)) => {
                    out.rejected.push(RejectReason::of_row_field(field), || {
                        ReplayError::field(source_name, row_base + i + 1, field, expected)
                    })
                }
            }
        }
        row_base += batch.num_rows();
    }
    out
}

/// The columns of one batch that replay reads, when present with a usable type.
struct Columns {
    strings: Vec<(Column, Option<ArrayRef>)>,
    send_time: Option<ArrayRef>,
    event_timestamp: Option<ArrayRef>,
    sender_attributes: Option<ArrayRef>,
    attributes: Option<ArrayRef>,
}

/// The text columns replay reads (`log-ingest`'s schema names them).
const STRING_COLUMNS: [Column; 9] = [
    Column::Type,
    Column::Id,
    Column::EventName,
    Column::Content,
    Column::SenderUserId,
    Column::TargetMessageId,
    Column::TargetUserId,
    Column::Reason,
    Column::RoomId,
];

impl Columns {
    fn new(batch: &RecordBatch) -> Columns {
        let col = |c: Column| batch.column_by_name(c.name()).cloned();
        let typed = |c: Column, ok: fn(&DataType) -> bool| col(c).filter(|a| ok(a.data_type()));
        let time = |t: &DataType| matches!(t, DataType::Timestamp(_, _) | DataType::Int64);
        let map = |t: &DataType| matches!(t, DataType::Map(_, _));
        Columns {
            strings: STRING_COLUMNS
                .iter()
                .map(|c| (*c, typed(*c, |t| *t == DataType::Utf8)))
                .collect(),
            send_time: typed(Column::SendTime, time),
            event_timestamp: typed(Column::EventTimestamp, time),
            sender_attributes: typed(Column::SenderAttributes, map),
            attributes: typed(Column::Attributes, map),
        }
    }

    fn string(&self, column: Column, i: usize) -> Option<String> {
        let (_, c) = self.strings.iter().find(|(n, _)| *n == column)?;
        let a = c.as_ref()?.as_string_opt::<i32>()?;
        (!a.is_null(i)).then(|| a.value(i).to_owned())
    }

    fn row(&self, i: usize) -> Row {
        Row {
            payload: None,
            event_timestamp: self
                .event_timestamp
                .as_ref()
                .and_then(|c| nanos(c, i))
                .map(Instant::Nanos),
            r#type: self.string(Column::Type, i),
            id: self.string(Column::Id, i),
            event_name: self.string(Column::EventName, i),
            content: self.string(Column::Content, i),
            send_time: self.send_time.as_ref().and_then(|c| nanos(c, i)),
            sender_user_id: self.string(Column::SenderUserId, i),
            sender_attributes: self
                .sender_attributes
                .as_ref()
                .and_then(|c| string_map(c, i)),
            attributes: self.attributes.as_ref().and_then(|c| string_map(c, i)),
            target_message_id: self.string(Column::TargetMessageId, i),
            target_user_id: self.string(Column::TargetUserId, i),
            reason: self.string(Column::Reason, i),
            room_id: self.string(Column::RoomId, i),
        }
    }
}

/// A timestamp (any unit) or Int64 (taken as ns) cell as ns since the epoch.
fn nanos(c: &ArrayRef, i: usize) -> Option<i64> {
    if c.is_null(i) {
        return None;
    }
    use arrow::datatypes::{
        Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    match c.data_type() {
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            Some(c.as_primitive::<TimestampNanosecondType>().value(i))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => c
            .as_primitive::<TimestampMicrosecondType>()
            .value(i)
            .checked_mul(1_000),
        DataType::Timestamp(TimeUnit::Millisecond, _) => c
            .as_primitive::<TimestampMillisecondType>()
            .value(i)
            .checked_mul(1_000_000),
        DataType::Timestamp(TimeUnit::Second, _) => c
            .as_primitive::<TimestampSecondType>()
            .value(i)
            .checked_mul(1_000_000_000),
        DataType::Int64 => Some(c.as_primitive::<Int64Type>().value(i)),
        _ => None,
    }
}

/// A `map<string, string>` cell.
fn string_map(c: &ArrayRef, i: usize) -> Option<Attrs> {
    let m: &MapArray = c.as_map_opt()?;
    if m.is_null(i) {
        return None;
    }
    let entries = m.value(i);
    let keys = entries.column(0).as_string_opt::<i32>()?;
    let values: &Arc<dyn Array> = entries.column(1);
    let values = values.as_string_opt::<i32>()?;
    Some(
        (0..keys.len())
            .filter(|&j| !keys.is_null(j))
            .map(|j| {
                (
                    keys.value(j).to_owned(),
                    if values.is_null(j) {
                        String::new()
                    } else {
                        values.value(j).to_owned()
                    },
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{
        MapBuilder, StringArray, StringBuilder, TimestampMillisecondArray, TimestampNanosecondArray,
    };
    use arrow::datatypes::{Field, Schema};
    use parquet::arrow::ArrowWriter;

    /// (type, id, content, target_message_id, send_time)
    type Row<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<i64>,
    );

    /// A file shaped like log-ingest's Parquet output (subset of its columns).
    fn file(rows: &[Row<'_>]) -> Vec<u8> {
        let utc: Option<Arc<str>> = Some("UTC".into());
        let mut sender = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        for _ in rows {
            sender.keys().append_value("displayName");
            sender.values().append_value("Ann");
            sender.append(true).unwrap();
        }
        let sender = sender.finish();
        let schema = Arc::new(Schema::new(vec![
            Field::new(
                Column::EventTimestamp.name(),
                DataType::Timestamp(TimeUnit::Millisecond, utc.clone()),
                false,
            ),
            Field::new(Column::Type.name(), DataType::Utf8, false),
            Field::new(Column::Id.name(), DataType::Utf8, true),
            Field::new(Column::Content.name(), DataType::Utf8, true),
            Field::new(Column::TargetMessageId.name(), DataType::Utf8, true),
            Field::new(
                Column::SendTime.name(),
                DataType::Timestamp(TimeUnit::Nanosecond, utc.clone()),
                true,
            ),
            Field::new(
                Column::SenderAttributes.name(),
                sender.data_type().clone(),
                true,
            ),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(
                TimestampMillisecondArray::from(vec![1_672_927_200_000; rows.len()])
                    .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from(
                rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            )),
            Arc::new(
                TimestampNanosecondArray::from(rows.iter().map(|r| r.4).collect::<Vec<_>>())
                    .with_timezone("UTC"),
            ),
            Arc::new(sender),
        ];
        let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
        let mut buf = Vec::new();
        let mut w = ArrowWriter::try_new(&mut buf, schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        buf
    }

    /// Writes `rows` with log-ingest's own sink (`format`), returns each file's bytes.
    fn written_by_log_ingest(
        rows: &[log_ingest::ChatRow],
        format: log_ingest::sink::Format,
    ) -> Vec<Vec<u8>> {
        use log_ingest::limits::Limits;
        use log_ingest::sink::{open_record_sink, OutputLayout};
        let dir = tempfile::tempdir().unwrap();
        let layout = OutputLayout::new(dir.path());
        let mut sink = open_record_sink(format, &layout, "t", &Limits::default());
        for r in rows {
            sink.write(r).unwrap();
        }
        let files = sink.finish().unwrap();
        assert!(!files.is_empty());
        files
            .iter()
            .map(|f| std::fs::read(dir.path().join(f)).unwrap())
            .collect()
    }

    /// The rows log-ingest makes of the input module's test envelopes.
    fn ingested(lines: &[&str]) -> Vec<log_ingest::ChatRow> {
        let ctx = log_ingest::keys::context_from_key(
            "s3://b/k",
            "AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_abc123/2023/01/05/14/x.log.gz",
        );
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let pos = log_ingest::Position {
                    line: Some(i as u64 + 1),
                    offset: None,
                };
                log_ingest::parse_envelope(l.as_bytes(), &ctx, pos).unwrap()
            })
            .collect()
    }

    #[test]
    fn log_ingest_parquet_and_ndjson_read_as_the_envelopes_themselves() {
        use super::super::tests::{DEL, MSG};
        use log_ingest::sink::Format;
        let disconnect = DEL
            .replace("aws:DELETE_MESSAGE", "aws:DISCONNECT_USER")
            .replace(r#""MessageId":"WhO6MW6iRdS5""#, r#""UserId":"u1""#)
            .replace(r#""Id":"e1""#, r#""Id":"e2""#);
        let custom = DEL
            .replace("aws:DELETE_MESSAGE", "app:poll")
            .replace(r#""Id":"e1""#, r#""Id":"e3""#);
        let lines = [MSG, DEL, disconnect.as_str(), custom.as_str()];
        let text = lines.join("\n");
        // What replay makes of the envelopes, with the room the S3 key tells.
        let direct = super::super::parse_chat("k.log", text.as_bytes(), Some("abc123"));
        assert!(direct.rejected.is_empty(), "{:?}", direct.rejected);
        assert_eq!(direct.records.len(), 4);
        let rows = ingested(&lines);
        for format in [Format::Parquet, Format::Ndjson] {
            let files = written_by_log_ingest(&rows, format);
            let mut via = super::super::Parsed::default();
            for bytes in &files {
                via.append(super::super::parse_chat("t", bytes, None));
            }
            assert!(via.rejected.is_empty(), "{format:?}: {:?}", via.rejected);
            assert_eq!(via.records, direct.records, "{format:?}");
        }
    }

    #[test]
    fn log_ingest_parquet_rows_that_break_the_contract_are_rejected_by_row() {
        let mut rows = ingested(&[super::super::tests::MSG, super::super::tests::DEL]);
        rows[1].event_name = None;
        let files = written_by_log_ingest(&rows, log_ingest::sink::Format::Parquet);
        assert_eq!(files.len(), 1);
        let p = super::super::parse_chat("t.parquet", &files[0], None);
        assert_eq!(p.records.len(), 1);
        assert_eq!(
            p.records[0].room.as_deref(),
            Some("abc123"),
            "room_id column"
        );
        let errs: Vec<String> = p.rejected.listed().map(ToString::to_string).collect();
        assert!(
            errs.len() == 1
                && errs[0].starts_with("t.parquet:2:")
                && errs[0].contains("event_name"),
            "{errs:?}"
        );
    }

    /// A file with only some of the columns, and a null `id` (which log-ingest never
    /// writes): columns are found by name, the rest ignored.
    #[test]
    fn reads_log_ingest_parquet_rows() {
        let bytes = file(&[
            (
                "MESSAGE",
                Some("m1"),
                Some("hi"),
                None,
                Some(1_672_927_201_000_000_123),
            ),
            ("MESSAGE", None, Some("no id"), None, None),
            ("EVENT", Some("e1"), None, Some("m1"), None),
        ]);
        let p = super::super::parse_chat("t.parquet", &bytes, Some("room9"));
        assert_eq!(p.records.len(), 1, "{:?}", p.records);
        let m = &p.records[0];
        assert_eq!(
            (m.id.as_str(), m.content.as_deref(), m.send_time),
            ("m1", Some("hi"), 1_672_927_201_000_000_123)
        );
        assert_eq!(
            m.sender_attributes.get("displayName").map(String::as_str),
            Some("Ann")
        );
        assert_eq!(m.room.as_deref(), Some("room9"));
        let errs: Vec<String> = p.rejected.listed().map(ToString::to_string).collect();
        assert!(
            errs[0].starts_with("t.parquet:2:") && errs[0].contains("`id`"),
            "{errs:?}"
        );
        assert!(
            errs[1].starts_with("t.parquet:3:") && errs[1].contains("event_name"),
            "{errs:?}"
        );
        let bad = super::super::parse_chat("x.parquet", b"PAR1 not really", None);
        assert!(
            bad.records.is_empty()
                && bad
                    .rejected
                    .listed()
                    .next()
                    .unwrap()
                    .to_string()
                    .contains("Parquet"),
            "{:?}",
            bad.rejected
        );
    }
}
