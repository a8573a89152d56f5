//! Character classes the steps and passes ask about.

pub(super) use crate::script::is_space;
use crate::script::{all_letters, is_alphanumeric, script_of, Script};

#[inline]
pub(super) fn is_invisible(c: char) -> bool {
    // Hangul, kana and Han letters are never invisible except the Hangul filler, and
    // they are most of what Korean and Japanese chat is made of.
    (c == '\u{3164}' || !all_letters(c)) && listed_invisible(c)
}

/// Zero-width, bidi controls, variation selectors, tags, fillers and other format or
/// control characters.
pub(super) fn listed_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
        || (c.is_control() && !c.is_whitespace())
}

/// Whether `c` is a letter or digit. ASCII and the all-letter blocks of Korean and
/// Japanese are answered inline; Hangul syllables and Han ideographs from their block
/// ranges: the Unicode property tables are binary searches, and the passes below ask
/// several times per character.
#[inline(always)]
pub(super) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        all_letters(c) || is_other_word(c)
    }
}

/// [`is_word`] for the rest of Unicode.
#[inline(never)]
fn is_other_word(c: char) -> bool {
    matches!(script_of(c), Script::Hangul | Script::Han) || is_alphanumeric(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `items_of` answers kana before the space, invisible and jamo tests.
    #[test]
    fn kana_are_never_spaces_invisible_or_jamo() {
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| crate::kana::is_kana(c))
        {
            assert!(!is_space(c) && !is_invisible(c), "{c:?}");
            assert_ne!(script_of(c), Script::Jamo, "{c:?}");
        }
    }

    #[test]
    fn fast_classes_equal_the_standard_ones() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_space(c), c.is_whitespace(), "{c:?}");
            assert_eq!(
                is_word(c),
                c.is_alphanumeric() || matches!(script_of(c), Script::Hangul | Script::Han),
                "{c:?}"
            );
        }
    }
}
