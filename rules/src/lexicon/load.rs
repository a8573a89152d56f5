//! The language table and the TSV loader of the bundled lexicon (`rules/lexicon/<lang>.tsv`,
//! format in `rules/lexicon/README.md`).
//!
//! Every language's file is embedded with `include_str!`; [`entries`] parses it once per
//! process (on first use) and hands out the parsed entries. Bounds: the files are part of
//! the binary, so their size is fixed at build time; a line has at most 6 columns.

use std::borrow::Cow;
use std::sync::OnceLock;

use foldhash::{HashSet, HashSetExt};

use super::category::{Category, Severity};
use crate::error::Location;
use crate::pack::MatchMode;
use crate::RulesError;

/// THE language table: ISO 639-1 code and the embedded TSV text. Adding a language is
/// adding one row here (and its file under `rules/lexicon/`).
const LANGUAGES: &[(&str, &str)] = &[
    ("en", include_str!("../../lexicon/en.tsv")),
    ("ko", include_str!("../../lexicon/ko.tsv")),
    ("ja", include_str!("../../lexicon/ja.tsv")),
    ("ar", include_str!("../../lexicon/ar.tsv")),
    ("cs", include_str!("../../lexicon/cs.tsv")),
    ("da", include_str!("../../lexicon/da.tsv")),
    ("de", include_str!("../../lexicon/de.tsv")),
    ("eo", include_str!("../../lexicon/eo.tsv")),
    ("es", include_str!("../../lexicon/es.tsv")),
    ("fa", include_str!("../../lexicon/fa.tsv")),
    ("fi", include_str!("../../lexicon/fi.tsv")),
    ("fil", include_str!("../../lexicon/fil.tsv")),
    ("fr", include_str!("../../lexicon/fr.tsv")),
    ("hi", include_str!("../../lexicon/hi.tsv")),
    ("hu", include_str!("../../lexicon/hu.tsv")),
    ("it", include_str!("../../lexicon/it.tsv")),
    ("nl", include_str!("../../lexicon/nl.tsv")),
    ("no", include_str!("../../lexicon/no.tsv")),
    ("pl", include_str!("../../lexicon/pl.tsv")),
    ("pt", include_str!("../../lexicon/pt.tsv")),
    ("ru", include_str!("../../lexicon/ru.tsv")),
    ("sv", include_str!("../../lexicon/sv.tsv")),
    ("th", include_str!("../../lexicon/th.tsv")),
    ("tr", include_str!("../../lexicon/tr.tsv")),
    ("zh", include_str!("../../lexicon/zh.tsv")),
];

/// The marker line that makes a file an imported, low-confidence language.
const LOW_CONFIDENCE: &str = "#! confidence: low";

/// A language of the bundled lexicon: a validated ISO 639-1 code (one of the table's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang(usize);

impl Lang {
    /// The language for an ISO 639-1 code, if the lexicon has it.
    pub fn from_code(code: &str) -> Option<Lang> {
        LANGUAGES.iter().position(|(c, _)| *c == code).map(Lang)
    }

    /// Every language of the lexicon, in table order.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..LANGUAGES.len()).map(Lang)
    }

    /// Codes of every language, for error messages (`en, ko, ja`).
    pub fn codes() -> String {
        LANGUAGES
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        LANGUAGES.get(self.0).map_or("", |(c, _)| c)
    }

    /// The file name used in locations (`en.tsv`).
    pub fn file_name(self) -> String {
        format!("{}.tsv", self.code())
    }

    /// Whether the file starts with `#! confidence: low` (an imported list): packs only
    /// get such a language when they name it in `languages`.
    pub fn low_confidence(self) -> bool {
        LANGUAGES
            .get(self.0)
            .is_some_and(|(_, text)| is_low_confidence(text))
    }

    fn text(self) -> &'static str {
        LANGUAGES.get(self.0).map_or("", |(_, t)| t)
    }
}

fn is_low_confidence(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with('#'))
        .is_some_and(|l| l == LOW_CONFIDENCE)
}

/// One lexicon entry (one TSV line), borrowing its text from the file (the bundled
/// files are embedded, so a cold start copies no term, phrase or note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The term without `*` wildcards at its ends.
    pub term: &'a str,
    /// How it matches (from the mode column or the term's `*`).
    pub mode: MatchMode,
    /// Its category.
    pub category: Category,
    /// Its severity.
    pub severity: Severity,
    /// Allow phrases protecting innocent words around it.
    pub allow: Vec<&'a str>,
    /// Curator's note.
    pub note: &'a str,
    /// 1-based line in the file.
    pub line: usize,
}

