//! Streaming readers for object-shaped deliveries: IVS S3 log objects (one envelope per
//! line) and Firehose-delivered objects (concatenated JSON values, any separators).
//!
//! Both take any [`Read`], detect gzip by its magic bytes (multi-member gzip is read to
//! the end), and yield one [`Item`] per input unit, holding at most one capped unit in
//! memory. A read error (truncated or corrupt gzip) ends the stream with a quarantine
//! entry for the unreadable remainder; everything read before it has been yielded.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use flate2::bufread::MultiGzDecoder;

use crate::envelope::parse_item;
use crate::error::IngestError;
use crate::limits::{Limits, MAX_JSON_DEPTH};
use crate::quarantine::{Item, QuarantineEntry};
use crate::record::{Position, SourceContext};

/// Lines or JSON values longer than this are quarantined without being parsed.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;

const READ_BUFFER: usize = 256 * 1024;

/// How a source's bytes were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// gzip (one or more members).
    Gzip,
    /// Uncompressed bytes.
    Plain,
}

/// Wraps `r` in a decompressor when it starts with the gzip magic bytes `1f 8b`, bounded
/// by the default [`Limits`] (see [`decode_bounded`]).
pub fn decode(r: impl Read + Send + 'static) -> io::Result<(Box<dyn BufRead + Send>, Encoding)> {
    decode_bounded(r, &Limits::default()).map(|(r, enc, _)| (r, enc))
}

/// Bytes in and out of a gzip source's decompressor, shared with its bounded reader.
#[derive(Debug, Default)]
struct Meter {
    compressed: AtomicU64,
    tripped: AtomicBool,
}

/// Tells whether a source decoded by [`decode_bounded`] reached its decompression bound.
#[derive(Debug, Clone, Default)]
pub struct DecodeMeter(Arc<Meter>);

impl DecodeMeter {
    /// True once the decompression-ratio bound stopped the source.
    pub fn ratio_bound_reached(&self) -> bool {
        self.0.tripped.load(Ordering::Relaxed)
    }
}

/// Counts the compressed bytes the decompressor pulls.
struct Counting<R> {
    inner: R,
    meter: Arc<Meter>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.compressed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Decompressed output, failing once it passes the floor and the ratio bound.
struct RatioBounded<R> {
    inner: R,
    meter: Arc<Meter>,
    out: u64,
    ratio: u64,
    floor: u64,
}

impl<R: Read> Read for RatioBounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let compressed = self.meter.compressed.load(Ordering::Relaxed);
        if self.out >= self.floor && self.out > compressed.saturating_mul(self.ratio) {
            self.meter.tripped.store(true, Ordering::Relaxed);
            return Err(io::Error::other(IngestError::Limit(format!(
                "decompression ratio bound: {} bytes decompressed from {compressed} compressed bytes, \
                 more than {}:1 past the first {} bytes (a gzip bomb?); the rest of the source is not read",
                self.out, self.ratio, self.floor
            ))));
        }
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        Ok(n)
    }
}

/// Wraps `r` in a decompressor when it starts with the gzip magic bytes `1f 8b`; the
/// decompressed stream fails (with an [`IngestError::Limit`] inside the `io::Error`) once it
/// is past [`Limits::decompression_floor_bytes`] and more than
/// [`Limits::max_decompression_ratio`] times the compressed bytes read.
pub fn decode_bounded(
    r: impl Read + Send + 'static,
    limits: &Limits,
) -> io::Result<(Box<dyn BufRead + Send>, Encoding, DecodeMeter)> {
    let meter = Arc::new(Meter::default());
    let counting = Counting {
        inner: r,
        meter: Arc::clone(&meter),
    };
    let mut br = BufReader::with_capacity(READ_BUFFER, counting);
    let head = br.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        let gz = RatioBounded {
            inner: MultiGzDecoder::new(br),
            meter: Arc::clone(&meter),
            out: 0,
            ratio: limits.max_decompression_ratio,
            floor: limits.decompression_floor_bytes,
        };
        Ok((
            Box::new(BufReader::with_capacity(READ_BUFFER, gz)),
            Encoding::Gzip,
            DecodeMeter(meter),
        ))
    } else {
        Ok((Box::new(br), Encoding::Plain, DecodeMeter(meter)))
    }
}

/// Counters a reader keeps besides the items it yields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReaderStats {
    /// Decompressed bytes consumed.
    pub bytes: u64,
    /// Whitespace-only lines or separators skipped (they hold no record).
    pub blank_lines: u64,
}

