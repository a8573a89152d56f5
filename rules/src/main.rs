//! `rules` CLI: check, test and evaluate rule packs. Thin shell over the library.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rules::state::{time_of, MemoryStore, Millis};
use rules::{cases, lint, quality, Engine, PackSet, ReviewRequest};

/// Default word list for collision warnings (Debian package `wamerican`).
const SYSTEM_WORDS: &str = "/usr/share/dict/words";

#[derive(Parser)]
#[command(
    name = "rules",
    version,
    about = "Check, test and evaluate IVS Chat rule packs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a pack; warn on terms that occur inside common English words.
    Check {
        /// Pack file (TOML).
        pack: PathBuf,
        /// Word list for collision warnings (default: /usr/share/dict/words if present).
        #[arg(long)]
        words: Option<PathBuf>,
        /// Exit non-zero on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Run regression cases (JSON lines); exits non-zero on any mismatch.
    Test {
        /// Pack file (TOML).
        pack: PathBuf,
        /// Cases file, one JSON object per line.
        cases: PathBuf,
    },
    /// IVS review requests as JSON lines on stdin -> IVS responses on stdout. Stateful
    /// rules use one in-memory store for the run, requests in input order; a request's
    /// time is its optional top-level `Time` (RFC 3339 or epoch ms), else the clock.
    Eval {
        /// Pack file (TOML), or `bundled` for the built-in default pack.
        pack: PathBuf,
        /// Also print the fired rules and summary action to stderr.
        #[arg(long)]
        explain: bool,
        /// Force the rule-ids attribute on (`true`) or off (`false`) in every pack, as
        /// the review handler's DECISION_ATTRIBUTES does; default: each pack's setting.
        #[arg(long, value_name = "BOOL")]
        rule_ids: Option<bool>,
    },
    /// Recall, false-alarm rate and precision of a pack on a labelled JSON-lines set
    /// (`{"text", "label"[, "category", "lang"]}`), overall, per category and language.
    EvalQuality {
        /// Pack file (TOML), or `bundled` for the built-in default pack.
        pack: PathBuf,
        /// Labelled set, one JSON object per line (label 1 = should be acted on).
        labelled: PathBuf,
        /// List at most this many misses and false alarms each.
        #[arg(long, default_value_t = 200)]
        max_list: usize,
    },
}

fn load(pack: &Path) -> Result<(PackSet, Engine), String> {
    let set = if pack == Path::new("bundled") {
        PackSet::bundled_default()
    } else {
        PackSet::load(pack).map_err(|e| format!("error: {e}"))?
    };
    let engine = Engine::compile(&set).map_err(|e| format!("error: {e}"))?;
    Ok((set, engine))
}

