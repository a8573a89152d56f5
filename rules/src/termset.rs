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

use crate::error::Location;
use crate::hangul;
use crate::intern::Interner;
use crate::keywords::{parse_wildcards, runs_cover, INNOCENT_INITIALS};
use crate::normalize::{normalize, Normalized, Normalizer, Transforms};
use crate::pack::{MatchMode, SourcedTerm};
use crate::script::WordRule;
use crate::RulesError;

/// A range of the run-length pool: `(start, end)`.
type Runs = (u32, u32);

/// The run lengths of `runs` in `pool`.
fn runs_in(pool: &[u32], runs: Runs) -> &[u32] {
    pool.get(runs.0 as usize..runs.1 as usize).unwrap_or(&[])
}

/// One way a normalised pattern may match for a slot.
#[derive(Debug, Clone, Copy)]
struct Variant {
    mode: MatchMode,
    /// Minimum run length of each view character (repeat collapse).
    runs: Runs,
    /// Delimiters of a `word`-mode match, by script.
    word: WordRule,
}

impl Variant {
    fn accepts(&self, pool: &[u32], view: &Normalized, s: usize, e: usize) -> bool {
        let bounds = match self.mode {
            MatchMode::Word => self.word.accepts(view.as_str(), s, e),
            MatchMode::Prefix => view.word_start(s),
            MatchMode::Suffix => view.word_end(e),
            MatchMode::Substring => true,
        };
        bounds && runs_cover(view, s, e, runs_in(pool, self.runs))
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

/// The view byte range of `v` without its outer spaces.
fn trimmed(v: &Normalized) -> (usize, usize) {
    let t = v.as_str();
    let lead = t.len() - t.trim_start().len();
    (lead, lead + t.trim().len())
}

/// The view form of `text` under `transforms` (the same function terms, allow phrases
/// and messages go through, so all sides agree).
pub(crate) fn prepare(text: &str, transforms: Transforms) -> Prepared {
    let v = normalize(text, transforms);
    let (s, e) = trimmed(&v);
    Prepared {
        key: v.as_str()[s..e].to_string(),
        runs: v.runs(s, e).collect(),
    }
}

/// Collects the terms of many rules under one set of transforms; [`finish`] builds the
/// automata.
///
/// The tables are flat: pattern and allow-phrase texts interned, run lengths in one
/// pool, variants and allow entries in one list each, grouped by pattern at
/// [`finish`]. An every-language pack has some 6,000 terms; a few allocations per term
/// were a good part of its cold start.
///
/// [`finish`]: TermSetBuilder::finish
#[derive(Debug)]
pub(crate) struct TermSetBuilder {
    transforms: Transforms,
    /// Term keys: the automaton's patterns, by id.
    patterns: Interner,
    /// `(pattern, slot, variant)` in the order added.
    variants: Vec<(u32, u32, Variant)>,
    /// Allow-phrase keys (merged into `patterns` at finish).
    allow_patterns: Interner,
    /// `(allow pattern, slot, runs)` in the order added.
    allows: Vec<(u32, u32, Runs)>,
    /// Run lengths of every prepared text and variant.
    runs: Vec<u32>,
    slots: u32,
    /// Where the first rule was defined (for automaton build errors).
    at: Option<Location>,
    /// Terms are shared between rules (a category selected at two levels): each source
    /// text is normalised once. Ids index `prepared`.
    sources: Interner,
    /// Per source text: its prepared form.
    prepared: Vec<Prep>,
    /// Keys of the prepared texts, back to back.
    keys: String,
    /// Buffers every term's normalisation reuses.
    normalizer: Normalizer,
}

/// A source text in view form, in the builder's pools: its trimmed key's byte range
/// in `keys` and its run lengths.
#[derive(Debug, Clone, Copy, Default)]
struct Prep {
    key: (u32, u32),
    runs: Runs,
}

/// Key `range` of the builder's `keys` (a free function, so a key can be held while
/// the other tables grow).
fn key_in(keys: &str, (s, e): (u32, u32)) -> &str {
    keys.get(s as usize..e as usize).unwrap_or("")
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
            patterns: Interner::default(),
            variants: Vec::new(),
            allow_patterns: Interner::default(),
            allows: Vec::new(),
            runs: Vec::new(),
            slots: 0,
            at: None,
            sources: Interner::default(),
            prepared: Vec::new(),
            keys: String::new(),
            normalizer: Normalizer::default(),
        }
    }

