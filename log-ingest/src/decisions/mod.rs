//! The decisions table: the review handler's audit lines ([`rules::audit::DecisionRecord`],
//! the one definition of the line) as Parquet, next to the chat table and in the same
//! layout (`room=<id>/date=<day>/<stem>.parquet`, quarantine, manifests: the chat table's
//! sink, router and layout, over the [`schema::DecisionColumn`] table).
//!
//! The handler's log group holds other lines too: EMF metric lines, `rules_reload` lines,
//! the Lambda runtime's START/END/REPORT lines. Those are skipped and counted
//! ([`crate::SourceReport::skipped`]), never errors. A line that claims to be a decision
//! (`"kind":"decision"`) but does not parse is quarantined with its source, line and the
//! reason, like a bad chat record. `read = written + quarantined + quarantine_omitted`
//! holds over the decision lines.
//!
//! Bounds: a line longer than [`crate::IngestOptions::max_record_bytes`] is not parsed:
//! in a CloudWatch batch it is quarantined if it mentions `"decision"` and skipped
//! otherwise; in a file it is quarantined (the line reader's rule). The quarantine and
//! open-partition bounds are the chat table's ([`crate::limits::Limits`]).

pub mod row;
pub mod schema;

use std::io::Read;

use rules::audit::{parse_line, parse_rfc3339_millis, Line};

use crate::error::IngestError;
use crate::pipeline::{IngestOptions, Router};
use crate::quarantine::QuarantineEntry;
use crate::readers::{decode_bounded, LineItems, Unit};
use crate::record::{Position, SourceContext};
use crate::report::SourceReport;
use crate::sink::output_stem;
use crate::sink::parquet::ParquetSink;
use row::DecisionRow;
use schema::DecisionColumn;

/// One log line of a decisions source.
#[derive(Debug, Clone, Copy)]
pub struct LogLine<'a> {
    /// The line (a CloudWatch event's message, or a line of a file).
    pub text: &'a [u8],
    /// Where it is: event index or line.
    pub pos: Position,
    /// CloudWatch log event id.
    pub source_ref: Option<&'a str>,
}

/// The decisions router: the pipeline's router over a decisions Parquet sink.
struct Decisions {
    router: Router<ParquetSink<DecisionColumn>>,
    source: String,
    max_record_bytes: usize,
}

impl Decisions {
    fn new(source: &str, stem: &str, opts: &IngestOptions) -> Self {
        let sink = ParquetSink::<DecisionColumn>::new(opts.layout.clone(), stem, &opts.limits);
        Decisions {
            router: Router::with_sink(source, stem, Box::new(sink), opts),
            source: source.to_string(),
            max_record_bytes: opts.max_record_bytes,
        }
    }

    fn quarantine(&mut self, line: &LogLine<'_>, reason: String) -> Result<(), IngestError> {
        let mut q = QuarantineEntry::new(
            &self.source,
            line.pos,
            reason,
            line.text,
            line.text.len() as u64,
        );
        q.source_ref = line.source_ref.map(str::to_string);
        self.router.reject(&q)
    }

    fn line(&mut self, line: &LogLine<'_>) -> Result<(), IngestError> {
        let candidate = || memchr::memmem::find(line.text, b"\"decision\"").is_some();
        if line.text.len() > self.max_record_bytes {
            if candidate() {
                let reason = format!(
                    "decision line longer than {} bytes ({} bytes): not parsed",
                    self.max_record_bytes,
                    line.text.len()
                );
                return self.quarantine(line, reason);
            }
            self.router.report.skipped += 1;
            return Ok(());
        }
        let text = match std::str::from_utf8(line.text) {
            Ok(t) => t,
            Err(e) if candidate() => {
                return self.quarantine(line, format!("not valid UTF-8: {e}"));
            }
            Err(_) => {
                self.router.report.skipped += 1;
                return Ok(());
            }
        };
        match parse_line(text) {
            Line::Other => {
                self.router.report.skipped += 1;
                Ok(())
            }
            Line::BadDecision(reason) => self.quarantine(line, reason),
            Line::Decision(record) => {
                // `parse_line` accepted the time: it parses.
                let ms = parse_rfc3339_millis(&record.time).unwrap_or_default();
                let row = DecisionRow {
                    record: &record,
                    time: ms.saturating_mul(1_000_000),
                    source: &self.source,
                    source_line: line.pos.line,
                    source_ref: line.source_ref,
                };
                self.router.check_room(record.room.as_deref());
                self.router.written(|sink| {
                    sink.write_cells(row.partition_room(), row.time, |c| row.cell(c))
                })
            }
        }
    }
}

/// Routes the lines of one decisions source (e.g. a CloudWatch batch of the handler's
/// log group) into the decisions table under `opts.layout` (Parquet, whatever
/// `opts.format` says: the table has one format); `stem` names the outputs.
pub fn route_decision_lines<'a>(
    lines: impl IntoIterator<Item = LogLine<'a>>,
    source: &str,
    stem: &str,
    opts: &IngestOptions,
) -> Result<SourceReport, IngestError> {
    let mut d = Decisions::new(source, stem, opts);
    for line in lines {
        d.line(&line)?;
    }
    d.router.finish(stem, &opts.layout)
}

/// Ingests a file or stream of handler log lines (plain or gzip, one line each: e.g. the
/// handler's stdout, or `aws logs filter-log-events` messages) into the decisions table;
/// `source_key` names the outputs (see [`output_stem`]).
pub fn ingest_decision_reader(
    input: impl Read + Send + 'static,
    source: &str,
    source_key: &str,
    opts: &IngestOptions,
) -> Result<SourceReport, IngestError> {
    let stem = output_stem(source_key);
    let (decoded, _, _) =
        decode_bounded(input, &opts.limits).map_err(|e| IngestError::io(source, e))?;
    // The line reader quarantines a line longer than the cap itself, whatever it holds.
    let mut reader = LineItems::new(decoded, SourceContext::named(source), opts.max_record_bytes);
    let mut d = Decisions::new(source, &stem, opts);
    while let Some(unit) = reader.next_unit() {
        match unit {
            Unit::Envelope { bytes, pos, .. } => d.line(&LogLine {
                text: bytes,
                pos,
                source_ref: None,
            })?,
            Unit::Rejected(q) => d.router.reject(&q)?,
        }
    }
    let mut report = d.router.finish(&stem, &opts.layout)?;
    let stats = reader.stats();
    report.blank_lines = stats.blank_lines;
    report.bytes = stats.bytes;
    Ok(report)
}

#[cfg(test)]
mod tests;