/// One unit read from an object, before parsing: the bytes of one envelope (borrowed
/// from the reader's buffer until the next call), or a unit rejected without parsing
/// (overlong, garbage between values, unreadable tail, empty object).
#[derive(Debug)]
pub enum Unit<'a> {
    /// The bytes of one envelope candidate, to be parsed.
    Envelope {
        /// The unit's bytes (line without its line ending, or one JSON value).
        bytes: &'a [u8],
        /// What is known of the source.
        ctx: &'a SourceContext,
        /// Where the unit starts.
        pos: Position,
    },
    /// Quarantined as is.
    Rejected(Box<QuarantineEntry>),
}

impl Unit<'_> {
    /// Parses the unit into an owned [`Item`].
    pub fn into_item(self) -> Item {
        match self {
            Unit::Envelope { bytes, ctx, pos } => parse_item(bytes, ctx, pos),
            Unit::Rejected(q) => Item::Quarantined(q),
        }
    }
}

fn tail_entry(
    ctx: &SourceContext,
    pos: Position,
    e: &io::Error,
    consumed: u64,
    partial: &[u8],
) -> Box<QuarantineEntry> {
    let bound = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<IngestError>())
        .filter(|inner| matches!(inner, IngestError::Limit(_)));
    let reason = match bound {
        Some(limit) => format!(
            "unread remainder after {consumed} decompressed bytes: {limit}; {} partial bytes of \
             the current record are kept here",
            partial.len()
        ),
        None => format!(
            "unreadable remainder after {consumed} decompressed bytes (truncated or corrupt gzip?): {e}; \
             {} partial bytes of the current record are kept here, anything after is lost",
            partial.len()
        ),
    };
    Box::new(QuarantineEntry::new(
        &ctx.source,
        pos,
        reason,
        partial,
        partial.len() as u64,
    ))
}

fn empty_entry(ctx: &SourceContext) -> Box<QuarantineEntry> {
    Box::new(QuarantineEntry::new(
        &ctx.source,
        Position {
            line: None,
            offset: Some(0),
        },
        "empty object: no bytes after decompression, expected at least one log envelope",
        b"",
        0,
    ))
}

fn oversize_entry(
    ctx: &SourceContext,
    pos: Position,
    kept: &[u8],
    total: u64,
    cap: usize,
    what: &str,
) -> Box<QuarantineEntry> {
    Box::new(QuarantineEntry::new(
        &ctx.source,
        pos,
        format!("{what} too long: {total} bytes exceeds the {cap}-byte limit for one log envelope"),
        kept,
        total,
    ))
}

/// Yields one item per line of an IVS S3 log object (or any NDJSON stream of envelopes).
pub struct LineItems<R> {
    reader: R,
    ctx: SourceContext,
    cap: usize,
    buf: Vec<u8>,
    line: u64,
    ends_with_newline: bool,
    stats: ReaderStats,
    done: bool,
}

impl<R: BufRead> LineItems<R> {
    /// Reads lines from an already decoded reader (see [`decode`]).
    pub fn new(reader: R, ctx: SourceContext, max_record_bytes: usize) -> Self {
        LineItems {
            reader,
            ctx,
            cap: max_record_bytes,
            buf: Vec::new(),
            line: 0,
            ends_with_newline: false,
            stats: ReaderStats::default(),
            done: false,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> ReaderStats {
        self.stats
    }

    /// Reads one line into `buf` (at most `cap` bytes kept); returns its total length
    /// including the newline, 0 at end of input.
    fn read_line(&mut self) -> io::Result<u64> {
        self.buf.clear();
        self.ends_with_newline = false;
        let mut total: u64 = 0;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(total);
            }
            let (take, found) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let room = (self.cap + 1).saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..take.min(room)]);
            self.reader.consume(take);
            total += take as u64;
            self.stats.bytes += take as u64;
            if found {
                self.ends_with_newline = true;
                return Ok(total);
            }
        }
    }
}

