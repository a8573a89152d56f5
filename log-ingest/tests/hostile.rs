//! The audit's hostile inputs (issue 15), generated deterministically, as regression tests:
//! each one failed on the code before the fix and must keep passing.
//!
//! - finding 3: local sources are named by their canonical path (no collisions, no skips,
//!   no duplicates from two roots);
//! - finding 4: one source over 3,000 dates under Lambda's descriptor limit and a memory bound;
//! - finding 5: a small gzip of millions of bad lines, and a decompression bomb;
//! - finding 6: the Firehose transformation response never exceeds 6 MB;
//! - finding 12: a room id over 250 characters, JSON nested deeper than the framing limit.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flate2::write::GzEncoder;
use flate2::Compression;
use log_ingest::adapters::firehose::{
    transform, FirehoseRequest, FirehoseResult, TransformConfig, RESPONSE_CAP,
};
use log_ingest::limits::{Limit, Limits, MAX_JSON_DEPTH};
use log_ingest::readers::{JsonValueItems, DEFAULT_MAX_RECORD_BYTES};
use log_ingest::timefmt::{utc_date, NANOS_PER_DAY};
use log_ingest::{ingest_reader, IngestOptions, Item, SourceContext, SourceReport};
use serde_json::{json, Value};

/// A MESSAGE envelope with id `id` at `ts` (RFC 3339).
fn envelope(ts: &str, id: &str) -> String {
    format!(
        r#"{{"event_timestamp":"{ts}","type":"MESSAGE","version":"1.0","payload":{{"Type":"MESSAGE","Id":"{id}","RequestId":"","Content":"hello","Attributes":{{}},"SendTime":"{ts}","Sender":{{"UserId":"u1","Attributes":{{}}}}}}}}"#
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Ids of every record in the NDJSON outputs under `root`, with their multiplicity.
fn ndjson_ids(root: &Path) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for rel in common::tree(root) {
        if rel.starts_with("room=") && rel.ends_with(".ndjson") {
            for line in fs::read_to_string(root.join(&rel)).unwrap().lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                *ids.entry(v["id"].as_str().unwrap().to_string())
                    .or_insert(0) += 1;
            }
        }
    }
    ids
}

/// Ids of every record in the Parquet outputs under `root`.
fn parquet_ids(root: &Path) -> Vec<String> {
    let mut ids: Vec<String> = common::tree(root)
        .iter()
        .filter(|r| r.starts_with("room=") && r.ends_with(".parquet"))
        .flat_map(|r| common::parquet_rows(&root.join(r)))
        .map(|row| row.0)
        .collect();
    ids.sort();
    ids
}