impl Entry<'_> {
    /// The term as a keyword-rule term: wildcards from the mode (`ass*`, `*hole`,
    /// `*cunt*`). Interior `*` (self-censoring such as `f*ck`) are dropped, because the
    /// `separators` step drops them from messages too (`f*ck` is seen as `fck`).
    pub fn keyword_term(&self) -> String {
        let lead = matches!(self.mode, MatchMode::Suffix | MatchMode::Substring);
        let trail = matches!(self.mode, MatchMode::Prefix | MatchMode::Substring);
        let mut out = String::with_capacity(self.term.len() + 2);
        if lead {
            out.push('*');
        }
        out.extend(self.term.chars().filter(|&c| c != '*'));
        if trail {
            out.push('*');
        }
        out
    }
}

/// Parsed entries of a language, parsed on first use, once per process (a cold start
/// parses only the languages its packs select). Errors name
/// `<lang>.tsv:<line>:<column>`; the bundled files are checked by unit tests.
pub fn entries(lang: Lang) -> Result<&'static [Entry<'static>], RulesError> {
    /// A parsed file, or where and why it failed.
    type Parsed = Result<Vec<Entry<'static>>, (Location, String)>;
    static PARSED: OnceLock<Vec<OnceLock<Parsed>>> = OnceLock::new();
    let slots = PARSED.get_or_init(|| Lang::all().map(|_| OnceLock::new()).collect());
    let parsed = slots.get(lang.0).map(|slot| {
        slot.get_or_init(|| {
            parse_tsv(lang.text(), &lang.file_name()).map_err(|e| match e {
                RulesError::Invalid { at, message } | RulesError::Syntax { at, message } => {
                    (at, message)
                }
                other => (Location::default(), other.to_string()),
            })
        })
    });
    match parsed {
        Some(Ok(v)) => Ok(v),
        Some(Err((at, message))) => Err(RulesError::Invalid {
            at: at.clone(),
            message: message.clone(),
        }),
        None => Err(RulesError::Invalid {
            at: Location::default(),
            message: format!("no lexicon language #{}", lang.0),
        }),
    }
}

