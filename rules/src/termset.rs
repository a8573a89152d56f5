//! One term automaton per normalised view, shared by every keyword and lexicon rule that
//! reads that view.
//!
//! The bundled default pack has ten lexicon rules over the same view (identity hate,
//! threats, profanity ...). Each used to build its own aho-corasick automaton and scan
//! the view once per message; now [`TermSetBuilder`] collects the terms and allow phrases
//! of every such rule into one automaton (a term shared by several rules is one
//! pattern), each rule being a *slot*: a pattern lists, per slot, the ways it may match
//! for that rule ([`Variant`]s), an allow phrase the slots whose allow list holds it.
//! Allow phrases are patterns of the same automaton, so [`TermSet::scan`] runs it once
//! per message for both; [`TermSet::find`] then gives a slot exactly the matches its own
//! automaton used to give (same spans, same order: overlapping matches by end, longest
//! first, restricted to the slot's patterns), with the slot's own allow phrases removing
//! the ones they cover.

use daachorse::{DoubleArrayAhoCorasick, DoubleArrayAhoCorasickBuilder};
use foldhash::{HashMap, HashMapExt};

use crate::error::Location;
use crate::hangul;
use crate::keywords::{parse_wildcards, runs_cover, INNOCENT_INITIALS};
use crate::normalize::{normalize, Normalized, Transforms};
use crate::pack::{MatchMode, SourcedTerm};
use crate::script::WordRule;
use crate::RulesError;

/// One way a normalised pattern may match for a slot.
#[derive(Debug, Clone)]
struct Variant {
    mode: MatchMode,
    /// Minimum run length of each view character (repeat collapse).
    runs: Vec<u32>,
    /// Delimiters of a `word`-mode match, by script.
    word: WordRule,
}

impl Variant {
    fn accepts(&self, view: &Normalized, s: usize, e: usize) -> bool {
        let bounds = match self.mode {
            MatchMode::Word => self.word.accepts(view.as_str(), s, e),
            MatchMode::Prefix => view.word_start(s),
            MatchMode::Suffix => view.word_end(e),
            MatchMode::Substring => true,
        };
        bounds && runs_cover(view, s, e, &self.runs)
    }
}

/// A term or allow phrase in view form: its trimmed normalised key and the run length of
/// each of its view characters.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Normalised text, outer spaces trimmed.
    pub key: String,
    /// Run length of each character of `key`.
    pub runs: Vec<u32>,
}

/// The view form of `text` under `transforms` (the same function terms, allow phrases
/// and messages go through, so all sides agree).
pub(crate) fn prepare(text: &str, transforms: Transforms) -> Prepared {
    let v = normalize(text, transforms);
    let key = v.as_str().trim();
    let lead = v.as_str().len() - v.as_str().trim_start().len();
    let runs = v
        .all_runs()
        .get(lead..lead + key.chars().count())
        .map(<[u32]>::to_vec)
        .unwrap_or_default();
    Prepared {
        key: key.to_string(),
        runs,
    }
}

/// Collects the terms of many rules under one set of transforms; [`finish`] builds the
/// automata.
///
/// [`finish`]: TermSetBuilder::finish
#[derive(Debug)]
pub(crate) struct TermSetBuilder {
    transforms: Transforms,
    patterns: Vec<String>,
    index: HashMap<String, u32>,
    /// Per pattern: `(slot, variants)`, slots ascending.
    entries: Vec<Vec<(u32, Vec<Variant>)>>,
    allow_patterns: Vec<String>,
    allow_index: HashMap<String, u32>,
    /// Per allow pattern: `(slot, run alternatives)`, slots ascending.
    allow_entries: Vec<Vec<(u32, Vec<Vec<u32>>)>>,
    slots: u32,
    /// Where the first rule was defined (for automaton build errors).
    at: Option<Location>,
    /// Terms are shared between rules (a category selected at two levels): normalise
    /// each text once.
    prepared: HashMap<String, Prepared>,
}

/// A term of one rule, checked and in view form.
struct Term {
    key: String,
    runs: Vec<u32>,
    mode: MatchMode,
    initials: Option<Prepared>,
}

fn bad(at: &Location, message: String) -> RulesError {
    RulesError::Invalid {
        at: at.clone(),
        message,
    }
}

impl TermSetBuilder {
    /// An empty set for rules reading the view of `transforms`.
    pub fn new(transforms: Transforms) -> TermSetBuilder {
        TermSetBuilder {
            transforms,
            patterns: Vec::new(),
            index: HashMap::new(),
            entries: Vec::new(),
            allow_patterns: Vec::new(),
            allow_index: HashMap::new(),
            allow_entries: Vec::new(),
            slots: 0,
            at: None,
            prepared: HashMap::new(),
        }
    }