/// Runs the CLI under `ulimit -n` (when given) and GNU time; returns the run report, the
/// exit code and the peak RSS of the CLI in KiB.
///
/// GNU time (`/usr/bin/time`, installed by `scripts/setup.sh`) forks the CLI from its own
/// small process: `wait4` on a child of this (large) test process would report this
/// process's peak instead, as Linux keeps the high-water mark across `exec`.
fn cli(args: &[&str], nofile: Option<u32>) -> (Value, i32, u64) {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time missing: run scripts/setup.sh (package `time`)"
    );
    let rss_file = tempfile::NamedTempFile::new().unwrap();
    let limit = nofile.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{limit}exec /usr/bin/time -f %M -o \"$0\" \"$@\""))
        .arg(rss_file.path())
        .arg(env!("CARGO_BIN_EXE_log-ingest"))
        .args(args)
        .args(["--progress", "never"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); exit {code}; stderr: {stderr}"));
    let rss = fs::read_to_string(rss_file.path()).unwrap();
    // The last line holds %M (earlier lines: "Command exited with non-zero status").
    let peak_kib = rss
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    (report, code, peak_kib)
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------- finding 3

#[test]
fn local_sources_with_the_same_name_and_size_never_collide_and_one_file_is_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_s = path_str(&out).to_string();
    for (d, id) in [("d1", "id-0001"), ("d2", "id-0002"), ("d3", "id-0003")] {
        fs::create_dir_all(dir.path().join(d)).unwrap();
        fs::write(
            dir.path().join(d).join("chat.json"),
            envelope("2023-01-05T14:00:00.000Z", id),
        )
        .unwrap();
    }
    let run = |path: &Path| {
        let (rep, code, _) = cli(
            &[
                "files",
                path_str(path),
                "--out",
                &out_s,
                "--format",
                "ndjson",
            ],
            None,
        );
        assert_eq!(code, 0, "{rep}");
        rep
    };
    // Two files of the same name (and size) in two directories: both kept.
    let r1 = run(&dir.path().join("d1/chat.json"));
    assert_eq!(r1["written"], 1, "{r1}");
    run(&dir.path().join("d2/chat.json"));
    assert_eq!(
        ndjson_ids(&out),
        BTreeMap::from([("id-0001".into(), 1), ("id-0002".into(), 1)]),
        "run 2 must not replace run 1's records"
    );
    // A third file with the same name and size is a different source: not skipped.
    let r3 = run(&dir.path().join("d3/chat.json"));
    assert_eq!(
        (r3["sources"].as_u64(), r3["skipped_done"].as_u64()),
        (Some(1), Some(0)),
        "{r3}"
    );
    assert_eq!(ndjson_ids(&out).len(), 3);

    // One file reached from two different roots is one source: written once.
    let nested = dir.path().join("tree/sub");
    fs::create_dir_all(&nested).unwrap();
    fs::write(
        nested.join("inner.json"),
        envelope("2023-01-05T15:00:00.000Z", "id-0004"),
    )
    .unwrap();
    run(&dir.path().join("tree"));
    let again = run(&nested);
    assert_eq!(
        again["skipped_done"], 1,
        "same file, same content: resumed as done: {again}"
    );
    let (rep, code, _) = cli(
        &[
            "files",
            path_str(&nested),
            "--out",
            &out_s,
            "--format",
            "ndjson",
            "--no-resume",
        ],
        None,
    );
    assert_eq!(code, 0, "{rep}");
    let ids = ndjson_ids(&out);
    assert_eq!(ids.get("id-0004"), Some(&1), "written once: {ids:?}");
    assert_eq!(ids.values().sum::<usize>(), 4, "{ids:?}");
}

// ---------------------------------------------------------------- finding 4

