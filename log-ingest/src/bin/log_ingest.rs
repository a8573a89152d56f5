//! `log-ingest`: ingest IVS chat logs from local files, stdin or S3 into Parquet/NDJSON.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use log_ingest::aws::{list_objects, parse_s3_url, s3_client_from_env, Output};
use log_ingest::backfill::{run_local, run_s3, Progress, ResumeState, S3Backfill};
use log_ingest::decisions::ingest_decision_reader;
use log_ingest::sink::layout::data_files;
use log_ingest::sink::Format;
use log_ingest::{ingest_reader, IngestError, IngestOptions, RunReport, Shape, SourceContext};

/// Ingest Amazon IVS Chat logs (S3 log objects, Firehose objects) into Hive-partitioned
/// Parquet or NDJSON (`room=<id>/date=YYYY-MM-DD/`), with a quarantine of bad records.
///
/// Prints a JSON run report on stdout; exits 1 when a source failed, 2 on usage errors.
#[derive(Parser)]
#[command(name = "log-ingest", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest local files or directories (recursively). Each file is keyed by its canonical
    /// path (a copy of `AWSLogs/...` yields account, region and room, and the output names
    /// of the same object in S3); the same file named twice is one source.
    Files(FilesArgs),
    /// Ingest one stream from standard input.
    Stdin(StdinArgs),
    /// Backfill every object under s3://bucket/prefix, with bounded concurrency.
    S3(S3Args),
    /// Ingest review-handler log lines into the decisions table: the handler's stdout, or
    /// the messages of its log group exported with `aws logs filter-log-events` (plain or
    /// gzip, one line each). Audit lines become rows, other lines (EMF, reload, the
    /// runtime's) are skipped, bad audit lines are quarantined.
    Decisions(DecisionsArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Parquet,
    Ndjson,
}

