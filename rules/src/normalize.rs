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

use serde::Deserialize;
use unicode_normalization::char::{decompose_canonical, decompose_compatible, is_combining_mark};

use crate::hangul;
use crate::kana::{self, Kana};
use crate::keyboard;
use crate::script::{all_letters, is_alphabetic, is_alphanumeric, is_numeric, script_of, Script};

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
struct Item {
    ch: char,
    /// Original byte range that produced it.
    start: u32,
    end: u32,
    /// How many identical letters it stands for (repeat collapse).
    run: u32,
}

/// A normalised view of a text with its map back to the original bytes.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    text: String,
    items: Vec<Item>,
    /// For every byte of `text`, the index in `items` of the char it belongs to.
    byte_to_item: Vec<u32>,
}

impl Normalized {
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

fn is_invisible(c: char) -> bool {
    // Hangul, kana and Han letters are never invisible except the Hangul filler, and
    // they are most of what Korean and Japanese chat is made of.
    (c == '\u{3164}' || !all_letters(c)) && listed_invisible(c)
}

/// Zero-width, bidi controls, variation selectors, tags, fillers and other format or
/// control characters.
fn listed_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
        || (c.is_control() && !c.is_whitespace())
}

fn leet_letter(c: char) -> Option<char> {
    Some(match c {
        '4' | '@' => 'a',
        '3' => 'e',
        '0' => 'o',
        '1' | '!' => 'i',
        '|' => 'l',
        '$' | '5' => 's',
        '7' | '+' => 't',
        '8' => 'b',
        '9' => 'g',
        _ => return None,
    })
}

/// Index of the nearest character before (`forward = false`) or after `i` that is
/// neither invisible nor a combining mark: `$\u{200B}L` and `s̸1ut` read as `$L`, `s1ut`.
fn neighbour(chars: &[(usize, char)], i: usize, forward: bool) -> Option<usize> {
    let skip = |j: usize| {
        chars
            .get(j)
            .is_some_and(|&(_, d)| is_invisible(d) || is_combining_mark(d))
    };
    let mut j = i;
    loop {
        j = if forward { j + 1 } else { j.checked_sub(1)? };
        if j >= chars.len() {
            return None;
        }
        if !skip(j) {
            return Some(j);
        }
    }
}

/// A neighbour as the letter it most likely stands for (`4` `@` → `a`, `3` → `e` ...);
/// `1` stays `1` (it is what is being decided).
fn looks_like(c: char) -> char {
    match c {
        '1' => '1',
        c => leet_letter(c).unwrap_or(c.to_ascii_lowercase()),
    }
}

/// Whether the `1` at `i` stands for `l` rather than `i`: after `b c f g p s` before a
/// vowel (`s1ut`, `c1it`, `f1ag`), between vowels or after a vowel at a word end
/// (`ho1e`, `a55ho1e`, `lo1`), doubled after a vowel (`he11`, `bu11`), `e` + `1` +
/// consonant (`yourse1f`), and at a word start before a vowel (`1oser`). Elsewhere
/// (`sh1t`, `b1tch`, `d1e`, `k1ll`, `su1c1de`) it is `i`.
fn one_reads_as_l(chars: &[(usize, char)], i: usize) -> bool {
    let at = |j: Option<usize>| j.and_then(|j| chars.get(j)).map(|&(_, d)| looks_like(d));
    let is_vowel = |c: Option<char>| c.is_some_and(|c| "aeiou".contains(c));
    let is_consonant =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic() && !"aeiou".contains(c));
    let p = neighbour(chars, i, false);
    let prev = at(p);
    let next = at(neighbour(chars, i, true));
    let letterish = |c: Option<char>| c.is_some_and(|c| is_alphabetic(c) || c == '1');
    match prev {
        Some('l') => true,
        Some('1') => is_vowel(at(p.and_then(|p| neighbour(chars, p, false)))),
        Some(c) if "bcfgps".contains(c) => is_vowel(next),
        Some(c) if "aeiou".contains(c) => {
            is_vowel(next)
                || !letterish(next)
                || next == Some('l')
                || next == Some('1')
                || (c == 'e' && is_consonant(next))
        }
        Some(c) if is_alphabetic(c) => false,
        _ => is_vowel(next) && next != Some('i'),
    }
}

