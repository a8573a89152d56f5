//! What IVS auto-record-to-S3 would write for the show: `events/recording-*.json` and an
//! HLS media playlist with `#EXT-X-PROGRAM-DATE-TIME` per segment (contracts doc,
//! section 4), optionally with a reconnect gap (a merged fragmented stream).

use std::collections::BTreeMap;

use serde_json::json;
use time::{Duration, OffsetDateTime};

use test_support::ivs::time::{rfc3339, unix_nanos, Precision};

/// A broadcast interruption: the stream was down from `at_ms` (wall-clock ms since the
/// recording started) for `gap_ms`.
#[derive(Debug, Clone, Copy)]
pub struct Gap {
    /// When the stream went down, in wall-clock ms since the start.
    pub at_ms: u64,
    /// How long it was down.
    pub gap_ms: u64,
}

/// The files of one recording prefix: relative path -> bytes.
pub fn recording_files(
    channel_arn: &str,
    start: OffsetDateTime,
    video_ms: u64,
    segment_ms: u64,
    gap: Option<Gap>,
) -> BTreeMap<String, Vec<u8>> {
    let rendition = "720p30";
    let mut playlist = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n",
        segment_ms.div_ceil(1000)
    );
    let mut video_at = 0;
    let mut wall_extra = 0;
    let mut n = 0;
    while video_at < video_ms {
        let len = segment_ms.min(video_ms - video_at);
        if let Some(g) = gap {
            if wall_extra == 0 && video_at >= g.at_ms {
                wall_extra = g.gap_ms;
                playlist.push_str("#EXT-X-DISCONTINUITY\n");
            }
        }
        let pdt = start + Duration::milliseconds((video_at + wall_extra) as i64);
        playlist.push_str(&format!(
            "#EXT-X-PROGRAM-DATE-TIME:{}\n#EXTINF:{}.{:03},\n{n}.ts\n",
            rfc3339(unix_nanos(pdt), Precision::Millis),
            len / 1000,
            len % 1000
        ));
        video_at += len;
        n += 1;
    }
    playlist.push_str("#EXT-X-ENDLIST\n");
    let master = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\n{rendition}/playlist.m3u8\n"
    );
    let wall_ms = video_ms + gap.map_or(0, |g| g.gap_ms);
    let end = start + Duration::milliseconds(wall_ms as i64);
    let media = json!({
        "hls": {
            "duration_ms": video_ms,
            "path": "media/hls",
            "playlist": "master.m3u8",
            "byte_range_playlist": "byte-range-multivariant.m3u8",
            "renditions": [{
                "path": rendition, "playlist": "playlist.m3u8",
                "byte_range_playlist": "byte-range-variant.m3u8",
                "resolution_width": 1280, "resolution_height": 720
            }]
        },
        "thumbnails": { "path": "media/thumbnails", "resolution_height": 720, "resolution_width": 1280 }
    });
    // IVS writes whole seconds in the events files.
    let seconds =
        |t: OffsetDateTime| rfc3339(unix_nanos(t), Precision::Millis).replace(".000Z", "Z");
    let started = json!({
        "version": "v1", "channel_arn": channel_arn,
        "recording_started_at": seconds(start),
        "recording_status": "RECORDING_STARTED", "recording_status_message": "",
        "media": media
    });
    let mut ended = started.clone();
    ended["recording_ended_at"] = json!(seconds(end));
    ended["recording_status"] = json!("RECORDING_ENDED");
    BTreeMap::from([
        (
            "events/recording-started.json".to_string(),
            started.to_string().into_bytes(),
        ),
        (
            "events/recording-ended.json".to_string(),
            ended.to_string().into_bytes(),
        ),
        ("media/hls/master.m3u8".to_string(), master.into_bytes()),
        (
            format!("media/hls/{rendition}/playlist.m3u8"),
            playlist.into_bytes(),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn playlist_has_pdt_per_segment_and_a_discontinuity_at_the_gap() {
        let files = recording_files(
            "arn:aws:ivs:us-east-1:123456789012:channel/abc",
            datetime!(2026-11-20 19:00 UTC),
            20_000,
            6_000,
            Some(Gap {
                at_ms: 12_000,
                gap_ms: 30_000,
            }),
        );
        let playlist =
            String::from_utf8(files["media/hls/720p30/playlist.m3u8"].clone()).expect("utf8");
        let pdts: Vec<&str> = playlist
            .lines()
            .filter(|l| l.starts_with("#EXT-X-PROGRAM-DATE-TIME"))
            .collect();
        assert_eq!(
            pdts,
            [
                "#EXT-X-PROGRAM-DATE-TIME:2026-11-20T19:00:00.000Z",
                "#EXT-X-PROGRAM-DATE-TIME:2026-11-20T19:00:06.000Z",
                "#EXT-X-PROGRAM-DATE-TIME:2026-11-20T19:00:42.000Z",
                "#EXT-X-PROGRAM-DATE-TIME:2026-11-20T19:00:48.000Z",
            ]
        );
        assert_eq!(playlist.matches("#EXT-X-DISCONTINUITY").count(), 1);
        assert!(playlist.contains("#EXTINF:2.000,\n3.ts"));
        let ended: serde_json::Value =
            serde_json::from_slice(&files["events/recording-ended.json"]).expect("json");
        assert_eq!(ended["media"]["hls"]["duration_ms"], 20_000);
        assert_eq!(ended["recording_ended_at"], "2026-11-20T19:00:50Z");
    }
}