    /// The prepared form of `text` (see [`prepare`]), normalised on first sight.
    fn prepared(&mut self, text: &str) -> Prep {
        let (id, new) = self.sources.intern(text);
        if new {
            let v = self.normalizer.view(text, self.transforms);
            let (s, e) = trimmed(v);
            let key_start = self.keys.len() as u32;
            self.keys.push_str(&v.as_str()[s..e]);
            let runs_start = self.runs.len() as u32;
            self.runs.extend(v.runs(s, e));
            self.prepared.push(Prep {
                key: (key_start, self.keys.len() as u32),
                runs: (runs_start, self.runs.len() as u32),
            });
        }
        self.prepared.get(id as usize).copied().unwrap_or_default()
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
        let mut checked: Vec<(Prep, MatchMode)> = Vec::with_capacity(terms.len());
        for t in terms {
            let (core, m) = parse_wildcards(&t.text, mode);
            if core.contains('*') {
                return Err(bad(
                    &t.at,
                    format!("term `{}`: `*` is only allowed at either end", t.text),
                ));
            }
            let prep = self.prepared(core);
            let key = key_in(&self.keys, prep.key);
            if key.is_empty() || !key.chars().any(char::is_alphanumeric) {
                return Err(bad(
                    &t.at,
                    format!(
                        "term `{}` is empty after normalisation (expected a word)",
                        t.text
                    ),
                ));
            }
            checked.push((prep, m));
        }
        let mut allowed: Vec<Prep> = Vec::with_capacity(allow.len());
        for a in allow {
            let prep = self.prepared(&a.text);
            if key_in(&self.keys, prep.key).is_empty() {
                return Err(bad(
                    &a.at,
                    format!("allow phrase `{}` is empty after normalisation", a.text),
                ));
            }
            allowed.push(prep);
        }
        let slot = self.slots;
        self.slots += 1;
        self.at.get_or_insert_with(|| rule_at.clone());
        for (prep, mode) in checked {
            let key = key_in(&self.keys, prep.key);
            let abbrev = (self.transforms.initials && mode == MatchMode::Word)
                .then(|| initials_of(key))
                .flatten();
            if let Some(abbrev) = abbrev {
                // The abbreviation keeps its untrimmed view form (runs of every char).
                let v = self.normalizer.view(&abbrev, self.transforms);
                let start = self.runs.len() as u32;
                self.runs.extend(v.runs(0, v.as_str().len()));
                let runs = (start, self.runs.len() as u32);
                let (id, _) = self.patterns.intern(v.as_str());
                let word = WordRule::initials();
                self.variants.push((
                    id,
                    slot,
                    Variant {
                        mode: MatchMode::Word,
                        runs,
                        word,
                    },
                ));
            }
            let word = WordRule::for_term(key);
            let (id, _) = self.patterns.intern(key);
            let v = Variant {
                mode,
                runs: prep.runs,
                word,
            };
            self.variants.push((id, slot, v));
        }
        for prep in allowed {
            let (id, _) = self.allow_patterns.intern(key_in(&self.keys, prep.key));
            self.allows.push((id, slot, prep.runs));
        }
        Ok(slot)
    }

    /// Builds the automaton (`None` when no rule was added): terms and allow phrases in
    /// one, so a message is scanned once. An allow phrase that is also a term is one
    /// pattern with both roles.
    pub fn finish(mut self) -> Result<Option<TermSet>, RulesError> {
        let Some(at) = self.at.take() else {
            return Ok(None);
        };
        let to_pattern: Vec<u32> = self
            .allow_patterns
            .iter()
            .map(|key| self.patterns.intern(key).0)
            .collect();
        let n = self.patterns.len();
        // Double-array automaton, standard (all overlapping) matches. Its 2-gram
        // prefilter is off: on 200-character chat it costs more than it skips.
        let ac = DoubleArrayAhoCorasickBuilder::new()
            .use_prefilter(false)
            .build(self.patterns.iter())
            .map_err(|e| bad(&at, format!("cannot build term automaton: {e}")))?;
        let terms = Grouped::new(n, self.variants);
        let allows = self.allows.into_iter().map(|(a, s, r)| {
            let p = to_pattern.get(a as usize).copied().unwrap_or(0);
            (p, s, r)
        });
        let allows = Grouped::new(n, allows.collect());
        let mut slot_has_allow = vec![false; self.slots as usize];
        for &(s, ..) in &allows.slots {
            slot_has_allow[s as usize] = true;
        }
        Ok(Some(TermSet {
            ac,
            runs: self.runs,
            terms,
            allows,
            slot_has_allow,
        }))
    }
}

/// Values by pattern and slot, flat: pattern `p`'s slots are
/// `slots[starts[p]..starts[p + 1]]` (ascending, each once), slot group `g`'s values
/// `values[g.1..g.2]`.
#[derive(Debug)]
struct Grouped<T> {
    starts: Vec<u32>,
    slots: Vec<(u32, u32, u32)>,
    values: Vec<T>,
}

impl<T> Grouped<T> {
    /// Groups `(pattern, slot, value)`s, patterns below `n`.
    fn new(n: usize, mut items: Vec<(u32, u32, T)>) -> Grouped<T> {
        items.sort_by_key(|&(p, s, _)| (p, s));
        let mut g = Grouped {
            starts: Vec::with_capacity(n + 1),
            slots: Vec::new(),
            values: Vec::with_capacity(items.len()),
        };
        let mut last: Option<(u32, u32)> = None;
        for (p, s, v) in items {
            while g.starts.len() <= p as usize {
                g.starts.push(g.slots.len() as u32);
            }
            let at = g.values.len() as u32;
            match g.slots.last_mut() {
                Some(group) if last == Some((p, s)) => group.2 = at + 1,
                _ => g.slots.push((s, at, at + 1)),
            }
            last = Some((p, s));
            g.values.push(v);
        }
        g.starts.resize(n + 1, g.slots.len() as u32);
        g
    }

