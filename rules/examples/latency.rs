//! Per-call latency distribution (p50/p99/max) of `Engine::evaluate` on 200-character
//! messages with the example pack, and cold init time. Criterion reports means; this
//! reports the tail. Run: `cargo run --release -p rules --example latency [N]`.

use std::path::Path;
use std::time::Instant;

use rules::{Engine, PackSet, ReviewRequest};

#[path = "../benches/corpus.rs"]
mod corpus;

fn pct(sorted: &[u128], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(0) as f64 / 1000.0
}

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
    let reqs: Vec<ReviewRequest> = corpus::messages(2000, 200)
        .into_iter()
        .map(|content| ReviewRequest {
            content,
            ..Default::default()
        })
        .collect();
    for r in reqs.iter().take(2000) {
        std::hint::black_box(engine.evaluate(r));
    }
    let mut ns = Vec::with_capacity(n);
    for i in 0..n {
        let r = &reqs[i % reqs.len()];
        let t = Instant::now();
        std::hint::black_box(engine.evaluate(r));
        ns.push(t.elapsed().as_nanos());
    }
    ns.sort_unstable();
    println!("{name}: cold init (load+compile, 10 runs): first {:.1} ms, min {:.1} ms, median {:.1} ms, max {:.1} ms",
        first as f64 / 1000.0, inits[0] as f64 / 1000.0, inits[inits.len() / 2] as f64 / 1000.0, inits[inits.len() - 1] as f64 / 1000.0);
    println!("{name}: evaluate 200-char message, {n} calls: p50 {:.1} us, p90 {:.1} us, p99 {:.1} us, p99.9 {:.1} us, max {:.1} us",
        pct(&ns, 0.50), pct(&ns, 0.90), pct(&ns, 0.99), pct(&ns, 0.999), pct(&ns, 1.0));
}
