//! The decisions analyst queries (the top-level `sql/*.sql`, not copies) run with DuckDB
//! on a decisions table that `log-ingest` wrote from audit lines of the real review-handler
//! code path, next to a chat table, and give the answers computed here from the messages
//! sent (independently of the handler and the ingest).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::decisions::{at, handler_output, request, Sent};
use common::{gz_lines, ivs_key, log_ingest, message};
use serde_json::{json, Value};

fn python() -> PathBuf {
    let p = test_support::workspace_root().join(".venv/bin/python");
    assert!(p.is_file(), "{} missing: run scripts/setup.sh", p.display());
    p
}

const SENT: [Sent; 8] = [
    Sent {
        id: "a1",
        room: "roomA",
        user: "alice",
        at_ms: 0,
        content: "hello all",
    },
    Sent {
        id: "a2",
        room: "roomA",
        user: "bob",
        at_ms: 0,
        content: "buy now cheap",
    },
    Sent {
        id: "a3",
        room: "roomA",
        user: "bob",
        at_ms: 0,
        content: "you idiot",
    },
    Sent {
        id: "a4",
        room: "roomA",
        user: "carol",
        at_ms: 0,
        content: "darn it see http://x",
    },
    Sent {
        id: "a5",
        room: "roomA",
        user: "bob",
        at_ms: 0,
        content: "free coins buy now",
    },
    Sent {
        id: "b1",
        room: "roomB",
        user: "alice",
        at_ms: 0,
        content: "wow idiot",
    },
    Sent {
        id: "b2",
        room: "roomB",
        user: "dave",
        at_ms: 0,
        content: "wow darn",
    },
    Sent {
        id: "b3",
        room: "roomB",
        user: "alice",
        at_ms: 0,
        content: "buy now http",
    },
];
/// (hour, minute) each message is decided at.
const TIMES: [(u64, u64); 8] = [
    (14, 5),
    (14, 10),
    (14, 20),
    (14, 30),
    (15, 5),
    (14, 15),
    (15, 10),
    (15, 20),
];

/// What the fixture pack does to `content`, worked out from its terms: (deny rule,
/// shadow rules, masked).
fn expected(content: &str) -> (Option<&'static str>, Vec<&'static str>, bool) {
    let mut shadow = Vec::new();
    if content.contains("http") {
        shadow.push("shadow-links");
    }
    if content.split(' ').any(|w| w == "wow") {
        shadow.push("shadow-wow");
    }
    let deny = if content.contains("buy now") || content.contains("free coins") {
        Some("no-spam")
    } else if content.contains("idiot") {
        Some("no-insults")
    } else {
        None
    };
    (deny, shadow, deny.is_none() && content.contains("darn"))
}

