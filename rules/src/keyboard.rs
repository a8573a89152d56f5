//! Korean typed with the 2-set (Dubeolsik) keyboard while the input method was in Latin
//! mode: `tlqkf` is what the keys of `시발` produce, `qudtls` those of `병신`.
//!
//! [`decode`] maps each key to its jamo and composes them with [`crate::hangul::compose`];
//! a token counts only when every key ends up inside a syllable (no orphan jamo), and
//! never when it is an English word: [`is_guarded`] checks a compiled-in list of the
//! English words (Debian `wamerican`) and English profanity that would decode cleanly
//! (`keyboard_guard.txt`, produced by `rules/lexicon/tools/keyboard_guard.py`).

use std::sync::OnceLock;

use foldhash::HashSet;

use crate::hangul::{compose, is_syllable, Composed};

/// English words that decode to valid Hangul, one per line, lower case.
const GUARD: &str = include_str!("keyboard_guard.txt");

/// Shortest token considered (two keys make one syllable, e.g. `gk` → `하`; [`decode`]
/// also needs two vowel keys, i.e. two syllables, before it allocates).
pub(crate) const MIN_KEYS: usize = 2;
/// Fewest keys of a token that can decode to two syllables (each needs a consonant and
/// a vowel key); shorter Latin words are never read as Korean, so they are not decoded.
pub(crate) const MIN_WORD_KEYS: usize = 4;
/// Longest token considered; longer runs of letters are left alone (bounds the work per
/// token; no Korean word in the lexicons needs more keys).
pub(crate) const MAX_KEYS: usize = 24;

/// The jamo of a key on the 2-set layout (shifted keys: `QWERT` → double consonants,
/// `OP` → `ㅒㅖ`; other capitals are the same as lower case).
pub(crate) fn key_jamo(c: char) -> Option<char> {
    Some(match c {
        'Q' => 'ㅃ',
        'W' => 'ㅉ',
        'E' => 'ㄸ',
        'R' => 'ㄲ',
        'T' => 'ㅆ',
        'O' => 'ㅒ',
        'P' => 'ㅖ',
        _ => match c.to_ascii_lowercase() {
            'q' => 'ㅂ',
            'w' => 'ㅈ',
            'e' => 'ㄷ',
            'r' => 'ㄱ',
            't' => 'ㅅ',
            'y' => 'ㅛ',
            'u' => 'ㅕ',
            'i' => 'ㅑ',
            'o' => 'ㅐ',
            'p' => 'ㅔ',
            'a' => 'ㅁ',
            's' => 'ㄴ',
            'd' => 'ㅇ',
            'f' => 'ㄹ',
            'g' => 'ㅎ',
            'h' => 'ㅗ',
            'j' => 'ㅓ',
            'k' => 'ㅏ',
            'l' => 'ㅣ',
            'z' => 'ㅋ',
            'x' => 'ㅌ',
            'c' => 'ㅊ',
            'v' => 'ㅍ',
            'b' => 'ㅠ',
            'n' => 'ㅜ',
            'm' => 'ㅡ',
            _ => return None,
        },
    })
}

/// Whether the key `c` types a vowel on the 2-set layout (the same with or without
/// shift: `O` and `P` are vowels too); equal to `key_jamo(c)` being a vowel.
fn is_vowel_key(c: char) -> bool {
    matches!(
        c.to_ascii_lowercase(),
        'y' | 'u' | 'i' | 'o' | 'p' | 'h' | 'j' | 'k' | 'l' | 'b' | 'n' | 'm'
    )
}

/// The syllables `keys` (ASCII letters as typed) would have produced, with the key
/// positions each covers; `None` unless every key lands in a syllable.
pub(crate) fn decode(keys: &[char]) -> Option<Vec<Composed>> {
    if !(MIN_KEYS..=MAX_KEYS).contains(&keys.len()) {
        return None;
    }
    // Cheap rejection before composing (most Latin words end here): a syllable starts
    // with a consonant key followed by a vowel key, and two syllables need two vowel
    // keys. Every key is an ASCII letter, so a letter that is not a vowel key is a
    // consonant key.
    let starts = keys
        .first()
        .is_some_and(|&k| k.is_ascii_alphabetic() && !is_vowel_key(k))
        && keys.get(1).is_some_and(|&k| is_vowel_key(k));
    if !starts || keys.iter().filter(|&&k| is_vowel_key(k)).count() < 2 {
        return None;
    }
    let mut jamo = ['\0'; MAX_KEYS];
    for (slot, &k) in jamo.iter_mut().zip(keys) {
        *slot = key_jamo(k)?;
    }
    let out = compose(&jamo[..keys.len()]);
    out.iter().all(|c| is_syllable(c.ch)).then_some(out)
}

/// Whether `word` (lower case) is an English word that must not be read as Korean.
pub(crate) fn is_guarded(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        GUARD
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
    .contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        let keys: Vec<char> = s.chars().collect();
        decode(&keys).map(|v| v.into_iter().map(|c| c.ch).collect())
    }

    #[test]
    fn vowel_keys_are_the_keys_of_vowel_jamo() {
        for c in ('a'..='z').chain('A'..='Z') {
            let jamo = key_jamo(c).expect("every letter is a key");
            assert_eq!(is_vowel_key(c), crate::hangul::is_vowel(jamo), "{c}");
            assert_eq!(!is_vowel_key(c), crate::hangul::is_consonant(jamo), "{c}");
        }
        assert!(!is_vowel_key('1') && !is_vowel_key('@'));
    }

    #[test]
    fn decodes_korean_typed_in_latin_mode() {
        assert_eq!(d("tlqkf").as_deref(), Some("시발"));
        assert_eq!(d("qudtls").as_deref(), Some("병신"));
        assert_eq!(d("Tlqkf").as_deref(), Some("씨발"));
        assert_eq!(d("rotoRl").as_deref(), Some("개새끼"));
        assert_eq!(d("dkssudgktpdy").as_deref(), Some("안녕하세요"));
    }

    #[test]
    fn english_and_non_syllabic_tokens_do_not_decode() {
        assert_eq!(d("hello"), None); // starts with a vowel key
        assert_eq!(d("asdf"), None); // consonants only
        assert_eq!(d("x"), None); // too short
        assert_eq!(d("a1"), None); // not a letter
    }

    #[test]
    fn guard_lists_english_words_that_decode() {
        // `aback` is ㅁㅠㅁㅊㅏ → 뮴차: valid Hangul, but an English word.
        assert_eq!(d("aback").as_deref(), Some("뮴차"));
        assert!(is_guarded("aback"));
        assert!(!is_guarded("tlqkf"));
    }
}