    /// The range of pattern `p`'s slot groups (empty for none).
    fn of_pattern(&self, p: u32) -> (u32, u32) {
        match self.starts.get(p as usize..p as usize + 2) {
            Some(&[a, b]) => (a, b),
            _ => (0, 0),
        }
    }

    /// The values of `slot` among the slot groups `range` (of one pattern).
    fn of_slot(&self, (a, b): (u32, u32), slot: u32) -> &[T] {
        let groups = self.slots.get(a as usize..b as usize).unwrap_or(&[]);
        match groups.binary_search_by_key(&slot, |&(s, ..)| s) {
            Ok(i) => {
                let (_, x, y) = groups[i];
                self.values.get(x as usize..y as usize).unwrap_or(&[])
            }
            Err(_) => &[],
        }
    }

    /// How many patterns there are.
    fn patterns(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

/// The compiled terms of every rule (slot) reading one view.
pub(crate) struct TermSet {
    /// Terms and allow phrases; a match's value is its pattern index.
    ac: DoubleArrayAhoCorasick<u32>,
    /// Run lengths the variants and allow entries point into.
    runs: Vec<u32>,
    /// Per pattern and slot: its variants (none for an allow phrase only).
    terms: Grouped<Variant>,
    /// Per pattern and slot: the run alternatives of an allow phrase.
    allows: Grouped<Runs>,
    slot_has_allow: Vec<bool>,
}

impl std::fmt::Debug for TermSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermSet")
            .field("patterns", &self.terms.patterns())
            .field("automaton_bytes", &self.ac.heap_bytes())
            .field("slots", &self.slot_has_allow.len())
            .finish()
    }
}

/// One automaton match: its view byte span and its pattern's slot groups.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: u32,
    end: u32,
    groups: (u32, u32),
}

/// One message's automaton matches, in automaton order, resolved once for every slot:
/// those of term patterns and those of allow phrases.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    terms: Vec<Hit>,
    allows: Vec<Hit>,
}

impl TermSet {
    /// Runs the automaton over `view` once.
    pub fn scan(&self, view: &Normalized) -> Scan {
        // Room for the usual few matches without regrowing.
        let mut scan = Scan {
            terms: Vec::with_capacity(16),
            allows: Vec::new(),
        };
        for m in self.ac.find_overlapping_iter(view.as_str()) {
            let (start, end, p) = (m.start() as u32, m.end() as u32, m.value());
            let groups = self.terms.of_pattern(p);
            if groups.0 < groups.1 {
                scan.terms.push(Hit { start, end, groups });
            }
            let groups = self.allows.of_pattern(p);
            if groups.0 < groups.1 {
                scan.allows.push(Hit { start, end, groups });
            }
        }
        scan
    }

    /// Matches of `slot` in `view` as view byte ranges, its allow-listed ones removed.
    pub fn find(&self, slot: u32, view: &Normalized, scan: &Scan) -> Vec<(usize, usize)> {
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for h in &scan.terms {
            let (s, e) = (h.start as usize, h.end as usize);
            let mine = self.terms.of_slot(h.groups, slot);
            if mine.iter().any(|v| v.accepts(&self.runs, view, s, e)) {
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
            .allows
            .iter()
            .map(|h| (h.start as usize, h.end as usize, h.groups))
            .filter(|&(s, e, groups)| {
                self.allows
                    .of_slot(groups, slot)
                    .iter()
                    .any(|&r| runs_cover(view, s, e, runs_in(&self.runs, r)))
            })
            .map(|(s, e, _)| (s, e))
            .collect();
        hits.retain(|&(s, e)| !allowed.iter().any(|&(a, b)| a <= s && e <= b));
        hits
    }

    /// The slots pattern `p` is a term of, and those it is an allow phrase of.
    #[cfg(test)]
    fn slots_of(&self, p: u32) -> (Vec<u32>, Vec<u32>) {
        fn slots<T>(g: &Grouped<T>, p: u32) -> Vec<u32> {
            let (a, b) = g.of_pattern(p);
            g.slots[a as usize..b as usize]
                .iter()
                .map(|&(s, ..)| s)
                .collect()
        }
        (slots(&self.terms, p), slots(&self.allows, p))
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
        assert_eq!(set.terms.patterns(), 2);
        assert_eq!(set.slots_of(0), (vec![0, 1, 2], vec![]));
        assert_eq!(set.slots_of(1), (vec![], vec![0]));
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
        assert_eq!(set.terms.patterns(), 2, "`assassin` and `ass`");
        assert_eq!(
            set.slots_of(0),
            (vec![0], vec![1]),
            "`assassin` has both roles"
        );
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
        assert!(b.patterns.len() == 0 && b.variants.is_empty() && b.allows.is_empty());
        assert_eq!(b.slots, 0);
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