fn run_queries(chat: &Path, decisions: &Path, queries: &[&str]) -> Vec<Vec<Value>> {
    let sql = test_support::workspace_root().join("sql");
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("sql/run_duckdb.py");
    let out = Command::new(python())
        .arg(runner)
        .arg(chat)
        .arg("--decisions")
        .arg(decisions)
        .args(queries.iter().map(|q| sql.join(q)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["rows"].as_array().unwrap().clone()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decision_queries_answer_exactly_on_ingested_audit_lines() {
    let sent: Vec<Sent> = SENT
        .iter()
        .zip(TIMES)
        .map(|(m, (h, min))| Sent {
            at_ms: at(h, min),
            ..m.clone()
        })
        .collect();
    let mut events: Vec<(u64, Value)> = sent.iter().map(|m| (m.at_ms, request(m))).collect();
    // A malformed request (a numeric MessageId) from a user with no denial: the pack's
    // fail decision (`fail = "allow"`: delivered as sent).
    events.push((
        at(15, 30),
        json!({"Content": "good game", "MessageId": 42,
               "RoomArn": "arn:aws:ivschat:us-east-1:123456789012:room/roomA",
               "Sender": {"UserId": "mallory"}}),
    ));
    let (lines, responses) = handler_output(review_handler::Config::default(), &events).await;
    assert!(lines.len() > events.len(), "audit lines and EMF lines");

    let dir = tempfile::tempdir().unwrap();
    let decisions = dir.path().join("decisions");
    // The handler's stdout, as a file, through `log-ingest decisions`.
    let log = dir.path().join("handler.log");
    std::fs::write(
        &log,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    let report = log_ingest("decisions", &log, &decisions);
    assert_eq!(
        (
            &report["read"],
            &report["written"],
            &report["quarantined"],
            &report["failed"]
        ),
        (&json!(9), &json!(9), &json!(0), &json!(0)),
        "{report}"
    );
    assert_eq!(report["skipped"], lines.len() - 9, "the EMF lines");

    // The chat table: what IVS logged of the delivered (allowed) messages.
    let chat = dir.path().join("chat");
    let input = dir.path().join("in");
    for room in ["roomA", "roomB"] {
        let delivered: Vec<String> = sent
            .iter()
            .zip(&responses)
            .filter(|(m, r)| m.room == room && r["ReviewResult"] == "ALLOW")
            .map(|(m, r)| message(m.id, 40, m.user, r["Content"].as_str().unwrap()))
            .collect();
        let path = input.join(ivs_key("", room, "h"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, gz_lines(&delivered)).unwrap();
    }
    log_ingest("files", &input, &chat);

    let rows = run_queries(
        &chat,
        &decisions,
        &[
            "denials_per_rule_per_hour.sql",
            "top_denied_users.sql",
            "shadow_rules_would_fire.sql",
            "rewritten_messages.sql",
        ],
    );

    // 1. Denials per rule per hour.
    let mut per_hour: BTreeMap<(u64, &str), i64> = BTreeMap::new();
    for (m, (h, _)) in sent.iter().zip(TIMES) {
        if let (Some(rule), _, _) = expected(m.content) {
            *per_hour.entry((h, rule)).or_default() += 1;
        }
    }
    let mut want: Vec<(u64, &str, i64)> =
        per_hour.into_iter().map(|((h, r), n)| (h, r, n)).collect();
    want.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)).then(a.1.cmp(b.1)));
    let want: Vec<Value> = want
        .iter()
        .map(|(h, r, n)| json!([r, format!("2023-01-05T{h}:00:00.000000Z"), n]))
        .collect();
    assert_eq!(rows[0], want, "denials per rule per hour");

    // 2. Users with the most denials (mallory has a decision but no denial).
    let mut users: BTreeMap<&str, (i64, i64, BTreeSet<&str>)> = BTreeMap::new();
    for m in &sent {
        let u = users.entry(m.user).or_default();
        u.1 += 1;
        if expected(m.content).0.is_some() {
            u.0 += 1;
            u.2.insert(m.room);
        }
    }
    let mut want: Vec<(&str, i64, i64, usize)> = users
        .iter()
        .filter(|(_, u)| u.0 > 0)
        .map(|(name, u)| (*name, u.0, u.1, u.2.len()))
        .collect();
    want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let want: Vec<Value> = want
        .iter()
        .map(|(u, d, n, r)| json!([u, d, n, r]))
        .collect();
    assert_eq!(rows[1], want, "users with the most denials");

    // 3. Shadow rules by how often they would have fired.
    let mut shadow: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for m in &sent {
        let (deny, rules, _) = expected(m.content);
        for r in rules {
            let s = shadow.entry(r).or_default();
            s.0 += 1;
            s.1 += i64::from(deny.is_none());
        }
    }
    let mut want: Vec<(&str, i64, i64)> = shadow.iter().map(|(r, s)| (*r, s.0, s.1)).collect();
    want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let want: Vec<Value> = want.iter().map(|(r, n, a)| json!([r, n, a])).collect();
    assert_eq!(rows[2], want, "shadow rules");

    // 4. Decisions joined with the chat table on the message id: the rewritten messages,
    // as delivered (masked: same length, the word gone).
    let want: Vec<(&str, &str)> = sent
        .iter()
        .filter(|m| expected(m.content).2)
        .map(|m| (m.id, m.room))
        .collect();
    let got: Vec<(String, String)> = rows[3]
        .iter()
        .map(|r| (r[0].as_str().unwrap().into(), r[1].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        got,
        want.iter()
            .map(|(i, r)| (i.to_string(), r.to_string()))
            .collect::<Vec<_>>()
    );
    for (r, m) in rows[3]
        .iter()
        .zip(sent.iter().filter(|m| expected(m.content).2))
    {
        let delivered = r[2].as_str().unwrap();
        assert!(!delivered.contains("darn"), "{delivered}");
        assert_eq!(delivered.chars().count(), m.content.chars().count());
        assert_eq!(r[3], json!(["mask-darn"]));
    }
}
