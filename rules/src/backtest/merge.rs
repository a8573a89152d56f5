//! `rules backtest merge`: the reports of partitions (one `rules backtest` per
//! `room=/date=` prefix) into the report of the whole. Counts add; sample and change
//! lists keep the earliest (so they are the whole run's); inputs are listed in the
//! order the reports are given.

use std::collections::BTreeMap;

use super::agreement::Agreement;
use super::report::{keep_earliest, Counts, Inputs, Report, MAX_LISTED_SOURCES, MAX_LISTED_UNREAD};
use crate::RulesError;

fn add_all(into: &mut BTreeMap<String, Counts>, from: BTreeMap<String, Counts>) {
    for (k, c) in from {
        into.entry(k).or_default().absorb(&c);
    }
}

impl Agreement {
    fn absorb(&mut self, o: Agreement) {
        self.deleted += o.deleted;
        self.deleted_denied += o.deleted_denied;
        self.deleted_rewritten += o.deleted_rewritten;
        self.unmatched_deletes += o.unmatched_deletes;
        self.disconnected_users += o.disconnected_users;
        self.disconnected_caught += o.disconnected_caught;
        self.disconnected_without_messages += o.disconnected_without_messages;
        self.stayed += o.stayed;
        self.stayed_denied += o.stayed_denied;
        self.stayed_rewritten += o.stayed_rewritten;
        self.missed.extend(o.missed);
        self.stayed_blocked.extend(o.stayed_blocked);
    }
}

impl Inputs {
    /// Adds what another source (or partition) read: counts add, the listed sources and
    /// unreadable records stay within their caps.
    pub fn absorb(&mut self, o: Inputs) {
        self.sources_total += o.sources_total;
        self.messages += o.messages;
        self.moderator_events += o.moderator_events;
        self.other_records += o.other_records;
        for s in o.sources {
            if self.sources.len() < MAX_LISTED_SOURCES || s.failed.is_some() {
                self.sources.push(s);
            }
        }
        let u = &mut self.unread;
        u.total += o.unread.total;
        for (r, n) in o.unread.by_reason {
            *u.by_reason.entry(r).or_default() += n;
        }
        u.listed.extend(o.unread.listed);
        u.listed.truncate(MAX_LISTED_UNREAD);
    }
}

impl Report {
    /// Adds the evaluation figures of `o` (not its inputs); lists are compacted by
    /// [`Report::compact`].
    pub(crate) fn absorb_counts(&mut self, o: Report) {
        self.totals.absorb(&o.totals);
        self.first_ns = [self.first_ns, o.first_ns].into_iter().flatten().min();
        self.last_ns = [self.last_ns, o.last_ns].into_iter().flatten().max();
        for (id, s) in o.rules {
            match self.rules.get_mut(&id) {
                Some(mine) => {
                    mine.fired.absorb(&s.fired);
                    mine.samples.extend(s.samples);
                }
                None => {
                    self.rules.insert(id, s);
                }
            }
        }
        add_all(&mut self.categories, o.categories);
        add_all(&mut self.rooms, o.rooms);
        add_all(&mut self.hours, o.hours);
        if let (Some(d), Some(od)) = (&mut self.diff, o.diff) {
            d.newly_blocked += od.newly_blocked;
            d.newly_passing += od.newly_passing;
            d.changed_rewrite += od.changed_rewrite;
            for (id, c) in od.by_rule {
                d.by_rule.entry(id).or_default().absorb(&c);
            }
            d.changes.extend(od.changes);
        }
        self.agreement.absorb(o.agreement);
    }

    /// Sorts every list and cuts it to its cap.
    pub(crate) fn compact(&mut self) {
        let cap = self.max_samples;
        for s in self.rules.values_mut() {
            keep_earliest(&mut s.samples, cap);
        }
        keep_earliest(&mut self.agreement.missed, cap);
        keep_earliest(&mut self.agreement.stayed_blocked, cap);
        if let Some(d) = &mut self.diff {
            let max = d.max_changes;
            keep_earliest(&mut d.changes, max);
        }
    }

    /// Merges the report of another partition of the same backtest (same format, packs,
    /// `--reveal`, sample and change caps) into this one.
    pub fn merge(&mut self, mut o: Report) -> Result<(), RulesError> {
        let mismatch = |what: &str, a: String, b: String| {
            Err(RulesError::Backtest(format!(
                "cannot merge reports of different backtests: {what} is {a} in one and {b} in another"
            )))
        };
        if o.format_version != self.format_version {
            return mismatch(
                "format_version",
                self.format_version.to_string(),
                o.format_version.to_string(),
            );
        }
        if o.pack != self.pack {
            return mismatch("pack", format!("{:?}", self.pack), format!("{:?}", o.pack));
        }
        if o.against != self.against {
            return mismatch(
                "against",
                format!("{:?}", self.against),
                format!("{:?}", o.against),
            );
        }
        if (o.reveal, o.max_samples) != (self.reveal, self.max_samples) {
            return mismatch(
                "(reveal, max_samples)",
                format!("{:?}", (self.reveal, self.max_samples)),
                format!("{:?}", (o.reveal, o.max_samples)),
            );
        }
        let changes = |r: &Report| r.diff.as_ref().map(|d| d.max_changes);
        if changes(&o) != changes(self) {
            return mismatch(
                "max_changes",
                format!("{:?}", changes(self)),
                format!("{:?}", changes(&o)),
            );
        }
        let inputs = std::mem::take(&mut o.inputs);
        self.absorb_counts(o);
        self.inputs.absorb(inputs);
        self.compact();
        Ok(())
    }
}
