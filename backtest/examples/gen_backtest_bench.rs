//! Writes the backtest bench input (`bench/backtest-1m.sh`): N messages of the shared
//! test chat (`tests/common/chat.rs`) as a log-ingest Parquet table, the same messages as
//! the review requests IVS sends (for `rules eval`), and as a JSON-lines corpus of the
//! texts (for rustrict in `bench/rules-compare`).
//!
//! Usage: gen_backtest_bench N OUT_DIR [ROOMS]   (writes OUT_DIR/table/, requests.jsonl, corpus.jsonl)

use std::io::{BufWriter, Write};
use std::path::PathBuf;

#[path = "../tests/common/chat.rs"]
mod chat;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "backtest-bench".into()));
    let rooms: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(8);
    std::fs::create_dir_all(&out)?;
    // A day of chat.
    let (messages, objects) = chat::chat(n, rooms, 24 * 3_600_000);
    chat::write_table(
        &out.join("table"),
        &objects,
        log_ingest::sink::Format::Parquet,
    );
    drop(objects);
    let mut requests = BufWriter::new(std::fs::File::create(out.join("requests.jsonl"))?);
    let mut corpus = BufWriter::new(std::fs::File::create(out.join("corpus.jsonl"))?);
    for m in &messages {
        let req = serde_json::json!({
            "Content": m.content,
            "MessageId": m.id,
            "RoomArn": format!("arn:aws:ivschat:us-east-1:000000000000:room/{}", m.room),
            "Attributes": {},
            "Sender": {"UserId": m.user, "Attributes": m.sender_attributes},
        });
        writeln!(requests, "{req}")?;
        writeln!(corpus, "{}", serde_json::Value::from(m.content.as_str()))?;
    }
    requests.flush()?;
    corpus.flush()
}
