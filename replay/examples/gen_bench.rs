//! Writes a synthetic recording prefix and chat log for benchmarks:
//! `cargo run --release -p replay --example gen_bench -- <messages> <out-dir>`.
//!
//! `<out-dir>/rec/`: events/recording-ended.json and a 2 h media playlist (2 s segments,
//! a 5 min outage after the first hour); `<out-dir>/chat.log`: raw IVS envelopes, one
//! per line, spread over the 2 h 5 min, every 100th message deleted later.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use replay::synth;
use replay::timefmt::{format_rfc3339_ms, parse_rfc3339};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "bench-data".to_owned()));
    let start = parse_rfc3339("2023-01-05T14:00:00Z").unwrap_or(0);
    let rec = out.join("rec");
    std::fs::create_dir_all(rec.join("events"))?;
    std::fs::create_dir_all(rec.join("media/hls/720p30"))?;
    std::fs::write(
        rec.join("media/hls/720p30/playlist.m3u8"),
        synth::playlist(start, 3_600, 2_000, 1_800, 300_000),
    )?;
    std::fs::write(
        rec.join("events/recording-ended.json"),
        format!(
            r#"{{"version":"v1","channel_arn":"arn:aws:ivs:us-west-2:1:channel/bench","recording_started_at":"{}",
"recording_ended_at":"2023-01-05T16:05:00Z","recording_status":"RECORDING_ENDED","recording_status_message":"",
"media":{{"hls":{{"duration_ms":7200000,"path":"media/hls","playlist":"master.m3u8",
"renditions":[{{"path":"720p30","playlist":"playlist.m3u8","resolution_width":1280,"resolution_height":720}}]}}}}}}"#,
            format_rfc3339_ms(start)
        ),
    )?;
    let mut w = BufWriter::new(std::fs::File::create(out.join("chat.log"))?);
    for r in synth::chat(n, start, 7_500_000) {
        writeln!(w, "{}", synth::envelope_line(&r))?;
    }
    w.flush()
}
