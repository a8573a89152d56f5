//! Tail latency and cold init with EVERY lexicon language on (en, ko, ja and the 22
//! low-confidence imports, all categories and severities, all transforms), on the
//! shared 200-character corpus and on a Korean/Japanese-heavy mix, against the same
//! engine on English only measured in the same run (the ratio is the claim).
//! Run: `cargo run --release -p rules --example latency_cjk [N]`.

use std::time::Instant;

use rules::{Engine, PackSet, ReviewRequest};

#[path = "../benches/corpus.rs"]
#[allow(dead_code)] // shared corpus module; this example does not use the example pack
mod corpus;

const ALL: &str = r#"version = 1
[[rules]]
id = "lexicon"
kind = "lexicon"
action = "mask"
categories = ["profanity", "sexual", "identity_hate", "harassment", "self_harm", "scam_spam"]
languages = ["en", "ko", "ja", "ar", "cs", "da", "de", "eo", "es", "fa", "fi", "fil", "fr", "hi", "hu", "it", "nl", "no", "pl", "pt", "ru", "sv", "th", "tr", "zh"]
"#;

/// Korean/Japanese chat pieces, some with evasions, joined into 200-character messages.
const CJK: &[&str] = &[
    "안녕하세요 반가워요",
    "이 시발놈아",
    "ㅅㅂ 진짜",
    "병 신 같은 소리",
    "오늘 롤 한 판 할 사람",
    "tlqkf",
    "시1발 뭐야",
    "ㅋㅋㅋㅋ",
    "김치찌개 먹고 싶다",
    "お前死ねよ",
    "今日はいい天気ですね",
    "ﾊﾞｶｰ",
    "配信何時から?",
    "ラーメン食べたい",
    "새끼 고양이 귀여워",
    "시발점에서 출발",
    "qudtls",
    "ありがとう",
];

fn cjk_messages(n: usize, len: usize) -> Vec<String> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            let mut s = String::new();
            while s.chars().count() < len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(CJK[(seed % CJK.len() as u64) as usize]);
                s.push(' ');
            }
            s.chars().take(len).collect()
        })
        .collect()
}

fn pct(sorted: &[u128], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(0) as f64 / 1000.0
}

fn run(engine: &Engine, msgs: &[String], n: usize) -> Vec<u128> {
    let reqs: Vec<ReviewRequest> = msgs
        .iter()
        .map(|c| ReviewRequest {
            content: c.clone(),
            ..Default::default()
        })
        .collect();
    for r in &reqs {
        std::hint::black_box(engine.evaluate(r));
    }
    let mut ns: Vec<u128> = (0..n)
        .map(|i| {
            let t = Instant::now();
            std::hint::black_box(engine.evaluate(&reqs[i % reqs.len()]));
            t.elapsed().as_nanos()
        })
        .collect();
    ns.sort_unstable();
    ns
}

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
    for (name, msgs) in [
        ("corpus (mostly English)", corpus::messages(2000, 200)),
        ("Korean/Japanese mix", cjk_messages(2000, 200)),
    ] {
        let all = run(&engine, &msgs, n);
        let only_en = run(&en, &msgs, n);
        println!(
            "{name}, {n} calls: every language p50 {:.1} us, p99 {:.1} us, p99.9 {:.1} us | English only p50 {:.1} us, p99 {:.1} us | p99 ratio {:.2}x",
            pct(&all, 0.5), pct(&all, 0.99), pct(&all, 0.999),
            pct(&only_en, 0.5), pct(&only_en, 0.99),
            pct(&all, 0.99) / pct(&only_en, 0.99).max(0.001)
        );
    }
}
