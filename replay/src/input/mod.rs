//! Pure parsing of chat log inputs into [`ChatRecord`]s.
//!
//! Accepted, auto-detected per record:
//! - raw IVS log envelopes (contracts, section 2): one JSON object per line (S3
//!   delivery, CloudWatch export) or concatenated without separators (Firehose). They
//!   are parsed by `log-ingest`'s envelope parser ([`envelope`]), so replay accepts and
//!   rejects exactly what ingestion does, with the same reasons;
//! - the NDJSON rows written by `log-ingest` (flat, snake_case: `type`, `id`,
//!   `send_time` as integer nanoseconds, `sender_user_id`, `target_message_id` ...), see
//!   `row.rs`.
//!
//! Either may be gzip-compressed (detected by the magic bytes). The Parquet files
//! `log-ingest` writes are read too (detected by `PAR1`), see [`parquet`]. A record
//! that cannot be read is rejected with its `source:line` (row, for Parquet) and the
//! reason; the others are kept.
//!
//! Large inputs are parsed on every core (scoped threads): a seekable plain input is cut
//! into byte ranges at line starts, each read and parsed by its own thread
//! ([`parse_chat_ranges`]); a stream (gzip) is read by one thread, and each chunk is cut
//! into pieces parsed in parallel. The result is the same as parsing in one go: records
//! in input order, errors with their line numbers in the whole input.

pub mod envelope;
mod inflate_limit;
pub mod parquet;
mod rejections;
pub(crate) mod row;
mod stream;

pub use inflate_limit::{RatioExceeded, GZIP_RATIO_SLACK_BYTES, MAX_GZIP_RATIO};
pub use rejections::{RejectReason, RejectionSummary, Rejections, MAX_LISTED_REJECTIONS};
pub use stream::parse_chat_ranges;

use std::io::{BufRead, Read};
use std::sync::Arc;

use serde::de::IgnoredAny;

use crate::error::ReplayError;
use crate::record::ChatRecord;
use envelope::Senders;

/// What came out of one input: the records read and the ones rejected.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Records read, in input order. Boxed: they are moved through alignment and
    /// sorting as pointers, never copied.
    #[allow(clippy::vec_box)]
    pub records: Vec<Box<ChatRecord>>,
    /// Rejected records (and unreadable inputs): the first ones with their location,
    /// all counted by reason.
    pub rejected: Rejections,
}

impl Parsed {
    /// Appends `other` (records and rejections), keeping the order.
    pub fn append(&mut self, other: Parsed) {
        if self.records.is_empty() {
            self.records = other.records;
        } else {
            self.records.extend(other.records);
        }
        self.rejected.append(other.rejected);
    }

    /// Appends consecutive parts of one input, each with the number of newlines it
    /// spans, the first starting after line `lines_before`: their rejections get line
    /// numbers in the whole input. Returns the newlines of all parts.
    pub(crate) fn append_parts(
        &mut self,
        parts: Vec<(Parsed, usize)>,
        lines_before: usize,
    ) -> usize {
        let mut lines = 0;
        for (mut part, part_lines) in parts {
            part.rejected.shift_lines(lines_before + lines);
            lines += part_lines;
            self.append(part);
        }
        lines
    }
}

/// Inputs smaller than this per extra core are parsed on one thread.
const MIN_PIECE_BYTES: usize = 4 << 20;

/// Parses one input's bytes (plain or gzip). `room_hint` is the room id known from the
/// source (e.g. the S3 key), applied to records that carry none.
pub fn parse_chat(source_name: &str, bytes: &[u8], room_hint: Option<&str>) -> Parsed {
    let open = || Ok(std::io::Cursor::new(bytes));
    parse_chat_ranges(
        source_name,
        open,
        bytes.len() as u64,
        room_hint,
        CHUNK_BYTES,
    )
}

/// How a Parquet file starts.
const PARQUET_MAGIC: &[u8] = b"PAR1";
/// How a gzip stream starts.
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Decoded input parsed at a time by [`parse_chat_reader`] (cut after a newline).
pub const CHUNK_BYTES: usize = 32 << 20;

