//! Fixtures shared by the integration tests: a recording prefix with a playlist that
//! has a discontinuity and a gap, and chat logs in both input formats.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use test_support::ivs::envelope::{Event, Message};

/// The media playlist: known PDTs, one segment without PDT, a discontinuity after a
/// ten-minute outage. Video: 0..4004 ms (14:00:00.000..14:00:04.004), then
/// 4004..8504 ms (14:10:00.000..14:10:04.500).
pub const PLAYLIST: &str = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n\
#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:00.000Z\n#EXTINF:2.002,\nseg0.ts\n\
#EXTINF:2.002,\nseg1.ts\n\
#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:10:00.000Z\n#EXTINF:1.500,\nseg2.ts\n\
#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:10:01.500Z\n#EXTINF:3.000,\nseg3.ts\n#EXT-X-ENDLIST\n";

/// The rendition directory, deliberately not a usual IVS name: it must be read from
/// the metadata file.
pub const RENDITION: &str = "custom-720";

/// `recording-ended.json` for the fixture; `started_at` is 2 s before the first PDT to
/// show the playlist wins over the approximate event time.
pub fn ended_json(duration_ms: u64) -> String {
    format!(
        r#"{{"version":"v1","channel_arn":"arn:aws:ivs:us-west-2:123456789012:channel/AsXego4U6tnj",
"recording_ended_at":"2023-01-05T14:10:06Z","recording_started_at":"2023-01-05T13:59:58Z",
"recording_status":"RECORDING_ENDED","recording_status_message":"",
"media":{{"hls":{{"duration_ms":{duration_ms},"path":"media/hls","playlist":"master.m3u8",
"byte_range_playlist":"byte-range-variant.m3u8",
"renditions":[{{"path":"{RENDITION}","playlist":"pl.m3u8","resolution_width":1280,"resolution_height":720}},
{{"path":"low","playlist":"pl.m3u8","resolution_width":320,"resolution_height":180}}]}},
"thumbnails":{{"path":"media/thumbnails","resolution_height":480,"resolution_width":852}}}}}}"#
    )
}

/// Writes a recording prefix into `dir` with the given media playlist.
pub fn write_recording(dir: &Path, playlist: &str) {
    std::fs::create_dir_all(dir.join("events")).unwrap();
    std::fs::write(dir.join("events/recording-ended.json"), ended_json(8_504)).unwrap();
    let media = dir.join("media/hls").join(RENDITION);
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("pl.m3u8"), playlist).unwrap();
}

/// The fixture recording ([`PLAYLIST`]) written under `dir/rec`; returns its path.
pub fn recording(dir: &Path) -> PathBuf {
    let rec = dir.join("rec");
    write_recording(&rec, PLAYLIST);
    rec
}

/// An IVS MESSAGE envelope (the workspace's one generator, `test_support::ivs`), both
/// timestamps as given.
pub fn message(id: &str, send_time: &str, user: &str, content: &str) -> String {
    let role = if user == "bot" { "bot" } else { "viewer" };
    Message {
        event_timestamp: send_time,
        send_time,
        id,
        request_id: "",
        content,
        attributes: &serde_json::json!({}),
        sender_user_id: user,
        sender_attributes: &serde_json::json!({"displayName": format!("{user}-name"), "role": role}),
    }
    .envelope()
    .to_string()
}

/// An IVS EVENT envelope, both timestamps as given.
pub fn event(id: &str, send_time: &str, name: &str, attrs: serde_json::Value) -> String {
    Event {
        event_timestamp: send_time,
        send_time,
        id,
        request_id: "r",
        name,
        attributes: &attrs,
    }
    .envelope()
    .to_string()
}

