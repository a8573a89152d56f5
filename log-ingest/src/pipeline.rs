//! Ingesting one source: decode, read units, route each to the record or quarantine sink.

use std::io::Read;

use crate::error::IngestError;
use crate::quarantine::Item;
use crate::readers::{decode, JsonValueItems, LineItems, ReaderStats, DEFAULT_MAX_RECORD_BYTES};
use crate::record::SourceContext;
use crate::report::SourceReport;
use crate::sink::quarantine::QuarantineSink;
use crate::sink::{open_record_sink, output_stem, Format, OutputLayout};

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
    let mut records = open_record_sink(opts.format, &opts.layout, stem);
    let mut quarantine = QuarantineSink::new(opts.layout.clone(), stem);
    let mut report = SourceReport {
        source: source.to_string(),
        ..SourceReport::default()
    };
    for item in items {
        report.read += 1;
        match item {
            Item::Record(r) => {
                records.write(&r)?;
                report.written += 1;
            }
            Item::Quarantined(q) => {
                quarantine.write(&q)?;
                report.quarantined += 1;
            }
        }
    }
    report.outputs = records
        .finish()?
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    report.quarantine_file = quarantine
        .finish()?
        .map(|p| p.to_string_lossy().into_owned());
    Ok(report)
}

enum Reader<R> {
    Lines(LineItems<R>),
    Values(JsonValueItems<R>),
}

impl<R: std::io::BufRead> Iterator for Reader<R> {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        match self {
            Reader::Lines(r) => r.next(),
            Reader::Values(r) => r.next(),
        }
    }
}

/// Ingests one object/file/stream: `source` names it in records and reports, `source_key`
/// (object key or relative path) names its outputs, `ctx` carries what is known of it.
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
    let mut reader = match shape {
        Shape::Lines => Reader::Lines(LineItems::new(decoded, ctx, opts.max_record_bytes)),
        _ => Reader::Values(JsonValueItems::new(decoded, ctx, opts.max_record_bytes)),
    };
    let mut report = route_items(&mut reader, &source, &stem, opts)?;
    let stats: ReaderStats = match &reader {
        Reader::Lines(r) => r.stats(),
        Reader::Values(r) => r.stats(),
    };
    report.blank_lines = stats.blank_lines;
    report.bytes = stats.bytes;
    Ok(report)
}
