//! Writing systems, as far as matching cares: what "whole word" means depends on them.
//!
//! * Han, Kana and Thai are written without spaces: a term matches anywhere (substring),
//!   guarded by allow phrases. A one-character term must stand alone (no Han/Kana letter
//!   on either side), so `糞` does not fire inside every compound.
//! * Hangul is written in eojeol (space-separated words with particles and endings
//!   attached): a term matches at the start of an eojeol with anything after it
//!   (`시발놈아`, `병신같은`). A one-syllable term must be the whole eojeol.
//! * Everything else (Latin, Cyrillic, ...) keeps word boundaries; a neighbour in one of
//!   the scripts above counts as a boundary (`fuck이야`, `ㅋㅋfuck`).

use crate::hangul;
use crate::kana;

/// The script class of a view character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// A precomposed Hangul syllable.
    Hangul,
    /// A Hangul jamo (abbreviations such as `ㅅㅂ`, laughter `ㅋㅋ`).
    Jamo,
    /// Han ideographs (kanji, hanzi, hanja) and the ideographic iteration marks.
    Han,
    /// Hiragana and katakana (and their marks).
    Kana,
    /// Thai.
    Thai,
    /// Anything else: Latin, digits, other alphabets, punctuation.
    Other,
}

/// Which script class `c` belongs to.
#[inline]
pub(crate) fn script_of(c: char) -> Script {
    if c.is_ascii() {
        return Script::Other;
    }
    if hangul::is_syllable(c) {
        Script::Hangul
    } else if is_jamo(c) {
        Script::Jamo
    } else if kana::is_kana(c) {
        Script::Kana
    } else if matches!(c, '\u{3005}' | '\u{3007}' | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
    {
        Script::Han
    } else if ('\u{0E00}'..='\u{0E7F}').contains(&c) {
        Script::Thai
    } else {
        Script::Other
    }
}

/// Hangul jamo of any form: conjoining, compatibility, extended and halfwidth.
#[inline]
fn is_jamo(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{11FF}' | '\u{3131}'..='\u{318E}'
        | '\u{A960}'..='\u{A97F}' | '\u{D7B0}'..='\u{D7FF}' | '\u{FFA0}'..='\u{FFDC}')
}

/// Whether `c` is Hangul (a syllable or a jamo), without classifying the other scripts
/// (asked of every character by the Hangul passes).
#[inline]
pub(crate) fn is_korean(c: char) -> bool {
    !c.is_ascii() && (hangul::is_syllable(c) || is_jamo(c))
}

/// Blocks whose every character is a letter (general category L*), asked about on
/// every character of Korean and Japanese chat: Hangul syllables, compatibility jamo,
/// hiragana, katakana and the CJK unified ideographs.
///
/// Tested in the order that answers the common cases in few comparisons: outside
/// `U+3041..=U+D7A3` (Latin, most symbols), then syllables, then ideographs.
#[inline(always)]
pub(crate) fn all_letters(c: char) -> bool {
    match c {
        ..'\u{3041}' | '\u{D7A4}'.. => false,
        '\u{AC00}'.. => true,
        '\u{4E00}'.. => c <= '\u{9FFF}',
        _ => matches!(c, '\u{3131}'..='\u{318E}' | '\u{3041}'..='\u{3096}'
            | '\u{309D}'..='\u{309F}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}'),
    }
}

/// [`char::is_whitespace`], answered without the Unicode table for ASCII and the
/// all-letter blocks of Korean and Japanese (asked of every character). Equal to it for
/// every `char` (tested).
#[inline(always)]
pub(crate) fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, ' ' | '\t'..='\r')
    } else {
        !all_letters(c) && c.is_whitespace()
    }
}

/// [`char::is_alphanumeric`], answered from ranges for ASCII and [`all_letters`] (the
/// standard library's tables are binary searches, and the matcher asks several times per
/// character). Equal to it for every `char` (tested exhaustively).
#[inline]
pub(crate) fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        all_letters(c) || c.is_alphanumeric()
    }
}

