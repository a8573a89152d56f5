//! replay reads what log-ingest writes: pointed at a log-ingest output tree, it reads the
//! record files only, never log-ingest's bookkeeping (`_quarantine/`, `_manifests/`,
//! `_state/`), which would otherwise be parsed as chat.

mod common;

use std::io::Write;

use common::{message, offsets, recording, render_ok, s};
use log_ingest::keys::context_from_key;
use log_ingest::{ingest_reader, IngestOptions};

/// An IVS log object's key (room `abc123`).
const KEY: &str = "AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_abc123/2023/01/05/14/123456789012_IVSChatLogs_1.0_us-west-2_room_abc123_20230105T1400Z_1766dcbc.log.gz";

#[test]
fn replay_reads_only_the_record_files_of_a_log_ingest_output_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    // Two messages and one line log-ingest quarantines.
    let lines = [
        message("mA0000000001", "2023-01-05T14:00:01.000Z", "u1", "first"),
        "{not json at all".to_owned(),
        message("mB0000000001", "2023-01-05T14:10:01.000Z", "u2", "second"),
    ];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all((lines.join("\n") + "\n").as_bytes()).unwrap();
    let object = gz.finish().unwrap();

    // The output tree, written by log-ingest itself: records, quarantine, manifest, and
    // the resume state of a backfill.
    let table = tmp.path().join("table");
    let report = ingest_reader(
        std::io::Cursor::new(object),
        context_from_key(KEY, KEY),
        KEY,
        &IngestOptions::new(&table),
    )
    .unwrap();
    assert_eq!((report.written, report.quarantined), (2, 1));
    log_ingest::backfill::ResumeState::open(table.join("_state/done.tsv"))
        .unwrap()
        .mark_done(KEY, "size=1")
        .unwrap();
    for dir in ["_quarantine", "_manifests", "_state"] {
        let n = std::fs::read_dir(table.join(dir)).unwrap().count();
        assert!(n > 0, "log-ingest wrote nothing under {dir}/");
    }

    let json = tmp.path().join("t.json");
    let run = render_ok(
        &rec,
        &table,
        &["--latency-ms", "0", "--json", s(&json)],
        &[],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !stderr.contains("rejected record"),
        "bookkeeping read as chat: {stderr}"
    );
    let track: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let ids: Vec<String> = offsets(&track).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["mA0000000001", "mB0000000001"]);
}
