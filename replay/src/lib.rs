//! Chat replay aligned to an IVS recording timeline: JSON, WebVTT, SRT, ASS, HTML preview.
//!
//! The core is pure (no I/O, no AWS, no async):
//! - [`recording`]: the recording event files (`events/recording-*.json`), whose paths
//!   must stay inside the recording ([`relpath`]);
//! - [`playlist`]: a strict HLS playlist reader (integer µs durations, line numbers);
//! - [`timeline`]: the wall-clock -> video-offset map, with discontinuities and gaps;
//! - [`input`]: raw IVS log envelopes and `log-ingest` NDJSON rows -> [`record::ChatRecord`];
//! - [`mod@align`]: moderation (deletes), filters, latency shift, placement, stable order;
//! - [`render`]: JSON track, chunked JSON, WebVTT, SRT, ASS, HTML preview.
//!
//! The imperative shell ([`source`], [`load`], [`output`], the `replay` binary) reads local
//! directories or `s3://` prefixes and writes files (atomically).

#![deny(missing_docs)]

pub mod align;
pub mod error;
pub mod input;
pub mod load;
pub mod output;
mod parallel;
pub mod playlist;
pub mod record;
pub mod recording;
pub mod relpath;
pub mod render;
pub mod source;
pub mod timefmt;
pub mod timeline;

#[cfg(test)]
mod testutil;

pub use align::{align, AlignOptions, AlignStats, DeletedPolicy, Entry, GapPolicy};
pub use error::{ReplayError, Result};
pub use record::ChatRecord;
pub use recording::RecordingMeta;
pub use timeline::{Placement, Timeline};