/// Parses one input read as a stream (plain or gzip), `chunk_bytes` of decoded text at
/// a time (whole lines; a longer line is read whole): memory holds one chunk, never the
/// whole input. Parquet (`PAR1`) is read whole. A read error (corrupt or truncated
/// gzip) is reported after the records read before it, which are kept; so is a gzip
/// stream past the decompression bound ([`MAX_GZIP_RATIO`]).
pub fn parse_chat_reader(
    source_name: &str,
    reader: impl Read,
    room_hint: Option<&str>,
    chunk_bytes: usize,
) -> Parsed {
    // Counts the compressed bytes, for the decompression bound.
    let mut reader = std::io::BufReader::new(inflate_limit::Counting::new(reader));
    let head = match reader.fill_buf() {
        Ok(h) => h,
        Err(e) => return Parsed::unreadable(source_name, &e),
    };
    if head.starts_with(PARQUET_MAGIC) {
        let mut bytes = Vec::new();
        if let Err(e) = reader.read_to_end(&mut bytes) {
            return Parsed::unreadable(source_name, &e);
        }
        return parquet::parse_parquet(source_name, &bytes, room_hint);
    }
    let gzip = head.starts_with(GZIP_MAGIC);
    let mut text: Box<dyn Read> = if gzip {
        Box::new(inflate_limit::RatioLimited::new(reader))
    } else {
        Box::new(reader)
    };
    let room = room_hint.map(Arc::<str>::from);
    stream::parse_stream(
        source_name,
        &mut *text,
        gzip,
        room.as_ref(),
        chunk_bytes,
        true,
    )
    .0
}

pub(crate) fn read_error(source_name: &str, e: &std::io::Error) -> ReplayError {
    ReplayError::field(source_name, 0, "(read)", format!("a readable input: {e}"))
}

impl Parsed {
    /// Nothing read: the input could not be opened or read.
    pub(crate) fn unreadable(source_name: &str, e: &std::io::Error) -> Parsed {
        let mut out = Parsed::default();
        out.rejected
            .push(RejectReason::Unreadable, || read_error(source_name, e));
        out
    }
}

/// Parses decoded text cut into `pieces` parts at line boundaries, in parallel, into
/// `out` in order, numbering lines after `lines_before`; returns the newlines in `text`.
pub(crate) fn parse_text(
    source_name: &str,
    text: &[u8],
    room: Option<&Arc<str>>,
    pieces: usize,
    lines_before: usize,
    out: &mut Parsed,
) -> usize {
    let parts = split_at_lines(text, pieces);
    let results =
        crate::parallel::map_parts(parts.len(), |k| parse_lines(source_name, parts[k], room));
    out.append_parts(results, lines_before)
}

