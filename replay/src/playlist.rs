//! A small, strict HLS playlist reader for the tags replay needs.
//!
//! Why not `m3u8-rs`: it stores `#EXTINF` durations as `f32` and dates as `chrono`
//! values, and its parse errors carry no line numbers. Alignment must be exact to the
//! millisecond over hours of video and bad input must name the line, so this reader
//! keeps durations as integer microseconds (decimal parsed by hand), dates as integer
//! nanoseconds, and reports `file:line`. Tags that do not affect timing (`#EXT-X-MAP`,
//! `#EXT-X-BYTERANGE`, `#EXT-X-KEY`, ...) are skipped.

use crate::error::{ReplayError, Result};
use crate::timefmt::{parse_rfc3339, UnixNanos};

/// One media segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Segment URI as written.
    pub uri: String,
    /// `#EXTINF` duration in microseconds.
    pub duration_us: u64,
    /// `#EXT-X-PROGRAM-DATE-TIME` applying to this segment, if the tag preceded it.
    pub program_date_time: Option<UnixNanos>,
    /// An `#EXT-X-DISCONTINUITY` preceded this segment.
    pub discontinuity: bool,
    /// 1-based line of the segment URI.
    pub line: usize,
}

/// A parsed playlist: either media segments or the variants of a multivariant playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playlist {
    /// A media playlist.
    Media(Vec<Segment>),
    /// A multivariant ("master") playlist: the variants in order.
    Master(Vec<Variant>),
}

/// One variant (`#EXT-X-STREAM-INF` and the URI after it) of a multivariant playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The media playlist URI, as written.
    pub uri: String,
    /// 1-based line of the URI.
    pub line: usize,
}

/// Parses playlist text. `source_name` is used in error messages.
pub fn parse_playlist(source_name: &str, text: &str) -> Result<Playlist> {
    let err = |line: usize, message: String| ReplayError::Playlist {
        source_name: source_name.to_owned(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    match lines.by_ref().find(|(_, l)| !l.is_empty()) {
        Some((_, l)) if l.trim_start_matches('\u{feff}') == "#EXTM3U" => {}
        Some((n, l)) => {
            return Err(err(
                n,
                format!(
                    "expected #EXTM3U as the first line, found {:?}",
                    truncate(l)
                ),
            ))
        }
        None => return Err(err(0, "empty file, expected #EXTM3U".to_owned())),
    }
    let mut segments = Vec::new();
    let mut variants = Vec::new();
    let mut pending_duration: Option<u64> = None;
    let mut pending_pdt: Option<UnixNanos> = None;
    let mut pending_disc = false;
    let mut pending_variant = false;
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        if let Some(tag) = line.strip_prefix('#') {
            if let Some(v) = tag.strip_prefix("EXTINF:") {
                let dur = v.split(',').next().unwrap_or("").trim();
                let us = parse_decimal_us(dur).ok_or_else(|| {
                    err(
                        n,
                        format!(
                            "#EXTINF duration: expected decimal seconds, found {:?}",
                            truncate(dur)
                        ),
                    )
                })?;
                pending_duration = Some(us);
            } else if let Some(v) = tag.strip_prefix("EXT-X-PROGRAM-DATE-TIME:") {
                let t = parse_pdt(v.trim()).ok_or_else(|| {
                    err(
                        n,
                        format!(
                            "#EXT-X-PROGRAM-DATE-TIME: expected an ISO 8601 date-time, found {:?}",
                            truncate(v)
                        ),
                    )
                })?;
                pending_pdt = Some(t);
            } else if tag == "EXT-X-DISCONTINUITY" {
                pending_disc = true;
            } else if tag.starts_with("EXT-X-STREAM-INF") {
                pending_variant = true;
            }
            continue;
        }
        if pending_variant {
            variants.push(Variant {
                uri: line.to_owned(),
                line: n,
            });
            pending_variant = false;
            continue;
        }
        let Some(duration_us) = pending_duration.take() else {
            return Err(err(
                n,
                format!(
                    "segment URI {:?} without a preceding #EXTINF",
                    truncate(line)
                ),
            ));
        };
        segments.push(Segment {
            uri: line.to_owned(),
            duration_us,
            program_date_time: pending_pdt.take(),
            discontinuity: std::mem::take(&mut pending_disc),
            line: n,
        });
    }
    if !variants.is_empty() {
        if !segments.is_empty() {
            return Err(err(
                0,
                "mixes #EXT-X-STREAM-INF variants and media segments".to_owned(),
            ));
        }
        return Ok(Playlist::Master(variants));
    }
    Ok(Playlist::Media(segments))
}

/// Parses `12`, `2.002`, `6.0000001` as microseconds (digits past the 6th decimal are
/// truncated). No sign, no exponent: the HLS decimal-floating-point grammar.
fn parse_decimal_us(text: &str) -> Option<u64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut micros = 0u64;
    for i in 0..6 {
        micros = micros * 10 + frac.as_bytes().get(i).map_or(0, |b| u64::from(b - b'0'));
    }
    whole.checked_mul(1_000_000)?.checked_add(micros)
}

