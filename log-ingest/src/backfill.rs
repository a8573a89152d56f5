//! Backfills over many sources: local tree walking, resumable state, a bounded worker pool.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::aws::with_defaults;
use crate::error::IngestError;
use crate::keys::context_from_key;
use crate::pipeline::{ingest_reader, IngestOptions};
use crate::record::SourceContext;
use crate::report::{RunReport, SourceReport};

/// Every regular file under `root` (or `root` itself if it is a file), sorted; hidden
/// entries (`.x`) and output/state directories (`_x`) are skipped.
pub fn walk(root: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let meta = fs::metadata(root).map_err(|e| IngestError::io(root, e))?;
    if meta.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| IngestError::io(&dir, e))? {
            let entry = entry.map_err(|e| IngestError::io(&dir, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let path = entry.path();
            let ft = entry.file_type().map_err(|e| IngestError::io(&path, e))?;
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

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

/// A progress bar over `total` sources on stderr; hidden unless `show` (and a terminal,
/// unless `force`).
pub fn progress_bar(total: u64, show: bool, force: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if force {
        pb.set_draw_target(ProgressDrawTarget::term_like(Box::new(
            console_free_stderr(),
        )));
    }
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} sources, {msg} ({eta} left)",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb
}

/// Always-drawing stderr target for `--progress always` (e.g. when piping to a log).
fn console_free_stderr() -> impl indicatif::TermLike {
    #[derive(Debug)]
    struct Stderr;
    impl indicatif::TermLike for Stderr {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            eprintln!("{s}");
            Ok(())
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            eprint!("{s}");
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            eprintln!();
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            std::io::stderr().flush()
        }
    }
    Stderr
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

/// Ingests local files with at most `jobs` in parallel; each is keyed by its
/// [`local_identity`].
pub fn run_local(
    files: &[PathBuf],
    opts: &IngestOptions,
    defaults: &SourceContext,
    jobs: usize,
    state: Option<&ResumeState>,
    pb: &ProgressBar,
) -> RunReport {
    let next = AtomicUsize::new(0);
    let report = Mutex::new(RunReport::default());
    let one = |path: &PathBuf| -> Result<Option<SourceReport>, IngestError> {
        let (abs, key, fp) = local_identity(path)?;
        if state.is_some_and(|s| s.is_done(&key, &fp)) {
            return Ok(None);
        }
        let source = path.to_string_lossy().into_owned();
        let ctx = with_defaults(context_from_key(&source, &key), defaults);
        let f = fs::File::open(&abs).map_err(|e| IngestError::io(&abs, e))?;
        let rep = ingest_reader(f, ctx, &key, opts)?;
        if let Some(s) = state {
            s.mark_done(&key, &fp)?;
        }
        Ok(Some(rep))
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let outcome = one(path);
                if let Ok(mut r) = report.lock() {
                    match outcome {
                        Ok(Some(s)) => r.add(&s),
                        Ok(None) => r.skipped_done += 1,
                        Err(e) => r.fail(&path.to_string_lossy(), &e),
                    }
                    pb.set_message(format!(
                        "{} records, {} quarantined",
                        r.written, r.quarantined
                    ));
                }
                pb.inc(1);
            });
        }
    });
    pb.finish_and_clear();
    report.into_inner().unwrap_or_default()
}
