//! The subtitle writer WebVTT, SRT and ASS share.
//!
//! The layout cues ([`super::layout`]) are computed first, in one cheap sequential
//! pass. They are then cut into batches of consecutive cues; a batch renders the line of
//! each entry it shows once and formats its cues into one string. Batches are formatted
//! on every core and written in cue order, so the output is byte for byte the output of
//! a single-threaded pass, and only a few batches are in memory at a time.

use std::io::{self, Write};
use std::sync::mpsc;

use super::layout::{cues, Cue};
use super::DisplayOptions;
use crate::align::Entry;

/// Cues formatted per batch (a few MB of text).
const BATCH_CUES: usize = 16 * 1024;

/// The rendered lines of a run of entries, stored end to end in one string.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    start: usize,
    ends: &'a [usize],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (&end, rest) = self.ends.split_first()?;
        let line = self.text.get(self.start..end)?;
        self.start = end;
        self.ends = rest;
        Some(line)
    }
}

/// Shared subtitle writer: writes `header`, then for each layout cue lets `cue` append
/// the cue text (given the cue's number from 0 and the lines on screen, each rendered by
/// `line(entry, out, scratch)`) to a buffer; buffers are written to `w` in cue order.
/// Cues are clipped to [`DisplayOptions::clip_to_ms`] (and dropped when that empties
/// them) before they are numbered.
pub(crate) fn write_cues<W, L, C>(
    w: &mut W,
    entries: &[Entry],
    opts: &DisplayOptions,
    header: &str,
    line: L,
    cue: C,
) -> io::Result<()>
where
    W: Write,
    L: Fn(&Entry, &mut String, &mut String) + Sync,
    C: Fn(&mut String, usize, &Cue, Lines<'_>) + Sync,
{
    // About one cue per entry.
    let workers = crate::parallel::threads_for(entries.len(), BATCH_CUES);
    write_cues_with(w, entries, opts, header, &line, &cue, BATCH_CUES, workers)
}

/// [`write_cues`] with the batch size and thread count given (tests vary them).
#[allow(clippy::too_many_arguments)]
fn write_cues_with<W, L, C>(
    w: &mut W,
    entries: &[Entry],
    opts: &DisplayOptions,
    header: &str,
    line: &L,
    cue: &C,
    batch_cues: usize,
    workers: usize,
) -> io::Result<()>
where
    W: Write,
    L: Fn(&Entry, &mut String, &mut String) + Sync,
    C: Fn(&mut String, usize, &Cue, Lines<'_>) + Sync,
{
    let clip = opts.clip_to_ms.unwrap_or(u64::MAX);
    let all: Vec<Cue> = cues(entries, opts.on_screen_ms, opts.max_lines)
        .map(|c| Cue {
            end_ms: c.end_ms.min(clip),
            ..c
        })
        .filter(|c| c.end_ms > c.start_ms)
        .collect();
    w.write_all(header.as_bytes())?;
    let batch_cues = batch_cues.max(1);
    let batches: Vec<(usize, &[Cue])> = all
        .chunks(batch_cues)
        .enumerate()
        .map(|(i, b)| (i * batch_cues, b))
        .collect();
    in_order(
        &batches,
        workers,
        |&(first_number, batch)| format_batch(entries, first_number, batch, line, cue),
        |text| w.write_all(text.as_bytes()),
    )
}

/// Formats one batch of consecutive cues, numbered from `first_number`.
fn format_batch<L, C>(
    entries: &[Entry],
    first_number: usize,
    batch: &[Cue],
    line: &L,
    cue: &C,
) -> String
where
    L: Fn(&Entry, &mut String, &mut String),
    C: Fn(&mut String, usize, &Cue, Lines<'_>),
{
    // Both bounds of the cues' entry ranges never decrease from one cue to the next.
    let (Some(head), Some(tail)) = (batch.first(), batch.last()) else {
        return String::new();
    };
    let (lo, hi) = (head.first, tail.last.max(head.first));
    let mut text = String::with_capacity((hi - lo) * 48);
    let mut ends = Vec::with_capacity(hi - lo);
    let mut scratch = String::new();
    for e in &entries[lo..hi] {
        line(e, &mut text, &mut scratch);
        ends.push(text.len());
    }
    let mut out = String::with_capacity(batch.len() * 128);
    for (j, c) in batch.iter().enumerate() {
        let (a, b) = (c.first - lo, c.last - lo);
        let lines = Lines {
            text: &text,
            start: a.checked_sub(1).map_or(0, |i| ends[i]),
            ends: &ends[a..b],
        };
        cue(&mut out, first_number + j, c, lines);
    }
    out
}

/// Runs `job` on every item, on `workers` threads taking the items in turn, and hands
/// the results to `sink` in item order (each worker keeps at most one finished result
/// waiting). With one worker or one item, everything runs on the calling thread. A
/// `sink` error stops the workers and is returned.
fn in_order<I, T, J, S>(items: &[I], workers: usize, job: J, mut sink: S) -> io::Result<()>
where
    I: Sync,
    T: Send,
    J: Fn(&I) -> T + Sync,
    S: FnMut(T) -> io::Result<()>,
{
    if workers <= 1 || items.len() <= 1 {
        return items.iter().try_for_each(|it| sink(job(it)));
    }
    let workers = workers.min(items.len());
    std::thread::scope(|s| {
        let job = &job;
        let results: Vec<mpsc::Receiver<T>> = (0..workers)
            .map(|k| {
                let (tx, rx) = mpsc::sync_channel(1);
                s.spawn(move || {
                    for it in items.iter().skip(k).step_by(workers) {
                        // The writer hung up (its sink failed): stop.
                        if tx.send(job(it)).is_err() {
                            return;
                        }
                    }
                });
                rx
            })
            .collect();
        for i in 0..items.len() {
            // A worker that hung up early panicked; the scope re-raises its panic.
            let Ok(out) = results[i % workers].recv() else {
                return Ok(());
            };
            sink(out)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{push_display_text, push_timed_block};
    use crate::testutil::entry;
    use crate::timefmt::push_vtt_time;

    fn render(entries: &[Entry], opts: &DisplayOptions, batch: usize, workers: usize) -> String {
        let mut out = Vec::new();
        write_cues_with(
            &mut out,
            entries,
            opts,
            "HEAD\n",
            &|e: &Entry, out: &mut String, scratch: &mut String| {
                scratch.clear();
                push_display_text(e, scratch);
                out.push_str(scratch);
            },
            &|buf: &mut String, n: usize, c: &Cue, lines: Lines<'_>| {
                buf.push_str(&n.to_string());
                buf.push('\n');
                push_timed_block(buf, c, lines, push_vtt_time);
            },
            batch,
            workers,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn batches_and_threads_do_not_change_the_output() {
        // Bursts, ties and quiet stretches, so cues span batch boundaries.
        let entries: Vec<Entry> = (0..3_000u64)
            .map(|i| entry(i / 7 * 900 + (i % 7) * (i % 3) * 40, &format!("m{i}")))
            .collect();
        let mut entries = entries;
        entries.sort_by_key(|e| e.offset_ms);
        let opts = DisplayOptions {
            on_screen_ms: 2_500,
            max_lines: 3,
            clip_to_ms: Some(300_000),
            ..DisplayOptions::default()
        };
        let one = render(&entries, &opts, usize::MAX, 1);
        assert!(one.starts_with("HEAD\n0\n00:00:00.000 --> "));
        assert!(one.matches(" --> ").count() > 3_000 / 7);
        // Every cue number once, in order.
        let numbers: Vec<usize> = one["HEAD\n".len()..]
            .split_terminator("\n\n")
            .map(|block| block.lines().next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(numbers, (0..numbers.len()).collect::<Vec<_>>());
        for (batch, workers) in [(1, 2), (2, 2), (7, 3), (64, 2), (1_000, 4), (5, 1)] {
            assert_eq!(
                render(&entries, &opts, batch, workers),
                one,
                "batch {batch} workers {workers}"
            );
        }
        assert_eq!(render(&[], &opts, 4, 2), "HEAD\n");
    }

    #[test]
    fn a_failing_writer_stops_the_workers_with_its_error() {
        struct Fails(usize);
        impl Write for Fails {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk full"));
                }
                self.0 -= 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let entries: Vec<Entry> = (0..500u64).map(|i| entry(i * 1_000, "x")).collect();
        let err = write_cues_with(
            &mut Fails(3),
            &entries,
            &DisplayOptions::default(),
            "",
            &|_: &Entry, out: &mut String, _: &mut String| out.push('x'),
            &|buf: &mut String, _: usize, _: &Cue, _: Lines<'_>| buf.push('c'),
            10,
            2,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }
}
