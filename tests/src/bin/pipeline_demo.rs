//! `pipeline-demo`: the whole pipeline end to end on local stand-ins.
//!
//! 1. starts moto (S3 and the DynamoDB state table) and the review handler under
//!    `cargo lambda watch`, with the example pack (`rules/packs/example/`: stateful rules
//!    on);
//! 2. simulates a live show (with a spammer and a small raid) and sends every message
//!    through the handler over the real Lambda Runtime API, each at its time in the show
//!    (`CLOCK=request`); the allowed ones (as rewritten) and a moderator's deletions are
//!    written as IVS-format gzipped log objects into S3 with the real key layout;
//! 3. ingests them to Parquet with the `log-ingest` CLI, and the handler's audit lines to
//!    the decisions table (`log-ingest decisions`), and prints an analyst summary;
//! 4. backtests a stricter pack (the example's `kids.toml`) against the show's chat with
//!    `rules backtest`, against the pack the show ran;
//! 5. writes a recording (IVS events JSON + HLS playlist with program-date-time and a
//!    reconnect gap) and renders the chat replay as JSON and WebVTT with the `replay` CLI;
//! 6. says where every output is and stops everything it started.

use std::path::{Path, PathBuf};
use std::process::Command;

use arrow::array::AsArray;
use arrow::compute::cast;
use arrow::datatypes::DataType;
use clap::Parser;
use e2e::recording::{recording_files, Gap};
use e2e::show::{simulate, RAIDERS};
use e2e::summary::{decisions_in, Summary};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use test_support::ivs::envelope::{delete_envelope, message_envelope};
use test_support::ivs::objects::{at, log_objects};
use test_support::{unique_name, workspace_binary, workspace_root, LocalLambda, MotoServer};
use time::macros::datetime;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const ROOM_ID: &str = "demoROOM0001";
const CHANNEL_ID: &str = "demoCHANNEL1";
const RECORDING_ID: &str = "demo-recording";

/// Runs the local end-to-end pipeline demo.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Directory for every output (created; earlier demo outputs in it are replaced).
    #[arg(long, default_value = "demo-output")]
    out: PathBuf,
    /// Chat messages in the simulated show.
    #[arg(long, default_value_t = 300)]
    messages: usize,
    /// Distinct chatters (the first one is the moderator).
    #[arg(long, default_value_t = 12)]
    chatters: usize,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Length of the show in seconds.
    #[arg(long, default_value_t = 600)]
    show_seconds: u64,
}

type DemoResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Message senders, event row count, and (message id, reason) of deletions.
type Ingested = (Vec<String>, usize, Vec<(String, String)>);

