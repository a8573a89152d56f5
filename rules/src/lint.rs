//! Lints for `rules check`: keyword terms that occur inside common English words
//! (allow-list-worthy collisions, the Scunthorpe problem).

use aho_corasick::{AhoCorasick, MatchKind};

use crate::error::Location;
use crate::pack::MatchMode;
use crate::PackSet;

/// A term that occurs inside dictionary words its rule would match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The term as written.
    pub term: String,
    /// Where it was written.
    pub at: Location,
    /// Up to `limit` dictionary words it would hit.
    pub words: Vec<String>,
}

/// Finds terms (in prefix, suffix or substring mode) that hit words of `dictionary`
/// (one word per line, e.g. `/usr/share/dict/words`), ignoring words already on the
/// rule's allow list.
pub fn dictionary_collisions(packs: &PackSet, dictionary: &str, limit: usize) -> Vec<Collision> {
    let terms = packs.keyword_terms_with_modes();
    let cores: Vec<(String, MatchMode)> = terms
        .iter()
        .map(|(t, _, mode, _)| {
            let lead = t.starts_with('*');
            let trail = t.len() > 1 && t.ends_with('*');
            let m = match (lead, trail) {
                (true, true) => MatchMode::Substring,
                (false, true) => MatchMode::Prefix,
                (true, false) => MatchMode::Suffix,
                _ => *mode,
            };
            (t.trim_matches('*').to_lowercase(), m)
        })
        .collect();
    let Ok(ac) = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(cores.iter().map(|(c, _)| c.as_str()))
    else {
        return Vec::new();
    };
    let all_cores: std::collections::HashSet<&str> =
        cores.iter().map(|(c, _)| c.as_str()).collect();
    let mut hits: Vec<Vec<String>> = vec![Vec::new(); cores.len()];
    for word in dictionary
        .lines()
        .map(str::trim)
        .filter(|w| w.len() > 2 && !w.contains('\''))
    {
        let lw = word.to_lowercase();
        for m in ac.find_overlapping_iter(&lw) {
            let i = m.pattern().as_usize();
            let Some((core, mode)) = cores.get(i) else {
                continue;
            };
            if lw == *core
                || all_cores.contains(lw.as_str())
                || is_inflection(&lw, m.start(), m.end())
            {
                continue;
            }
            let hit = match mode {
                MatchMode::Word => false,
                MatchMode::Prefix => m.start() == 0,
                MatchMode::Suffix => m.end() == lw.len(),
                MatchMode::Substring => true,
            };
            let allowed = terms
                .get(i)
                .is_some_and(|(_, _, _, allow)| allow.iter().any(|a| a.to_lowercase() == lw));
            if hit && !allowed && !hits[i].contains(&lw) {
                hits[i].push(lw.clone());
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    terms
        .into_iter()
        .zip(hits)
        .filter(|(_, w)| !w.is_empty())
        .filter(|((term, at, _, _), _)| seen.insert((term.clone(), at.to_string())))
        .map(|((term, at, _, _), mut words)| {
            words.truncate(limit);
            Collision { term, at, words }
        })
        .collect()
}

/// Endings that make a word an inflection of the term itself (`fucks`, `shitty`):
/// those are as bad as the term and not allow-list candidates.
const INFLECTIONS: &[&str] = &[
    "s", "es", "ed", "d", "er", "ers", "ing", "in", "y", "ier", "iest", "iness", "ish", "ize",
    "ized", "izes", "izing", "ly", "ty", "tier", "tiest", "ting", "ted", "house", "houses",
];

fn is_inflection(word: &str, start: usize, end: usize) -> bool {
    start == 0
        && word
            .get(end..)
            .is_some_and(|rest| INFLECTIONS.contains(&rest))
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
        let dict = "assassin\nassess\nScunthorpe\nhello\nhell\nclass\n";
        let c = dictionary_collisions(&packs, dict, 5);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].term, "ass*");
        assert_eq!(c[0].words, vec!["assess"]);
        assert_eq!(c[0].at.line, 3);
        assert_eq!(c[1].words, vec!["scunthorpe"]);
    }
}
