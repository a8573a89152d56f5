//! Helpers shared by the integration tests: IVS-shaped test data and Parquet read-back.
#![allow(dead_code)]

pub mod decisions;

use std::path::Path;

use serde_json::{json, Value};
use test_support::ivs::envelope::{Event, Message};
use test_support::ivs::objects::s3_key_at;
use test_support::ivs::time::nanos;

/// An IVS S3 log key for `room` at 2023-01-05 14:40 (the workspace's one generator,
/// `test_support::ivs`).
pub fn ivs_key(prefix: &str, room: &str, hash: &str) -> String {
    let window = nanos("2023-01-05T14:40:00Z");
    let key = s3_key_at("123456789012", "us-east-1", room, window, hash);
    format!("{prefix}{key}")
}

/// A MESSAGE envelope sent at 14:`minute`:32.894089757.
pub fn message(id: &str, minute: u32, sender: &str, content: &str) -> String {
    Message {
        event_timestamp: &format!("2023-01-05T14:{minute:02}:32.894Z"),
        send_time: &format!("2023-01-05T14:{minute:02}:32.894089757Z"),
        id,
        request_id: "",
        content,
        attributes: &json!({ "username": sender }),
        sender_user_id: sender,
        sender_attributes: &json!({ "displayName": sender }),
    }
    .envelope()
    .to_string()
}

/// An `aws:DELETE_MESSAGE` event for `target` at 14:`minute`:40.
pub fn delete(id: &str, minute: u32, target: &str, reason: &str) -> String {
    Event {
        event_timestamp: &format!("2023-01-05T14:{minute:02}:40.000Z"),
        send_time: &format!("2023-01-05T14:{minute:02}:40.000000001Z"),
        id,
        request_id: &format!("req-{id}"),
        name: "aws:DELETE_MESSAGE",
        attributes: &json!({ "MessageID": target, "Reason": reason }),
    }
    .envelope()
    .to_string()
}

/// gzip of `lines`, each followed by a newline.
pub fn gz_lines(lines: &[String]) -> Vec<u8> {
    test_support::ivs::objects::gz_lines(lines).unwrap()
}

/// Every file under `root` (relative paths), sorted.
pub fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// One row as (id, content, event_name, target_message_id).
pub type Row = (String, Option<String>, Option<String>, Option<String>);

/// Rows of one Parquet file.
pub fn parquet_rows(path: &Path) -> Vec<Row> {
    use arrow::array::AsArray;
    let f = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let mut out = Vec::new();
    for b in reader {
        let b = b.unwrap();
        let col = |n: &str| b.column_by_name(n).unwrap().as_string::<i32>().clone();
        let (id, content, ev, target) = (
            col("id"),
            col("content"),
            col("event_name"),
            col("target_message_id"),
        );
        let opt = |a: &arrow::array::StringArray, i: usize| {
            use arrow::array::Array;
            (!a.is_null(i)).then(|| a.value(i).to_string())
        };
        for i in 0..b.num_rows() {
            out.push((
                id.value(i).to_string(),
                opt(&content, i),
                opt(&ev, i),
                opt(&target, i),
            ));
        }
    }
    out
}

/// Byte edits for robustness tests: each `(index, byte)` overwrites, removes or inserts
/// (by `byte % 3`) at `index` modulo the current length.
pub fn mutate(base: &[u8], edits: &[(usize, u8)]) -> Vec<u8> {
    let mut v = base.to_vec();
    for &(i, b) in edits {
        if v.is_empty() {
            break;
        }
        let i = i % v.len();
        match b % 3 {
            0 => v[i] = b,
            1 => {
                v.remove(i);
            }
            _ => v.insert(i, b),
        }
    }
    v
}

/// Runs `log-ingest SUBCOMMAND INPUT --out OUT`, asserts it succeeded, returns its run report.
pub fn log_ingest(subcommand: &str, input: &Path, out: &Path) -> Value {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_log-ingest"))
        .arg(subcommand)
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "log-ingest {subcommand}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}
