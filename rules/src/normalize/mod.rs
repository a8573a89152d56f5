//! The evasion-proof normalised view of a message, with a map back to the original.
//!
//! [`normalize`] turns `"Ｆ.u.u.u.c.k 𝔶𝔬𝔲"` into `"fuck you"` and remembers, for every
//! character of the view, which bytes of the original produced it, so a match found in
//! the view can be masked in the original exactly (see [`Normalized::source_span`]).
//! Each step is one switch of [`Transforms`]; keyword terms and allow-list phrases go
//! through the same function, so both sides always agree.
//!
//! Steps, in order, per original character:
//! 1. `strip_invisible`: drop zero-width, bidi controls, variation selectors, tags, other
//!    format/control characters (whitespace becomes one space; runs of spaces collapse).
//! 2. `fold`: compatibility decomposition (the "K" of NFKC: fullwidth, mathematical
//!    alphanumerics, enclosed letters, ligatures) and Unicode lower-casing.
//!    Without `fold` but with `strip_marks`, canonical decomposition is used instead.
//! 3. `strip_marks`: drop combining marks (accents, zalgo).
//! 4. `confusables`: non-ASCII lookalikes (Cyrillic, Greek, ...) folded to ASCII by the
//!    `decancer` crate's tables.
//! 5. `leetspeak`: `4 @ → a`, `3 → e`, `0 → o`, `1 ! → i`, `| → l`, `$ 5 → s`, `7 + → t`,
//!    `8 → b`, `9 → g`; digits only inside a token that has a letter, symbols only next
//!    to letters (so `hello!` and `@name` keep their meaning).
//!
//! Then over the whole view:
//! 6. `separators`: punctuation inside a word is dropped (`f.u.c.k`, `f_u-c*k`) and runs
//!    of three or more single letters split by spaces/punctuation are joined (`f u c k`).
//! 7. `collapse_repeats`: runs of the same letter become one letter carrying its run
//!    length (`fuuuuck` → `fuck`, run of `u` = 4). Matchers check run lengths so that the
//!    term `ass` (runs 1,2) does not match the word `as` (runs 1,1).
//!
//! Korean and Japanese steps (see `script.rs`, `hangul.rs`, `keyboard.rs`, `kana.rs`):
//! - `hangul` (per character): syllables stay precomposed (not NFKD-split into conjoining
//!   jamo), jamo of any form become compatibility jamo with clusters split (`ㅄ` → `ㅂㅅ`);
//!   after `separators`, runs of jamo compose into syllables (`ㅅㅣㅂㅏㄹ` → `시발`).
//! - `kana` (per character): katakana → hiragana, halfwidth forms widened, voicing marks
//!   composed (`ﾊﾞｶ` → `ばか`, voicing kept), small kana → full size, long-vowel marks
//!   absorbed by the letter before (`ばーか` → `ばか`).
//! - `keyboard` (after `separators`): a whole Latin word typed on the Korean 2-set layout
//!   that decodes to two or more syllables and is not an English word becomes those
//!   syllables (`tlqkf` → `시발`).
//! - `hangul_spacing` (before jamo composition): up to two non-Korean characters (digits,
//!   Latin letters, leftover symbols) between two Korean letters are dropped (`시1발`,
//!   `시@발` → `시발`) and two or more one-letter Korean words split by spaces are joined
//!   (`병 신` → `병신`).
//! - Han, Kana, Hangul and Thai never go through `confusables` (its tables fold them to
//!   Latin transliterations).
//!
//! Since terms are normalised the same way, composition (the "C" of NFKC) is not needed
//! for matching.
//!
//! Files: `view.rs` (the [`Transforms`] switches and the [`Normalized`] view with its
//! position map, written in one pass that also collapses repeats), `chars.rs`
//! (character classes), `leet.rs` (when a digit or symbol reads as a letter),
//! `passes.rs` (the whole-view passes: item classes, separators, kana, the repeat test)
//! and `korean.rs` (the Korean passes); this file runs them in order. The passes that
//! drop items share one class byte per item (`passes::classes`), asked for once per
//! message and kept in step as items move.

use unicode_normalization::char::{decompose_canonical, decompose_compatible, is_combining_mark};

use crate::hangul;
use crate::kana;
use crate::script::{script_of, Script};

mod chars;
mod korean;
mod leet;
mod passes;
#[cfg(test)]
mod tests;
mod view;

use chars::{is_invisible, is_space};
use korean::{compose_jamo, join_hangul, keyboard_words};
use leet::{leet_applies, leet_letter, leet_letter_at, Around, TokenLetters};
use passes::{classes, join_separated, push_kana};
use view::Item;
pub use view::{Normalized, Transforms};

/// Builds the normalised view of `src`.
pub fn normalize(src: &str, t: Transforms) -> Normalized {
    let mut view = Normalized::default();
    normalize_into(src, t, &mut view, &mut Buffers::default());
    view
}

/// Normalises many texts one after another (the terms of a pack at compile time)
/// reusing one set of buffers, so a text costs no allocation once they have grown.
#[derive(Debug, Default)]
pub(crate) struct Normalizer {
    view: Normalized,
    buffers: Buffers,
}

impl Normalizer {
    /// The view of `src`, as [`normalize`] gives it; valid until the next call.
    pub(crate) fn view(&mut self, src: &str, t: Transforms) -> &Normalized {
        normalize_into(src, t, &mut self.view, &mut self.buffers);
        &self.view
    }
}

/// The working buffers of one normalisation besides the view's own.
#[derive(Debug, Default)]
struct Buffers {
    /// The item classes of the dropping passes.
    flags: Vec<u8>,
    /// One character's decomposition.
    decomposed: Vec<char>,
}

