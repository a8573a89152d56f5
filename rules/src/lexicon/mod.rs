//! The bundled, curated lexicon: terms with a [`Category`], a [`Severity`], a match mode
//! and allow phrases, one TSV file per language under `rules/lexicon/`, embedded in the
//! binary. A pack's `kind = "lexicon"` rule selects entries by category, minimum
//! severity and languages (see [`select`]) and compiles them into an ordinary keyword
//! matcher, so every normalisation step and allow-list rule applies unchanged.

mod category;
mod load;

pub use category::{Category, Severity};
pub use load::{entries, parse_tsv, Entry, Lang};

use load::fold_case;

use crate::error::Location;
use crate::pack::SourcedTerm;
use crate::RulesError;

/// Keyword terms and allow phrases of the entries of `langs` whose category is in
/// `categories` and whose severity is at least `min`. Locations name `<lang>.tsv:<line>`
/// and the rule `rule`.
pub(crate) fn select(
    langs: &[Lang],
    categories: &[Category],
    min: Severity,
    rule: &str,
) -> Result<(Vec<SourcedTerm>, Vec<SourcedTerm>), RulesError> {
    let mut terms = Vec::new();
    let mut allow: Vec<SourcedTerm> = Vec::new();
    let mut seen_allow = foldhash::HashSet::default();
    for &lang in langs {
        let file = format!("lexicon/{}", lang.file_name());
        for e in entries(lang)? {
            if !categories.contains(&e.category) || e.severity < min {
                continue;
            }
            let at = Location {
                file: file.clone(),
                line: e.line,
                column: 1,
                rule: Some(rule.to_string()),
            };
            for &a in &e.allow {
                if seen_allow.insert(fold_case(a)) {
                    allow.push(SourcedTerm {
                        text: a.to_string(),
                        at: at.clone(),
                    });
                }
            }
            terms.push(SourcedTerm {
                text: e.keyword_term(),
                at,
            });
        }
    }
    Ok((terms, allow))
}
