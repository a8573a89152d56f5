//! `rules eval-quality`: recall, false-alarm rate and precision of a pack on a labelled
//! set, overall and per category and language, with the misses and false alarms listed.
//!
//! Labelled file: JSON lines `{"text": "...", "label": 1, "category": "...", "lang": "en"}`
//! (`label` 1/0 or true/false: 1 = a moderator wants it acted on; `category` and `lang`
//! optional grouping labels, free text; `note` optional and ignored). Blank lines and
//! lines starting with `#` or `//` are skipped. A message counts as *flagged* when the
//! pack does anything to it (deny, rewrite or tag), exactly as the Lambda would.
//! Bound: the whole file is held in memory (one entry per line, the CLI reads the file).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::error::Location;
use crate::{Engine, ReviewRequest, RulesError, Verdict};

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// The message.
    pub text: String,
    /// Whether it should be acted on.
    pub label: bool,
    /// Grouping label (the lexicon category for positives, a topic for negatives).
    pub category: Option<String>,
    /// Language code (grouping label).
    pub lang: Option<String>,
    /// 1-based line in the file.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    text: String,
    label: LabelValue,
    category: Option<String>,
    lang: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LabelValue {
    Bool(bool),
    Int(u8),
}

/// Parses a labelled JSON-lines file; errors name `file:line` and what was expected.
pub fn parse_labelled(text: &str, file: &str) -> Result<Vec<Labelled>, RulesError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        let at = Location {
            file: file.to_string(),
            line: i + 1,
            column: 0,
            rule: None,
        };
        let raw: Raw = serde_json::from_str(t).map_err(|e| RulesError::Syntax {
            at: Location {
                column: e.column(),
                ..at.clone()
            },
            message: format!(
                "{e} (expected {{\"text\": \"...\", \"label\": 0|1[, \"category\": \"...\", \"lang\": \"en\"]}})"
            ),
        })?;
        let label = match raw.label {
            LabelValue::Bool(b) => b,
            LabelValue::Int(0) => false,
            LabelValue::Int(1) => true,
            LabelValue::Int(n) => {
                return Err(RulesError::Invalid {
                    at,
                    message: format!("field `label`: {n} is not 0 or 1"),
                })
            }
        };
        out.push(Labelled {
            text: raw.text,
            label,
            category: raw.category,
            lang: raw.lang,
            line: i + 1,
        });
    }
    Ok(out)
}

/// Confusion counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Positives flagged.
    pub caught: usize,
    /// Positives not flagged.
    pub missed: usize,
    /// Negatives flagged.
    pub false_alarms: usize,
    /// Negatives not flagged.
    pub passed: usize,
}

impl Counts {
    fn add(&mut self, label: bool, flagged: bool) {
        match (label, flagged) {
            (true, true) => self.caught += 1,
            (true, false) => self.missed += 1,
            (false, true) => self.false_alarms += 1,
            (false, false) => self.passed += 1,
        }
    }

    /// Caught / positives (`None` without positives).
    pub fn recall(&self) -> Option<f64> {
        ratio(self.caught, self.caught + self.missed)
    }

    /// False alarms / negatives (`None` without negatives).
    pub fn false_alarm_rate(&self) -> Option<f64> {
        ratio(self.false_alarms, self.false_alarms + self.passed)
    }

    /// Caught / flagged (`None` when nothing was flagged).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.caught, self.caught + self.false_alarms)
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// One message the pack got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrong {
    /// Line in the labelled file.
    pub line: usize,
    /// The message.
    pub text: String,
    /// Its category label.
    pub category: Option<String>,
    /// Ids of the enforced rules that fired.
    pub fired: Vec<String>,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// All lines.
    pub overall: Counts,
    /// Per `category` label (`-` when absent).
    pub by_category: BTreeMap<String, Counts>,
    /// Per `lang` label (`-` when absent).
    pub by_lang: BTreeMap<String, Counts>,
    /// Positives not flagged, in file order.
    pub misses: Vec<Wrong>,
    /// Negatives flagged, in file order.
    pub false_alarms: Vec<Wrong>,
}

/// Evaluates every labelled message with `engine` (default room).
pub fn evaluate(engine: &Engine, set: &[Labelled]) -> Report {
    let mut r = Report::default();
    for l in set {
        let ev = engine.evaluate(&ReviewRequest {
            content: l.text.clone(),
            ..Default::default()
        });
        let flagged = ev.action != Verdict::Allow;
        r.overall.add(l.label, flagged);
        let key = |k: &Option<String>| k.clone().unwrap_or_else(|| "-".into());
        r.by_category
            .entry(key(&l.category))
            .or_default()
            .add(l.label, flagged);
        r.by_lang
            .entry(key(&l.lang))
            .or_default()
            .add(l.label, flagged);
        if l.label != flagged {
            let wrong = Wrong {
                line: l.line,
                text: l.text.clone(),
                category: l.category.clone(),
                fired: ev
                    .fired
                    .iter()
                    .filter(|f| !f.shadow)
                    .map(|f| f.id.clone())
                    .collect(),
            };
            if l.label {
                r.misses.push(wrong);
            } else {
                r.false_alarms.push(wrong);
            }
        }
    }
    r
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{:.1} %", v * 100.0))
}

