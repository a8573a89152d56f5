//! Parquet sink: one zstd-compressed file per (source, partition), written in row groups.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::columns::{arrow_schema, ColumnBuilder};
use super::layout::{commit_tmp, OutputLayout};
use super::RecordSink;
use crate::error::IngestError;
use crate::record::ChatRecord;

/// Rows buffered in Arrow builders before they are handed to the Parquet writer.
pub const BATCH_ROWS: usize = 8192;
/// Rows per Parquet row group: the writer's in-memory window per open partition.
pub const ROW_GROUP_ROWS: usize = 65_536;

struct Part {
    tmp: PathBuf,
    dest: PathBuf,
    rel: PathBuf,
    writer: Option<ArrowWriter<File>>,
    columns: ColumnBuilder,
}

fn perr(path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Parquet {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl Part {
    fn flush(&mut self) -> Result<(), IngestError> {
        if !self.columns.is_empty() {
            let batch = self.columns.finish().map_err(|e| perr(&self.dest, e))?;
            if let Some(w) = self.writer.as_mut() {
                w.write(&batch).map_err(|e| perr(&self.dest, e))?;
            }
        }
        Ok(())
    }
}

/// Writes a source's records to `room=<id>/date=<day>/<stem>.parquet` files.
///
/// Memory: per open partition, one batch of [`BATCH_ROWS`] rows in builders plus the
/// encoded row group in progress (at most [`ROW_GROUP_ROWS`] rows).
pub struct ParquetSink {
    layout: OutputLayout,
    stem: String,
    parts: BTreeMap<(String, String), Part>,
    props: WriterProperties,
}

impl ParquetSink {
    /// A sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str) -> Self {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_size(ROW_GROUP_ROWS)
            .set_created_by("log-ingest".to_string())
            .build();
        ParquetSink {
            layout,
            stem: stem.to_string(),
            parts: BTreeMap::new(),
            props,
        }
    }

    fn part(&mut self, key: (String, String)) -> Result<&mut Part, IngestError> {
        if !self.parts.contains_key(&key) {
            let rel = OutputLayout::record_path(&key.0, &key.1, &self.stem, "parquet");
            let (tmp, dest, file) = self.layout.create_tmp(&rel)?;
            let writer = ArrowWriter::try_new(file, arrow_schema(), Some(self.props.clone()))
                .map_err(|e| perr(&dest, e))?;
            let part = Part {
                tmp,
                dest,
                rel,
                writer: Some(writer),
                columns: ColumnBuilder::new(),
            };
            self.parts.insert(key.clone(), part);
        }
        self.parts
            .get_mut(&key)
            .ok_or_else(|| IngestError::Config("partition writer vanished".to_string()))
    }
}

impl RecordSink for ParquetSink {
    fn write(&mut self, record: &ChatRecord) -> Result<(), IngestError> {
        let part = self.part(record.partition())?;
        part.columns
            .append(record)
            .map_err(|e| perr(&part.dest, e))?;
        if part.columns.len() >= BATCH_ROWS {
            part.flush()?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, IngestError> {
        let mut written = Vec::new();
        for (_, mut part) in self.parts {
            part.flush()?;
            if let Some(w) = part.writer.take() {
                w.close().map_err(|e| perr(&part.dest, e))?;
            }
            commit_tmp(&part.tmp, &part.dest)?;
            written.push(part.rel.clone());
        }
        Ok(written)
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        // After a successful commit the temporary file no longer exists; after a failure
        // this removes the partial file so it is never mistaken for output.
        let _ = std::fs::remove_file(&self.tmp);
    }
}
