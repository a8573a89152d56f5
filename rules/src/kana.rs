//! Japanese kana folding for the normalised view: katakana and hiragana fold together
//! (`シネ` = `しね`), halfwidth katakana with their separate voicing marks compose
//! (`ﾊﾞｶ` = `ばか`), small kana fold to their full-size letters (`しねぇ` = `しねえ`), and
//! long-vowel marks are absorbed by the letter before them (`ばーか` = `ばか`).
//!
//! Unlike the generic `fold` + `strip_marks` steps (which would decompose `が` into
//! `か` + U+3099 and drop the mark, making `ばか` equal `はか`), voicing is kept.

use unicode_normalization::char::compose;

/// What a kana character becomes in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kana {
    /// A letter (hiragana, folded).
    Letter(char),
    /// A voicing mark (dakuten U+3099 / handakuten U+309A) to compose with the letter before.
    Voicing(char),
    /// A long-vowel mark, absorbed by the letter before it.
    LongVowel,
}

/// Whether `c` is handled by [`classify`] (hiragana, katakana, halfwidth katakana,
/// katakana phonetic extensions, voicing and long-vowel marks).
pub(crate) fn is_kana(c: char) -> bool {
    // U+30A0 and U+30FB (the katakana double hyphen and middle dot) are punctuation.
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}'
        | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
}

/// Halfwidth katakana (U+FF66..U+FF9D) to fullwidth; voicing marks to combining ones.
fn widen(c: char) -> char {
    const HALF: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    match c {
        '\u{FF9E}' | '\u{309B}' => '\u{3099}',
        '\u{FF9F}' | '\u{309C}' => '\u{309A}',
        '\u{FF66}'..='\u{FF9D}' => HALF.chars().nth((c as u32 - 0xFF66) as usize).unwrap_or(c),
        _ => c,
    }
}

/// Small hiragana to full size (`ぁ` → `あ`, `っ` → `つ`, `ゕ` → `か`).
fn full_size(c: char) -> char {
    match c {
        'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ' | 'っ' | 'ゃ' | 'ゅ' | 'ょ' | 'ゎ' => {
            char::from_u32(c as u32 + 1).unwrap_or(c)
        }
        'ゕ' => 'か',
        'ゖ' => 'け',
        _ => c,
    }
}

/// The view form of kana character `c` (see [`is_kana`]).
pub(crate) fn classify(c: char) -> Kana {
    let c = widen(c);
    match c {
        '\u{3099}' | '\u{309A}' => Kana::Voicing(c),
        'ー' | '\u{FF70}' => Kana::LongVowel,
        // Katakana ァ..ヶ to hiragana ぁ..ゖ.
        '\u{30A1}'..='\u{30F6}' => {
            Kana::Letter(full_size(char::from_u32(c as u32 - 0x60).unwrap_or(c)))
        }
        _ => Kana::Letter(full_size(c)),
    }
}

/// `letter` with voicing mark `mark` (`か` + U+3099 → `が`), if that letter exists.
pub(crate) fn voice(letter: char, mark: char) -> Option<char> {
    compose(letter, mark)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(s: &str) -> String {
        let mut out: Vec<char> = Vec::new();
        for c in s.chars() {
            match classify(c) {
                Kana::Letter(l) => out.push(l),
                Kana::Voicing(m) => {
                    if let Some(v) = out.last().and_then(|&l| voice(l, m)) {
                        out.pop();
                        out.push(v);
                    }
                }
                Kana::LongVowel => {}
            }
        }
        out.into_iter().collect()
    }

    #[test]
    fn katakana_folds_to_hiragana() {
        assert_eq!(fold("シネ"), "しね");
        assert_eq!(fold("バカ"), "ばか");
        assert_eq!(fold("ヴ"), "ゔ");
    }

    #[test]
    fn halfwidth_and_voicing_marks_compose() {
        assert_eq!(fold("ｼﾈ"), "しね");
        assert_eq!(fold("ﾊﾞｶ"), "ばか");
        assert_eq!(fold("ﾊﾟﾊﾟ"), "ぱぱ");
        assert_eq!(fold("か\u{3099}"), "が");
        assert_eq!(fold("ｦ"), "を");
        assert_eq!(fold("ﾝ"), "ん");
    }

    #[test]
    fn small_kana_and_long_vowels() {
        assert_eq!(fold("しねぇ"), "しねえ");
        assert_eq!(fold("キモッ"), "きもつ");
        assert_eq!(fold("ばーか"), "ばか");
        assert_eq!(fold("ｳｻﾞｰ"), "うざ");
    }
}
