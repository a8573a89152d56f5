//! `rules-backtest` end to end: its counts are what `rules eval` answers for the same
//! messages (both run here), bad input is counted with source and line, `rules
//! backtest` forwards to it, and merge of partition reports equals the whole.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use common::chat::{chat, write_table};
use common::*;
use log_ingest::sink::Format;
use serde_json::json;

#[test]
fn counts_equal_what_rules_eval_answers_for_the_same_messages() {
    let dir = tempfile::tempdir().unwrap();
    let (messages, objects) = chat(600, 3, 3 * 3_600_000);
    let table = dir.path().join("table");
    write_table(&table, &objects, Format::Parquet);
    let report = dir.path().join("r.json");
    let out = run(
        &rules_backtest(),
        &[
            "bundled",
            "--chat",
            table.to_str().unwrap(),
            "--json",
            report.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("evaluated 600 messages")
            && stdout.contains("0 record(s) could not be read"),
        "{stdout}"
    );
    let r = json(&report);

    // The same messages as the review requests IVS sends, through `rules eval --explain`.
    let mut stdin = String::new();
    for m in &messages {
        let req = json!({
            "Content": m.content,
            "MessageId": m.id,
            "RoomArn": format!("arn:aws:ivschat:us-east-1:000000000000:room/{}", m.room),
            "Attributes": {},
            "Sender": {"UserId": m.user, "Attributes": m.sender_attributes},
        });
        stdin.push_str(&req.to_string());
        stdin.push('\n');
    }
    let mut child = Command::new(rules_cli())
        .args(["eval", "bundled", "--explain"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let eval = child.wait_with_output().unwrap();
    assert!(eval.status.success());
    // `line N: <verdict> pack=<name> fired=[a,b(shadow)]`
    let mut verdicts: BTreeMap<String, u64> = BTreeMap::new();
    let mut fired: BTreeMap<String, u64> = BTreeMap::new();
    for line in String::from_utf8_lossy(&eval.stderr).lines() {
        let mut words = line.split_whitespace().skip(2);
        *verdicts
            .entry(words.next().unwrap().to_string())
            .or_default() += 1;
        let list = line.rsplit_once("fired=[").unwrap().1.trim_end_matches(']');
        for id in list.split(',').filter(|s| !s.is_empty()) {
            *fired
                .entry(id.trim_end_matches("(shadow)").to_string())
                .or_default() += 1;
        }
    }
    assert_eq!(verdicts.values().sum::<u64>(), 600);
    for v in ["allow", "deny", "rewrite", "tag"] {
        assert_eq!(
            r["totals"][v].as_u64().unwrap(),
            verdicts.get(v).copied().unwrap_or(0),
            "{v}: {verdicts:?}"
        );
    }
    assert!(
        verdicts.get("rewrite").copied().unwrap_or(0) + verdicts.get("deny").copied().unwrap_or(0)
            > 20,
        "{verdicts:?}"
    );
    let report_fired: BTreeMap<String, u64> = r["rules"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, s)| (id.clone(), s["fired"]["messages"].as_u64().unwrap()))
        .collect();
    assert_eq!(report_fired, fired);
    // Moderator events: every 50th deleted, every 1000th sender disconnected.
    assert_eq!(r["agreement"]["deleted"], 12);
    assert_eq!(r["inputs"]["moderator_events"], 12);
    assert_eq!(r["rooms"].as_object().unwrap().len(), 3);
    assert_eq!(r["hours"].as_object().unwrap().len(), 3);
    // Without --reveal no sample carries text.
    assert!(!std::fs::read_to_string(&report)
        .unwrap()
        .contains("\"content\""));
}

#[test]
fn unreadable_records_are_counted_with_source_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (_, objects) = chat(40, 1, 60_000);
    // An NDJSON table with two bad lines (lines 3 and 6) among its rows.
    let table = dir.path().join("ndjson");
    write_table(&table, &objects, Format::Ndjson);
    let file = log_ingest::sink::layout::data_files(&table)
        .unwrap()
        .remove(0);
    let mut lines: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let rows = lines.len();
    lines.insert(2, "{not json".into());
    lines.insert(
        5,
        r#"{"type":"MESSAGE","id":"x","send_time":"yesterday"}"#.into(),
    );
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    // A corrupt Parquet file and a truncated gzip log.
    let corrupt = dir.path().join("corrupt.parquet");
    std::fs::write(&corrupt, b"PAR1 this is not a parquet file PAR1").unwrap();
    let gz = dir.path().join("chat.log.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all((objects[0].lines.join("\n") + "\n").as_bytes())
        .unwrap();
    let mut bytes = enc.finish().unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&gz, &bytes).unwrap();

    let report = dir.path().join("r.json");
    let out = run(
        &rules_backtest(),
        &[
            "bundled",
            "--chat",
            table.to_str().unwrap(),
            corrupt.to_str().unwrap(),
            gz.to_str().unwrap(),
            "--json",
            report.to_str().unwrap(),
        ],
    );
    // Sources failed part-way: exit 1, the report is written.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let r = json(&report);
    let unread = &r["inputs"]["unread"];
    let listed: Vec<(String, u64)> = unread["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["source"].as_str().unwrap().to_owned(),
                u["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let name = |p: &std::path::Path| p.display().to_string();
    assert_eq!(
        listed[..3],
        [(name(&file), 3), (name(&file), 6), (name(&corrupt), 0)],
        "{unread}"
    );
    // The gzip log: the line cut by the truncation, then the end of the stream.
    assert_eq!(listed[3..].last(), Some(&(name(&gz), 0)), "{unread}");
    assert!(listed[3..].iter().all(|(s, _)| *s == name(&gz)), "{unread}");
    assert_eq!(unread["total"].as_u64().unwrap() as usize, listed.len());
    assert_eq!(unread["by_reason"]["invalid_json"], 1);
    assert_eq!(unread["by_reason"]["unreadable"], 2);
    let sources = r["inputs"]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 3);
    assert_eq!(sources[0]["records"].as_u64().unwrap() as usize, rows);
    assert!(sources[0]["failed"].is_null());
    assert_eq!(sources[1]["records"], 0);
    assert!(
        sources[1]["failed"].as_str().unwrap().contains("Parquet"),
        "{}",
        sources[1]
    );
    // What was read before the gzip broke is kept, and said.
    let gz_records = sources[2]["records"].as_u64().unwrap();
    assert!(
        gz_records > 0 && (gz_records as usize) < objects[0].lines.len(),
        "{}",
        sources[2]
    );
    assert!(
        stdout.contains(&format!("{} record(s) could not be read", listed.len())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "source {} failed after {gz_records} record(s)",
            name(&gz)
        )),
        "{stdout}"
    );
    assert_eq!(
        r["inputs"]["messages"].as_u64().unwrap()
            + r["inputs"]["moderator_events"].as_u64().unwrap(),
        rows as u64 + gz_records
    );
}

#[test]
fn rules_backtest_forwards_and_merge_of_room_partitions_equals_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_, objects) = chat(300, 2, 3_600_000);
    let table = dir.path().join("t");
    write_table(&table, &objects, Format::Parquet);
    let rules = rules_cli();
    let strict = test_support::workspace_root().join("rules/packs/example/pack.toml");
    let s = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let backtest = |chat: &std::path::Path, out: &str| {
        let o = run(
            &rules,
            &[
                "backtest",
                &s(&strict),
                "--chat",
                &s(chat),
                "--against",
                "bundled",
                "--json",
                out,
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let whole = dir.path().join("whole.json");
    let summary = backtest(&table, &s(&whole));
    assert!(summary.contains("against bundled:"), "{summary}");
    let mut parts = Vec::new();
    for (i, room) in ["room00000000", "room00000001"].iter().enumerate() {
        let p = dir.path().join(format!("p{i}.json"));
        backtest(&table.join(format!("room={room}")), &s(&p));
        parts.push(s(&p));
    }
    let merged = dir.path().join("merged.json");
    let html = dir.path().join("merged.html");
    let o = run(
        &rules,
        &[
            "backtest",
            "merge",
            &parts[0],
            &parts[1],
            "--json",
            &s(&merged),
            "--html",
            &s(&html),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let (mut m, mut w) = (json(&merged), json(&whole));
    // The inputs name other sources (partition roots); everything else is the same.
    assert_eq!(m["inputs"]["sources_total"], w["inputs"]["sources_total"]);
    m["inputs"] = json!(null);
    w["inputs"] = json!(null);
    assert_eq!(m, w);
    assert!(
        m["diff"]["changed_rewrite"].as_u64().unwrap()
            + m["diff"]["newly_blocked"].as_u64().unwrap()
            > 0
    );
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .contains("<svg id=\"chart-time\""));

    // Missing program: the error names both places looked in.
    let lonely = dir.path().join("bin");
    std::fs::create_dir(&lonely).unwrap();
    std::fs::copy(&rules, lonely.join("rules")).unwrap();
    let o = Command::new(lonely.join("rules"))
        .args(["backtest", "--help"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("rules-backtest") && err.contains(&s(&lonely)) && err.contains("PATH"),
        "{err}"
    );
}