/// Parses a program date-time: RFC 3339, also tolerating the ISO 8601 forms encoders
/// write (`+0000` offsets without a colon, as ffmpeg does).
fn parse_pdt(text: &str) -> Option<UnixNanos> {
    if let Some(t) = parse_rfc3339(text) {
        return Some(t);
    }
    let b = text.as_bytes();
    if b.len() > 5 && text.is_char_boundary(text.len() - 5) {
        let (head, off) = text.split_at(text.len() - 5);
        let ob = off.as_bytes();
        if (ob[0] == b'+' || ob[0] == b'-') && ob[1..].iter().all(u8::is_ascii_digit) {
            return parse_rfc3339(&format!("{head}{}:{}", &off[..3], &off[3..]));
        }
    }
    None
}

/// Shortens echoed input in error messages.
fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_media_playlist_with_pdt_and_discontinuity() {
        let text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n\
            #EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:00.000Z\n#EXTINF:2.002,\n0.ts\n\
            #EXTINF:2,\n1.ts\n#EXT-X-DISCONTINUITY\n\
            #EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:01:00.5+0000\n#EXTINF:.5,title\n2.ts\n#EXT-X-ENDLIST\n";
        let Playlist::Media(s) = parse_playlist("p.m3u8", text).unwrap() else {
            panic!("not media")
        };
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].duration_us, 2_002_000);
        assert_eq!(s[1].duration_us, 2_000_000);
        assert_eq!(s[2].duration_us, 500_000);
        assert!(s[0].program_date_time.is_some() && s[1].program_date_time.is_none());
        assert!(s[2].discontinuity && !s[1].discontinuity);
        assert_eq!(
            s[2].program_date_time.unwrap() - s[0].program_date_time.unwrap(),
            60_500_000_000
        );
        assert_eq!(s[2].line, 12);
    }

    #[test]
    fn parses_master_playlist() {
        let text =
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280x720\n720p30/playlist.m3u8\n";
        assert_eq!(
            parse_playlist("m", text).unwrap(),
            Playlist::Master(vec![Variant {
                uri: "720p30/playlist.m3u8".into(),
                line: 3
            }])
        );
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_playlist("p", "#EXTM3U\n#EXTINF:abc,\nx.ts\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p:2:") && e.contains("abc"), "{e}");
        let e = parse_playlist("p", "#EXTM3U\nx.ts\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p:2:") && e.contains("#EXTINF"), "{e}");
        let e = parse_playlist("p", "hello\n").unwrap_err().to_string();
        assert!(e.starts_with("p:1:") && e.contains("#EXTM3U"), "{e}");
        let e = parse_playlist("p", "#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:noon\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p:2:") && e.contains("noon"), "{e}");
    }

    #[test]
    fn decimal_durations_are_exact() {
        assert_eq!(parse_decimal_us("6.006006"), Some(6_006_006));
        assert_eq!(parse_decimal_us("6.0060069"), Some(6_006_006));
        assert_eq!(parse_decimal_us("10"), Some(10_000_000));
        assert_eq!(parse_decimal_us("-1"), None);
        assert_eq!(parse_decimal_us("1e3"), None);
        assert_eq!(parse_decimal_us(""), None);
    }
}
