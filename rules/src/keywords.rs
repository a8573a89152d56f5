//! Keyword rules: many terms matched in one aho-corasick pass over the normalised view,
//! with per-term match modes and an allow list checked on the same view.
//!
//! `word` mode is script-aware (see `script.rs`): Han/Kana/Thai terms match inside text,
//! Hangul terms at the start of an eojeol with any ending, others on word boundaries.
//! With the `initials` transform a Hangul term of two or more syllables also matches its
//! initial consonants (`시발` → `ㅅㅂ`), except the abbreviations in
//! [`INNOCENT_INITIALS`] that everyday chat uses for something else.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::error::Location;
use crate::hangul;
use crate::normalize::{normalize, Normalized, Transforms};
use crate::pack::{MatchMode, SourcedTerm};
use crate::script::WordRule;
use crate::RulesError;

/// Initial-consonant abbreviations of everyday chat (`ㅇㅇ` yes, `ㄱㅅ` thanks, `ㅈㅅ`
/// sorry, `ㅎㅇ` hi, `ㅈㅂ` please ...): never generated from a term.
pub(crate) const INNOCENT_INITIALS: &[&str] = &[
    "ㅇㅇ",
    "ㅋㅋ",
    "ㅎㅎ",
    "ㄱㄱ",
    "ㄴㄴ",
    "ㅇㅋ",
    "ㄱㅅ",
    "ㅈㅅ",
    "ㅊㅋ",
    "ㅂㅂ",
    "ㅃㅇ",
    "ㅎㅇ",
    "ㄷㄷ",
    "ㅅㄱ",
    "ㅁㄹ",
    "ㅇㄷ",
    "ㅇㅈ",
    "ㄹㅇ",
    "ㅈㄱ",
    "ㄱㅊ",
    "ㅊㅊ",
    "ㄱㄴ",
    "ㅈㅂ",
    "ㅂㄱ",
    "ㅅㄹ",
    "ㄴㄷ",
    "ㅁㅇ",
    "ㅇㄴ",
    "ㄱㄷ",
    "ㅎㄹ",
    "ㅂㅇ",
    "ㅁㅈ",
    "ㅇㅎ",
    "ㄴㅇ",
    "ㅇㅁ",
    "ㄱㅇㅇ",
    "ㅇㄱㄹㅇ",
    "ㅊㄱ",
    "ㅍㅌ",
    "ㄷㅈ",
    "ㅅㅎ",
    "ㅎㅂ",
    "ㄱㅂ",
    "ㅈㅇ",
    "ㄴㄱ",
    "ㅁㅁ",
    "ㅅㅅㅅ",
    "ㄱㅁ",
    "ㅇㅂ",
    "ㄷㄱ",
    "ㅂㅈ",
    "ㅈㄹ_",
    "ㅎㄷㄷ",
    "ㅂㄷㅂㄷ",
    "ㄱㅇ",
    "ㅈㅈ",
    "ㅅㅇ",
    "ㅌㅌ",
];

/// One way a normalised pattern may match.
#[derive(Debug, Clone)]
struct Variant {
    mode: MatchMode,
    /// Minimum run length of each view character (repeat collapse).
    runs: Vec<u32>,
    /// Delimiters of a `word`-mode match, by script.
    word: WordRule,
}

/// Compiled keyword matcher of one rule.
#[derive(Debug, Clone)]
pub(crate) struct KeywordMatcher {
    ac: AhoCorasick,
    variants: Vec<Vec<Variant>>,
    allow: Option<(AhoCorasick, Vec<Vec<u32>>)>,
}

/// Splits `*` wildcards off a term: `ass*` → prefix, `*ing` → suffix, `*x*` → substring.
pub(crate) fn parse_wildcards(term: &str, default: MatchMode) -> (&str, MatchMode) {
    let lead = term.starts_with('*');
    let trail = term.len() > 1 && term.ends_with('*');
    let core = term.trim_start_matches('*').trim_end_matches('*');
    let mode = match (lead, trail) {
        (true, true) => MatchMode::Substring,
        (false, true) => MatchMode::Prefix,
        (true, false) => MatchMode::Suffix,
        (false, false) => default,
    };
    (core, mode)
}