    fn prepared(&mut self, text: &str) -> Prepared {
        if let Some(p) = self.prepared.get(text) {
            return p.clone();
        }
        let p = prepare(text, self.transforms);
        self.prepared.insert(text.to_string(), p.clone());
        p
    }

    /// Adds one rule's terms (default match mode `mode`) and allow phrases as a new slot,
    /// returned. Errors name the offending term's location; nothing is added then.
    pub fn add_rule(
        &mut self,
        terms: &[SourcedTerm],
        allow: &[SourcedTerm],
        mode: MatchMode,
        rule_at: &Location,
    ) -> Result<u32, RulesError> {
        if terms.is_empty() {
            return Err(bad(
                rule_at,
                "keywords rule has no terms (expected `terms` or `terms_file`)".into(),
            ));
        }
        let mut checked: Vec<Term> = Vec::with_capacity(terms.len());
        for t in terms {
            let (core, m) = parse_wildcards(&t.text, mode);
            if core.contains('*') {
                return Err(bad(
                    &t.at,
                    format!("term `{}`: `*` is only allowed at either end", t.text),
                ));
            }
            let p = self.prepared(core);
            if p.key.is_empty() || !p.key.chars().any(char::is_alphanumeric) {
                return Err(bad(
                    &t.at,
                    format!(
                        "term `{}` is empty after normalisation (expected a word)",
                        t.text
                    ),
                ));
            }
            let initials = (self.transforms.initials && m == MatchMode::Word)
                .then(|| initials_of(&p.key))
                .flatten()
                .map(|abbrev| {
                    // The abbreviation keeps its untrimmed view form (runs of every char).
                    let v = normalize(&abbrev, self.transforms);
                    Prepared {
                        key: v.as_str().to_string(),
                        runs: v.all_runs(),
                    }
                });
            checked.push(Term {
                key: p.key,
                runs: p.runs,
                mode: m,
                initials,
            });
        }
        let mut allowed: Vec<Prepared> = Vec::with_capacity(allow.len());
        for a in allow {
            let p = self.prepared(&a.text);
            if p.key.is_empty() {
                return Err(bad(
                    &a.at,
                    format!("allow phrase `{}` is empty after normalisation", a.text),
                ));
            }
            allowed.push(p);
        }
        let slot = self.slots;
        self.slots += 1;
        self.at.get_or_insert_with(|| rule_at.clone());
        for t in checked {
            if let Some(ab) = t.initials {
                let word = WordRule::initials();
                self.variant(ab.key, slot, ab.runs, MatchMode::Word, word);
            }
            let word = WordRule::for_term(&t.key);
            self.variant(t.key, slot, t.runs, t.mode, word);
        }
        for p in allowed {
            let id = *self.allow_index.entry(p.key.clone()).or_insert_with(|| {
                self.allow_patterns.push(p.key);
                self.allow_entries.push(Vec::new());
                (self.allow_patterns.len() - 1) as u32
            });
            let list = &mut self.allow_entries[id as usize];
            match list.last_mut() {
                Some((s, runs)) if *s == slot => runs.push(p.runs),
                _ => list.push((slot, vec![p.runs])),
            }
        }
        Ok(slot)
    }

    fn variant(&mut self, key: String, slot: u32, runs: Vec<u32>, mode: MatchMode, word: WordRule) {
        // Most keys are new: one copy for the index, the key itself for the patterns.
        let id = match self.index.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.patterns.len() as u32;
                self.index.insert(key.clone(), id);
                self.patterns.push(key);
                self.entries.push(Vec::new());
                id
            }
        };
        let v = Variant { mode, runs, word };
        let list = &mut self.entries[id as usize];
        match list.last_mut() {
            Some((s, vs)) if *s == slot => vs.push(v),
            _ => list.push((slot, vec![v])),
        }
    }

    /// Builds the automaton (`None` when no rule was added): terms and allow phrases in
    /// one, so a message is scanned once. An allow phrase that is also a term is one
    /// pattern with both roles.
    pub fn finish(mut self) -> Result<Option<TermSet>, RulesError> {
        let Some(at) = self.at.take() else {
            return Ok(None);
        };
        let mut allow_entries: Vec<Vec<(u32, Vec<Vec<u32>>)>> =
            vec![Vec::new(); self.patterns.len()];
        for (key, list) in self.allow_patterns.into_iter().zip(self.allow_entries) {
            let id = match self.index.get(&key) {
                Some(&id) => id as usize,
                None => {
                    self.patterns.push(key);
                    self.entries.push(Vec::new());
                    allow_entries.push(Vec::new());
                    self.patterns.len() - 1
                }
            };
            allow_entries[id] = list;
        }
        // Double-array automaton, standard (all overlapping) matches. Its 2-gram
        // prefilter is off: on 200-character chat it costs more than it skips.
        let ac = DoubleArrayAhoCorasickBuilder::new()
            .use_prefilter(false)
            .build(&self.patterns)
            .map_err(|e| bad(&at, format!("cannot build term automaton: {e}")))?;
        let mut slot_has_allow = vec![false; self.slots as usize];
        for list in &allow_entries {
            for (s, _) in list {
                slot_has_allow[*s as usize] = true;
            }
        }
        Ok(Some(TermSet {
            ac,
            entries: self.entries,
            allow_entries,
            slot_has_allow,
        }))
    }
}

