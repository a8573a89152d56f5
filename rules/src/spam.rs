//! Spam heuristics: caps ratio, symbol ratio, repeated characters and words, length,
//! mentions and emoji counts. Each threshold is optional; the rule fires when any is
//! exceeded.

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
        if let Some(max) = self.max_length {
            if text.chars().count() > max {
                return Some("max_length");
            }
        }
        if let Some(max) = self.max_caps_ratio {
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            let upper = text.chars().filter(|c| c.is_uppercase()).count();
            if letters >= self.min_letters.max(1) && upper as f64 / letters as f64 > max {
                return Some("max_caps_ratio");
            }
        }
        if let Some(max) = self.max_symbol_ratio {
            let visible = text.chars().filter(|c| !c.is_whitespace()).count();
            let symbols = text
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_alphanumeric())
                .count();
            if visible >= self.min_letters.max(1) && symbols as f64 / visible as f64 > max {
                return Some("max_symbol_ratio");
            }
        }
        if let Some(max) = self.max_repeated_chars {
            let mut run = 0usize;
            let mut prev = None;
            for c in text.chars() {
                // Combining marks and variation selectors belong to the previous character.
                if is_extender(c) {
                    continue;
                }
                run = if Some(c) == prev { run + 1 } else { 1 };
                prev = Some(c);
                if run > max && !c.is_whitespace() {
                    return Some("max_repeated_chars");
                }
            }
        }
        if let Some(max) = self.max_repeated_words {
            let mut run = 0usize;
            let mut prev: Option<&str> = None;
            let words = text
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| !w.is_empty());
            for w in words {
                let same = prev.is_some_and(|p| {
                    p.chars()
                        .flat_map(char::to_lowercase)
                        .eq(w.chars().flat_map(char::to_lowercase))
                });
                run = if same { run + 1 } else { 1 };
                if run > max {
                    return Some("max_repeated_words");
                }
                prev = Some(w);
            }
        }
        if let Some(max) = self.max_mentions {
            let mentions = text
                .split_whitespace()
                .filter(|w| {
                    w.len() > 1
                        && w.starts_with('@')
                        && w[1..].chars().next().is_some_and(char::is_alphanumeric)
                })
                .count();
            if mentions > max {
                return Some("max_mentions");
            }
        }
        if let Some(max) = self.max_emoji {
            // One emoji per pictograph, not counting skin tones or ZWJ-joined parts.
            let mut n = 0usize;
            let mut after_zwj = false;
            for c in text.chars() {
                if is_emoji(c) && !is_skin_tone(c) && !after_zwj {
                    n += 1;
                }
                after_zwj = c == '\u{200D}';
            }
            if n > max {
                return Some("max_emoji");
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
