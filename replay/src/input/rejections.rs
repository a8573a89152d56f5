//! Rejected records, bounded: the first [`MAX_LISTED_REJECTIONS`] are kept with their
//! location and reason; every rejection, listed or not, is counted by
//! [`RejectReason`]. A hostile input of millions of bad lines costs a fixed amount of
//! memory, and the counts still add up. An input that stops being readable
//! ([`RejectReason::Unreadable`], [`RejectReason::DecompressionLimit`]: at most one per
//! input and thread) is always listed, since it says that the rest of that input is
//! missing.

use log_ingest::IngestError;
use std::collections::BTreeMap;

use crate::error::ReplayError;

/// Rejected records kept with their `file:line` and reason, per run; the rest are
/// counted. (Inputs that stop being readable are listed on top of these.)
pub const MAX_LISTED_REJECTIONS: usize = 100;

/// Why a record (or the rest of an input) could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Not JSON.
    InvalidJson,
    /// JSON, but neither an IVS envelope nor a `log-ingest` row.
    NotARecord,
    /// A required field is missing.
    MissingField,
    /// A field has a value or type that is not allowed.
    InvalidField,
    /// The input could not be read on (I/O error, corrupt or truncated gzip, unreadable
    /// Parquet): what was read before is kept, the rest is lost.
    Unreadable,
    /// A gzip input decompressed past the ratio limit: what was read before is kept,
    /// the rest was not read.
    DecompressionLimit,
}

impl RejectReason {
    /// The reason of a rejection by `log-ingest`'s envelope parser
    /// (`log_ingest::envelope::parse_envelope_fields`), by the kind of its error.
    pub fn of_envelope_error(reason: &IngestError) -> RejectReason {
        match reason {
            IngestError::InvalidJson(_) => RejectReason::InvalidJson,
            IngestError::MissingField { .. } => RejectReason::MissingField,
            IngestError::InvalidField { .. } => RejectReason::InvalidField,
            IngestError::JsonRead(_) => RejectReason::Unreadable,
            // Valid JSON that is no envelope (the parser gives no other errors).
            _ => RejectReason::NotARecord,
        }
    }

    /// The reason of a `log-ingest` row's field error (`row.rs`): a value with neither
    /// `payload` nor `type` is not a record at all.
    pub(crate) fn of_row_field(field: &str) -> RejectReason {
        if field == "payload" {
            RejectReason::NotARecord
        } else {
            RejectReason::InvalidField
        }
    }
}

/// The rejections of one or more inputs, in input order: the first
/// [`MAX_LISTED_REJECTIONS`] listed, all counted.
#[derive(Debug, Default)]
pub struct Rejections {
    listed: Vec<Listed>,
    /// How many of `listed` are single records (the ones [`MAX_LISTED_REJECTIONS`]
    /// bounds).
    listed_records: usize,
    by_reason: BTreeMap<RejectReason, usize>,
    total: usize,
}

/// One listed rejection.
#[derive(Debug)]
struct Listed {
    /// The rest of an input is missing (not a single record).
    whole_input: bool,
    error: ReplayError,
}

impl RejectReason {
    /// True for the reasons that end the reading of an input.
    fn ends_input(self) -> bool {
        matches!(
            self,
            RejectReason::Unreadable | RejectReason::DecompressionLimit
        )
    }
}

/// What the run summary reports about rejections: `total` is the sum of `by_reason`;
/// `listed` of them were printed with their location.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RejectionSummary {
    /// Rejections of every reason.
    pub total: usize,
    /// How many are listed with their location.
    pub listed: usize,
    /// Rejections per reason.
    pub by_reason: BTreeMap<RejectReason, usize>,
}

impl Rejections {
    /// Counts a rejection; `error` (its location and wording) is built and kept only
    /// while fewer than [`MAX_LISTED_REJECTIONS`] records are listed, or when the
    /// reason ends the input.
    pub fn push(&mut self, reason: RejectReason, error: impl FnOnce() -> ReplayError) {
        self.total += 1;
        *self.by_reason.entry(reason).or_default() += 1;
        let whole_input = reason.ends_input();
        self.list(whole_input, error);
    }

    /// Lists an error if it fits.
    fn list(&mut self, whole_input: bool, error: impl FnOnce() -> ReplayError) {
        if whole_input {
            self.listed.push(Listed {
                whole_input,
                error: error(),
            });
        } else if self.listed_records < MAX_LISTED_REJECTIONS {
            self.listed_records += 1;
            self.listed.push(Listed {
                whole_input,
                error: error(),
            });
        }
    }

