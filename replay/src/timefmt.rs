//! Wall-clock instants (nanoseconds since the Unix epoch, UTC) and the timestamp
//! formats of each output.

use time::OffsetDateTime;

/// Nanoseconds since 1970-01-01T00:00:00Z. `i64` covers years 1678..2262.
pub type UnixNanos = i64;

/// Nanoseconds per millisecond.
pub const NANOS_PER_MS: i64 = 1_000_000;

/// Parses an RFC 3339 timestamp (any precision, any offset) into [`UnixNanos`], with
/// `log-ingest`'s parser (the one home of RFC 3339 parsing: IVS logs, recording events
/// and playlists are read alike). Returns `None` when the text is not RFC 3339 or out of
/// range.
pub fn parse_rfc3339(text: &str) -> Option<UnixNanos> {
    log_ingest::timefmt::parse_rfc3339_nanos(text).ok()
}

/// Formats [`UnixNanos`] as RFC 3339 in UTC with millisecond precision
/// (`2023-01-05T14:33:32.894Z`).
pub fn format_rfc3339_ms(nanos: UnixNanos) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        Err(_) => nanos.to_string(),
    }
}

/// Splits a non-negative millisecond offset into (hours, minutes, seconds, millis).
fn hmsm(offset_ms: u64) -> (u64, u64, u64, u64) {
    let ms = offset_ms % 1000;
    let s = offset_ms / 1000;
    (s / 3600, (s / 60) % 60, s % 60, ms)
}

/// Appends a WebVTT timestamp `HH:MM:SS.mmm`.
pub fn push_vtt_time(out: &mut String, offset_ms: u64) {
    push_hms_millis(out, offset_ms, '.');
}

/// Appends an SRT timestamp `HH:MM:SS,mmm`.
pub fn push_srt_time(out: &mut String, offset_ms: u64) {
    push_hms_millis(out, offset_ms, ',');
}

/// Appends `HH:MM:SS<sep>mmm`.
fn push_hms_millis(out: &mut String, offset_ms: u64, sep: char) {
    let (h, m, s, ms) = hmsm(offset_ms);
    push_2(out, h);
    out.push(':');
    push_2(out, m);
    out.push(':');
    push_2(out, s);
    out.push(sep);
    push_3(out, ms);
}

/// Appends an ASS timestamp `H:MM:SS.cc` (centiseconds, truncated).
pub fn push_ass_time(out: &mut String, offset_ms: u64) {
    let (h, m, s, ms) = hmsm(offset_ms);
    push_num(out, h);
    out.push(':');
    push_2(out, m);
    out.push(':');
    push_2(out, s);
    out.push('.');
    push_2(out, ms / 10);
}

/// Appends a decimal number.
fn push_num(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// Appends at least two digits.
fn push_2(out: &mut String, n: u64) {
    if n < 10 {
        out.push('0');
    }
    push_num(out, n);
}

/// Appends exactly three digits (`n` < 1000).
fn push_3(out: &mut String, n: u64) {
    if n < 100 {
        out.push('0');
    }
    if n < 10 {
        out.push('0');
    }
    push_num(out, n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nanosecond_precision() {
        let a = parse_rfc3339("2023-01-05T14:33:32.894089757Z").unwrap();
        let b = parse_rfc3339("2023-01-05T14:33:32Z").unwrap();
        assert_eq!(a - b, 894_089_757);
        assert_eq!(parse_rfc3339("2023-01-05T15:33:32+01:00"), Some(b));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn formats_subtitle_times() {
        let mut s = String::new();
        push_vtt_time(&mut s, 3_723_004);
        s.push(' ');
        push_srt_time(&mut s, 59_999);
        s.push(' ');
        push_ass_time(&mut s, 36_000_000 + 1_239);
        assert_eq!(s, "01:02:03.004 00:00:59,999 10:00:01.23");
        assert_eq!(
            format_rfc3339_ms(parse_rfc3339("2023-01-05T14:33:32.894089757Z").unwrap()),
            "2023-01-05T14:33:32.894Z"
        );
    }
}
