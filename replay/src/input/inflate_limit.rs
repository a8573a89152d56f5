//! The decompression bound of gzip inputs: a gzip stream may decode to at most
//! [`MAX_GZIP_RATIO`] times the compressed bytes read so far, plus
//! [`GZIP_RATIO_SLACK_BYTES`]. Past that, reading fails with [`RatioExceeded`]: the
//! records decoded before are kept and the input is reported, its rest not read.
//!
//! IVS chat logs compress about 5-15x (JSON with random ids and timestamps); deflate's
//! own ceiling is about 1032x, reached by runs of one byte, so a bound of 100x is
//! far from real logs and cuts a bomb (9.7 KB of gzip, 10 MB of `x` lines) early.

use std::io::{self, Read};

use flate2::bufread::MultiGzDecoder;

/// Decoded bytes allowed per compressed byte read.
pub const MAX_GZIP_RATIO: u64 = 100;
/// Decoded bytes allowed whatever the ratio (short inputs).
pub const GZIP_RATIO_SLACK_BYTES: u64 = 1 << 20;

/// Counts the bytes read through it.
#[derive(Debug)]
pub(crate) struct Counting<R> {
    inner: R,
    bytes: u64,
}

impl<R> Counting<R> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: R) -> Self {
        Counting { inner, bytes: 0 }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// The error a [`RatioLimited`] reader fails with (inside an [`io::Error`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "gzip decompressed to {decoded} bytes from {compressed} compressed bytes, over the \
     limit of {MAX_GZIP_RATIO}x + {GZIP_RATIO_SLACK_BYTES} bytes: the rest of the input was not read"
)]
pub struct RatioExceeded {
    /// Decoded bytes when the limit was passed.
    pub decoded: u64,
    /// Compressed bytes read by then.
    pub compressed: u64,
}

impl RatioExceeded {
    /// The [`RatioExceeded`] inside `e`, if that is what `e` is.
    pub fn of(e: &io::Error) -> Option<RatioExceeded> {
        e.get_ref()?.downcast_ref::<RatioExceeded>().copied()
    }
}

/// A gzip decoder (multi-member) that fails with [`RatioExceeded`] past the bound.
pub(crate) struct RatioLimited<R: Read> {
    decoder: MultiGzDecoder<io::BufReader<Counting<R>>>,
    decoded: u64,
}

impl<R: Read> RatioLimited<R> {
    /// Decodes `compressed`, counting what is read through it.
    pub(crate) fn new(compressed: io::BufReader<Counting<R>>) -> Self {
        RatioLimited {
            decoder: MultiGzDecoder::new(compressed),
            decoded: 0,
        }
    }
}

impl<R: Read> Read for RatioLimited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.decoder.read(buf)?;
        self.decoded += n as u64;
        let compressed = self.decoder.get_ref().get_ref().bytes;
        let allowed = compressed
            .saturating_mul(MAX_GZIP_RATIO)
            .saturating_add(GZIP_RATIO_SLACK_BYTES);
        if self.decoded > allowed {
            return Err(io::Error::other(RatioExceeded {
                decoded: self.decoded,
                compressed,
            }));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    fn decode(gz: &[u8]) -> (Vec<u8>, Option<RatioExceeded>) {
        let mut r = RatioLimited::new(io::BufReader::new(Counting::new(gz)));
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(RatioExceeded::of(&e).unwrap())),
            }
        }
    }

    #[test]
    fn stops_a_bomb_and_passes_ordinary_text() {
        let bomb = "x\n".repeat(5_000_000);
        let (out, err) = decode(&gzip(bomb.as_bytes()));
        let err = err.expect("the bomb is stopped");
        assert!(err.decoded > err.compressed * MAX_GZIP_RATIO + GZIP_RATIO_SLACK_BYTES);
        // Stopped soon after the limit, not at the end of the stream.
        assert!(
            out.len() < (GZIP_RATIO_SLACK_BYTES * 3) as usize,
            "{}",
            out.len()
        );
        assert!(bomb.as_bytes().starts_with(&out));
        // Under the slack, any ratio passes; so does chat-like text of any length.
        let small = "x\n".repeat(400_000);
        assert_eq!(decode(&gzip(small.as_bytes())), (small.into_bytes(), None));
        let mut chat = String::new();
        for i in 0..60_000u64 {
            let id = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            chat.push_str(&format!(
                "{{\"type\":\"MESSAGE\",\"payload\":{{\"Id\":\"{id:016x}\",\"Content\":\"gg\",\"SendTime\":\"2023-01-05T14:{:02}:{:02}.{:03}Z\"}}}}\n",
                i / 60_000 % 60, i / 1000 % 60, i % 1000
            ));
        }
        let (out, err) = decode(&gzip(chat.as_bytes()));
        assert_eq!((out.len(), err), (chat.len(), None));
    }
}
