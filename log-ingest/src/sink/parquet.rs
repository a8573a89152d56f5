//! Parquet sink: one zstd-compressed file per (source, partition), written in row groups;
//! generic over the table ([`TableColumn`]): chat rows and decisions are written by the
//! same sink.
//!
//! Rows are appended to Arrow builders on the caller's thread; each full batch is encoded
//! and compressed on the partition's writer thread ([`BackgroundWriter`]) meanwhile.

use std::path::{Path, PathBuf};

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::background::BackgroundWriter;
use super::columns::ColumnBuilder;
use super::layout::{OutputLayout, PendingFile};
use super::partitions::Partitions;
use super::{RecordSink, TableSink};
use crate::error::IngestError;
use crate::limits::Limits;
use crate::record::{Cell, RowRef};
use crate::schema::{Column, TableColumn};

/// Rows buffered in Arrow builders before they are handed to the Parquet writer.
pub const BATCH_ROWS: usize = 8192;
/// Rows per Parquet row group: the writer's in-memory window per open partition.
pub const ROW_GROUP_ROWS: usize = 65_536;

struct Part<C: TableColumn> {
    file: PendingFile,
    writer: Option<BackgroundWriter>,
    columns: ColumnBuilder<C>,
}

fn perr(path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Parquet {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl<C: TableColumn> Part<C> {
    fn flush(&mut self) -> Result<(), IngestError> {
        if !self.columns.is_empty() {
            let batch = self
                .columns
                .finish()
                .map_err(|e| perr(&self.file.dest, e))?;
            if let Some(w) = self.writer.as_mut() {
                w.write(batch)?;
            }
        }
        Ok(())
    }

    /// Writes what is buffered and the footer, stops the writer thread; the file is
    /// complete but not yet committed.
    fn close(mut self) -> Result<PendingFile, IngestError> {
        self.flush()?;
        if let Some(w) = self.writer.take() {
            w.close()?;
        }
        Ok(self.file)
    }
}

/// zstd level 1, dictionaries only on low-cardinality columns (type, room, sender, ...:
/// not on [`TableColumn::HIGH_CARDINALITY`]), min/max statistics per column chunk (enough
/// for row-group pruning in Athena/DuckDB), none on free text
/// ([`TableColumn::NO_STATISTICS`]).
fn writer_properties<C: TableColumn>() -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_size(ROW_GROUP_ROWS)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_created_by("log-ingest".to_string());
    for col in C::HIGH_CARDINALITY {
        b = b.set_column_dictionary_enabled(ColumnPath::from(*col), false);
    }
    // Min/max of free text prunes nothing; comparing every value costs time.
    for col in C::NO_STATISTICS {
        b = b.set_column_statistics_enabled(ColumnPath::from(*col), EnabledStatistics::None);
    }
    b.build()
}

/// Writes a source's records to `room=<id>/date=<day>/<stem>.parquet` files (and
/// `<stem>.<n>.parquet` parts for a partition closed early and continued).
///
/// Memory: per open partition (at most [`Limits::max_open_partitions`], each with its
/// writer thread), one batch of [`BATCH_ROWS`] rows in builders, at most
/// [`QUEUED_BATCHES`](super::background::QUEUED_BATCHES) batches waiting for the writer
/// thread, plus the encoded row group in progress (at most [`ROW_GROUP_ROWS`] rows).
pub struct ParquetSink<C: TableColumn = Column> {
    layout: OutputLayout,
    stem: String,
    parts: Partitions<Part<C>>,
    /// Complete files of partitions closed early, committed with the rest by `finish`.
    closed: Vec<PendingFile>,
    props: WriterProperties,
}

impl<C: TableColumn> ParquetSink<C> {
    /// A sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str, limits: &Limits) -> Self {
        ParquetSink {
            layout,
            stem: stem.to_string(),
            parts: Partitions::new(limits.max_open_partitions, limits.max_partition_files),
            closed: Vec::new(),
            props: writer_properties::<C>(),
        }
    }

    /// Adds one row of partition (`room`, day of `timestamp`, ns UTC), given as the cell of
    /// each column.
    pub fn write_cells<'r>(
        &mut self,
        room: &str,
        timestamp: i64,
        cell: impl Fn(C) -> Cell<'r>,
    ) -> Result<(), IngestError> {
        let (layout, stem, props, closed) =
            (&self.layout, &self.stem, &self.props, &mut self.closed);
        let open = |room: &str, date: &str, n: u32| {
            let rel = OutputLayout::record_path(room, date, stem, n, "parquet");
            let (file, f) = layout.create_pending(&rel)?;
            let columns = ColumnBuilder::<C>::new();
            let writer = ArrowWriter::try_new(f, columns.schema(), Some(props.clone()))
                .map_err(|e| perr(&file.dest, e))?;
            let writer = BackgroundWriter::spawn(writer, &file.dest)?;
            Ok(Part {
                file,
                writer: Some(writer),
                columns,
            })
        };
        let close = |part: Part<C>| {
            closed.push(part.close()?);
            Ok(())
        };
        let part = self.parts.get_or_open(room, timestamp, open, close)?;
        part.columns
            .append_cells(cell)
            .map_err(|e| perr(&part.file.dest, e))?;
        if part.columns.len() >= BATCH_ROWS {
            part.flush()?;
        }
        Ok(())
    }
}

impl RecordSink for ParquetSink<Column> {
    fn write_row(&mut self, row: &RowRef<'_>) -> Result<(), IngestError> {
        self.write_cells(row.partition_room(), row.event_timestamp, |c| row.cell(c))
    }
}

impl<C: TableColumn> TableSink for ParquetSink<C> {
    fn closed_early(&self) -> u64 {
        self.parts.closed_early()
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, IngestError> {
        let ParquetSink {
            parts, mut closed, ..
        } = *self;
        for part in parts.into_parts() {
            closed.push(part.close()?);
        }
        let mut written = closed
            .into_iter()
            .map(PendingFile::commit)
            .collect::<Result<Vec<_>, _>>()?;
        written.sort();
        Ok(written)
    }
}
