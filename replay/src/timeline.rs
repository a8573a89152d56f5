//! The wall-clock -> video-offset map of a recording.
//!
//! Built from an HLS media playlist: every segment is a span of wall-clock time
//! (`#EXT-X-PROGRAM-DATE-TIME`, or the previous segment's end when the tag is absent)
//! that occupies `#EXTINF` of video. Where a stream reconnected (`#EXT-X-DISCONTINUITY`)
//! or the next PDT lies further than a tolerance past the previous segment's end, the
//! wall-clock time in between is a *gap*: it exists in the world but not in the video.
//! Small holes (PDT jitter, below the tolerance) are not gaps: times in them pin to the
//! next segment's start.
//!
//! Documented choices:
//! - leading segments without a PDT are back-extrapolated from the first PDT;
//! - a playlist with no PDT at all is an error (use the metadata or `--start` fallback);
//! - a PDT earlier than the previous segment's start is an error (the mapping would be
//!   ambiguous); an overlap smaller than that is resolved in favour of the later segment.

use crate::error::{ReplayError, Result};
use crate::playlist::Segment;
use crate::timefmt::{UnixNanos, NANOS_PER_MS};

/// One contiguous piece of video and the wall-clock interval it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Wall-clock start.
    pub wall_start: UnixNanos,
    /// Wall-clock end (exclusive).
    pub wall_end: UnixNanos,
    /// Video offset of `wall_start`, in nanoseconds.
    pub video_start_ns: i64,
    /// The wall-clock time between the previous span's end and this span's start is a
    /// real gap (stream down), not jitter.
    pub gap_before: bool,
}

/// Where a wall-clock instant falls on the recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Inside the video, at this offset (milliseconds, floored).
    Video(u64),
    /// In a gap; the video resumes at this offset (milliseconds).
    Gap(u64),
    /// Before the first segment.
    BeforeStart,
    /// After the last segment.
    AfterEnd,
}

/// The wall-clock -> video-offset map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    spans: Vec<Span>,
}

impl Timeline {
    /// Builds the map from media playlist segments. `gap_tolerance_ms`: holes between
    /// segments up to this size (without a discontinuity) are jitter, not gaps.
    pub fn from_segments(
        source_name: &str,
        segments: &[Segment],
        gap_tolerance_ms: u64,
    ) -> Result<Timeline> {
        let err = |line: usize, message: String| ReplayError::Playlist {
            source_name: source_name.to_owned(),
            line,
            message,
        };
        let Some(first_pdt_idx) = segments.iter().position(|s| s.program_date_time.is_some())
        else {
            return Err(err(
                0,
                if segments.is_empty() {
                    "no media segments".to_owned()
                } else {
                    "no #EXT-X-PROGRAM-DATE-TIME on any segment: cannot map wall-clock time; \
                     use the recording metadata fallback (--timeline metadata) or --start"
                        .to_owned()
                },
            ));
        };
        let tolerance = i64::try_from(gap_tolerance_ms)
            .unwrap_or(i64::MAX / 2)
            .saturating_mul(NANOS_PER_MS);
        let dur_ns = |s: &Segment| {
            i64::try_from(s.duration_us)
                .unwrap_or(i64::MAX / 4)
                .saturating_mul(1000)
        };
        // Back-extrapolate the wall start of leading segments without a PDT.
        let mut wall = segments[first_pdt_idx]
            .program_date_time
            .unwrap_or_default();
        for s in &segments[..first_pdt_idx] {
            wall = wall.saturating_sub(dur_ns(s));
        }
        let mut spans: Vec<Span> = Vec::with_capacity(segments.len());
        let mut video = 0i64;
        for s in segments {
            let start = s.program_date_time.unwrap_or(wall);
            let mut gap_before = false;
            if let Some(prev) = spans.last_mut() {
                if start < prev.wall_start {
                    return Err(err(
                        s.line,
                        "#EXT-X-PROGRAM-DATE-TIME is earlier than the previous segment's start: \
                         wall-clock mapping would be ambiguous"
                            .to_owned(),
                    ));
                }
                if start < prev.wall_end {
                    prev.wall_end = start; // overlap: the later segment wins
                }
                let hole = start - prev.wall_end;
                gap_before = hole > 0 && (s.discontinuity || hole > tolerance);
            }
            let d = dur_ns(s);
            spans.push(Span {
                wall_start: start,
                wall_end: start.saturating_add(d),
                video_start_ns: video,
                gap_before,
            });
            video = video.saturating_add(d);
            wall = start.saturating_add(d);
        }
        Ok(Timeline { spans })
    }

