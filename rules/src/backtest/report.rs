//! The backtest report: what a pack would have done to a stretch of chat, as counts
//! that add (so partition reports merge exactly, see `merge.rs`) and capped samples.
//! Serialised as the JSON report (`--json`), versioned by [`FORMAT_VERSION`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::agreement::Agreement;
use super::diff::Diff;
use crate::action::{Action, Verdict};

/// Version of the JSON report format; `rules backtest merge` refuses other versions.
pub const FORMAT_VERSION: u32 = 1;

/// Default number of samples kept per list (per rule, per agreement list).
pub const DEFAULT_MAX_SAMPLES: usize = 5;

/// The most samples a list may keep (`--samples` above this is an error): a report is
/// read back whole by `merge`, so it must stay small.
pub const MAX_SAMPLES: usize = 1000;

/// Sources listed by name in [`Inputs::sources`]; more are only counted
/// ([`Inputs::sources_total`]), except sources that failed part-way, which are always listed.
pub const MAX_LISTED_SOURCES: usize = 10_000;

/// Unreadable records listed with their source and line ([`Unread::listed`]); all are
/// counted by reason.
pub const MAX_LISTED_UNREAD: usize = 100;

/// Messages by what the pack would have done with them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Messages evaluated.
    pub messages: u64,
    /// Denied.
    pub deny: u64,
    /// Delivered with the content changed (masked, replaced, truncated).
    pub rewrite: u64,
    /// Delivered unchanged with attributes (tags, rule ids) added.
    pub tag: u64,
    /// Delivered as sent.
    pub allow: u64,
}

impl Counts {
    /// Counts one message with this verdict.
    pub fn add(&mut self, v: Verdict) {
        self.messages += 1;
        match v {
            Verdict::Deny => self.deny += 1,
            Verdict::Rewrite => self.rewrite += 1,
            Verdict::Tag => self.tag += 1,
            Verdict::Allow => self.allow += 1,
        }
    }

    /// Adds another count.
    pub fn absorb(&mut self, o: &Counts) {
        self.messages += o.messages;
        self.deny += o.deny;
        self.rewrite += o.rewrite;
        self.tag += o.tag;
        self.allow += o.allow;
    }

    /// The count of one verdict.
    pub fn of(&self, v: Verdict) -> u64 {
        match v {
            Verdict::Deny => self.deny,
            Verdict::Rewrite => self.rewrite,
            Verdict::Tag => self.tag,
            Verdict::Allow => self.allow,
        }
    }
}

/// One example message. Ordered by time first: lists keep the earliest ones, so the
/// samples of a merged report are the samples of the whole run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Sample {
    /// Send time, ns since the Unix epoch.
    pub send_time_ns: i64,
    /// Room (id or ARN as read).
    pub room: String,
    /// IVS message id.
    pub message_id: String,
    /// The rule the sample is for (rule samples), or the rules that decided.
    pub rules: Vec<String>,
    /// What the pack would have done.
    pub verdict: Verdict,
    /// The message text, only with `--reveal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The delivered text when it differs from `content` (rewrites), only with `--reveal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<String>,
}

/// What one rule did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStats {
    /// The rule's action.
    pub action: Action,
    /// Its category, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Shadow rule: evaluated and counted, not enforced.
    pub shadow: bool,
    /// The messages it fired on, by what then happened to them.
    pub fired: Counts,
    /// The earliest messages it fired on.
    pub samples: Vec<Sample>,
}

/// Which pack a report evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackInfo {
    /// As given on the command line (path or `bundled`).
    pub label: String,
    /// The names of its packs, default first.
    pub packs: Vec<String>,
}

/// One input source (file or object) and what was read from it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceRead {
    /// Path or `s3://` URL.
    pub source: String,
    /// Records read (messages and events).
    pub records: u64,
    /// Records that could not be read.
    pub unread: u64,
    /// When the source could not be read to its end: why (the records before were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnreadRecord {
    /// Path or `s3://` URL.
    pub source: String,
    /// Line (NDJSON, logs) or row (Parquet), from 1; 0 for the whole source.
    pub line: u64,
    /// What was wrong and what was expected.
    pub message: String,
}

/// The records that could not be read: all counted, the first listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    /// Every unreadable record (and source that failed part-way).
    pub total: u64,
    /// By reason (the reader's names: `invalid_json`, `missing_field`, `unreadable` ...).
    pub by_reason: BTreeMap<String, u64>,
    /// The first [`MAX_LISTED_UNREAD`], in source order.
    pub listed: Vec<UnreadRecord>,
}

/// What was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// Sources, in the order read (at most [`MAX_LISTED_SOURCES`] plus the failed ones).
    pub sources: Vec<SourceRead>,
    /// Every source read.
    pub sources_total: u64,
    /// Messages read (= messages evaluated).
    pub messages: u64,
    /// Moderator events read (`aws:DELETE_MESSAGE`, `aws:DISCONNECT_USER`).
    pub moderator_events: u64,
    /// Other records read (custom events ...), not evaluated.
    pub other_records: u64,
    /// Records that could not be read.
    pub unread: Unread,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The pack evaluated.
    pub pack: PackInfo,
    /// The pack compared against (`--against`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<PackInfo>,
    /// Samples carry the message text.
    pub reveal: bool,
    /// Samples kept per list.
    pub max_samples: usize,
    /// What was read.
    pub inputs: Inputs,
    /// Earliest message, ns since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_ns: Option<i64>,
    /// Latest message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ns: Option<i64>,
    /// Every message by verdict.
    pub totals: Counts,
    /// Per rule id (enforced and shadow), the messages it fired on.
    pub rules: BTreeMap<String, RuleStats>,
    /// Per category of the enforced rules that fired (a message counts once per
    /// category).
    pub categories: BTreeMap<String, Counts>,
    /// Per room.
    pub rooms: BTreeMap<String, Counts>,
    /// Per hour (UTC, `2023-01-05T14:00Z`).
    pub hours: BTreeMap<String, Counts>,
    /// The differences against `against`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
    /// Agreement with the human moderators.
    pub agreement: Agreement,
}

