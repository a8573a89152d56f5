//! Per-source and per-run counts. `read = written + quarantined + quarantine_omitted`
//! always holds.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::limits::{Limit, LimitsReached};

/// What happened to one source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    /// Source identifier.
    pub source: String,
    /// Input units (lines, JSON values, log events, unreadable tails, empty objects).
    pub read: u64,
    /// Records written to the record sink.
    pub written: u64,
    /// Units written to the quarantine sink (kept in full).
    pub quarantined: u64,
    /// Rejected units counted but not kept: the source's quarantine bound was reached
    /// (see [`crate::limits::Limits`]).
    pub quarantine_omitted: u64,
    /// [`SourceReport::quarantine_omitted`] by reason (the reason text up to its first `:`).
    pub quarantine_omitted_by_reason: BTreeMap<String, u64>,
    /// Bounds this source reached, with what happened past them.
    pub limits: LimitsReached,
    /// Whitespace-only lines skipped (not input units).
    pub blank_lines: u64,
    /// Lines of a decisions source that are not decisions (EMF metrics, the Lambda
    /// runtime's START/END/REPORT, other log lines), skipped (not input units).
    pub skipped: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Output files, relative to the output root.
    pub outputs: Vec<String>,
    /// The quarantine file, relative to the output root, when there were entries.
    pub quarantine_file: Option<String>,
    /// Outputs of an earlier ingest of this source that this one no longer produces
    /// (its records moved to other partitions or another format), deleted.
    pub removed_stale: Vec<String>,
}

impl SourceReport {
    /// True when every unit read was written, quarantined, or counted as omitted.
    pub fn reconciles(&self) -> bool {
        self.read == self.written + self.quarantined + self.quarantine_omitted
    }
}

/// Totals of a run over many sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Sources ingested in this run.
    pub sources: u64,
    /// Sources skipped because a previous run completed them (resume).
    pub skipped_done: u64,
    /// Sources that failed (see `failures`); their outputs were not committed.
    pub failed: u64,
    /// Sum of [`SourceReport::read`].
    pub read: u64,
    /// Sum of [`SourceReport::written`].
    pub written: u64,
    /// Sum of [`SourceReport::quarantined`].
    pub quarantined: u64,
    /// Sum of [`SourceReport::quarantine_omitted`].
    pub quarantine_omitted: u64,
    /// How often each bound applied, over every source (see [`SourceReport::limits`]).
    pub limits: BTreeMap<Limit, u64>,
    /// Sum of [`SourceReport::blank_lines`].
    pub blank_lines: u64,
    /// Sum of [`SourceReport::skipped`] (lines of decisions sources that are not decisions).
    pub skipped: u64,
    /// Sum of decompressed bytes.
    pub bytes: u64,
    /// `source: error` for each failed source.
    pub failures: Vec<String>,
}

impl RunReport {
    /// Adds a completed source.
    pub fn add(&mut self, s: &SourceReport) {
        self.sources += 1;
        self.read += s.read;
        self.written += s.written;
        self.quarantined += s.quarantined;
        self.quarantine_omitted += s.quarantine_omitted;
        for (limit, reached) in &s.limits {
            *self.limits.entry(*limit).or_insert(0) += reached.times;
        }
        self.blank_lines += s.blank_lines;
        self.skipped += s.skipped;
        self.bytes += s.bytes;
    }

    /// Adds the totals of another run (e.g. of another input root).
    pub fn merge(&mut self, r: RunReport) {
        self.sources += r.sources;
        self.skipped_done += r.skipped_done;
        self.failed += r.failed;
        self.read += r.read;
        self.written += r.written;
        self.quarantined += r.quarantined;
        self.quarantine_omitted += r.quarantine_omitted;
        for (limit, times) in r.limits {
            *self.limits.entry(limit).or_insert(0) += times;
        }
        self.blank_lines += r.blank_lines;
        self.skipped += r.skipped;
        self.bytes += r.bytes;
        self.failures.extend(r.failures);
    }

    /// Records a failed source.
    pub fn fail(&mut self, source: &str, error: &dyn std::fmt::Display) {
        self.failed += 1;
        self.failures.push(format!("{source}: {error}"));
    }

    /// True when `read = written + quarantined + quarantine_omitted` over the run.
    pub fn reconciles(&self) -> bool {
        self.read == self.written + self.quarantined + self.quarantine_omitted
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
