//! IVS Chat log ingestion: parsers for every delivery shape, Parquet/NDJSON sinks,
//! Lambda adapters and a CLI.
//!
//! The library is layered like the rest of the workspace: a pure core (envelope parser,
//! streaming readers for each delivery shape, Lambda batch adapters) that does no AWS and
//! no async, sinks that write local files, and thin shells (`src/bin/*`) that move bytes
//! to and from S3.

#![deny(missing_docs)]

pub mod adapters;
#[cfg(feature = "shells")]
pub mod aws;
#[cfg(feature = "shells")]
pub mod backfill;
pub mod decisions;
pub mod envelope;
pub mod error;
#[cfg(feature = "shells")]
pub mod handlers;
pub mod keys;
pub mod limits;
pub mod pipeline;
pub mod quarantine;
pub mod readers;
pub mod record;
pub mod report;
pub mod schema;
pub mod sink;
pub mod timefmt;

pub use envelope::{parse_envelope, parse_item};
pub use error::IngestError;
pub use pipeline::{ingest_reader, route_items, IngestOptions, Shape};
pub use quarantine::{Item, QuarantineEntry};
pub use record::{ChatRow, Position, SourceContext};
pub use report::{RunReport, SourceReport};
