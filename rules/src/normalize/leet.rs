//! Leetspeak: when a digit or symbol stands for a letter, and which one.

use unicode_normalization::char::is_combining_mark;

use super::chars::{is_invisible, is_space, is_word};
use crate::script::{is_alphabetic, is_numeric};

/// The original text, read around one character by byte position: leetspeak decides
/// from a character's neighbours, and only leet characters ask (most messages never do),
/// so no per-character index of the text is built.
#[derive(Debug, Clone, Copy)]
pub(super) struct Around<'a>(pub(super) &'a str);

impl Around<'_> {
    /// The character starting at byte `pos`.
    fn at(self, pos: usize) -> Option<char> {
        self.0.get(pos..)?.chars().next()
    }

    /// The character before the one at `pos` (`forward = false`) or after it, with its
    /// byte position.
    fn step(self, pos: usize, forward: bool) -> Option<(usize, char)> {
        if forward {
            let next = pos + self.at(pos)?.len_utf8();
            Some((next, self.at(next)?))
        } else {
            let c = self.0.get(..pos)?.chars().next_back()?;
            Some((pos - c.len_utf8(), c))
        }
    }
}

/// Whether the whitespace-delimited token around a character contains a letter (a digit
/// reads as a letter only there), found on first use for each token: leet characters
/// are rare, so most tokens never ask. Asked with non-decreasing positions, each token is
/// scanned once.
#[derive(Debug, Default)]
pub(super) struct TokenLetters {
    /// End (exclusive byte position) of the token last scanned, and its answer.
    end: usize,
    any: bool,
}

impl TokenLetters {
    /// The answer for the token of the character at byte `pos` (`false` for whitespace).
    pub(super) fn at(&mut self, text: Around<'_>, pos: usize) -> bool {
        if text.at(pos).is_none_or(is_space) {
            return false;
        }
        if pos >= self.end {
            let src = text.0;
            let start = src[..pos]
                .char_indices()
                .rev()
                .find(|&(_, c)| is_space(c))
                .map_or(0, |(p, c)| p + c.len_utf8());
            let end = src[pos..]
                .char_indices()
                .find(|&(_, c)| is_space(c))
                .map_or(src.len(), |(p, _)| pos + p);
            self.any = src[start..end]
                .chars()
                .any(|c| is_word(c) && !is_numeric(c));
            self.end = end;
        }
        self.any
    }
}

pub(super) fn leet_letter(c: char) -> Option<char> {
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

/// Byte position of the nearest character before (`forward = false`) or after `pos` that
/// is neither invisible nor a combining mark: `$\u{200B}L` and `s̸1ut` read as `$L`,
/// `s1ut`.
fn neighbour(text: Around<'_>, pos: usize, forward: bool) -> Option<usize> {
    let mut p = pos;
    loop {
        let (q, d) = text.step(p, forward)?;
        if !(is_invisible(d) || is_combining_mark(d)) {
            return Some(q);
        }
        p = q;
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
fn one_reads_as_l(text: Around<'_>, pos: usize) -> bool {
    let at = |j: Option<usize>| j.and_then(|j| text.at(j)).map(looks_like);
    let is_vowel = |c: Option<char>| c.is_some_and(|c| "aeiou".contains(c));
    let is_consonant =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic() && !"aeiou".contains(c));
    let p = neighbour(text, pos, false);
    let prev = at(p);
    let next = at(neighbour(text, pos, true));
    let letterish = |c: Option<char>| c.is_some_and(|c| is_alphabetic(c) || c == '1');
    match prev {
        Some('l') => true,
        Some('1') => is_vowel(at(p.and_then(|p| neighbour(text, p, false)))),
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

/// The letter the leet character `c` at byte `pos` stands for (see [`one_reads_as_l`]
/// for `1`).
pub(super) fn leet_letter_at(text: Around<'_>, pos: usize, c: char) -> Option<char> {
    if c == '1' && one_reads_as_l(text, pos) {
        return Some('l');
    }
    leet_letter(c)
}

/// Whether the leet character at byte `pos` of `text` should be read as a letter.
pub(super) fn leet_applies(text: Around<'_>, pos: usize, token_has_letter: bool) -> bool {
    let Some(c) = text.at(pos) else {
        return false;
    };
    if !token_has_letter {
        return false;
    }
    if c.is_ascii_digit() {
        return true;
    }
    let is_wordish = |j: Option<usize>| {
        j.and_then(|j| text.at(j))
            .is_some_and(|d| is_alphabetic(d) || (leet_letter(d).is_some() && d != c))
    };
    let (before, after) = (neighbour(text, pos, false), neighbour(text, pos, true));
    let prev = is_wordish(before);
    let next = is_wordish(after);
    match c {
        // `@name` is a mention; `a@` ... only inside or after a letter.
        '@' => prev,
        '$' => {
            let near = |j: Option<usize>| {
                j.and_then(|j| text.at(j))
                    .is_some_and(|d| d == '$' || is_alphabetic(d))
            };
            prev || next || near(before) || near(after)
        }
        _ => prev && next,
    }
}
