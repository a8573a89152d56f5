//! Writes the shared corpus, then measures messages/second of our engine (example and
//! bundled packs) and of `rustrict` on it. One JSON line per implementation.
//! Usage: rules-compare CORPUS_OUT.jsonl [ROUNDS]
//!        rules-compare --messages CORPUS.jsonl [ROUNDS]   (measure on these messages,
//!        one JSON string per line: `bench/backtest-1m.sh` passes its chat)

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use rules::{Engine, PackSet, ReviewRequest, ReviewResult};
use rustrict::CensorStr;

#[allow(dead_code)]
#[path = "../../../rules/benches/corpus.rs"]
mod corpus;

/// Best-of-`rounds` throughput of `f` over `msgs`, and how many it flagged.
fn measure(msgs: &[String], rounds: usize, mut f: impl FnMut(&str) -> bool) -> (f64, usize) {
    let flagged = msgs.iter().filter(|m| f(m)).count();
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        for m in msgs {
            std::hint::black_box(f(std::hint::black_box(m)));
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    (msgs.len() as f64 / best, flagged)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next().unwrap_or_else(|| "/tmp/rules-compare-corpus.jsonl".into());
    let given = (first == "--messages").then(|| args.next().expect("--messages FILE"));
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let msgs: Vec<String> = match &given {
        Some(path) => std::fs::read_to_string(path)
            .expect("messages file")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON string per line"))
            .collect(),
        None => {
            let msgs = corpus::messages(10_000, 200);
            let mut f = std::fs::File::create(&first).expect("corpus file");
            for m in &msgs {
                writeln!(f, "{}", serde_json::to_string(m).expect("json")).expect("write corpus");
            }
            msgs
        }
    };
    let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/packs/example/pack.toml");
    let example = Engine::compile(&PackSet::load(Path::new(pack)).expect("example pack")).expect("compile");
    let bundled = Engine::compile(&PackSet::bundled_default()).expect("compile bundled");
    let eval = |e: &Engine, m: &str| {
        let ev = e.evaluate(&ReviewRequest { content: m.to_string(), ..Default::default() });
        ev.response.review_result == ReviewResult::Deny || ev.response.content != m
    };
    let mut runs: Vec<(&str, (f64, usize))> = Vec::new();
    if given.is_none() {
        runs.push(("rules (example pack, 2.4k terms, all transforms)", measure(&msgs, rounds, |m| eval(&example, m))));
    }
    runs.extend([
        ("rules (bundled default pack)", measure(&msgs, rounds, |m| eval(&bundled, m))),
        ("rustrict 0.7 censor()", measure(&msgs, rounds, |m| m.censor() != m)),
        ("rustrict 0.7 is_inappropriate()", measure(&msgs, rounds, |m| m.is_inappropriate())),
    ]);
    for (name, (rate, flagged)) in runs {
        println!("{}", serde_json::json!({"impl": name, "msgs_per_sec": rate, "flagged": flagged, "messages": msgs.len()}));
    }
}
