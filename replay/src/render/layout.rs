//! Subtitle layout shared by WebVTT, SRT and ASS: a chat box of at most `max_lines`
//! messages, newest at the bottom.
//!
//! Message `i` (entries sorted by offset) is shown from `start_i` until
//! `end_i = min(start_i + on_screen, start_{i+max_lines})`: it leaves when its time is
//! up or when `max_lines` newer messages pushed it off. Both `start` and `end` are
//! non-decreasing in `i`, so what is on screen at any instant is a contiguous range of
//! entries; one cue is emitted per interval between consecutive changes. `O(n)`.

use crate::align::Entry;

/// One subtitle cue: entries `first..last` (oldest first) on screen from `start_ms` to
/// `end_ms` (exclusive, `end_ms > start_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    /// Cue start (ms).
    pub start_ms: u64,
    /// Cue end (ms).
    pub end_ms: u64,
    /// First entry index on screen.
    pub first: usize,
    /// One past the last entry index on screen.
    pub last: usize,
}

/// Iterates the cues for `entries` (which must be sorted by offset, as
/// [`crate::align::align`] returns them). `max_lines` 0 is treated as 1.
pub fn cues(entries: &[Entry], on_screen_ms: u64, max_lines: usize) -> Cues<'_> {
    Cues {
        entries,
        on_screen_ms,
        max_lines: max_lines.max(1),
        lo: 0,
        hi: 0,
        t: 0,
    }
}

/// Iterator returned by [`cues`].
#[derive(Debug)]
pub struct Cues<'a> {
    entries: &'a [Entry],
    on_screen_ms: u64,
    max_lines: usize,
    /// Entries before `lo` have left the screen.
    lo: usize,
    /// Entries before `hi` have appeared.
    hi: usize,
    t: u64,
}

impl Cues<'_> {
    fn start(&self, i: usize) -> u64 {
        self.entries[i].offset_ms
    }

    fn end(&self, i: usize) -> u64 {
        let own = self.start(i).saturating_add(self.on_screen_ms);
        match self.entries.get(i + self.max_lines) {
            Some(e) => own.min(e.offset_ms),
            None => own,
        }
    }
}

impl Iterator for Cues<'_> {
    type Item = Cue;

    fn next(&mut self) -> Option<Cue> {
        let n = self.entries.len();
        loop {
            // Advance both pointers to time t.
            while self.hi < n && self.start(self.hi) <= self.t {
                self.hi += 1;
            }
            while self.lo < self.hi && self.end(self.lo) <= self.t {
                self.lo += 1;
            }
            let next_start = (self.hi < n).then(|| self.start(self.hi));
            let next_end = (self.lo < self.hi).then(|| self.end(self.lo));
            let next = match (next_start, next_end) {
                (None, None) => return None,
                (Some(a), None) | (None, Some(a)) => a,
                (Some(a), Some(b)) => a.min(b),
            };
            let cue = Cue {
                start_ms: self.t,
                end_ms: next,
                first: self.lo,
                last: self.hi,
            };
            self.t = next;
            if cue.first < cue.last && cue.end_ms > cue.start_ms {
                return Some(cue);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::entry;

    #[test]
    fn messages_expire_or_scroll_off() {
        let e = vec![
            entry(1000, "a"),
            entry(2000, "b"),
            entry(2000, "c"),
            entry(9000, "d"),
            entry(9500, "e"),
        ];
        let got: Vec<(u64, u64, usize, usize)> = cues(&e, 5000, 2)
            .map(|c| (c.start_ms, c.end_ms, c.first, c.last))
            .collect();
        // a alone; at 2000 b and c arrive, a is pushed off (max 2 lines); b,c expire at
        // 7000; d alone; d+e; d expires at 14000; e at 14500.
        assert_eq!(
            got,
            [
                (1000, 2000, 0, 1),
                (2000, 7000, 1, 3),
                (9000, 9500, 3, 4),
                (9500, 14000, 3, 5),
                (14000, 14500, 4, 5)
            ]
        );
        assert_eq!(cues(&[], 5000, 2).count(), 0);
    }

    #[test]
    fn never_more_than_max_lines_and_every_message_shown() {
        let e: Vec<Entry> = (0..200u64)
            .map(|i| entry(i * 37 % 50 + i * 20, &i.to_string()))
            .collect();
        let mut e = e;
        e.sort_by_key(|e| e.offset_ms);
        let mut shown = vec![false; e.len()];
        let mut prev_end = 0;
        for c in cues(&e, 300, 3) {
            assert!(c.last - c.first <= 3 && c.end_ms > c.start_ms && c.start_ms >= prev_end);
            prev_end = c.end_ms;
            for s in &mut shown[c.first..c.last] {
                *s = true;
            }
        }
        // Every message that is not pushed off at the very instant it appears is shown.
        for (i, s) in shown.iter().enumerate() {
            let pushed_at_once = e.get(i + 3).is_some_and(|n| n.offset_ms == e[i].offset_ms);
            assert_eq!(*s, !pushed_at_once, "entry {i}");
        }
    }
}
