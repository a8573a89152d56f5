//! Collision lint per lexicon language: which ordinary words of a real word list the
//! language's terms would fire on, with the exact matching of a lexicon rule (script-aware
//! word mode, every transform, the entries' allow phrases). Korean uses Debian
//! `hunspell-ko` (`/usr/share/hunspell/ko.dic`, `word/flags` lines), Japanese the surface
//! forms of Debian `mecab-ipadic` (`/usr/share/mecab/dic/ipadic/*.csv`, EUC-JP, first
//! column; convert to UTF-8 first). Run: `cargo run -p rules --example lexicon_lint`.

use std::collections::BTreeMap;

use crate::error::Location;
use crate::keywords::KeywordMatcher;
use crate::lexicon::{self, Category, Lang};
use crate::normalize::{Normalizer, Transforms};
use crate::pack::MatchMode;
use crate::RulesError;

/// Dictionary words (one per line; anything after `/`, `,` or a TAB is ignored) that the
/// terms of `lang` match, grouped by the normalised matched text, at most `limit` words
/// each, most-hit terms first.
pub fn collisions(
    lang: Lang,
    dictionary: &str,
    limit: usize,
) -> Result<Vec<(String, Vec<String>)>, RulesError> {
    let (terms, allow) = lexicon::select(&[lang], &Category::ALL, lexicon::Severity::Mild, "lint")?;
    let m = KeywordMatcher::compile(
        &terms,
        &allow,
        MatchMode::Word,
        Transforms::ALL,
        &Location::default(),
    )?;
    let mut hits: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // One set of buffers for the whole dictionary.
    let mut normalizer = Normalizer::default();
    for word in dictionary
        .lines()
        .filter_map(|l| l.split(['/', ',', '\t']).next())
        .map(str::trim)
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
    {
        let v = normalizer.view(word, Transforms::ALL);
        for (s, e) in m.find(v) {
            let key = v.as_str().get(s..e).unwrap_or_default().to_string();
            let list = hits.entry(key).or_default();
            if list.len() < limit && !list.iter().any(|w| w == word) {
                list.push(word.to_string());
            }
        }
    }
    let mut out: Vec<(String, Vec<String>)> = hits.into_iter().collect();
    out.sort_by_key(|(_, w)| std::cmp::Reverse(w.len()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_a_term_would_hit_and_respects_allow_phrases() {
        let ko = Lang::from_code("ko").unwrap();
        let c = collisions(ko, "시발점/10\n안녕하세요/20\n시발놈\n애자일\n", 5).unwrap();
        let words: std::collections::BTreeSet<&str> = c
            .iter()
            .flat_map(|(_, w)| w.iter().map(String::as_str))
            .collect();
        // 시발놈 is hit (by 시발 and by 시발놈); 시발점 and 애자일 are allow-listed.
        assert_eq!(
            words.into_iter().collect::<Vec<_>>(),
            vec!["시발놈"],
            "{c:?}"
        );
    }
}
