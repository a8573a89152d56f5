//! Streaming parse: decoded text read a chunk of whole lines at a time (memory holds
//! one chunk per thread, never the whole input), and seekable plain inputs cut into
//! byte ranges at line starts, each streamed and parsed by its own thread.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use super::{
    parse_chat_reader, parse_text, read_error, Parsed, RatioExceeded, RejectReason, UnitParser,
    GZIP_MAGIC, MIN_PIECE_BYTES, PARQUET_MAGIC,
};
use crate::error::ReplayError;

/// Inputs smaller than this per extra thread are not cut into ranges.
const MIN_RANGE_BYTES: usize = 8 << 20;

/// Reads `text` (decoded) `chunk_bytes` at a time, cut after the chunk's last newline (a
/// longer line is read whole), and parses each chunk: with `split`, in one piece per
/// core (for a stream only one thread can read, e.g. gzip), else on this thread,
/// straight into the result. Returns the records in input order, the rejections with
/// their line numbers in the whole stream, and the number of newlines read. A read
/// error (corrupt or truncated gzip) is reported after the records read before it.
pub(super) fn parse_stream(
    source_name: &str,
    text: &mut dyn Read,
    gzip: bool,
    room: Option<&Arc<str>>,
    chunk_bytes: usize,
    split: bool,
) -> (Parsed, usize) {
    let mut out = Parsed::default();
    let mut parser = UnitParser::new(source_name, room);
    let chunk_bytes = chunk_bytes.max(1);
    // Doubled up to the chunk size as needed (more only for a line longer than a chunk),
    // then reused.
    let mut buf = vec![0u8; chunk_bytes.min(1 << 16)];
    let mut filled = 0;
    let mut lines_before = 0;
    loop {
        // Read up to one chunk, and on until a newline when the chunk has none yet (the
        // bytes kept from the previous chunk follow its last newline: they have none).
        let mut eof = false;
        let mut error = None;
        let mut newline = false;
        while filled < chunk_bytes || !newline {
            if filled == buf.len() {
                buf.resize(buf.len() * 2, 0);
            }
            match text.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    newline |= memchr::memchr(b'\n', &buf[filled..filled + n]).is_some();
                    filled += n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Keep what was decompressed before the damage.
                    error = Some(e);
                    eof = true;
                    break;
                }
            }
        }
        let end = if eof {
            filled
        } else {
            memchr::memrchr(b'\n', &buf[..filled]).map_or(filled, |i| i + 1)
        };
        let chunk = &buf[..end];
        let pieces = if split {
            crate::parallel::threads_for(chunk.len(), MIN_PIECE_BYTES)
        } else {
            1
        };
        lines_before += if pieces == 1 {
            parser.lines(chunk, lines_before, &mut out)
        } else {
            parse_text(source_name, chunk, room, pieces, lines_before, &mut out)
        };
        buf.copy_within(end..filled, 0);
        filled -= end;
        if let Some(e) = error {
            if let Some(limit) = RatioExceeded::of(&e) {
                out.rejected
                    .push(RejectReason::DecompressionLimit, || ReplayError::Limit {
                        source_name: source_name.to_owned(),
                        message: limit.to_string(),
                    });
            } else if gzip {
                out.rejected.push(RejectReason::Unreadable, || {
                    ReplayError::field(
                        source_name,
                        0,
                        "(gzip)",
                        format!("a valid gzip stream: {e}"),
                    )
                });
            } else {
                out.rejected
                    .push(RejectReason::Unreadable, || read_error(source_name, &e));
            }
        }
        if eof {
            return (out, lines_before);
        }
    }
}

