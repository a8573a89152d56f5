//! A hand-written scanner for the envelope shape IVS actually writes.
//!
//! [`parse_into`] fills the same [`RawEnvelope`] the serde visitors build (every string
//! `Cow::Borrowed` from the input), so [`RawEnvelope::validate`] — and with it every
//! check and error message — is shared with the serde path. It handles only a strict
//! subset of JSON and says "not handled" (`false`) on anything else; the caller then
//! runs the serde path from scratch, so escapes, unknown fields, `null`s, numbers,
//! syntax errors and every other odd shape keep exactly the serde path's result.
//!
//! Handled (anything else is "not handled"):
//! - input valid UTF-8 (checked once up front); RFC 8259 whitespace (space, `\t`, `\n`,
//!   `\r`) around tokens, including before and after the object, nothing else after it;
//! - keys without a backslash; string values with the JSON escapes (`\"`, `\\`, `\/`,
//!   `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` and `\uXXXX\uXXXX` surrogate pairs),
//!   unescaped into an owned copy as serde_json does (borrowed when there is none); no
//!   control byte (< 0x20) in any string, no lone surrogate, no other escape;
//! - envelope keys `event_timestamp`, `type`, `version` (strings) and `payload` (object);
//! - payload keys `Type`, `Id`, `RequestId`, `EventName`, `Content`, `SendTime`
//!   (strings), `Attributes` (object of strings) and `Sender` (object with `UserId`, a
//!   string, and `Attributes`, an object of strings), in any order;
//! - each of those keys at most once per object (string maps may repeat keys: both
//!   paths build them with [`StrMap::from_pairs`] in input order).
//!
//! Pure: no I/O, no allocation but the string-map vectors and unescaped strings.

use std::borrow::Cow;

use super::raw::{RawEnvelope, RawPayload};
use super::StrMap;

/// Fills `env` (expected to be `RawEnvelope::default()`) from `bytes` when the input is
/// in the handled subset and returns `true`; returns `false` otherwise, leaving `env`
/// partly filled (the caller discards it and runs the serde path).
pub(super) fn parse_into<'a>(bytes: &'a [u8], env: &mut RawEnvelope<'a>) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut s = Scanner { text, i: 0 };
    s.envelope(env).is_some() && {
        s.ws();
        s.i == bytes.len()
    }
}

/// `None` means "not handled", never "invalid": it only ever sends the input to serde.
type Handled = Option<()>;

/// Marks `bit` in `seen`; not handled when it was already marked (a repeated key).
#[inline]
fn once(seen: &mut u8, bit: u8) -> Handled {
    if *seen & bit != 0 {
        return None;
    }
    *seen |= bit;
    Some(())
}

/// The index of the first `"`, `\\` or control byte (< 0x20) at or after `i`; `None`
/// when the input ends first.
///
/// Eight bytes at a time: the classic "has a byte equal to / less than" bit tricks.
/// Each mask's lowest set bit is exact (false positives only appear above a true
/// hit), so the lowest bit of their union is the first special byte.
#[inline(always)]
fn find_special(b: &[u8], mut i: usize) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const QUOTE: u64 = LO * b'"' as u64;
    const BACKSLASH: u64 = LO * b'\\' as u64;
    const SPACE: u64 = LO * 0x20;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().ok()?);
        let q = x ^ QUOTE;
        let e = x ^ BACKSLASH;
        let hits =
            (q.wrapping_sub(LO) & !q) | (e.wrapping_sub(LO) & !e) | (x.wrapping_sub(SPACE) & !x);
        let hits = hits & HI;
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The index of the closing `"` of a string whose content starts at `i`; `None` when a
/// backslash or a control byte (< 0x20) comes first, or the input ends.
#[inline(always)]
fn find_quote(b: &[u8], i: usize) -> Option<usize> {
    let j = find_special(b, i)?;
    (b[j] == b'"').then_some(j)
}

/// The escape starting with the backslash at `j`: the character and the bytes it takes.
/// `None` for an unknown escape, bad hex digits or a surrogate outside a valid pair
/// (serde_json rejects those; the serde path then says how).
fn unescape(b: &[u8], j: usize) -> Option<(char, usize)> {
    let c = match *b.get(j + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = hex4(b, j + 2)?;
            return match hi {
                0xD800..=0xDBFF => {
                    if b.get(j + 6..j + 8)? != b"\\u" {
                        return None;
                    }
                    let lo = hex4(b, j + 8)?;
                    if !(0xDC00..=0xDFFF).contains(&lo) {
                        return None;
                    }
                    let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                    Some((c, 12))
                }
                0xDC00..=0xDFFF => None,
                _ => char::from_u32(hi).map(|c| (c, 6)),
            };
        }
        _ => return None,
    };
    Some((c, 2))
}

/// Four hex digits (either case) at `i`.
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4)?
        .iter()
        .try_fold(0u32, |n, &c| Some(n * 16 + char::from(c).to_digit(16)?))
}

/// A cursor over the (UTF-8 checked) input.
struct Scanner<'a> {
    text: &'a str,
    i: usize,
}