/// `text` lower-cased, for case-insensitive duplicate checks: borrowed when it is
/// lower-case ASCII already (most terms and phrases), so no copy is made.
pub(crate) fn fold_case(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// Column names, for error messages.
const COLUMNS: [&str; 6] = ["term", "category", "severity", "mode", "allow", "note"];

/// Parses one lexicon file. `file` names it in errors (`en.tsv`).
pub fn parse_tsv<'a>(text: &'a str, file: &str) -> Result<Vec<Entry<'a>>, RulesError> {
    let mut out: Vec<Entry<'a>> = Vec::new();
    let mut seen: HashSet<(Cow<str>, Category)> = HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        // The columns, without a vector per line (at most 6 are used; more is an error).
        let mut split = [""; 7];
        let mut found = 0;
        for c in line.split('\t') {
            if let Some(slot) = split.get_mut(found) {
                *slot = c;
            }
            found += 1;
        }
        let cols = &split[..found.min(split.len())];
        let col_at = |c: usize| Location {
            file: file.to_string(),
            line: line_no,
            column: cols
                .iter()
                .take(c)
                .map(|s| s.chars().count() + 1)
                .sum::<usize>()
                + 1,
            rule: None,
        };
        let err = |c: usize, msg: String| RulesError::Invalid {
            at: col_at(c),
            message: format!("column {} ({}): {msg}", c + 1, COLUMNS[c.min(5)]),
        };
        if !(3..=6).contains(&found) {
            return Err(RulesError::Invalid {
                at: col_at(0),
                message: format!(
                    "expected 3 to 6 TAB-separated columns (term, category, severity[, mode, allow, note]), found {}",
                    found
                ),
            });
        }
        let written = cols[0].trim();
        let lead = written.starts_with('*');
        let trail = written.len() > 1 && written.ends_with('*');
        let term = written.trim_start_matches('*').trim_end_matches('*');
        if term.is_empty() || !term.chars().any(char::is_alphanumeric) {
            return Err(err(
                0,
                format!("term `{written}` has no letters (expected a word)"),
            ));
        }
        let category: Category = cols[1].trim().parse().map_err(|e| err(1, e))?;
        let severity: Severity = cols[2].trim().parse().map_err(|e| err(2, e))?;
        let star_mode = match (lead, trail) {
            (true, true) => Some(MatchMode::Substring),
            (false, true) => Some(MatchMode::Prefix),
            (true, false) => Some(MatchMode::Suffix),
            (false, false) => None,
        };
        let mode_col = cols.get(3).map_or("-", |s| s.trim());
        let mode = match (mode_col, star_mode) {
            ("-" | "", m) => m.unwrap_or(MatchMode::Word),
            (name, m) => {
                let parsed = match name {
                    "word" => MatchMode::Word,
                    "prefix" => MatchMode::Prefix,
                    "suffix" => MatchMode::Suffix,
                    "substring" => MatchMode::Substring,
                    other => {
                        return Err(err(
                            3,
                            format!("unknown mode `{other}`, expected word | prefix | suffix | substring | -"),
                        ))
                    }
                };
                if m.is_some_and(|m| m != parsed) {
                    return Err(err(
                        3,
                        format!("mode `{name}` contradicts the `*` of term `{written}` (use `-`)"),
                    ));
                }
                parsed
            }
        };
        let allow_col = cols.get(4).map_or("-", |s| s.trim());
        let allow: Vec<&str> = if allow_col == "-" || allow_col.is_empty() {
            Vec::new()
        } else {
            let phrases: Vec<&str> = allow_col.split(" | ").map(str::trim).collect();
            if phrases.iter().any(|p| p.is_empty()) {
                return Err(err(
                    4,
                    "empty allow phrase (expected phrases separated by ` | `, or `-`)".into(),
                ));
            }
            phrases
        };
        if !seen.insert((fold_case(term), category)) {
            return Err(err(
                0,
                format!("duplicate term `{term}` in category `{category}` (expected once per language and category)"),
            ));
        }
        out.push(Entry {
            term,
            mode,
            category,
            severity,
            allow,
            note: cols.get(5).map_or("", |s| s.trim()),
            line: line_no,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_format_example() {
        let src = "# term\tcategory\n\
                   fuck*\tprofanity\t2\t-\t-\tinflections\n\
                   ass\tprofanity\t1\tword\t-\n\
                   *nigger*\tidentity_hate\t3\t-\t-\n\
                   kys\tself_harm\t3\tword\t-\n\
                   cock\tsexual\t2\tword\tcockpit | cocktail | peacock\n\
                   f*ck\tprofanity\t2\n";
        let e = parse_tsv(src, "en.tsv").unwrap();
        assert_eq!(e.len(), 6);
        assert_eq!(
            (e[0].mode, e[0].term, e[0].line),
            (MatchMode::Prefix, "fuck", 2)
        );
        assert_eq!(e[2].mode, MatchMode::Substring);
        assert_eq!(e[2].keyword_term(), "*nigger*");
        assert_eq!(e[4].allow, vec!["cockpit", "cocktail", "peacock"]);
        assert_eq!(e[4].severity, Severity::Moderate);
        assert_eq!(e[5].keyword_term(), "fck");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let cases = [
            (
                "ok\tprofanity\t1\nbad\tslurs\t2\n",
                2,
                5,
                "column 2 (category)",
            ),
            ("x\tprofanity\t5\n", 1, 13, "column 3 (severity)"),
            ("x\tprofanity\t1\tfuzzy\n", 1, 15, "column 4 (mode)"),
            ("x*\tprofanity\t1\tword\n", 1, 16, "contradicts"),
            ("x\tprofanity\t1\t-\ta |  | b\n", 1, 17, "column 5 (allow)"),
            ("x\tprofanity\n", 1, 1, "3 to 6"),
            (
                "x\tprofanity\t1\t-\t-\tnote\textra\tmore\n",
                1,
                1,
                "found 8",
            ),
            ("x\tprofanity\t1\nX\tprofanity\t2\n", 2, 1, "duplicate"),
            ("***\tprofanity\t1\n", 1, 1, "column 1 (term)"),
        ];
        for (src, line, col, what) in cases {
            let e = parse_tsv(src, "en.tsv").unwrap_err();
            let at = e.location().unwrap();
            assert_eq!(
                (at.file.as_str(), at.line, at.column),
                ("en.tsv", line, col),
                "{src:?}: {e}"
            );
            assert!(e.to_string().contains(what), "{src:?}: {e}");
        }
        // The same term in two categories is fine.
        assert!(parse_tsv("x\tprofanity\t1\nx\tsexual\t1\n", "en.tsv").is_ok());
    }

    #[test]
    fn low_confidence_marker_is_the_first_comment() {
        assert!(is_low_confidence(
            "#! confidence: low\n# term\nx\tprofanity\t1\n"
        ));
        assert!(!is_low_confidence("# term\n#! confidence: low\n"));
    }

    #[test]
    fn every_bundled_language_loads() {
        for lang in Lang::all() {
            let e = entries(lang).unwrap_or_else(|e| panic!("{e}"));
            assert!(!e.is_empty(), "{}", lang.code());
        }
        assert_eq!(Lang::from_code("en").map(Lang::code), Some("en"));
        assert!(Lang::from_code("xx").is_none());
    }
}
