//! One source through readers and sinks into Parquet/NDJSON files, read back.

mod common;

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Int64Type, TimestampNanosecondType};
use flate2::write::GzEncoder;
use flate2::Compression;
use log_ingest::keys::context_from_key;
use log_ingest::sink::Format;
use log_ingest::{ingest_reader, IngestOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const KEY: &str = "AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_abc123DEF456/2023/01/05/23/123456789012_IVSChatLogs_1.0_us-west-2_room_abc123DEF456_20230105T2350Z_1766dcbc.log.gz";

fn msg(ts: &str, id: &str, content: &str) -> String {
    format!(
        r#"{{"event_timestamp":"{ts}","type":"MESSAGE","version":"1.0","payload":{{"Type":"MESSAGE","Id":"{id}","RequestId":"","Content":"{content}","Attributes":{{"username":"g"}},"SendTime":"2023-01-05T23:59:59.123456789Z","Sender":{{"UserId":"u1","Attributes":{{"role":"mod"}}}}}}}}"#
    )
}

fn object() -> Vec<u8> {
    let text = [
        msg("2023-01-05T23:59:59.123Z", "m1", "before midnight"),
        "garbage line".to_string(),
        msg("2023-01-06T00:00:01.000Z", "m2", "after midnight"),
        r#"{"event_timestamp":"2023-01-06T00:00:02.000Z","type":"EVENT","version":"1.0","payload":{"Type":"EVENT","Id":"e1","RequestId":"r","EventName":"aws:DELETE_MESSAGE","SendTime":"2023-01-06T00:00:02Z","Attributes":{"MessageID":"m2","Reason":"Spam"}}}"#.to_string(),
    ]
    .join("\n");
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

fn ingest(root: &Path, format: Format) -> log_ingest::SourceReport {
    let mut opts = IngestOptions::new(root);
    opts.format = format;
    let ctx = context_from_key(&format!("s3://bucket/{KEY}"), KEY);
    ingest_reader(Cursor::new(object()), ctx, KEY, &opts).unwrap()
}

#[test]
fn parquet_partitions_read_back_and_reingest_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let rep = ingest(dir.path(), Format::Parquet);
    assert_eq!((rep.read, rep.written, rep.quarantined), (4, 3, 1));
    assert!(rep.reconciles());
    let with_manifest = common::tree(dir.path());
    // The source's manifest lists its record files (see `reingest_of_a_rewritten_source_*`).
    assert_eq!(with_manifest.len(), 4, "{with_manifest:?}");
    assert!(with_manifest[0].starts_with("_manifests/123456789012_IVSChatLogs_1.0_us-west-2_room_abc123DEF456_20230105T2350Z_1766dcbc-"));
    let manifest = fs::read_to_string(dir.path().join(&with_manifest[0])).unwrap();
    assert_eq!(
        manifest,
        format!("{}\n{}\n", rep.outputs[0], rep.outputs[1])
    );
    let before = with_manifest[1..].to_vec();
    assert!(before[0].starts_with("_quarantine/123456789012_IVSChatLogs_1.0_us-west-2_room_abc123DEF456_20230105T2350Z_1766dcbc-"));
    assert!(before[1].starts_with("room=abc123DEF456/date=2023-01-05/"));
    assert!(before[2].starts_with("room=abc123DEF456/date=2023-01-06/"));

    let f = fs::File::open(dir.path().join(&before[2])).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
    let b = &batches[0];
    assert_eq!(b.num_rows(), 2);
    let col = |n: &str| b.column_by_name(n).unwrap().clone();
    let ids = col("id");
    assert_eq!(ids.as_string::<i32>().value(0), "m2");
    assert_eq!(col("target_message_id").as_string::<i32>().value(1), "m2");
    assert_eq!(col("reason").as_string::<i32>().value(1), "Spam");
    assert_eq!(
        col("room_arn").as_string::<i32>().value(0),
        "arn:aws:ivschat:us-west-2:123456789012:room/abc123DEF456"
    );
    let send = col("send_time");
    assert_eq!(
        send.as_primitive::<TimestampNanosecondType>().value(0) % 1_000_000_000,
        123_456_789
    );
    assert_eq!(col("source_line").as_primitive::<Int64Type>().value(0), 3);
    let attrs = col("sender_attributes");
    let m = attrs.as_map();
    assert_eq!(m.keys().as_string::<i32>().value(0), "role");
    assert_eq!(m.values().as_string::<i32>().value(0), "mod");
    assert!(col("sender_attributes").is_null(1), "events have no sender");

    let q = fs::read_to_string(dir.path().join(&before[0])).unwrap();
    let entry: serde_json::Value = serde_json::from_str(q.trim()).unwrap();
    assert_eq!(entry["line"], 2);
    assert_eq!(entry["raw"], "garbage line");
    assert!(entry["reason"]
        .as_str()
        .unwrap()
        .starts_with("not valid JSON"));

    let again = ingest(dir.path(), Format::Parquet);
    assert_eq!(again, rep, "same report on re-ingest");
    assert_eq!(
        common::tree(dir.path()),
        with_manifest,
        "re-ingest replaces, never duplicates"
    );
}

fn gz(text: &str) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

fn ingest_bytes(root: &Path, format: Format, bytes: Vec<u8>) -> log_ingest::SourceReport {
    let mut opts = IngestOptions::new(root);
    opts.format = format;
    let ctx = context_from_key(&format!("s3://bucket/{KEY}"), KEY);
    ingest_reader(Cursor::new(bytes), ctx, KEY, &opts).unwrap()
}

#[test]
fn reingest_of_a_rewritten_source_removes_the_partitions_it_no_longer_writes() {
    let dir = tempfile::tempdir().unwrap();
    // A file of another source in the same partition must survive.
    let other = dir
        .path()
        .join("room=abc123DEF456/date=2023-01-05/other-0000000000000000.parquet");
    fs::create_dir_all(other.parent().unwrap()).unwrap();
    fs::write(&other, b"not ours").unwrap();

    let first = ingest_bytes(dir.path(), Format::Parquet, object());
    assert_eq!(first.outputs.len(), 2, "{first:?}");
    assert!(first.removed_stale.is_empty());

    // The object is rewritten: now all its records are on 2023-01-06.
    let rewritten = gz(&[
        msg("2023-01-06T00:00:01.000Z", "m2", "after midnight"),
        msg("2023-01-06T00:00:03.000Z", "m3", "later"),
    ]
    .join("\n"));
    let second = ingest_bytes(dir.path(), Format::Parquet, rewritten.clone());
    assert_eq!(second.outputs, [first.outputs[1].clone()]);
    assert_eq!(second.removed_stale, [first.outputs[0].clone()]);
    assert!(
        !dir.path().join(&first.outputs[0]).exists(),
        "stale day-1 file deleted"
    );
    assert!(other.exists(), "other sources' files are never touched");
    assert_eq!(second.quarantine_file, None);
    let listed = common::tree(dir.path());
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed[0].starts_with("_manifests/"));
    assert_eq!(
        listed[1],
        "room=abc123DEF456/date=2023-01-05/other-0000000000000000.parquet"
    );
    assert_eq!(listed[2], second.outputs[0]);

    // Switching the format replaces the Parquet files by NDJSON files.
    let third = ingest_bytes(dir.path(), Format::Ndjson, rewritten);
    assert_eq!(third.removed_stale, second.outputs);
    let listed = common::tree(dir.path());
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(listed[2], third.outputs[0]);
    assert!(listed[2].ends_with(".ndjson"));
}

#[test]
fn ndjson_sink_writes_the_same_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let rep = ingest(dir.path(), Format::Ndjson);
    assert!(rep.outputs.iter().all(|o| o.ends_with(".ndjson")));
    let day2 = fs::read_to_string(dir.path().join(&rep.outputs[1])).unwrap();
    let rows: Vec<serde_json::Value> = day2
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["event_name"], "aws:DELETE_MESSAGE");
    assert_eq!(rows[1]["attributes"]["MessageId"], "m2");
    assert!(rows[1]["attributes"].get("MessageID").is_none());
}
