//! The README's first command, `scripts/demo.sh`, runs `pipeline-demo`: this test runs the
//! same binary on a smaller show and checks that what it reports and writes holds together.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn number_after(stdout: &str, label: &str) -> usize {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?} in:\n{stdout}"));
    line.trim_start()[label.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number in {line:?}"))
}

#[test]
fn demo_runs_the_whole_pipeline_and_its_outputs_reconcile() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().join("demo");
    let run = Command::new(env!("CARGO_BIN_EXE_pipeline-demo"))
        .args([
            "--messages",
            "150",
            "--chatters",
            "8",
            "--seed",
            "11",
            "--show-seconds",
            "300",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .expect("run pipeline-demo");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "demo failed: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        run.status
    );

    // The handler answered every message; ALLOW + DENY = sent.
    let sent = number_after(&stdout, "messages sent to the review handler:");
    let allowed = number_after(&stdout, "allowed:");
    let denied = number_after(&stdout, "denied:");
    assert_eq!(sent, 150);
    assert_eq!(allowed + denied, sent);
    assert!(
        denied > 0,
        "the show has abusive and spam messages: some must be denied\n{stdout}"
    );

    // Every allowed message was logged, ingested, and nothing was quarantined.
    let report = read_json(&out_dir.join("ingest-report.json"));
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["quarantined"], 0, "{report}");
    let read = report["read"].as_u64().expect("read");
    assert_eq!(report["written"].as_u64(), Some(read));
    assert_eq!(number_after(&stdout, "ingested rows:"), allowed);
    let parquet = out_dir.join("parquet");
    assert!(
        parquet.join("room=demoROOM0001").is_dir(),
        "Hive partition missing under {}",
        parquet.display()
    );

    // The replay: ordered offsets within the video, deleted messages gone.
    let track = read_json(&out_dir.join("replay").join("chat.json"));
    let entries = track["entries"].as_array().expect("entries");
    assert!(!entries.is_empty());
    assert!(entries.len() <= allowed);
    let duration = track["duration_ms"].as_u64().expect("duration");
    let offsets: Vec<u64> = entries
        .iter()
        .map(|e| e["offset_ms"].as_u64().expect("offset"))
        .collect();
    assert!(
        offsets.windows(2).all(|w| w[0] <= w[1]),
        "offsets not sorted"
    );
    assert!(offsets.iter().all(|o| *o <= duration));
    let deleted: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("deleted by the moderator:"))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(deleted.len(), 2, "{stdout}");
    for id in &deleted {
        assert!(
            entries.iter().all(|e| e["id"] != *id),
            "deleted message {id} is still in the replay"
        );
    }
    let vtt = std::fs::read_to_string(out_dir.join("replay").join("chat.vtt")).expect("vtt");
    assert!(vtt.starts_with("WEBVTT"));
    assert!(vtt.contains(" --> "));

    // It says where the outputs are and that it stopped what it started.
    assert!(stdout.contains("replay WebVTT:"));
    assert!(stdout.contains("stopped"));
}