/// Cuts `text` into at most `n` slices of similar size, each ending after a newline
/// (except the last).
fn split_at_lines(text: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = text;
    for i in (1..n).rev() {
        let target = rest.len() / (i + 1);
        match memchr::memchr(b'\n', &rest[target..]) {
            Some(nl) => {
                let (a, b) = rest.split_at(target + nl + 1);
                parts.push(a);
                rest = b;
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

/// Parses every line of `text`; also returns the number of newlines in it (the line
/// numbers it used up).
fn parse_lines(source_name: &str, text: &[u8], room: Option<&Arc<str>>) -> (Parsed, usize) {
    // One record per line, usually: reserve once instead of growing (and copying).
    let mut out = Parsed {
        records: Vec::with_capacity(memchr::memchr_iter(b'\n', text).count() + 1),
        rejected: Rejections::default(),
    };
    let newlines = UnitParser::new(source_name, room).lines(text, 0, &mut out);
    (out, newlines)
}

/// Parses single records (envelopes or rows) of one source.
pub(crate) struct UnitParser<'a> {
    source_name: &'a str,
    room: Option<&'a Arc<str>>,
    senders: Senders,
}

impl<'a> UnitParser<'a> {
    /// A parser for records of `source_name` (room applied to records that carry none).
    pub(crate) fn new(source_name: &'a str, room: Option<&'a Arc<str>>) -> Self {
        UnitParser {
            source_name,
            room,
            senders: Senders::default(),
        }
    }

    /// Parses every line of `text` into `out`, numbering lines after `lines_before`;
    /// returns the number of newlines in `text`.
    pub(crate) fn lines(&mut self, text: &[u8], lines_before: usize, out: &mut Parsed) -> usize {
        let mut start = 0;
        let mut newlines = 0;
        let ends = memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len()));
        for (i, end) in ends.enumerate() {
            let trimmed = text[start..end].trim_ascii();
            start = end + 1;
            newlines = i;
            if !trimmed.is_empty() {
                self.line(trimmed, lines_before + i + 1, out);
            }
        }
        newlines
    }

    /// One line: usually one value; several concatenated values (Firehose without
    /// separators) are split only when the line does not parse as one.
    fn line(&mut self, line: &[u8], line_no: usize, out: &mut Parsed) {
        match self.value(line) {
            Ok(r) => out.records.push(Box::new(r)),
            Err(e) => match split_values(line) {
                Some(values) => {
                    for v in values {
                        match self.value(v.trim_ascii()) {
                            Ok(r) => out.records.push(Box::new(r)),
                            Err(e) => self.reject(e, line_no, out),
                        }
                    }
                }
                None => self.reject(e, line_no, out),
            },
        }
    }

    /// One JSON value: an IVS envelope, else a log-ingest row; an envelope's error
    /// unless the value is shaped like a row.
    fn value(&mut self, bytes: &[u8]) -> Result<ChatRecord, Unread> {
        let reason = match envelope::parse(bytes, self.room, &mut self.senders) {
            Ok(r) => return Ok(r),
            Err(reason) => reason,
        };
        match row::parse_row(bytes, self.room, &mut self.senders) {
            Some(Ok(r)) => Ok(r),
            Some(Err((field, expected))) => Err(Unread::Row(field, expected)),
            None => Err(Unread::Envelope(reason)),
        }
    }

    /// Counts a value that could not be read; its error (with `source:line`) is built
    /// only while rejections are still listed.
    fn reject(&self, unread: Unread, line_no: usize, out: &mut Parsed) {
        let source_name = self.source_name;
        match unread {
            Unread::Envelope(reason) => {
                out.rejected
                    .push(RejectReason::of_envelope_error(&reason), || {
                        ReplayError::Record {
                            source_name: source_name.to_owned(),
                            line: line_no,
                            reason: reason.to_string(),
                        }
                    })
            }
            Unread::Row(field, expected) => {
                out.rejected.push(RejectReason::of_row_field(field), || {
                    ReplayError::field(source_name, line_no, field, expected)
                })
            }
        }
    }
}

/// Why one value could not be read, before its location is attached.
enum Unread {
    /// `log-ingest`'s envelope parser's error (the value is not shaped like a row).
    Envelope(log_ingest::IngestError),
    /// A `log-ingest` row's field and what was expected there.
    Row(&'static str, String),
}

/// The top-level JSON values of `line` when there are at least two (the last one may
/// be the unparseable rest); `None` for a single value or invalid JSON.
fn split_values(line: &[u8]) -> Option<Vec<&[u8]>> {
    let mut values = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(line).into_iter::<IgnoredAny>();
    let mut start = 0;
    while let Some(v) = stream.next() {
        let end = if v.is_ok() {
            stream.byte_offset()
        } else {
            line.len()
        };
        values.push(&line[start..end]);
        start = end;
        if v.is_err() {
            break;
        }
    }
    (values.len() >= 2).then_some(values)
}

/// The room id of an IVS chat log S3 key or file name, as `log-ingest` reads it (the
/// contract's layout, `AWSLogs/<account>/IVSChatLogs/<version>/<region>/room_<id>/...`, or
/// the file name `<account>_IVSChatLogs_<version>_<region>_room_<id>_...`); `None` for
/// any other name, however it spells `room_`.
pub fn room_from_key(key: &str) -> Option<String> {
    log_ingest::keys::context_from_key(key, key).room_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::SystemEvent;
    use std::io::Write;

    pub(crate) const MSG: &str = r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Content":"bbiab!","Attributes":{"username":"gleningp"},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{"UserId":"u1","Attributes":{}}}}"#;
    pub(crate) const DEL: &str = r#"{"event_timestamp":"2023-01-05T14:33:40Z","type":"EVENT","version":"1.0","payload":{"Type":"EVENT","Id":"e1","RequestId":"r","EventName":"aws:DELETE_MESSAGE","SendTime":"2023-01-05T14:33:40Z","Attributes":{"MessageId":"WhO6MW6iRdS5","Reason":"Spam"}}}"#;

    #[test]
    fn reads_envelope_lines_gzip_and_concatenated_values() {
        let plain = format!("{MSG}\n\n{DEL}\n");
        let p = parse_chat("a.log", plain.as_bytes(), Some("room1"));
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.records.len(), 2);
        let m = &p.records[0];
        assert_eq!(m.content.as_deref(), Some("bbiab!"));
        assert_eq!(m.send_time % 1_000_000_000, 894_089_757);
        assert_eq!(m.room.as_deref(), Some("room1"));
        assert_eq!(m.sender_user_id.as_deref(), Some("u1"));
        assert_eq!(p.records[1].target_message_id(), Some("WhO6MW6iRdS5"));
        assert_eq!(p.records[1].reason(), Some("Spam"));

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(format!("{MSG}{DEL}").as_bytes()).unwrap();
        let p = parse_chat("b.gz", &gz.finish().unwrap(), None);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.records.len(), 2);
    }

    #[test]
    fn reads_log_ingest_rows() {
        let row = r#"{"event_timestamp":1672929212894000000,"type":"EVENT","version":"1.0","room_id":"abc","id":"e2","event_name":"aws:DELETE_MESSAGE","send_time":1672929212894089757,"attributes":{"MessageID":"m1"},"target_message_id":"m1","reason":"Spam","source":"x","source_line":3}"#;
        let p = parse_chat("rows.ndjson", row.as_bytes(), None);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let r = &p.records[0];
        assert_eq!(r.event_name(), Some(SystemEvent::DeleteMessage.as_str()));
        assert_eq!(r.send_time, 1_672_929_212_894_089_757);
        assert_eq!(r.room.as_deref(), Some("abc"));
        assert_eq!(r.target_message_id(), Some("m1"));
    }

    #[test]
    fn bad_records_are_rejected_with_location_and_the_rest_kept() {
        let bad_time = MSG.replace("2023-01-05T14:33:32.894089757Z", "later");
        let bad_row = r#"{"type":"CHAT","id":"r1","send_time":1}"#;
        let text = format!("{MSG}\n{bad_time}\nnot json\n{bad_row}\n{MSG}{{\"x\":1}}\n{DEL}\n");
        let p = parse_chat("c.log", text.as_bytes(), None);
        assert_eq!(p.records.len(), 3);
        let errs: Vec<String> = p.rejected.listed().map(ToString::to_string).collect();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(
            errs[0].starts_with("c.log:2:")
                && errs[0].contains("payload.SendTime")
                && errs[0].contains("later"),
            "{errs:?}"
        );
        assert!(
            errs[1].starts_with("c.log:3:") && errs[1].contains("not valid JSON"),
            "{errs:?}"
        );
        // Shaped like a log-ingest row: the row's field is named.
        assert!(
            errs[2].starts_with("c.log:4:")
                && errs[2].contains("field `type`")
                && errs[2].contains("CHAT"),
            "{errs:?}"
        );
        // The second of two concatenated values is neither an envelope nor a row.
        assert!(
            errs[3].starts_with("c.log:5:")
                && errs[3].contains("field `payload`")
                && errs[3].contains("log-ingest row"),
            "{errs:?}"
        );
        // Counted by reason.
        assert_eq!(
            p.rejected
                .by_reason()
                .iter()
                .map(|(r, n)| (*r, *n))
                .collect::<Vec<_>>(),
            [
                (RejectReason::InvalidJson, 1),
                (RejectReason::NotARecord, 1),
                (RejectReason::InvalidField, 2)
            ]
        );
    }

    #[test]
    fn envelopes_are_validated_as_log_ingest_does() {
        // log-ingest's parser requires the envelope fields and a MESSAGE's Content.
        for (text, want) in [
            (
                MSG.replace(r#""event_timestamp":"2023-01-05T14:33:32.894Z","#, ""),
                "missing field `event_timestamp`",
            ),
            (
                MSG.replace(r#""version":"1.0","#, ""),
                "missing field `version`",
            ),
            (
                MSG.replace(r#""Content":"bbiab!","#, ""),
                "missing field `payload.Content`",
            ),
            (
                MSG.replace(r#""UserId":"u1""#, r#""UserId":7"#),
                "field `payload.Sender.UserId`",
            ),
        ] {
            let p = parse_chat("d.log", text.as_bytes(), None);
            let errs: Vec<String> = p.rejected.listed().map(ToString::to_string).collect();
            assert!(p.records.is_empty() && errs.len() == 1, "{text}: {errs:?}");
            assert!(
                errs[0].starts_with("d.log:1: ") && errs[0].contains(want),
                "{errs:?}"
            );
        }
    }

    #[test]
    fn parallel_pieces_give_the_same_result_as_one_pass() {
        let mut text = String::new();
        for i in 0..200 {
            if i % 37 == 5 {
                text.push_str("{broken\n\n");
            }
            text.push_str(&MSG.replace("WhO6MW6iRdS5", &format!("id{i:010}")));
            text.push('\n');
        }
        let joined = |pieces| {
            let mut out = Parsed::default();
            parse_text("p.log", text.as_bytes(), None, pieces, 0, &mut out);
            out
        };
        let one = joined(1);
        for pieces in [2, 3, 7] {
            let many = joined(pieces);
            assert_eq!(many.records, one.records, "{pieces} pieces");
            let lines = |p: &Parsed| {
                p.rejected
                    .listed()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            };
            assert_eq!(lines(&many), lines(&one), "{pieces} pieces");
        }
        assert_eq!((one.records.len(), one.rejected.total()), (200, 6));
        assert!(
            one.rejected
                .listed()
                .next()
                .unwrap()
                .to_string()
                .starts_with("p.log:6:"),
            "{:?}",
            one.rejected
        );
        // Records of one sender share their attributes.
        assert!(std::sync::Arc::ptr_eq(
            &one.records[0].sender_attributes,
            &one.records[199].sender_attributes
        ));
    }

    #[test]
    fn streamed_chunks_give_the_same_result_and_keep_records_before_bad_gzip() {
        let mut text = String::new();
        for i in 0..50 {
            if i % 9 == 4 {
                text.push_str("{broken\n");
            }
            text.push_str(&MSG.replace("WhO6MW6iRdS5", &format!("id{i:010}")));
            // Some lines hold two values, longer than the smallest chunk below.
            if i % 7 == 0 {
                text.push_str(DEL);
            }
            text.push('\n');
        }
        let whole = parse_chat_reader("s.log", text.as_bytes(), None, 1 << 30);
        assert_eq!((whole.records.len(), whole.rejected.total()), (58, 6));
        for chunk in [1, 100, 700, 5_000] {
            let p = parse_chat_reader("s.log", text.as_bytes(), None, chunk);
            assert_eq!(p.records, whole.records, "chunk {chunk}");
            let errs = |p: &Parsed| {
                p.rejected
                    .listed()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            };
            assert_eq!(errs(&p), errs(&whole), "chunk {chunk}");
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let mut gz = gz.finish().unwrap();
        let p = parse_chat_reader("s.gz", &gz[..], None, 100);
        assert_eq!(p.records, whole.records);
        gz.truncate(gz.len() * 2 / 3);
        let p = parse_chat_reader("s.gz", &gz[..], None, 100);
        let last = p
            .rejected
            .listed()
            .last()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            last.contains("(gzip)") && last.starts_with("s.gz:0:"),
            "{last}"
        );
        assert!(!p.records.is_empty() && p.records.len() < whole.records.len());
        assert_eq!(p.records[..], whole.records[..p.records.len()]);
    }

    #[test]
    fn room_from_s3_key() {
        // The contract's example key (a 12-digit account id).
        let key = "AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_abc123DEF456/2022/10/14/17/123456789012_IVSChatLogs_1.0_us-west-2_room_abc123DEF456_20221014T1740Z_1766dcbc.log.gz";
        assert_eq!(room_from_key(key).as_deref(), Some("abc123DEF456"));
        let s3 = format!("s3://logs/backfill/{key}");
        assert_eq!(room_from_key(&s3).as_deref(), Some("abc123DEF456"));
        let file = key.rsplit('/').next().unwrap();
        assert_eq!(
            room_from_key(&format!("/tmp/{file}")).as_deref(),
            Some("abc123DEF456")
        );
        assert_eq!(room_from_key("chat.log"), None);
        // Not the contract's layout: no room, however the name spells `room_` (the old
        // rule read `notes` and `abc` here).
        assert_eq!(room_from_key("/home/me/classroom_notes.log"), None);
        assert_eq!(room_from_key("exports/room_abc-2.ndjson"), None);
    }
}