/// The letter the leet character at `i` stands for (see [`one_reads_as_l`] for `1`).
fn leet_letter_at(chars: &[(usize, char)], i: usize, c: char) -> Option<char> {
    if c == '1' && one_reads_as_l(chars, i) {
        return Some('l');
    }
    leet_letter(c)
}

/// Whether the leet character at `i` of `chars` should be read as a letter.
fn leet_applies(chars: &[(usize, char)], i: usize, token_has_letter: bool) -> bool {
    let Some(&(_, c)) = chars.get(i) else {
        return false;
    };
    if !token_has_letter {
        return false;
    }
    if c.is_ascii_digit() {
        return true;
    }
    let is_wordish = |j: Option<usize>| {
        j.and_then(|j| chars.get(j))
            .is_some_and(|&(_, d)| is_alphabetic(d) || (leet_letter(d).is_some() && d != c))
    };
    let (before, after) = (neighbour(chars, i, false), neighbour(chars, i, true));
    let prev = is_wordish(before);
    let next = is_wordish(after);
    match c {
        // `@name` is a mention; `a@` ... only inside or after a letter.
        '@' => prev,
        '$' => {
            let near = |j: Option<usize>| {
                j.and_then(|j| chars.get(j))
                    .is_some_and(|&(_, d)| d == '$' || is_alphabetic(d))
            };
            prev || next || near(before) || near(after)
        }
        _ => prev && next,
    }
}

