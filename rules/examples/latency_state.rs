//! What stateful rules cost the engine per message: the example pack (every stateful
//! kind) through `Engine::evaluate_with` and a `MemoryStore` (both phases, the store's
//! answers and writes included, no network) against `Engine::evaluate` (the stateless
//! pass alone) on the same 200-character messages, interleaved in one run. 500 users
//! take turns, one message every 50 ms of simulated time (1,200 a minute: below the
//! pack's automatic shield, which would evaluate every message twice). The p99 of both
//! is mostly the scheduler's 4 ms tick on a busy machine (a longer call is more often
//! preempted); compare p50 and p90. Run:
//! `cargo run --release -p rules --example latency_state [N]`.

use std::path::Path;
use std::time::Instant;

use rules::state::{MemoryStore, Millis};
use rules::{Engine, PackSet, ReviewRequest};

#[path = "../benches/corpus.rs"]
mod corpus;

use corpus::pct;

const T0: Millis = 1_767_225_600_000;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let set = PackSet::load(Path::new(corpus::EXAMPLE_PACK)).expect("example pack");
    let engine = Engine::compile(&set).expect("compile");
    let mut reqs: Vec<ReviewRequest> = corpus::requests(&corpus::messages(2000, 200));
    for (i, r) in reqs.iter_mut().enumerate() {
        r.sender.user_id = format!("user-{}", i % 500);
    }
    let mut store = MemoryStore::new();
    let (mut plain, mut with) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut ops = 0usize;
    for i in 0..n {
        let r = &reqs[i % reqs.len()];
        let now = T0 + i as Millis * 50;
        let t = Instant::now();
        std::hint::black_box(engine.evaluate(r));
        plain.push(t.elapsed().as_nanos());
        let t = Instant::now();
        std::hint::black_box(engine.evaluate_with(r, now, &mut store));
        with.push(t.elapsed().as_nanos());
        ops += engine.begin(r, now).ops().len();
    }
    plain.sort_unstable();
    with.sort_unstable();
    let mean = |v: &[u128]| v.iter().sum::<u128>() as f64 / v.len().max(1) as f64 / 1000.0;
    for (name, v) in [
        ("evaluate (stateless pass)", &plain),
        ("evaluate_with + MemoryStore", &with),
    ] {
        println!(
            "{name}, {n} calls: mean {:.1} us, p50 {:.1} us, p90 {:.1} us, p99 {:.1} us",
            mean(v),
            pct(v, 0.50),
            pct(v, 0.90),
            pct(v, 0.99)
        );
    }
    println!(
        "ratio evaluate_with / evaluate: p50 {:.2}, p90 {:.2}; phase-1 ops per message {:.2}",
        pct(&with, 0.50) / pct(&plain, 0.50),
        pct(&with, 0.90) / pct(&plain, 0.90),
        ops as f64 / n as f64
    );
}
