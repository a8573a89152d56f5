//! Deterministic chat-message corpus shared by the benches and the latency example.

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