/// Builds the normalised view of `src`.
pub fn normalize(src: &str, t: Transforms) -> Normalized {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    // Whether each char's whitespace-delimited token contains a letter (for leetspeak).
    let mut has_letter = vec![false; chars.len()];
    if t.leetspeak {
        let mut tok_start = 0;
        for i in 0..=chars.len() {
            let boundary = chars.get(i).is_none_or(|&(_, c)| c.is_whitespace());
            if boundary {
                let any = chars[tok_start..i]
                    .iter()
                    .any(|&(_, c)| is_word(c) && !is_numeric(c));
                has_letter[tok_start..i].fill(any);
                tok_start = i + 1;
            }
        }
    }

    let mut items: Vec<Item> = Vec::with_capacity(src.len());
    let mut buf: Vec<char> = Vec::with_capacity(4);
    for (i, &(pos, c)) in chars.iter().enumerate() {
        let start = pos as u32;
        let end = (pos + c.len_utf8()) as u32;
        if c.is_whitespace() {
            match items.last_mut() {
                Some(last) if last.ch == ' ' => last.end = end,
                _ => items.push(Item {
                    ch: ' ',
                    start,
                    end,
                    run: 1,
                }),
            }
            continue;
        }
        if c.is_ascii() {
            // Fast path: ASCII is its own NFKD, has no marks and no confusables.
            if t.strip_invisible && c.is_ascii_control() {
                continue;
            }
            // Only leet characters are worth the neighbourhood checks.
            let leet = if t.leetspeak && leet_letter(c).is_some() {
                leet_letter_at(&chars, i, c).filter(|_| leet_applies(&chars, i, has_letter[i]))
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
        if t.strip_invisible && is_invisible(c) {
            continue;
        }
        if t.hangul && hangul::is_syllable(c) {
            items.push(Item {
                ch: c,
                start,
                end,
                run: 1,
            });
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
        if t.kana && kana::is_kana(c) {
            push_kana(&mut items, kana::classify(c), start, end);
            continue;
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
                    match items.last_mut() {
                        Some(last) if last.ch == ' ' => last.end = end,
                        _ => items.push(Item {
                            ch: ' ',
                            start,
                            end,
                            run: 1,
                        }),
                    }
                } else if !(t.strip_invisible && is_invisible(ch)) {
                    items.push(Item {
                        ch,
                        start,
                        end,
                        run: 1,
                    });
                }
            };
            if t.leetspeak && d.is_ascii() && leet_applies(&chars, i, has_letter[i]) {
                if let Some(l) = leet_letter_at(&chars, i, d) {
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

    // The passes work in place on `items` (each used to build a new vector).
    if t.separators {
        join_separated(&mut items, t.hangul_spacing);
    }
    if t.keyboard {
        keyboard_words(&mut items, src);
    }
    if t.hangul_spacing {
        join_hangul(&mut items);
    }
    if t.hangul {
        compose_jamo(&mut items);
    }
    if t.collapse_repeats {
        collapse(&mut items);
    }

    let mut text = String::with_capacity(items.len());
    let mut byte_to_item = Vec::with_capacity(items.len());
    for (idx, it) in items.iter().enumerate() {
        text.push(it.ch);
        byte_to_item.extend(std::iter::repeat_n(idx as u32, it.ch.len_utf8()));
    }
    Normalized {
        text,
        items,
        byte_to_item,
    }
}

/// Whether `c` is a letter or digit. Hangul syllables and Han ideographs are answered
/// from their block ranges: the Unicode property tables are binary searches, and the
/// passes below ask several times per character.
fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if matches!(script_of(c), Script::Hangul | Script::Han) {
        true
    } else {
        is_alphanumeric(c)
    }
}

/// Keeps the items whose `keep` flag is set, in place.
fn retain_kept(items: &mut Vec<Item>, keep: &[bool]) {
    let mut k = keep.iter();
    items.retain(|_| k.next().copied().unwrap_or(true));
}

/// Drops separators inside words and joins spaced-out single letters. With
/// `korean_aware`, one-letter Korean words are left to [`join_hangul`].
fn join_separated(items: &mut Vec<Item>, korean_aware: bool) {
    let n = items.len();
    let mut keep = vec![true; n];
    // (a) punctuation runs (no spaces) between two word characters. Apostrophes are
    // kept: `he'll` must not become `hell`.
    let sep = |c: char| !is_word(c) && c != ' ' && c != '\'' && c != '\u{2019}';
    let mut i = 0;
    while i < n {
        if sep(items[i].ch) {
            let mut j = i;
            while j < n && sep(items[j].ch) {
                j += 1;
            }
            let before = i > 0 && is_word(items[i - 1].ch);
            let after = j < n && is_word(items[j].ch);
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
            (Some(k), None) => !(korean_aware && script_of(items[k].ch).korean()),
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
            if keep[k] && is_word(items[k].ch) {
                let s = k;
                while k < n && (!keep[k] || is_word(items[k].ch)) {
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
                        if !is_word(items[p].ch) {
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
fn push_kana(items: &mut Vec<Item>, k: Kana, start: u32, end: u32) {
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

/// Replaces whole Latin words typed on the Korean 2-set layout by their syllables.
/// Only words whose every view letter is exactly one original ASCII letter (no leet,
/// no fullwidth) qualify; the original case picks shifted keys. In place: a word never
/// decodes to more syllables than it has letters.
fn keyboard_words(items: &mut Vec<Item>, src: &str) {
    let original = |it: &Item| -> Option<char> {
        let s = src.get(it.start as usize..it.end as usize)?;
        let mut cs = s.chars();
        let c = cs.next()?;
        (cs.next().is_none() && c.is_ascii_alphabetic() && it.ch.eq_ignore_ascii_case(&c))
            .then_some(c)
    };
    let delimited =
        |k: Option<&Item>| k.is_none_or(|it| !is_word(it.ch) || script_of(it.ch).east_asian());
    let n = items.len();
    // Items before `w` are output; items from `i` on are input still unread (`w <= i`).
    let mut w = 0;
    let mut i = 0;
    let mut keys = ['\0'; keyboard::MAX_KEYS];
    while i < n {
        let mut j = i;
        while j < n && original(&items[j]).is_some() {
            j += 1;
        }
        if j == i {
            items[w] = items[i];
            w += 1;
            i += 1;
            continue;
        }
        // `items[i - 1]` is still the input item before the word: it is only
        // overwritten once `w` passes it, and `w <= i` here.
        let len = j - i;
        let decoded = ((keyboard::MIN_WORD_KEYS..=keyboard::MAX_KEYS).contains(&len)
            && delimited(i.checked_sub(1).and_then(|p| items.get(p)))
            && delimited(items.get(j)))
        .then(|| {
            for (slot, it) in keys.iter_mut().zip(&items[i..j]) {
                *slot = original(it).unwrap_or('\0');
            }
            keyboard::decode(&keys[..len])
        })
        .flatten()
        .filter(|syl| syl.len() >= 2)
        .filter(|_| {
            let lower: String = items[i..j].iter().map(|it| it.ch).collect();
            !keyboard::is_guarded(&lower)
        })
        .map(|syl| {
            syl.into_iter()
                .map(|c| Item {
                    ch: c.ch,
                    start: items[i + c.first].start,
                    end: items[i + c.last].end,
                    run: 1,
                })
                .collect::<Vec<_>>()
        });
        match decoded {
            Some(syllables) => {
                for it in syllables {
                    items[w] = it;
                    w += 1;
                }
            }
            None => {
                items.copy_within(i..j, w);
                w += len;
            }
        }
        i = j;
    }
    items.truncate(w);
}

/// Composes runs of compatibility jamo into syllables (`ㅅㅣㅂㅏㄹ` → `시발`), in place
/// (a run never composes to more characters than it has).
fn compose_jamo(items: &mut Vec<Item>) {
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
const STANDALONE_SYLLABLES: &[char] = &[
    '아', '와', '야', '어', '오', '이', '저', '그', '너', '나', '내', '제', '왜', '뭐', '좀', '더',
    '걍', '참', '꼭', '막', '잘', '안', '못', '다', '두', '세', '몇', '첫', '헐', '헉', '흠', '음',
    '응', '예', '네', '딱', '늘', '꽤', '곧', '좀', '쫌', '앗', '엥', '킹',
];

/// Largest number of inserted characters dropped between two Korean letters.
const MAX_HANGUL_GAP: usize = 2;

/// Drops short non-Korean insertions between Korean letters and joins spaced
/// one-letter Korean words.
fn join_hangul(items: &mut Vec<Item>) {
    let korean = |c: char| script_of(c).korean();
    if !items.iter().any(|it| korean(it.ch)) {
        return;
    }
    let n = items.len();
    let mut keep = vec![true; n];
    // (a) `시1발`, `시@발`, `병x신`: no space inside the gap.
    let mut i = 1;
    while i < n {
        if korean(items[i - 1].ch) && !korean(items[i].ch) && items[i].ch != ' ' {
            let mut j = i;
            while j < n && j - i < MAX_HANGUL_GAP + 1 && !korean(items[j].ch) && items[j].ch != ' '
            {
                j += 1;
            }
            if j < n && j - i <= MAX_HANGUL_GAP && korean(items[j].ch) {
                keep[i..j].fill(false);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    // (b) `병 신`: two or more one-letter Korean words separated by spaces/punctuation.
    let words: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut k = 0;
        while k < n {
            if keep[k] && items[k].ch != ' ' && is_word(items[k].ch) {
                let s = k;
                while k < n && (!keep[k] || (items[k].ch != ' ' && is_word(items[k].ch))) {
                    k += 1;
                }
                v.push((s, k));
            } else {
                k += 1;
            }
        }
        v
    };
    let single: Vec<bool> = words
        .iter()
        .map(|w| {
            let mut letters = (w.0..w.1).filter(|&k| keep[k]);
            matches!((letters.next(), letters.next()),
                (Some(k), None) if korean(items[k].ch) && !STANDALONE_SYLLABLES.contains(&items[k].ch))
        })
        .collect();
    let mut w = 0;
    while w < words.len() {
        if !single[w] {
            w += 1;
            continue;
        }
        let mut e = w;
        while e + 1 < words.len() && single[e + 1] && words[e + 1].0 - words[e].1 <= 3 {
            e += 1;
        }
        for pair in w..e {
            keep[words[pair].1..words[pair + 1].0].fill(false);
        }
        w = e + 1;
    }
    retain_kept(items, &keep);
}

/// Collapses runs of the same letter into one item carrying the run length.
fn collapse(items: &mut Vec<Item>) {
    items.dedup_by(|it, last| {
        let same = last.ch == it.ch && is_word(it.ch) && !is_numeric(it.ch);
        if same {
            last.end = it.end;
            last.run += 1;
        }
        same
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalize(s, Transforms::ALL).as_str().to_string()
    }

    #[test]
    fn case_and_compatibility_folding() {
        assert_eq!(n("HeLLo"), "helo");
        assert_eq!(n("ｆｕｃｋ"), "fuck");
        assert_eq!(n("𝐟𝐮𝐜𝐤"), "fuck");
        assert_eq!(n("ⓕⓤⓒⓚ"), "fuck");
    }

    #[test]
    fn confusables_fold_cyrillic_and_greek() {
        // Cyrillic а, е, о and Greek ο.
        assert_eq!(n("shіt"), "shit");
        assert_eq!(n("bаd wоrd"), "bad word");
        assert_eq!(n("ℊοοd"), "god");
    }

    #[test]
    fn invisible_and_marks_are_stripped() {
        assert_eq!(n("fu\u{200B}ck"), "fuck");
        assert_eq!(n("f\u{202E}uck"), "fuck");
        assert_eq!(n("f̸̡͕u̞̪c̴k"), "fuck");
        assert_eq!(n("café"), "cafe");
    }

    #[test]
    fn leetspeak_in_words_only() {
        assert_eq!(n("sh1t"), "shit");
        assert_eq!(n("$h!t"), "shit");
        assert_eq!(n("h3ll0"), "helo");
        assert_eq!(n("a$$"), "as");
        assert_eq!(n("hello!"), "helo!");
        assert_eq!(n("@name 100"), "@name 100");
    }

    #[test]
    fn leet_one_reads_as_l_where_english_has_an_l() {
        assert_eq!(n("45$ho1e"), "ashole");
        assert_eq!(normalize("45$ho1e", Transforms::ALL).all_runs()[1], 2);
        assert_eq!(n("s1ut"), "slut");
        assert_eq!(n("a55ho1e"), "ashole");
        assert_eq!(n("bu11sh1t"), "bulshit");
        assert_eq!(n("k1ll yourse1f"), "kil yourself");
        assert_eq!(n("c1it"), "clit");
        assert_eq!(n("1oser"), "loser");
        // ... and as `i` elsewhere.
        for (leet, plain) in [
            ("sh1t", "shit"),
            ("b1tch", "bitch"),
            ("d1e", "die"),
            ("n1gga", "niga"),
            ("su1c1de", "suicide"),
            ("1diot", "idiot"),
            ("p1ss", "pis"),
        ] {
            assert_eq!(n(leet), plain, "{leet}");
        }
    }

    #[test]
    fn leet_looks_through_invisible_characters() {
        assert_eq!(n("$\u{200B}L\u{200B}U\u{200B}T"), "slut");
        assert_eq!(n("T\u{200B}1\u{200B}T\u{200B}$"), "tits");
    }

    #[test]
    fn separators_inside_words() {
        assert_eq!(n("f.u.c.k"), "fuck");
        assert_eq!(n("f_u-c*k off"), "fuck of");
        assert_eq!(n("f u c k"), "fuck");
        assert_eq!(n("a cat"), "a cat");
        assert_eq!(n("hello, world"), "helo, world");
        assert_eq!(n("he'll"), "he'l");
    }

    #[test]
    fn repeats_collapse_with_runs() {
        let v = normalize("fuuuuck", Transforms::ALL);
        assert_eq!(v.as_str(), "fuck");
        assert_eq!(v.all_runs(), vec![1, 4, 1, 1]);
    }

    #[test]
    fn every_transform_can_be_switched_off() {
        let t = Transforms::NONE;
        assert_eq!(normalize("F.u  Ｕ3\u{200B}", t).as_str(), "F.u Ｕ3\u{200B}");
        let only_fold = Transforms {
            fold: true,
            ..Transforms::NONE
        };
        assert_eq!(normalize("ＦU", only_fold).as_str(), "fu");
    }

    fn without(f: impl Fn(&mut Transforms)) -> Transforms {
        let mut t = Transforms::ALL;
        f(&mut t);
        t
    }

    #[test]
    fn hangul_syllables_stay_composed_and_jamo_compose() {
        assert_eq!(n("시발"), "시발");
        assert_eq!(n("ㅅㅣㅂㅏㄹ"), "시발");
        assert_eq!(n("ㅅ ㅣ ㅂ ㅏ ㄹ"), "시발");
        // Conjoining jamo (NFD input) compose the same way.
        assert_eq!(n("\u{1109}\u{1175}\u{1107}\u{1161}\u{11AF}"), "시발");
        // Clusters split: ㅄ is ㅂ + ㅅ.
        assert_eq!(n("ㅄ"), "ㅂㅅ");
        assert_eq!(n("ㅋㅋㅋ"), "ㅋ");
        let off = without(|t| t.hangul = false);
        assert_ne!(normalize("ㅅㅣㅂㅏㄹ", off).as_str(), "시발");
    }

    #[test]
    fn hangul_spacing_drops_insertions_and_joins_spaced_syllables() {
        assert_eq!(n("시1발"), "시발");
        assert_eq!(n("시@발"), "시발");
        assert_eq!(n("시.발"), "시발");
        assert_eq!(n("시ab발"), "시발");
        assert_eq!(n("병 신"), "병신");
        assert_eq!(n("개 새 끼"), "개새끼");
        // Longer insertions and multi-syllable words are left alone.
        assert_eq!(n("이 시발놈아"), "이 시발놈아");
        assert_eq!(n("안녕 친구"), "안녕 친구");
        assert_eq!(n("나는game을"), "나는game을");
        let off = without(|t| t.hangul_spacing = false);
        assert_eq!(normalize("병 신", off).as_str(), "병 신");
    }

    #[test]
    fn keyboard_latin_mode_decodes_outside_english() {
        assert_eq!(n("tlqkf"), "시발");
        assert_eq!(n("ㅋㅋ qudtls 아"), "ㅋ 병신 아");
        assert_eq!(n("Tlqkf!"), "씨발!");
        // English words that would decode, leet, and one-syllable tokens stay Latin.
        assert_eq!(n("the aback"), "the aback");
        assert_eq!(n("tlqk4"), "tlqka");
        assert_eq!(n("sus"), "sus");
        let off = without(|t| t.keyboard = false);
        assert_eq!(normalize("tlqkf", off).as_str(), "tlqkf");
    }

    #[test]
    fn kana_folds_and_keeps_voicing() {
        assert_eq!(n("シネ"), "しね");
        assert_eq!(n("ｼﾈ"), "しね");
        assert_eq!(n("バカ"), "ばか");
        assert_eq!(n("ﾊﾞｶ"), "ばか");
        assert_ne!(n("ばか"), n("はか"));
        assert_eq!(n("ばーか"), "ばか");
        assert_eq!(n("死ーね"), "死ね");
        assert_eq!(n("しねぇ"), "しねえ");
        // Repeats collapse as in every script (`いい` → `い`, run 2).
        assert_eq!(n("今日はいい天気ですね"), "今日はい天気ですね");
        let off = without(|t| t.kana = false);
        assert_eq!(normalize("シネ", off).as_str(), "シネ");
    }

    #[test]
    fn east_asian_scripts_skip_confusables() {
        for s in ["死ね", "お前", "ควย", "병신", "ㅗ"] {
            assert_eq!(n(s), s);
        }
    }

    #[test]
    fn korean_and_japanese_map_back_to_original_bytes() {
        for (src, view, want) in [
            ("이 시1발 ok", "시발", "시1발"),
            ("qudtls 아", "병신", "qudtls"),
            ("ㅅㅣㅂㅏㄹ", "시발", "ㅅㅣㅂㅏㄹ"),
            ("おまえ ﾊﾞｶー!", "ばか", "ﾊﾞｶー"),
            ("병 신", "병신", "병 신"),
        ] {
            let v = normalize(src, Transforms::ALL);
            let at = v
                .as_str()
                .find(view)
                .unwrap_or_else(|| panic!("{src}: {}", v.as_str()));
            let (s, e) = v.source_span(at, at + view.len()).unwrap();
            assert_eq!(&src[s..e], want, "{src}");
        }
    }

    #[test]
    fn in_place_passes_keep_every_later_item_and_its_span() {
        let src = "qudtls tlqkf ㅅㅣㅂㅏㄹ f.u.c.k ok";
        let v = normalize(src, Transforms::ALL);
        assert_eq!(v.as_str(), "병신 시발 시발 fuck ok");
        let span = |at: usize, len: usize| {
            let (s, e) = v.source_span(at, at + len).unwrap();
            &src[s..e]
        };
        let t = v.as_str();
        assert_eq!(span(t.find("병신").unwrap(), "병신".len()), "qudtls");
        assert_eq!(span(t.find("시발").unwrap(), "시발".len()), "tlqkf");
        assert_eq!(span(t.rfind("시발").unwrap(), "시발".len()), "ㅅㅣㅂㅏㄹ");
        assert_eq!(span(t.find("fuck").unwrap(), 4), "f.u.c.k");
        assert_eq!(span(t.find("ok").unwrap(), 2), "ok");
    }

    #[test]
    fn letter_blocks_hold_no_invisible_character_but_the_hangul_filler() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            if all_letters(c) {
                assert_eq!(listed_invisible(c), c == '\u{3164}', "{c:?}");
            }
        }
        assert!(is_invisible('\u{3164}') && is_invisible('\u{200B}'));
    }

    #[test]
    fn map_back_to_original_bytes() {
        let src = "xx ｆ.u.u.c.k yy";
        let v = normalize(src, Transforms::ALL);
        let at = v.as_str().find("fuck").unwrap();
        let (s, e) = v.source_span(at, at + 4).unwrap();
        assert_eq!(&src[s..e], "ｆ.u.u.c.k");
    }
}
