//! The deterministic bench inputs. Their bytes are fixed (the READMEs quote md5 sums of
//! what `replay`'s `gen_bench` and `log-ingest`'s `gen_corpus` write): change them only
//! on purpose, and re-measure.

use std::io::Write;

use serde_json::json;

use super::envelope::{Event, Message};
use super::objects::s3_key_at;
use super::rng::Rng;
use super::time::{nanos, rfc3339, Precision, NANOS_PER_MS};

/// A media playlist of `segments` segments of `segment_ms` each starting at `start`
/// (ns), with a discontinuity and a `gap_ms` hole (stream down) before segment `gap_at`.
pub fn playlist(
    start: i64,
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
            wall += i64::try_from(gap_ms).unwrap_or(0) * NANOS_PER_MS;
        }
        s.push_str(&format!(
            "#EXT-X-PROGRAM-DATE-TIME:{}\n#EXTINF:{}.{:03},\n{i}.ts\n",
            rfc3339(wall, Precision::Millis),
            segment_ms / 1000,
            segment_ms % 1000
        ));
        wall += i64::try_from(segment_ms).unwrap_or(0) * NANOS_PER_MS;
    }
    s.push_str("#EXT-X-ENDLIST\n");
    s
}

/// `events/recording-ended.json` of the 2 h 5 min bench recording starting at `start`
/// (one 720p rendition, `media/hls/720p30/playlist.m3u8`).
pub fn recording_ended(start: i64) -> String {
    format!(
        r#"{{"version":"v1","channel_arn":"arn:aws:ivs:us-west-2:1:channel/bench","recording_started_at":"{}",
"recording_ended_at":"2023-01-05T16:05:00Z","recording_status":"RECORDING_ENDED","recording_status_message":"",
"media":{{"hls":{{"duration_ms":7200000,"path":"media/hls","playlist":"master.m3u8",
"renditions":[{{"path":"720p30","playlist":"playlist.m3u8","resolution_width":1280,"resolution_height":720}}]}}}}}}"#,
        rfc3339(start, Precision::Millis)
    )
}

/// The bench chat as raw IVS log lines: `n` messages spread evenly over `span_ms` from
/// `start` (ns), from 500 users, every 100th one deleted 1 s later by an
/// `aws:DELETE_MESSAGE` (not counted in `n`). Timestamps in ms.
pub fn chat_lines(n: usize, start: i64, span_ms: u64) -> impl Iterator<Item = String> {
    let step =
        i64::try_from(span_ms).unwrap_or(0) * NANOS_PER_MS / i64::try_from(n.max(1)).unwrap_or(1);
    let no_attributes = json!({});
    let viewers: Vec<serde_json::Value> = (0..500)
        .map(|u| json!({ "displayName": format!("Viewer {u}") }))
        .collect();
    (0..n).flat_map(move |i| {
        let t = start + step * i64::try_from(i).unwrap_or(0);
        let ts = rfc3339(t, Precision::Millis);
        let (id, user) = (format!("m{i:011}"), format!("user-{}", i % 500));
        let message = Message {
            event_timestamp: &ts,
            send_time: &ts,
            id: &id,
            request_id: "",
            content: &format!("message number {i} <3 what a play"),
            attributes: &no_attributes,
            sender_user_id: &user,
            sender_attributes: &viewers[i % 500],
        }
        .envelope()
        .to_string();
        let delete = (i % 100 == 99).then(|| {
            let ts = rfc3339(t + 1_000_000_000, Precision::Millis);
            Event {
                event_timestamp: &ts,
                send_time: &ts,
                id: &format!("d{i:011}"),
                request_id: "",
                name: "aws:DELETE_MESSAGE",
                attributes: &json!({ "MessageID": id, "Reason": "Spam" }),
            }
            .envelope()
            .to_string()
        });
        std::iter::once(message).chain(delete)
    })
}

const WORDS: &[&str] = &[
    "gg",
    "lol",
    "nice",
    "play",
    "what",
    "a",
    "shot",
    "hello",
    "chat",
    "is",
    "this",
    "live",
    "wow",
    "pog",
    "clip",
    "that",
    "😀",
    "héllo",
    "no",
    "way",
    "again",
    "first",
    "time",
    "here",
    "love",
    "the",
    "stream",
    "🔥",
    "\\\"quoted\\\"",
];

