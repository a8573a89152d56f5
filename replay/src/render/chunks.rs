//! Chunked JSON for seeking players: one small file per `chunk_ms` of video holding the
//! entries whose offset falls in it, plus an index. A player at time `t` fetches
//! `index.json` once, then the chunk covering `t` (and the next one ahead).
//!
//! Only non-empty chunks get a file; the index lists them in order:
//! `{"format":"ivs-chat-replay-chunks","version":1,"chunk_ms":10000,"duration_ms":..,
//!   "chunks":[{"index":0,"start_ms":0,"end_ms":10000,"count":3,"file":"chunk-000000.json"}]}`.
//! A chunk file is `{"start_ms":..,"end_ms":..,"entries":[...]}` with entries as in the
//! JSON track.

use std::io::{self, Write};
use std::ops::Range;

use super::json::{json_opt, write_entries};
use super::DisplayOptions;
use crate::align::Entry;

/// One non-empty chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// `offset_ms / chunk_ms` of its entries.
    pub index: u64,
    /// Video time covered (start inclusive, end exclusive).
    pub start_ms: u64,
    /// End of the covered time.
    pub end_ms: u64,
    /// The entries in it (indices into the sorted entries).
    pub entries: Range<usize>,
}

impl Chunk {
    /// File name of this chunk.
    pub fn file_name(&self) -> String {
        format!("chunk-{:06}.json", self.index)
    }
}

/// Splits sorted entries into chunks of `chunk_ms` (0 is treated as 1).
pub fn split(entries: &[Entry], chunk_ms: u64) -> Vec<Chunk> {
    let chunk_ms = chunk_ms.max(1);
    let mut chunks: Vec<Chunk> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let index = e.offset_ms / chunk_ms;
        match chunks.last_mut() {
            Some(c) if c.index == index => c.entries.end = i + 1,
            _ => chunks.push(Chunk {
                index,
                start_ms: index * chunk_ms,
                end_ms: (index + 1).saturating_mul(chunk_ms),
                entries: i..i + 1,
            }),
        }
    }
    chunks
}

/// Writes one chunk file.
pub fn write_chunk<W: Write>(
    w: &mut W,
    chunk: &Chunk,
    entries: &[Entry],
    opts: &DisplayOptions,
) -> io::Result<()> {
    write!(
        w,
        "{{\"start_ms\":{},\"end_ms\":{},",
        chunk.start_ms, chunk.end_ms
    )?;
    write_entries(w, &entries[chunk.entries.clone()], opts)?;
    w.write_all(b"}\n")
}

/// Writes the index.
pub fn write_index<W: Write>(
    w: &mut W,
    chunks: &[Chunk],
    chunk_ms: u64,
    duration_ms: Option<u64>,
) -> io::Result<()> {
    write!(
        w,
        "{{\"format\":\"ivs-chat-replay-chunks\",\"version\":1,\"chunk_ms\":{},\"duration_ms\":{},\"chunks\":[",
        chunk_ms.max(1),
        json_opt(duration_ms)
    )?;
    for (i, c) in chunks.iter().enumerate() {
        write!(
            w,
            "{}\n{{\"index\":{},\"start_ms\":{},\"end_ms\":{},\"count\":{},\"file\":\"{}\"}}",
            if i == 0 { "" } else { "," },
            c.index,
            c.start_ms,
            c.end_ms,
            c.entries.len(),
            c.file_name()
        )?;
    }
    w.write_all(b"\n]}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::entry;

    #[test]
    fn splits_by_video_time_and_indexes() {
        let e = vec![
            entry(0, "a"),
            entry(9_999, "b"),
            entry(10_000, "c"),
            entry(35_000, "d"),
        ];
        let chunks = split(&e, 10_000);
        let got: Vec<(u64, Range<usize>)> = chunks
            .iter()
            .map(|c| (c.index, c.entries.clone()))
            .collect();
        assert_eq!(got, [(0, 0..2), (1, 2..3), (3, 3..4)]);
        let mut idx = Vec::new();
        write_index(&mut idx, &chunks, 10_000, Some(40_000)).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&idx).unwrap();
        assert_eq!(v["chunks"][2]["file"], "chunk-000003.json");
        assert_eq!(v["chunks"][2]["start_ms"], 30_000);
        let mut c = Vec::new();
        write_chunk(&mut c, &chunks[0], &e, &DisplayOptions::default()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&c).unwrap();
        assert_eq!(v["entries"][1]["id"], "b");
        assert_eq!(v["end_ms"], 10_000);
    }
}
