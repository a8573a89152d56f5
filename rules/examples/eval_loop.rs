//! Evaluates every message of a corpus once, for profilers: instruction counts under
//! `valgrind --tool=callgrind` are repeatable on a busy machine where timings are not.
//! `cargo build --release -p rules --example eval_loop` then
//! `valgrind --tool=callgrind --toggle-collect='*evaluate_pack*' \
//!   target/release/examples/eval_loop PACK CORPUS [N]` with PACK `bundled` or `all`
//! (every lexicon language) and CORPUS `en` (the shared 200-character corpus) or `cjk`
//! (the Korean/Japanese mix); N messages (default 2000).

use rules::{Engine, PackSet};

#[path = "../benches/corpus.rs"]
mod corpus;

fn main() {
    let mut args = std::env::args().skip(1);
    let pack = args.next().unwrap_or_else(|| "bundled".into());
    let which = args.next().unwrap_or_else(|| "en".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let set = match pack.as_str() {
        "bundled" => PackSet::bundled_default(),
        "all" => PackSet::from_toml_str(corpus::ALL_LANGUAGES_PACK, "all.toml", None)
            .expect("all-languages pack"),
        other => PackSet::load(std::path::Path::new(other)).expect("pack"),
    };
    let engine = Engine::compile(&set).expect("compile");
    let msgs = match which.as_str() {
        "cjk" => corpus::cjk_messages(n, 200),
        _ => corpus::messages(n, 200),
    };
    let reqs = corpus::requests(&msgs);
    let mut changed = 0usize;
    for r in &reqs {
        let e = std::hint::black_box(engine.evaluate(r));
        changed += usize::from(e.action != "allow");
    }
    println!("{} messages, {changed} acted on", reqs.len());
}