/// One corpus line at `t` (ns): ~93% messages (varied lengths and attributes), 3%
/// deletes of `last_msg`, 1% disconnects, 3% custom events. Written by hand in IVS's
/// field order (the corpus is what an IVS object looks like byte for byte).
fn corpus_line(rng: &mut Rng, t: i64, last_msg: &str) -> String {
    let ts = rfc3339(t, Precision::Millis);
    let send = rfc3339(t + rng.below(1_000_000) as i64, Precision::Nanos);
    let roll = rng.below(100);
    if roll < 93 {
        let n = 1 + rng.below(24) as usize;
        let content: Vec<&str> = (0..n)
            .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
            .collect();
        let user = rng.below(5000);
        format!(
            r##"{{"event_timestamp":"{ts}","type":"MESSAGE","version":"1.0","payload":{{"Type":"MESSAGE","Id":"{}","RequestId":"{}","Content":"{}","Attributes":{{"username":"viewer{user}","color":"#{:06x}"}},"SendTime":"{send}","Sender":{{"UserId":"{:08x}-7e1f-4c1e-9a57-{:012x}","Attributes":{{"displayName":"Viewer {user}","role":"{}"}}}}}}}}"##,
            rng.ivs_id(),
            if rng.below(2) == 0 {
                String::new()
            } else {
                rng.ivs_id()
            },
            content.join(" "),
            rng.below(0xffffff),
            user,
            user,
            if user.is_multiple_of(50) {
                "moderator"
            } else {
                "viewer"
            }
        )
    } else if roll < 96 {
        format!(
            r#"{{"event_timestamp":"{ts}","type":"EVENT","version":"1.0","payload":{{"Type":"EVENT","Id":"{}","RequestId":"{}","EventName":"aws:DELETE_MESSAGE","SendTime":"{send}","Attributes":{{"MessageID":"{last_msg}","Reason":"Spam"}}}}}}"#,
            rng.ivs_id(),
            rng.ivs_id()
        )
    } else if roll < 97 {
        format!(
            r#"{{"event_timestamp":"{ts}","type":"EVENT","version":"1.0","payload":{{"Type":"EVENT","Id":"{}","RequestId":"{}","EventName":"aws:DISCONNECT_USER","SendTime":"{send}","Attributes":{{"UserId":"viewer{}","Reason":"abuse"}}}}}}"#,
            rng.ivs_id(),
            rng.ivs_id(),
            rng.below(5000)
        )
    } else {
        format!(
            r#"{{"event_timestamp":"{ts}","type":"EVENT","version":"1.0","payload":{{"Type":"EVENT","Id":"{}","RequestId":"","EventName":"app:poll_vote","SendTime":"{send}","Attributes":{{"poll":"p{}","choice":"{}"}}}}}}"#,
            rng.ivs_id(),
            rng.below(10),
            rng.below(4)
        )
    }
}

/// The S3 key of corpus object `o` (room `room<o mod 4>`, window 2023-01-05 14:00).
pub fn corpus_key(o: u64) -> String {
    let room = format!("room{:08}", o % 4);
    s3_key_at(
        "123456789012",
        "us-east-1",
        &room,
        nanos("2023-01-05T14:00:00Z"),
        &format!("{o:08x}"),
    )
}

/// Writes corpus object `o` (uncompressed, at least `bytes` of envelope lines; gzip it
/// on the way) to `out`. Deterministic: the same `o` and `bytes` give the same lines.
pub fn corpus_object(o: u64, bytes: u64, out: &mut impl Write) -> std::io::Result<()> {
    let day = nanos("2023-01-05T00:00:00Z");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (o + 1).wrapping_mul(0x1000_0000_01b3));
    let mut written = 0u64;
    let mut ts_ms = 50_400_000i64;
    let mut last = String::from("AAAAAAAAAAAA");
    while written < bytes {
        ts_ms += rng.below(40) as i64;
        let l = corpus_line(&mut rng, day + ts_ms * NANOS_PER_MS, &last);
        if let Some(i) = l.find(r#""Id":""#) {
            last = l[i + 6..i + 18].to_string();
        }
        out.write_all(l.as_bytes())?;
        out.write_all(b"\n")?;
        written += l.len() as u64 + 1;
    }
    Ok(())
}