fn bad(at: &Location, message: String) -> RulesError {
    RulesError::Invalid {
        at: at.clone(),
        message,
    }
}

impl KeywordMatcher {
    /// Compiles terms and allow phrases under `transforms`.
    pub fn compile(
        terms: &[SourcedTerm],
        allow: &[SourcedTerm],
        mode: MatchMode,
        transforms: Transforms,
        rule_at: &Location,
    ) -> Result<KeywordMatcher, RulesError> {
        if terms.is_empty() {
            return Err(bad(
                rule_at,
                "keywords rule has no terms (expected `terms` or `terms_file`)".into(),
            ));
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut variants: Vec<Vec<Variant>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for t in terms {
            let (core, m) = parse_wildcards(&t.text, mode);
            if core.contains('*') {
                return Err(bad(
                    &t.at,
                    format!("term `{}`: `*` is only allowed at either end", t.text),
                ));
            }
            let view = normalize(core, transforms);
            let key = view.as_str().trim().to_string();
            if key.is_empty() || !key.chars().any(char::is_alphanumeric) {
                return Err(bad(
                    &t.at,
                    format!(
                        "term `{}` is empty after normalisation (expected a word)",
                        t.text
                    ),
                ));
            }
            let runs = view.all_runs();
            let lead = view.as_str().len() - view.as_str().trim_start().len();
            let runs = runs
                .get(lead..lead + key.chars().count())
                .map(<[u32]>::to_vec)
                .unwrap_or_default();
            let word = WordRule::for_term(&key);
            if transforms.initials && m == MatchMode::Word {
                if let Some(abbrev) = initials_of(&key) {
                    let v = normalize(&abbrev, transforms);
                    let akey = v.as_str().to_string();
                    let slot = slot_of(&mut index, &mut patterns, &mut variants, akey);
                    variants[slot].push(Variant {
                        mode: MatchMode::Word,
                        runs: v.all_runs(),
                        word: WordRule::initials(),
                    });
                }
            }
            let slot = slot_of(&mut index, &mut patterns, &mut variants, key);
            variants[slot].push(Variant {
                mode: m,
                runs,
                word,
            });
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| bad(rule_at, format!("cannot build term automaton: {e}")))?;
        let allow = if allow.is_empty() {
            None
        } else {
            let mut pats = Vec::new();
            let mut runs = Vec::new();
            for a in allow {
                let v = normalize(&a.text, transforms);
                let key = v.as_str().trim();
                if key.is_empty() {
                    return Err(bad(
                        &a.at,
                        format!("allow phrase `{}` is empty after normalisation", a.text),
                    ));
                }
                let lead = v.as_str().len() - v.as_str().trim_start().len();
                runs.push(
                    v.all_runs()
                        .get(lead..lead + key.chars().count())
                        .map(<[u32]>::to_vec)
                        .unwrap_or_default(),
                );
                pats.push(key.to_string());
            }
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&pats)
                .map_err(|e| bad(rule_at, format!("cannot build allow-list automaton: {e}")))?;
            Some((ac, runs))
        };
        Ok(KeywordMatcher {
            ac,
            variants,
            allow,
        })
    }

