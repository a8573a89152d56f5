//! Keyword rules: many terms matched in one automaton pass over the normalised view,
//! with per-term match modes and an allow list checked on the same view (the automaton
//! is shared with the other rules of the view: `termset.rs`).
//!
//! `word` mode is script-aware (see `script.rs`): Han/Kana/Thai terms match inside text,
//! Hangul terms at the start of an eojeol with any ending, others on word boundaries.
//! With the `initials` transform a Hangul term of two or more syllables also matches its
//! initial consonants (`시발` → `ㅅㅂ`), except the abbreviations in
//! [`INNOCENT_INITIALS`] that everyday chat uses for something else.

use crate::error::Location;
use crate::normalize::{Normalized, Transforms};
use crate::pack::{MatchMode, SourcedTerm};
use crate::termset::{TermSet, TermSetBuilder};
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

/// Compiled keyword matcher of one rule on its own (the lints; the engine shares one
/// [`TermSet`] between the rules of a view).
#[derive(Debug)]
pub(crate) struct KeywordMatcher {
    set: TermSet,
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

impl KeywordMatcher {
    /// Compiles terms and allow phrases under `transforms`.
    pub fn compile(
        terms: &[SourcedTerm],
        allow: &[SourcedTerm],
        mode: MatchMode,
        transforms: Transforms,
        rule_at: &Location,
    ) -> Result<KeywordMatcher, RulesError> {
        let mut b = TermSetBuilder::new(transforms);
        b.add_rule(terms, allow, mode, rule_at)?;
        let set = b.finish()?.ok_or_else(|| RulesError::Invalid {
            at: rule_at.clone(),
            message: "keywords rule has no terms".into(),
        })?;
        Ok(KeywordMatcher { set })
    }

    /// Matches in `view` as view byte ranges, allow-listed ones removed.
    pub fn find(&self, view: &Normalized) -> Vec<(usize, usize)> {
        self.set.find(0, view, &self.set.scan(view))
    }
}

/// Whether the view's run lengths over `[s, e)` are at least `need`, position by position.
pub(crate) fn runs_cover(view: &Normalized, s: usize, e: usize, need: &[u32]) -> bool {
    view.runs(s, e).zip(need.iter()).all(|(have, &n)| have >= n)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::normalize::normalize;

    /// Terms without a location.
    pub(crate) fn terms(ts: &[&str]) -> Vec<SourcedTerm> {
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
