//! Tail latency and cold init with EVERY lexicon language on (en, ko, ja and the 22
//! low-confidence imports, all categories and severities, all transforms), on the
//! shared 200-character corpus and on a Korean/Japanese-heavy mix, against the same
//! engine on English only and the bundled default pack measured in the same run (the
//! ratio is the claim). Each as every call timed and as the best of 7 calls per message.
//! Run: `cargo run --release -p rules --example latency_cjk [N]`.

use std::time::Instant;

use rules::{Engine, PackSet};

#[path = "../benches/corpus.rs"]
mod corpus;

use corpus::{cjk_messages, pct, ALL_LANGUAGES_PACK as ALL};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    // `LANGS=en,ko,ja` narrows "every language" (to find which language costs what).
    let all = match std::env::var("LANGS") {
        Ok(l) => ALL.replace(
            &ALL[ALL.find("languages").unwrap_or(0)..],
            &format!(
                "languages = [{}]\n",
                l.split(',')
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Err(_) => ALL.to_string(),
    };
    let english = ALL.replace(
        &ALL[ALL.find("languages").unwrap_or(0)..],
        "languages = [\"en\"]\n",
    );
    let mut inits = Vec::new();
    let mut engine = None;
    for _ in 0..10 {
        let t = Instant::now();
        let set = PackSet::from_toml_str(&all, "all.toml", None).expect("pack");
        engine = Some(Engine::compile(&set).expect("compile"));
        inits.push(t.elapsed().as_micros());
    }
    let first = inits.first().copied().unwrap_or(0);
    inits.sort_unstable();
    let engine = engine.expect("compiled");
    let en = Engine::compile(&PackSet::from_toml_str(&english, "en.toml", None).expect("pack"))
        .expect("compile");
    println!(
        "cold init, every language (load + compile, 10 runs, first includes lexicon parsing): first {:.1} ms, median {:.1} ms, max {:.1} ms",
        first as f64 / 1000.0,
        inits[inits.len() / 2] as f64 / 1000.0,
        inits[inits.len() - 1] as f64 / 1000.0
    );
    let default = Engine::compile(&PackSet::bundled_default()).expect("compile");
    for (name, msgs) in [
        ("corpus (mostly English)", corpus::messages(2000, 200)),
        ("Korean/Japanese mix", cjk_messages(2000, 200)),
    ] {
        let reqs = corpus::requests(&msgs);
        let best_all = corpus::best_of(&engine, &reqs, 7);
        let median = best_all.get(best_all.len() / 2).copied().unwrap_or(1000);
        let (all, control) = corpus::tail_with_control(&engine, &reqs, n, median);
        let only_en = corpus::tail(&en, &reqs, n);
        let bundled = corpus::tail(&default, &reqs, n);
        println!(
            "{name}, {n} calls: every language p50 {:.1} us, p99 {:.1} us, p99.9 {:.1} us | English only p50 {:.1} us, p99 {:.1} us | p99 ratio {:.2}x | bundled default pack p50 {:.1} us, p99 {:.1} us",
            pct(&all, 0.5), pct(&all, 0.99), pct(&all, 0.999),
            pct(&only_en, 0.5), pct(&only_en, 0.99),
            pct(&all, 0.99) / pct(&only_en, 0.99).max(0.001),
            pct(&bundled, 0.5), pct(&bundled, 0.99),
        );
        println!(
            "{name}: machine control for every language (fixed work of the median message, timed alternately): p50 {:.1} us, p99 {:.1} us (p99/p50 {:.2}; ours {:.2}); our p99 / control p99 {:.2}",
            pct(&control, 0.5), pct(&control, 0.99),
            pct(&control, 0.99) / pct(&control, 0.5).max(0.001),
            pct(&all, 0.99) / pct(&all, 0.5).max(0.001),
            pct(&all, 0.99) / pct(&control, 0.99).max(0.001),
        );
        let all = best_all;
        let only_en = corpus::best_of(&en, &reqs, 7);
        let bundled = corpus::best_of(&default, &reqs, 7);
        println!(
            "{name}, per message best of 7: every language p50 {:.1} us, p99 {:.1} us, max {:.1} us | English only p99 {:.1} us | p99 ratio {:.2}x | bundled default pack p50 {:.1} us, p99 {:.1} us, max {:.1} us",
            pct(&all, 0.5), pct(&all, 0.99), pct(&all, 1.0),
            pct(&only_en, 0.99),
            pct(&all, 0.99) / pct(&only_en, 0.99).max(0.001),
            pct(&bundled, 0.5), pct(&bundled, 0.99), pct(&bundled, 1.0),
        );
    }
}
