//! `rules-backtest`: what a rule pack would have done to historical chat.
//! Thin shell: read sources ([`backtest::read`]), run `rules::backtest`, write reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use backtest::read::read_all;
use backtest::BacktestError;
use clap::{Args, Parser, Subcommand, ValueEnum};
use replay::source::{Location, Store};
use rules::backtest::report::{DEFAULT_MAX_SAMPLES, MAX_SAMPLES};
use rules::backtest::{backtest, html, Options, Pack, PackInfo, Report, RoomArns, Schedule};
use rules::{Engine, PackSet};

/// Backtest a rule pack on past chat: our Parquet or NDJSON tables, raw IVS logs,
/// local or s3://. Prints a summary; writes a JSON and/or HTML report.
///
/// Exits 1 when a source failed part-way (the reports are still written), 2 on errors.
#[derive(Parser)]
#[command(
    name = "rules-backtest",
    bin_name = "rules backtest",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Merge the JSON reports of partitions of one backtest (counts add, samples capped).
    Merge(MergeArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum ScheduleArg {
    /// Contiguous time chunks per thread.
    Chunks,
    /// Whole rooms per thread, each in time order.
    Rooms,
}

#[derive(Args)]
struct Outputs {
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    /// Pack file (TOML), or `bundled` for the built-in default pack.
    #[arg(required = true)]
    pack: Option<PathBuf>,
    /// Chat sources: files, directories (a table root or a room=/date= prefix), s3:// prefixes.
    #[arg(long, required = true, num_args = 1.., value_name = "SOURCE")]
    chat: Vec<String>,
    /// The pack in production: report only what changes against it.
    #[arg(long, value_name = "PACK")]
    against: Option<PathBuf>,
    /// Show the message text in samples (off: id, room, time and rule only).
    #[arg(long)]
    reveal: bool,
    /// Samples kept per rule and per agreement list.
    #[arg(long, default_value_t = DEFAULT_MAX_SAMPLES, value_name = "N")]
    samples: usize,
    /// Changed decisions listed in the diff (all are counted).
    #[arg(long, default_value_t = rules::backtest::diff::DEFAULT_MAX_CHANGES, value_name = "N")]
    max_changes: usize,
    /// Region of the room ARNs built from room ids.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Account id of the room ARNs built from room ids.
    #[arg(long, default_value = "000000000000")]
    account: String,
    /// Threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// How messages are spread over threads.
    #[arg(long, value_enum, default_value = "chunks")]
    schedule: ScheduleArg,
    #[command(flatten)]
    out: Outputs,
}

#[derive(Args)]
struct MergeArgs {
    /// JSON reports of `rules backtest --json`.
    #[arg(required = true, num_args = 1..)]
    reports: Vec<PathBuf>,
    #[command(flatten)]
    out: Outputs,
}

fn load(arg: &Path) -> Result<(Engine, PackInfo), BacktestError> {
    let set = PackSet::load_or_bundled(arg)?;
    let engine = Engine::compile(&set)?;
    let info = PackInfo {
        label: arg.display().to_string(),
        packs: set.pack_names().iter().map(|s| s.to_string()).collect(),
    };
    Ok((engine, info))
}

fn write(path: &Path, text: &str) -> Result<(), BacktestError> {
    std::fs::write(path, text).map_err(|source| BacktestError::Write {
        path: path.display().to_string(),
        source,
    })
}

fn emit(report: &Report, out: &Outputs) -> Result<ExitCode, BacktestError> {
    if let Some(p) = &out.json {
        write(p, &report.to_json())?;
    }
    if let Some(p) = &out.html {
        write(p, &html::render(report))?;
    }
    print!("{}", report.summary());
    for (what, p) in [("JSON", &out.json), ("HTML", &out.html)] {
        if let Some(p) = p {
            println!("  {what} report: {}", p.display());
        }
    }
    let failed = report.inputs.sources.iter().any(|s| s.failed.is_some());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn run(a: RunArgs) -> Result<ExitCode, BacktestError> {
    if a.samples > MAX_SAMPLES {
        return Err(rules::RulesError::Backtest(format!(
            "--samples {}: expected at most {MAX_SAMPLES}",
            a.samples
        ))
        .into());
    }
    let pack_arg = a.pack.unwrap_or_default();
    let (engine, info) = load(&pack_arg)?;
    let against = a.against.as_deref().map(load).transpose()?;
    let locations = a
        .chat
        .iter()
        .map(|s| Location::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let store = Store::for_locations(&locations.iter().collect::<Vec<_>>()).await;
    let (history, inputs) = read_all(&store, &locations).await?;
    let opts = Options {
        arns: RoomArns {
            region: a.region,
            account: a.account,
        },
        reveal: a.reveal,
        max_samples: a.samples,
        max_changes: a.max_changes,
        threads: a.threads,
        schedule: match a.schedule {
            ScheduleArg::Chunks => Schedule::Chunks,
            ScheduleArg::Rooms => Schedule::Rooms,
        },
    };
    let pack = Pack {
        engine: &engine,
        info: &info,
    };
    let base = against.as_ref().map(|(engine, info)| Pack { engine, info });
    let report = backtest(&history, pack, base, inputs, &opts);
    emit(&report, &a.out)
}

fn merge(a: MergeArgs) -> Result<ExitCode, BacktestError> {
    let mut merged: Option<Report> = None;
    for p in &a.reports {
        let text = std::fs::read_to_string(p).map_err(|source| BacktestError::ReadReport {
            path: p.display().to_string(),
            source,
        })?;
        let r = Report::from_json(&text, &p.display().to_string())?;
        match &mut merged {
            None => merged = Some(r),
            Some(m) => m.merge(r)?,
        }
    }
    match merged {
        Some(r) => emit(&r, &a.out),
        None => Ok(ExitCode::SUCCESS),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Merge(m)) => merge(m),
        None => match tokio::runtime::Runtime::new() {
            Ok(rt) => rt.block_on(run(cli.run)),
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                return ExitCode::from(2);
            }
        },
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}