fn check(pack: &Path, words: Option<PathBuf>, deny_warnings: bool) -> Result<ExitCode, String> {
    let (set, engine) = load(pack)?;
    if engine.is_stateful() {
        eprintln!(
            "note: the pack has stateful rules: the review handler needs its store (STATE_TABLE)"
        );
    }
    let dict_path = words.or_else(|| {
        Path::new(SYSTEM_WORDS)
            .exists()
            .then(|| PathBuf::from(SYSTEM_WORDS))
    });
    let mut warnings = 0usize;
    match dict_path {
        Some(p) => {
            let dict = std::fs::read_to_string(&p).map_err(|e| format!("error: {}: {e}", p.display()))?;
            for c in lint::dictionary_collisions(&set, &dict, usize::MAX) {
                warnings += 1;
                eprintln!(
                    "warning: {}: term `{}` would hit dictionary words: {} (add allow phrases or use whole-word matching)",
                    c.at,
                    c.term,
                    c.words.join(", ")
                );
            }
        }
        None => eprintln!("note: no word list ({SYSTEM_WORDS} missing, install `wamerican` or pass --words): collision check skipped"),
    }
    println!(
        "{}: ok ({} pack(s): {}), {warnings} warning(s)",
        pack.display(),
        set.pack_names().len(),
        set.pack_names().join(", ")
    );
    Ok(if deny_warnings && warnings > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn test(pack: &Path, cases_path: &Path) -> Result<ExitCode, String> {
    let (_, engine) = load(pack)?;
    let text = std::fs::read_to_string(cases_path)
        .map_err(|e| format!("error: {}: {e}", cases_path.display()))?;
    let (mut passed, mut failed) = (0usize, 0usize);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let at = format!("{}:{}", cases_path.display(), i + 1);
        match cases::parse_case(line) {
            Err(e) => {
                failed += 1;
                eprintln!("FAIL {at}: bad case: {e}");
            }
            Ok(case) => match case.check(&engine) {
                Ok(_) => passed += 1,
                Err(problems) => {
                    failed += 1;
                    eprintln!("FAIL {at}: {}", problems.join("; "));
                }
            },
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn eval(pack: &Path, explain: bool, rule_ids: Option<bool>) -> Result<ExitCode, String> {
    let (_, mut engine) = load(pack)?;
    if let Some(on) = rule_ids {
        engine.set_expose_rule_ids(on);
    }
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut store = MemoryStore::new();
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line.map_err(|e| format!("error: stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let value =
            serde_json::from_str::<serde_json::Value>(&line).unwrap_or(serde_json::Value::Null);
        let now = match time_of(&value) {
            Ok(at) => at.unwrap_or_else(clock),
            Err(e) => {
                // A bad time: like any malformed request, the fail decision.
                eprintln!(
                    "warning: stdin line {}: {e}; answering the fail decision",
                    i + 1
                );
                let fail = engine.fail_response(ReviewRequest::salvage(&value).as_ref());
                let json = serde_json::to_string(&fail).map_err(|e| format!("error: {e}"))?;
                writeln!(out, "{json}").map_err(|e| format!("error: stdout: {e}"))?;
                continue;
            }
        };
        let reviewed = engine.review_value_with(&value, now, &mut store);
        let response = match reviewed {
            Ok(ev) => {
                if explain {
                    let ids: Vec<String> = ev
                        .fired
                        .iter()
                        .map(|f| {
                            if f.shadow {
                                format!("{}(shadow)", f.id)
                            } else {
                                f.id.clone()
                            }
                        })
                        .collect();
                    eprintln!(
                        "line {}: {} pack={} fired=[{}]",
                        i + 1,
                        ev.action,
                        ev.pack,
                        ids.join(",")
                    );
                }
                ev.response
            }
            Err(fail) => {
                eprintln!(
                    "warning: stdin line {}: malformed request; answering the fail decision",
                    i + 1
                );
                fail
            }
        };
        let json = serde_json::to_string(&response).map_err(|e| format!("error: {e}"))?;
        writeln!(out, "{json}").map_err(|e| format!("error: stdout: {e}"))?;
    }
    out.flush().map_err(|e| format!("error: stdout: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Now, in epoch milliseconds: the one clock read (the library takes `now`).
fn clock() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| {
            Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX)
        })
}

fn eval_quality(pack: &Path, labelled: &Path, max_list: usize) -> Result<ExitCode, String> {
    let (_, engine) = load(pack)?;
    let text = std::fs::read_to_string(labelled)
        .map_err(|e| format!("error: {}: {e}", labelled.display()))?;
    let set = quality::parse_labelled(&text, &labelled.display().to_string())
        .map_err(|e| format!("error: {e}"))?;
    print!("{}", quality::evaluate(&engine, &set).display(max_list));
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            pack,
            words,
            deny_warnings,
        } => check(&pack, words, deny_warnings),
        Command::Test { pack, cases } => test(&pack, &cases),
        Command::Eval {
            pack,
            explain,
            rule_ids,
        } => eval(&pack, explain, rule_ids),
        Command::EvalQuality {
            pack,
            labelled,
            max_list,
        } => eval_quality(&pack, &labelled, max_list),
    };
    result.unwrap_or_else(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}
