//! The analyst summary the demo prints: pure counting over the handler's decisions and
//! the ingested rows.

use std::collections::BTreeMap;
use std::fmt;

use rules::audit::{parse_line, DecisionOutcome, DecisionRecord, Line};
use rules::ReviewResult;

/// The decisions among the handler's output lines (audit lines; EMF and other lines are
/// skipped). A line that claims to be a decision but is not a valid one is an error.
pub fn decisions_in(output: &str) -> Result<Vec<DecisionRecord>, String> {
    let mut out = Vec::new();
    for (n, line) in output.lines().enumerate() {
        match parse_line(line) {
            Line::Decision(d) => out.push(*d),
            Line::Other => {}
            Line::BadDecision(why) => {
                return Err(format!(
                    "handler output line {}: bad decision line: {why}",
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

/// What happened to the messages of some users (the spammer, the raiders).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsersOutcome {
    /// Messages they sent.
    pub sent: usize,
    /// Answered ALLOW.
    pub allowed: usize,
    /// Denials by the first enforced rule that fired, in the order the rules first
    /// denied them.
    pub denied_by: Vec<(String, usize)>,
}

impl UsersOutcome {
    /// Counts the decisions of `users` (user ids as logged), in decision order.
    pub fn of(decisions: &[DecisionRecord], users: &[&str]) -> UsersOutcome {
        let mut o = UsersOutcome::default();
        for d in decisions {
            if !d.user_id.as_deref().is_some_and(|u| users.contains(&u)) {
                continue;
            }
            o.sent += 1;
            if d.result == ReviewResult::Allow {
                o.allowed += 1;
                continue;
            }
            let rule = d
                .rules
                .first()
                .cloned()
                .unwrap_or_else(|| d.outcome.to_string());
            match o.denied_by.iter_mut().find(|(r, _)| *r == rule) {
                Some((_, n)) => *n += 1,
                None => o.denied_by.push((rule, 1)),
            }
        }
        o
    }

    /// Denials by `rule`.
    pub fn denied_by(&self, rule: &str) -> usize {
        self.denied_by
            .iter()
            .find(|(r, _)| r == rule)
            .map_or(0, |(_, n)| *n)
    }
}

impl fmt::Display for UsersOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} sent, {} allowed", self.sent, self.allowed)?;
        for (rule, n) in &self.denied_by {
            write!(f, ", {n} denied by {rule}")?;
        }
        Ok(())
    }
}

/// What the demo reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Messages sent to the review handler.
    pub sent: usize,
    /// Answered ALLOW (original or rewritten).
    pub allowed: usize,
    /// Answered ALLOW with a rewritten content.
    pub rewritten: usize,
    /// Answered DENY.
    pub denied: usize,
    /// Denials per rule id (a denial may name several rules).
    pub denials_by_rule: BTreeMap<String, usize>,
    /// Decisions made without the state store (it did not answer in time).
    pub degraded: usize,
    /// The spammer's display name and messages.
    pub spammer: Option<(String, UsersOutcome)>,
    /// The raiders' messages.
    pub raid: Option<UsersOutcome>,
    /// Message rows in the ingested tables.
    pub ingested_messages: usize,
    /// Event rows in the ingested tables.
    pub ingested_events: usize,
    /// Messages deleted by a moderator, with the reason.
    pub deleted: Vec<(String, String)>,
    /// Senders by number of ingested messages, most first (ties by user id).
    pub top_senders: Vec<(String, usize)>,
}

impl Summary {
    /// Counts the decisions; `rewritten` is how many allowed messages came back rewritten.
    pub fn from_decisions(decisions: &[DecisionRecord], rewritten: usize) -> Summary {
        let mut s = Summary {
            sent: decisions.len(),
            rewritten,
            ..Summary::default()
        };
        for d in decisions {
            if d.outcome == DecisionOutcome::Degraded {
                s.degraded += 1;
            }
            if d.result == ReviewResult::Deny {
                s.denied += 1;
                for r in &d.rules {
                    *s.denials_by_rule.entry(r.clone()).or_default() += 1;
                }
            } else {
                s.allowed += 1;
            }
        }
        s
    }

    /// Adds what happened to the spammer (`name`, user id `spammer`) and the raiders.
    pub fn with_episodes(
        mut self,
        decisions: &[DecisionRecord],
        name: &str,
        spammer: &str,
        raiders: &[&str],
    ) -> Summary {
        self.spammer = Some((name.to_string(), UsersOutcome::of(decisions, &[spammer])));
        self.raid = Some(UsersOutcome::of(decisions, raiders));
        self
    }

    /// Adds the ingested rows: `senders` holds the sender user id of every message row.
    pub fn with_ingested(
        mut self,
        senders: &[String],
        events: usize,
        deleted: Vec<(String, String)>,
    ) -> Summary {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for s in senders {
            *counts.entry(s).or_default() += 1;
        }
        let mut top: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(5);
        self.ingested_messages = senders.len();
        self.ingested_events = events;
        self.deleted = deleted;
        self.top_senders = top;
        self
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "messages sent to the review handler: {}", self.sent)?;
        writeln!(
            f,
            "  allowed: {} (of which rewritten: {})",
            self.allowed, self.rewritten
        )?;
        writeln!(f, "  denied:  {}", self.denied)?;
        for (rule, n) in &self.denials_by_rule {
            writeln!(f, "    {rule:<28} {n}")?;
        }
        if self.spammer.is_some() || self.raid.is_some() {
            writeln!(f, "memory across messages (stateful rules, shared store):")?;
            if let Some((name, o)) = &self.spammer {
                writeln!(f, "  spammer {name}: {o}")?;
            }
            if let Some(o) = &self.raid {
                writeln!(f, "  raid ({} accounts, one line): {o}", o.sent)?;
            }
            writeln!(
                f,
                "  decided without the store (degraded): {}",
                self.degraded
            )?;
        }
        writeln!(
            f,
            "ingested rows: {} messages, {} events",
            self.ingested_messages, self.ingested_events
        )?;
        writeln!(f, "top senders:")?;
        for (user, n) in &self.top_senders {
            writeln!(f, "    {user:<28} {n}")?;
        }
        writeln!(f, "deleted by the moderator:")?;
        for (id, reason) in &self.deleted {
            writeln!(f, "    {id} ({reason})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, user: &str, result: &str, action: &str, rules: &[&str]) -> String {
        serde_json::json!({"kind": "decision", "time": "2026-11-20T19:00:00.000Z",
            "message_id": id, "room": "r", "user_id": user, "ip": null, "result": result,
            "action": action, "outcome": "evaluated", "rules": rules,
            "categories": rules.iter().map(|_| None::<String>).collect::<Vec<_>>(),
            "shadow_rules": [], "pack": "p", "elapsed_us": 5})
        .to_string()
    }

    #[test]
    fn reads_audit_lines_and_counts_denials_per_rule() {
        let output = [
            line("a", "u1", "DENY", "deny", &["profanity", "x"]),
            line("b", "u2", "ALLOW", "rewrite", &["profanity"]),
            line("c", "u1", "DENY", "deny", &["links"]),
            r#"{"_aws":{"CloudWatchMetrics":[]},"kind":"metric"}"#.into(),
            "not json".into(),
        ]
        .join("\n");
        let decisions = decisions_in(&output).unwrap();
        assert_eq!(decisions.len(), 3);
        let s = Summary::from_decisions(&decisions, 1);
        assert_eq!((s.sent, s.allowed, s.denied, s.rewritten), (3, 1, 2, 1));
        assert_eq!(s.denials_by_rule.get("profanity"), Some(&1));
        assert_eq!(s.denials_by_rule.get("links"), Some(&1));
        let bad = decisions_in(r#"{"kind":"decision","time":1}"#).unwrap_err();
        assert!(bad.contains("line 1"), "{bad}");
    }

    #[test]
    fn episodes_count_each_users_denials_by_first_rule_in_order() {
        let output = [
            line("1", "spam", "ALLOW", "allow", &[]),
            line("2", "spam", "DENY", "deny", &["slow-mode"]),
            line("3", "other", "DENY", "deny", &["strikes"]),
            line("4", "spam", "DENY", "deny", &["strikes", "slow-mode"]),
            line("5", "spam", "DENY", "deny", &["slow-mode"]),
            line("6", "r1", "ALLOW", "allow", &[]),
            line("7", "r2", "DENY", "deny", &["copypasta"]),
        ]
        .join("\n");
        let decisions = decisions_in(&output).unwrap();
        let s = Summary::from_decisions(&decisions, 0).with_episodes(
            &decisions,
            "Spammy",
            "spam",
            &["r1", "r2"],
        );
        let (name, spam) = s.spammer.clone().unwrap();
        assert_eq!(name, "Spammy");
        assert_eq!((spam.sent, spam.allowed), (4, 1));
        assert_eq!(
            spam.denied_by,
            vec![("slow-mode".into(), 2), ("strikes".into(), 1)]
        );
        let raid = s.raid.clone().unwrap();
        assert_eq!(
            (raid.sent, raid.allowed, raid.denied_by("copypasta")),
            (2, 1, 1)
        );
        let text = s.to_string();
        assert!(
            text.contains(
                "spammer Spammy: 4 sent, 1 allowed, 2 denied by slow-mode, 1 denied by strikes"
            ),
            "{text}"
        );
        assert!(
            text.contains("raid (2 accounts, one line): 2 sent, 1 allowed, 1 denied by copypasta"),
            "{text}"
        );
    }

    #[test]
    fn top_senders_sorted_by_count_then_id() {
        let senders: Vec<String> = ["u2", "u1", "u2", "u3", "u1", "u2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = Summary::default().with_ingested(&senders, 1, vec![]);
        assert_eq!(
            s.top_senders,
            vec![("u2".into(), 3), ("u1".into(), 2), ("u3".into(), 1)]
        );
        assert_eq!(s.ingested_messages, 6);
    }
}
