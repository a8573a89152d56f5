//! Passes over the whole view: dropping items, separators, kana, repeat collapse.

use super::chars::is_word;
#[cfg(doc)]
use super::korean::join_hangul;
use super::view::Item;
use crate::kana::{self, Kana};
use crate::script::{is_korean, is_numeric, script_of, Script};

/// Keeps the items whose `keep` flag is set, in place.
pub(super) fn retain_kept(items: &mut Vec<Item>, keep: &[bool]) {
    let mut k = keep.iter();
    items.retain(|_| k.next().copied().unwrap_or(true));
}

/// Drops separators inside words and joins spaced-out single letters. With
/// `korean_aware`, one-letter Korean words are left to [`join_hangul`].
pub(super) fn join_separated(items: &mut Vec<Item>, korean_aware: bool) {
    let n = items.len();
    let mut keep = vec![true; n];
    // Each item's class, asked for once: the loops below look at most items twice.
    let wordy: Vec<bool> = items.iter().map(|it| is_word(it.ch)).collect();
    // (a) punctuation runs (no spaces) between two word characters. Apostrophes are
    // kept: `he'll` must not become `hell`.
    let sep = |k: usize| !wordy[k] && !matches!(items[k].ch, ' ' | '\'' | '\u{2019}');
    let mut i = 0;
    while i < n {
        if sep(i) {
            let mut j = i;
            while j < n && sep(j) {
                j += 1;
            }
            let before = i > 0 && wordy[i - 1];
            let after = j < n && wordy[j];
            if before && after {
                keep[i..j].fill(false);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    // (b) three or more single-character words separated by short non-word runs. A word
    // starts at a kept word character and spans word characters and dropped items; it
    // is "single" with exactly one kept letter.
    let single = |s: usize, e: usize, keep: &[bool]| {
        let mut letters = (s..e).filter(|&k| keep[k]);
        match (letters.next(), letters.next()) {
            (Some(k), None) => !(korean_aware && is_korean(items[k].ch)),
            _ => false,
        }
    };
    // The current run of single words: its first word's start, last word's end, length.
    let mut run: Option<(usize, usize, usize)> = None;
    let mut k = 0;
    loop {
        let word = loop {
            if k >= n {
                break None;
            }
            if keep[k] && wordy[k] {
                let s = k;
                while k < n && (!keep[k] || wordy[k]) {
                    k += 1;
                }
                break Some((s, k));
            }
            k += 1;
        };
        let next = word.filter(|&(s, e)| single(s, e, &keep));
        run = match (run, next) {
            (Some((first, last_end, len)), Some((s, e))) if s - last_end <= 3 => {
                Some((first, e, len + 1))
            }
            (prev, next) => {
                // The run ends: join it when long enough. Its words were all found
                // before any gap is dropped, as the words of a run never change.
                if let Some((first, last_end, _)) = prev.filter(|r| r.2 >= 3) {
                    for p in first..last_end {
                        if !wordy[p] {
                            keep[p] = false;
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
    retain_kept(items, &keep);
}

/// Adds the view form of one kana character: letters are pushed, voicing marks compose
/// with the kana before them (or are dropped), long-vowel marks extend the letter before.
pub(super) fn push_kana(items: &mut Vec<Item>, k: Kana, start: u32, end: u32) {
    let last = items
        .last_mut()
        .filter(|l| matches!(script_of(l.ch), Script::Kana | Script::Han));
    match (k, last) {
        (Kana::Letter(ch), _) => items.push(Item {
            ch,
            start,
            end,
            run: 1,
        }),
        (Kana::Voicing(m), Some(l)) => {
            if let Some(v) = kana::voice(l.ch, m) {
                l.ch = v;
            }
            l.end = end;
        }
        (Kana::LongVowel, Some(l)) => l.end = end,
        (Kana::Voicing(_), None) => {}
        (Kana::LongVowel, None) => items.push(Item {
            ch: 'ー',
            start,
            end,
            run: 1,
        }),
    }
}

/// Collapses runs of the same letter into one item carrying the run length.
pub(super) fn collapse(items: &mut Vec<Item>) {
    items.dedup_by(|it, last| {
        let same = last.ch == it.ch && is_word(it.ch) && !is_numeric(it.ch);
        if same {
            last.end = it.end;
            last.run += 1;
        }
        same
    });
}