    /// Matches in `view` as view byte ranges, allow-listed ones removed.
    pub fn find(&self, view: &Normalized) -> Vec<(usize, usize)> {
        let text = view.as_str();
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for m in self.ac.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let Some(vs) = self.variants.get(m.pattern().as_usize()) else {
                continue;
            };
            let ok = vs.iter().any(|v| {
                let bounds = match v.mode {
                    MatchMode::Word => v.word.accepts(text, s, e),
                    MatchMode::Prefix => view.word_start(s),
                    MatchMode::Suffix => view.word_end(e),
                    MatchMode::Substring => true,
                };
                bounds && runs_cover(view, s, e, &v.runs)
            });
            if ok {
                hits.push((s, e));
            }
        }
        if hits.is_empty() {
            return hits;
        }
        if let Some((ac, runs)) = &self.allow {
            let allowed: Vec<(usize, usize)> = ac
                .find_overlapping_iter(text)
                .filter(|m| {
                    runs.get(m.pattern().as_usize())
                        .is_some_and(|r| runs_cover(view, m.start(), m.end(), r))
                })
                .map(|m| (m.start(), m.end()))
                .collect();
            hits.retain(|&(s, e)| !allowed.iter().any(|&(a, b)| a <= s && e <= b));
        }
        hits
    }
}

/// The pattern slot of `key`, added when new.
fn slot_of(
    index: &mut std::collections::HashMap<String, usize>,
    patterns: &mut Vec<String>,
    variants: &mut Vec<Vec<Variant>>,
    key: String,
) -> usize {
    *index.entry(key.clone()).or_insert_with(|| {
        patterns.push(key);
        variants.push(Vec::new());
        patterns.len() - 1
    })
}

/// The initial consonants of a key made only of two or more Hangul syllables, unless
/// they are an everyday abbreviation.
fn initials_of(key: &str) -> Option<String> {
    let abbrev: String = key.chars().map(hangul::initial).collect::<Option<_>>()?;
    (abbrev.chars().count() >= 2 && !INNOCENT_INITIALS.contains(&abbrev.as_str())).then_some(abbrev)
}

