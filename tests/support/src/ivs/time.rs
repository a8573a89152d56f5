//! IVS timestamps: nanoseconds since the Unix epoch (UTC), as RFC 3339 text.
//!
//! The calendar date comes from `log-ingest`'s [`utc_date`] (the `date=` partition value),
//! so the generator and the parser agree on the calendar.

use log_ingest::timefmt::{utc_date, NANOS_PER_DAY};

/// How many fraction digits a timestamp carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Milliseconds, as in `event_timestamp` (`2023-01-05T14:33:32.894Z`).
    Millis,
    /// Nanoseconds, as in `SendTime` (`2023-01-05T14:33:32.894089757Z`).
    Nanos,
}

/// `nanos` as RFC 3339 in UTC with the given precision.
pub fn rfc3339(nanos: i64, precision: Precision) -> String {
    let in_day = nanos.rem_euclid(NANOS_PER_DAY);
    let secs = in_day / 1_000_000_000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let frac = in_day % 1_000_000_000;
    let date = utc_date(nanos);
    match precision {
        Precision::Millis => format!("{date}T{h:02}:{m:02}:{s:02}.{:03}Z", frac / 1_000_000),
        Precision::Nanos => format!("{date}T{h:02}:{m:02}:{s:02}.{frac:09}Z"),
    }
}

/// An RFC 3339 timestamp as nanoseconds (`log-ingest`'s parser); panics on bad text
/// (test input).
pub fn nanos(text: &str) -> i64 {
    log_ingest::timefmt::parse_rfc3339_nanos(text)
        .unwrap_or_else(|e| panic!("test timestamp {text:?}: expected {e}"))
}

/// A date-time as nanoseconds since the epoch (saturating past year 2262).
pub fn unix_nanos(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

/// Nanoseconds per millisecond.
pub const NANOS_PER_MS: i64 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_and_ns_precision() {
        let t = nanos("2023-01-05T14:33:32.894089757Z");
        assert_eq!(rfc3339(t, Precision::Millis), "2023-01-05T14:33:32.894Z");
        assert_eq!(
            rfc3339(t, Precision::Nanos),
            "2023-01-05T14:33:32.894089757Z"
        );
        assert_eq!(
            rfc3339(nanos("1969-12-31T23:59:59.5Z"), Precision::Millis),
            "1969-12-31T23:59:59.500Z"
        );
    }
}