/// Keeps the `cap` smallest items of `v` (sorted).
pub(crate) fn keep_earliest<T: Ord>(v: &mut Vec<T>, cap: usize) {
    v.sort_unstable();
    v.truncate(cap);
}

/// Offers an item to a list that keeps its `cap` smallest items (sorted, at most
/// `cap`): `smaller_than` says whether the item sorts before a listed one, and `make`
/// builds it only when it gets in.
pub(crate) fn offer<T: Ord>(
    v: &mut Vec<T>,
    cap: usize,
    smaller_than: impl Fn(&T) -> bool,
    make: impl FnOnce() -> T,
) {
    if cap == 0 || (v.len() >= cap && !v.last().is_some_and(smaller_than)) {
        return;
    }
    let item = make();
    let at = v.partition_point(|x| x <= &item);
    v.insert(at, item);
    v.truncate(cap);
}

/// The hour key of a time: `YYYY-MM-DDTHH:00Z` (UTC); sorts as text.
pub fn hour_key(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    match time::OffsetDateTime::from_unix_timestamp(secs - secs.rem_euclid(3600)) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:00Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour()
        ),
        Err(_) => "(out of range)".into(),
    }
}

/// RFC 3339 in UTC with millisecond precision, for people (HTML, summary).
pub fn format_time(ns: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns)) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        Err(_) => ns.to_string(),
    }
}

impl Report {
    /// An empty report for `pack` (and `against`).
    pub fn new(
        pack: PackInfo,
        against: Option<PackInfo>,
        reveal: bool,
        max_samples: usize,
    ) -> Report {
        let diff = against.as_ref().map(|_| Diff::default());
        Report {
            format_version: FORMAT_VERSION,
            pack,
            against,
            reveal,
            max_samples,
            inputs: Inputs::default(),
            first_ns: None,
            last_ns: None,
            totals: Counts::default(),
            rules: BTreeMap::new(),
            categories: BTreeMap::new(),
            rooms: BTreeMap::new(),
            hours: BTreeMap::new(),
            diff,
            agreement: Agreement::default(),
        }
    }

    /// The short summary printed on stdout.
    pub fn summary(&self) -> String {
        let i = &self.inputs;
        let t = &self.totals;
        let mut s = format!(
            "backtest of {} ({}): evaluated {} messages ({} moderator events) from {} source(s); {} record(s) could not be read",
            self.pack.label,
            self.pack.packs.join(", "),
            t.messages,
            i.moderator_events,
            i.sources_total,
            i.unread.total
        );
        if !i.unread.by_reason.is_empty() {
            let by: Vec<String> = i
                .unread
                .by_reason
                .iter()
                .map(|(r, n)| format!("{r} {n}"))
                .collect();
            s.push_str(&format!(" ({})", by.join(", ")));
        }
        s.push('\n');
        for src in i.sources.iter().filter(|s| s.failed.is_some()) {
            s.push_str(&format!(
                "  source {} failed after {} record(s): {}\n",
                src.source,
                src.records,
                src.failed.as_deref().unwrap_or("")
            ));
        }
        s.push_str(&format!(
            "  would deny {}, rewrite {}, tag {}, allow {}\n",
            t.deny, t.rewrite, t.tag, t.allow
        ));
        let mut top: Vec<(&String, &RuleStats)> = self
            .rules
            .iter()
            .filter(|(_, r)| r.fired.messages > 0)
            .collect();
        top.sort_by(|a, b| {
            b.1.fired
                .messages
                .cmp(&a.1.fired.messages)
                .then(a.0.cmp(b.0))
        });
        for (id, r) in top.iter().take(5) {
            s.push_str(&format!(
                "  rule {id}{} ({}): fired on {} message(s)\n",
                if r.shadow { " [shadow]" } else { "" },
                r.action,
                r.fired.messages
            ));
        }
        if let (Some(d), Some(a)) = (&self.diff, &self.against) {
            s.push_str(&format!(
                "  against {}: {} newly blocked, {} newly passing, {} rewrite(s) changed\n",
                a.label, d.newly_blocked, d.newly_passing, d.changed_rewrite
            ));
        }
        let g = &self.agreement;
        s.push_str(&format!(
            "  moderators deleted {} message(s): the pack would deny {}, rewrite {}; disconnected {} user(s): the pack would deny messages of {}; of {} message(s) that stayed it would deny {}\n",
            g.deleted, g.deleted_denied, g.deleted_rewritten, g.disconnected_users, g.disconnected_caught, g.stayed, g.stayed_denied
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_keys_sort_as_time() {
        assert_eq!(hour_key(1_672_929_212_894_089_757), "2023-01-05T14:00Z");
        assert_eq!(hour_key(-1), "1969-12-31T23:00Z");
        assert_eq!(
            format_time(1_672_929_212_894_089_757),
            "2023-01-05T14:33:32.894Z"
        );
    }

    #[test]
    fn capped_lists_keep_the_smallest() {
        let mut v = Vec::new();
        for i in [5, 9, 1, 7, 0, 8, 2, 6] {
            offer(&mut v, 3, |x| i < *x, || i);
        }
        assert_eq!(v, [0, 1, 2]);
        let mut none = Vec::new();
        offer(&mut none, 0, |_| true, || 1);
        assert!(none.is_empty());
        let mut w = vec![4, 1, 3];
        keep_earliest(&mut w, 2);
        assert_eq!(w, [1, 3]);
    }
}