#[derive(Clone, Copy, ValueEnum)]
enum ShapeArg {
    /// Lines for keys in the IVS S3 layout, JSON values otherwise.
    Auto,
    /// One envelope per line (IVS S3 log objects, NDJSON).
    Lines,
    /// Concatenated JSON values with any or no separator (Firehose objects).
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ProgressArg {
    /// On a terminal, for runs of more than one source.
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct Common {
    /// Output table root: a directory, or s3://bucket/prefix.
    #[arg(long, short)]
    out: String,
    /// Output format of records.
    #[arg(long, value_enum, default_value = "parquet")]
    format: FormatArg,
    /// How records are framed in the input.
    #[arg(long, value_enum, default_value = "auto")]
    shape: ShapeArg,
    /// Room id for sources whose key does not carry one (Firehose: one stream per room).
    #[arg(long)]
    room: Option<String>,
    /// Region for sources whose key does not carry one.
    #[arg(long)]
    region: Option<String>,
    /// Account id for sources whose key does not carry one.
    #[arg(long)]
    account: Option<String>,
    /// Lines or JSON values longer than this many bytes are quarantined unparsed.
    #[arg(long, default_value_t = log_ingest::readers::DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// Also write the run report (JSON) to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Partition files open at once per source (each Parquet one costs a writer thread and
    /// up to ~20 MB); more partitions are closed least recently used first and continued in
    /// further part files.
    #[arg(long, default_value_t = log_ingest::limits::Limits::default().max_open_partitions)]
    max_open_partitions: usize,
}

#[derive(Args)]
struct Backfill {
    /// Sources processed in parallel.
    #[arg(long, short, default_value_t = 2)]
    jobs: usize,
    /// Resume state file (completed sources). Default: <out>/_state/done.tsv for a local
    /// output, ./log-ingest-state.tsv for an S3 output.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Ingest every source again, even those the state file lists as done.
    #[arg(long)]
    no_resume: bool,
    /// Progress bar on stderr.
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressArg,
}

#[derive(Args)]
struct FilesArgs {
    /// Files or directories to ingest.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    backfill: Backfill,
}

#[derive(Args)]
struct StdinArgs {
    /// Name of the stream: its key (e.g. the original object key), used for context and output names.
    #[arg(long, default_value = "stdin")]
    name: String,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct S3Args {
    /// Input location, s3://bucket/prefix.
    input: String,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    backfill: Backfill,
}

#[derive(Args)]
struct DecisionsArgs {
    /// Log files (`-`: standard input).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output table root (a local directory).
    #[arg(long, short)]
    out: PathBuf,
    /// Lines longer than this many bytes are quarantined unparsed.
    #[arg(long, default_value_t = log_ingest::readers::DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// Also write the run report (JSON) to this file.
    #[arg(long)]
    report: Option<PathBuf>,
}

fn decisions(a: DecisionsArgs) -> RunReport {
    let mut opts = IngestOptions::new(a.out.clone());
    opts.max_record_bytes = a.max_record_bytes;
    let mut total = RunReport::default();
    for path in &a.paths {
        let name = path.display().to_string();
        let result = if name == "-" {
            ingest_decision_reader(std::io::stdin(), "stdin", "stdin", &opts)
        } else {
            // Keyed by the canonical path, as `files` keys its sources.
            let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            std::fs::File::open(path)
                .map_err(|e| IngestError::io(path, e))
                .and_then(|f| ingest_decision_reader(f, &name, &key.display().to_string(), &opts))
        };
        match result {
            Ok(report) => total.add(&report),
            Err(e) => total.fail(&name, &e),
        }
    }
    total
}

fn options(c: &Common, root: PathBuf) -> (IngestOptions, SourceContext) {
    let mut opts = IngestOptions::new(root);
    opts.format = match c.format {
        FormatArg::Parquet => Format::Parquet,
        FormatArg::Ndjson => Format::Ndjson,
    };
    opts.shape = match c.shape {
        ShapeArg::Auto => Shape::Auto,
        ShapeArg::Lines => Shape::Lines,
        ShapeArg::Json => Shape::JsonValues,
    };
    opts.max_record_bytes = c.max_record_bytes;
    opts.limits.max_open_partitions = c.max_open_partitions.max(1);
    let defaults = SourceContext {
        source: String::new(),
        account_id: c.account.clone(),
        region: c.region.clone(),
        room_id: c.room.clone(),
        key_version: None,
    };
    (opts, defaults)
}

fn local_out(c: &Common) -> Result<PathBuf, IngestError> {
    match Output::parse(&c.out)? {
        Output::Local(p) => Ok(p),
        Output::S3(_) => Err(IngestError::Config(
            "this subcommand writes to a local directory; use `log-ingest s3` for S3 outputs"
                .to_string(),
        )),
    }
}

fn state_for(b: &Backfill, out: &Output) -> Result<ResumeState, IngestError> {
    let path = match (&b.state, out) {
        (Some(p), _) => p.clone(),
        (None, Output::Local(root)) => root.join("_state").join("done.tsv"),
        (None, Output::S3(_)) => PathBuf::from("log-ingest-state.tsv"),
    };
    if b.no_resume {
        // Start a fresh state: every source is ingested again, completions recorded anew.
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(IngestError::io(&path, e)),
        }
    }
    ResumeState::open(path)
}

fn show_progress(p: ProgressArg, sources: usize) -> (bool, bool) {
    match p {
        ProgressArg::Never => (false, false),
        ProgressArg::Always => (true, !std::io::stderr().is_terminal()),
        ProgressArg::Auto => (sources > 1 && std::io::stderr().is_terminal(), false),
    }
}

fn files(a: FilesArgs) -> Result<RunReport, IngestError> {
    let root = local_out(&a.common)?;
    let (opts, defaults) = options(&a.common, root.clone());
    let state = state_for(&a.backfill, &Output::Local(root.clone()))?;
    let mut files: Vec<PathBuf> = Vec::new();
    // Never read our own outputs back when the output directory is inside an input tree.
    let out_abs = std::fs::canonicalize(&root).ok();
    // Sources are keyed by their canonical path: the same file named by two arguments is
    // one source, ingested once.
    let mut seen = std::collections::HashSet::new();
    for p in &a.paths {
        for f in data_files(p)? {
            let abs = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            let inside_out = out_abs.as_ref().is_some_and(|o| abs.starts_with(o));
            if !inside_out && seen.insert(abs) {
                files.push(f);
            }
        }
    }
    let (show, force) = show_progress(a.backfill.progress, files.len());
    let bar = Bar::new(files.len() as u64, show, force);
    Ok(run_local(
        &files,
        &opts,
        &defaults,
        a.backfill.jobs,
        Some(&state),
        &bar,
    ))
}

fn stdin(a: StdinArgs) -> Result<RunReport, IngestError> {
    let root = local_out(&a.common)?;
    let (opts, defaults) = options(&a.common, root);
    let ctx = log_ingest::aws::with_defaults(
        log_ingest::keys::context_from_key(&a.name, &a.name),
        &defaults,
    );
    let rep = ingest_reader(std::io::stdin(), ctx, &a.name, &opts)?;
    let mut total = RunReport::default();
    total.add(&rep);
    Ok(total)
}

fn s3(a: S3Args) -> Result<RunReport, IngestError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| IngestError::Config(format!("tokio runtime: {e}")))?;
    let input = parse_s3_url(&a.input)?;
    let out = Output::parse(&a.common.out)?;
    let root = match &out {
        Output::Local(p) => p.clone(),
        Output::S3(_) => std::env::temp_dir(),
    };
    let (opts, defaults) = options(&a.common, root);
    let state = state_for(&a.backfill, &out)?;
    let client = rt.block_on(s3_client_from_env());
    let objects = rt.block_on(list_objects(&client, &input))?;
    let (show, force) = show_progress(a.backfill.progress, objects.len());
    let bar = Bar::new(objects.len() as u64, show, force);
    let s3 = S3Backfill {
        runtime: rt.handle(),
        client: &client,
        input: &input,
        out: &out,
    };
    Ok(run_s3(
        &s3,
        &objects,
        &opts,
        &defaults,
        a.backfill.jobs,
        Some(&state),
        &bar,
    ))
}

