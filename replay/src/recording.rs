//! IVS auto-record-to-S3 metadata: `events/recording-started.json`,
//! `recording-ended.json` and `recording-failed.json` (contracts, section 4).
//!
//! Rendition paths are read from the file, never assumed, and every path taken from it
//! must stay inside the recording prefix ([`crate::relpath`]).

use serde_json::Value;

use crate::error::{ReplayError, Result};
use crate::timefmt::{parse_rfc3339, UnixNanos};

/// Relative paths of the recording event files, in order of preference for the
/// final state (ended beats failed beats started).
pub const EVENT_FILES: [&str; 3] = [
    "events/recording-ended.json",
    "events/recording-failed.json",
    "events/recording-started.json",
];

/// One HLS rendition as listed in `media.hls.renditions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    /// Directory of the rendition, relative to `media.hls.path`.
    pub path: String,
    /// Media playlist file name inside `path`.
    pub playlist: String,
    /// Width in pixels (0 when absent).
    pub width: u32,
    /// Height in pixels (0 when absent).
    pub height: u32,
}

/// What `replay` needs from a recording event file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingMeta {
    /// `recording_status`, e.g. `RECORDING_ENDED`.
    pub status: String,
    /// `channel_arn`.
    pub channel_arn: String,
    /// `recording_started_at` (when the event was generated; approximate).
    pub started_at: UnixNanos,
    /// `recording_ended_at`, when present.
    pub ended_at: Option<UnixNanos>,
    /// `media.hls.duration_ms`: the accurate length, when present (absent in
    /// `recording-started.json`).
    pub duration_ms: Option<u64>,
    /// `media.hls.path` (e.g. `media/hls`), relative to the recording prefix.
    pub hls_path: String,
    /// `media.hls.playlist` (the multivariant playlist), when present.
    pub master_playlist: Option<String>,
    /// `media.hls.renditions`.
    pub renditions: Vec<Rendition>,
}

impl RecordingMeta {
    /// Parses one recording event file. `source_name` is used in error messages.
    pub fn parse(source_name: &str, bytes: &[u8]) -> Result<RecordingMeta> {
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| ReplayError::json(source_name, 0, &e))?;
        let err = |field: &str, expected: &str| ReplayError::field(source_name, 0, field, expected);
        // A path read below the recording prefix: inside it, or an error naming the
        // field and the value.
        let inside = |field: &str, path: &str| {
            crate::relpath::check_inside(path)
                .map_err(|why| err(field, &format!("{why}: {path:?}")))
        };
        if !v.is_object() {
            return Err(err("(root)", "a JSON object"));
        }
        let s = |field: &str| v.get(field).and_then(Value::as_str);
        if let Some(version) = s("version") {
            if version != "v1" {
                return Err(err("version", &format!("\"v1\", found {version:?}")));
            }
        }
        if v.get("stage_arn").is_some() {
            return Err(err(
                "stage_arn",
                "a channel recording (channel_arn); stage (real-time) recordings use another schema",
            ));
        }
        let started_text = s("recording_started_at")
            .ok_or_else(|| err("recording_started_at", "an RFC 3339 timestamp string"))?;
        let started_at = parse_rfc3339(started_text).ok_or_else(|| {
            err(
                "recording_started_at",
                &format!("an RFC 3339 timestamp, found {started_text:?}"),
            )
        })?;
        let ended_at = match s("recording_ended_at") {
            Some(t) if !t.is_empty() => Some(parse_rfc3339(t).ok_or_else(|| {
                err(
                    "recording_ended_at",
                    &format!("an RFC 3339 timestamp, found {t:?}"),
                )
            })?),
            _ => None,
        };
        let status = s("recording_status").unwrap_or("").to_owned();
        let hls = v
            .get("media")
            .and_then(|m| m.get("hls"))
            .ok_or_else(|| err("media.hls", "an object describing the HLS output"))?;
        let duration_ms = match hls.get("duration_ms") {
            None | Some(Value::Null) => None,
            Some(d) => Some(
                d.as_u64()
                    .ok_or_else(|| err("media.hls.duration_ms", "a non-negative integer"))?,
            ),
        };
        let hls_path = hls
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| err("media.hls.path", "a string (directory of the HLS output)"))?
            .to_owned();
        inside("media.hls.path", &hls_path)?;
        let master_playlist = hls
            .get("playlist")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(p) = &master_playlist {
            inside("media.hls.playlist", p)?;
        }
        let mut renditions = Vec::new();
        if let Some(list) = hls.get("renditions") {
            let list = list
                .as_array()
                .ok_or_else(|| err("media.hls.renditions", "an array"))?;
            for (i, r) in list.iter().enumerate() {
                let field = |name: &str| format!("media.hls.renditions[{i}].{name}");
                let path = r
                    .get("path")
                    .and_then(Value::as_str)
                    .ok_or_else(|| err(&field("path"), "a string"))?;
                let playlist = r
                    .get("playlist")
                    .and_then(Value::as_str)
                    .ok_or_else(|| err(&field("playlist"), "a string"))?;
                inside(&field("path"), path)?;
                inside(&field("playlist"), playlist)?;
                let dim = |name: &str| {
                    r.get(name)
                        .and_then(Value::as_u64)
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(0)
                };
                renditions.push(Rendition {
                    path: path.to_owned(),
                    playlist: playlist.to_owned(),
                    width: dim("resolution_width"),
                    height: dim("resolution_height"),
                });
            }
        }
        Ok(RecordingMeta {
            status,
            channel_arn: s("channel_arn").unwrap_or("").to_owned(),
            started_at,
            ended_at,
            duration_ms,
            hls_path,
            master_playlist,
            renditions,
        })
    }

    /// Picks a rendition: the one whose `path` equals `wanted`, else the highest
    /// resolution (all renditions of one recording share the segment timeline).
    pub fn pick_rendition(&self, wanted: Option<&str>) -> Result<Option<&Rendition>> {
        match wanted {
            Some(w) => self
                .renditions
                .iter()
                .find(|r| r.path == w)
                .map(Some)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        self.renditions.iter().map(|r| r.path.as_str()).collect();
                    ReplayError::Usage(format!(
                        "rendition {w:?} is not in media.hls.renditions (known: {known:?})"
                    ))
                }),
            None => Ok(self
                .renditions
                .iter()
                .max_by_key(|r| u64::from(r.width) * u64::from(r.height))),
        }
    }

    /// Relative path (from the recording prefix) of a rendition's media playlist.
    pub fn media_playlist_path(&self, r: &Rendition) -> String {
        join_rel(&join_rel(&self.hls_path, &r.path), &r.playlist)
    }

    /// Relative path of the multivariant playlist, if the file names one.
    pub fn master_playlist_path(&self) -> Option<String> {
        self.master_playlist
            .as_deref()
            .map(|p| join_rel(&self.hls_path, p))
    }
}

