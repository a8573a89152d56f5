//! Synthetic recordings and chat, for benchmarks and demos (deterministic, no I/O).

use std::sync::Arc;

use compact_str::format_compact;

use crate::record::{Attrs, ChatRecord, EventInfo, RecordKind};
use crate::timefmt::{format_rfc3339_ms, UnixNanos};

/// A media playlist of `segments` segments of `segment_ms` each starting at `start`,
/// with a discontinuity and a `gap_ms` hole (stream down) before segment `gap_at`.
pub fn playlist(
    start: UnixNanos,
    segments: usize,
    segment_ms: u64,
    gap_at: usize,
    gap_ms: u64,
) -> String {
    let mut s = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{}\n",
        segment_ms.div_ceil(1000)
    );
    let mut wall = start;
    for i in 0..segments {
        if i == gap_at && i > 0 {
            s.push_str("#EXT-X-DISCONTINUITY\n");
            wall += i64::try_from(gap_ms).unwrap_or(0) * 1_000_000;
        }
        s.push_str(&format!(
            "#EXT-X-PROGRAM-DATE-TIME:{}\n#EXTINF:{}.{:03},\n{i}.ts\n",
            format_rfc3339_ms(wall),
            segment_ms / 1000,
            segment_ms % 1000
        ));
        wall += i64::try_from(segment_ms).unwrap_or(0) * 1_000_000;
    }
    s.push_str("#EXT-X-ENDLIST\n");
    s
}

/// `n` chat messages spread evenly over `span_ms` from `start`, from 500 users, every
/// 100th one deleted by a later `aws:DELETE_MESSAGE` (not counted in `n`).
pub fn chat(n: usize, start: UnixNanos, span_ms: u64) -> Vec<ChatRecord> {
    let step =
        i64::try_from(span_ms).unwrap_or(0) * 1_000_000 / i64::try_from(n.max(1)).unwrap_or(1);
    let mut out = Vec::with_capacity(n + n / 100);
    let room: Arc<str> = Arc::from("room1");
    let viewers: Vec<Arc<Attrs>> = (0..500)
        .map(|u| {
            Arc::new(Attrs::from([(
                "displayName".to_owned(),
                format!("Viewer {u}"),
            )]))
        })
        .collect();
    for i in 0..n {
        let t = start + step * i64::try_from(i).unwrap_or(0);
        let user = i % 500;
        out.push(ChatRecord {
            kind: RecordKind::Message,
            id: format_compact!("m{i:011}"),
            send_time: t,
            sender_user_id: Some(format_compact!("user-{user}")),
            sender_attributes: Arc::clone(&viewers[user]),
            content: Some(format_compact!("message number {i} <3 what a play")),
            attributes: Attrs::new(),
            room: Some(Arc::clone(&room)),
        });
        if i % 100 == 99 {
            out.push(ChatRecord {
                kind: RecordKind::Event(Box::new(EventInfo {
                    name: crate::record::SystemEvent::DeleteMessage
                        .as_str()
                        .to_owned(),
                    target_message_id: Some(format!("m{i:011}")),
                    target_user_id: None,
                    reason: Some("Spam".to_owned()),
                })),
                id: format_compact!("d{i:011}"),
                send_time: t + 1_000_000_000,
                sender_user_id: None,
                sender_attributes: Arc::default(),
                content: None,
                attributes: Attrs::new(),
                room: Some(Arc::clone(&room)),
            });
        }
    }
    out
}

/// One raw IVS log envelope line for a record made by [`chat`].
pub fn envelope_line(r: &ChatRecord) -> String {
    let send = crate::timefmt::format_rfc3339_ms(r.send_time);
    let payload = match &r.kind {
        RecordKind::Message => serde_json::json!({
            "Type": "MESSAGE", "Id": r.id, "RequestId": "", "Content": r.content,
            "Attributes": r.attributes, "SendTime": send,
            "Sender": {"UserId": r.sender_user_id, "Attributes": *r.sender_attributes}
        }),
        RecordKind::Event(event) => serde_json::json!({
            "Type": "EVENT", "Id": r.id, "RequestId": "", "EventName": event.name, "SendTime": send,
            "Attributes": {"MessageID": event.target_message_id, "Reason": event.reason}
        }),
    };
    let kind = if r.is_message() { "MESSAGE" } else { "EVENT" };
    serde_json::json!({"event_timestamp": send, "type": kind, "version": "1.0", "payload": payload})
        .to_string()
}