/// The progress bar over a run's sources on stderr; hidden unless `show` (and a
/// terminal, unless `force`).
struct Bar(ProgressBar);

impl Bar {
    fn new(total: u64, show: bool, force: bool) -> Bar {
        if !show {
            return Bar(ProgressBar::hidden());
        }
        let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if force {
            pb.set_draw_target(ProgressDrawTarget::term_like(Box::new(AlwaysStderr)));
        }
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} sources, {msg} ({eta} left)",
        ) {
            pb.set_style(style.progress_chars("=> "));
        }
        Bar(pb)
    }
}

impl Progress for Bar {
    fn advance(&self, status: &str) {
        self.0.set_message(status.to_string());
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Always-drawing stderr target for `--progress always` (e.g. when piping to a log).
#[derive(Debug)]
struct AlwaysStderr;

impl indicatif::TermLike for AlwaysStderr {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (report_path, result) = match cli.command {
        Command::Files(a) => (a.common.report.clone(), files(a)),
        Command::Stdin(a) => (a.common.report.clone(), stdin(a)),
        Command::S3(a) => (a.common.report.clone(), s3(a)),
        Command::Decisions(a) => (a.report.clone(), Ok(decisions(a))),
    };
    match result {
        Ok(report) => {
            let json = report.to_json();
            println!("{json}");
            if let Some(p) = report_path {
                if let Err(e) = std::fs::write(&p, format!("{json}\n")) {
                    eprintln!("log-ingest: writing report {}: {e}", p.display());
                    return ExitCode::FAILURE;
                }
            }
            if report.failed > 0 {
                for f in &report.failures {
                    eprintln!("log-ingest: failed: {f}");
                }
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("log-ingest: {e}");
            ExitCode::from(2)
        }
    }
}
