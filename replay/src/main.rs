//! `replay`: align IVS chat logs to a stream recording and write replay tracks.
//!
//! Thin shell: parse options, load inputs through `replay::load`, call the pure core,
//! write files. Summary (counts, timeline source, warnings) goes to stderr as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use replay::align::{AttrMatch, DEFAULT_LATENCY_MS};
use replay::load::{load_chat, load_timeline, parse_start, TimelineMode, TimelineRequest};
use replay::output::write_atomic;
use replay::render::html::PreviewOptions;
use replay::render::{self, DisplayOptions, DEFAULT_MAX_LINES, DEFAULT_ON_SCREEN_MS};
use replay::source::{Location, Store};
use replay::{align, AlignOptions, DeletedPolicy, Entry, GapPolicy, ReplayError, Result};

#[derive(Parser)]
#[command(
    name = "replay",
    version,
    about = "Chat replay aligned to an IVS stream recording"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Align chat to the recording and write tracks (JSON, chunked JSON, WebVTT, SRT, ASS).
    Render(RenderArgs),
    /// Write a self-contained HTML page playing the video with chat following the playhead.
    Preview(PreviewArgs),
    /// Print the recording's timeline (source, length, gaps) as JSON.
    Timeline(TimelineArgs),
}

#[derive(Args)]
struct TimelineArgs {
    /// Recording prefix: a local directory or s3://bucket/ivs/v1/.../<recording_id>/.
    #[arg(long)]
    recording: Option<String>,
    /// Timeline source.
    #[arg(long, value_enum, default_value_t = ModeArg::Auto)]
    timeline: ModeArg,
    /// Explicit wall-clock start of the video (RFC 3339); overrides the playlist.
    #[arg(long)]
    start: Option<String>,
    /// Rendition path (as in media.hls.renditions[].path); default: highest resolution.
    #[arg(long)]
    rendition: Option<String>,
    /// Holes between HLS segments up to this size are jitter, not gaps (ms).
    #[arg(long, default_value_t = 1_000)]
    gap_tolerance_ms: u64,
}

#[derive(Args)]
struct InputArgs {
    #[command(flatten)]
    timeline: TimelineArgs,
    /// Chat logs: files, directories or s3:// prefixes (raw IVS logs, plain or gzip, or
    /// log-ingest NDJSON). Repeatable.
    #[arg(long, required = true)]
    chat: Vec<String>,
    /// Viewer latency to compensate (ms): chat moves this much earlier.
    #[arg(long, default_value_t = DEFAULT_LATENCY_MS, allow_negative_numbers = true)]
    latency_ms: i64,
    /// Chat sent while the stream was down: drop it, or pin it where the video resumes.
    #[arg(long, value_enum, default_value_t = GapArg::Drop)]
    gap: GapArg,
    /// Messages deleted by aws:DELETE_MESSAGE: remove them or keep them marked.
    #[arg(long, value_enum, default_value_t = DeletedArg::Remove)]
    deleted: DeletedArg,
    /// Include aws:DISCONNECT_USER events.
    #[arg(long)]
    include_disconnects: bool,
    /// Include custom (application) events.
    #[arg(long)]
    include_events: bool,
    /// Keep only these room ids (repeatable).
    #[arg(long)]
    room: Vec<String>,
    /// Keep only messages whose sender has this attribute, key=value (repeatable: all must match).
    #[arg(long, value_parser = parse_attr)]
    require_sender_attr: Vec<AttrMatch>,
    /// Drop messages whose sender has this attribute, key=value (repeatable).
    #[arg(long, value_parser = parse_attr)]
    exclude_sender_attr: Vec<AttrMatch>,
    /// Sender/message attribute used as display name (repeatable, tried in order).
    #[arg(long)]
    name_attr: Vec<String>,
    /// Continue when some chat records cannot be read (they are listed on stderr).
    #[arg(long)]
    allow_bad_records: bool,
}

#[derive(Args)]
struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Write the JSON track here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write chunked JSON (index.json + chunk-NNNNNN.json) into this directory.
    #[arg(long)]
    chunks: Option<PathBuf>,
    /// Seconds of video per chunk.
    #[arg(long, default_value_t = 10)]
    chunk_seconds: u64,
    /// Write WebVTT here.
    #[arg(long)]
    vtt: Option<PathBuf>,
    /// Write SRT here.
    #[arg(long)]
    srt: Option<PathBuf>,
    /// Write ASS here.
    #[arg(long)]
    ass: Option<PathBuf>,
    /// Subtitles: how long a message stays on screen (ms).
    #[arg(long, default_value_t = DEFAULT_ON_SCREEN_MS)]
    on_screen_ms: u64,
    /// Subtitles: messages on screen at once; older ones scroll off.
    #[arg(long, default_value_t = DEFAULT_MAX_LINES)]
    max_lines: usize,
}

