//! Shell glue: loads a recording's timeline and the chat records through a [`Store`].
//! The decisions (which file, which fallback) are made here; parsing is the pure core's.

use crate::error::{ReplayError, Result};
use crate::input::{parse_chat, parse_chat_ranges, room_from_key, Parsed, CHUNK_BYTES};
use crate::playlist::{parse_playlist, Playlist};
use crate::recording::{RecordingMeta, EVENT_FILES};
use crate::source::{Location, Store};
use crate::timefmt::{parse_rfc3339, UnixNanos};
use crate::timeline::Timeline;

/// Where the timeline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimelineMode {
    /// The media playlist when it exists and has program date-times, else the metadata
    /// (`recording_started_at` + `duration_ms`), with a warning.
    #[default]
    Auto,
    /// The media playlist, or an error.
    Playlist,
    /// `recording_started_at` + `duration_ms` only.
    Metadata,
}

/// How to build the timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineRequest {
    /// Recording prefix (directory or `s3://`); optional when `start` is given.
    pub recording: Option<Location>,
    /// Source choice.
    pub mode: TimelineMode,
    /// Explicit wall-clock start of the video (overrides everything else but keeps the
    /// recording's `duration_ms` when a recording is given).
    pub start: Option<UnixNanos>,
    /// Rendition `path` to use (default: the highest resolution).
    pub rendition: Option<String>,
    /// Holes between segments up to this size are jitter, not gaps (ms).
    pub gap_tolerance_ms: u64,
}

/// What was used to build the timeline, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TimelineInfo {
    /// `playlist`, `metadata` or `start`.
    pub source: String,
    /// The media playlist read, if any.
    pub playlist: Option<String>,
    /// Recording metadata file read, if any.
    pub metadata: Option<String>,
    /// Video length (ms), when known.
    pub duration_ms: Option<u64>,
    /// Number of gaps (stream down) in the timeline.
    pub gaps: usize,
    /// Fallbacks taken and other remarks.
    pub warnings: Vec<String>,
}

/// Reads the most final recording event file under `rec`.
pub async fn load_meta(store: &Store, rec: &Location) -> Result<(RecordingMeta, String)> {
    for rel in EVENT_FILES {
        let loc = rec.join(rel);
        if let Some(bytes) = store.read(&loc).await? {
            let name = loc.display();
            return Ok((RecordingMeta::parse(&name, &bytes)?, name));
        }
    }
    Err(ReplayError::NotFound {
        source_name: rec.join("events/").display(),
        what: "recording-ended.json, recording-failed.json or recording-started.json".to_owned(),
    })
}

/// Builds the timeline as requested.
pub async fn load_timeline(
    store: &Store,
    req: &TimelineRequest,
) -> Result<(Timeline, TimelineInfo)> {
    let mut info = TimelineInfo::default();
    let Some(rec) = &req.recording else {
        let start = req
            .start
            .ok_or_else(|| ReplayError::Usage("give --recording or --start".to_owned()))?;
        info.source = "start".to_owned();
        return Ok((Timeline::linear(start, None), info));
    };
    let (meta, meta_name) = load_meta(store, rec).await?;
    info.metadata = Some(meta_name.clone());
    if meta.duration_ms.is_none() {
        info.warnings.push(format!(
            "{meta_name}: no media.hls.duration_ms (recording not ended?)"
        ));
    }
    if let Some(start) = req.start {
        info.source = "start".to_owned();
        info.duration_ms = meta.duration_ms;
        return Ok((Timeline::linear(start, meta.duration_ms), info));
    }
    if req.mode != TimelineMode::Metadata {
        match playlist_timeline(store, rec, &meta, req).await {
            Ok((tl, name)) => {
                info.source = "playlist".to_owned();
                info.playlist = Some(name);
                info.duration_ms = tl.duration_ms();
                info.gaps = tl.gap_count();
                if let (Some(meta_ms), Some(tl_ms)) = (meta.duration_ms, info.duration_ms) {
                    if meta_ms.abs_diff(tl_ms) > 1_000 {
                        info.warnings.push(format!(
                            "playlist length {tl_ms} ms differs from media.hls.duration_ms {meta_ms} ms"
                        ));
                    }
                }
                return Ok((tl, info));
            }
            Err(e) if req.mode == TimelineMode::Auto && is_fallback_worthy(&e) => {
                info.warnings.push(format!(
                    "{e}; falling back to recording_started_at + duration_ms"
                ));
            }
            Err(e) => return Err(e),
        }
    }
    info.source = "metadata".to_owned();
    info.duration_ms = meta.duration_ms;
    Ok((Timeline::linear(meta.started_at, meta.duration_ms), info))
}