/// The compiled terms of every rule (slot) reading one view.
pub(crate) struct TermSet {
    /// Terms and allow phrases; a match's value is its pattern index.
    ac: DoubleArrayAhoCorasick<u32>,
    /// Per pattern: the slots it is a term of, with their variants (empty for an allow
    /// phrase only).
    entries: Vec<Vec<(u32, Vec<Variant>)>>,
    /// Per pattern: the slots it is an allow phrase of, with run alternatives.
    allow_entries: Vec<Vec<(u32, Vec<Vec<u32>>)>>,
    slot_has_allow: Vec<bool>,
}

impl std::fmt::Debug for TermSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermSet")
            .field("patterns", &self.entries.len())
            .field("automaton_bytes", &self.ac.heap_bytes())
            .field("slots", &self.slot_has_allow.len())
            .finish()
    }
}

/// One message's automaton matches: `(pattern, start, end)` in view bytes, terms and
/// allow phrases.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    hits: Vec<(u32, u32, u32)>,
}

impl TermSet {
    /// Runs the automaton over `view` once.
    pub fn scan(&self, view: &Normalized) -> Scan {
        // Room for the usual few matches without regrowing.
        let mut hits = Vec::with_capacity(16);
        hits.extend(
            self.ac
                .find_overlapping_iter(view.as_str())
                .map(|m| (m.value(), m.start() as u32, m.end() as u32)),
        );
        Scan { hits }
    }

    /// Matches of `slot` in `view` as view byte ranges, its allow-listed ones removed.
    pub fn find(&self, slot: u32, view: &Normalized, scan: &Scan) -> Vec<(usize, usize)> {
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for &(p, s, e) in &scan.hits {
            let (s, e) = (s as usize, e as usize);
            let Some(list) = self.entries.get(p as usize) else {
                continue;
            };
            let Ok(i) = list.binary_search_by_key(&slot, |(sl, _)| *sl) else {
                continue;
            };
            if list[i].1.iter().any(|v| v.accepts(view, s, e)) {
                hits.push((s, e));
            }
        }
        if hits.is_empty()
            || !self
                .slot_has_allow
                .get(slot as usize)
                .copied()
                .unwrap_or(false)
        {
            return hits;
        }
        let allowed: Vec<(usize, usize)> = scan
            .hits
            .iter()
            .filter(|&&(p, s, e)| {
                self.allow_entries.get(p as usize).is_some_and(|list| {
                    list.binary_search_by_key(&slot, |(sl, _)| *sl)
                        .is_ok_and(|i| {
                            list[i]
                                .1
                                .iter()
                                .any(|r| runs_cover(view, s as usize, e as usize, r))
                        })
                })
            })
            .map(|&(_, s, e)| (s as usize, e as usize))
            .collect();
        hits.retain(|&(s, e)| !allowed.iter().any(|&(a, b)| a <= s && e <= b));
        hits
    }
}