#[derive(Args)]
struct PreviewArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output HTML file.
    #[arg(long)]
    out: PathBuf,
    /// Video URL or path relative to the page (MP4, WebM, or .m3u8). Default: the
    /// recording's multivariant playlist, relative to the recording prefix.
    #[arg(long)]
    video: Option<String>,
    /// Inline this hls.js build (e.g. node_modules/hls.js/dist/hls.min.js) for browsers
    /// without native HLS.
    #[arg(long)]
    hls_js: Option<PathBuf>,
    /// Messages shown in the chat panel.
    #[arg(long, default_value_t = 30)]
    panel_lines: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Auto,
    Playlist,
    Metadata,
}

#[derive(Clone, Copy, ValueEnum)]
enum GapArg {
    Drop,
    Pin,
}

#[derive(Clone, Copy, ValueEnum)]
enum DeletedArg {
    Remove,
    Mark,
}

fn parse_attr(s: &str) -> std::result::Result<AttrMatch, String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok(AttrMatch {
            key: k.to_owned(),
            value: v.to_owned(),
        }),
        _ => Err(format!("expected key=value, found {s:?}")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("replay: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("replay: error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Timeline(args) => {
            let req = timeline_request(&args)?;
            let store = Store::for_locations(&req.recording.iter().collect::<Vec<_>>()).await;
            let (tl, info) = load_timeline(&store, &req).await?;
            let spans: Vec<serde_json::Value> = tl
                .spans()
                .iter()
                .filter(|s| s.gap_before)
                .map(|s| serde_json::json!({"resumes_at_ms": s.video_start_ns / 1_000_000}))
                .collect();
            let out =
                serde_json::json!({"timeline": info, "segments": tl.spans().len(), "gaps": spans});
            println!("{out}");
            Ok(())
        }
        Command::Render(args) => {
            let outputs = [&args.json, &args.chunks, &args.vtt, &args.srt, &args.ass];
            if outputs.iter().all(|o| o.is_none()) {
                return Err(ReplayError::Usage(
                    "give at least one of --json --chunks --vtt --srt --ass".to_owned(),
                ));
            }
            let (entries, duration_ms, display) =
                prepare(&args.input, Some((args.on_screen_ms, args.max_lines))).await?;
            if let Some(p) = &args.json {
                write_atomic(p, |w| {
                    render::json::write_track(w, &entries, duration_ms, &display)
                })?;
            }
            if let Some(dir) = &args.chunks {
                std::fs::create_dir_all(dir).map_err(|e| ReplayError::io(dir, e))?;
                let chunk_ms = args.chunk_seconds.max(1).saturating_mul(1000);
                let chunks = render::chunks::split(&entries, chunk_ms);
                for c in &chunks {
                    write_atomic(&dir.join(c.file_name()), |w| {
                        render::chunks::write_chunk(w, c, &entries, &display)
                    })?;
                }
                write_atomic(&dir.join("index.json"), |w| {
                    render::chunks::write_index(w, &chunks, chunk_ms, duration_ms)
                })?;
            }
            if let Some(p) = &args.vtt {
                let started = std::time::Instant::now();
                write_atomic(p, |w| render::vtt::write_vtt(w, &entries, &display))?;
                stage("webvtt", started);
            }
            if let Some(p) = &args.srt {
                write_atomic(p, |w| render::srt::write_srt(w, &entries, &display))?;
            }
            if let Some(p) = &args.ass {
                write_atomic(p, |w| render::ass::write_ass(w, &entries, &display))?;
            }
            // The process ends right after this: freeing a million entries one by one
            // would only delay the exit (~0.2 s for 1M); the OS takes the memory back.
            std::mem::forget(entries);
            Ok(())
        }
        Command::Preview(args) => {
            let (entries, _, display) = prepare(&args.input, None).await?;
            let video_src = match &args.video {
                Some(v) => v.clone(),
                None => default_video(&args.input).await?,
            };
            let hls_js = match &args.hls_js {
                Some(p) => Some(std::fs::read_to_string(p).map_err(|e| ReplayError::io(p, e))?),
                None => None,
            };
            let opts = PreviewOptions {
                video_src,
                hls_js,
                panel_lines: args.panel_lines,
                title: "Chat replay preview".to_owned(),
            };
            write_atomic(&args.out, |w| {
                render::html::write_preview(w, &entries, &display, &opts)
            })
        }
    }
}

