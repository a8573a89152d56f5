//! Backfills over many sources: resumable state and one bounded worker pool, for local
//! files and S3 objects alike, reporting its progress through [`Progress`] (the CLI draws
//! a bar; the library does not depend on a terminal crate).

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use aws_sdk_s3::Client;
use aws_shell::objects::ObjectInfo;
use aws_shell::S3Url;

use crate::aws::{ingest_s3_object, with_defaults, Output};
use crate::error::IngestError;
use crate::keys::context_from_key;
use crate::pipeline::{ingest_reader, IngestOptions};
use crate::record::SourceContext;
use crate::report::{RunReport, SourceReport};

/// Sources completed by earlier runs: one `fingerprint<TAB>source key` line each.
///
/// A source is skipped when its key and fingerprint (size, or size+ETag on S3) match a
/// line, so a changed object is ingested again. Lines are appended as sources complete,
/// so an interrupted run resumes where it stopped.
pub struct ResumeState {
    path: PathBuf,
    done: Mutex<HashSet<String>>,
}

impl ResumeState {
    /// Loads (or starts) the state file at `path`.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, IngestError> {
        let path = path.into();
        let done = match fs::read_to_string(&path) {
            Ok(s) => s
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
            Err(e) => return Err(IngestError::io(&path, e)),
        };
        Ok(ResumeState {
            path,
            done: Mutex::new(done),
        })
    }

    fn line(key: &str, fingerprint: &str) -> String {
        format!("{fingerprint}\t{key}")
    }

    /// True when a previous run completed this source with this fingerprint.
    pub fn is_done(&self, key: &str, fingerprint: &str) -> bool {
        self.done
            .lock()
            .is_ok_and(|d| d.contains(&Self::line(key, fingerprint)))
    }

    /// Records a completed source (appends to the state file).
    pub fn mark_done(&self, key: &str, fingerprint: &str) -> Result<(), IngestError> {
        let line = Self::line(key, fingerprint);
        let mut done = self
            .done
            .lock()
            .map_err(|_| IngestError::Config("resume state lock poisoned".to_string()))?;
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir).map_err(|e| IngestError::io(dir, e))?;
        }
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| IngestError::io(&self.path, e))?;
        writeln!(f, "{line}").map_err(|e| IngestError::io(&self.path, e))?;
        done.insert(line);
        Ok(())
    }
}

/// Where a backfill reports its progress: once per source, whatever became of it.
pub trait Progress: Sync {
    /// One more source is done (ingested, skipped as done, or failed); `status` is the
    /// run's [`progress_text`] so far.
    fn advance(&self, status: &str);
    /// The run is over.
    fn finish(&self) {}
}

/// Progress that goes nowhere (tests, non-interactive runs).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _: &str) {}
}

/// The one-line status of a run so far: `N records, M quarantined`.
pub fn progress_text(report: &RunReport) -> String {
    format!(
        "{} records, {} quarantined",
        report.written, report.quarantined
    )
}

/// The one worker pool: runs `ingest` over `sources` with at most `jobs` threads, adds
/// each outcome to the run report (`Ok(None)`: skipped, done by an earlier run; an error
/// is recorded under `name(source)` and the run goes on), and reports progress.
pub fn run_pool<S: Sync>(
    sources: &[S],
    jobs: usize,
    progress: &dyn Progress,
    name: impl Fn(&S) -> String + Sync,
    ingest: impl Fn(&S) -> Result<Option<SourceReport>, IngestError> + Sync,
) -> RunReport {
    let next = AtomicUsize::new(0);
    let report = Mutex::new(RunReport::default());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(source) = sources.get(i) else { break };
                let outcome = ingest(source);
                if let Ok(mut r) = report.lock() {
                    match outcome {
                        Ok(Some(s)) => r.add(&s),
                        Ok(None) => r.skipped_done += 1,
                        Err(e) => r.fail(&name(source), &e),
                    }
                    progress.advance(&progress_text(&r));
                }
            });
        }
    });
    progress.finish();
    report.into_inner().unwrap_or_default()
}

