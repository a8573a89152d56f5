//! Spam heuristics: caps ratio, symbol ratio, repeated characters and words, length,
//! mentions and emoji counts. Each threshold is optional; the rule fires when any is
//! exceeded.

use crate::script::{all_letters, is_alphabetic, is_alphanumeric, is_space, is_uppercase};

/// Thresholds of one spam rule.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpamRule {
    pub max_caps_ratio: Option<f64>,
    pub min_letters: usize,
    pub max_symbol_ratio: Option<f64>,
    pub max_repeated_chars: Option<usize>,
    pub max_repeated_words: Option<usize>,
    pub max_length: Option<usize>,
    pub max_mentions: Option<usize>,
    pub max_emoji: Option<usize>,
}

fn is_skin_tone(c: char) -> bool {
    ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

/// Characters that extend the previous one (marks, joiners, variation selectors).
fn is_extender(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
        || matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
        || is_skin_tone(c)
}

/// Whether a character is (most likely) an emoji or pictograph.
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2300..=0x23FF | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

impl SpamRule {
    /// Whether any threshold is set (a rule without one is a load error).
    pub fn has_threshold(&self) -> bool {
        self.max_caps_ratio.is_some()
            || self.max_symbol_ratio.is_some()
            || self.max_repeated_chars.is_some()
            || self.max_repeated_words.is_some()
            || self.max_length.is_some()
            || self.max_mentions.is_some()
            || self.max_emoji.is_some()
    }

    /// Name of the first exceeded threshold, if any.
    pub fn check(&self, text: &str) -> Option<&'static str> {
        let st = Stats::of(text);
        let min = self.min_letters.max(1);
        let over = |max: Option<usize>, v: usize| max.is_some_and(|m| v > m);
        let ratio_over = |max: Option<f64>, part: usize, whole: usize| {
            max.is_some_and(|m| whole >= min && part as f64 / whole as f64 > m)
        };
        if over(self.max_length, st.chars) {
            Some("max_length")
        } else if ratio_over(self.max_caps_ratio, st.upper, st.letters) {
            Some("max_caps_ratio")
        } else if ratio_over(self.max_symbol_ratio, st.symbols, st.visible) {
            Some("max_symbol_ratio")
        } else if over(self.max_repeated_chars, st.max_char_run) {
            Some("max_repeated_chars")
        } else if over(self.max_repeated_words, st.max_word_run) {
            Some("max_repeated_words")
        } else if over(self.max_mentions, st.mentions) {
            Some("max_mentions")
        } else if over(self.max_emoji, st.emoji) {
            Some("max_emoji")
        } else {
            None
        }
    }
}

/// Everything the heuristics need, gathered in one pass over the text.
#[derive(Debug, Default, PartialEq, Eq)]
struct Stats {
    chars: usize,
    letters: usize,
    upper: usize,
    visible: usize,
    symbols: usize,
    /// Longest run of the same non-space character (extenders ignored).
    max_char_run: usize,
    /// Longest run of the same word (case-insensitive).
    max_word_run: usize,
    /// `@name` tokens.
    mentions: usize,
    /// Pictographs, not counting skin tones or ZWJ-joined parts.
    emoji: usize,
}

fn is_word_char(c: char) -> bool {
    is_alphanumeric(c) || c == '\''
}

/// Whether two words are the same ignoring case; `caseless` when both are made only of
/// ASCII and Korean/Japanese letters (which have no case), so ASCII folding decides.
fn same_word(a: &str, b: &str, caseless: bool) -> bool {
    if caseless || (a.is_ascii() && b.is_ascii()) {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
    }
}

impl Stats {
    fn of(text: &str) -> Stats {
        if text.is_ascii() {
            Stats::of_ascii(text.as_bytes())
        } else {
            Stats::of_chars(text)
        }
    }

