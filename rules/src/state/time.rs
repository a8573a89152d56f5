//! Times and durations of stateful rules: `10s`/`5m`/`1h`/`1d` durations (pack
//! settings, moderator commands), RFC 3339 UTC (deny reasons, `rules eval`'s `Time`).

use super::Millis;

/// Longest duration anything accepts (a pack setting, `!mute`): 30 days. Longer ones
/// are an error in a pack and clamped in a command.
pub const MAX_DURATION: Millis = 30 * DAY;

const SECOND: Millis = 1000;
const MINUTE: Millis = 60 * SECOND;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

/// Parses a duration: a positive whole number with a unit `s`, `m`, `h` or `d`
/// (`90s`, `10m`, `1h`, `2d`), or a plain number of seconds. `None` when malformed,
/// zero or longer than [`MAX_DURATION`].
pub fn parse_duration(s: &str) -> Option<Millis> {
    parse_any_duration(s).filter(|ms| *ms <= MAX_DURATION)
}

/// [`parse_duration`] without the upper bound (a command clamps instead).
pub(super) fn parse_any_duration(s: &str) -> Option<Millis> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "s"),
    };
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    let n: Millis = digits.parse().ok()?;
    let unit = match unit {
        "s" | "sec" | "secs" => SECOND,
        "m" | "min" | "mins" => MINUTE,
        "h" | "hr" | "hrs" => HOUR,
        "d" | "day" | "days" => DAY,
        _ => return None,
    };
    let ms = n.checked_mul(unit)?;
    (ms > 0).then_some(ms)
}

/// A duration for people: `45s`, `10m`, `1h30m`, `2d`.
pub fn format_duration(ms: Millis) -> String {
    let secs = (ms.max(0) + SECOND - 1) / SECOND;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, u) in [(d, 'd'), (h, 'h'), (m, 'm'), (s, 's')] {
        if n > 0 {
            out.push_str(&format!("{n}{u}"));
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): the
/// crate's one civil-date conversion (audit times, `Time`, deny reasons).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days in month `m` (1-12) of year `y` (proleptic Gregorian).
pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// RFC 3339 UTC with seconds: `2026-12-01T15:04:05Z` (milliseconds dropped).
pub fn format_rfc3339(ms: Millis) -> String {
    let secs = ms.div_euclid(SECOND);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses RFC 3339 (`2026-12-01T15:04:05Z`, `…05.250+02:00`; `t`/`z`/space accepted as
/// the RFC allows) into [`Millis`]; `None` when malformed.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&mo)
        || !(1..=days_in_month(y, mo)).contains(&d)
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    let mut i = 19;
    let mut frac_ms = 0;
    if sep(i, b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = s.get(start..i.min(start + 3))?;
        frac_ms = digits.parse::<i64>().ok()? * 10_i64.pow(3 - digits.len() as u32);
    }
    let offset = match s.get(i..)? {
        "Z" | "z" => 0,
        tz if tz.len() == 6
            && matches!(tz.as_bytes()[0], b'+' | b'-')
            && tz.as_bytes()[3] == b':' =>
        {
            let oh = num(i + 1, 2)?;
            let om = num(i + 4, 2)?;
            let o = (oh * 60 + om) * MINUTE;
            if tz.starts_with('-') {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    Some(((days * 86_400 + h * 3600 + mi * 60 + sec) * SECOND) + frac_ms - offset)
}

/// The optional top-level field of a `rules eval` input line that gives the request's
/// time (the clock is used without it).
pub const TIME_FIELD: &str = "Time";

/// The [`TIME_FIELD`] of an input line: `Ok(None)` when absent; an RFC 3339 string
/// or a non-negative integer of epoch milliseconds; `Err` says what was expected.
pub fn time_of(line: &serde_json::Value) -> Result<Option<Millis>, String> {
    let Some(v) = line.get(TIME_FIELD) else {
        return Ok(None);
    };
    let parsed = match v {
        serde_json::Value::String(s) => parse_rfc3339(s),
        serde_json::Value::Number(n) => n.as_i64().filter(|ms| *ms >= 0),
        _ => None,
    };
    parsed.map(Some).ok_or_else(|| {
        format!("field `{TIME_FIELD}`: expected RFC 3339 (e.g. \"2026-01-01T00:00:00Z\") or epoch milliseconds, got {v}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_field() {
        let v = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(time_of(&v(r#"{"Content":"x"}"#)), Ok(None));
        assert_eq!(time_of(&v(r#"{"Time":5}"#)), Ok(Some(5)));
        assert_eq!(
            time_of(&v(r#"{"Time":"1970-01-01T00:00:01Z"}"#)),
            Ok(Some(1000))
        );
        for bad in [
            r#"{"Time":"yesterday"}"#,
            r#"{"Time":-1}"#,
            r#"{"Time":1.5}"#,
            r#"{"Time":null}"#,
        ] {
            assert!(time_of(&v(bad)).unwrap_err().contains("`Time`"), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Some(600_000));
        assert_eq!(parse_duration("90"), Some(90_000));
        assert_eq!(parse_duration("1d"), Some(86_400_000));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("31d"), None);
        assert_eq!(parse_duration("5 minutes"), None);
        assert_eq!(parse_duration("-5m"), None);
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(1), "1s");
    }

    #[test]
    fn rfc3339_round_trips() {
        let t = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(t, 1_767_225_600_000);
        assert_eq!(format_rfc3339(t + 3_723_999), "2026-01-01T01:02:03Z");
        assert_eq!(parse_rfc3339("2026-01-01T02:00:00.5+02:00"), Some(t + 500));
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            parse_rfc3339("2024-02-29T12:00:00Z")
                .map(format_rfc3339)
                .as_deref(),
            Some("2024-02-29T12:00:00Z")
        );
        for bad in [
            "2026-01-01",
            "2026-13-01T00:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
            "2023-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
