//! Ingesting one source: decode, read units, route each to the record or quarantine sink.

use std::io::Read;

use crate::envelope::{parse_envelope_fields, quarantine_entry};
use crate::error::IngestError;
use crate::quarantine::{Item, QuarantineEntry};
use crate::readers::{
    decode, JsonValueItems, LineItems, ReaderStats, Unit, DEFAULT_MAX_RECORD_BYTES,
};
use crate::record::{RowRef, SourceContext};
use crate::report::SourceReport;
use crate::sink::manifest;
use crate::sink::quarantine::QuarantineSink;
use crate::sink::{open_record_sink, output_stem, Format, OutputLayout, RecordSink};

/// How a source's bytes are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// IVS S3 log object: one envelope per line.
    Lines,
    /// Firehose-delivered object: concatenated JSON values, any separators.
    JsonValues,
    /// `Lines` when the key follows the IVS S3 layout, else `JsonValues`.
    #[default]
    Auto,
}

/// Settings shared by every source of a run.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Where outputs go.
    pub layout: OutputLayout,
    /// Record output format.
    pub format: Format,
    /// Longer lines / JSON values are quarantined unparsed.
    pub max_record_bytes: usize,
    /// Framing of the sources.
    pub shape: Shape,
}

impl IngestOptions {
    /// Parquet into `root`, auto framing, default record cap.
    pub fn new(root: impl Into<std::path::PathBuf>) -> Self {
        IngestOptions {
            layout: OutputLayout::new(root),
            format: Format::Parquet,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            shape: Shape::Auto,
        }
    }
}

/// Routes one source's rows and quarantine entries to its sinks and counts them.
struct Router {
    records: Box<dyn RecordSink>,
    quarantine: QuarantineSink,
    report: SourceReport,
}

impl Router {
    fn new(source: &str, stem: &str, opts: &IngestOptions) -> Self {
        Router {
            records: open_record_sink(opts.format, &opts.layout, stem),
            quarantine: QuarantineSink::new(opts.layout.clone(), stem),
            report: SourceReport {
                source: source.to_string(),
                ..SourceReport::default()
            },
        }
    }

    fn record(&mut self, row: &RowRef<'_>) -> Result<(), IngestError> {
        self.report.read += 1;
        self.records.write_row(row)?;
        self.report.written += 1;
        Ok(())
    }

    fn reject(&mut self, entry: &QuarantineEntry) -> Result<(), IngestError> {
        self.report.read += 1;
        self.quarantine.write(entry)?;
        self.report.quarantined += 1;
        Ok(())
    }

    /// Moves every output into place, deletes outputs of an earlier ingest of the same
    /// source that were not written again (see [`crate::sink::manifest`]); returns the report.
    fn finish(self, stem: &str, layout: &OutputLayout) -> Result<SourceReport, IngestError> {
        let mut report = self.report;
        report.outputs = self
            .records
            .finish()?
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        report.quarantine_file = self
            .quarantine
            .finish()?
            .map(|p| p.to_string_lossy().into_owned());
        report.removed_stale = manifest::replace_local(layout, stem, &report.outputs)?;
        Ok(report)
    }
}

/// Routes items to sinks and counts them; returns the report of the source.
///
/// `stem` names the outputs (see [`output_stem`]); outputs are only moved into place when
/// every item has been routed, so a failing source leaves earlier outputs untouched.
pub fn route_items(
    items: impl Iterator<Item = Item>,
    source: &str,
    stem: &str,
    opts: &IngestOptions,
) -> Result<SourceReport, IngestError> {
    let mut router = Router::new(source, stem, opts);
    for item in items {
        match item {
            Item::Record(r) => router.record(&r.row())?,
            Item::Quarantined(q) => router.reject(&q)?,
        }
    }
    router.finish(stem, &opts.layout)
}

enum Reader<R> {
    Lines(LineItems<R>),
    Values(JsonValueItems<R>),
}

impl<R: std::io::BufRead> Reader<R> {
    fn next_unit(&mut self) -> Option<Unit<'_>> {
        match self {
            Reader::Lines(r) => r.next_unit(),
            Reader::Values(r) => r.next_unit(),
        }
    }

    fn stats(&self) -> ReaderStats {
        match self {
            Reader::Lines(r) => r.stats(),
            Reader::Values(r) => r.stats(),
        }
    }
}

/// Ingests one object/file/stream: `source` names it in records and reports, `source_key`
/// (object key or relative path) names its outputs, `ctx` carries what is known of it.
///
/// Each unit is parsed in place and appended straight to the sink (no owned record).
pub fn ingest_reader(
    input: impl Read + Send + 'static,
    ctx: SourceContext,
    source_key: &str,
    opts: &IngestOptions,
) -> Result<SourceReport, IngestError> {
    let source = ctx.source.clone();
    let stem = output_stem(source_key);
    let (decoded, _) = decode(input).map_err(|e| IngestError::io(&source, e))?;
    let shape = match opts.shape {
        Shape::Auto if ctx.room_id.is_some() && ctx.account_id.is_some() => Shape::Lines,
        Shape::Auto => Shape::JsonValues,
        s => s,
    };
    let room_arn = ctx.room_arn();
    let mut reader = match shape {
        Shape::Lines => Reader::Lines(LineItems::new(decoded, ctx, opts.max_record_bytes)),
        _ => Reader::Values(JsonValueItems::new(decoded, ctx, opts.max_record_bytes)),
    };
    let mut router = Router::new(&source, &stem, opts);
    while let Some(unit) = reader.next_unit() {
        match unit {
            Unit::Envelope { bytes, ctx, pos } => match parse_envelope_fields(bytes) {
                Ok(env) => router.record(&env.row(ctx, room_arn.as_deref(), pos))?,
                Err(reason) => router.reject(&quarantine_entry(bytes, ctx, pos, reason))?,
            },
            Unit::Rejected(q) => router.reject(&q)?,
        }
    }
    let mut report = router.finish(&stem, &opts.layout)?;
    let stats = reader.stats();
    report.blank_lines = stats.blank_lines;
    report.bytes = stats.bytes;
    Ok(report)
}