/// Whether the view's run lengths over `[s, e)` are at least `need`, position by position.
pub(crate) fn runs_cover(view: &Normalized, s: usize, e: usize, need: &[u32]) -> bool {
    view.runs(s, e).zip(need.iter()).all(|(have, &n)| have >= n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(ts: &[&str]) -> Vec<SourcedTerm> {
        ts.iter()
            .map(|t| SourcedTerm {
                text: t.to_string(),
                at: Location::default(),
            })
            .collect()
    }

    fn hits(ts: &[&str], allow: &[&str], text: &str) -> Vec<String> {
        let m = KeywordMatcher::compile(
            &terms(ts),
            &terms(allow),
            MatchMode::Word,
            Transforms::ALL,
            &Location::default(),
        )
        .unwrap();
        let v = normalize(text, Transforms::ALL);
        m.find(&v)
            .into_iter()
            .map(|(s, e)| {
                let (a, b) = v.source_span(s, e).unwrap();
                text[a..b].to_string()
            })
            .collect()
    }

    #[test]
    fn whole_word_by_default() {
        assert_eq!(hits(&["ass"], &[], "you ass"), vec!["ass"]);
        assert!(hits(&["ass"], &[], "assassin classic bass as").is_empty());
    }

    #[test]
    fn run_lengths_prevent_collapse_collisions() {
        assert!(hits(&["ass"], &[], "as far as").is_empty());
        assert_eq!(hits(&["ass"], &[], "a$$$"), vec!["a$$$"]);
        assert_eq!(hits(&["fuck"], &[], "fuuuuck"), vec!["fuuuuck"]);
    }

    #[test]
    fn wildcard_modes() {
        assert_eq!(hits(&["ass*"], &[], "asshat"), vec!["ass"]);
        assert!(hits(&["ass*"], &[], "bass").is_empty());
        assert_eq!(hits(&["*hole"], &[], "butthole"), vec!["hole"]);
        assert!(hits(&["*hole"], &[], "holes").is_empty());
        assert_eq!(hits(&["*cunt*"], &[], "xcuntx"), vec!["cunt"]);
    }

    #[test]
    fn scunthorpe_allow_list() {
        assert!(hits(&["*cunt*"], &["scunthorpe"], "Welcome to Scunthorpe!").is_empty());
        assert!(hits(
            &["ass*"],
            &["assassin", "assess"],
            "the assassin will assess"
        )
        .is_empty());
        assert_eq!(
            hits(&["ass*"], &["assassin"], "assassin asshat"),
            vec!["ass"]
        );
    }

    #[test]
    fn evasions_are_caught() {
        for text in [
            "f.u.c.k",
            "f u c k",
            "f_u-c*k",
            "FUCK",
            "ｆｕｃｋ",
            "fu\u{200B}ck",
            "f̸u̞c̴k",
            "fцck",
            "phuck",
        ] {
            let h = hits(&["fuck", "phuck"], &[], text);
            assert_eq!(h.len(), 1, "{text}: {h:?}");
        }
        assert_eq!(hits(&["shit"], &[], "$h1t"), vec!["$h1t"]);
    }

    #[test]
    fn phrases_match_across_spaces() {
        assert_eq!(
            hits(&["kill yourself"], &[], "go  kill   yourself"),
            vec!["kill   yourself"]
        );
    }

    #[test]
    fn script_aware_word_mode() {
        assert_eq!(hits(&["死ね"], &[], "お前死ねよ"), vec!["死ね"]);
        assert_eq!(hits(&["시발"], &[], "이 시발놈아"), vec!["시발"]);
        assert_eq!(hits(&["병신"], &[], "병신같은 소리"), vec!["병신"]);
        assert!(hits(&["시발"], &["시발점"], "시발점에서 출발").is_empty());
        assert!(hits(&["시발"], &[], "하시발").is_empty());
        assert_eq!(hits(&["시발"], &[], "아 시 발"), vec!["시 발"]);
        assert_eq!(hits(&["썅"], &[], "야 썅"), vec!["썅"]);
        assert!(hits(&["死ね", "시발"], &[], "今日はいい天気ですね 안녕하세요").is_empty());
    }

    #[test]
    fn initials_match_hangul_terms() {
        assert_eq!(hits(&["시발"], &[], "ㅅㅂ 진짜"), vec!["ㅅㅂ"]);
        assert_eq!(hits(&["시발"], &[], "ㅅㅂㅋㅋㅋ"), vec!["ㅅㅂ"]);
        assert_eq!(hits(&["병신"], &[], "ㅄ"), vec!["ㅄ"]);
        // Inside a longer abbreviation or after Korean letters: no.
        assert!(hits(&["시발"], &[], "ㅇㅅㅂ").is_empty());
        assert!(hits(&["시발"], &[], "ㅅㅂㄱ").is_empty());
        // Everyday abbreviations are never generated.
        assert!(hits(&["감사"], &[], "ㄱㅅ").is_empty());
        let m = KeywordMatcher::compile(
            &terms(&["시발"]),
            &[],
            MatchMode::Word,
            Transforms {
                initials: false,
                ..Transforms::ALL
            },
            &Location::default(),
        )
        .unwrap();
        assert!(m.find(&normalize("ㅅㅂ", Transforms::ALL)).is_empty());
    }

    #[test]
    fn mixed_scripts_hit_exact_original_spans() {
        assert_eq!(
            hits(
                &["fuck", "시발", "死ね", "병신"],
                &[],
                "FUCK이야 ㅋㅋ 시1발 お前死ねよ qudtls"
            ),
            vec!["FUCK", "시1발", "死ね", "qudtls"]
        );
    }

    #[test]
    fn bad_terms_are_rejected_with_location() {
        let mut t = terms(&["a*b"]);
        t[0].at.line = 7;
        let e = KeywordMatcher::compile(
            &t,
            &[],
            MatchMode::Word,
            Transforms::ALL,
            &Location::default(),
        )
        .unwrap_err();
        assert_eq!(e.location().unwrap().line, 7);
        assert!(KeywordMatcher::compile(
            &terms(&["..."]),
            &[],
            MatchMode::Word,
            Transforms::ALL,
            &Location::default()
        )
        .is_err());
    }
}
