//! NDJSON sink: the same layout as Parquet, one [`ChatRecord`] JSON object per line.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::layout::{commit_tmp, OutputLayout};
use super::RecordSink;
use crate::error::IngestError;
use crate::record::ChatRecord;

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
    parts: BTreeMap<(String, String), Part>,
}

impl NdjsonSink {
    /// A sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str) -> Self {
        NdjsonSink {
            layout,
            stem: stem.to_string(),
            parts: BTreeMap::new(),
        }
    }
}

impl RecordSink for NdjsonSink {
    fn write(&mut self, record: &ChatRecord) -> Result<(), IngestError> {
        let key = record.partition();
        if !self.parts.contains_key(&key) {
            let rel = OutputLayout::record_path(&key.0, &key.1, &self.stem, "ndjson");
            let (tmp, dest, file) = self.layout.create_tmp(&rel)?;
            let part = Part {
                tmp,
                dest,
                rel,
                out: BufWriter::new(file),
            };
            self.parts.insert(key.clone(), part);
        }
        if let Some(part) = self.parts.get_mut(&key) {
            let line = record.to_json_line();
            part.out
                .write_all(line.as_bytes())
                .and_then(|()| part.out.write_all(b"\n"))
                .map_err(|e| IngestError::io(&part.tmp, e))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, IngestError> {
        let mut written = Vec::new();
        for (_, mut part) in self.parts {
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
