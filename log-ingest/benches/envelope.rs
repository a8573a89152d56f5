//! Envelope parsing on typical IVS log lines, three ways in the same run:
//! `parse_envelope_fields` (fast scanner, serde fallback), `parse_envelope_fields_serde`
//! (serde only: what `parse_envelope_fields` was before the scanner) and
//! `serde_json::from_slice::<IgnoredAny>` (serde_json skipping the same bytes, a floor
//! for any serde-based parser); `fast_scan_only` is the scanner without validation.
//! The CPU table is printed for the typical lines and again with an escaped quote in
//! every message.
//!
//! `cargo bench -p log-ingest --no-default-features --bench envelope`
//! Criterion's time is per batch of [`LINES`] lines; `thrpt` is lines per second.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use log_ingest::envelope::{fast_path_handles, parse_envelope_fields, parse_envelope_fields_serde};
use serde::de::IgnoredAny;
use test_support::ivs::bench::chat_lines;
use test_support::ivs::time::nanos;

/// Lines per batch: 10,000 messages and one delete event per 100 (like `replay`'s
/// `gen_bench`), ~320 bytes each.
const LINES: usize = 10_100;

/// Typical lines in the shape IVS writes (keys sorted, as IVS and the bench generator
/// write them): 10,000 messages from 500 viewers 7.42 ms apart from 2023-01-05T14:00:00Z,
/// every 100th message deleted; from the workspace's one IVS test-data generator
/// (`test_support::ivs::bench`, the lines of `replay`'s `gen_bench`).
fn typical_lines() -> Vec<String> {
    let messages = LINES / 101 * 100;
    let start = nanos("2023-01-05T14:00:00Z");
    let lines: Vec<String> = chat_lines(messages, start, messages as u64 * 742 / 100).collect();
    assert_eq!(lines.len(), LINES);
    lines
}

/// CPU time of the calling thread in ns (`/proc/thread-self/schedstat`, Linux), which
/// other work on a shared machine disturbs far less than wall time; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Before criterion: each variant over 1,010,000 lines (100 passes over the batch),
/// CPU ns/line of this thread and the ratio to the serde path.
fn cpu_table(label: &str, lines: &[String]) {
    const PASSES: usize = 100;
    type Variant<'a> = (&'a str, fn(&[u8]) -> bool);
    let variants: [Variant; 4] = [
        ("fast", |b| parse_envelope_fields(b).is_ok()),
        ("fast_scan_only", fast_path_handles),
        ("serde", |b| parse_envelope_fields_serde(b).is_ok()),
        ("ignored_any", |b| {
            serde_json::from_slice::<IgnoredAny>(b).is_ok()
        }),
    ];
    // One untimed pass of each first (caches, CPU frequency).
    for (_, f) in variants {
        for l in lines {
            black_box(f(black_box(l.as_bytes())));
        }
    }
    let mut serde_ns = None;
    let mut rows = Vec::new();
    for (name, f) in variants {
        let (Some(t0), w0) = (thread_cpu_ns(), std::time::Instant::now()) else {
            return;
        };
        for _ in 0..PASSES {
            for l in lines {
                black_box(f(black_box(l.as_bytes())));
            }
        }
        let wall = w0.elapsed().as_nanos() as f64;
        let Some(t1) = thread_cpu_ns() else { return };
        let n = (PASSES * lines.len()) as f64;
        let cpu = (t1 - t0) as f64 / n;
        if name == "serde" {
            serde_ns = Some(cpu);
        }
        rows.push((name, cpu, wall / n));
    }
    eprintln!("{label}: {} lines per variant:", PASSES * lines.len());
    for (name, cpu, wall) in rows {
        let ratio = serde_ns.map_or(0.0, |s| s / cpu);
        eprintln!(
            "  {name:<15} {cpu:7.1} ns/line CPU ({wall:7.1} wall), serde / this = {ratio:.2}x"
        );
    }
}

fn envelope(c: &mut Criterion) {
    let lines = typical_lines();
    assert_eq!(lines.len(), LINES);
    // The same lines with an escaped quote in every message (`\"play\"`): unescaped by
    // the scanner into an owned copy.
    let escaped: Vec<String> = lines
        .iter()
        .map(|l| l.replace("what a play", r#"what a \"play\""#))
        .collect();
    for l in lines.iter().chain(&escaped) {
        assert!(fast_path_handles(l.as_bytes()), "not on the fast path: {l}");
        assert_eq!(
            parse_envelope_fields(l.as_bytes()).map_err(|e| e.to_string()),
            parse_envelope_fields_serde(l.as_bytes()).map_err(|e| e.to_string())
        );
    }
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    eprintln!(
        "{} lines, {:.1} bytes/line on average",
        lines.len(),
        bytes as f64 / lines.len() as f64
    );
    cpu_table("typical lines", &lines);
    cpu_table("escaped quotes in every message", &escaped);
    let mut g = c.benchmark_group("envelope");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("fast", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(parse_envelope_fields(black_box(l.as_bytes())).is_ok());
            }
        })
    });
    g.bench_function("fast_scan_only", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(fast_path_handles(black_box(l.as_bytes())));
            }
        })
    });
    g.bench_function("serde", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(parse_envelope_fields_serde(black_box(l.as_bytes())).is_ok());
            }
        })
    });
    g.bench_function("ignored_any", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(serde_json::from_slice::<IgnoredAny>(black_box(l.as_bytes())).is_ok());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, envelope);
criterion_main!(benches);
