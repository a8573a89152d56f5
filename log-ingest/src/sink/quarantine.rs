//! Quarantine sink: one NDJSON file of [`QuarantineEntry`] lines per source.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::layout::{commit_tmp, OutputLayout};
use crate::error::IngestError;
use crate::limits::{Limit, Limits};
use crate::quarantine::QuarantineEntry;

/// What became of an entry handed to [`QuarantineSink::write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Written to the quarantine file.
    Kept,
    /// Not written: the source reached this bound (the caller counts the entry).
    Omitted(Limit),
}

/// Collects a source's quarantine entries into `_quarantine/<stem>.ndjson`, at most
/// [`Limits::max_quarantine_entries`] entries and [`Limits::max_quarantine_bytes`] bytes.
///
/// The file is created on the first entry; when a source has none, an earlier file of the
/// same source (from a previous run) is removed, so re-ingesting replaces it.
pub struct QuarantineSink {
    layout: OutputLayout,
    rel: PathBuf,
    open: Option<(PathBuf, PathBuf, BufWriter<File>)>,
    max_entries: u64,
    max_bytes: u64,
    entries: u64,
    bytes: u64,
}

impl QuarantineSink {
    /// A quarantine sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str, limits: &Limits) -> Self {
        QuarantineSink {
            layout,
            rel: OutputLayout::quarantine_path(stem),
            open: None,
            max_entries: limits.max_quarantine_entries,
            max_bytes: limits.max_quarantine_bytes,
            entries: 0,
            bytes: 0,
        }
    }

    /// Adds one entry, unless a bound of the source is reached.
    pub fn write(&mut self, entry: &QuarantineEntry) -> Result<Written, IngestError> {
        if self.entries >= self.max_entries {
            return Ok(Written::Omitted(Limit::QuarantineEntries));
        }
        let mut line = entry.to_json_line();
        line.push('\n');
        if self.bytes + line.len() as u64 > self.max_bytes {
            return Ok(Written::Omitted(Limit::QuarantineBytes));
        }
        if self.open.is_none() {
            let (tmp, dest, file) = self.layout.create_tmp(&self.rel)?;
            self.open = Some((tmp, dest, BufWriter::new(file)));
        }
        if let Some((tmp, _, out)) = &mut self.open {
            out.write_all(line.as_bytes())
                .map_err(|e| IngestError::io(&*tmp, e))?;
        }
        self.entries += 1;
        self.bytes += line.len() as u64;
        Ok(Written::Kept)
    }

    /// Completes the file; returns its relative path when there were entries.
    pub fn finish(mut self) -> Result<Option<PathBuf>, IngestError> {
        match self.open.take() {
            Some((tmp, dest, mut out)) => {
                out.flush().map_err(|e| IngestError::io(&tmp, e))?;
                drop(out);
                commit_tmp(&tmp, &dest)?;
                Ok(Some(self.rel.clone()))
            }
            None => {
                let stale = self.layout.root.join(&self.rel);
                match std::fs::remove_file(&stale) {
                    Ok(()) => Ok(None),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(IngestError::io(stale, e)),
                }
            }
        }
    }
}

impl Drop for QuarantineSink {
    fn drop(&mut self) {
        if let Some((tmp, _, _)) = &self.open {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