    /// A single span: `start` for `duration_ms` (`None`: open-ended). Used for the
    /// metadata fallback (`recording_started_at` + `duration_ms`) and `--start`.
    pub fn linear(start: UnixNanos, duration_ms: Option<u64>) -> Timeline {
        let end = match duration_ms {
            Some(d) => start.saturating_add(
                i64::try_from(d)
                    .unwrap_or(i64::MAX)
                    .saturating_mul(NANOS_PER_MS),
            ),
            None => i64::MAX,
        };
        Timeline {
            spans: vec![Span {
                wall_start: start,
                wall_end: end,
                video_start_ns: 0,
                gap_before: false,
            }],
        }
    }

    /// The spans, in order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// Total video length in milliseconds (`None` when open-ended).
    pub fn duration_ms(&self) -> Option<u64> {
        let last = self.spans.last()?;
        if last.wall_end == i64::MAX {
            return None;
        }
        let ns = last.video_start_ns + (last.wall_end - last.wall_start);
        u64::try_from(ns / NANOS_PER_MS).ok()
    }

    /// Wall-clock start of the video.
    pub fn wall_start(&self) -> UnixNanos {
        self.spans.first().map_or(0, |s| s.wall_start)
    }

    /// Number of real gaps.
    pub fn gap_count(&self) -> usize {
        self.spans.iter().filter(|s| s.gap_before).count()
    }

    /// Maps a wall-clock instant onto the video. `O(log segments)`.
    pub fn locate(&self, t: UnixNanos) -> Placement {
        let idx = self.spans.partition_point(|s| s.wall_start <= t);
        if idx == 0 {
            return Placement::BeforeStart;
        }
        let s = &self.spans[idx - 1];
        if t < s.wall_end {
            return Placement::Video(ns_to_ms(s.video_start_ns + (t - s.wall_start)));
        }
        match self.spans.get(idx) {
            None => Placement::AfterEnd,
            Some(next) if next.gap_before => Placement::Gap(ns_to_ms(next.video_start_ns)),
            Some(next) => Placement::Video(ns_to_ms(next.video_start_ns)),
        }
    }
}

