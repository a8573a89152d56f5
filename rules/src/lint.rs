//! Lints for `rules check`: keyword and lexicon terms that would hit innocent dictionary
//! words (the Scunthorpe problem).
//!
//! Every dictionary word goes through the rule's own normalisation and compiled matcher,
//! allow list included, so a reported word is one the rule would really act on. Words
//! that are themselves a term, or a term plus an inflection (`fucks`, `bullshitted`),
//! are as bad as the term and not reported.

use std::collections::{BTreeMap, HashSet};

use crate::error::Location;
use crate::keywords::{parse_wildcards, runs_cover, KeywordMatcher};
use crate::normalize::Normalizer;
use crate::pack::MatchMode;
use crate::termset::prepare;
use crate::PackSet;

/// A term that would hit dictionary words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The term as written (with its `*` wildcards).
    pub term: String,
    /// Where it was written (pack, term file or `lexicon/<lang>.tsv` line).
    pub at: Location,
    /// Up to `limit` dictionary words it would hit, in dictionary order.
    pub words: Vec<String>,
}

/// Finds terms of every keyword and lexicon rule that hit words of `dictionary` (one
/// word per line, e.g. `/usr/share/dict/words`); words the rule's allow list covers are
/// not hits. Rules that do not compile are skipped (compiling reports them).
pub fn dictionary_collisions(packs: &PackSet, dictionary: &str, limit: usize) -> Vec<Collision> {
    let words: Vec<String> = dictionary
        .lines()
        .map(str::trim)
        .filter(|w| w.chars().count() > 2 && !w.contains('\''))
        .map(str::to_lowercase)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let rules: Vec<_> = packs.term_rules().collect();
    // Cores of every term of every rule: a word equal to one (or one plus an inflection)
    // is itself bad.
    let cores: HashSet<String> = rules
        .iter()
        .flat_map(|r| r.loaded_terms.iter())
        .map(|t| t.text.trim_matches('*').to_lowercase())
        .collect();
    let mut out: BTreeMap<(String, String, usize), Collision> = BTreeMap::new();
    let mut seen_rules = HashSet::new();
    for rule in rules {
        let transforms = rule.transforms.unwrap_or_default();
        let mode = rule.match_mode.unwrap_or(MatchMode::Word);
        let key = (
            format!("{mode:?}{transforms:?}"),
            rule.loaded_terms
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        if !seen_rules.insert(key) {
            continue;
        }
        let Ok(matcher) = KeywordMatcher::compile(
            &rule.loaded_terms,
            &rule.loaded_allow,
            mode,
            transforms,
            &rule.at,
        ) else {
            continue;
        };
        // Normalised key of every term -> (term, its mode, its run lengths).
        let mut by_key: BTreeMap<String, Vec<(usize, MatchMode, Vec<u32>)>> = BTreeMap::new();
        for (i, t) in rule.loaded_terms.iter().enumerate() {
            let (core, m) = parse_wildcards(&t.text, mode);
            let p = prepare(core, transforms);
            by_key.entry(p.key).or_default().push((i, m, p.runs));
        }
        // One set of buffers for the whole word list.
        let mut normalizer = Normalizer::default();
        for word in &words {
            if is_term_or_inflection(word, &cores) {
                continue;
            }
            let view = normalizer.view(word, transforms);
            for (s, e) in matcher.find(view) {
                let Some(hit) = view.as_str().get(s..e) else {
                    continue;
                };
                for (i, m, runs) in by_key.get(hit).into_iter().flatten() {
                    let Some(t) = rule.loaded_terms.get(*i) else {
                        continue;
                    };
                    let bounds = match m {
                        MatchMode::Word => view.word_start(s) && view.word_end(e),
                        MatchMode::Prefix => view.word_start(s),
                        MatchMode::Suffix => view.word_end(e),
                        MatchMode::Substring => true,
                    };
                    if !bounds || !runs_cover(view, s, e, runs) {
                        continue;
                    }
                    if s == 0
                        && inflects(word, &t.text.trim_matches('*').to_lowercase(), INFLECTIONS)
                    {
                        continue;
                    }
                    let c = out
                        .entry((t.at.file.clone(), t.text.clone(), t.at.line))
                        .or_insert_with(|| Collision {
                            term: t.text.clone(),
                            at: t.at.clone(),
                            words: Vec::new(),
                        });
                    if c.words.len() < limit && !c.words.contains(word) {
                        c.words.push(word.clone());
                    }
                }
            }
        }
    }
    out.into_values().collect()
}

/// Endings that make a word an inflection of the term it starts with (`fucks`,
/// `shitty`): those are as bad as the term and not allow-list candidates.
const INFLECTIONS: &[&str] = &[
    "s", "es", "ed", "d", "er", "ers", "ing", "in", "y", "ier", "iest", "iness", "ish", "ize",
    "ized", "izes", "izing", "ly", "ty", "tier", "tiest", "ting", "ted", "tted", "tting", "house",
    "houses",
];

/// Endings that make a word an inflection of ANY term (`bullshits`). Shorter than
/// [`INFLECTIONS`]: `nig` + `er` is the country Niger.
const ANY_TERM_INFLECTIONS: &[&str] = &[
    "s", "es", "ed", "ing", "in", "y", "ies", "ier", "iest", "ted", "tier", "tiest", "ting",
];

/// Whether `word` is `core` plus one of `endings`. A single letter doubling the last
/// one is not an ending (`asses` + `s` is `assess`; `bullshit` + `ted` is fine).
fn inflects(word: &str, core: &str, endings: &[&str]) -> bool {
    word.strip_prefix(core)
        .is_some_and(|rest| endings.contains(&rest) && !(rest.len() == 1 && core.ends_with(rest)))
}

fn is_term_or_inflection(word: &str, cores: &HashSet<String>) -> bool {
    cores.contains(word)
        || ANY_TERM_INFLECTIONS.iter().any(|suffix| {
            word.strip_suffix(suffix).is_some_and(|stem| {
                !stem.is_empty() && cores.contains(stem) && inflects(word, stem, &[suffix])
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scunthorpe_collisions_and_respects_allow() {
        let src = r#"
[[rules]]
id = "p"
kind = "keywords"
action = "mask"
terms = ["ass*", "*cunt*", "hell"]
allow = ["assassin"]
"#;
        let packs = PackSet::from_toml_str(src, "p.toml", None).unwrap();
        let dict = "assassin\nassess\nScunthorpe\nhello\nhell\nclass\nasses\n";
        let c = dictionary_collisions(&packs, dict, 5);
        assert_eq!(c.len(), 2, "{c:?}");
        let ass = c.iter().find(|c| c.term == "ass*").unwrap();
        assert_eq!(ass.words, vec!["assess"]);
        assert_eq!(ass.at.line, 3);
        let cunt = c.iter().find(|c| c.term == "*cunt*").unwrap();
        assert_eq!(cunt.words, vec!["scunthorpe"]);
    }

    #[test]
    fn word_terms_collide_through_normalisation_and_name_the_tsv_line() {
        // `hel` in word mode would hit `hell` (repeat collapse keeps runs: no) and `he'll`
        // is skipped; `sh it` style joins do not apply to single words. A lexicon rule
        // reports `lexicon/en.tsv:<line>`.
        let src = "[[rules]]\nid = \"l\"\nkind = \"lexicon\"\naction = \"mask\"\ncategories = [\"profanity\"]\n";
        let packs = PackSet::from_toml_str(src, "p.toml", None).unwrap();
        let c = dictionary_collisions(&packs, "shiitake\nmishit\ncrap\nscrap\nclassic\n", 5);
        assert!(c.is_empty(), "{c:?}");
        let src =
            "[[rules]]\nid = \"k\"\nkind = \"keywords\"\naction = \"mask\"\nterms = [\"*crap*\"]\n";
        let packs = PackSet::from_toml_str(src, "p.toml", None).unwrap();
        let c = dictionary_collisions(&packs, "crap\nscrap\ncraps\nskyscraper\n", 5);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].words, vec!["scrap", "skyscraper"]);
    }
}