impl<'a> Scanner<'a> {
    /// Skips JSON whitespace.
    #[inline]
    fn ws(&mut self) {
        let b = self.text.as_bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.text.as_bytes().get(self.i).copied()
    }

    /// Consumes `c` after whitespace.
    #[inline]
    fn eat(&mut self, c: u8) -> Handled {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Consumes the `"` that opens a string.
    #[inline(always)]
    fn open_quote(&mut self) -> Handled {
        // The usual case: the quote right here, no whitespace to skip.
        if self.text.as_bytes().get(self.i) == Some(&b'"') {
            self.i += 1;
            Some(())
        } else {
            self.eat(b'"')
        }
    }

    /// A string without escapes or control bytes, borrowed from the input.
    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        self.open_quote()?;
        let start = self.i;
        let end = find_quote(self.text.as_bytes(), start)?;
        self.i = end + 1;
        // Both ends sit next to an ASCII quote, so this is always a char boundary.
        self.text.get(start..end)
    }

    /// A string value, as the serde path stores it: borrowed from the input when it has
    /// no escape, else unescaped into an owned copy.
    #[inline(always)]
    fn value(&mut self) -> Option<Cow<'a, str>> {
        self.open_quote()?;
        let b = self.text.as_bytes();
        let start = self.i;
        let mut j = find_special(b, start)?;
        if b[j] == b'"' {
            self.i = j + 1;
            return self.text.get(start..j).map(Cow::Borrowed);
        }
        let mut out = String::with_capacity(j - start + 16);
        let mut from = start;
        loop {
            // Every cut is next to an ASCII byte, so always a char boundary.
            out.push_str(self.text.get(from..j)?);
            match b[j] {
                b'"' => {
                    self.i = j + 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    let (c, len) = unescape(b, j)?;
                    out.push(c);
                    from = j + len;
                }
                _ => return None,
            }
            j = find_special(b, from)?;
        }
    }

    /// A string value in the envelope's `Option` field shape.
    #[inline]
    fn str_value(&mut self) -> Option<Option<Cow<'a, str>>> {
        self.value().map(Some)
    }

    /// An object: calls `member` with each key, the cursor on its value.
    #[inline]
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Handled) -> Handled {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An object of string values, pairs in input order (as the serde `StrMap` visitor).
    fn str_map(&mut self) -> Option<StrMap<'a>> {
        let mut pairs = Vec::new();
        self.object(|s, k| {
            let v = s.value()?;
            pairs.push((Cow::Borrowed(k), v));
            Some(())
        })?;
        Some(StrMap::from_pairs(pairs))
    }

    /// The top-level object.
    fn envelope(&mut self, env: &mut RawEnvelope<'a>) -> Handled {
        let mut seen = 0u8;
        self.object(|s, k| {
            match k {
                "event_timestamp" => {
                    once(&mut seen, 1)?;
                    env.event_timestamp = s.str_value()?;
                }
                "type" => {
                    once(&mut seen, 2)?;
                    env.r#type = s.str_value()?;
                }
                "version" => {
                    once(&mut seen, 4)?;
                    env.version = s.str_value()?;
                }
                "payload" => {
                    once(&mut seen, 8)?;
                    s.payload(env.payload.insert(RawPayload::default()))?;
                }
                _ => return None,
            }
            Some(())
        })
    }

    /// The `payload` object.
    fn payload(&mut self, p: &mut RawPayload<'a>) -> Handled {
        let mut seen = 0u8;
        self.object(|s, k| {
            match k {
                "Type" => {
                    once(&mut seen, 1)?;
                    p.r#type = s.str_value()?;
                }
                "Id" => {
                    once(&mut seen, 2)?;
                    p.id = s.str_value()?;
                }
                "RequestId" => {
                    once(&mut seen, 4)?;
                    p.request_id = s.str_value()?;
                }
                "EventName" => {
                    once(&mut seen, 8)?;
                    p.event_name = s.str_value()?;
                }
                "Content" => {
                    once(&mut seen, 16)?;
                    p.content = s.str_value()?;
                }
                "SendTime" => {
                    once(&mut seen, 32)?;
                    p.send_time = s.str_value()?;
                }
                "Attributes" => {
                    once(&mut seen, 64)?;
                    p.attributes = Some(s.str_map()?);
                }
                "Sender" => {
                    once(&mut seen, 128)?;
                    s.sender(p)?;
                }
                _ => return None,
            }
            Some(())
        })
    }

    /// The `payload.Sender` object: like the serde path, it sets both sender fields
    /// (`None` when absent from the object).
    fn sender(&mut self, p: &mut RawPayload<'a>) -> Handled {
        let mut seen = 0u8;
        let (mut user_id, mut attributes) = (None, None);
        self.object(|s, k| {
            match k {
                "UserId" => {
                    once(&mut seen, 1)?;
                    user_id = s.str_value()?;
                }
                "Attributes" => {
                    once(&mut seen, 2)?;
                    attributes = Some(s.str_map()?);
                }
                _ => return None,
            }
            Some(())
        })?;
        p.sender_user_id = user_id;
        p.sender_attributes = attributes;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handled(s: &str) -> bool {
        parse_into(s.as_bytes(), &mut RawEnvelope::default())
    }

    #[test]
    fn find_quote_stops_at_the_first_special_byte() {
        for (s, want) in [
            ("\"", Some(0)),
            ("abc\"", Some(3)),
            ("abcdefgh\"", Some(8)),
            ("abcdefghijklmno\"x\"", Some(15)),
            ("abcdefg\\\"", None),
            ("abcdefghi\\\"", None),
            ("ab\u{1f}cdefghij\"", None),
            ("\u{7f}é😀 ~\"", Some(9)),
            ("abcdefghijkl", None),
            ("a\"\\", Some(1)),
            ("abcdefg\"\u{0}", Some(7)),
        ] {
            assert_eq!(find_quote(s.as_bytes(), 0), want, "{s:?}");
        }
        // Every position of a special byte in and across 8-byte chunks.
        for len in 0..20 {
            for (c, found) in [(b'"', true), (b'\\', false), (0x1f, false), (0, false)] {
                let mut v = vec![b'a'; len];
                v.push(c);
                v.extend_from_slice(b"zz\"");
                let want = if found { Some(len) } else { None };
                assert_eq!(find_quote(&v, 0), want, "{len} {c}");
            }
        }
    }

    #[test]
    fn handles_the_typical_shapes() {
        for s in [
            r#"{"event_timestamp":"2023-01-05T14:00:00.000Z","payload":{"Attributes":{},"Content":"message number 0 <3 what a play","Id":"m00000000000","RequestId":"","SendTime":"2023-01-05T14:00:00.000Z","Sender":{"Attributes":{"displayName":"Viewer 0"},"UserId":"user-0"},"Type":"MESSAGE"},"type":"MESSAGE","version":"1.0"}"#,
            r#"{"event_timestamp":"2023-01-05T14:00:01.742Z","payload":{"Attributes":{"MessageID":"m00000000099","Reason":"Spam"},"EventName":"aws:DELETE_MESSAGE","Id":"d00000000099","RequestId":"","SendTime":"2023-01-05T14:00:01.742Z","Type":"EVENT"},"type":"EVENT","version":"1.0"}"#,
            " \t{ \"payload\" : { \"Sender\" : { } , \"Attributes\":{\"a\":\"1\",\"a\":\"2\"} } }\r\n",
            "{}",
            r#"{"type":"é😀"}"#,
            // Escaped values (keys stay unescaped).
            r#"{"type":"a\"b","payload":{"Content":"\\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \u0000"}}"#,
            r#"{"payload":{"Attributes":{"q":"say \"hi\""},"Sender":{"UserId":"\u0041"}}}"#,
        ] {
            assert!(handled(s), "{s}");
        }
    }

    #[test]
    fn escaped_values_come_out_as_serde_json_reads_them() {
        for text in [
            r#"a\"b"#,
            r#"\\"#,
            r#"x\/y"#,
            r#"\b\f\n\r\t"#,
            r#"\u00E9\u00e9"#,
            r#"\ud83d\ude00!"#,
            r#"\u0000"#,
            r#"12345678\"12345678\"1234567"#,
        ] {
            let json = format!(r#"{{"type":"{text}"}}"#);
            let mut env = RawEnvelope::default();
            assert!(parse_into(json.as_bytes(), &mut env), "{json}");
            let want: String = serde_json::from_str(&format!(r#""{text}""#)).unwrap();
            assert_eq!(env.r#type.as_deref(), Some(want.as_str()), "{json}");
            assert!(matches!(env.r#type, Some(Cow::Owned(_))), "{json}");
        }
    }

    #[test]
    fn leaves_everything_else_to_serde() {
        for s in [
            "",
            "{",
            "{} x",
            "{}\u{c}",
            "\u{a0}{}",
            "[]",
            r#"{"typ\u0065":"a"}"#,
            r#"{"type":"\x"}"#,
            r#"{"type":"\u12"}"#,
            r#"{"type":"\u12g4"}"#,
            r#"{"type":"\ud83d"}"#,
            r#"{"type":"\ud83dx"}"#,
            r#"{"type":"\ud83d\u0041"}"#,
            r#"{"type":"\ude00"}"#,
            r#"{"type":"a\"#,
            "{\"type\":\"a\tb\"}",
            r#"{"type":null}"#,
            r#"{"type":1}"#,
            r#"{"type":"a","type":"b"}"#,
            r#"{"payload":null}"#,
            r#"{"payload":"x"}"#,
            r#"{"payload":{"Sender":{"UserId":"a"},"Sender":{}}}"#,
            r#"{"payload":{"Attributes":{"a":1}}}"#,
            r#"{"payload":{"Attributes":null}}"#,
            r#"{"payload":{"Sender":{"Ip":"1"}}}"#,
            r#"{"payload":{"Extra":"1"}}"#,
            r#"{"shard":"7"}"#,
            r#"{"type":"a",}"#,
            r#"{,"type":"a"}"#,
            r#"{"type" "a"}"#,
        ] {
            assert!(!handled(s), "{s}");
        }
        assert!(!parse_into(
            b"{\"type\":\"\xff\"}",
            &mut RawEnvelope::default()
        ));
    }
}