/// [`char::is_alphabetic`], fast for ASCII and [`all_letters`]; equal for every `char`.
pub(crate) fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        all_letters(c) || c.is_alphabetic()
    }
}

/// [`char::is_numeric`], fast for ASCII and [`all_letters`]; equal for every `char`.
#[inline]
pub(crate) fn is_numeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        !all_letters(c) && c.is_numeric()
    }
}

/// [`char::is_uppercase`], fast for ASCII and [`all_letters`]; equal for every `char`.
pub(crate) fn is_uppercase(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else {
        !all_letters(c) && c.is_uppercase()
    }
}

impl Script {
    /// Any script that is not `Other` (a neighbour there is a word boundary for a term
    /// in `Other`).
    pub(crate) fn east_asian(self) -> bool {
        self != Script::Other
    }
}

/// How a word-mode term is delimited, from the scripts of its first and last characters
/// and its length in view characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordRule {
    start: Edge,
    end: Edge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// The neighbour must not be alphanumeric (a different-script neighbour is fine).
    Word,
    /// Anything may be next to it.
    Open,
    /// The neighbour must not be a Hangul syllable (eojeol end).
    Eojeol,
    /// Eojeol start: no Hangul syllable before it, or only a glued intensifier or
    /// interjection ([`GLUED_PREFIXES`]: `개씨발`, `아시발`) at the eojeol start.
    EojeolStart,
    /// The neighbour must not be Han or Kana (a one-character Han/Kana term).
    Alone,
    /// The neighbour must not be a Hangul syllable or jamo.
    NotKorean,
    /// The neighbour must not be a jamo consonant other than `ㅋ`/`ㅎ`.
    NoConsonant,
}

impl WordRule {
    /// The rule for a word-mode term whose normalised key is `key`.
    pub(crate) fn for_term(key: &str) -> WordRule {
        let (Some(first), Some(last)) = (key.chars().next(), key.chars().next_back()) else {
            return WordRule {
                start: Edge::Word,
                end: Edge::Word,
            };
        };
        let single = key.chars().nth(1).is_none();
        let edge = |c: char, is_end: bool| match script_of(c) {
            Script::Hangul | Script::Jamo if is_end && !single => Edge::Open,
            Script::Hangul | Script::Jamo if is_end => Edge::Eojeol,
            Script::Hangul | Script::Jamo => Edge::EojeolStart,
            Script::Han | Script::Kana if single => Edge::Alone,
            Script::Han | Script::Kana | Script::Thai => Edge::Open,
            Script::Other => Edge::Word,
        };
        WordRule {
            start: edge(first, false),
            end: edge(last, true),
        }
    }

    /// The rule for an initial-consonant abbreviation of a Hangul term (`ㅅㅂ`): no
    /// Korean letter before it, no further consonant after it except laughter (`ㅋ`, `ㅎ`).
    pub(crate) fn initials() -> WordRule {
        WordRule {
            start: Edge::NotKorean,
            end: Edge::NoConsonant,
        }
    }

    /// Whether a match of the term at view bytes `[s, e)` of `text` is delimited.
    pub(crate) fn accepts(self, text: &str, s: usize, e: usize) -> bool {
        // The character before the match, and the one before it only when asked for.
        let mut back = text.get(..s).unwrap_or("").chars();
        let before = back.next_back();
        let after = text.get(e..).and_then(|t| t.chars().next());
        edge_ok(self.start, before, || back.next_back()) && edge_ok(self.end, after, || None)
    }
}

/// Syllables glued in front of an insult that still leave it at the eojeol start: the
/// intensifier `개` (`개씨발`, `개병신`) and the interjection `아` (`아씨발`).
pub(crate) const GLUED_PREFIXES: &[char] = &['개', '아'];

