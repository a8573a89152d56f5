//! What object keys, log stream names and S3 event keys tell about a source.

use crate::record::SourceContext;

/// Reads account, region, room id and version from an IVS S3 log key.
///
/// Layout: `[prefix/]AWSLogs/<account>/IVSChatLogs/<version>/<region>/room_<id>/YYYY/MM/DD/HH/<file>`.
/// Works on local paths that keep the same layout. Returns a context with only `source`
/// set when the key does not follow the layout (the file name is then tried alone:
/// `<account>_IVSChatLogs_<version>_<region>_room_<id>_<YYYYMMDD>T<HHMM>Z_<hash>.log.gz`).
pub fn context_from_key(source: &str, key: &str) -> SourceContext {
    let mut ctx = SourceContext::named(source);
    let parts: Vec<&str> = key.split('/').collect();
    if let Some(i) = parts.iter().position(|p| *p == "AWSLogs") {
        if let [account, "IVSChatLogs", version, region, room, ..] = &parts[i + 1..] {
            if let Some(id) = room.strip_prefix("room_") {
                if !account.is_empty() && !region.is_empty() && !id.is_empty() {
                    ctx.account_id = Some((*account).to_string());
                    ctx.key_version = Some((*version).to_string());
                    ctx.region = Some((*region).to_string());
                    ctx.room_id = Some(id.to_string());
                    return ctx;
                }
            }
        }
    }
    let file = parts.last().copied().unwrap_or_default();
    let fields: Vec<&str> = file.split('_').collect();
    if let [account, "IVSChatLogs", version, region, "room", id, _stamp, ..] = fields.as_slice() {
        if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() {
            ctx.account_id = Some((*account).to_string());
            ctx.key_version = Some((*version).to_string());
            ctx.region = Some((*region).to_string());
            ctx.room_id = Some((*id).to_string());
        }
    }
    ctx
}

/// The room id in a CloudWatch log stream name `aws/IVSChatLogs/<version>/room_<id>`.
pub fn room_from_log_stream(stream: &str) -> Option<String> {
    let last = stream.rsplit('/').next()?;
    let id = last.strip_prefix("room_")?;
    (!id.is_empty()).then(|| id.to_string())
}

/// Decodes an S3 event notification key: `+` is a space, `%XX` a byte.
///
/// Invalid escapes are kept literally; the result is UTF-8 (lossy on invalid bytes).
pub fn decode_s3_event_key(key: &str) -> String {
    let b = key.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_abc123DEF456/2022/10/14/17/123456789012_IVSChatLogs_1.0_us-west-2_room_abc123DEF456_20221014T1740Z_1766dcbc.log.gz";

    #[test]
    fn key_layout() {
        let c = context_from_key("s3://b/x", &format!("backfill/{KEY}"));
        assert_eq!(c.account_id.as_deref(), Some("123456789012"));
        assert_eq!(c.region.as_deref(), Some("us-west-2"));
        assert_eq!(c.room_id.as_deref(), Some("abc123DEF456"));
        assert_eq!(c.key_version.as_deref(), Some("1.0"));
        assert_eq!(c.source, "s3://b/x");
    }

    #[test]
    fn file_name_alone() {
        let file = KEY.rsplit('/').next().unwrap();
        let c = context_from_key("f", &format!("/tmp/downloads/{file}"));
        assert_eq!(c.room_id.as_deref(), Some("abc123DEF456"));
        assert_eq!(c.region.as_deref(), Some("us-west-2"));
    }

    #[test]
    fn unknown_layout_keeps_only_source() {
        let c = context_from_key(
            "f",
            "firehose/2023/01/05/14/stream-1-2023-01-05-14-00-00-uuid",
        );
        assert_eq!(c, SourceContext::named("f"));
    }

    #[test]
    fn log_stream_room() {
        assert_eq!(
            room_from_log_stream("aws/IVSChatLogs/1.0/room_abc123DEF456").as_deref(),
            Some("abc123DEF456")
        );
        assert_eq!(room_from_log_stream("aws/IVSChatLogs/1.0/other"), None);
        assert_eq!(room_from_log_stream("room_"), None);
    }

    #[test]
    fn event_keys_are_decoded() {
        assert_eq!(
            decode_s3_event_key("AWSLogs%2F1%2Fa+b.log.gz"),
            "AWSLogs/1/a b.log.gz"
        );
        assert_eq!(decode_s3_event_key("caf%C3%A9%3D"), "café=");
        assert_eq!(decode_s3_event_key("100%"), "100%");
        assert_eq!(decode_s3_event_key("%zz%4"), "%zz%4");
        assert_eq!(decode_s3_event_key("a%2"), "a%2");
    }
}
