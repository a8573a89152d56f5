//! The shell's input side: every source (file, directory tree, `s3://` prefix) read with
//! replay's readers (our Parquet and NDJSON tables, raw IVS logs, gzip or not) into a
//! [`History`], with what each source yielded and every record that could not be read.

use replay::input::{
    parse_chat, parse_chat_ranges, room_from_key, Parsed, RejectReason, CHUNK_BYTES,
};
use replay::source::{Location, Store};
use replay::ReplayError;
use rules::backtest::report::{SourceRead, Unread, UnreadRecord};
use rules::backtest::{History, Inputs};

use crate::convert::{add, Kind};
use crate::BacktestError;

/// Reads every source in order. A location that does not exist or lists no files stops
/// the run; a source that fails part-way (corrupt Parquet, truncated gzip, an S3 read
/// error) is named with what was read before it, and the rest is read.
pub async fn read_all(
    store: &Store,
    inputs: &[Location],
) -> Result<(History, Inputs), BacktestError> {
    let mut history = History::default();
    let mut read = Inputs::default();
    for input in inputs {
        let files = store.list(input).await?;
        if files.is_empty() {
            return Err(ReplayError::NotFound {
                source_name: input.display(),
                what: "chat log or table files".to_owned(),
            }
            .into());
        }
        for f in files {
            let name = f.display();
            let room = room_from_key(&name);
            let parsed = match &f {
                Location::Local(p) => {
                    let len = std::fs::metadata(p)
                        .map_err(|e| ReplayError::io(p, e))?
                        .len();
                    let open = || std::fs::File::open(p);
                    parse_chat_ranges(&name, open, len, room.as_deref(), CHUNK_BYTES)
                }
                Location::S3 { .. } => match store.read_required(&f, "chat log file").await {
                    Ok(bytes) => parse_chat(&name, &bytes, room.as_deref()),
                    Err(e) => {
                        read.absorb(failed_source(&name, &e));
                        continue;
                    }
                },
            };
            read.absorb(source(&name, parsed, &mut history));
        }
    }
    Ok((history, read))
}

/// A source that could not be read at all.
fn failed_source(name: &str, e: &ReplayError) -> Inputs {
    Inputs {
        sources: vec![SourceRead {
            source: name.to_owned(),
            records: 0,
            unread: 1,
            failed: Some(e.to_string()),
        }],
        sources_total: 1,
        unread: Unread {
            total: 1,
            by_reason: [(reason_name(RejectReason::Unreadable), 1)].into(),
            listed: vec![UnreadRecord {
                source: name.to_owned(),
                line: 0,
                message: e.to_string(),
            }],
        },
        ..Inputs::default()
    }
}

/// replay's name of a reason (its serde name: `invalid_json`, `unreadable` ...).
fn reason_name(r: RejectReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{r:?}"))
}

/// Where replay's error is: its source and line (row, for Parquet; 0 for the whole
/// source), and the message without that prefix.
fn locate(e: &ReplayError, fallback: &str) -> UnreadRecord {
    let (source, line) = match e {
        ReplayError::Json {
            source_name, line, ..
        }
        | ReplayError::Field {
            source_name, line, ..
        }
        | ReplayError::Record {
            source_name, line, ..
        }
        | ReplayError::Playlist {
            source_name, line, ..
        } => (source_name.clone(), *line),
        ReplayError::NotFound { source_name, .. } | ReplayError::Limit { source_name, .. } => {
            (source_name.clone(), 0)
        }
        _ => (fallback.to_owned(), 0),
    };
    let text = e.to_string();
    let message = text
        .strip_prefix(&format!("{source}:{line}: "))
        .or_else(|| text.strip_prefix(&format!("{source}: ")))
        .unwrap_or(&text)
        .to_owned();
    UnreadRecord {
        source,
        line: line as u64,
        message,
    }
}

/// What one source yielded; its records go into `history`.
fn source(name: &str, parsed: Parsed, history: &mut History) -> Inputs {
    let Parsed { records, rejected } = parsed;
    let mut out = Inputs {
        sources_total: 1,
        ..Inputs::default()
    };
    let records_read = records.len() as u64;
    for r in records {
        match add(history, *r) {
            Kind::Message => out.messages += 1,
            Kind::Moderation => out.moderator_events += 1,
            Kind::Other => out.other_records += 1,
        }
    }
    let by_reason = rejected.by_reason();
    let stopped = [RejectReason::Unreadable, RejectReason::DecompressionLimit]
        .iter()
        .any(|r| by_reason.get(r).is_some_and(|n| *n > 0));
    let listed: Vec<UnreadRecord> = rejected.listed().map(|e| locate(e, name)).collect();
    let failed = stopped
        .then(|| {
            listed
                .iter()
                .rev()
                .find(|u| u.line == 0)
                .map(|u| u.message.clone())
        })
        .flatten();
    out.unread = Unread {
        total: rejected.total() as u64,
        by_reason: by_reason
            .iter()
            .map(|(r, n)| (reason_name(*r), *n as u64))
            .collect(),
        listed: Vec::new(),
    };
    out.unread.listed = listed;
    out.unread
        .listed
        .truncate(rules::backtest::report::MAX_LISTED_UNREAD);
    out.sources.push(SourceRead {
        source: name.to_owned(),
        records: records_read,
        unread: rejected.total() as u64,
        failed,
    });
    out
}
