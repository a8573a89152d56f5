//! Passes over the whole view: dropping items, separators, kana, repeat collapse.

use super::chars::is_word;
#[cfg(doc)]
use super::korean::join_hangul;
use super::view::Item;
use crate::kana::{self, Kana};
use crate::script::{all_letters, is_korean, is_numeric, script_of, Script};

/// Item flags of the dropping passes ([`join_separated`], [`join_hangul`]): one byte per
/// item, so each item's class is asked for once and nothing is moved until the end.
pub(super) const WORD: u8 = 1;
/// Punctuation or a symbol: not a word character, a space or an apostrophe.
const SEP: u8 = 2;
/// Korean letter (syllable or jamo).
pub(super) const KOREAN: u8 = 4;
/// Dropped by the pass.
pub(super) const DROP: u8 = 8;

/// The flags of one view character: [`WORD`] or [`SEP`], and [`KOREAN`].
#[inline]
fn class(c: char) -> u8 {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            WORD
        } else if matches!(c, ' ' | '\'') {
            0
        } else {
            SEP
        };
    }
    // Korean and Japanese letters (most of such chat), without the general tests: of
    // their blocks, the Hangul syllables and compatibility jamo are Korean.
    if all_letters(c) {
        return if c >= '\u{AC00}' || ('\u{3131}'..='\u{318E}').contains(&c) {
            WORD | KOREAN
        } else {
            WORD
        };
    }
    class_of(c)
}

/// [`class`] from the character tests themselves (what the fast paths must equal).
fn class_of(c: char) -> u8 {
    let mut f = if is_word(c) {
        WORD
    } else if matches!(c, ' ' | '\'' | '\u{2019}') {
        0
    } else {
        SEP
    };
    if is_korean(c) {
        f |= KOREAN;
    }
    f
}

/// Every item's flags, appended to `flags`, asked for once per message: the separator,
/// keyboard and Hangul passes keep them in step with the items they move.
pub(super) fn classes(items: &[Item], flags: &mut Vec<u8>) {
    flags.extend(items.iter().map(|it| class(it.ch)));
}

/// Moves the items not flagged [`DROP`], with their flags, to the front, in order;
/// returns how many there are.
pub(super) fn compact(items: &mut [Item], flags: &mut [u8]) -> usize {
    let n = items.len().min(flags.len());
    // Items before the first dropped one stay where they are.
    let Some(first) = flags[..n].iter().position(|&x| x & DROP != 0) else {
        return n;
    };
    let mut w = first;
    for r in first..n {
        if flags[r] & DROP == 0 {
            items[w] = items[r];
            flags[w] = flags[r];
            w += 1;
        }
    }
    w
}

/// Flags the items of `flags` [`DROP`].
pub(super) fn mark_dropped(flags: &mut [u8]) {
    flags.iter_mut().for_each(|x| *x |= DROP);
}

/// A word of the dropping passes: items `start..end`, and its one kept item if it has
/// exactly one (a one-letter word).
#[derive(Clone, Copy)]
pub(super) struct Word {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) only: Option<usize>,
}

/// The next word at or after `from`: it starts at a kept word character and spans word
/// characters and dropped items (the word-finding rule of [`join_separated`] and
/// [`join_hangul`]). Its kept items are counted in the same scan.
pub(super) fn next_word(flags: &[u8], from: usize) -> Option<Word> {
    let n = flags.len();
    let mut k = from;
    while k < n && flags[k] & (WORD | DROP) != WORD {
        k += 1;
    }
    if k >= n {
        return None;
    }
    let start = k;
    let mut kept = 0usize;
    while k < n && flags[k] & (WORD | DROP) != 0 {
        kept += usize::from(flags[k] & DROP == 0);
        k += 1;
    }
    // The first item is kept, so with one kept item it is that one.
    Some(Word {
        start,
        end: k,
        only: (kept == 1).then_some(start),
    })
}

/// Drops separators inside words and joins spaced-out single letters. With
/// `korean_aware`, one-letter Korean words are left to [`join_hangul`].
pub(super) fn join_separated(items: &mut Vec<Item>, f: &mut Vec<u8>, korean_aware: bool) {
    let n = items.len().min(f.len());
    let mut dropped = false;
    // (a) punctuation runs (no spaces) between two word characters. Apostrophes are
    // kept: `he'll` must not become `hell`.
    let mut i = 0;
    while i < n {
        if f[i] & SEP != 0 {
            let mut j = i;
            while j < n && f[j] & SEP != 0 {
                j += 1;
            }
            let before = i > 0 && f[i - 1] & WORD != 0;
            let after = j < n && f[j] & WORD != 0;
            if before && after {
                mark_dropped(&mut f[i..j]);
                dropped = true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    // (b) three or more single-character words separated by short non-word runs. A word
    // starts at a kept word character and spans word characters and dropped items; it
    // is "single" with exactly one kept letter.
    let single = |w: &Word, f: &[u8]| {
        w.only
            .is_some_and(|k| !(korean_aware && f[k] & KOREAN != 0))
    };
    // The current run of single words: its first word's start, last word's end, length.
    let mut run: Option<(usize, usize, usize)> = None;
    let mut k = 0;
    loop {
        let word = next_word(&f[..n], k);
        k = word.map_or(n, |w| w.end);
        let next = word.filter(|w| single(w, f)).map(|w| (w.start, w.end));
        run = match (run, next) {
            (Some((first, last_end, len)), Some((s, e))) if s - last_end <= 3 => {
                Some((first, e, len + 1))
            }
            (prev, next) => {
                // The run ends: join it when long enough. Its words were all found
                // before any gap is dropped, as the words of a run never change.
                if let Some((first, last_end, _)) = prev.filter(|r| r.2 >= 3) {
                    for x in &mut f[first..last_end] {
                        if *x & WORD == 0 {
                            *x |= DROP;
                            dropped = true;
                        }
                    }
                }
                next.map(|(s, e)| (s, e, 1))
            }
        };
        if word.is_none() {
            break;
        }
    }
    if dropped {
        let kept = compact(items, f);
        items.truncate(kept);
        f.truncate(kept);
    }
}

/// The kana or kanji a voicing or long-vowel mark attaches to: the last item, if it is
/// one (only marks look at the item before).
fn mark_base(items: &mut [Item]) -> Option<&mut Item> {
    let last = items.last_mut()?;
    matches!(script_of(last.ch), Script::Kana | Script::Han).then_some(last)
}

/// Adds the view form of one kana character: letters are pushed, voicing marks compose
/// with the kana before them (or are dropped), long-vowel marks extend the letter before.
pub(super) fn push_kana(items: &mut Vec<Item>, k: Kana, start: u32, end: u32) {
    match k {
        Kana::Letter(ch) => items.push(Item {
            ch,
            start,
            end,
            run: 1,
        }),
        Kana::Voicing(m) => {
            if let Some(l) = mark_base(items) {
                if let Some(v) = kana::voice(l.ch, m) {
                    l.ch = v;
                }
                l.end = end;
            }
        }
        Kana::LongVowel => match mark_base(items) {
            Some(l) => l.end = end,
            None => items.push(Item {
                ch: 'ー',
                start,
                end,
                run: 1,
            }),
        },
    }
}

/// Whether `next` continues the run of letter `last` (repeat collapse): the same word
/// character, not a digit.
#[inline]
pub(super) fn repeats(last: char, next: char) -> bool {
    last == next && is_word(next) && !is_numeric(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_classes_are_the_character_tests() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(class(c), class_of(c), "{c:?}");
        }
    }
}