    /// [`Stats::of_chars`] for ASCII text (most chat), a byte at a time: no decoding,
    /// no emoji or combining marks to look for, and each char is its own byte. Equal to
    /// it for every ASCII text (tested).
    fn of_ascii(text: &[u8]) -> Stats {
        let mut st = Stats {
            chars: text.len(),
            ..Stats::default()
        };
        let (mut run, mut prev) = (0usize, None::<u8>);
        let mut prev_space = true;
        let mut word_start: Option<usize> = None;
        let mut prev_word: Option<&[u8]> = None;
        let mut word_run = 0usize;
        for i in 0..=text.len() {
            let b = text.get(i).copied();
            let in_word = b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'\'');
            if in_word {
                word_start.get_or_insert(i);
            } else if let Some(w) = word_start.take().and_then(|s| text.get(s..i)) {
                word_run = if prev_word.is_some_and(|p| p.eq_ignore_ascii_case(w)) {
                    word_run + 1
                } else {
                    1
                };
                st.max_word_run = st.max_word_run.max(word_run);
                prev_word = Some(w);
            }
            let Some(b) = b else { break };
            let space = b.is_ascii_whitespace();
            if !space {
                st.visible += 1;
                if b.is_ascii_alphabetic() {
                    st.letters += 1;
                    st.upper += usize::from(b.is_ascii_uppercase());
                } else if !b.is_ascii_digit() {
                    st.symbols += 1;
                }
                if b == b'@' && prev_space && text.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
                {
                    st.mentions += 1;
                }
            }
            prev_space = space;
            run = if Some(b) == prev { run + 1 } else { 1 };
            prev = Some(b);
            if !space {
                st.max_char_run = st.max_char_run.max(run);
            }
        }
        st
    }

    fn of_chars(text: &str) -> Stats {
        let mut st = Stats::default();
        let (mut run, mut prev) = (0usize, None::<char>);
        let mut after_zwj = false;
        let mut word_start: Option<usize> = None;
        // The previous word, and whether it is caseless (see `same_word`).
        let mut prev_word: Option<(&str, bool)> = None;
        let mut word_caseless = true;
        let mut word_run = 0usize;
        let mut prev_char_space = true;
        let mut end_word = |start: Option<usize>, end: usize, caseless: bool, st: &mut Stats| {
            if let Some(w) = start.and_then(|s| text.get(s..end)) {
                word_run = if prev_word.is_some_and(|(p, pc)| same_word(p, w, pc && caseless)) {
                    word_run + 1
                } else {
                    1
                };
                st.max_word_run = st.max_word_run.max(word_run);
                prev_word = Some((w, caseless));
            }
        };
        for (i, c) in text.char_indices() {
            st.chars += 1;
            let ascii = c.is_ascii();
            // Korean and Japanese letters are never spaces, marks, joiners or emoji.
            let plain = ascii || all_letters(c);
            // (`is_ascii_whitespace`, not `is_whitespace`: vertical tab is not a space here.)
            let space = if ascii {
                c.is_ascii_whitespace()
            } else {
                is_space(c)
            };
            if !space {
                st.visible += 1;
                if !is_alphanumeric(c) {
                    st.symbols += 1;
                }
                if is_alphabetic(c) {
                    st.letters += 1;
                    if is_uppercase(c) {
                        st.upper += 1;
                    }
                }
                if c == '@' && prev_char_space {
                    if let Some(n) = text.get(i + 1..).and_then(|r| r.chars().next()) {
                        if is_alphanumeric(n) {
                            st.mentions += 1;
                        }
                    }
                }
            }
            prev_char_space = space;
            if !plain && is_emoji(c) && !is_skin_tone(c) && !after_zwj {
                st.emoji += 1;
            }
            after_zwj = c == '\u{200D}';
            if plain || !is_extender(c) {
                run = if Some(c) == prev { run + 1 } else { 1 };
                prev = Some(c);
                if !space {
                    st.max_char_run = st.max_char_run.max(run);
                }
            }
            if is_word_char(c) {
                if word_start.is_none() {
                    word_start = Some(i);
                    word_caseless = true;
                }
                word_caseless &= plain;
            } else if !plain && is_extender(c) {
                // marks stay inside the current word
                word_caseless = false;
            } else {
                end_word(word_start.take(), i, word_caseless, &mut st);
            }
        }
        end_word(word_start.take(), text.len(), word_caseless, &mut st);
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_pass_counts_what_the_general_one_does() {
        let pieces = [
            "a", "B", "7", " ", "  ", "\t", "\n", "\x0b", "\x0c", "'", "@", "@x", "x@y", "!", "$",
            "buy", "BUY", "Buy", "oooo", "AAAA", "it's", "-", "_", ".", "@@", "\r",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            let mut t = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for k in 0..(seed % 24) {
                t.push_str(pieces[((seed >> (k % 40)) as usize + k as usize) % pieces.len()]);
            }
            assert_eq!(Stats::of_ascii(t.as_bytes()), Stats::of_chars(&t), "{t:?}");
        }
        for t in [
            "",
            "@",
            "@a @b @c hi",
            "buy buy Buy buy now",
            "noooooooo",
            "THIS IS SHOUTING",
        ] {
            assert_eq!(Stats::of_ascii(t.as_bytes()), Stats::of_chars(t), "{t:?}");
        }
    }

    #[test]
    fn each_threshold_fires_and_passes() {
        let caps = SpamRule {
            max_caps_ratio: Some(0.7),
            min_letters: 8,
            ..Default::default()
        };
        assert_eq!(caps.check("THIS IS SHOUTING"), Some("max_caps_ratio"));
        assert_eq!(caps.check("OK"), None);
        assert_eq!(caps.check("This is Fine"), None);
        let sym = SpamRule {
            max_symbol_ratio: Some(0.5),
            min_letters: 4,
            ..Default::default()
        };
        assert_eq!(sym.check("$$$ !!! ###"), Some("max_symbol_ratio"));
        assert_eq!(sym.check("hi there!"), None);
        let rep = SpamRule {
            max_repeated_chars: Some(5),
            ..Default::default()
        };
        assert_eq!(rep.check("noooooooo"), Some("max_repeated_chars"));
        assert_eq!(rep.check("nooo"), None);
        let words = SpamRule {
            max_repeated_words: Some(3),
            ..Default::default()
        };
        assert_eq!(
            words.check("buy buy Buy buy now"),
            Some("max_repeated_words")
        );
        assert_eq!(words.check("buy buy now buy"), None);
        let len = SpamRule {
            max_length: Some(5),
            ..Default::default()
        };
        assert_eq!(len.check("héllo!"), Some("max_length"));
        assert_eq!(len.check("héllo"), None);
        let men = SpamRule {
            max_mentions: Some(2),
            ..Default::default()
        };
        assert_eq!(men.check("@a @b @c hi"), Some("max_mentions"));
        assert_eq!(men.check("@a @b mail@x.com @"), None);
        let emo = SpamRule {
            max_emoji: Some(3),
            ..Default::default()
        };
        assert_eq!(emo.check("🔥🔥🔥🔥"), Some("max_emoji"));
        assert_eq!(emo.check("👍🏽👍🏽👍🏽 ok"), None);
    }
}