/// The initial consonants of a key made only of two or more Hangul syllables, unless
/// they are an everyday abbreviation.
fn initials_of(key: &str) -> Option<String> {
    let abbrev: String = key.chars().map(hangul::initial).collect::<Option<_>>()?;
    (abbrev.chars().count() >= 2 && !INNOCENT_INITIALS.contains(&abbrev.as_str())).then_some(abbrev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keywords::{tests::terms, KeywordMatcher};
    use crate::pack::{KindDef, PackSet};

    /// Hits of every slot of `set` in `text`, as original substrings.
    fn slot_hits(set: &TermSet, slots: u32, text: &str) -> Vec<Vec<String>> {
        let v = normalize(text, Transforms::ALL);
        let scan = set.scan(&v);
        (0..slots)
            .map(|slot| {
                set.find(slot, &v, &scan)
                    .into_iter()
                    .filter_map(|(s, e)| v.source_span(s, e))
                    .map(|(s, e)| text[s..e].to_string())
                    .collect()
            })
            .collect()
    }

    /// A set of one slot per `(terms, allow phrases)` rule, default mode `word`.
    fn set_of(rules: &[(&[&str], &[&str])]) -> TermSet {
        let mut b = TermSetBuilder::new(Transforms::ALL);
        for (slot, (t, a)) in rules.iter().enumerate() {
            let added = b.add_rule(&terms(t), &terms(a), MatchMode::Word, &Location::default());
            assert_eq!(added.unwrap(), slot as u32);
        }
        b.finish().unwrap().unwrap()
    }

    #[test]
    fn slots_keep_their_own_modes_and_allow_lists() {
        let set = set_of(&[
            (&["ass*"], &["assassin"]),
            (&["ass*"], &[]),
            (&["ass"], &[]),
        ]);
        // One term pattern for the three rules; the allow phrase is the other pattern.
        assert_eq!(set.entries.len(), 2);
        assert_eq!(set.entries[0].len(), 3);
        assert!(set.entries[1].is_empty() && set.allow_entries[1].len() == 1);
        // Rule 0's allow phrase protects only rule 0.
        assert_eq!(
            slot_hits(&set, 3, "assassin"),
            vec![vec![], vec!["ass".to_string()], vec![]]
        );
        // Prefix mode for rules 0 and 1, whole word for rule 2.
        assert_eq!(
            slot_hits(&set, 3, "asshat"),
            vec![vec!["ass".to_string()], vec!["ass".to_string()], vec![]]
        );
        assert_eq!(
            slot_hits(&set, 3, "you ass"),
            vec![vec!["ass".to_string()]; 3]
        );
    }

    #[test]
    fn a_phrase_that_is_one_rules_term_and_anothers_allow_phrase_is_one_pattern() {
        let (whole, prefix) = (0, 1);
        let set = set_of(&[(&["assassin"], &[]), (&["ass*"], &["assassin"])]);
        assert_eq!(set.entries.len(), 2, "`assassin` and `ass`");
        // The term of rule 0 fires; the same pattern protects rule 1's prefix term.
        assert_eq!(
            slot_hits(&set, 2, "assassin"),
            vec![vec!["assassin".to_string()], vec![]]
        );
        assert_eq!(
            slot_hits(&set, 2, "assets")[prefix],
            vec!["ass".to_string()]
        );
        assert!(slot_hits(&set, 2, "assets")[whole].is_empty());
    }

    #[test]
    fn a_failing_rule_adds_nothing() {
        let mut b = TermSetBuilder::new(Transforms::ALL);
        let at = Location::default();
        assert!(b
            .add_rule(&terms(&["fine", "a*b"]), &[], MatchMode::Word, &at)
            .is_err());
        assert!(b.patterns.is_empty() && b.slots == 0);
        assert!(b.finish().unwrap().is_none());
    }

    /// The shared automaton gives every rule of the bundled default pack exactly what
    /// the rule's own automaton gives (same spans, same order), on every text of the
    /// labelled sets.
    #[test]
    fn shared_set_matches_per_rule_automata_on_the_bundled_pack() {
        let packs = PackSet::bundled_default();
        let defs: Vec<_> = packs.packs[0]
            .rules
            .iter()
            .filter(|r| matches!(r.kind, KindDef::Keywords | KindDef::Lexicon))
            .collect();
        assert!(defs.len() >= 10);
        let mut b = TermSetBuilder::new(Transforms::ALL);
        let mut own = Vec::new();
        for d in &defs {
            let mode = d.match_mode.unwrap_or(MatchMode::Word);
            b.add_rule(&d.loaded_terms, &d.loaded_allow, mode, &d.at)
                .unwrap();
            own.push(
                KeywordMatcher::compile(
                    &d.loaded_terms,
                    &d.loaded_allow,
                    mode,
                    Transforms::ALL,
                    &d.at,
                )
                .unwrap(),
            );
        }
        let set = b.finish().unwrap().unwrap();
        let sets = [
            include_str!("../eval/en-chat.jsonl"),
            include_str!("../eval/en-evasion.jsonl"),
            include_str!("../eval/ko-chat.jsonl"),
            include_str!("../eval/ja-chat.jsonl"),
        ];
        let mut fired = 0;
        for line in sets.iter().flat_map(|s| s.lines()) {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let text = v["text"].as_str().unwrap_or_default();
            let view = normalize(text, Transforms::ALL);
            let scan = set.scan(&view);
            for (slot, m) in own.iter().enumerate() {
                let want = m.find(&view);
                fired += usize::from(!want.is_empty());
                assert_eq!(set.find(slot as u32, &view, &scan), want, "{text}");
            }
        }
        assert!(fired > 1000, "{fired}");
    }
}