fn step(text: &str) {
    println!("\n==> {text}");
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("pipeline-demo failed: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> DemoResult<()> {
    let out = args.out.clone();
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    step("starting local stand-ins: moto (S3, DynamoDB) and the review handler under `cargo lambda watch`");
    let moto = MotoServer::start()?;
    println!("    moto at {}", moto.endpoint());
    let s3 = rt.block_on(moto.s3_client());
    let logs_bucket = unique_name("demo-chat-logs");
    let rec_bucket = unique_name("demo-recordings");
    for b in [&logs_bucket, &rec_bucket] {
        rt.block_on(s3.create_bucket().bucket(b).send())?;
    }
    let dynamodb = aws_sdk_dynamodb::Client::new(&rt.block_on(moto.sdk_config()));
    let state_table = unique_name("demo-state");
    rt.block_on(review_handler::store::dynamo::create_table(
        &dynamodb,
        &state_table,
    ))?;
    let packs = workspace_root().join("rules/packs/example");
    let (pack, stricter) = (packs.join("pack.toml"), packs.join("kids.toml"));
    let mut env = moto.child_env();
    env.extend(
        [
            ("RULES_SOURCE", path_str(&pack)?),
            ("STATE_TABLE", &state_table),
            // The show is replayed faster than it was live: each message is decided at
            // its time in the show (the request's `Time`), so slow mode sees 500 ms
            // between the spammer's lines, not the microseconds between invocations.
            ("CLOCK", "request"),
            // moto answers a DynamoDB call in ~7 ms (more on a busy machine), one call at
            // a time, so a message's 5-8 store calls take 40-200 ms here (DynamoDB: a few
            // ms, concurrently). A replay answers no IVS room, so it may wait longer than
            // IVS's 200 ms: the show's decisions then never depend on the machine's load.
            ("REVIEW_DEADLINE_MS", "5000"),
            ("STORE_DEADLINE_MS", "5000"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let handler = LocalLambda::start(workspace_binary("review-handler")?, &env)?;
    println!("    review handler at {}", handler.invoke_url());
    println!("    pack {}, state table {state_table}", pack.display());

    step(&format!(
        "simulating a live show: {} messages from {} chatters, a spammer and a raid of {RAIDERS}",
        args.messages, args.chatters
    ));
    let show = simulate(
        args.seed,
        args.chatters,
        args.messages,
        args.show_seconds * 1000,
    );
    let room_arn = format!("arn:aws:ivschat:{REGION}:{ACCOUNT}:room/{ROOM_ID}");
    let start = datetime!(2026-11-20 19:00 UTC);
    let mut records = Vec::new();
    let mut rewritten = 0;
    let mut allowed_ids = Vec::new();
    for (i, m) in show.messages.iter().enumerate() {
        let t = at(start, m.at_ms, (i as u32).wrapping_mul(7919));
        let t_ms = i64::try_from(t.unix_timestamp_nanos() / 1_000_000)?;
        let response = handler.invoke(&show.review_request(i, &room_arn, t_ms))?;
        if response["ReviewResult"] != "ALLOW" {
            continue;
        }
        let content = response["Content"].as_str().unwrap_or_default();
        if content != m.content {
            rewritten += 1;
        }
        let attrs = response
            .get("Attributes")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        let c = &show.chatters[m.sender];
        let sender_attrs = serde_json::json!({ "displayName": c.display_name, "role": c.role });
        records.push((
            t,
            message_envelope(t, &m.id, content, &attrs, &c.user_id, &sender_attrs),
        ));
        allowed_ids.push((i, m.id.clone()));
    }
    // The moderator deletes two allowed messages from the troublemakers, 4 s after each.
    let mut deletions = Vec::new();
    for (i, id) in allowed_ids
        .iter()
        .filter(|(i, _)| show.messages[*i].sender != 0)
        .take(2)
    {
        let t = at(start, show.messages[*i].at_ms + 4_000, 0);
        let reason = "Removed by moderator";
        records.push((t, delete_envelope(t, &format!("del{:09}", i), id, reason)));
        deletions.push(id.clone());
    }
    records.sort_by_key(|(t, _)| *t);
    let handler_output = handler.function_output();
    drop(handler);
    let decisions = decisions_in(&handler_output)?;
    let handler_log = out.join("handler-output.log");
    std::fs::write(&handler_log, &handler_output)?;
    println!(
        "    {} answered, {} allowed, {} deletions",
        decisions.len(),
        allowed_ids.len(),
        deletions.len()
    );

    step(&format!(
        "writing IVS-format gzipped chat logs to s3://{logs_bucket}/AWSLogs/"
    ));
    let objects = log_objects(ACCOUNT, REGION, ROOM_ID, 5, &records)?;
    for (key, body) in &objects {
        rt.block_on(
            s3.put_object()
                .bucket(&logs_bucket)
                .key(key)
                .body(body.clone().into())
                .send(),
        )?;
        println!("    {key}");
    }

    step("ingesting the chat logs to Parquet with `log-ingest`");
    let parquet_dir = out.join("parquet");
    run_cli(
        "log-ingest",
        &[
            "s3",
            &format!("s3://{logs_bucket}/AWSLogs/"),
            "--out",
            path_str(&parquet_dir)?,
            "--report",
            path_str(&out.join("ingest-report.json"))?,
        ],
        &moto.child_env(),
    )?;

    step("ingesting the handler's audit lines to the decisions table with `log-ingest decisions`");
    let decisions_dir = out.join("decisions");
    run_cli(
        "log-ingest",
        &[
            "decisions",
            path_str(&handler_log)?,
            "--out",
            path_str(&decisions_dir)?,
            "--report",
            path_str(&out.join("decisions-report.json"))?,
        ],
        &[],
    )?;

    step("analyst summary");
    let (senders, events, deleted) = read_ingested(&parquet_dir)?;
    let spammer = &show.chatters[show.spammer];
    let raiders: Vec<&str> = show
        .raiders
        .iter()
        .map(|r| show.chatters[*r].user_id.as_str())
        .collect();
    let summary = Summary::from_decisions(&decisions, rewritten)
        .with_ingested(&senders, events, deleted)
        .with_episodes(
            &decisions,
            &spammer.display_name,
            &spammer.user_id,
            &raiders,
        );
    print!("{summary}");
    if summary.ingested_messages != allowed_ids.len() {
        return Err(format!(
            "ingested {} message rows but the handler allowed {}",
            summary.ingested_messages,
            allowed_ids.len()
        )
        .into());
    }

    step("backtesting a stricter pack (kids.toml) against the show's chat and the pack it ran");
    let backtest_dir = out.join("backtest");
    std::fs::create_dir_all(&backtest_dir)?;
    let (report_json, report_html) = (
        backtest_dir.join("report.json"),
        backtest_dir.join("report.html"),
    );
    run_cli(
        "rules",
        &[
            "backtest",
            path_str(&stricter)?,
            "--chat",
            path_str(&parquet_dir)?,
            "--against",
            path_str(&pack)?,
            "--account",
            ACCOUNT,
            "--region",
            REGION,
            "--json",
            path_str(&report_json)?,
            "--html",
            path_str(&report_html)?,
        ],
        &[],
    )?;

    step("writing the show's recording (IVS events JSON + HLS with program-date-time and a reconnect gap)");
    let rec_dir = out.join("recording");
    let video_ms = args.show_seconds * 1000 - 20_000;
    let gap = Gap {
        at_ms: video_ms / 2,
        gap_ms: 20_000,
    };
    let prefix = format!("ivs/v1/{ACCOUNT}/{CHANNEL_ID}/2026/11/20/19/0/{RECORDING_ID}");
    let channel_arn = format!("arn:aws:ivs:{REGION}:{ACCOUNT}:channel/{CHANNEL_ID}");
    for (rel, body) in recording_files(&channel_arn, start, video_ms, 6_000, Some(gap)) {
        let path = rec_dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &body)?;
        rt.block_on(
            s3.put_object()
                .bucket(&rec_bucket)
                .key(format!("{prefix}/{rel}"))
                .body(body.into())
                .send(),
        )?;
    }
    println!("    {} and s3://{rec_bucket}/{prefix}/", rec_dir.display());

    step("rendering the chat replay with `replay` (JSON track and WebVTT)");
    let replay_dir = out.join("replay");
    std::fs::create_dir_all(&replay_dir)?;
    run_cli(
        "replay",
        &[
            "render",
            "--recording",
            &format!("s3://{rec_bucket}/{prefix}/"),
            "--chat",
            &format!("s3://{logs_bucket}/AWSLogs/"),
            "--json",
            path_str(&replay_dir.join("chat.json"))?,
            "--vtt",
            path_str(&replay_dir.join("chat.vtt"))?,
        ],
        &moto.child_env(),
    )?;

    step("done; outputs:");
    println!("    Parquet tables:   {}", parquet_dir.display());
    println!("    decisions table:  {}", decisions_dir.display());
    println!("    handler output:   {}", handler_log.display());
    println!("    backtest JSON:    {}", report_json.display());
    println!("    backtest HTML:    {}", report_html.display());
    println!("    recording:        {}", rec_dir.display());
    println!(
        "    replay JSON:      {}",
        replay_dir.join("chat.json").display()
    );
    println!(
        "    replay WebVTT:    {}",
        replay_dir.join("chat.vtt").display()
    );
    println!("    (moto and the review handler are stopped)");
    Ok(())
}

fn path_str(p: &Path) -> DemoResult<&str> {
    p.to_str()
        .ok_or_else(|| format!("path is not UTF-8: {}", p.display()).into())
}

/// Runs one of our CLIs, echoing the command; its output goes to ours.
fn run_cli(bin: &str, args: &[&str], env: &[(String, String)]) -> DemoResult<()> {
    let path = workspace_binary(bin)?;
    println!("    $ {bin} {}", args.join(" "));
    let status = Command::new(&path)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .status()?;
    if !status.success() {
        return Err(format!("{bin} exited with {status}").into());
    }
    Ok(())
}

/// Message senders, the number of event rows, and (message id, reason) of deletions,
/// read back from the Parquet tables under `dir`.
fn read_ingested(dir: &Path) -> DemoResult<Ingested> {
    let mut senders = Vec::new();
    let mut events = 0;
    let mut deleted = Vec::new();
    for file in parquet_files(dir)? {
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file)?)?.build()?;
        for batch in reader {
            let batch = batch?;
            let column = |name: &str| -> DemoResult<Vec<Option<String>>> {
                let col = batch
                    .column_by_name(name)
                    .ok_or_else(|| format!("{}: no column {name}", file.display()))?;
                let col = cast(col, &DataType::Utf8)?;
                Ok(col
                    .as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect())
            };
            let (kinds, users) = (column("type")?, column("sender_user_id")?);
            let (names, targets, reasons) = (
                column("event_name")?,
                column("target_message_id")?,
                column("reason")?,
            );
            for i in 0..batch.num_rows() {
                if kinds[i].as_deref() == Some("MESSAGE") {
                    senders.push(users[i].clone().unwrap_or_default());
                    continue;
                }
                events += 1;
                if names[i].as_deref() == Some("aws:DELETE_MESSAGE") {
                    deleted.push((
                        targets[i].clone().unwrap_or_default(),
                        reasons[i].clone().unwrap_or_default(),
                    ));
                }
            }
        }
    }
    Ok((senders, events, deleted))
}

/// Every `*.parquet` file below `dir`, in path order.
fn parquet_files(dir: &Path) -> DemoResult<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