/// 3,000 records, each on its own day, in an interleaved (not sorted) order.
fn many_dates(n: i64) -> String {
    let base = 1_420_070_400 * 1_000_000_000i64; // 2015-01-01T00:00:00Z
    (0..n)
        .map(|i| {
            let day = (i * 7) % n;
            let ts = format!("{}T12:00:00.000Z", utc_date(base + day * NANOS_PER_DAY));
            envelope(&ts, &format!("m{day:05}"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn one_source_over_3000_dates_under_lambdas_descriptor_limit_and_a_memory_bound() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/many-days.ndjson");
    fs::create_dir_all(input.parent().unwrap()).unwrap();
    let text = many_dates(3000);
    fs::write(&input, &text).unwrap();
    for format in ["parquet", "ndjson"] {
        let out = dir.path().join(format!("out-{format}"));
        let (rep, code, peak_kib) = cli(
            &[
                "files",
                path_str(&input),
                "--out",
                path_str(&out),
                "--format",
                format,
                "--room",
                "r1",
                "--shape",
                "lines",
            ],
            Some(1024),
        );
        assert_eq!(code, 0, "{format}: {rep}");
        assert_eq!(
            (rep["written"].as_u64(), rep["quarantined"].as_u64()),
            (Some(3000), Some(0)),
            "{format}: {rep}"
        );
        let files: Vec<String> = common::tree(&out)
            .into_iter()
            .filter(|r| r.starts_with("room="))
            .collect();
        assert_eq!(files.len(), 3000, "{format}: one file per day");
        let ids: Vec<String> = if format == "parquet" {
            parquet_ids(&out)
        } else {
            ndjson_ids(&out).into_keys().collect()
        };
        assert_eq!(ids.len(), 3000, "{format}: every record once");
        let manifests: Vec<String> = common::tree(&out)
            .into_iter()
            .filter(|r| r.starts_with("_manifests/"))
            .collect();
        assert_eq!(manifests.len(), 1);
        let listed = fs::read_to_string(out.join(&manifests[0])).unwrap();
        assert_eq!(
            listed.lines().count(),
            3000,
            "the manifest lists every file"
        );
        // Before the fix: 560 MB (one writer thread and buffer per open partition).
        assert!(
            peak_kib < 200 * 1024,
            "{format}: peak RSS {peak_kib} KiB for a {} KB source",
            text.len() / 1000
        );
        assert!(
            rep["limits"]["open_partitions"].as_u64().unwrap_or(0) > 0,
            "{rep}"
        );
    }
}

fn lib_ingest(bytes: Vec<u8>, ctx: SourceContext, key: &str, opts: &IngestOptions) -> SourceReport {
    ingest_reader(Cursor::new(bytes), ctx, key, opts).unwrap()
}

#[test]
fn an_evicted_partition_continues_in_a_further_part_listed_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = IngestOptions::new(dir.path());
    opts.limits.max_open_partitions = 2;
    opts.shape = log_ingest::Shape::Lines;
    // Rows cycle over 3 days, 4 rounds: with 2 open partitions every switch evicts.
    let base = 1_672_876_800 * 1_000_000_000i64; // 2023-01-05
    let lines: Vec<String> = (0..12)
        .map(|i| {
            let ts = format!("{}T10:00:00.000Z", utc_date(base + (i % 3) * NANOS_PER_DAY));
            envelope(&ts, &format!("m{i:02}"))
        })
        .collect();
    let ctx = SourceContext {
        room_id: Some("r1".into()),
        ..SourceContext::named("cycle")
    };
    let rep = lib_ingest(
        lines.join("\n").into_bytes(),
        ctx.clone(),
        "cycle.ndjson",
        &opts,
    );
    assert!(rep.reconciles());
    assert_eq!(rep.written, 12);
    assert_eq!(
        rep.outputs.len(),
        12,
        "every row after a switch opens a part: {:?}",
        rep.outputs
    );
    assert!(
        rep.outputs.iter().any(|o| o.ends_with(".1.parquet")),
        "{:?}",
        rep.outputs
    );
    let ids = parquet_ids(dir.path());
    assert_eq!(ids.len(), 12);
    let manifest = common::tree(dir.path())
        .into_iter()
        .find(|r| r.starts_with("_manifests/"))
        .unwrap();
    let listed: Vec<String> = fs::read_to_string(dir.path().join(manifest))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(listed, rep.outputs);
    // Re-ingest without the cycling: the extra parts are stale and deleted.
    let rep2 = lib_ingest(
        lines[..3].join("\n").into_bytes(),
        ctx.clone(),
        "cycle.ndjson",
        &opts,
    );
    assert_eq!(rep2.outputs.len(), 3);
    assert_eq!(rep2.removed_stale.len(), 9, "{:?}", rep2.removed_stale);
    assert_eq!(parquet_ids(dir.path()).len(), 3);

    // Past the per-source file bound the source fails with a clear error, and its earlier
    // outputs stay untouched.
    opts.limits.max_partition_files = 5;
    let err = ingest_reader(
        Cursor::new(lines.join("\n").into_bytes()),
        ctx,
        "cycle.ndjson",
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("5 partition files"), "{err}");
    assert_eq!(parquet_ids(dir.path()).len(), 3);
}

// ---------------------------------------------------------------- finding 5

#[test]
fn a_tiny_gzip_of_five_million_bad_lines_keeps_a_bounded_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let lines = 5_000_000u64;
    let gz = gzip(&b"x\n".repeat(lines as usize));
    assert!(
        gz.len() < 12_000,
        "the audit's input is ~9.8 KB: {}",
        gz.len()
    );
    let mut opts = IngestOptions::new(dir.path());
    opts.shape = log_ingest::Shape::Lines;
    let rep = lib_ingest(gz, SourceContext::named("bomb"), "bomb.ndjson.gz", &opts);
    let limits = Limits::default();
    assert_eq!(rep.read, lines);
    assert_eq!(rep.quarantined, limits.max_quarantine_entries, "{rep:?}");
    assert_eq!(
        rep.quarantine_omitted,
        lines - limits.max_quarantine_entries
    );
    assert_eq!(
        rep.written + rep.quarantined + rep.quarantine_omitted,
        rep.read
    );
    assert!(rep.reconciles());
    assert_eq!(
        rep.quarantine_omitted_by_reason.values().sum::<u64>(),
        rep.quarantine_omitted
    );
    assert!(
        rep.quarantine_omitted_by_reason
            .contains_key("not valid JSON"),
        "{:?}",
        rep.quarantine_omitted_by_reason
    );
    let q = dir.path().join(rep.quarantine_file.as_deref().unwrap());
    let size = fs::metadata(&q).unwrap().len();
    assert!(
        size <= limits.max_quarantine_bytes,
        "quarantine file {size} bytes"
    );
    assert_eq!(
        fs::read_to_string(&q).unwrap().lines().count() as u64,
        rep.quarantined
    );
    assert_eq!(
        rep.limits[&Limit::QuarantineEntries].times,
        rep.quarantine_omitted
    );
}

#[test]
fn quarantine_bytes_are_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = IngestOptions::new(dir.path());
    opts.limits.max_quarantine_bytes = 100_000;
    // 200 bad lines of 3 KB: entries fit the count bound but not the byte bound.
    let line = format!("{}\n", "y".repeat(3000));
    let rep = lib_ingest(
        line.repeat(200).into_bytes(),
        SourceContext::named("big"),
        "big.ndjson",
        &opts,
    );
    let q = dir.path().join(rep.quarantine_file.as_deref().unwrap());
    assert!(fs::metadata(&q).unwrap().len() <= 100_000);
    assert!(rep.quarantined > 0 && rep.quarantine_omitted > 0, "{rep:?}");
    assert!(rep.reconciles());
    assert!(rep.limits.contains_key(&Limit::QuarantineBytes), "{rep:?}");
}

#[test]
fn a_decompression_bomb_stops_at_the_ratio_bound_with_a_clear_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = IngestOptions::new(dir.path());
    opts.limits.decompression_floor_bytes = 1 << 20;
    opts.shape = log_ingest::Shape::Lines;
    // Two records, then 64 MiB of spaces: ~1000:1.
    let mut text = format!(
        "{}\n{}\n",
        envelope("2023-01-05T14:00:00.000Z", "a"),
        envelope("2023-01-05T14:00:01.000Z", "b")
    );
    text.push_str(&" ".repeat(64 << 20));
    let gz = gzip(text.as_bytes());
    assert!(gz.len() < 100_000, "{}", gz.len());
    let rep = lib_ingest(
        gz,
        SourceContext {
            room_id: Some("r1".into()),
            ..SourceContext::named("bomb")
        },
        "bomb.ndjson.gz",
        &opts,
    );
    assert!(rep.reconciles(), "{rep:?}");
    // Past the 1 MiB floor, at 100 times the compressed bytes read (read ahead in 256 KiB).
    assert!(rep.bytes < 8 << 20, "stopped early: {} bytes", rep.bytes);
    assert_eq!(rep.written, 2, "records before the bound are kept");
    assert_eq!(rep.quarantined, 1, "{rep:?}");
    let q = fs::read_to_string(dir.path().join(rep.quarantine_file.as_deref().unwrap())).unwrap();
    assert!(q.contains("decompression ratio"), "{q}");
    assert!(
        rep.limits.contains_key(&Limit::DecompressionRatio),
        "{rep:?}"
    );
}

