//! The Korean passes: 2-set keyboard words, jamo composition, Hangul spacing.

use super::chars::is_word;
use super::passes::{compact, mark_dropped, next_word, KOREAN, WORD};
use super::view::Item;
use crate::hangul;
use crate::keyboard;
use crate::script::script_of;

/// Replaces whole Latin words typed on the Korean 2-set layout by their syllables.
/// Only words whose every view letter is exactly one original ASCII letter (no leet,
/// no fullwidth) qualify; the original case picks shifted keys. In place: a word never
/// decodes to more syllables than it has letters.
pub(super) fn keyboard_words(items: &mut Vec<Item>, flags: &mut Vec<u8>, src: &str) {
    // One byte of the original, an ASCII letter, read as this item's letter. A one-byte
    // span of a `str` is always one ASCII character, so no UTF-8 decoding is needed.
    let bytes = src.as_bytes();
    let original = |it: &Item| -> Option<char> {
        if it.end != it.start + 1 {
            return None;
        }
        let b = *bytes.get(it.start as usize)?;
        (b.is_ascii_alphabetic() && u32::from(b | 0x20) == (it.ch as u32 | 0x20))
            .then_some(char::from(b))
    };
    let delimited =
        |k: Option<&Item>| k.is_none_or(|it| !is_word(it.ch) || script_of(it.ch).east_asian());
    let n = items.len();
    // Items before `w` are output; items from `i` on are input still unread (`w <= i`).
    // Until the first decoded word `w == i`, and nothing needs moving.
    let mut w = 0;
    let mut i = 0;
    let mut keys = ['\0'; keyboard::MAX_KEYS];
    while i < n {
        // The word of original ASCII letters starting at `i`, its first keys collected.
        let mut j = i;
        while let Some(c) = items.get(j).and_then(original) {
            if let Some(slot) = keys.get_mut(j - i) {
                *slot = c;
            }
            j += 1;
        }
        if j == i {
            // Not a word of original ASCII letters: skip to the next one, moving the
            // items in between as one block.
            j += 1;
            while j < n && original(&items[j]).is_none() {
                j += 1;
            }
            shift(items, flags, i..j, w);
            w += j - i;
            i = j;
            continue;
        }
        // `items[i - 1]` is still the input item before the word: it is only
        // overwritten once `w` passes it, and `w <= i` here.
        let len = j - i;
        let decoded = ((keyboard::MIN_WORD_KEYS..=keyboard::MAX_KEYS).contains(&len)
            && delimited(i.checked_sub(1).and_then(|p| items.get(p)))
            && delimited(items.get(j)))
        .then(|| keyboard::decode(&keys[..len]))
        .flatten()
        .filter(|syl| syl.len() >= 2)
        .filter(|_| {
            // The word's view letters (ASCII, at most `MAX_KEYS`), without an allocation.
            let mut word = [0u8; keyboard::MAX_KEYS];
            for (slot, it) in word.iter_mut().zip(&items[i..j]) {
                *slot = it.ch as u8;
            }
            !std::str::from_utf8(&word[..len]).is_ok_and(keyboard::is_guarded)
        });
        match decoded {
            Some(syllables) => {
                // Every syllable covers two keys or more, so the k-th one is written
                // at `w + k <= i + 2k <= i + first`: at or before the items it is made
                // of (read first), before every item still to be read.
                for c in syllables {
                    items[w] = Item {
                        ch: c.ch,
                        start: items[i + c.first].start,
                        end: items[i + c.last].end,
                        run: 1,
                    };
                    flags[w] = KOREAN | WORD;
                    w += 1;
                }
            }
            None => {
                shift(items, flags, i..j, w);
                w += len;
            }
        }
        i = j;
    }
    items.truncate(w);
    flags.truncate(w);
}

/// Moves `items[from]` with their flags to start at `to` (`to <= from.start`).
#[inline(always)]
fn shift(items: &mut [Item], flags: &mut [u8], from: std::ops::Range<usize>, to: usize) {
    if to == from.start {
        return;
    }
    if from.len() == 1 {
        items[to] = items[from.start];
        flags[to] = flags[from.start];
    } else {
        items.copy_within(from.clone(), to);
        flags.copy_within(from, to);
    }
}

