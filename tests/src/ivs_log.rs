//! What IVS itself would write: chat-log envelopes and gzipped S3 log objects with the
//! real key layout (contracts doc, section 2). The inverse of what `log-ingest` parses.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

/// Formats a time as IVS's `event_timestamp` (milliseconds) or `SendTime` (nanoseconds).
pub fn rfc3339(t: OffsetDateTime, nanos: bool) -> String {
    let ms = t.millisecond();
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if nanos {
        format!("{base}.{:09}Z", t.nanosecond())
    } else {
        format!("{base}.{ms:03}Z")
    }
}

/// A MESSAGE envelope as IVS logs an allowed message.
pub fn message_envelope(
    send_time: OffsetDateTime,
    id: &str,
    content: &str,
    attributes: &Value,
    sender_user_id: &str,
    sender_attributes: &Value,
) -> Value {
    json!({
        "event_timestamp": rfc3339(send_time, false),
        "type": "MESSAGE",
        "version": "1.0",
        "payload": {
            "Type": "MESSAGE",
            "Id": id,
            "RequestId": "",
            "Content": content,
            "Attributes": attributes,
            "SendTime": rfc3339(send_time, true),
            "Sender": { "UserId": sender_user_id, "Attributes": sender_attributes }
        }
    })
}

/// An `aws:DELETE_MESSAGE` EVENT envelope, as IVS logs a moderator's deletion.
pub fn delete_envelope(
    at: OffsetDateTime,
    event_id: &str,
    message_id: &str,
    reason: &str,
) -> Value {
    json!({
        "event_timestamp": rfc3339(at, false),
        "type": "EVENT",
        "version": "1.0",
        "payload": {
            "Type": "EVENT",
            "Id": event_id,
            "RequestId": "",
            "EventName": "aws:DELETE_MESSAGE",
            "SendTime": rfc3339(at, true),
            "Attributes": { "MessageID": message_id, "Reason": reason }
        }
    })
}

/// The S3 key IVS uses for a log object of `room_id` whose window starts at `window`.
pub fn s3_key(
    account: &str,
    region: &str,
    room_id: &str,
    window: OffsetDateTime,
    hash: &str,
) -> String {
    let (y, mo, d, h, mi) = (
        window.year(),
        u8::from(window.month()),
        window.day(),
        window.hour(),
        window.minute(),
    );
    format!(
        "AWSLogs/{account}/IVSChatLogs/1.0/{region}/room_{room_id}/{y:04}/{mo:02}/{d:02}/{h:02}/\
         {account}_IVSChatLogs_1.0_{region}_room_{room_id}_{y:04}{mo:02}{d:02}T{h:02}{mi:02}Z_{hash}.log.gz"
    )
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
    let mut grouped: BTreeMap<OffsetDateTime, Vec<&Value>> = BTreeMap::new();
    for (t, v) in records {
        let minute = t.minute() - t.minute() % window_minutes.max(1);
        let window = t
            .replace_second(0)
            .and_then(|t| t.replace_nanosecond(0))
            .and_then(|t| t.replace_minute(minute));
        let window = window.map_err(|e| std::io::Error::other(e.to_string()))?;
        grouped.entry(window).or_default().push(v);
    }
    grouped
        .into_iter()
        .map(|(window, values)| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            for v in values {
                writeln!(gz, "{v}")?;
            }
            let hash = format!("{:08x}", window.unix_timestamp() as u32 ^ 0x1766_dcbc);
            Ok((
                s3_key(account, region, room_id, window, &hash),
                gz.finish()?,
            ))
        })
        .collect()
}

/// `start` plus `ms` milliseconds plus `extra_ns` nanoseconds.
pub fn at(start: OffsetDateTime, ms: u64, extra_ns: u32) -> OffsetDateTime {
    start
        + Duration::milliseconds(ms as i64)
        + Duration::nanoseconds(i64::from(extra_ns % 1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn timestamps_have_ms_and_ns_precision() {
        let t = datetime!(2023-01-05 14:33:32.894089757 UTC);
        assert_eq!(rfc3339(t, false), "2023-01-05T14:33:32.894Z");
        assert_eq!(rfc3339(t, true), "2023-01-05T14:33:32.894089757Z");
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
    }
}
