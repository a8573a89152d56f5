//! Streaming readers on every object quirk: gzip members, CRLF, blank lines, caps,
//! truncated/corrupt gzip, empty objects, concatenated JSON.

use std::io::{Cursor, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use log_ingest::readers::{decode, Encoding, JsonValueItems, LineItems};
use log_ingest::{Item, SourceContext};

fn env(id: &str, content: &str) -> String {
    format!(
        r#"{{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{{"Type":"MESSAGE","Id":"{id}","RequestId":"","Content":"{content}","Attributes":{{}},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{{"UserId":"u1","Attributes":{{}}}}}}}}"#
    )
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn lines(bytes: Vec<u8>, cap: usize) -> (Vec<Item>, Encoding) {
    let (r, enc) = decode(Cursor::new(bytes)).unwrap();
    (
        LineItems::new(r, SourceContext::named("src"), cap).collect(),
        enc,
    )
}

fn values(bytes: Vec<u8>, cap: usize) -> Vec<Item> {
    let (r, _) = decode(Cursor::new(bytes)).unwrap();
    JsonValueItems::new(r, SourceContext::named("src"), cap).collect()
}

fn ids(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Record(r) => Some(r.id.clone()),
            Item::Quarantined(_) => None,
        })
        .collect()
}

fn reasons(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Quarantined(q) => Some(q.reason.clone()),
            Item::Record(_) => None,
        })
        .collect()
}

#[test]
fn multi_member_gzip_crlf_blank_lines_and_line_numbers() {
    let mut obj = gz(format!("{}\r\n\n{}\n", env("a1", "x"), env("a2", "y")).as_bytes());
    obj.extend(gz(format!("   \n{}", env("a3", "z")).as_bytes()));
    let (items, enc) = lines(obj, 1 << 20);
    assert_eq!(enc, Encoding::Gzip);
    assert_eq!(ids(&items), ["a1", "a2", "a3"]);
    let line_of = |n: usize| match &items[n] {
        Item::Record(r) => r.source_line,
        Item::Quarantined(q) => q.line,
    };
    assert_eq!(
        (line_of(0), line_of(1), line_of(2)),
        (Some(1), Some(3), Some(5))
    );
}

#[test]
fn plain_text_object_is_read_too() {
    let (items, enc) = lines(format!("{}\n", env("p1", "x")).into_bytes(), 1 << 20);
    assert_eq!(enc, Encoding::Plain);
    assert_eq!(ids(&items), ["p1"]);
}

#[test]
fn overlong_line_is_capped_and_the_next_line_still_read() {
    let long = env("big", &"x".repeat(5000));
    let (items, _) = lines(gz(format!("{long}\n{}\n", env("ok", "y")).as_bytes()), 1000);
    assert_eq!(ids(&items), ["ok"]);
    let r = reasons(&items);
    assert_eq!(r.len(), 1);
    assert!(r[0].contains("exceeds the 1000-byte limit"), "{r:?}");
    match &items[0] {
        Item::Quarantined(q) => {
            assert_eq!(q.raw_len as usize, long.len());
            assert!(q.raw_truncated);
            assert_eq!(q.line, Some(1));
        }
        Item::Record(_) => panic!("expected quarantine first"),
    }
}

#[test]
fn bad_lines_are_quarantined_with_line_numbers_and_the_rest_kept() {
    let text = format!(
        "{}\nnot json\n{{\"a\":1}}\n{}\n",
        env("g1", "x"),
        env("g2", "y")
    );
    let (items, _) = lines(gz(text.as_bytes()), 1 << 20);
    assert_eq!(items.len(), 4);
    assert_eq!(ids(&items), ["g1", "g2"]);
    let qs: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Quarantined(q) => Some((q.line, q.raw.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        qs,
        [
            (Some(2), "not json".to_string()),
            (Some(3), "{\"a\":1}".to_string())
        ]
    );
}

#[test]
fn truncated_gzip_keeps_what_was_read_and_quarantines_the_remainder() {
    let text: String = (0..200)
        .map(|i| env(&format!("t{i:03}"), "hello there") + "\n")
        .collect();
    let full = gz(text.as_bytes());
    let cut = full[..full.len() / 2].to_vec();
    let (items, _) = lines(cut, 1 << 20);
    let got = ids(&items);
    assert!(
        !got.is_empty() && got.len() < 200,
        "some records before the cut: {}",
        got.len()
    );
    assert_eq!(got[0], "t000");
    let r = reasons(&items);
    assert_eq!(r.len(), 1, "exactly one tail entry: {r:?}");
    assert!(r[0].contains("unreadable remainder"), "{r:?}");
    assert!(matches!(items.last(), Some(Item::Quarantined(_))));
}

#[test]
fn corrupt_gzip_is_quarantined_not_panicking() {
    let text: String = (0..200)
        .map(|i| env(&format!("c{i:03}"), "hello") + "\n")
        .collect();
    let mut obj = gz(text.as_bytes());
    let mid = obj.len() / 2;
    for b in &mut obj[mid..mid + 16] {
        *b ^= 0x5a;
    }
    let (items, _) = lines(obj, 1 << 20);
    let r = reasons(&items);
    assert!(!r.is_empty(), "corruption must be reported");
    assert!(
        r.iter()
            .any(|r| r.contains("unreadable remainder") || r.contains("not valid JSON")),
        "{r:?}"
    );
}

#[test]
fn empty_objects_are_reported() {
    for obj in [Vec::new(), gz(b"")] {
        let (items, _) = lines(obj, 1 << 20);
        assert_eq!(items.len(), 1);
        assert!(reasons(&items)[0].starts_with("empty object"));
    }
    assert!(reasons(&values(Vec::new(), 1 << 20))[0].starts_with("empty object"));
}

#[test]
fn firehose_concatenated_values_with_and_without_separators() {
    let no_sep = format!(
        "{}{}{}",
        env("f1", "a}b{"),
        env("f2", "q\\\"}"),
        env("f3", "c")
    );
    for obj in [
        no_sep.clone().into_bytes(),
        gz(no_sep.as_bytes()),
        format!(
            "{}\n{}\r\n {}\n",
            env("f1", "a"),
            env("f2", "b"),
            env("f3", "c")
        )
        .into_bytes(),
    ] {
        let items = values(obj, 1 << 20);
        assert_eq!(ids(&items), ["f1", "f2", "f3"]);
    }
    let items = values(no_sep.into_bytes(), 1 << 20);
    match &items[1] {
        Item::Record(r) => {
            assert_eq!(r.source_offset, Some(env("f1", "a}b{").len() as u64));
            assert_eq!(
                r.content.as_deref(),
                Some("q\\\"}".replace("\\\"", "\"").as_str())
            );
        }
        Item::Quarantined(q) => panic!("{q:?}"),
    }
}

#[test]
fn firehose_garbage_truncation_and_oversize() {
    let obj = format!(
        "{}garbage here\n{}{}{{\"event_timestamp\":\"2023",
        env("h1", "a"),
        env("h2", "b"),
        env("big", &"x".repeat(3000))
    );
    let items = values(obj.into_bytes(), 1000);
    assert_eq!(ids(&items), ["h1", "h2"]);
    let r = reasons(&items);
    assert_eq!(r.len(), 3, "{r:?}");
    assert!(r[0].starts_with("not a JSON object"));
    assert!(r[1].contains("exceeds the 1000-byte limit"));
    assert!(r[2].starts_with("truncated JSON value"));
}
