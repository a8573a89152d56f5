//! The analyst summary the demo prints: pure counting over the handler's decisions and
//! the ingested rows.

use std::collections::BTreeMap;
use std::fmt;

/// One review decision, as read from the handler's audit log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOutcome {
    /// The IVS message id.
    pub message_id: String,
    /// `ALLOW` or `DENY`.
    pub result: String,
    /// The action summary (`allow`, `deny`, `mask` ...).
    pub action: String,
    /// Enforced rule ids that fired.
    pub rules: Vec<String>,
}

impl ReviewOutcome {
    /// Reads an audit log line (`{"kind":"decision", ...}`); `None` for other lines.
    pub fn from_audit_line(line: &str) -> Option<ReviewOutcome> {
        let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
        if v.get("kind")?.as_str()? != "decision" {
            return None;
        }
        let text = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        Some(ReviewOutcome {
            message_id: text("message_id"),
            result: text("result"),
            action: text("action"),
            rules: v
                .get("rules")
                .and_then(|r| r.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
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
    pub fn from_decisions(decisions: &[ReviewOutcome], rewritten: usize) -> Summary {
        let mut s = Summary {
            sent: decisions.len(),
            rewritten,
            ..Summary::default()
        };
        for d in decisions {
            if d.result == "DENY" {
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

    #[test]
    fn reads_audit_lines_and_counts_denials_per_rule() {
        let lines = [
            r#"{"kind":"decision","message_id":"a","result":"DENY","action":"deny","rules":["profanity","x"]}"#,
            r#"{"kind":"decision","message_id":"b","result":"ALLOW","action":"mask","rules":["profanity"]}"#,
            r#"{"kind":"decision","message_id":"c","result":"DENY","action":"deny","rules":["links"]}"#,
            r#"{"_aws":{"CloudWatchMetrics":[]},"kind":"metric"}"#,
            "not json",
        ];
        let decisions: Vec<_> = lines
            .iter()
            .filter_map(|l| ReviewOutcome::from_audit_line(l))
            .collect();
        assert_eq!(decisions.len(), 3);
        let s = Summary::from_decisions(&decisions, 1);
        assert_eq!((s.sent, s.allowed, s.denied, s.rewritten), (3, 1, 2, 1));
        assert_eq!(s.denials_by_rule.get("profanity"), Some(&1));
        assert_eq!(s.denials_by_rule.get("links"), Some(&1));
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