impl<R: BufRead> LineItems<R> {
    /// The next line, unparsed; `None` at the end of the object.
    pub fn next_unit(&mut self) -> Option<Unit<'_>> {
        while !self.done {
            let start = self.stats.bytes;
            let pos = Position {
                line: Some(self.line + 1),
                offset: Some(start),
            };
            let total = match self.read_line() {
                Ok(t) => t,
                Err(e) => {
                    self.done = true;
                    let q = tail_entry(&self.ctx, pos, &e, self.stats.bytes, &self.buf);
                    return Some(Unit::Rejected(q));
                }
            };
            if total == 0 {
                self.done = true;
                return (self.stats.bytes == 0).then(|| Unit::Rejected(empty_entry(&self.ctx)));
            }
            self.line += 1;
            let newline = self.ends_with_newline;
            // `end`: the kept bytes without the line ending (indices, so that the
            // buffer is only borrowed for the unit handed out).
            let mut end = self.buf.len();
            let mut len = total - u64::from(newline);
            if self.buf[..end].last() == Some(&b'\n') {
                end -= 1;
            }
            if self.buf[..end].last() == Some(&b'\r') && end as u64 == len {
                end -= 1;
                len -= 1;
            }
            if len > self.cap as u64 {
                let q = oversize_entry(&self.ctx, pos, &self.buf[..end], len, self.cap, "line");
                return Some(Unit::Rejected(q));
            }
            if self.buf[..end].iter().all(u8::is_ascii_whitespace) {
                self.stats.blank_lines += 1;
                continue;
            }
            return Some(Unit::Envelope {
                bytes: &self.buf[..end],
                ctx: &self.ctx,
                pos,
            });
        }
        None
    }
}

impl<R: BufRead> Iterator for LineItems<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.next_unit().map(Unit::into_item)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    Between,
    Value {
        /// Open `{`/`[`: one per byte read at most, so a `u64` cannot overflow.
        depth: u64,
        /// Deeper than [`MAX_JSON_DEPTH`] at some point: the value is quarantined.
        deep: bool,
        in_string: bool,
        escape: bool,
    },
    Garbage,
}

/// Yields one item per top-level JSON value of a Firehose-delivered object: values may be
/// concatenated with no separator, or separated by any whitespace.
///
/// A value is delimited by brace matching (strings and escapes respected) and then parsed
/// as an envelope. A value nested deeper than [`MAX_JSON_DEPTH`] is still delimited exactly
/// but quarantined unparsed. Bytes between values that are not whitespace are quarantined as one
/// unit up to the next `{` or newline; an unterminated value at the end is quarantined.
pub struct JsonValueItems<R> {
    reader: R,
    ctx: SourceContext,
    cap: usize,
    buf: Vec<u8>,
    unit_len: u64,
    unit_start: u64,
    state: Scan,
    stats: ReaderStats,
    done: bool,
    /// The previous unit was handed out: clear `buf` before reading on.
    reset: bool,
}

/// What ended a JSON-values unit.
enum Ready {
    /// A unit rejected without parsing.
    Rejected(Box<QuarantineEntry>),
    /// A complete value is in `buf`.
    Value,
}