/// The identity of a local file: its canonical absolute path (`/`-separated), and a
/// fingerprint of its content (size and modification time, ns).
///
/// Two different files never share a key, and one file reached through different
/// arguments (a directory, a subdirectory, a symlink) always has the same one, so its
/// outputs are named the same ([`crate::sink::output_stem`] of the key: a file in the IVS
/// layout keeps the name of the same object in S3) and its resume line matches.
pub fn local_identity(path: &Path) -> Result<(PathBuf, String, String), IngestError> {
    let abs = fs::canonicalize(path).map_err(|e| IngestError::io(path, e))?;
    let meta = fs::metadata(&abs).map_err(|e| IngestError::io(&abs, e))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let key = abs.to_string_lossy().replace('\\', "/");
    let fingerprint = format!("size={};mtime_ns={mtime}", meta.len());
    Ok((abs, key, fingerprint))
}

/// Runs `ingest` unless `state` lists the source `key` as done with fingerprint `fp`
/// (`Ok(None)`); records it as done when it succeeds.
fn resumable(
    state: Option<&ResumeState>,
    key: &str,
    fp: &str,
    ingest: impl FnOnce() -> Result<SourceReport, IngestError>,
) -> Result<Option<SourceReport>, IngestError> {
    if state.is_some_and(|s| s.is_done(key, fp)) {
        return Ok(None);
    }
    let report = ingest()?;
    if let Some(s) = state {
        s.mark_done(key, fp)?;
    }
    Ok(Some(report))
}

/// Ingests local files with at most `jobs` in parallel ([`run_pool`]); each is keyed by
/// its [`local_identity`].
pub fn run_local(
    files: &[PathBuf],
    opts: &IngestOptions,
    defaults: &SourceContext,
    jobs: usize,
    state: Option<&ResumeState>,
    progress: &dyn Progress,
) -> RunReport {
    let name = |path: &PathBuf| path.to_string_lossy().into_owned();
    run_pool(files, jobs, progress, name, |path| {
        let (abs, key, fp) = local_identity(path)?;
        resumable(state, &key, &fp, || {
            let source = path.to_string_lossy().into_owned();
            let ctx = with_defaults(context_from_key(&source, &key), defaults);
            let f = fs::File::open(&abs).map_err(|e| IngestError::io(&abs, e))?;
            ingest_reader(f, ctx, &key, opts)
        })
    })
}

/// Where an S3 backfill reads and writes.
#[derive(Debug, Clone)]
pub struct S3Backfill<'a> {
    /// The runtime the S3 calls run on (the pool's threads block on it).
    pub runtime: &'a tokio::runtime::Handle,
    /// The S3 client.
    pub client: &'a Client,
    /// The listed input prefix.
    pub input: &'a S3Url,
    /// Where outputs go.
    pub out: &'a Output,
}

/// Ingests listed S3 objects with at most `jobs` in parallel ([`run_pool`]); each is
/// keyed by its key, fingerprinted by size and ETag (a changed object is ingested again).
pub fn run_s3(
    s3: &S3Backfill<'_>,
    objects: &[ObjectInfo],
    opts: &IngestOptions,
    defaults: &SourceContext,
    jobs: usize,
    state: Option<&ResumeState>,
    progress: &dyn Progress,
) -> RunReport {
    let name = |o: &ObjectInfo| s3.input.with_key(o.key.as_str()).to_string();
    run_pool(objects, jobs, progress, name, |o| {
        let fp = format!("size={};etag={}", o.size, o.etag);
        resumable(state, &o.key, &fp, || {
            let bucket = &s3.input.bucket;
            let ingest = ingest_s3_object(s3.client, bucket, &o.key, s3.out, opts, defaults);
            s3.runtime.block_on(ingest)
        })
    })
}
