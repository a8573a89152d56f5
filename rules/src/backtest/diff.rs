//! `--against`: the decisions that change between the pack in production (the
//! baseline) and the candidate pack, per message and counted by the rule responsible.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::action::{Action, Verdict};
use crate::engine::{Evaluation, FiredRule};
use crate::ivs::ReviewResult;

/// Changes listed in [`Diff::changes`] by default (the earliest); all are counted.
pub const DEFAULT_MAX_CHANGES: usize = 1000;

/// The key changes are counted under when no rule decided (a response rule did: too
/// long, empty after masking, attributes over 1 KB).
pub const RESPONSE_RULE: &str = "(response rule)";

/// How a message's decision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Delivered by the baseline, denied by the candidate.
    NewlyBlocked,
    /// Denied by the baseline, delivered by the candidate.
    NewlyPassing,
    /// Delivered by both, with different content (a mask or replacement changed).
    ChangedRewrite,
}

impl ChangeKind {
    /// Every kind.
    pub const ALL: [ChangeKind; 3] = [
        ChangeKind::NewlyBlocked,
        ChangeKind::NewlyPassing,
        ChangeKind::ChangedRewrite,
    ];

    /// Its serde name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChangeKind::NewlyBlocked => "newly_blocked",
            ChangeKind::NewlyPassing => "newly_passing",
            ChangeKind::ChangedRewrite => "changed_rewrite",
        }
    }
}

/// Changes by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffCounts {
    /// [`ChangeKind::NewlyBlocked`].
    pub newly_blocked: u64,
    /// [`ChangeKind::NewlyPassing`].
    pub newly_passing: u64,
    /// [`ChangeKind::ChangedRewrite`].
    pub changed_rewrite: u64,
}

impl DiffCounts {
    /// Counts one change.
    pub fn add(&mut self, k: ChangeKind) {
        match k {
            ChangeKind::NewlyBlocked => self.newly_blocked += 1,
            ChangeKind::NewlyPassing => self.newly_passing += 1,
            ChangeKind::ChangedRewrite => self.changed_rewrite += 1,
        }
    }

    /// Adds another count.
    pub fn absorb(&mut self, o: &DiffCounts) {
        self.newly_blocked += o.newly_blocked;
        self.newly_passing += o.newly_passing;
        self.changed_rewrite += o.changed_rewrite;
    }

    /// The count of one kind.
    pub fn of(&self, k: ChangeKind) -> u64 {
        match k {
            ChangeKind::NewlyBlocked => self.newly_blocked,
            ChangeKind::NewlyPassing => self.newly_passing,
            ChangeKind::ChangedRewrite => self.changed_rewrite,
        }
    }
}

/// One changed decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Change {
    /// Send time, ns since the Unix epoch.
    pub send_time_ns: i64,
    /// Room.
    pub room: String,
    /// IVS message id.
    pub message_id: String,
    /// How it changed.
    pub kind: ChangeKind,
    /// The baseline's verdict.
    pub before: Verdict,
    /// The candidate's verdict.
    pub after: Verdict,
    /// The rules responsible (see [`responsible`]).
    pub rules: Vec<String>,
    /// The message text, only with `--reveal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// What the baseline delivered (rewrites), only with `--reveal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_content: Option<String>,
    /// What the candidate delivered (rewrites), only with `--reveal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_content: Option<String>,
}

/// The differences.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    /// Delivered before, denied now.
    pub newly_blocked: u64,
    /// Denied before, delivered now.
    pub newly_passing: u64,
    /// Delivered by both with different content.
    pub changed_rewrite: u64,
    /// Per responsible rule id (or [`RESPONSE_RULE`]).
    pub by_rule: BTreeMap<String, DiffCounts>,
    /// The earliest changes (at most the report's `max_changes`).
    pub changes: Vec<Change>,
    /// How many changes [`Diff::changes`] keeps.
    pub max_changes: usize,
}

impl Diff {
    /// Counts one change under its rules.
    pub(crate) fn count(&mut self, kind: ChangeKind, rules: &[String]) {
        match kind {
            ChangeKind::NewlyBlocked => self.newly_blocked += 1,
            ChangeKind::NewlyPassing => self.newly_passing += 1,
            ChangeKind::ChangedRewrite => self.changed_rewrite += 1,
        }
        if rules.is_empty() {
            self.by_rule
                .entry(RESPONSE_RULE.to_string())
                .or_default()
                .add(kind);
        }
        for r in rules {
            match self.by_rule.get_mut(r) {
                Some(c) => c.add(kind),
                None => self.by_rule.entry(r.clone()).or_default().add(kind),
            }
        }
    }

    /// The counts by kind.
    pub fn counts(&self) -> DiffCounts {
        DiffCounts {
            newly_blocked: self.newly_blocked,
            newly_passing: self.newly_passing,
            changed_rewrite: self.changed_rewrite,
        }
    }
}

/// How the decision changed from `before` (baseline) to `after` (candidate); `None`
/// when it did not (tag-only differences are not changes).
pub fn classify(before: &Evaluation, after: &Evaluation) -> Option<ChangeKind> {
    let (b, a) = (&before.response, &after.response);
    match (b.review_result, a.review_result) {
        (ReviewResult::Allow, ReviewResult::Deny) => Some(ChangeKind::NewlyBlocked),
        (ReviewResult::Deny, ReviewResult::Allow) => Some(ChangeKind::NewlyPassing),
        (ReviewResult::Allow, ReviewResult::Allow) if b.content != a.content => {
            Some(ChangeKind::ChangedRewrite)
        }
        _ => None,
    }
}

/// The rules responsible for a change, sorted: newly blocked, the candidate's enforced
/// rules that fired; newly passing, the baseline's (what used to block); a changed
/// rewrite, the mask and replace rules that fired in either.
pub fn responsible(kind: ChangeKind, before: &Evaluation, after: &Evaluation) -> Vec<String> {
    let enforced = |e: &Evaluation, only_rewrites: bool| -> Vec<String> {
        e.fired
            .iter()
            .filter(|f: &&FiredRule| !f.shadow)
            .filter(|f| !only_rewrites || matches!(f.action, Action::Mask | Action::Replace))
            .map(|f| f.id.clone())
            .collect()
    };
    let mut ids = match kind {
        ChangeKind::NewlyBlocked => enforced(after, false),
        ChangeKind::NewlyPassing => enforced(before, false),
        ChangeKind::ChangedRewrite => {
            let mut v = enforced(after, true);
            v.extend(enforced(before, true));
            v
        }
    };
    ids.sort_unstable();
    ids.dedup();
    ids
}
