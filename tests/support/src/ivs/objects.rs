//! S3 log objects as IVS writes them: the key layout and gzipped newline-delimited
//! envelopes, one object per time window.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use super::time::{rfc3339, unix_nanos, Precision};

/// The S3 key IVS uses for a log object of `room_id` whose window starts at `window`
/// (nanoseconds since the epoch).
pub fn s3_key_at(account: &str, region: &str, room_id: &str, window: i64, hash: &str) -> String {
    // 2023-01-05T14:40:00.000Z
    let t = rfc3339(window, Precision::Millis);
    let (y, mo, d, h, mi) = (&t[0..4], &t[5..7], &t[8..10], &t[11..13], &t[14..16]);
    format!(
        "AWSLogs/{account}/IVSChatLogs/1.0/{region}/room_{room_id}/{y}/{mo}/{d}/{h}/\
         {account}_IVSChatLogs_1.0_{region}_room_{room_id}_{y}{mo}{d}T{h}{mi}Z_{hash}.log.gz"
    )
}

/// [`s3_key_at`] for a window given as a date-time.
pub fn s3_key(
    account: &str,
    region: &str,
    room_id: &str,
    window: OffsetDateTime,
    hash: &str,
) -> String {
    s3_key_at(account, region, room_id, unix_nanos(window), hash)
}

/// gzip of `lines`, each followed by a newline.
pub fn gz_lines<S: AsRef<str>>(lines: &[S]) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for l in lines {
        gz.write_all(l.as_ref().as_bytes())?;
        gz.write_all(b"\n")?;
    }
    gz.finish()
}

/// Groups envelopes (with their times) into IVS-style objects of `window_minutes`
/// minutes each: key -> gzipped newline-delimited JSON.
pub fn log_objects(
    account: &str,
    region: &str,
    room_id: &str,
    window_minutes: u8,
    records: &[(OffsetDateTime, Value)],
) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut grouped: BTreeMap<OffsetDateTime, Vec<String>> = BTreeMap::new();
    for (t, v) in records {
        let minute = t.minute() - t.minute() % window_minutes.max(1);
        let window = t
            .replace_second(0)
            .and_then(|t| t.replace_nanosecond(0))
            .and_then(|t| t.replace_minute(minute));
        let window = window.map_err(|e| std::io::Error::other(e.to_string()))?;
        grouped.entry(window).or_default().push(v.to_string());
    }
    grouped
        .into_iter()
        .map(|(window, lines)| {
            let hash = format!("{:08x}", window.unix_timestamp() as u32 ^ 0x1766_dcbc);
            Ok((
                s3_key(account, region, room_id, window, &hash),
                gz_lines(&lines)?,
            ))
        })
        .collect()
}

/// `start` plus `ms` milliseconds plus `extra_ns` nanoseconds (below a millisecond).
pub fn at(start: OffsetDateTime, ms: u64, extra_ns: u32) -> OffsetDateTime {
    start
        + Duration::milliseconds(ms as i64)
        + Duration::nanoseconds(i64::from(extra_ns % 1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ivs::envelope::{delete_envelope, message_envelope};
    use serde_json::json;
    use std::io::Read;
    use time::macros::datetime;

    #[test]
    fn key_matches_the_documented_example_layout() {
        let key = s3_key(
            "123456789012",
            "us-west-2",
            "abc123DEF456",
            datetime!(2022-10-14 17:40 UTC),
            "1766dcbc",
        );
        assert_eq!(
            key,
            "AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_abc123DEF456/2022/10/14/17/\
             123456789012_IVSChatLogs_1.0_us-west-2_room_abc123DEF456_20221014T1740Z_1766dcbc.log.gz"
        );
    }

    #[test]
    fn objects_are_gzipped_lines_grouped_by_window() {
        let t0 = datetime!(2026-11-20 19:03:10 UTC);
        let t1 = datetime!(2026-11-20 19:06:00 UTC);
        let recs = vec![
            (t0, delete_envelope(t0, "e1", "m1", "Spam")),
            (
                t1,
                message_envelope(t1, "m2", "hi", &json!({}), "u", &json!({})),
            ),
        ];
        let objects = log_objects("123456789012", "us-east-1", "room1", 5, &recs).expect("objects");
        assert_eq!(objects.len(), 2);
        let (key, gz) = objects.iter().next().expect("first");
        assert!(key.contains("_20261120T1900Z_"), "{key}");
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_string(&mut text)
            .expect("gunzip");
        let line: Value = serde_json::from_str(text.trim_end()).expect("json line");
        assert_eq!(line["payload"]["EventName"], "aws:DELETE_MESSAGE");
        assert_eq!(
            line["payload"]["SendTime"],
            "2026-11-20T19:03:10.000000000Z"
        );
    }
}