// ---------------------------------------------------------------- finding 6

#[test]
fn the_firehose_response_never_exceeds_6_mb() {
    // The audit's batch: ~3 MB, 10,773 records, half of them bad.
    let stream = "arn:aws:firehose:us-east-1:123456789012:deliverystream/room-abc";
    let records: Vec<Value> = (0..10_773)
        .map(|i| {
            let data = if i % 2 == 0 {
                envelope("2023-01-05T14:00:00.000Z", &format!("m{i:06}"))
            } else {
                format!("not an envelope {i:06} {}", "z".repeat(150))
            };
            json!({
                "recordId": format!("49546986683135544286507457936321625675700192471156785154-{i:06}"),
                "approximateArrivalTimestamp": 1672929212894i64,
                "data": STANDARD.encode(data.as_bytes()),
            })
        })
        .collect();
    let req_json = json!({
        "invocationId": "inv-1",
        "deliveryStreamArn": stream,
        "region": "us-east-1",
        "records": records,
    });
    let request_size = serde_json::to_vec(&req_json).unwrap().len();
    assert!(
        (2_500_000..6 << 20).contains(&request_size),
        "{request_size}"
    );
    let req: FirehoseRequest = serde_json::from_value(req_json).unwrap();
    let cfg = TransformConfig {
        room_id: Some("abc".into()),
        account_id: Some("123456789012".into()),
        ..TransformConfig::default()
    };
    let (resp, reasons) = transform(&req, &cfg);
    let size = serde_json::to_vec(&resp).unwrap().len();
    assert!(
        size <= RESPONSE_CAP,
        "response {size} bytes > {RESPONSE_CAP}"
    );
    assert_eq!(resp.records.len(), req.records.len());
    for (a, r) in resp.records.iter().zip(&req.records) {
        assert_eq!(
            a.record_id, r.record_id,
            "every record answered once, in order"
        );
    }
    assert_eq!(reasons.len(), req.records.len());
    let ok = resp
        .records
        .iter()
        .filter(|r| r.result == FirehoseResult::Ok)
        .count();
    assert!(ok > 0);
    // Every record not answered Ok says why.
    for (a, why) in resp.records.iter().zip(&reasons) {
        assert_eq!(a.result != FirehoseResult::Ok, why.is_some());
    }

    // However small the cap, as long as the minimal answers fit, the response fits.
    for cap in [200_000, 700_000, 1_000_000] {
        let small = TransformConfig {
            response_cap: cap,
            ..cfg.clone()
        };
        let (resp, _) = transform(&req, &small);
        let size = serde_json::to_vec(&resp).unwrap().len();
        assert!(size <= cap.max(minimal_size(&req)), "cap {cap}: {size}");
        assert_eq!(resp.records.len(), req.records.len());
    }
}

