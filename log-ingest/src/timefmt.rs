//! RFC 3339 timestamps to nanoseconds since the Unix epoch, and back to dates.
//!
//! IVS writes `event_timestamp` with millisecond and `SendTime` with nanosecond
//! precision. A hand-written parser keeps all nine fraction digits (no float
//! rounding) and is fast on the hot path; it accepts `Z` or a `±HH:MM` offset.

/// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` into nanoseconds since the epoch (UTC).
///
/// `t`/`T` and a space are accepted as the date/time separator, `z` as `Z`.
/// Returns a short description of what was expected on failure.
pub fn parse_rfc3339_nanos(s: &str) -> Result<i64, &'static str> {
    match parse_ivs_shape(s.as_bytes()) {
        Some(n) => Ok(n),
        None => parse_rfc3339_general(s),
    }
}

/// The shape IVS writes, `YYYY-MM-DDTHH:MM:SS.f{1,9}Z` (upper-case `T` and `Z`), in one
/// pass; `None` for anything else or anything invalid, which [`parse_rfc3339_general`]
/// then parses (or rejects with its message). Where this returns a value, it is the
/// general parser's value.
#[inline]
fn parse_ivs_shape(b: &[u8]) -> Option<i64> {
    let n = b.len();
    let head: &[u8; 20] = b.get(..20)?.try_into().ok()?;
    if !(22..=30).contains(&n)
        || head[4] != b'-'
        || head[7] != b'-'
        || head[10] != b'T'
        || head[13] != b':'
        || head[16] != b':'
        || head[19] != b'.'
        || b[n - 1] != b'Z'
    {
        return None;
    }
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if DIGITS.iter().any(|&i| !head[i].is_ascii_digit()) {
        return None;
    }
    let two = |i: usize| i64::from(head[i] - b'0') * 10 + i64::from(head[i + 1] - b'0');
    let year = two(0) * 100 + two(2);
    let (month, day) = (two(5), two(8));
    let (hour, minute, second) = (two(11), two(14), two(17));
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut nanos: i64 = 0;
    for &c in &b[20..n - 1] {
        if !c.is_ascii_digit() {
            return None;
        }
        nanos = nanos * 10 + i64::from(c - b'0');
    }
    for _ in n - 21..9 {
        nanos *= 10;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// [`parse_rfc3339_nanos`] for every accepted shape, with the error descriptions.
fn parse_rfc3339_general(s: &str) -> Result<i64, &'static str> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err("RFC 3339 timestamp like 2023-01-05T14:33:32.894Z");
    }
    let num = |from: usize, len: usize| -> Result<i64, &'static str> {
        let mut v: i64 = 0;
        for &c in b.get(from..from + len).ok_or("complete timestamp")? {
            if !c.is_ascii_digit() {
                return Err("digits in date/time fields");
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Ok(v)
    };
    let year = num(0, 4)?;
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err("RFC 3339 layout YYYY-MM-DDTHH:MM:SS");
    }
    let (month, day) = (num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("a valid calendar date");
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("a valid time of day");
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return Err("fraction digits after '.'");
        }
        for _ in digits..9 {
            nanos *= 10;
        }
    }
    let offset_secs: i64 = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return Err("a valid UTC offset");
            }
            let off = oh * 3600 + om * 60;
            if sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return Err("'Z' or a ±HH:MM offset at the end"),
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    secs.checked_mul(1_000_000_000)
        .and_then(|v| v.checked_add(nanos))
        .ok_or("a timestamp within ±292 years of 1970")
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
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

/// Nanoseconds in a (UTC) day.
pub const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// `YYYY-MM-DD` (UTC) of a nanosecond timestamp: the `date=` partition value.
pub fn utc_date(nanos: i64) -> String {
    let (y, m, d) = civil_from_days(nanos.div_euclid(NANOS_PER_DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    fn reference(s: &str) -> i64 {
        let t = OffsetDateTime::parse(s, &Rfc3339).unwrap();
        i64::try_from(t.unix_timestamp_nanos()).unwrap()
    }

    #[test]
    fn matches_time_crate_on_ivs_shapes() {
        for s in [
            "2023-01-05T14:33:32.894Z",
            "2023-01-05T14:33:32.894089757Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59.5Z",
            "2022-10-14T17:40:00.1+02:00",
            "2022-10-14T17:40:00-07:30",
        ] {
            assert_eq!(parse_rfc3339_nanos(s), Ok(reference(s)), "{s}");
        }
    }

    #[test]
    fn keeps_nanoseconds() {
        let n = parse_rfc3339_nanos("2023-01-05T14:33:32.894089757Z").unwrap();
        assert_eq!(n % 1_000_000_000, 894_089_757);
    }

    #[test]
    fn rejects_bad_input() {
        for s in [
            "",
            "2023-01-05",
            "2023-13-05T14:33:32Z",
            "2023-02-30T14:33:32Z",
            "2023-01-05T14:33:32",
            "2023-01-05T14:33:32.Z",
            "2023-01-05T14:33:32.894Zjunk",
            "2023-01-05T25:33:32Z",
            "２０２３-01-05T14:33:32Z",
        ] {
            assert!(parse_rfc3339_nanos(s).is_err(), "{s}");
        }
    }

    #[test]
    fn ivs_shape_fast_path_agrees_with_the_general_parser() {
        let mut cases: Vec<String> = Vec::new();
        for date in [
            "2023-01-05",
            "2024-02-29",
            "2023-02-29",
            "1969-12-31",
            "0000-01-01",
            "9999-12-31",
            "2023-00-10",
            "2023-13-01",
            "2023-04-31",
            "2a23-01-01",
        ] {
            for time in [
                "14:33:32", "00:00:00", "23:59:60", "24:00:00", "23:60:00", "1x:00:00",
            ] {
                for frac in [
                    "",
                    ".",
                    ".8",
                    ".894",
                    ".894089757",
                    ".8940897571",
                    ".89a",
                    ".123456789012",
                ] {
                    for end in ["Z", "z", "+02:00", "", "Zx"] {
                        for sep in ["T", "t", " "] {
                            cases.push(format!("{date}{sep}{time}{frac}{end}"));
                        }
                    }
                }
            }
        }
        let mut fast = 0;
        for s in &cases {
            let general = parse_rfc3339_general(s);
            assert_eq!(parse_rfc3339_nanos(s), general, "{s}");
            if let Some(v) = parse_ivs_shape(s.as_bytes()) {
                assert_eq!(Ok(v), general, "{s}");
                fast += 1;
            }
        }
        assert!(fast > 20, "{fast}");
    }

    #[test]
    fn dates() {
        assert_eq!(
            utc_date(parse_rfc3339_nanos("2023-01-05T23:59:59.999Z").unwrap()),
            "2023-01-05"
        );
        assert_eq!(
            utc_date(parse_rfc3339_nanos("1969-12-31T23:00:00Z").unwrap()),
            "1969-12-31"
        );
        assert_eq!(
            utc_date(parse_rfc3339_nanos("2024-02-29T00:00:00Z").unwrap()),
            "2024-02-29"
        );
    }
}
