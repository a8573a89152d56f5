//! The open partitions of one source's output, looked up per row without allocating.

use std::collections::BTreeMap;

use crate::error::IngestError;
use crate::timefmt::{utc_date, NANOS_PER_DAY};

/// Open partition outputs `P` of one source, keyed by (`room` value, `date` value) and
/// kept in that order; the partition of the previous row is remembered, so consecutive
/// rows of the same room and day (the usual case) cost one comparison.
pub struct Partitions<P> {
    parts: BTreeMap<(String, String), P>,
    last: Option<(i64, (String, String))>,
}

impl<P> Default for Partitions<P> {
    fn default() -> Self {
        Partitions {
            parts: BTreeMap::new(),
            last: None,
        }
    }
}

impl<P> Partitions<P> {
    /// The output of the partition of a row of `room` at `event_timestamp` (ns, UTC),
    /// opened with `open(room, date)` the first time.
    pub fn get_or_open(
        &mut self,
        room: &str,
        event_timestamp: i64,
        open: impl FnOnce(&str, &str) -> Result<P, IngestError>,
    ) -> Result<&mut P, IngestError> {
        let day = event_timestamp.div_euclid(NANOS_PER_DAY);
        let hit = matches!(&self.last, Some((d, (r, _))) if *d == day && r == room);
        if !hit {
            let key = (room.to_string(), utc_date(event_timestamp));
            if !self.parts.contains_key(&key) {
                let part = open(&key.0, &key.1)?;
                self.parts.insert(key.clone(), part);
            }
            self.last = Some((day, key));
        }
        self.last
            .as_ref()
            .and_then(|(_, key)| self.parts.get_mut(key))
            .ok_or_else(|| IngestError::Config("partition output vanished".to_string()))
    }

    /// The outputs, in (room, date) order.
    pub fn into_parts(self) -> impl Iterator<Item = P> {
        self.parts.into_values()
    }
}