/// Whether `edge` holds with `neighbour` next to the match (`None`: the text ends);
/// `before_neighbour` gives the character beyond it, for the glued prefixes.
fn edge_ok(
    edge: Edge,
    neighbour: Option<char>,
    before_neighbour: impl FnOnce() -> Option<char>,
) -> bool {
    let Some(c) = neighbour else {
        return true;
    };
    match edge {
        Edge::EojeolStart => {
            script_of(c) != Script::Hangul
                || (GLUED_PREFIXES.contains(&c)
                    && before_neighbour().is_none_or(|b| script_of(b) != Script::Hangul))
        }
        Edge::Open => true,
        Edge::Word => !is_alphanumeric(c) || script_of(c).east_asian(),
        Edge::Eojeol => script_of(c) != Script::Hangul,
        Edge::Alone => !matches!(script_of(c), Script::Han | Script::Kana),
        Edge::NotKorean => !is_korean(c),
        Edge::NoConsonant => !hangul::is_consonant(c) || matches!(c, 'ㅋ' | 'ㅎ'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::char::is_combining_mark;

    #[test]
    fn fast_character_classes_equal_the_standard_library_and_the_script_classes() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_numeric(c), c.is_numeric(), "{c:?}");
            assert_eq!(is_uppercase(c), c.is_uppercase(), "{c:?}");
            let letters = matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{3131}'..='\u{318E}'
                | '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309F}' | '\u{30A1}'..='\u{30FA}'
                | '\u{30FC}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}');
            assert_eq!(all_letters(c), letters, "{c:?}");
            assert!(!letters || c.is_alphabetic(), "{c:?}");
            // The all-letter blocks have no case and are neither marks nor spaces.
            assert!(
                !letters || (c.to_lowercase().eq([c]) && !is_combining_mark(c)),
                "{c:?}"
            );
            let korean = matches!(script_of(c), Script::Hangul | Script::Jamo);
            assert_eq!(is_korean(c), korean, "{c:?}");
        }
    }

    fn ok(term: &str, text: &str) -> bool {
        let r = WordRule::for_term(term);
        text.match_indices(term)
            .any(|(s, m)| r.accepts(text, s, s + m.len()))
    }

    #[test]
    fn scripts_are_classified() {
        assert_eq!(script_of('시'), Script::Hangul);
        assert_eq!(script_of('ㅅ'), Script::Jamo);
        assert_eq!(script_of('死'), Script::Han);
        assert_eq!(script_of('ね'), Script::Kana);
        assert_eq!(script_of('ネ'), Script::Kana);
        assert_eq!(script_of('ก'), Script::Thai);
        assert_eq!(script_of('a'), Script::Other);
        assert_eq!(script_of('é'), Script::Other);
        assert!(is_korean('ㅅ') && is_korean('시') && !is_korean('a'));
    }

    #[test]
    fn han_and_kana_match_inside_text() {
        assert!(ok("死ね", "お前死ねよ"));
        assert!(ok("しね", "はやくしねばいい"));
        assert!(ok("ควย", "ไอ้ควยเอ๊ย"));
    }

    #[test]
    fn one_han_character_must_stand_alone() {
        assert!(ok("糞", "糞!"));
        assert!(!ok("糞", "糞便"));
    }

    #[test]
    fn hangul_matches_at_eojeol_start_with_any_ending() {
        assert!(ok("시발", "이 시발놈아"));
        assert!(ok("병신", "병신같은 소리"));
        assert!(ok("시발", "ㅋㅋ시발"));
        // Glued intensifier / interjection at the eojeol start, not deeper inside.
        assert!(ok("시발", "아시발"));
        assert!(ok("씨발", "개씨발"));
        assert!(!ok("시발", "하아시발"));
        assert!(!ok("병신", "개개병신"));
        // One syllable: the whole eojeol only.
        assert!(ok("좆", "좆 까"));
        assert!(!ok("씹", "씹어 먹어"));
    }

    #[test]
    fn latin_keeps_word_boundaries_next_to_other_scripts() {
        assert!(ok("fuck", "fuck이야"));
        assert!(ok("fuck", "ㅋㅋfuck"));
        assert!(!ok("ass", "assassin"));
        assert!(!ok("ass", "class"));
    }
}
