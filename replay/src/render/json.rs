//! The JSON track: one entry per message/event with its offset into the video.
//!
//! ```json
//! {"format":"ivs-chat-replay","version":1,"duration_ms":8504,"entries":[
//! {"offset_ms":1500,"send_time":"2023-01-05T14:00:01.5Z","id":"m1","type":"message",
//!  "sender":{"user_id":"u1","display_name":"Ann","attributes":{"displayName":"Ann"}},
//!  "content":"hi","attributes":{}}
//! ]}
//! ```
//! `deleted`/`delete_reason` appear on deleted messages kept by `--deleted mark`,
//! `pinned_to_gap` on chat sent while the stream was down and pinned; events carry
//! `event_name` (and `target_user_id` for disconnects). One entry per line.

use std::io::{self, Write};

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::DisplayOptions;
use crate::align::Entry;
use crate::record::{Attrs, RecordKind};

#[derive(Serialize)]
struct SenderJson<'a> {
    user_id: Option<&'a str>,
    display_name: &'a str,
    attributes: &'a Attrs,
}

#[derive(Serialize)]
struct EntryJson<'a> {
    offset_ms: u64,
    send_time: String,
    id: &'a str,
    r#type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<SenderJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    attributes: &'a Attrs,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pinned_to_gap: bool,
}

/// RFC 3339 with the full precision of the input (nanoseconds when present).
fn rfc3339_nanos(ns: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| ns.to_string())
}

/// Writes one entry as a JSON object (no newline).
pub fn write_entry<W: Write>(w: &mut W, e: &Entry, opts: &DisplayOptions) -> io::Result<()> {
    let r = &e.record;
    let sender = (r.sender_user_id.is_some() || r.is_message()).then(|| SenderJson {
        user_id: r.sender_user_id.as_deref(),
        display_name: opts.display_name(e),
        attributes: &r.sender_attributes,
    });
    let j = EntryJson {
        offset_ms: e.offset_ms,
        send_time: rfc3339_nanos(r.send_time),
        id: &r.id,
        r#type: match r.kind {
            RecordKind::Message => "message",
            RecordKind::Event(_) => "event",
        },
        event_name: r.event_name(),
        sender,
        content: r.content.as_deref(),
        attributes: &r.attributes,
        target_user_id: r.target_user_id(),
        deleted: e.deleted.is_some(),
        delete_reason: e.deleted.as_deref().filter(|s| !s.is_empty()),
        pinned_to_gap: e.pinned_to_gap,
    };
    serde_json::to_writer(w, &j).map_err(io::Error::other)
}

/// Writes `"entries":[...]` members, one per line.
pub fn write_entries<W: Write>(
    w: &mut W,
    entries: &[Entry],
    opts: &DisplayOptions,
) -> io::Result<()> {
    w.write_all(b"\"entries\":[")?;
    for (i, e) in entries.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        write_entry(w, e, opts)?;
    }
    w.write_all(b"\n]")
}

/// Writes the whole JSON track.
pub fn write_track<W: Write>(
    w: &mut W,
    entries: &[Entry],
    duration_ms: Option<u64>,
    opts: &DisplayOptions,
) -> io::Result<()> {
    write!(
        w,
        "{{\"format\":\"ivs-chat-replay\",\"version\":1,\"duration_ms\":{},",
        json_opt(duration_ms)
    )?;
    write_entries(w, entries, opts)?;
    w.write_all(b"}\n")
}

/// `null` or the number.
pub(crate) fn json_opt(v: Option<u64>) -> String {
    v.map_or_else(|| "null".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::entry;

    #[test]
    fn track_is_valid_json_with_all_fields() {
        let mut e = vec![entry(1500, "m1"), entry(2000, "m2")];
        e[1].deleted = Some("Spam".into());
        e[1].pinned_to_gap = true;
        e[1].record.send_time += 123;
        let mut out = Vec::new();
        write_track(&mut out, &e, Some(9000), &DisplayOptions::default()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["duration_ms"], 9000);
        let a = &v["entries"][0];
        assert_eq!(a["offset_ms"], 1500);
        assert_eq!(a["send_time"], "2023-01-05T14:00:01.5Z");
        assert_eq!(a["sender"]["display_name"], "Ann");
        assert_eq!(a["sender"]["user_id"], "u1");
        assert_eq!(a["content"], "m1");
        assert_eq!(a["type"], "message");
        assert!(a.get("deleted").is_none());
        let b = &v["entries"][1];
        assert_eq!(
            (
                b["deleted"].as_bool(),
                b["delete_reason"].as_str(),
                b["pinned_to_gap"].as_bool()
            ),
            (Some(true), Some("Spam"), Some(true))
        );
        assert_eq!(b["send_time"], "2023-01-05T14:00:02.000000123Z");
    }
}
