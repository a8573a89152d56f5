//! The open partitions of one source's output, looked up per row without allocating, and
//! bounded: at most [`Limits::max_open_partitions`](crate::limits::Limits) are open at once.

use std::collections::BTreeMap;

use crate::error::IngestError;
use crate::timefmt::{utc_date, NANOS_PER_DAY};

type Key = (String, String);

struct Open<P> {
    part: P,
    /// Tick of the last switch to this partition (least recently used = smallest).
    used: u64,
}

/// Open partition outputs `P` of one source, keyed by (`room` value, `date` value); the
/// partition of the previous row is remembered, so consecutive rows of the same room and
/// day (the usual case) cost one comparison.
///
/// When a row needs a partition that is not open and `max_open` are, the least recently
/// used one is handed to the caller's `close` and the new one opened; a partition opened
/// again later is opened with the next part number (the sink decides what that means: a
/// further Parquet file, or appending to the same NDJSON file). At most `max_files`
/// opens (files) are allowed per source.
pub struct Partitions<P> {
    parts: BTreeMap<Key, Open<P>>,
    /// How many times each partition has been opened (its next part number).
    opened: BTreeMap<Key, u32>,
    last: Option<(i64, Key)>,
    tick: u64,
    max_open: usize,
    max_files: usize,
    files: usize,
    closed_early: u64,
}

impl<P> Partitions<P> {
    /// No partition open yet; at most `max_open` (at least 1) open at once, at most
    /// `max_files` opened in all.
    pub fn new(max_open: usize, max_files: usize) -> Self {
        Partitions {
            parts: BTreeMap::new(),
            opened: BTreeMap::new(),
            last: None,
            tick: 0,
            max_open: max_open.max(1),
            max_files,
            files: 0,
            closed_early: 0,
        }
    }

    /// The output of the partition of a row of `room` at `event_timestamp` (ns, UTC),
    /// opened with `open(room, date, part)` when it is not open (part 0 the first time);
    /// a partition closed to make room is passed to `close`.
    pub fn get_or_open(
        &mut self,
        room: &str,
        event_timestamp: i64,
        open: impl FnOnce(&str, &str, u32) -> Result<P, IngestError>,
        close: impl FnOnce(P) -> Result<(), IngestError>,
    ) -> Result<&mut P, IngestError> {
        let day = event_timestamp.div_euclid(NANOS_PER_DAY);
        let hit = matches!(&self.last, Some((d, (r, _))) if *d == day && r == room);
        if !hit {
            let key = (room.to_string(), utc_date(event_timestamp));
            self.tick += 1;
            if let Some(o) = self.parts.get_mut(&key) {
                o.used = self.tick;
            } else {
                if self.parts.len() >= self.max_open {
                    self.close_least_recently_used(close)?;
                }
                if self.files >= self.max_files {
                    return Err(IngestError::Limit(format!(
                        "the source needs more than {} partition files (rows spread over more days \
                         or interleaved across more than {} open partitions); nothing of it was \
                         committed: split the source or raise the bound",
                        self.max_files, self.max_open
                    )));
                }
                let n = self.opened.entry(key.clone()).or_insert(0);
                let part = open(&key.0, &key.1, *n)?;
                *n += 1;
                self.files += 1;
                self.parts.insert(
                    key.clone(),
                    Open {
                        part,
                        used: self.tick,
                    },
                );
            }
            self.last = Some((day, key));
        }
        self.last
            .as_ref()
            .and_then(|(_, key)| self.parts.get_mut(key))
            .map(|o| &mut o.part)
            .ok_or_else(|| IngestError::Config("partition output vanished".to_string()))
    }

    fn close_least_recently_used(
        &mut self,
        close: impl FnOnce(P) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let lru = self
            .parts
            .iter()
            .min_by_key(|(_, o)| o.used)
            .map(|(k, _)| k.clone());
        if let Some(o) = lru.and_then(|k| self.parts.remove(&k)) {
            self.closed_early += 1;
            close(o.part)?;
        }
        Ok(())
    }

    /// Partitions closed early to stay within `max_open` (each continued in a further part
    /// when rows for it came later, or not).
    pub fn closed_early(&self) -> u64 {
        self.closed_early
    }

    /// The open outputs, in (room, date) order.
    pub fn into_parts(self) -> impl Iterator<Item = P> {
        self.parts.into_values().map(|o| o.part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = NANOS_PER_DAY;

    #[test]
    fn the_least_recently_used_partition_is_closed_and_reopened_as_the_next_part() {
        let mut p: Partitions<(String, u32)> = Partitions::new(2, 100);
        let mut closed = Vec::new();
        for day in [0, 1, 0, 2, 1, 0] {
            let part = p
                .get_or_open(
                    "r",
                    day * DAY,
                    |_, d, n| Ok((d.to_string(), n)),
                    |x| {
                        closed.push(x);
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(part.0, utc_date(day * DAY));
        }
        // Day 2 evicts day 1 (used before day 0's second row), day 1 then evicts day 0,
        // day 0 then evicts day 2.
        let d = |day: i64| utc_date(day * DAY);
        assert_eq!(closed, [(d(1), 0), (d(0), 0), (d(2), 0)]);
        assert_eq!(p.closed_early(), 3);
        let open: Vec<(String, u32)> = p.into_parts().collect();
        assert_eq!(open, [(d(0), 1), (d(1), 1)]);
    }

    #[test]
    fn opening_more_files_than_allowed_is_an_error() {
        let mut p: Partitions<u32> = Partitions::new(1, 2);
        for day in [0, 1] {
            p.get_or_open("r", day * DAY, |_, _, n| Ok(n), |_| Ok(()))
                .unwrap();
        }
        let err = p
            .get_or_open("r", 0, |_, _, n| Ok(n), |_| Ok(()))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("more than 2 partition files"),
            "{err}"
        );
    }
}
