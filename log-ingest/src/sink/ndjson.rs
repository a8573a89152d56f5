//! NDJSON sink: the same layout as Parquet, one [`ChatRecord`] JSON object per line.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::layout::{commit_tmp, OutputLayout};
use super::partitions::Partitions;
use super::RecordSink;
use crate::error::IngestError;
use crate::record::RowRef;

struct Part {
    tmp: PathBuf,
    dest: PathBuf,
    rel: PathBuf,
    out: BufWriter<File>,
}

/// Writes a source's records to `room=<id>/date=<day>/<stem>.ndjson` files.
pub struct NdjsonSink {
    layout: OutputLayout,
    stem: String,
    parts: Partitions<Part>,
    line: Vec<u8>,
}

impl NdjsonSink {
    /// A sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str) -> Self {
        NdjsonSink {
            layout,
            stem: stem.to_string(),
            parts: Partitions::default(),
            line: Vec::with_capacity(1024),
        }
    }
}

impl RecordSink for NdjsonSink {
    fn write_row(&mut self, row: &RowRef<'_>) -> Result<(), IngestError> {
        let (layout, stem) = (&self.layout, &self.stem);
        let part =
            self.parts
                .get_or_open(row.partition_room(), row.event_timestamp, |room, date| {
                    let rel = OutputLayout::record_path(room, date, stem, "ndjson");
                    let (tmp, dest, file) = layout.create_tmp(&rel)?;
                    Ok(Part {
                        tmp,
                        dest,
                        rel,
                        out: BufWriter::with_capacity(256 * 1024, file),
                    })
                })?;
        self.line.clear();
        row.write_json_line(&mut self.line);
        self.line.push(b'\n');
        part.out
            .write_all(&self.line)
            .map_err(|e| IngestError::io(&part.tmp, e))
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, IngestError> {
        let mut written = Vec::new();
        for mut part in self.parts.into_parts() {
            part.out
                .flush()
                .map_err(|e| IngestError::io(&part.tmp, e))?;
            commit_tmp(&part.tmp, &part.dest)?;
            written.push(part.rel.clone());
        }
        Ok(written)
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}