    /// Appends the rejections of a later part of the input (or a later input).
    pub fn append(&mut self, other: Rejections) {
        self.total += other.total;
        for (reason, n) in other.by_reason {
            *self.by_reason.entry(reason).or_default() += n;
        }
        for l in other.listed {
            self.list(l.whole_input, || l.error);
        }
    }

    /// Adds `lines` to the line numbers of the listed rejections (see
    /// [`ReplayError::shift_line`]).
    pub fn shift_lines(&mut self, lines: usize) {
        for l in &mut self.listed {
            l.error.shift_line(lines);
        }
    }

    /// True when nothing was rejected.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Rejections of every reason, listed or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The listed rejections, in input order.
    pub fn listed(&self) -> impl DoubleEndedIterator<Item = &ReplayError> + ExactSizeIterator {
        self.listed.iter().map(|l| &l.error)
    }

    /// Rejections per reason.
    pub fn by_reason(&self) -> &BTreeMap<RejectReason, usize> {
        &self.by_reason
    }

    /// The counts for the run summary.
    pub fn summary(&self) -> RejectionSummary {
        RejectionSummary {
            total: self.total,
            listed: self.listed.len(),
            by_reason: self.by_reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: usize) -> ReplayError {
        ReplayError::field("f.log", line, "x", "y")
    }

    #[test]
    fn keeps_the_first_ones_in_order_and_counts_all() {
        let mut a = Rejections::default();
        let mut built = 0;
        for line in 1..=MAX_LISTED_REJECTIONS + 50 {
            a.push(RejectReason::InvalidJson, || {
                built += 1;
                err(line)
            });
        }
        // Past the limit the error is not even built.
        assert_eq!(built, MAX_LISTED_REJECTIONS);
        let mut b = Rejections::default();
        b.push(RejectReason::MissingField, || err(7));
        b.shift_lines(1_000);
        b.push(RejectReason::DecompressionLimit, || err(0));
        let mut first = Rejections::default();
        first.push(RejectReason::Unreadable, || err(0));
        first.append(a);
        first.append(b);
        let s = first.summary();
        // Inputs that end early are listed on top of the records.
        assert_eq!(
            (s.total, s.listed),
            (MAX_LISTED_REJECTIONS + 53, MAX_LISTED_REJECTIONS + 2)
        );
        assert_eq!(s.by_reason.values().sum::<usize>(), s.total);
        assert_eq!(
            s.by_reason,
            BTreeMap::from([
                (RejectReason::InvalidJson, MAX_LISTED_REJECTIONS + 50),
                (RejectReason::MissingField, 1),
                (RejectReason::Unreadable, 1),
                (RejectReason::DecompressionLimit, 1),
            ])
        );
        let lines: Vec<String> = first.listed().map(|e| e.to_string()).collect();
        assert!(lines[0].starts_with("f.log:0:") && lines[1].starts_with("f.log:1:"));
        assert!(
            lines[MAX_LISTED_REJECTIONS].starts_with(&format!("f.log:{MAX_LISTED_REJECTIONS}:"))
        );
        // b's record did not fit; its end of input did, in order.
        assert!(lines[MAX_LISTED_REJECTIONS + 1].starts_with("f.log:0:"));
        assert_eq!(
            serde_json::to_value(&s).unwrap()["by_reason"]["invalid_json"],
            MAX_LISTED_REJECTIONS + 50
        );
    }

    #[test]
    fn classifies_log_ingest_errors_by_kind() {
        for (error, want) in [
            (
                IngestError::InvalidJson("expected value".into()),
                RejectReason::InvalidJson,
            ),
            (
                IngestError::NotAnEnvelope("invalid type".into()),
                RejectReason::NotARecord,
            ),
            (
                IngestError::MissingField {
                    field: "payload.Id",
                    expected: "a non-empty string",
                },
                RejectReason::MissingField,
            ),
            (
                IngestError::InvalidField {
                    field: "payload.SendTime",
                    problem: "\"later\" is not a valid timestamp".into(),
                },
                RejectReason::InvalidField,
            ),
            (
                IngestError::JsonRead("eof".into()),
                RejectReason::Unreadable,
            ),
        ] {
            assert_eq!(RejectReason::of_envelope_error(&error), want, "{error}");
        }
        // The real parser's words, so a change there shows up here.
        let reason = |bytes: &[u8]| {
            let e = log_ingest::envelope::parse_envelope_fields(bytes)
                .err()
                .unwrap();
            RejectReason::of_envelope_error(&e)
        };
        assert_eq!(reason(b"x"), RejectReason::InvalidJson);
        assert_eq!(reason(b"[1]"), RejectReason::NotARecord);
        assert_eq!(
            reason(br#"{"type":"MESSAGE","version":"1.0","payload":{}}"#),
            RejectReason::MissingField
        );
    }
}
