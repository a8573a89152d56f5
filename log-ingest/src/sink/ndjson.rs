//! NDJSON sink: the same layout as Parquet, one [`ChatRow`] JSON object per line.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::layout::{OutputLayout, PendingFile};
use super::partitions::Partitions;
use super::{RecordSink, TableSink};
use crate::error::IngestError;
use crate::limits::Limits;
use crate::record::RowRef;

/// Write buffer per open partition.
const BUFFER: usize = 256 * 1024;

struct Part {
    file: PendingFile,
    out: BufWriter<File>,
}

impl Part {
    /// Flushes and closes the file (it stays uncommitted).
    fn close(mut self) -> Result<PendingFile, IngestError> {
        self.out
            .flush()
            .map_err(|e| IngestError::io(&self.file.tmp, e))?;
        Ok(self.file)
    }
}

/// Writes a source's records to `room=<id>/date=<day>/<stem>.ndjson` files.
///
/// A partition closed early (see [`Limits::max_open_partitions`]) is appended to when
/// reopened: NDJSON needs no further parts.
pub struct NdjsonSink {
    layout: OutputLayout,
    stem: String,
    parts: Partitions<Part>,
    /// Files of partitions closed early, by relative path, reopened or committed later.
    closed: BTreeMap<PathBuf, PendingFile>,
    line: Vec<u8>,
}

impl NdjsonSink {
    /// A sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str, limits: &Limits) -> Self {
        NdjsonSink {
            layout,
            stem: stem.to_string(),
            // Reopening appends to the same file, so files are bounded by partitions:
            // the per-source file bound counts opens, reopens included.
            parts: Partitions::new(limits.max_open_partitions, limits.max_partition_files),
            closed: BTreeMap::new(),
            line: Vec::with_capacity(1024),
        }
    }
}

impl RecordSink for NdjsonSink {
    fn write_row(&mut self, row: &RowRef<'_>) -> Result<(), IngestError> {
        let (layout, stem) = (&self.layout, &self.stem);
        let closed = std::cell::RefCell::new(&mut self.closed);
        let open = |room: &str, date: &str, _part: u32| {
            let rel = OutputLayout::record_path(room, date, stem, 0, "ndjson");
            let (file, f) = match closed.borrow_mut().remove(&rel) {
                Some(file) => {
                    let f = file.reopen_append()?;
                    (file, f)
                }
                None => layout.create_pending(&rel)?,
            };
            Ok(Part {
                file,
                out: BufWriter::with_capacity(BUFFER, f),
            })
        };
        let close = |part: Part| {
            let file = part.close()?;
            closed.borrow_mut().insert(file.rel.clone(), file);
            Ok(())
        };
        let part =
            self.parts
                .get_or_open(row.partition_room(), row.event_timestamp, open, close)?;
        self.line.clear();
        row.write_json_line(&mut self.line);
        self.line.push(b'\n');
        part.out
            .write_all(&self.line)
            .map_err(|e| IngestError::io(&part.file.tmp, e))
    }
}

impl TableSink for NdjsonSink {
    fn closed_early(&self) -> u64 {
        self.parts.closed_early()
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, IngestError> {
        let NdjsonSink {
            parts, mut closed, ..
        } = *self;
        for part in parts.into_parts() {
            let file = part.close()?;
            closed.insert(file.rel.clone(), file);
        }
        closed.into_values().map(PendingFile::commit).collect()
    }
}