impl<R: BufRead> JsonValueItems<R> {
    /// Reads JSON values from an already decoded reader (see [`decode`]).
    pub fn new(reader: R, ctx: SourceContext, max_record_bytes: usize) -> Self {
        JsonValueItems {
            reader,
            ctx,
            cap: max_record_bytes,
            buf: Vec::new(),
            unit_len: 0,
            unit_start: 0,
            state: Scan::Between,
            stats: ReaderStats::default(),
            done: false,
            reset: false,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> ReaderStats {
        self.stats
    }

    fn finish_unit(&mut self, garbage: bool) -> Ready {
        let pos = Position {
            line: None,
            offset: Some(self.unit_start),
        };
        let deep = matches!(self.state, Scan::Value { deep: true, .. });
        self.state = Scan::Between;
        self.reset = true;
        if deep {
            Ready::Rejected(Box::new(QuarantineEntry::new(
                &self.ctx.source,
                pos,
                format!(
                    "JSON value nested deeper than {MAX_JSON_DEPTH} levels: {} bytes, expected a log envelope (4 levels)",
                    self.unit_len
                ),
                &self.buf,
                self.unit_len,
            )))
        } else if garbage {
            Ready::Rejected(Box::new(QuarantineEntry::new(
                &self.ctx.source,
                pos,
                "not a JSON object: unexpected bytes between records, expected '{' starting a log envelope",
                &self.buf,
                self.unit_len,
            )))
        } else if self.unit_len > self.cap as u64 {
            Ready::Rejected(oversize_entry(
                &self.ctx,
                pos,
                &self.buf,
                self.unit_len,
                self.cap,
                "JSON value",
            ))
        } else {
            Ready::Value
        }
    }

    /// Scans the next chunk; returns an item when a unit ended inside it.
    fn step(&mut self) -> io::Result<Option<Ready>> {
        let chunk = self.reader.fill_buf()?;
        if chunk.is_empty() {
            self.done = true;
            return Ok(match self.state {
                Scan::Between if self.stats.bytes == 0 => {
                    Some(Ready::Rejected(empty_entry(&self.ctx)))
                }
                Scan::Between => None,
                Scan::Garbage => Some(self.finish_unit(true)),
                Scan::Value { deep, .. } => {
                    let pos = Position {
                        line: None,
                        offset: Some(self.unit_start),
                    };
                    let nested = if deep {
                        format!(" (nested deeper than {MAX_JSON_DEPTH} levels)")
                    } else {
                        String::new()
                    };
                    let reason = format!(
                        "truncated JSON value{nested}: {} bytes from offset {} without the closing brace before end of object",
                        self.unit_len, self.unit_start
                    );
                    let item = QuarantineEntry::new(
                        &self.ctx.source,
                        pos,
                        reason,
                        &self.buf,
                        self.unit_len,
                    );
                    Some(Ready::Rejected(Box::new(item)))
                }
            });
        }
        let mut i = 0;
        let n = chunk.len();
        let mut state = self.state;
        let mut unit_from: Option<usize> = match state {
            Scan::Between => None,
            _ => Some(0),
        };
        let mut ended: Option<(usize, bool)> = None;
        while i < n {
            let b = chunk[i];
            match &mut state {
                Scan::Between => {
                    if b == b'{' {
                        state = Scan::Value {
                            depth: 1,
                            deep: false,
                            in_string: false,
                            escape: false,
                        };
                        unit_from = Some(i);
                        self.unit_start = self.stats.bytes + i as u64;
                    } else if !b.is_ascii_whitespace() {
                        state = Scan::Garbage;
                        unit_from = Some(i);
                        self.unit_start = self.stats.bytes + i as u64;
                    }
                }
                Scan::Garbage => {
                    if b == b'{' || b == b'\n' {
                        ended = Some((i, true));
                        break;
                    }
                }
                Scan::Value {
                    depth,
                    deep,
                    in_string,
                    escape,
                } => {
                    if *in_string {
                        if *escape {
                            *escape = false;
                        } else if b == b'\\' {
                            *escape = true;
                        } else if b == b'"' {
                            *in_string = false;
                        }
                    } else if b == b'"' {
                        *in_string = true;
                    } else if b == b'{' || b == b'[' {
                        *depth += 1;
                        *deep |= *depth > u64::from(MAX_JSON_DEPTH);
                    } else if b == b'}' || b == b']' {
                        *depth -= 1;
                        if *depth == 0 {
                            ended = Some((i + 1, false));
                            break;
                        }
                    }
                }
            }
            i += 1;
        }
        let upto = ended.map_or(n, |(e, _)| e);
        if let Some(from) = unit_from {
            let piece = &chunk[from..upto];
            let room = self.cap.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&piece[..piece.len().min(room)]);
            self.unit_len += piece.len() as u64;
        }
        self.reader.consume(upto);
        self.stats.bytes += upto as u64;
        self.state = state;
        Ok(ended.map(|(_, garbage)| self.finish_unit(garbage)))
    }
}

impl<R: BufRead> JsonValueItems<R> {
    /// The next JSON value, unparsed; `None` at the end of the object.
    pub fn next_unit(&mut self) -> Option<Unit<'_>> {
        if self.reset {
            self.buf.clear();
            self.unit_len = 0;
            self.reset = false;
        }
        while !self.done {
            match self.step() {
                Ok(Some(Ready::Rejected(q))) => return Some(Unit::Rejected(q)),
                Ok(Some(Ready::Value)) => {
                    return Some(Unit::Envelope {
                        bytes: &self.buf,
                        ctx: &self.ctx,
                        pos: Position {
                            line: None,
                            offset: Some(self.unit_start),
                        },
                    })
                }
                Ok(None) => {}
                Err(e) => {
                    self.done = true;
                    let pos = Position {
                        line: None,
                        offset: Some(self.unit_start),
                    };
                    let partial = std::mem::take(&mut self.buf);
                    let q = tail_entry(&self.ctx, pos, &e, self.stats.bytes, &partial);
                    return Some(Unit::Rejected(q));
                }
            }
        }
        None
    }
}

impl<R: BufRead> Iterator for JsonValueItems<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.next_unit().map(Unit::into_item)
    }
}
