//! Parquet sink: one zstd-compressed file per (source, partition), written in row groups.
//!
//! Rows are appended to Arrow builders on the caller's thread; each full batch is encoded
//! and compressed on the partition's writer thread ([`BackgroundWriter`]) meanwhile.

use std::path::{Path, PathBuf};

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::background::BackgroundWriter;
use super::columns::{arrow_schema, ColumnBuilder};
use super::layout::{commit_tmp, OutputLayout};
use super::partitions::Partitions;
use super::RecordSink;
use crate::error::IngestError;
use crate::record::RowRef;

/// Rows buffered in Arrow builders before they are handed to the Parquet writer.
pub const BATCH_ROWS: usize = 8192;
/// Rows per Parquet row group: the writer's in-memory window per open partition.
pub const ROW_GROUP_ROWS: usize = 65_536;

struct Part {
    tmp: PathBuf,
    dest: PathBuf,
    rel: PathBuf,
    writer: Option<BackgroundWriter>,
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
                w.write(batch)?;
            }
        }
        Ok(())
    }
}

/// Columns whose values are (nearly) unique per row: a dictionary would only cost time
/// (every value hashed, then the writer falls back to plain encoding anyway).
const HIGH_CARDINALITY: &[&str] = &[
    "event_timestamp",
    "id",
    "request_id",
    "content",
    "send_time",
    "target_message_id",
    "payload_extra",
    "envelope_extra",
    "source_line",
    "source_offset",
    "source_ref",
];

/// zstd level 1, dictionaries only on low-cardinality columns (type, room, sender, ...),
/// min/max statistics per column chunk (enough for row-group pruning in Athena/DuckDB),
/// none on free text.
fn writer_properties() -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_size(ROW_GROUP_ROWS)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_created_by("log-ingest".to_string());
    for col in HIGH_CARDINALITY {
        b = b.set_column_dictionary_enabled(ColumnPath::from(*col), false);
    }
    // Min/max of free text prunes nothing; comparing every value costs time.
    for col in ["content", "payload_extra", "envelope_extra"] {
        b = b.set_column_statistics_enabled(ColumnPath::from(col), EnabledStatistics::None);
    }
    b.build()
}

/// Writes a source's records to `room=<id>/date=<day>/<stem>.parquet` files.
///
/// Memory: per open partition, one batch of [`BATCH_ROWS`] rows in builders, at most
/// [`QUEUED_BATCHES`](super::background::QUEUED_BATCHES) batches waiting for the writer
/// thread, plus the encoded row group in progress (at most [`ROW_GROUP_ROWS`] rows).
pub struct ParquetSink {
    layout: OutputLayout,
    stem: String,
    parts: Partitions<Part>,
    props: WriterProperties,
}

impl ParquetSink {
    /// A sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str) -> Self {
        ParquetSink {
            layout,
            stem: stem.to_string(),
            parts: Partitions::default(),
            props: writer_properties(),
        }
    }
}

impl RecordSink for ParquetSink {
    fn write_row(&mut self, row: &RowRef<'_>) -> Result<(), IngestError> {
        let (layout, stem, props) = (&self.layout, &self.stem, &self.props);
        let part =
            self.parts
                .get_or_open(row.partition_room(), row.event_timestamp, |room, date| {
                    let rel = OutputLayout::record_path(room, date, stem, "parquet");
                    let (tmp, dest, file) = layout.create_tmp(&rel)?;
                    let writer = ArrowWriter::try_new(file, arrow_schema(), Some(props.clone()))
                        .map_err(|e| perr(&dest, e))?;
                    let writer = BackgroundWriter::spawn(writer, &dest)?;
                    Ok(Part {
                        tmp,
                        dest,
                        rel,
                        writer: Some(writer),
                        columns: ColumnBuilder::new(),
                    })
                })?;
        part.columns
            .append_row(row)
            .map_err(|e| perr(&part.dest, e))?;
        if part.columns.len() >= BATCH_ROWS {
            part.flush()?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, IngestError> {
        let mut written = Vec::new();
        for mut part in self.parts.into_parts() {
            part.flush()?;
            if let Some(w) = part.writer.take() {
                w.close()?;
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
