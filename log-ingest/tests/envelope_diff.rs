//! Differential tests: `parse_envelope_fields` (fast scanner, serde fallback) gives
//! exactly what the serde-only path gives — the same fields (and the same borrowed or
//! owned strings) or the same error text — on envelope-shaped JSON with random key
//! orders, string contents (escapes, unicode, control bytes, quotes), unknown keys,
//! nulls, numbers, duplicates, whitespace, truncation and byte edits.

use std::borrow::Cow;

use log_ingest::envelope::{
    fast_path_handles, parse_envelope_fields, parse_envelope_fields_serde, ParsedEnvelope,
};
use proptest::prelude::*;

mod common;

use common::mutate;

/// A small deterministic generator (splitmix64) driven by a proptest seed, with a
/// per-envelope noise level (0, 10 or 100 %) scaling how often anything odd happens.
struct Gen {
    state: u64,
    noise: u64,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut g = Gen {
            state: seed,
            noise: 0,
        };
        g.noise = [0, 10, 100][g.below(3)];
        g
    }
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    /// Something odd, with probability `pct` percent scaled by the noise level.
    fn odd(&mut self, pct: u64) -> bool {
        self.next() % 10_000 < pct * self.noise
    }
    /// One of `good`, or (something odd) one of `bad`.
    fn good_or_bad<'a>(&mut self, good: &[&'a str], bad: &[&'a str]) -> &'a str {
        if self.odd(5) {
            self.pick(bad)
        } else {
            self.pick(good)
        }
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Whitespace between tokens: mostly none, sometimes JSON whitespace, rarely not-JSON.
fn ws(g: &mut Gen) -> &'static str {
    if g.odd(3) {
        return g.pick(&["\u{c}", "\u{a0}", "\u{b}", "\u{0}"]);
    }
    if g.chance(85) {
        return "";
    }
    g.pick(&[" ", "\t", "\n", "\r", " \r\n\t "])
}

/// Raw text between a string's quotes, most of it valid, some of it not.
fn str_body(g: &mut Gen) -> String {
    let mut s = String::new();
    for _ in 0..g.below(6) {
        s.push_str(g.pick(&[
            "abc",
            "message number 0 <3 what a play",
            "é",
            "😀",
            "中文",
            "\\\"",
            "\\\\",
            "\\n",
            "\\/",
            "\\u00e9",
            "\\ud83d\\ude00",
            "\\uDBFF\\uDFFF",
            "\\u00C9\\u00c9",
            "\\ud83d\\u0041",
            "\\udc00",
            "\\u12",
            "\\u12g4",
            "\\b\\f\\r\\t",
            "\\ud83d",
            "\\u0000",
            "\\x",
            "\u{1}",
            "\t",
            "\u{1f}",
            "\u{7f}",
            "\"",
            " ",
            "aws:DELETE_MESSAGE",
            "MessageID",
            "2023-01-05T14:00:00.000Z",
            "1.0",
            "MESSAGE",
            "EVENT",
            "",
        ]));
    }
    s
}

/// A string literal: usually `typical`, sometimes random content.
fn string_lit(g: &mut Gen, typical: &str) -> String {
    if !g.odd(20) {
        format!("\"{typical}\"")
    } else {
        format!("\"{}\"", str_body(g))
    }
}

/// A value of some other JSON kind than expected.
fn other_value(g: &mut Gen) -> String {
    g.pick(&[
        "null",
        "0",
        "-1.5e3",
        "true",
        "false",
        "[]",
        "[1,\"a\",null]",
        "{}",
        "{\"a\":1}",
        "{\"a\":{\"b\":[]}}",
        "\"\"",
        "nul",
        "01",
    ])
    .to_string()
}

/// A key: `known`, sometimes with an escaped first letter (same key after unescaping).
fn key_lit(g: &mut Gen, known: &str) -> String {
    if g.odd(4) && !known.is_empty() {
        let mut chars = known.chars();
        let first = chars.next().unwrap_or('a');
        format!("\"\\u{:04x}{}\"", first as u32, chars.as_str())
    } else {
        format!("\"{known}\"")
    }
}

/// An object from `(key, value generator)` members: shuffled, some dropped, some
/// repeated, some unknown keys added; whitespace anywhere.
fn object(g: &mut Gen, members: &[(String, String)], unknown: &[&str]) -> String {
    let mut chosen: Vec<(String, String)> = Vec::new();
    for m in members.iter() {
        if !g.odd(10) {
            chosen.push(m.clone());
        }
    }
    if g.odd(8) && !members.is_empty() {
        let i = g.below(members.len());
        chosen.push(members[i].clone());
    }
    if g.odd(10) {
        let k = g.pick(unknown);
        let v = if g.chance(50) {
            format!("\"{}\"", str_body(g))
        } else {
            other_value(g)
        };
        chosen.push((format!("\"{k}\""), v));
    }
    // Shuffle (Fisher-Yates), but often keep the writer's order.
    if g.chance(50) {
        for i in (1..chosen.len()).rev() {
            let j = g.below(i + 1);
            chosen.swap(i, j);
        }
    }
    let mut out = String::from("{");
    out.push_str(ws(g));
    for (i, (k, v)) in chosen.iter().enumerate() {
        if i > 0 {
            out.push_str(ws(g));
            out.push(',');
            out.push_str(ws(g));
        }
        out.push_str(k);
        out.push_str(ws(g));
        out.push(':');
        out.push_str(ws(g));
        out.push_str(v);
    }
    out.push_str(ws(g));
    if g.odd(2) {
        out.push(',');
    }
    out.push('}');
    out
}

/// An object of string values (`Attributes`), or sometimes another kind of value.
fn str_map(g: &mut Gen, msg_id: &str) -> String {
    if g.odd(8) {
        return other_value(g);
    }
    let mut members = Vec::new();
    for _ in 0..g.below(5) {
        let k = g.pick(&[
            "MessageID",
            "MessageId",
            "Reason",
            "UserId",
            "displayName",
            "a",
            "b",
            "",
        ]);
        let v = if !g.odd(10) {
            let typical = match k {
                "MessageID" | "MessageId" => msg_id,
                "Reason" => "Spam",
                "UserId" => "user-7",
                _ => "Viewer 0",
            };
            string_lit(g, typical)
        } else {
            other_value(g)
        };
        members.push((key_lit(g, k), v));
    }
    object(g, &members, &["x"])
}

/// One envelope-shaped JSON text.
fn envelope(g: &mut Gen) -> String {
    let event = g.chance(40);
    let ty = if event { "EVENT" } else { "MESSAGE" };
    let ts = g.good_or_bad(
        &[
            "2023-01-05T14:00:00.000Z",
            "2023-01-05T14:00:01.742Z",
            "2023-01-05T14:33:32.894089757Z",
            "2022-10-14T17:40:00.1+02:00",
        ],
        &["2023-02-30T14:00:00Z", "yesterday", ""],
    );
    let send = g.good_or_bad(
        &["2023-01-05T14:00:00.000Z", "2023-01-05T14:33:32.894089757Z"],
        &["2023-01-05T14:00:00"],
    );
    let val = |g: &mut Gen, typical: &str| {
        if !g.odd(7) {
            string_lit(g, typical)
        } else {
            other_value(g)
        }
    };
    let sender = vec![
        (key_lit(g, "UserId"), val(g, "user-0")),
        (key_lit(g, "Attributes"), str_map(g, "m1")),
    ];
    let sender = if !g.odd(8) {
        object(g, &sender, &["Ip", "userid"])
    } else {
        other_value(g)
    };
    let event_name = g.good_or_bad(
        &["aws:DELETE_MESSAGE", "aws:DISCONNECT_USER", "app:poll"],
        &[""],
    );
    let payload_type = if !g.odd(5) {
        ty
    } else {
        g.pick(&["MESSAGE", "EVENT", "CHAT"])
    };
    let id = g.good_or_bad(&["m00000000000", "d00000000099"], &[""]);
    let mut payload = vec![
        (key_lit(g, "Type"), val(g, payload_type)),
        (key_lit(g, "Id"), val(g, id)),
        (key_lit(g, "RequestId"), val(g, "")),
        (key_lit(g, "SendTime"), val(g, send)),
        (key_lit(g, "Attributes"), str_map(g, "m00000000099")),
    ];
    if event {
        payload.push((key_lit(g, "EventName"), val(g, event_name)));
    } else {
        payload.push((
            key_lit(g, "Content"),
            val(g, "message number 0 <3 what a play"),
        ));
        payload.push((key_lit(g, "Sender"), sender));
    }
    let payload = if !g.odd(6) {
        object(g, &payload, &["Extra", "Nested", "type", ""])
    } else {
        other_value(g)
    };
    let version = g.good_or_bad(&["1.0", "1.0", "1", "1.12"], &["2.0", "1.", ""]);
    let env = vec![
        (key_lit(g, "event_timestamp"), val(g, ts)),
        (key_lit(g, "type"), val(g, ty)),
        (key_lit(g, "version"), val(g, version)),
        (key_lit(g, "payload"), payload),
    ];
    format!(
        "{}{}{}",
        ws(g),
        object(g, &env, &["shard", "Type", "event_timestamp2"]),
        ws(g)
    )
}

/// Whether each string field is borrowed: the fast path must borrow where serde does.
fn borrowed(p: &ParsedEnvelope<'_>) -> Vec<bool> {
    fn b(c: Option<&Cow<'_, str>>) -> bool {
        matches!(c, Some(Cow::Borrowed(_)))
    }
    vec![
        b(Some(&p.version)),
        b(Some(&p.id)),
        b(p.request_id.as_ref()),
        b(p.event_name.as_ref()),
        b(p.content.as_ref()),
        b(p.sender_user_id.as_ref()),
        b(p.target_message_id.as_ref()),
        b(p.target_user_id.as_ref()),
        b(p.reason.as_ref()),
    ]
}

/// Asserts the two paths agree on `input`; returns whether the fast path took it.
fn check(input: &[u8]) -> Result<bool, TestCaseError> {
    // Errors compared by their full text: the quarantine reason both paths must give.
    let fast = parse_envelope_fields(input).map_err(|e| e.to_string());
    let serde = parse_envelope_fields_serde(input).map_err(|e| e.to_string());
    prop_assert_eq!(&fast, &serde, "input {:?}", String::from_utf8_lossy(input));
    if let (Ok(f), Ok(s)) = (&fast, &serde) {
        prop_assert_eq!(
            borrowed(f),
            borrowed(s),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
    Ok(fast_path_handles(input))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn fast_path_matches_serde_on_generated_envelopes(seed in any::<u64>()) {
        let text = envelope(&mut Gen::new(seed));
        check(text.as_bytes())?;
    }

    #[test]
    fn fast_path_matches_serde_after_truncation_and_byte_edits(
        seed in any::<u64>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..5),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let text = envelope(&mut Gen::new(seed));
        let mut bytes = mutate(text.as_bytes(), &edits);
        if let Some(c) = cut {
            bytes.truncate(c % (bytes.len() + 1));
        }
        check(&bytes)?;
    }
}

/// The generator must exercise both paths and both outcomes, or the tests above prove
/// little: count over a fixed set of seeds.
#[test]
fn generator_covers_fast_and_fallback_ok_and_err() {
    let (mut fast_ok, mut fast_err, mut slow_ok, mut slow_err) = (0, 0, 0, 0);
    let mut fast_escaped = 0;
    for seed in 0..5000 {
        let text = envelope(&mut Gen::new(seed));
        let handled = check(text.as_bytes()).unwrap();
        fast_escaped += usize::from(handled && text.contains('\\'));
        match (handled, parse_envelope_fields(text.as_bytes()).is_ok()) {
            (true, true) => fast_ok += 1,
            (true, false) => fast_err += 1,
            (false, true) => slow_ok += 1,
            (false, false) => slow_err += 1,
        }
    }
    let counts = (fast_ok, fast_err, slow_ok, slow_err);
    // String values with escapes are unescaped by the fast path too.
    assert!(fast_escaped > 40, "{fast_escaped} {counts:?}");
    assert!(fast_ok > 1000, "{counts:?}");
    assert!(fast_err > 100, "{counts:?}");
    assert!(slow_ok > 50, "{counts:?}");
    assert!(slow_err > 1000, "{counts:?}");
}

/// The shape IVS writes takes the fast path (it must not silently always fall back).
#[test]
fn typical_lines_take_the_fast_path() {
    for line in [
        r#"{"event_timestamp":"2023-01-05T14:00:00.000Z","payload":{"Attributes":{},"Content":"message number 0 <3 what a play","Id":"m00000000000","RequestId":"","SendTime":"2023-01-05T14:00:00.000Z","Sender":{"Attributes":{"displayName":"Viewer 0"},"UserId":"user-0"},"Type":"MESSAGE"},"type":"MESSAGE","version":"1.0"}"#,
        r#"{"event_timestamp":"2023-01-05T14:00:01.742Z","payload":{"Attributes":{"MessageID":"m00000000099","Reason":"Spam"},"EventName":"aws:DELETE_MESSAGE","Id":"d00000000099","RequestId":"","SendTime":"2023-01-05T14:00:01.742Z","Type":"EVENT"},"type":"EVENT","version":"1.0"}"#,
        r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Content":"bbiab!","Attributes":{"username":"gleningp"},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{"UserId":"75758272-x","Attributes":{}}}}"#,
        r#"{"event_timestamp":"2023-01-05T14:40:00.000Z","type":"EVENT","version":"1.0","payload":{"Type":"EVENT","Id":"EvT000000001","RequestId":"req-1","EventName":"aws:DISCONNECT_USER","SendTime":"2023-01-05T14:40:00.000000001Z","Attributes":{"UserId":"u-9","Reason":"abuse"}}}"#,
    ] {
        assert!(fast_path_handles(line.as_bytes()), "{line}");
        let with_newline = format!("{line}\n");
        assert!(fast_path_handles(with_newline.as_bytes()));
        let fields = parse_envelope_fields(line.as_bytes()).unwrap();
        assert_eq!(
            Ok(fields.clone()),
            parse_envelope_fields_serde(line.as_bytes()).map_err(|e| e.to_string())
        );
        assert!(matches!(fields.id, Cow::Borrowed(_)));
        assert!(matches!(fields.version, Cow::Borrowed(_)));
    }
}

/// Shapes the serde path treats specially, compared one by one.
#[test]
fn edge_shapes_agree() {
    for s in [
        "{}",
        " {} ",
        r#"{"payload":{}}"#,
        r#"{"payload":null}"#,
        r#"{"event_timestamp":"2023-01-05T14:00:00.000Z","type":"MESSAGE","version":"1.0","payload":{"Id":"x","Content":"","Sender":{}}}"#,
        r#"{"event_timestamp":"2023-01-05T14:00:00.000Z","type":"MESSAGE","version":"1.0","payload":{"Id":"x","Content":"","Sender":{"UserId":"u"},"Sender":{}}}"#,
        r#"{"event_timestamp":"2023-01-05T14:00:00.000Z","type":"MESSAGE","version":"1.0","payload":{"Id":"x","Content":"a","Content":"b"}}"#,
        r#"{"event_timestamp":"2023-01-05T14:00:00.000Z","type":"EVENT","version":"1.0","payload":{"Id":"x","EventName":"aws:DELETE_MESSAGE","Attributes":{"MessageId":"a","MessageID":"b","MessageId":"c"}}}"#,
        r#"{"event_timestamp":"2023-01-05T14:00:00.000Z","type":"MESSAGE","version":"1.0","payload":{"Id":"x","Content":"é😀\u00e9"}}"#,
    ] {
        check(s.as_bytes()).unwrap();
    }
}