/// Size of the response answering every record `ProcessingFailed` with empty data.
fn minimal_size(req: &FirehoseRequest) -> usize {
    let records: Vec<Value> = req
        .records
        .iter()
        .map(|r| json!({"recordId": r.record_id, "result": "ProcessingFailed", "data": ""}))
        .collect();
    serde_json::to_vec(&json!({ "records": records }))
        .unwrap()
        .len()
}

// ---------------------------------------------------------------- finding 12

#[test]
fn a_room_id_over_250_characters_gets_a_bounded_partition_name() {
    let dir = tempfile::tempdir().unwrap();
    let room = "r".repeat(300);
    let opts = IngestOptions::new(dir.path());
    let ctx = SourceContext {
        room_id: Some(room.clone()),
        account_id: Some("123456789012".into()),
        region: Some("us-east-1".into()),
        ..SourceContext::named("long-room")
    };
    let rep = ingest_reader(
        Cursor::new(envelope("2023-01-05T14:00:00.000Z", "m1").into_bytes()),
        ctx.clone(),
        "long-room.json",
        &opts,
    )
    .unwrap();
    assert_eq!(rep.written, 1);
    let out = &rep.outputs[0];
    for component in out.split('/') {
        assert!(component.len() <= 200, "{component}");
    }
    assert!(rep.limits.contains_key(&Limit::RoomIdLength), "{rep:?}");
    // The room id column keeps the whole id.
    let f = fs::File::open(dir.path().join(out)).unwrap();
    let batch = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    use arrow::array::AsArray;
    let col = batch.column_by_name("room_id").unwrap().as_string::<i32>();
    assert_eq!(col.value(0), room);
    // Two long ids with the same beginning never share a partition.
    let ctx2 = SourceContext {
        room_id: Some(format!("{room}x")),
        ..ctx
    };
    let rep2 = ingest_reader(
        Cursor::new(envelope("2023-01-05T14:00:00.000Z", "m2").into_bytes()),
        ctx2,
        "long-room-2.json",
        &opts,
    )
    .unwrap();
    let dir_of = |o: &str| o.split('/').next().unwrap().to_string();
    assert_ne!(dir_of(&rep2.outputs[0]), dir_of(out));
}

#[test]
fn json_nested_deeper_than_the_limit_is_quarantined_and_the_next_value_read() {
    let deep = 100;
    let mut text = format!("{{\"a\":{}{}}}", "[".repeat(deep), "]".repeat(deep));
    text.push_str(&envelope("2023-01-05T14:00:00.000Z", "after"));
    // And an endless run of opening braces: no counter may overflow, no panic.
    text.push_str(&"{".repeat(300_000));
    let items: Vec<Item> = JsonValueItems::new(
        Cursor::new(text.into_bytes()),
        SourceContext::named("deep"),
        DEFAULT_MAX_RECORD_BYTES,
    )
    .collect();
    assert_eq!(items.len(), 3, "{items:?}");
    let Item::Quarantined(q) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert!(
        q.reason
            .contains(&format!("nested deeper than {MAX_JSON_DEPTH} levels")),
        "{}",
        q.reason
    );
    assert!(matches!(&items[1], Item::Record(r) if r.id == "after"));
    let Item::Quarantined(q) = &items[2] else {
        panic!("{:?}", items[2])
    };
    assert!(q.reason.contains("nested deeper"), "{}", q.reason);
    assert_eq!(q.raw_len, 300_000);
}
