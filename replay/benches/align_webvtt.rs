//! 1,000,000 messages (plus 10,000 deletes) on a playlist timeline with a gap: parsed
//! from raw IVS envelope lines, aligned, and written as WebVTT, each stage alone and all
//! three together, with two floors measured in the same run (cloning the records;
//! walking the JSON without building anything).
//! The input comes from the workspace's one IVS test-data generator
//! (`test_support::ivs::bench`, the same as `gen_bench`'s); the records aligned are the
//! ones parsed from it.
//! Run: `cargo bench -p replay --bench align_webvtt`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use replay::input::parse_chat;
use replay::playlist::{parse_playlist, Playlist};
use replay::render::{vtt::write_vtt, DisplayOptions};
use replay::timefmt::parse_rfc3339;
use replay::{align, AlignOptions, Timeline};
use serde::de::IgnoredAny;
use test_support::ivs::bench::{chat_lines, playlist};

fn bench(c: &mut Criterion) {
    let start = parse_rfc3339("2023-01-05T14:00:00Z").unwrap_or(0);
    // 2 h of 2 s segments, a 5 min outage after the first hour.
    let text = playlist(start, 3_600, 2_000, 1_800, 300_000);
    let Ok(Playlist::Media(segs)) = parse_playlist("bench.m3u8", &text) else {
        panic!("bench playlist")
    };
    let timeline = Timeline::from_segments("bench.m3u8", &segs, 1_000).expect("timeline");
    let mut log = Vec::with_capacity(330 << 20);
    for line in chat_lines(1_000_000, start, 7_500_000) {
        log.extend_from_slice(line.as_bytes());
        log.push(b'\n');
    }
    let boxed: Vec<Box<replay::ChatRecord>> = parse_chat("bench.log", &log, None).records;
    let display = DisplayOptions::default();
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.bench_function("parse_1m", |b| {
        b.iter(|| parse_chat("bench.log", &log, None).records.len())
    });
    group.bench_function("json_skim_1m_baseline", |b| {
        b.iter(|| {
            log.split(|&b| b == b'\n')
                .filter(|l| serde_json::from_slice::<IgnoredAny>(l).is_ok())
                .count()
        })
    });
    group.bench_function("align_1m", |b| {
        b.iter_batched(
            || boxed.clone(),
            |r| align(r, &timeline, &AlignOptions::default()),
            BatchSize::LargeInput,
        )
    });
    let (entries, _) = align(boxed.clone(), &timeline, &AlignOptions::default());
    group.bench_function("webvtt_1m", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(256 << 20);
            write_vtt(&mut out, &entries, &display).expect("vec write");
            out.len()
        })
    });
    group.bench_function("parse_align_webvtt_1m", |b| {
        b.iter(|| {
            let parsed = parse_chat("bench.log", &log, None);
            let (entries, _) = align(parsed.records, &timeline, &AlignOptions::default());
            let mut out = Vec::with_capacity(256 << 20);
            write_vtt(&mut out, &entries, &display).expect("vec write");
            out.len()
        })
    });
    group.bench_function("clone_1m_baseline", |b| b.iter(|| boxed.clone().len()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
