//! The normalised view: which steps to apply, and the view with its map back to the
//! original bytes.

use serde::Deserialize;

use super::passes::repeats;
use crate::script::is_alphanumeric;

/// Which normalisation steps to apply (all on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Transforms {
    /// NFKC compatibility folding and Unicode case folding.
    pub fold: bool,
    /// Homoglyph/confusable folding (Cyrillic/Greek lookalikes ...).
    pub confusables: bool,
    /// Strip zero-width, bidi and other invisible format characters.
    pub strip_invisible: bool,
    /// Strip combining marks (accents, zalgo).
    pub strip_marks: bool,
    /// Leetspeak digits and symbols to letters.
    pub leetspeak: bool,
    /// Collapse repeated letters (`fuuuck`).
    pub collapse_repeats: bool,
    /// Remove separators inside words (`f.u.c.k`, `f u c k`).
    pub separators: bool,
    /// Hangul: keep syllables composed, compose jamo-split spellings (`ㅅㅣㅂㅏㄹ`).
    pub hangul: bool,
    /// Hangul: drop digits/Latin/symbols between syllables (`시1발`), join spaced
    /// syllables (`병 신`).
    pub hangul_spacing: bool,
    /// Korean typed on the 2-set keyboard in Latin mode (`tlqkf` → `시발`).
    pub keyboard: bool,
    /// Hangul terms also match their initial consonants (`시발` ↔ `ㅅㅂ`); applied to
    /// terms when a keyword rule is compiled.
    pub initials: bool,
    /// Japanese kana folding (katakana/hiragana, halfwidth, small kana, long vowels).
    pub kana: bool,
}

impl Default for Transforms {
    fn default() -> Self {
        Transforms::ALL
    }
}

impl Transforms {
    /// Every step on.
    pub const ALL: Transforms = Transforms {
        fold: true,
        confusables: true,
        strip_invisible: true,
        strip_marks: true,
        leetspeak: true,
        collapse_repeats: true,
        separators: true,
        hangul: true,
        hangul_spacing: true,
        keyboard: true,
        initials: true,
        kana: true,
    };
    /// Every step off: the view is the text with whitespace runs collapsed.
    pub const NONE: Transforms = Transforms {
        fold: false,
        confusables: false,
        strip_invisible: false,
        strip_marks: false,
        leetspeak: false,
        collapse_repeats: false,
        separators: false,
        hangul: false,
        hangul_spacing: false,
        keyboard: false,
        initials: false,
        kana: false,
    };
}

/// One character of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Item {
    pub(super) ch: char,
    /// Original byte range that produced it.
    pub(super) start: u32,
    pub(super) end: u32,
    /// How many identical letters it stands for (repeat collapse).
    pub(super) run: u32,
}

/// Empties `v` with room for `n` elements. A fresh buffer (a message's view) is
/// allocated at once, without the growth path; a reused one (a term's) keeps its memory.
pub(super) fn emptied_with_room<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() == 0 {
        *v = Vec::with_capacity(n);
    } else {
        v.clear();
        v.reserve(n);
    }
}

/// A normalised view of a text with its map back to the original bytes.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    pub(super) text: String,
    pub(super) items: Vec<Item>,
    /// For every byte of `text`, the index in `items` of the char it belongs to.
    pub(super) byte_to_item: Vec<u32>,
}

impl Normalized {
    /// Makes this the view of `items` (after every pass), with its text and byte map,
    /// reusing this view's buffers; with `collapse`, runs of the same letter become one
    /// item carrying the run length (step 7), in the same pass. `src_len` sizes the text
    /// and map: the view is rarely longer in bytes than the original (Korean and
    /// Japanese letters are three bytes each, so sizing by items would regrow).
    #[inline(never)]
    pub(super) fn fill(&mut self, mut items: Vec<Item>, src_len: usize, collapse: bool) {
        let bytes = src_len.max(items.len());
        let text = &mut self.text;
        let byte_to_item = &mut self.byte_to_item;
        if text.capacity() == 0 {
            *text = String::with_capacity(bytes);
        } else {
            text.clear();
            text.reserve(bytes);
        }
        emptied_with_room(byte_to_item, bytes);
        // Items before `w` are the view's; `w <= r`.
        let mut w = 0;
        for r in 0..items.len() {
            let it = items[r];
            if collapse && w > 0 && repeats(items[w - 1].ch, it.ch) {
                let last = &mut items[w - 1];
                last.end = it.end;
                last.run += 1;
                continue;
            }
            items[w] = it;
            let idx = w as u32;
            w += 1;
            if it.ch.is_ascii() {
                text.push(it.ch);
                byte_to_item.push(idx);
                continue;
            }
            text.push(it.ch);
            match it.ch.len_utf8() {
                2 => byte_to_item.extend_from_slice(&[idx; 2]),
                3 => byte_to_item.extend_from_slice(&[idx; 3]),
                _ => byte_to_item.extend_from_slice(&[idx; 4]),
            }
        }
        items.truncate(w);
        self.items = items;
    }

    /// Takes this view's item buffer, emptied with room for `n` items, to be filled
    /// again.
    pub(super) fn take_items(&mut self, n: usize) -> Vec<Item> {
        let mut items = std::mem::take(&mut self.items);
        emptied_with_room(&mut items, n);
        items
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Original byte range `[start, end)` covering view bytes `[start, end)`.
    /// Returns `None` for an empty or out-of-range span.
    pub fn source_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.text.len() {
            return None;
        }
        let first = self.items.get(*self.byte_to_item.get(start)? as usize)?;
        let last = self.items.get(*self.byte_to_item.get(end - 1)? as usize)?;
        Some((first.start as usize, last.end as usize))
    }

    /// Run lengths of the view characters covering view bytes `[start, end)`.
    pub fn runs(&self, start: usize, end: usize) -> impl Iterator<Item = u32> + '_ {
        let (a, b) = match (self.byte_to_item.get(start), end.checked_sub(1)) {
            (Some(&a), Some(e)) => (
                a as usize,
                self.byte_to_item
                    .get(e)
                    .map_or(a as usize, |&b| b as usize + 1),
            ),
            _ => (0, 0),
        };
        self.items.get(a..b).unwrap_or(&[]).iter().map(|i| i.run)
    }

    /// Run lengths of every view character, in order (used for terms).
    pub fn all_runs(&self) -> Vec<u32> {
        self.items.iter().map(|i| i.run).collect()
    }

    /// Whether view byte range `[start, end)` starts and ends on word boundaries.
    pub fn word_start(&self, start: usize) -> bool {
        self.text
            .get(..start)
            .and_then(|s| s.chars().next_back())
            .is_none_or(|c| !is_alphanumeric(c))
    }

    /// Whether the view has no word character right after byte `end`.
    pub fn word_end(&self, end: usize) -> bool {
        self.text
            .get(end..)
            .and_then(|s| s.chars().next())
            .is_none_or(|c| !is_alphanumeric(c))
    }
}