/// Missing playlists and playlists without PDT fall back in `auto` mode; malformed
/// ones do not (that would hide a real problem).
fn is_fallback_worthy(e: &ReplayError) -> bool {
    match e {
        ReplayError::NotFound { .. } => true,
        ReplayError::Playlist {
            line: 0, message, ..
        } => message.contains("PROGRAM-DATE-TIME"),
        _ => false,
    }
}

async fn playlist_timeline(
    store: &Store,
    rec: &Location,
    meta: &RecordingMeta,
    req: &TimelineRequest,
) -> Result<(Timeline, String)> {
    let rel = match meta.pick_rendition(req.rendition.as_deref())? {
        Some(r) => meta.media_playlist_path(r),
        None => {
            // No renditions listed: take the first variant of the multivariant playlist.
            let master_rel = meta
                .master_playlist_path()
                .ok_or_else(|| ReplayError::NotFound {
                    source_name: meta_hint(rec),
                    what: "media.hls.renditions or media.hls.playlist".to_owned(),
                })?;
            let loc = rec.join(&master_rel);
            let bytes = store.read_required(&loc, "multivariant playlist").await?;
            let name = loc.display();
            match parse_playlist(&name, &String::from_utf8_lossy(&bytes))? {
                Playlist::Master(variants) if !variants.is_empty() => {
                    let v = &variants[0];
                    // Read below the prefix as well: held to the metadata's rule.
                    crate::relpath::check_inside(&v.uri).map_err(|why| ReplayError::Playlist {
                        source_name: name.clone(),
                        line: v.line,
                        message: format!("variant URI: expected {why}: {:?}", v.uri),
                    })?;
                    let dir = master_rel.rsplit_once('/').map_or("", |(d, _)| d);
                    crate::recording::join_rel(dir, &v.uri)
                }
                _ => master_rel,
            }
        }
    };
    let loc = rec.join(&rel);
    let bytes = store.read_required(&loc, "HLS media playlist").await?;
    let name = loc.display();
    match parse_playlist(&name, &String::from_utf8_lossy(&bytes))? {
        Playlist::Media(segs) => Ok((
            Timeline::from_segments(&name, &segs, req.gap_tolerance_ms)?,
            name,
        )),
        Playlist::Master(_) => Err(ReplayError::Playlist {
            source_name: name,
            line: 0,
            message: "expected a media playlist, found a multivariant playlist".to_owned(),
        }),
    }
}

fn meta_hint(rec: &Location) -> String {
    rec.join("events/").display()
}

/// Reads and parses every chat input (files, directories, `s3://` prefixes), in a
/// stable order. Rejected records are collected, never dropped silently.
pub async fn load_chat(store: &Store, inputs: &[Location]) -> Result<Parsed> {
    let mut all = Parsed::default();
    for input in inputs {
        let files = store.list(input).await?;
        if files.is_empty() {
            return Err(ReplayError::NotFound {
                source_name: input.display(),
                what: "chat log files".to_owned(),
            });
        }
        for f in files {
            let name = f.display();
            let room = room_from_key(&name);
            let parsed = match &f {
                // Local files are streamed: one chunk in memory at a time.
                Location::Local(p) => {
                    let not_found = |e: std::io::Error| match e.kind() {
                        std::io::ErrorKind::NotFound => ReplayError::NotFound {
                            source_name: name.clone(),
                            what: "chat log file".to_owned(),
                        },
                        _ => ReplayError::io(p, e),
                    };
                    // Opened here first so that a missing or unreadable file stops the run.
                    let file = std::fs::File::open(p).map_err(not_found)?;
                    let len = file.metadata().map_err(|e| ReplayError::io(p, e))?.len();
                    let open = || std::fs::File::open(p);
                    parse_chat_ranges(&name, open, len, room.as_deref(), CHUNK_BYTES)
                }
                Location::S3 { .. } => {
                    let bytes = store.read_required(&f, "chat log file").await?;
                    parse_chat(&name, &bytes, room.as_deref())
                }
            };
            all.append(parsed);
        }
    }
    Ok(all)
}

/// Parses `--start` (RFC 3339).
pub fn parse_start(text: &str) -> Result<UnixNanos> {
    parse_rfc3339(text).ok_or_else(|| {
        ReplayError::Usage(format!("--start {text:?}: expected an RFC 3339 timestamp"))
    })
}
