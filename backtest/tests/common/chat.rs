//! The backtest's test and bench chat, as IVS logs it (test-support's one IVS generator):
//! `n` messages from the shared rules corpus (about a third with something a rule
//! reacts to), spread over rooms and an hour span, every 50th deleted by a moderator 1 s
//! later, every 1000th sender disconnected. Deterministic. Used by the tests and by
//! `examples/gen_backtest_bench.rs` (`bench/backtest-1m.sh`).
#![allow(dead_code)] // each user takes part of it

use std::io::Cursor;
use std::path::Path;

use serde_json::{json, Value};
use test_support::ivs::envelope::{Event, Message};
use test_support::ivs::objects::s3_key_at;
use test_support::ivs::time::{rfc3339, Precision};

#[path = "../../../rules/benches/corpus.rs"]
mod corpus;

/// One generated message, as the test builds its review request.
pub struct ChatMessage {
    pub id: String,
    pub room: String,
    pub user: String,
    pub content: String,
    pub sender_attributes: Value,
}

/// One S3 log object: its key (in IVS's layout: account, region, room) and lines.
pub struct Object {
    pub key: String,
    pub lines: Vec<String>,
}

/// 2023-01-05T14:00:00Z.
pub const START: i64 = 1_672_927_200_000_000_000;

/// The chat: messages (in send order) and one log object per room.
pub fn chat(n: usize, rooms: usize, span_ms: u64) -> (Vec<ChatMessage>, Vec<Object>) {
    let texts = corpus::messages(n, 40);
    let step = (span_ms as i64 * 1_000_000) / n.max(1) as i64;
    let mut objects: Vec<Object> = (0..rooms)
        .map(|r| Object {
            key: s3_key_at(
                "123456789012",
                "us-east-1",
                &room(r),
                START,
                &format!("{r:08x}"),
            ),
            lines: Vec::new(),
        })
        .collect();
    let no_attributes = json!({});
    let mut messages = Vec::with_capacity(n);
    for (i, content) in texts.into_iter().enumerate() {
        let t = START + step * i as i64;
        let ts = rfc3339(t, Precision::Millis);
        let r = i % rooms;
        let id = format!("m{i:011}");
        let user = format!("user-{}", i % 997);
        let sender_attributes = json!({ "displayName": format!("Viewer {}", i % 997) });
        let lines = &mut objects[r].lines;
        lines.push(
            Message {
                event_timestamp: &ts,
                send_time: &ts,
                id: &id,
                request_id: "",
                content: &content,
                attributes: &no_attributes,
                sender_user_id: &user,
                sender_attributes: &sender_attributes,
            }
            .envelope()
            .to_string(),
        );
        let later = rfc3339(t + 1_000_000_000, Precision::Millis);
        if i % 50 == 49 {
            lines.push(event(
                &later,
                &format!("d{i:011}"),
                "aws:DELETE_MESSAGE",
                json!({ "MessageID": id, "Reason": "Spam" }),
            ));
        }
        if i % 1000 == 999 {
            lines.push(event(
                &later,
                &format!("x{i:011}"),
                "aws:DISCONNECT_USER",
                json!({ "UserId": user, "Reason": "abuse" }),
            ));
        }
        messages.push(ChatMessage {
            id,
            room: room(r),
            user,
            content,
            sender_attributes,
        });
    }
    (messages, objects)
}

fn event(ts: &str, id: &str, name: &str, attributes: Value) -> String {
    Event {
        event_timestamp: ts,
        send_time: ts,
        id,
        request_id: "",
        name,
        attributes: &attributes,
    }
    .envelope()
    .to_string()
}

/// Room `r`'s id.
pub fn room(r: usize) -> String {
    format!("room{r:08}")
}

/// Ingests the objects with log-ingest into a table under `root` (Parquet or NDJSON,
/// `room=/date=` partitions), as the pipeline would.
pub fn write_table(root: &Path, objects: &[Object], format: log_ingest::sink::Format) {
    for o in objects {
        let mut opts = log_ingest::IngestOptions::new(root);
        opts.format = format;
        let ctx = log_ingest::keys::context_from_key(&format!("s3://bench/{}", o.key), &o.key);
        let mut text = o.lines.join("\n");
        text.push('\n');
        let report = log_ingest::ingest_reader(Cursor::new(text.into_bytes()), ctx, &o.key, &opts)
            .unwrap_or_else(|e| panic!("ingest {}: {e}", o.key));
        assert_eq!(report.quarantined, 0, "{}", o.key);
    }
}
