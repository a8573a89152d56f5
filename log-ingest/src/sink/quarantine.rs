//! Quarantine sink: one NDJSON file of [`QuarantineEntry`] lines per source.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::layout::{commit_tmp, OutputLayout};
use crate::error::IngestError;
use crate::quarantine::QuarantineEntry;

/// Collects a source's quarantine entries into `_quarantine/<stem>.ndjson`.
///
/// The file is created on the first entry; when a source has none, an earlier file of the
/// same source (from a previous run) is removed, so re-ingesting replaces it.
pub struct QuarantineSink {
    layout: OutputLayout,
    rel: PathBuf,
    open: Option<(PathBuf, PathBuf, BufWriter<File>)>,
}

impl QuarantineSink {
    /// A quarantine sink for the source whose outputs are named `stem`.
    pub fn new(layout: OutputLayout, stem: &str) -> Self {
        QuarantineSink {
            layout,
            rel: OutputLayout::quarantine_path(stem),
            open: None,
        }
    }

    /// Adds one entry.
    pub fn write(&mut self, entry: &QuarantineEntry) -> Result<(), IngestError> {
        if self.open.is_none() {
            let (tmp, dest, file) = self.layout.create_tmp(&self.rel)?;
            self.open = Some((tmp, dest, BufWriter::new(file)));
        }
        if let Some((tmp, _, out)) = &mut self.open {
            out.write_all(entry.to_json_line().as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .map_err(|e| IngestError::io(&*tmp, e))?;
        }
        Ok(())
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
