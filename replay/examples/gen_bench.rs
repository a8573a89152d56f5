//! Writes a synthetic recording prefix and chat log for benchmarks:
//! `cargo run --release -p replay --example gen_bench -- <messages> <out-dir>`.
//!
//! `<out-dir>/rec/`: events/recording-ended.json and a 2 h media playlist (2 s segments,
//! a 5 min outage after the first hour); `<out-dir>/chat.log`: raw IVS envelopes, one
//! per line, spread over the 2 h 5 min, every 100th message deleted later. The data comes
//! from the workspace's one IVS test-data generator (`test_support::ivs::bench`).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use test_support::ivs::bench;
use test_support::ivs::time::nanos;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "bench-data".to_owned()));
    let start = nanos("2023-01-05T14:00:00Z");
    let rec = out.join("rec");
    std::fs::create_dir_all(rec.join("events"))?;
    std::fs::create_dir_all(rec.join("media/hls/720p30"))?;
    std::fs::write(
        rec.join("media/hls/720p30/playlist.m3u8"),
        bench::playlist(start, 3_600, 2_000, 1_800, 300_000),
    )?;
    std::fs::write(
        rec.join("events/recording-ended.json"),
        bench::recording_ended(start),
    )?;
    let mut w = BufWriter::new(std::fs::File::create(out.join("chat.log"))?);
    for line in bench::chat_lines(n, start, 7_500_000) {
        writeln!(w, "{line}")?;
    }
    w.flush()
}
