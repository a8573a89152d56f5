//! Per-call latency distribution (p50/p99/max) of `Engine::evaluate` on 200-character
//! messages with the example pack and the bundled default pack, and cold init time.
//! Criterion reports means; this reports the tail, two ways: every call as timed
//! (scheduler noise included) and, per message, the best of 7 calls (the message's own
//! cost; repeatable on a busy machine), next to a machine control timed alternately
//! with the calls (fixed work of the median message's duration: the tail the machine
//! alone adds). Run:
//! `cargo run --release -p rules --example latency [N]`.

use std::path::Path;
use std::time::Instant;

use rules::{Engine, PackSet};

#[path = "../benches/corpus.rs"]
mod corpus;

use corpus::pct;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let example = || PackSet::load(Path::new(corpus::EXAMPLE_PACK)).expect("example pack");
    run("example pack", &example, n);
    // The bundled default pack: the full lexicon of every language (parsed once per
    // process, so the first of the 10 inits includes the TSV parse).
    run(
        "bundled default pack (full lexicon)",
        &PackSet::bundled_default,
        n,
    );
}

fn run(name: &str, load: &dyn Fn() -> PackSet, n: usize) {
    let mut inits = Vec::new();
    let mut engine = None;
    for _ in 0..10 {
        let t = Instant::now();
        let set = load();
        engine = Some(Engine::compile(&set).expect("compile"));
        inits.push(t.elapsed().as_micros());
    }
    let first = inits[0];
    let engine = engine.expect("compiled");
    inits.sort_unstable();
    let reqs = corpus::requests(&corpus::messages(2000, 200));
    let best = corpus::best_of(&engine, &reqs, 7);
    let median = best.get(best.len() / 2).copied().unwrap_or(1000);
    let (ns, control) = corpus::tail_with_control(&engine, &reqs, n, median);
    println!("{name}: cold init (load+compile, 10 runs): first {:.1} ms, min {:.1} ms, median {:.1} ms, max {:.1} ms",
        first as f64 / 1000.0, inits[0] as f64 / 1000.0, inits[inits.len() / 2] as f64 / 1000.0, inits[inits.len() - 1] as f64 / 1000.0);
    println!("{name}: evaluate 200-char message, {n} calls: p50 {:.1} us, p90 {:.1} us, p99 {:.1} us, p99.9 {:.1} us, max {:.1} us",
        pct(&ns, 0.50), pct(&ns, 0.90), pct(&ns, 0.99), pct(&ns, 0.999), pct(&ns, 1.0));
    println!("{name}: machine control (fixed cache-resident work calibrated to the median message, timed alternately): p50 {:.1} us, p99 {:.1} us (p99/p50 {:.2}; ours {:.2}); our p99 / control p99 {:.2}",
        pct(&control, 0.50), pct(&control, 0.99), pct(&control, 0.99) / pct(&control, 0.50), pct(&ns, 0.99) / pct(&ns, 0.50), pct(&ns, 0.99) / pct(&control, 0.99));
    println!("{name}: per message best of 7, {} messages: p50 {:.1} us, p90 {:.1} us, p99 {:.1} us, max {:.1} us",
        best.len(), pct(&best, 0.50), pct(&best, 0.90), pct(&best, 0.99), pct(&best, 1.0));
}