fn row(f: &mut fmt::Formatter<'_>, name: &str, c: &Counts) -> fmt::Result {
    writeln!(
        f,
        "| {name} | {} | {} | {} | {} | {} | {} |",
        c.caught + c.missed,
        c.false_alarms + c.passed,
        pct(c.recall()),
        pct(c.false_alarm_rate()),
        pct(c.precision()),
        c.missed + c.false_alarms,
    )
}

impl Report {
    /// Writes the tables and at most `max_list` misses and false alarms each.
    pub fn write(&self, f: &mut fmt::Formatter<'_>, max_list: usize) -> fmt::Result {
        let head = "| positives | negatives | recall | false alarms | precision | wrong |\n|---|---:|---:|---:|---:|---:|---:|";
        writeln!(f, "| overall {head}")?;
        row(f, "all", &self.overall)?;
        writeln!(f, "\n| category {head}")?;
        for (k, c) in &self.by_category {
            row(f, k, c)?;
        }
        writeln!(f, "\n| lang {head}")?;
        for (k, c) in &self.by_lang {
            row(f, k, c)?;
        }
        for (title, list) in [
            ("misses", &self.misses),
            ("false alarms", &self.false_alarms),
        ] {
            writeln!(f, "\n{title} ({}):", list.len())?;
            for w in list.iter().take(max_list) {
                writeln!(
                    f,
                    "  line {} [{}] {:?}{}",
                    w.line,
                    w.category.as_deref().unwrap_or("-"),
                    w.text,
                    if w.fired.is_empty() {
                        String::new()
                    } else {
                        format!("  <- {}", w.fired.join(","))
                    }
                )?;
            }
            if list.len() > max_list {
                writeln!(f, "  ... {} more", list.len() - max_list)?;
            }
        }
        Ok(())
    }

    /// A displayable form listing at most `max_list` wrong lines per kind.
    pub fn display(&self, max_list: usize) -> impl fmt::Display + '_ {
        struct D<'a>(&'a Report, usize);
        impl fmt::Display for D<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(f, self.1)
            }
        }
        D(self, max_list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PackSet;

    #[test]
    fn counts_recall_false_alarms_and_groups() {
        let pack =
            "[[rules]]\nid = \"p\"\nkind = \"keywords\"\naction = \"mask\"\nterms = [\"darn\"]\n";
        let engine =
            Engine::compile(&PackSet::from_toml_str(pack, "p.toml", None).unwrap()).unwrap();
        let set = parse_labelled(
            "{\"text\":\"darn it\",\"label\":1,\"category\":\"profanity\",\"lang\":\"en\"}\n\
             \n# comment\n\
             {\"text\":\"oh heck\",\"label\":true,\"category\":\"profanity\"}\n\
             {\"text\":\"hello\",\"label\":0,\"category\":\"greeting\",\"lang\":\"en\"}\n\
             {\"text\":\"darn\",\"label\":false,\"category\":\"greeting\",\"lang\":\"en\"}\n",
            "l.jsonl",
        )
        .unwrap();
        assert_eq!(set[1].line, 4);
        let r = evaluate(&engine, &set);
        assert_eq!(
            r.overall,
            Counts {
                caught: 1,
                missed: 1,
                false_alarms: 1,
                passed: 1
            }
        );
        assert_eq!(r.overall.recall(), Some(0.5));
        assert_eq!(r.overall.precision(), Some(0.5));
        assert_eq!(r.by_category["profanity"].recall(), Some(0.5));
        assert_eq!(r.by_category["greeting"].false_alarm_rate(), Some(0.5));
        assert_eq!(r.by_lang["-"].missed, 1);
        assert_eq!(r.misses[0].line, 4);
        assert_eq!(r.false_alarms[0].fired, vec!["p"]);
        let shown = r.display(10).to_string();
        assert!(
            shown.contains("| all | 2 | 2 | 50.0 % | 50.0 % | 50.0 % | 2 |"),
            "{shown}"
        );
        assert!(shown.contains("line 4 [profanity] \"oh heck\""), "{shown}");
    }

    #[test]
    fn bad_lines_are_errors_with_line_numbers() {
        for (src, line, what) in [
            (
                "{\"text\":\"a\",\"label\":1}\n{\"text\":\"b\"}\n",
                2,
                "label",
            ),
            ("{\"text\":\"a\",\"label\":2}\n", 1, "not 0 or 1"),
            ("{\"text\":\"a\",\"label\":1,\"lable\":1}\n", 1, "lable"),
            ("not json\n", 1, "expected"),
        ] {
            let e = parse_labelled(src, "l.jsonl").unwrap_err();
            assert_eq!(e.location().unwrap().line, line, "{e}");
            assert!(e.to_string().contains(what), "{e}");
            assert!(e.to_string().starts_with("l.jsonl:"), "{e}");
        }
    }
}
