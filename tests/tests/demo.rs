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

/// The rest of the first line that starts (after indentation) with `label`.
fn line_after(stdout: &str, label: &str) -> String {
    stdout
        .lines()
        .map(str::trim_start)
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no line {label:?} in:\n{stdout}"))
        .to_string()
}

/// The number just before `suffix` in `text`.
fn number_before(text: &str, suffix: &str) -> usize {
    let head = &text[..text
        .find(suffix)
        .unwrap_or_else(|| panic!("no {suffix:?} in {text}"))];
    let digits: String = head
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number before {suffix:?} in {text}"))
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

    // Memory across messages: the spammer (12 lines, 500 ms apart) is slowed (the
    // example pack's slow mode: 5 per 10 s), then muted by strikes; of the raid (8
    // accounts pasting one line within seconds) the first 4 pass and copypasta (5 or
    // more users) denies the rest; every decision had the store.
    let spammer = line_after(&stdout, "spammer ");
    assert!(
        spammer.contains(": 12 sent, 5 allowed, "),
        "slow mode lets 5 of the 12 through: {spammer}"
    );
    let slowed = spammer.find("denied by slow-mode").expect("slowed");
    let muted = spammer.find("denied by strikes").expect("then muted");
    assert!(slowed < muted, "slowed first, then muted: {spammer}");
    assert_eq!(
        number_before(&spammer, " denied by slow-mode")
            + number_before(&spammer, " denied by strikes"),
        7,
        "{spammer}"
    );
    assert_eq!(
        line_after(&stdout, "raid "),
        "(8 accounts, one line): 8 sent, 4 allowed, 4 denied by copypasta"
    );
    assert_eq!(
        number_after(&stdout, "decided without the store (degraded):"),
        0
    );

    // The decisions table holds every decision; the backtest read every logged message.
    let decisions = read_json(&out_dir.join("decisions-report.json"));
    assert_eq!(
        decisions["written"].as_u64(),
        Some(sent as u64),
        "{decisions}"
    );
    assert_eq!(
        (&decisions["quarantined"], &decisions["failed"]),
        (&0.into(), &0.into())
    );
    assert!(out_dir.join("decisions").join("room=demoROOM0001").is_dir());
    let backtest = read_json(&out_dir.join("backtest").join("report.json"));
    assert_eq!(
        backtest["inputs"]["messages"].as_u64(),
        Some(allowed as u64)
    );
    assert_eq!(
        backtest["totals"]["messages"].as_u64(),
        Some(allowed as u64)
    );
    assert!(
        backtest["against"].is_object() && backtest["diff"].is_object(),
        "{backtest}"
    );
    let html = std::fs::read_to_string(out_dir.join("backtest").join("report.html")).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..html.len().min(200)]
    );

    // It says where the outputs are and that it stopped what it started.
    assert!(stdout.contains("decisions table:") && stdout.contains("backtest HTML:"));
    assert!(stdout.contains("replay WebVTT:"));
    assert!(stdout.contains("stopped"));
}