/// Parses an input that can be opened more than once and sought (a local file, bytes in
/// memory) of `len` bytes: a plain-text input is cut into byte ranges at line starts,
/// one per core, each streamed and parsed by its own thread (reading included, each
/// thread with its share of `chunk_bytes`);
/// gzip, Parquet and small inputs go through [`parse_chat_reader`]. The result is the
/// same as [`parse_chat_reader`]'s: records in input order, line numbers in the whole
/// input.
pub fn parse_chat_ranges<R, O>(
    source_name: &str,
    open: O,
    len: u64,
    room_hint: Option<&str>,
    chunk_bytes: usize,
) -> Parsed
where
    R: Read + Seek,
    O: Fn() -> io::Result<R> + Sync,
{
    let threads =
        crate::parallel::threads_for(usize::try_from(len).unwrap_or(usize::MAX), MIN_RANGE_BYTES);
    parse_ranges_on(source_name, &open, len, room_hint, chunk_bytes, threads)
}

/// [`parse_chat_ranges`] on (at most) `threads` threads.
fn parse_ranges_on<R, O>(
    source_name: &str,
    open: &O,
    len: u64,
    room_hint: Option<&str>,
    chunk_bytes: usize,
    threads: usize,
) -> Parsed
where
    R: Read + Seek,
    O: Fn() -> io::Result<R> + Sync,
{
    let failed = |e: &io::Error| Parsed::unreadable(source_name, e);
    // One thread: a plain stream, never sought (pipes and FIFOs work).
    let whole = || match open() {
        Ok(r) => parse_chat_reader(source_name, r, room_hint, chunk_bytes),
        Err(e) => failed(&e),
    };
    if threads <= 1 {
        return whole();
    }
    let mut first = match open() {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    let bounds = match plain_text(&mut first) {
        Ok(true) => match line_starts(&mut first, len, threads) {
            Ok(b) => b,
            Err(e) => return failed(&e),
        },
        Ok(false) => vec![0, len],
        Err(e) => return failed(&e),
    };
    drop(first);
    if bounds.len() <= 2 {
        return whole();
    }
    let room = room_hint.map(Arc::<str>::from);
    // The threads share the memory one stream would use.
    let chunk_bytes = chunk_bytes.div_ceil(bounds.len() - 1);
    let parts = crate::parallel::map_parts(bounds.len() - 1, |k| {
        let (start, end) = (bounds[k], bounds[k + 1]);
        let mut r = match open().and_then(|mut r| r.seek(SeekFrom::Start(start)).map(|_| r)) {
            Ok(r) => r,
            Err(e) => return (failed(&e), 0),
        };
        let mut range = (&mut r).take(end - start);
        parse_stream(
            source_name,
            &mut range,
            false,
            room.as_ref(),
            chunk_bytes,
            false,
        )
    });
    let mut out = Parsed::default();
    out.append_parts(parts, 0);
    out
}

/// True unless the input starts like gzip or Parquet (read from the current position).
fn plain_text(r: &mut impl Read) -> io::Result<bool> {
    let mut head = Vec::with_capacity(PARQUET_MAGIC.len());
    r.take(PARQUET_MAGIC.len() as u64).read_to_end(&mut head)?;
    Ok(!head.starts_with(PARQUET_MAGIC) && !head.starts_with(GZIP_MAGIC))
}

/// Range bounds `[0, s1, .., len]`: each `s_k` the first line start at or after
/// `k * len / parts`, strictly increasing (fewer ranges when lines are long).
fn line_starts(r: &mut (impl Read + Seek), len: u64, parts: usize) -> io::Result<Vec<u64>> {
    let mut bounds = vec![0];
    let mut block = vec![0u8; 1 << 16];
    for k in 1..parts as u64 {
        let target = len / parts as u64 * k + len % parts as u64 * k / parts as u64;
        let prev = bounds.last().copied().unwrap_or(0);
        if target <= prev {
            continue;
        }
        // A line starts at `target` when the byte before it is a newline.
        let mut pos = target - 1;
        r.seek(SeekFrom::Start(pos))?;
        let start = loop {
            let n = match r.read(&mut block) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                break None;
            }
            if let Some(i) = memchr::memchr(b'\n', &block[..n]) {
                break Some(pos + i as u64 + 1);
            }
            pos += n as u64;
        };
        match start {
            Some(s) if s < len => bounds.push(s),
            _ => break,
        }
    }
    bounds.push(len);
    Ok(bounds)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;
    use crate::input::tests::{DEL, MSG};

    fn errs(p: &Parsed) -> Vec<String> {
        p.rejected.listed().map(ToString::to_string).collect()
    }

    #[test]
    fn ranges_give_the_same_result_as_one_stream() {
        let mut text = String::new();
        for i in 0..120 {
            match i % 13 {
                4 => text.push_str("{broken\n\n"),
                7 => text.push_str("\r\n   \n"),
                _ => {}
            }
            text.push_str(&MSG.replace("WhO6MW6iRdS5", &format!("id{i:010}")));
            // Some lines hold two values (Firehose without separators), some are long.
            if i % 11 == 0 {
                text.push_str(DEL);
            }
            text.push_str(if i % 5 == 0 { "\r\n" } else { "\n" });
        }
        text.push_str("{no newline at the end");
        let whole = parse_chat_reader("r.log", text.as_bytes(), None, 1 << 30);
        assert_eq!((whole.records.len(), whole.rejected.total()), (131, 10));
        let len = text.len() as u64;
        let open = || Ok(Cursor::new(text.as_bytes()));
        for threads in [2, 3, 8, 200, 5_000] {
            for chunk in [1, 300, 1 << 20] {
                let p = parse_ranges_on("r.log", &open, len, None, chunk, threads);
                assert_eq!(p.records, whole.records, "{threads} threads, chunk {chunk}");
                assert_eq!(errs(&p), errs(&whole), "{threads} threads, chunk {chunk}");
            }
        }
        // The bounds are line starts, strictly increasing, and cover the input.
        let b = line_starts(&mut Cursor::new(text.as_bytes()), len, 7).unwrap();
        assert_eq!((b.len(), b[0], b[b.len() - 1]), (8, 0, len));
        assert!(b.windows(2).all(|w| w[0] < w[1]));
        assert!(b[1..b.len() - 1]
            .iter()
            .all(|&s| text.as_bytes()[s as usize - 1] == b'\n'));
        // One long line: one range.
        let one_line = "x".repeat(1_000);
        let b = line_starts(&mut Cursor::new(one_line.as_bytes()), 1_000, 4).unwrap();
        assert_eq!(b, [0, 1_000]);
    }

    #[test]
    fn a_pipe_is_read_as_a_stream_without_seeking() {
        // A FIFO or pipe: its length reads as 0 and seeking fails.
        struct Pipe<'a>(&'a [u8]);
        impl Read for Pipe<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.0.read(buf)
            }
        }
        impl Seek for Pipe<'_> {
            fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
                Err(io::Error::other("illegal seek"))
            }
        }
        let text = format!("{MSG}\n{DEL}\n");
        let p = parse_chat_ranges("pipe", || Ok(Pipe(text.as_bytes())), 0, None, 64);
        assert_eq!((p.records.len(), errs(&p)), (2, Vec::<String>::new()));
    }

    #[test]
    fn compressed_inputs_and_open_errors_are_not_cut() {
        let text = format!("{MSG}\n{MSG}\n");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let open = || Ok(Cursor::new(&gz[..]));
        let p = parse_ranges_on("r.gz", &open, gz.len() as u64, None, 10, 4);
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.rejected.total(), 0);
        let p = parse_ranges_on::<Cursor<&[u8]>, _>(
            "gone.log",
            &|| Err(io::Error::new(io::ErrorKind::PermissionDenied, "no access")),
            100,
            None,
            10,
            4,
        );
        assert!(p.records.is_empty());
        assert_eq!(
            errs(&p),
            ["gone.log:0: field `(read)`: expected a readable input: no access"]
        );
    }
}