/// The recording's multivariant (or first media) playlist, relative to its prefix.
async fn default_video(input: &InputArgs) -> Result<String> {
    let rec = input.timeline.recording.as_deref().ok_or_else(|| {
        ReplayError::Usage("preview: give --video, or --recording to play its HLS".to_owned())
    })?;
    let rec = Location::parse(rec)?;
    let store = Store::for_locations(&[&rec]).await;
    let (meta, _) = replay::load::load_meta(&store, &rec).await?;
    meta.master_playlist_path()
        .or_else(|| {
            meta.pick_rendition(None)
                .ok()
                .flatten()
                .map(|r| meta.media_playlist_path(r))
        })
        .ok_or_else(|| {
            ReplayError::Usage("preview: the recording names no playlist; give --video".to_owned())
        })
}

fn timeline_request(args: &TimelineArgs) -> Result<TimelineRequest> {
    Ok(TimelineRequest {
        recording: args.recording.as_deref().map(Location::parse).transpose()?,
        mode: match args.timeline {
            ModeArg::Auto => TimelineMode::Auto,
            ModeArg::Playlist => TimelineMode::Playlist,
            ModeArg::Metadata => TimelineMode::Metadata,
        },
        start: args.start.as_deref().map(parse_start).transpose()?,
        rendition: args.rendition.clone(),
        gap_tolerance_ms: args.gap_tolerance_ms,
    })
}

/// Loads inputs, aligns, prints the summary. Returns entries, video length and display options.
async fn prepare(
    input: &InputArgs,
    subtitles: Option<(u64, usize)>,
) -> Result<(Vec<Entry>, Option<u64>, DisplayOptions)> {
    let req = timeline_request(&input.timeline)?;
    let chat: Vec<Location> = input
        .chat
        .iter()
        .map(|c| Location::parse(c))
        .collect::<Result<_>>()?;
    let mut all: Vec<&Location> = chat.iter().collect();
    all.extend(req.recording.iter());
    let store = Store::for_locations(&all).await;
    let (timeline, info) = load_timeline(&store, &req).await?;
    let started = std::time::Instant::now();
    let parsed = load_chat(&store, &chat).await?;
    stage("read+parse", started);
    let rejected = parsed.rejected.summary();
    for e in parsed.rejected.listed() {
        eprintln!("replay: rejected record: {e}");
    }
    if rejected.total > rejected.listed {
        eprintln!(
            "replay: {} more rejected record(s) not listed; all {} by reason: {}",
            rejected.total - rejected.listed,
            rejected.total,
            serde_json::json!(rejected.by_reason)
        );
    }
    if rejected.total > 0 && !input.allow_bad_records {
        return Err(ReplayError::Usage(format!(
            "{} chat record(s) could not be read (first ones listed above); fix them or pass --allow-bad-records",
            rejected.total
        )));
    }
    let opts = AlignOptions {
        latency_ms: input.latency_ms,
        gap_policy: match input.gap {
            GapArg::Drop => GapPolicy::Drop,
            GapArg::Pin => GapPolicy::Pin,
        },
        deleted: match input.deleted {
            DeletedArg::Remove => DeletedPolicy::Remove,
            DeletedArg::Mark => DeletedPolicy::Mark,
        },
        include_disconnects: input.include_disconnects,
        include_custom_events: input.include_events,
        rooms: input.room.clone(),
        require_sender: input.require_sender_attr.clone(),
        exclude_sender: input.exclude_sender_attr.clone(),
    };
    let started = std::time::Instant::now();
    let (entries, stats) = align(parsed.records, &timeline, &opts);
    stage("align", started);
    for w in &info.warnings {
        eprintln!("replay: warning: {w}");
    }
    eprintln!(
        "{}",
        serde_json::json!({"timeline": info, "rejected": rejected, "alignment": stats})
    );
    let mut display = DisplayOptions {
        clip_to_ms: info.duration_ms,
        ..DisplayOptions::default()
    };
    if let Some((on_screen_ms, max_lines)) = subtitles {
        display.on_screen_ms = on_screen_ms;
        display.max_lines = max_lines;
    }
    if !input.name_attr.is_empty() {
        display.name_attributes = input.name_attr.clone();
    }
    Ok((entries, info.duration_ms, display))
}

/// With `REPLAY_TIMINGS` set, prints how long a stage took to stderr (for profiling),
/// and the peak memory so far where the OS tells it (Linux `VmHWM`).
fn stage(name: &str, started: std::time::Instant) {
    if std::env::var_os("REPLAY_TIMINGS").is_some() {
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .map(|v| format!(" (peak memory so far {})", v.trim()))
            })
            .unwrap_or_default();
        eprintln!(
            "replay: timing: {name}: {:.3} s{peak}",
            started.elapsed().as_secs_f64()
        );
    }
}