/// Composes runs of compatibility jamo into syllables (`ㅅㅣㅂㅏㄹ` → `시발`), in place
/// (a run never composes to more characters than it has).
pub(super) fn compose_jamo(items: &mut Vec<Item>) {
    if !items.iter().any(|it| hangul::is_vowel(it.ch)) {
        return;
    }
    let is_jamo = |c: char| hangul::is_vowel(c) || hangul::is_consonant(c);
    let n = items.len();
    let mut w = 0;
    let mut i = 0;
    while i < n {
        if !is_jamo(items[i].ch) {
            items[w] = items[i];
            w += 1;
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && is_jamo(items[j].ch) {
            j += 1;
        }
        let jamo: Vec<char> = items[i..j].iter().map(|it| it.ch).collect();
        let composed: Vec<Item> = hangul::compose(&jamo)
            .into_iter()
            .map(|c| Item {
                ch: c.ch,
                start: items[i + c.first].start,
                end: items[i + c.last].end,
                run: 1,
            })
            .collect();
        for it in composed {
            items[w] = it;
            w += 1;
        }
        i = j;
    }
    items.truncate(w);
}

/// One-syllable Korean words that stand on their own (interjections, pronouns,
/// determiners, adverbs: `야 썅`, `와 병 신`, `이 년 전`): never joined to the next word.
#[rustfmt::skip]
fn standalone_syllable(c: char) -> bool {
    matches!(c,
        '아' | '와' | '야' | '어' | '오' | '이' | '저' | '그' | '너' | '나' | '내' | '제' | '왜' | '뭐'
        | '좀' | '더' | '걍' | '참' | '꼭' | '막' | '잘' | '안' | '못' | '다' | '두' | '세' | '몇'
        | '첫' | '헐' | '헉' | '흠' | '음' | '응' | '예' | '네' | '딱' | '늘' | '꽤' | '곧' | '쫌'
        | '앗' | '엥' | '킹')
}

/// Largest number of inserted characters dropped between two Korean letters.
const MAX_HANGUL_GAP: usize = 2;

/// Drops short non-Korean insertions between Korean letters and joins spaced
/// one-letter Korean words.
pub(super) fn join_hangul(items: &mut Vec<Item>, flags: &mut Vec<u8>) {
    let Some(first) = flags.iter().position(|&x| x & KOREAN != 0) else {
        return;
    };
    // Nothing before the word holding the first Korean letter can change: the passes
    // below start there. (Before it no item is Korean, so no gap and no one-letter
    // Korean word.)
    let from = flags[..first]
        .iter()
        .rposition(|&x| x & WORD == 0)
        .map_or(0, |p| p + 1);
    let (Some(part), Some(part_flags)) = (items.get_mut(from..), flags.get_mut(from..)) else {
        return;
    };
    let kept = from + join_hangul_from(part, part_flags);
    items.truncate(kept);
    flags.truncate(kept);
}

/// [`join_hangul`] on `items` (with their flags), which starts a word (or the text):
/// compacts the kept items to the front and returns how many there are.
fn join_hangul_from(items: &mut [Item], f: &mut [u8]) -> usize {
    let n = items.len();
    let korean = |f: &[u8], k: usize| f[k] & KOREAN != 0;
    let mut dropped = false;
    // (a) `시1발`, `시@발`, `병x신`: no space inside the gap.
    let mut i = 1;
    while i < n {
        if korean(f, i - 1) && !korean(f, i) && items[i].ch != ' ' {
            let mut j = i;
            while j < n && j - i < MAX_HANGUL_GAP + 1 && !korean(f, j) && items[j].ch != ' ' {
                j += 1;
            }
            if j < n && j - i <= MAX_HANGUL_GAP && korean(f, j) {
                mark_dropped(&mut f[i..j]);
                dropped = true;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    // (b) `병 신`: two or more one-letter Korean words separated by spaces/punctuation:
    // the gap between two such words next to each other (at most 3 items) is dropped.
    // A word starts at a kept word character and spans word characters and dropped
    // items; the gaps dropped here lie behind the scan, so they change no later word.
    let mut prev_single_end: Option<usize> = None;
    let mut k = 0;
    while let Some(word) = next_word(f, k) {
        let (s, e) = (word.start, word.end);
        let single = word
            .only
            .is_some_and(|l| korean(f, l) && !standalone_syllable(items[l].ch));
        if single {
            if let Some(pe) = prev_single_end.filter(|&pe| s - pe <= 3) {
                mark_dropped(&mut f[pe..s]);
                dropped = true;
            }
            prev_single_end = Some(e);
        } else {
            prev_single_end = None;
        }
        k = e;
    }
    if !dropped {
        return n;
    }
    compact(items, f)
}