/// [`normalize`] into `view`, reusing its buffers and `buffers`.
fn normalize_into(src: &str, t: Transforms, view: &mut Normalized, buffers: &mut Buffers) {
    let mut items = view.take_items(src.len());
    items_of(src, t, &mut items, &mut buffers.decomposed);
    // The passes work in place on `items`; each item's class is asked for once and kept
    // in step by the passes that move or drop items.
    let flags = &mut buffers.flags;
    flags.clear();
    if t.separators || t.keyboard || t.hangul_spacing {
        classes(&items, flags);
    }
    if t.separators {
        join_separated(&mut items, flags, t.hangul_spacing);
    }
    if t.keyboard {
        keyboard_words(&mut items, flags, src);
    }
    if t.hangul_spacing {
        join_hangul(&mut items, flags);
    }
    if t.hangul {
        compose_jamo(&mut items);
    }
    // Repeat collapse is done while the view's text is written (one pass less).
    view.fill(items, src.len(), t.collapse_repeats);
}

/// The view's characters, one original character at a time (steps 1 to 5 and the
/// per-character Korean and Japanese steps).
///
/// Appended to `items` (empty, with room for `src.len()` items); `buf` holds one
/// character's decomposition.
#[inline(never)]
fn items_of(src: &str, t: Transforms, items: &mut Vec<Item>, buf: &mut Vec<char>) {
    let around = Around(src);
    // Whether a char's whitespace-delimited token contains a letter (for leetspeak),
    // found once per token that has a leet character.
    let mut has_letter = TokenLetters::default();
    for (pos, c) in src.char_indices() {
        let start = pos as u32;
        let end = (pos + c.len_utf8()) as u32;
        if c.is_ascii() {
            if is_space(c) {
                push_space(items, start, end);
                continue;
            }
            // Fast path: ASCII is its own NFKD, has no marks and no confusables.
            if t.strip_invisible && c.is_ascii_control() {
                continue;
            }
            // Only leet characters are worth the neighbourhood checks.
            let leet = if t.leetspeak && leet_letter(c).is_some() {
                leet_letter_at(around, pos, c)
                    .filter(|_| leet_applies(around, pos, has_letter.at(around, pos)))
            } else {
                None
            };
            let ch = leet.unwrap_or(if t.fold { c.to_ascii_lowercase() } else { c });
            items.push(Item {
                ch,
                start,
                end,
                run: 1,
            });
            continue;
        }
        // Hangul syllables (with `hangul`) and CJK unified ideographs are their own
        // view: never spaces or invisible, no decomposition, case, marks or confusables
        // (the common case of Korean and Japanese chat, answered without the Unicode
        // tables).
        if (t.hangul && hangul::is_syllable(c)) || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            items.push(Item {
                ch: c,
                start,
                end,
                run: 1,
            });
            continue;
        }
        // Kana next (the rest of Japanese chat): never spaces, invisible or jamo, so
        // answered before those tests.
        if t.kana && kana::is_kana(c) {
            push_kana(items, kana::classify(c), start, end);
            continue;
        }
        if is_space(c) {
            push_space(items, start, end);
            continue;
        }
        if t.strip_invisible && is_invisible(c) {
            continue;
        }
        if t.hangul {
            // Compatibility jamo before NFKD, which maps `ㅄ` to an archaic leading
            // consonant rather than ㅂ + ㅅ.
            if let Some((a, b)) = hangul::to_compat(c).filter(|_| script_of(c) == Script::Jamo) {
                for ch in std::iter::once(a).chain(b) {
                    items.push(Item {
                        ch,
                        start,
                        end,
                        run: 1,
                    });
                }
                continue;
            }
        }
        buf.clear();
        if t.fold {
            decompose_compatible(c, |d| buf.push(d));
        } else if t.strip_marks {
            decompose_canonical(c, |d| buf.push(d));
        } else {
            buf.push(c);
        }
        for &d in buf.iter() {
            if t.strip_marks && is_combining_mark(d) {
                continue;
            }
            let mut emit = |ch: char| {
                if ch.is_whitespace() {
                    push_space(items, start, end);
                } else if !(t.strip_invisible && is_invisible(ch)) {
                    items.push(Item {
                        ch,
                        start,
                        end,
                        run: 1,
                    });
                }
            };
            if t.leetspeak && d.is_ascii() && leet_applies(around, pos, has_letter.at(around, pos))
            {
                if let Some(l) = leet_letter_at(around, pos, d) {
                    emit(l);
                    continue;
                }
            }
            if t.hangul {
                if let Some((a, b)) = hangul::to_compat(d) {
                    emit(a);
                    b.into_iter().for_each(&mut emit);
                    continue;
                }
            }
            if t.confusables && !d.is_ascii() && !script_of(d).east_asian() {
                match decancer::cure_char(d, decancer::Options::default()) {
                    decancer::Translation::Character(ch) => emit(ch),
                    decancer::Translation::String(s) => s.chars().for_each(&mut emit),
                    decancer::Translation::None => {}
                }
            } else if t.fold {
                d.to_lowercase().for_each(&mut emit);
            } else {
                emit(d);
            }
        }
    }
}

/// Appends one space for whitespace at `start..end`, or widens the space before it: a run
/// of whitespace is one space of the view that maps back to the whole run.
fn push_space(items: &mut Vec<Item>, start: u32, end: u32) {
    match items.last_mut() {
        Some(last) if last.ch == ' ' => last.end = end,
        _ => items.push(Item {
            ch: ' ',
            start,
            end,
            run: 1,
        }),
    }
}
