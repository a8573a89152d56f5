//! Deterministic chat-message corpus shared by the benches and the latency examples, and
//! their timing helpers.
#![allow(dead_code)] // each bench/example uses part of it

use std::time::Instant;

use rules::{Engine, ReviewRequest};

/// Path of the example pack, relative to the crate.
pub const EXAMPLE_PACK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/packs/example/pack.toml");

const WORDS: &[&str] = &[
    "gg", "nice", "play", "lol", "that", "was", "insane", "clutch", "what", "a", "shot", "hello",
    "chat", "from", "berlin", "first", "time", "here", "love", "the", "stream", "when", "is",
    "next", "match", "pog", "ez", "wp", "team", "blue", "red", "round", "rush", "b", "site", "eco",
    "save", "classic", "assassin", "bass", "drop",
];
const SPICE: &[&str] = &[
    "fuck",
    "sh1t",
    "f.u.c.k",
    "ｆｕｃｋ",
    "a$$hole",
    "fuuuuck",
    "bіtch",
    "evil.com/free",
    "https://clips.twitch.tv/x",
    "👍🏽",
    "🔥🔥",
    "call 555-123-4567",
    "@friend",
    "Scunthorpe",
    "k y s",
];

/// `n` messages of exactly `len` characters; roughly one in three contains something
/// a rule reacts to (profanity, evasions, links, phone numbers, emoji).
pub fn messages(n: usize, len: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let mut s = String::new();
            while s.chars().count() < len {
                let r = next();
                // About one word in 90 is "spicy": roughly a third of the messages
                // contain something a rule reacts to.
                let w = if r % 90 == 0 {
                    SPICE[(r / 90) as usize % SPICE.len()]
                } else {
                    WORDS[(r / 90) as usize % WORDS.len()]
                };
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(w);
            }
            s.chars().take(len).collect()
        })
        .collect()
}

/// A pack with one lexicon rule selecting EVERY category and language (en, ko, ja and
/// the 22 low-confidence imports), all transforms on: the worst case for the matcher.
pub const ALL_LANGUAGES_PACK: &str = r#"version = 1
[[rules]]
id = "lexicon"
kind = "lexicon"
action = "mask"
categories = ["profanity", "sexual", "identity_hate", "harassment", "self_harm", "scam_spam"]
languages = ["en", "ko", "ja", "ar", "cs", "da", "de", "eo", "es", "fa", "fi", "fil", "fr", "hi", "hu", "it", "nl", "no", "pl", "pt", "ru", "sv", "th", "tr", "zh"]
"#;

/// Korean/Japanese chat pieces, some with evasions, joined into messages by
/// [`cjk_messages`] (an abuse-dense mix: 7 of 18 pieces are abusive).
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

/// `n` Korean/Japanese messages of exactly `len` characters.
pub fn cjk_messages(n: usize, len: usize) -> Vec<String> {
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

/// Requests (no room, no sender) for `messages`.
pub fn requests(messages: &[String]) -> Vec<ReviewRequest> {
    messages
        .iter()
        .map(|c| ReviewRequest {
            content: c.clone(),
            ..Default::default()
        })
        .collect()
}

/// Nanoseconds of `n` calls of `evaluate`, cycling through `reqs` (after one warm-up
/// pass), sorted: the tail as a caller sees it, scheduler noise included.
pub fn tail(engine: &Engine, reqs: &[ReviewRequest], n: usize) -> Vec<u128> {
    timed_calls(engine, reqs, n, None).0
}

/// Fixed, cache-resident work (FNV-1a over the message bytes, `reps` times): the
/// machine control of [`tail_with_control`]. Same input every time, so any spread in
/// its timings is the machine's (interrupts, preemption, a busy neighbour), not ours.
fn control_work(text: &str, reps: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..reps {
        for &b in std::hint::black_box(text.as_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Like [`tail`], with a machine control timed alternately in the same loop: fixed
/// work calibrated to take about `target_ns` (give the engine's median). Returns the
/// sorted nanoseconds of the engine's calls and of the control's. The control's p99
/// over its p50 is what the machine alone does to a tail; the engine's p99 against the
/// control's p99 is the part that is ours.
pub fn tail_with_control(
    engine: &Engine,
    reqs: &[ReviewRequest],
    n: usize,
    target_ns: u128,
) -> (Vec<u128>, Vec<u128>) {
    let text = reqs.first().map_or("", |r| r.content.as_str());
    // Calibrate: the best of 50 timings of 100 repetitions.
    let per_100 = (0..50)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(control_work(text, 100));
            t.elapsed().as_nanos()
        })
        .min()
        .unwrap_or(1)
        .max(1);
    let reps = u32::try_from((target_ns * 100 / per_100).max(1)).unwrap_or(u32::MAX);
    timed_calls(engine, reqs, n, Some((text, reps)))
}

/// The loop of [`tail`] and [`tail_with_control`]: one warm-up pass, then `n` timed
/// calls cycling through `reqs`, each followed by one timed `control` run if given.
/// Both sorted (the control's empty without one).
fn timed_calls(
    engine: &Engine,
    reqs: &[ReviewRequest],
    n: usize,
    control: Option<(&str, u32)>,
) -> (Vec<u128>, Vec<u128>) {
    for r in reqs {
        std::hint::black_box(engine.evaluate(r));
    }
    let mut ours = Vec::with_capacity(n);
    let mut theirs = Vec::with_capacity(if control.is_some() { n } else { 0 });
    for i in 0..n {
        let t = Instant::now();
        std::hint::black_box(engine.evaluate(&reqs[i % reqs.len()]));
        ours.push(t.elapsed().as_nanos());
        if let Some((text, reps)) = control {
            let t = Instant::now();
            std::hint::black_box(control_work(text, reps));
            theirs.push(t.elapsed().as_nanos());
        }
    }
    ours.sort_unstable();
    theirs.sort_unstable();
    (ours, theirs)
}

/// Per message, the fastest of `k` consecutive calls, sorted: what each message costs
/// with the scheduler's interruptions taken out (repeatable on a busy shared machine;
/// its p99 is the p99 message, not the p99 call).
pub fn best_of(engine: &Engine, reqs: &[ReviewRequest], k: usize) -> Vec<u128> {
    let mut ns: Vec<u128> = reqs
        .iter()
        .map(|r| {
            (0..k.max(1))
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(engine.evaluate(r));
                    t.elapsed().as_nanos()
                })
                .min()
                .unwrap_or(0)
        })
        .collect();
    ns.sort_unstable();
    ns
}

/// Percentile `p` (0..=1) of sorted nanoseconds, in microseconds.
pub fn pct(sorted: &[u128], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(0) as f64 / 1000.0
}