/// Joins two relative `/`-separated paths, tolerating empty parts and stray slashes.
pub fn join_rel(a: &str, b: &str) -> String {
    let a = a.trim_matches('/');
    let b = b.trim_start_matches('/');
    if a.is_empty() {
        b.to_owned()
    } else if b.is_empty() {
        a.to_owned()
    } else {
        format!("{a}/{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDED: &str = r#"{
      "version": "v1", "channel_arn": "arn:aws:ivs:us-west-2:123:channel/abc",
      "recording_ended_at": "2020-06-14T12:53:20Z", "recording_started_at": "2020-06-14T12:50:20Z",
      "recording_status": "RECORDING_ENDED", "recording_status_message": "",
      "media": {"hls": {"duration_ms": 172794486, "path": "media/hls", "playlist": "master.m3u8",
        "byte_range_playlist": "byte-range-variant.m3u8",
        "renditions": [
          {"path": "480p30", "playlist": "playlist.m3u8", "resolution_width": 852, "resolution_height": 480},
          {"path": "720p60-x", "playlist": "pl.m3u8", "resolution_width": 1280, "resolution_height": 720}
        ]},
        "thumbnails": {"path": "media/thumbnails"}}}"#;

    #[test]
    fn reads_fields_and_rendition_paths_from_the_file() {
        let m = RecordingMeta::parse("ended.json", ENDED.as_bytes()).unwrap();
        assert_eq!(m.status, "RECORDING_ENDED");
        assert_eq!(m.duration_ms, Some(172_794_486));
        let r = m.pick_rendition(None).unwrap().unwrap();
        assert_eq!(m.media_playlist_path(r), "media/hls/720p60-x/pl.m3u8");
        let r = m.pick_rendition(Some("480p30")).unwrap().unwrap();
        assert_eq!(m.media_playlist_path(r), "media/hls/480p30/playlist.m3u8");
        assert!(m.pick_rendition(Some("1080p")).is_err());
        assert_eq!(
            m.master_playlist_path().as_deref(),
            Some("media/hls/master.m3u8")
        );
    }

    #[test]
    fn bad_files_say_which_field() {
        let e = RecordingMeta::parse("x.json", b"{\"version\":\"v1\"")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.json:1:"), "{e}");
        let e = RecordingMeta::parse(
            "x.json",
            br#"{"version":"v1","recording_started_at":"soon","media":{"hls":{}}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("recording_started_at") && e.contains("soon"),
            "{e}"
        );
        let e = RecordingMeta::parse(
            "x.json",
            br#"{"recording_started_at":"2020-06-14T12:50:20Z"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("media.hls"), "{e}");
        let e = RecordingMeta::parse(
            "x.json",
            br#"{"recording_started_at":"2020-06-14T12:50:20Z","media":{"hls":{"path":"m","renditions":[{"path":1}]}}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("media.hls.renditions[0].path"), "{e}");
    }

    #[test]
    fn paths_must_stay_inside_the_recording() {
        for (from, to, field) in [
            ("\"media/hls\"", "\"../../../../etc\"", "media.hls.path"),
            ("\"master.m3u8\"", "\"/etc/passwd\"", "media.hls.playlist"),
            (
                "\"720p60-x\"",
                "\"a/../../b\"",
                "media.hls.renditions[1].path",
            ),
            (
                "\"pl.m3u8\"",
                "\"..\\\\x\"",
                "media.hls.renditions[1].playlist",
            ),
        ] {
            let text = ENDED.replacen(from, to, 1);
            let e = RecordingMeta::parse("ended.json", text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("ended.json:0: field `")
                    && e.contains(&format!("`{field}`"))
                    && e.contains(to),
                "{e}"
            );
        }
    }
}