/// Floors non-negative nanoseconds to milliseconds.
fn ns_to_ms(ns: i64) -> u64 {
    u64::try_from(ns.max(0) / NANOS_PER_MS).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playlist::{parse_playlist, Playlist};
    use crate::timefmt::parse_rfc3339;

    fn t(s: &str) -> UnixNanos {
        parse_rfc3339(s).unwrap()
    }

    fn timeline(text: &str) -> Timeline {
        let Playlist::Media(segs) = parse_playlist("p", text).unwrap() else {
            panic!()
        };
        Timeline::from_segments("p", &segs, 250).unwrap()
    }

    /// Known PDTs, a discontinuity and a gap: offsets checked to the millisecond.
    #[test]
    fn aligns_across_discontinuity_and_gap_to_the_millisecond() {
        let tl = timeline(
            "#EXTM3U\n\
             #EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:00.000Z\n#EXTINF:2.002,\na.ts\n\
             #EXTINF:2.002,\nb.ts\n\
             #EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:10:00.000Z\n#EXTINF:1.5,\nc.ts\n\
             #EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:10:01.500Z\n#EXTINF:3.0,\nd.ts\n\
             #EXT-X-ENDLIST\n",
        );
        assert_eq!(tl.duration_ms(), Some(8_504));
        assert_eq!(tl.gap_count(), 1);
        assert_eq!(
            tl.locate(t("2023-01-05T13:59:59.999Z")),
            Placement::BeforeStart
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:00.000Z")),
            Placement::Video(0)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:03.000999Z")),
            Placement::Video(3_000)
        );
        // b.ts starts (by extrapolation) at 14:00:02.002, video 2002.
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:02.002Z")),
            Placement::Video(2_002)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:04.003Z")),
            Placement::Video(4_003)
        );
        // Gap: 14:00:04.004 .. 14:10:00 is not in the video; it resumes at 4004.
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:04.004Z")),
            Placement::Gap(4_004)
        );
        assert_eq!(tl.locate(t("2023-01-05T14:05:00Z")), Placement::Gap(4_004));
        assert_eq!(
            tl.locate(t("2023-01-05T14:10:00.000Z")),
            Placement::Video(4_004)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:10:01.499Z")),
            Placement::Video(5_503)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:10:01.500Z")),
            Placement::Video(5_504)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:10:04.499Z")),
            Placement::Video(8_503)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:10:04.500Z")),
            Placement::AfterEnd
        );
    }

    #[test]
    fn jitter_below_tolerance_is_not_a_gap_but_a_hole_with_discontinuity_is() {
        let tl = timeline(
            "#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:00Z\n#EXTINF:2,\na.ts\n\
             #EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:02.100Z\n#EXTINF:2,\nb.ts\n\
             #EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:04.150Z\n#EXTINF:2,\nc.ts\n",
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:02.050Z")),
            Placement::Video(2_000)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:02.100Z")),
            Placement::Video(2_000)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:04.120Z")),
            Placement::Gap(4_000)
        );
        assert_eq!(tl.gap_count(), 1);
    }

    #[test]
    fn leading_segments_are_back_extrapolated_and_overlaps_resolved() {
        let tl = timeline(
            "#EXTM3U\n#EXTINF:1,\na.ts\n#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:01Z\n#EXTINF:2,\nb.ts\n\
             #EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:02.500Z\n#EXTINF:2,\nc.ts\n",
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:00.250Z")),
            Placement::Video(250)
        );
        // c.ts starts 500 ms early: the later segment wins in the overlap.
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:02.600Z")),
            Placement::Video(3_100)
        );
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:02.400Z")),
            Placement::Video(2_400)
        );
    }

    #[test]
    fn playlists_without_pdt_or_going_backwards_are_errors() {
        let Playlist::Media(segs) = parse_playlist("p", "#EXTM3U\n#EXTINF:1,\na.ts\n").unwrap()
        else {
            panic!()
        };
        let e = Timeline::from_segments("p", &segs, 0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("PROGRAM-DATE-TIME") && e.contains("--start"),
            "{e}"
        );
        let Playlist::Media(segs) = parse_playlist(
            "p",
            "#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:05Z\n#EXTINF:1,\na.ts\n\
             #EXT-X-PROGRAM-DATE-TIME:2023-01-05T14:00:00Z\n#EXTINF:1,\nb.ts\n",
        )
        .unwrap() else {
            panic!()
        };
        let e = Timeline::from_segments("p", &segs, 0)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p:7:"), "{e}");
        assert!(Timeline::from_segments("p", &[], 0).is_err());
    }

    #[test]
    fn linear_fallback() {
        let tl = Timeline::linear(t("2023-01-05T14:00:00Z"), Some(10_000));
        assert_eq!(
            tl.locate(t("2023-01-05T14:00:09.999Z")),
            Placement::Video(9_999)
        );
        assert_eq!(tl.locate(t("2023-01-05T14:00:10Z")), Placement::AfterEnd);
        let open = Timeline::linear(t("2023-01-05T14:00:00Z"), None);
        assert_eq!(open.duration_ms(), None);
        assert_eq!(
            open.locate(t("2024-01-05T14:00:00Z")),
            Placement::Video(31_536_000_000)
        );
    }
}
