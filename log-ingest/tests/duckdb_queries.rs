//! The README's analyst queries (the .sql files in `sql/`, not copies) run with DuckDB on
//! a table written by the `log-ingest` CLI, and give the expected answers.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{delete, gz_lines, ivs_key, log_ingest, message};
use serde_json::Value;

fn python() -> PathBuf {
    let p = test_support::workspace_root()
        .join(".venv")
        .join("bin")
        .join("python");
    assert!(
        p.is_file(),
        "{} missing: run scripts/setup.sh (the venv with duckdb from scripts/requirements-dev.txt)",
        p.display()
    );
    p
}

fn write(root: &Path, key: &str, lines: &[String]) {
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, gz_lines(lines)).unwrap();
}

#[test]
fn analyst_queries_answer_correctly_on_ingested_data() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let table = dir.path().join("table");
    write(
        &input,
        &ivs_key("", "roomA", "h1"),
        &[
            message("a1", 1, "alice", "hi"),
            message("a2", 2, "bob", "buy now"),
            message("a3", 3, "alice", "hello again"),
            delete("da1", 4, "a2", "Spam"),
            message("a4", 5, "bob", "later").replace("T14:", "T15:"),
        ],
    );
    write(
        &input,
        &ivs_key("", "roomB", "h2"),
        &[
            message("b1", 7, "alice", "rude words"),
            message("b2", 8, "alice", "sorry"),
            delete("db1", 9, "b1", "Harassment").replace("MessageID", "MessageId"),
            "not even json".to_string(),
        ],
    );
    let report = log_ingest("files", &input, &table);
    assert_eq!(
        (
            report["read"].as_u64(),
            report["written"].as_u64(),
            report["quarantined"].as_u64()
        ),
        (Some(9), Some(8), Some(1))
    );

    let sql = Path::new(env!("CARGO_MANIFEST_DIR")).join("sql");
    let queries = [
        "messages_per_room_per_hour.sql",
        "top_senders.sql",
        "deleted_messages.sql",
    ];
    let out = Command::new(python())
        .arg(sql.join("run_duckdb.py"))
        .arg(&table)
        .args(queries.iter().map(|q| sql.join(q)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 3);
    let rows = |i: usize| results[i]["rows"].as_array().unwrap().clone();

    let per_hour: Vec<(String, String, i64)> = rows(0)
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1].as_str().unwrap()[..19].to_string(),
                r[2].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_hour,
        [
            ("roomA".to_string(), "2023-01-05T14:00:00".to_string(), 3),
            ("roomA".to_string(), "2023-01-05T15:00:00".to_string(), 1),
            ("roomB".to_string(), "2023-01-05T14:00:00".to_string(), 2),
        ]
    );

    assert_eq!(
        rows(1),
        serde_json::json!([["alice", 4, 1], ["bob", 2, 1]])
            .as_array()
            .unwrap()
            .clone()
    );

    let deleted: Vec<(String, String, String, String, String)> = rows(2)
        .iter()
        .map(|r| {
            let s = |i: usize| r[i].as_str().unwrap().to_string();
            (s(0), s(1), s(2), s(3), s(6))
        })
        .collect();
    assert_eq!(
        deleted,
        [
            (
                "roomA".into(),
                "a2".into(),
                "bob".into(),
                "buy now".into(),
                "Spam".into()
            ),
            (
                "roomB".into(),
                "b1".into(),
                "alice".into(),
                "rude words".into(),
                "Harassment".into()
            ),
        ]
    );
    assert!(
        rows(2)[0][5]
            .as_str()
            .unwrap()
            .starts_with("2023-01-05T14:04:40"),
        "deleted_at: {:?}",
        rows(2)[0]
    );
}
