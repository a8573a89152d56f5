//! Ingesting one source: decode, read units, route each to the record or quarantine sink.

use std::io::Read;

use crate::envelope::{parse_envelope_fields, quarantine_entry};
use crate::error::IngestError;
use crate::limits::{note, Limit, Limits, MAX_ROOM_COMPONENT};
use crate::quarantine::{count_omitted, Item, QuarantineEntry};
use crate::readers::{
    decode_bounded, JsonValueItems, LineItems, ReaderStats, Unit, DEFAULT_MAX_RECORD_BYTES,
};
use crate::record::{RowRef, SourceContext};
use crate::report::SourceReport;
use crate::sink::layout::room_value_is_cut;
use crate::sink::manifest;
use crate::sink::quarantine::{QuarantineSink, Written};
use crate::sink::{open_record_sink, output_stem, Format, OutputLayout, RecordSink, TableSink};

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
    /// Per-source bounds (open partitions, quarantine, decompression).
    pub limits: Limits,
}

impl IngestOptions {
    /// Parquet into `root`, auto framing, default record cap.
    pub fn new(root: impl Into<std::path::PathBuf>) -> Self {
        IngestOptions {
            layout: OutputLayout::new(root),
            format: Format::Parquet,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            shape: Shape::Auto,
            limits: Limits::default(),
        }
    }
}

/// Routes one source's rows and quarantine entries to its sinks and counts them; the
/// record sink is the chat table's by default, any [`TableSink`] for other tables (the
/// decisions table, [`crate::decisions`]).
pub(crate) struct Router<S: ?Sized + TableSink = dyn RecordSink> {
    records: Box<S>,
    quarantine: QuarantineSink,
    pub(crate) report: SourceReport,
    limits: Limits,
}

impl Router {
    fn new(source: &str, stem: &str, opts: &IngestOptions) -> Self {
        let records = open_record_sink(opts.format, &opts.layout, stem, &opts.limits);
        Router::with_sink(source, stem, records, opts)
    }

    fn record(&mut self, row: &RowRef<'_>) -> Result<(), IngestError> {
        self.written(|sink| sink.write_row(row))
    }
}

impl<S: ?Sized + TableSink> Router<S> {
    /// A router writing records to `records` and rejects to the source's quarantine.
    pub(crate) fn with_sink(
        source: &str,
        stem: &str,
        records: Box<S>,
        opts: &IngestOptions,
    ) -> Self {
        Router {
            records,
            quarantine: QuarantineSink::new(opts.layout.clone(), stem, &opts.limits),
            report: SourceReport {
                source: source.to_string(),
                ..SourceReport::default()
            },
            limits: opts.limits,
        }
    }

    /// Counts one unit read and written by `write`.
    pub(crate) fn written(
        &mut self,
        write: impl FnOnce(&mut S) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        self.report.read += 1;
        write(&mut self.records)?;
        self.report.written += 1;
        Ok(())
    }

    /// Notes (once per source) a room id whose partition value has to be cut.
    pub(crate) fn check_room(&mut self, room: Option<&str>) {
        if !self.report.limits.contains_key(&Limit::RoomIdLength)
            && room.is_some_and(room_value_is_cut)
        {
            note(
                &mut self.report.limits,
                Limit::RoomIdLength,
                MAX_ROOM_COMPONENT as u64,
                1,
            );
        }
    }

    pub(crate) fn reject(&mut self, entry: &QuarantineEntry) -> Result<(), IngestError> {
        self.report.read += 1;
        match self.quarantine.write(entry)? {
            Written::Kept => self.report.quarantined += 1,
            Written::Omitted(limit) => {
                self.report.quarantine_omitted += 1;
                count_omitted(&mut self.report.quarantine_omitted_by_reason, &entry.reason);
                let value = match limit {
                    Limit::QuarantineBytes => self.limits.max_quarantine_bytes,
                    _ => self.limits.max_quarantine_entries,
                };
                note(&mut self.report.limits, limit, value, 1);
            }
        }
        Ok(())
    }

    /// Moves every output into place, deletes outputs of an earlier ingest of the same
    /// source that were not written again (see [`crate::sink::manifest`]); returns the report.
    pub(crate) fn finish(
        self,
        stem: &str,
        layout: &OutputLayout,
    ) -> Result<SourceReport, IngestError> {
        let mut report = self.report;
        note(
            &mut report.limits,
            Limit::OpenPartitions,
            self.limits.max_open_partitions as u64,
            self.records.closed_early(),
        );
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
            Item::Record(r) => {
                router.check_room(r.room_id.as_deref());
                router.record(&r.row())?
            }
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
    let (decoded, _, meter) =
        decode_bounded(input, &opts.limits).map_err(|e| IngestError::io(&source, e))?;
    let shape = match opts.shape {
        Shape::Auto if ctx.room_id.is_some() && ctx.account_id.is_some() => Shape::Lines,
        Shape::Auto => Shape::JsonValues,
        s => s,
    };
    let room_arn = ctx.room_arn();
    let mut router = Router::new(&source, &stem, opts);
    router.check_room(ctx.room_id.as_deref());
    let mut reader = match shape {
        Shape::Lines => Reader::Lines(LineItems::new(decoded, ctx, opts.max_record_bytes)),
        _ => Reader::Values(JsonValueItems::new(decoded, ctx, opts.max_record_bytes)),
    };
    while let Some(unit) = reader.next_unit() {
        match unit {
            Unit::Envelope { bytes, ctx, pos } => match parse_envelope_fields(bytes) {
                Ok(env) => router.record(&env.row(ctx, room_arn.as_deref(), pos))?,
                Err(reason) => router.reject(&quarantine_entry(bytes, ctx, pos, &reason))?,
            },
            Unit::Rejected(q) => router.reject(&q)?,
        }
    }
    if meter.ratio_bound_reached() {
        note(
            &mut router.report.limits,
            Limit::DecompressionRatio,
            opts.limits.max_decompression_ratio,
            1,
        );
    }
    let mut report = router.finish(&stem, &opts.layout)?;
    let stats = reader.stats();
    report.blank_lines = stats.blank_lines;
    report.bytes = stats.bytes;
    Ok(report)
}
