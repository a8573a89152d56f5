//! Sinks: where records and quarantine entries go, under a deterministic layout.
//!
//! Every sink writes local files (to the output directory, or to a staging directory
//! that the S3 shell uploads). A file is written under a temporary name and renamed into
//! place when complete, so re-ingesting a source replaces its outputs atomically.

pub mod background;
pub mod columns;
pub mod layout;
pub mod manifest;
pub mod ndjson;
pub mod parquet;
pub mod partitions;
pub mod quarantine;

use std::path::PathBuf;

use crate::error::IngestError;
use crate::limits::Limits;
use crate::record::{ChatRow, RowRef};

pub use layout::{output_stem, OutputLayout};

/// Output format for chat records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Apache Parquet, zstd-compressed, one file per source and partition.
    #[default]
    Parquet,
    /// Newline-delimited JSON, one [`ChatRow`] per line.
    Ndjson,
}

/// The outputs of one source in one table: what every sink (chat records in either
/// format, decisions) has in common, and all the pipeline's router needs to finish one.
pub trait TableSink {
    /// Partitions closed early so far to stay within the open-partition bound.
    fn closed_early(&self) -> u64;
    /// Completes every file and returns the paths written, relative to the output root.
    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, IngestError>;
}

/// Receives the chat records of one source and writes them into their partitions.
pub trait RecordSink: TableSink {
    /// Adds one record.
    fn write(&mut self, record: &ChatRow) -> Result<(), IngestError> {
        self.write_row(&record.row())
    }
    /// Adds one borrowed row (the ingestion hot path: no owned record is built).
    fn write_row(&mut self, row: &RowRef<'_>) -> Result<(), IngestError>;
}

/// Opens the record sink of `format` for the source whose outputs are named `stem`.
pub fn open_record_sink(
    format: Format,
    layout: &OutputLayout,
    stem: &str,
    limits: &Limits,
) -> Box<dyn RecordSink> {
    match format {
        Format::Parquet => Box::new(parquet::ParquetSink::new(layout.clone(), stem, limits)),
        Format::Ndjson => Box::new(ndjson::NdjsonSink::new(layout.clone(), stem, limits)),
    }
}