/// Chat logs, deliberately out of order and split over two formats:
/// `room_abc123/...log.gz` (gzipped IVS envelopes) and `ingest.ndjson` (log-ingest rows).
pub fn write_chat(dir: &Path) -> PathBuf {
    let chat = dir.join("chat");
    std::fs::create_dir_all(chat.join("room_abc123")).unwrap();
    let lines = [
        message(
            "mLate0000001",
            "2023-01-05T14:10:05.000Z",
            "u1",
            "after the end",
        ),
        message(
            "mC0000000001",
            "2023-01-05T14:10:01.499Z",
            "u2",
            "right before seg3",
        ),
        message(
            "mA0000000001",
            "2023-01-05T14:00:01.234567891Z",
            "u1",
            "hello <world> & all",
        ),
        message(
            "mGap00000001",
            "2023-01-05T14:05:00.000Z",
            "u3",
            "anyone there?",
        ),
        message(
            "mDel00000001",
            "2023-01-05T14:00:02.000Z",
            "u4",
            "buy followers",
        ),
        event(
            "eDel00000001",
            "2023-01-05T14:00:03.000Z",
            "aws:DELETE_MESSAGE",
            serde_json::json!({"MessageID": "mDel00000001", "MessageId": "mDel00000001", "Reason": "Spam"}),
        ),
        message(
            "mA0000000001",
            "2023-01-05T14:00:01.234567891Z",
            "u1",
            "hello <world> & all",
        ),
        message(
            "mEarly000001",
            "2023-01-05T13:59:00.000Z",
            "u1",
            "before the start",
        ),
        message("mBot00000001", "2023-01-05T14:00:01.500Z", "bot", "beep"),
        event(
            "eDc000000001",
            "2023-01-05T14:10:02.000Z",
            "aws:DISCONNECT_USER",
            serde_json::json!({"UserId": "u4", "Reason": "spam"}),
        ),
    ];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all((lines.join("\n") + "\n").as_bytes()).unwrap();
    std::fs::write(
        chat.join("room_abc123/123456789012_IVSChatLogs_1.0_us-west-2_room_abc123_20230105T1400Z_1766dcbc.log.gz"),
        gz.finish().unwrap(),
    )
    .unwrap();
    // A log-ingest NDJSON row (integer nanoseconds).
    let row = serde_json::json!({
        "event_timestamp": 1_672_927_803_000_000_000i64, "type": "MESSAGE", "version": "1.0",
        "account_id": null, "region": null, "room_id": "abc123", "room_arn": null,
        "id": "mB0000000001", "request_id": null, "event_name": null, "content": "from parquet land",
        "send_time": 1_672_927_203_000_999_000i64, "sender_user_id": "u5",
        "sender_attributes": {"displayName": "Five"}, "attributes": null,
        "target_message_id": null, "target_user_id": null, "reason": null,
        "payload_extra": null, "envelope_extra": null, "source": "x", "source_line": 1,
        "source_offset": null, "source_ref": null
    });
    std::fs::write(chat.join("ingest.ndjson"), format!("{row}\n")).unwrap();
    chat
}

/// Runs the replay binary.
pub fn replay(args: &[&str], env: &[(String, String)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_replay"))
        .args(args)
        .envs(env.iter().cloned())
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(101),
        "replay panicked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs replay and asserts success.
pub fn replay_ok(args: &[&str], env: &[(String, String)]) -> Output {
    let out = replay(args, env);
    assert!(
        out.status.success(),
        "replay {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `replay render --recording REC --chat CHAT EXTRA...` with `env` and asserts
/// success.
pub fn render_ok(rec: &Path, chat: &Path, extra: &[&str], env: &[(String, String)]) -> Output {
    let mut args = vec!["render", "--recording", s(rec), "--chat", s(chat)];
    args.extend_from_slice(extra);
    replay_ok(&args, env)
}

/// Runs replay and asserts failure; returns stderr.
pub fn replay_err(args: &[&str]) -> String {
    let out = replay(args, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "replay {args:?} should fail; stderr: {stderr}"
    );
    stderr
}

/// `(id, offset_ms)` of a JSON track's entries.
pub fn offsets(track: &serde_json::Value) -> Vec<(String, u64)> {
    track["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["offset_ms"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A path as &str.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An external tool: `$env` if set, else `name` on `PATH` (test-support's one finder).
#[allow(unused_imports)] // not every test file runs tools
pub use test_support::chromium::tool;
