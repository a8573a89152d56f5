//! The rule-pack file format (TOML) and its loader.
//!
//! A pack file holds `version = 1`, optional `[settings]`, an ordered list of `[[rules]]`,
//! optional `[[rooms]]` overrides selected by `RoomArn`, and optional `[packs]` naming
//! further pack files (same format, without `rooms`/`packs`) that rooms can select.
//! Large term lists live in separate files (`terms_file`, one term per line, `#`
//! comments), resolved relative to the pack file. See `rules/README.md` for the format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::action::Action;
use crate::error::Location;
use crate::lexicon::{self, Category, Lang, Severity};
use crate::normalize::Transforms;
use crate::RulesError;

/// The pack compiled into the binary, used when nothing is configured.
const BUNDLED_DEFAULT: &str = include_str!("../packs/default.toml");

/// What to answer when the request cannot be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    /// ALLOW the original content (clamped to the maximum length).
    Allow,
    /// DENY with the configured fail reason.
    Deny,
}

/// What to do with an original message longer than the maximum length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TooLong {
    /// DENY with `too_long_reason`.
    Deny,
    /// Cut at the last whole grapheme cluster that fits.
    Truncate,
}

/// Pack-wide (or room-wide) settings; every field optional so rooms can override some.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsDef {
    pub max_length: Option<usize>,
    pub fail: Option<FailMode>,
    pub fail_reason: Option<String>,
    pub deny_reason: Option<String>,
    pub empty_reason: Option<String>,
    pub too_long: Option<TooLong>,
    pub too_long_reason: Option<String>,
    pub mask: Option<String>,
    pub expose_rule_ids: Option<bool>,
    pub rule_ids_attribute: Option<String>,
    // stateful rules
    pub state_unavailable: Option<StateUnavailable>,
    pub counter_shards: Option<u16>,
    pub display_name_attribute: Option<String>,
}

/// What stateful rules do when the store does not answer (`state_unavailable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateUnavailable {
    /// Skip the stateful rules; the stateless verdict stands (default).
    #[default]
    Skip,
    /// Answer the pack's fail decision.
    Fail,
}

/// A duration in a pack: `"10s"`, `"5m"`, `"1h"`, `"2d"` or a number of seconds, at
/// most [`crate::state::MAX_DURATION`]; held in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DurationDef(pub crate::state::Millis);

impl<'de> Deserialize<'de> for DurationDef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Secs(n) => n.to_string(),
            Raw::Text(t) => t,
        };
        crate::state::parse_duration(&text).map(DurationDef).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration (expected e.g. \"30s\", \"10m\", \"1h\", \"2d\" or seconds; more than 0, at most 30d)"
            ))
        })
    }
}

/// One `thresholds` entry of a strikes rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThresholdDef {
    pub strikes: f64,
    pub mute: DurationDef,
    #[serde(default)]
    pub disconnect: bool,
}

/// Whose messages a rate rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RatePer {
    /// Each user's (exact sliding window over their recent messages).
    #[default]
    User,
    /// Each IP address's (fixed windows of `window`).
    Ip,
}

impl SettingsDef {
    /// `other`'s fields win where set.
    pub fn overlay(&self, other: &SettingsDef) -> SettingsDef {
        SettingsDef {
            max_length: other.max_length.or(self.max_length),
            fail: other.fail.or(self.fail),
            fail_reason: other
                .fail_reason
                .clone()
                .or_else(|| self.fail_reason.clone()),
            deny_reason: other
                .deny_reason
                .clone()
                .or_else(|| self.deny_reason.clone()),
            empty_reason: other
                .empty_reason
                .clone()
                .or_else(|| self.empty_reason.clone()),
            too_long: other.too_long.or(self.too_long),
            too_long_reason: other
                .too_long_reason
                .clone()
                .or_else(|| self.too_long_reason.clone()),
            mask: other.mask.clone().or_else(|| self.mask.clone()),
            expose_rule_ids: other.expose_rule_ids.or(self.expose_rule_ids),
            rule_ids_attribute: other
                .rule_ids_attribute
                .clone()
                .or_else(|| self.rule_ids_attribute.clone()),
            state_unavailable: other.state_unavailable.or(self.state_unavailable),
            counter_shards: other.counter_shards.or(self.counter_shards),
            display_name_attribute: other
                .display_name_attribute
                .clone()
                .or_else(|| self.display_name_attribute.clone()),
        }
    }
}

/// Rule kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum KindDef {
    Keywords,
    Regex,
    Links,
    Spam,
    Senders,
    /// Entries of the bundled lexicon (by category, minimum severity, languages),
    /// matched like keyword terms.
    Lexicon,
    /// Stateful: at most N messages per window per user (or IP).
    Rate,
    /// Stateful: the same near-duplicate message from one user, or from K users.
    Repeats,
    /// Stateful: strikes per enforced violation, decaying; thresholds mute.
    Strikes,
    /// Stateful: restrictions for users first seen recently.
    Newcomers,
    /// Stateful: room-wide lockdown turning listed rules on.
    Shield,
    /// Stateful: moderator commands typed in chat.
    Commands,
}

impl KindDef {
    /// True for the kinds that need the store.
    pub fn is_stateful(self) -> bool {
        matches!(
            self,
            KindDef::Rate
                | KindDef::Repeats
                | KindDef::Strikes
                | KindDef::Newcomers
                | KindDef::Shield
                | KindDef::Commands
        )
    }

    /// The pack-format name.
    pub fn as_str(self) -> &'static str {
        match self {
            KindDef::Keywords => "keywords",
            KindDef::Regex => "regex",
            KindDef::Links => "links",
            KindDef::Spam => "spam",
            KindDef::Senders => "senders",
            KindDef::Lexicon => "lexicon",
            KindDef::Rate => "rate",
            KindDef::Repeats => "repeats",
            KindDef::Strikes => "strikes",
            KindDef::Newcomers => "newcomers",
            KindDef::Shield => "shield",
            KindDef::Commands => "commands",
        }
    }
}

/// Keyword match modes (a `*` at either end of a term overrides the rule's mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Whole words only (default).
    Word,
    /// At the start of a word (`term*`).
    Prefix,
    /// At the end of a word (`*term`).
    Suffix,
    /// Anywhere (`*term*`).
    Substring,
}

/// Which links a links rule fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LinkBlock {
    /// Every link whose domain is not in `allow_domains`.
    All,
    /// Only links whose domain is in `deny_domains`.
    Listed,
}

/// One value or a `|`-separated / array list of values.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => s.split('|').map(|v| v.trim().to_string()).collect(),
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// A term (or allow phrase) with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct SourcedTerm {
    pub text: String,
    pub at: Location,
}

/// One `[[rules]]` entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleDef {
    pub id: Spanned<String>,
    pub kind: KindDef,
    pub action: Option<Action>,
    #[serde(default)]
    pub shadow: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub severity: Option<String>,
    pub category: Option<String>,
    pub reason: Option<String>,
    #[serde(default)]
    pub reveal_term: bool,
    pub replacement: Option<String>,
    pub mask: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub exempt: Option<Vec<String>>,
    // keywords
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(default)]
    pub terms_file: Vec<Spanned<String>>,
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub allow_file: Vec<Spanned<String>>,
    #[serde(rename = "match")]
    pub match_mode: Option<MatchMode>,
    pub transforms: Option<Transforms>,
    // lexicon
    #[serde(default)]
    pub categories: Vec<Category>,
    pub min_severity: Option<Severity>,
    pub languages: Option<Vec<Spanned<String>>>,
    // regex
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    pub case_insensitive: Option<bool>,
    #[serde(default)]
    pub normalized: bool,
    // links
    #[serde(default)]
    pub allow_domains: Vec<String>,
    #[serde(default)]
    pub deny_domains: Vec<String>,
    pub block: Option<LinkBlock>,
    // spam
    pub max_caps_ratio: Option<f64>,
    pub min_letters: Option<usize>,
    pub max_symbol_ratio: Option<f64>,
    pub max_repeated_chars: Option<usize>,
    pub max_repeated_words: Option<usize>,
    pub max_length: Option<usize>,
    pub max_mentions: Option<usize>,
    pub max_emoji: Option<usize>,
    // senders
    #[serde(default)]
    pub user_ids: Vec<String>,
    #[serde(default)]
    pub ips: Vec<Spanned<String>>,
    #[serde(default)]
    pub sender_attributes: BTreeMap<String, OneOrMany>,
    // stateful: rate, repeats, newcomers, shield
    pub max_messages: Option<u32>,
    pub window: Option<DurationDef>,
    pub per: Option<RatePer>,
    pub distinct_users: Option<u32>,
    // strikes
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    pub default_weight: Option<f64>,
    pub half_life: Option<DurationDef>,
    #[serde(default)]
    pub thresholds: Vec<Spanned<ThresholdDef>>,
    // newcomers
    pub newer_than: Option<DurationDef>,
    #[serde(default)]
    pub block_links: bool,
    // shield
    pub new_chatters: Option<u32>,
    pub duration: Option<DurationDef>,
    #[serde(default)]
    pub enables: Vec<Spanned<String>>,
    // commands
    pub prefix: Option<String>,
    pub permit_for: Option<DurationDef>,
    pub max_mute: Option<DurationDef>,

    /// Filled by the loader.
    #[serde(skip)]
    pub at: Location,
    #[serde(skip)]
    pub loaded_terms: Vec<SourcedTerm>,
    #[serde(skip)]
    pub loaded_allow: Vec<SourcedTerm>,
    #[serde(skip)]
    pub file_src: (String, String),
}

fn yes() -> bool {
    true
}

impl RuleDef {
    pub fn id(&self) -> &str {
        self.id.get_ref()
    }

    /// Location of a spanned field of this rule.
    pub fn loc_of<T>(&self, s: &Spanned<T>) -> Location {
        Location::at_offset(&self.file_src.0, &self.file_src.1, s.span().start)
            .with_rule(Some(self.id()))
    }
}

/// One `[[rooms]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoomDef {
    pub arn: Spanned<String>,
    pub pack: Option<Spanned<String>>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub shadow: Vec<String>,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    pub max_length: Option<usize>,
    pub fail: Option<FailMode>,
    pub too_long: Option<TooLong>,
    #[serde(skip)]
    pub at: Location,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    version: Option<Spanned<u32>>,
    name: Option<String>,
    #[serde(default)]
    settings: SettingsDef,
    #[serde(default)]
    rules: Vec<RuleDef>,
    #[serde(default)]
    rooms: Vec<RoomDef>,
    #[serde(default)]
    packs: BTreeMap<String, Spanned<String>>,
}

/// One loaded pack.
#[derive(Debug, Clone)]
pub(crate) struct PackDef {
    pub name: String,
    pub settings: SettingsDef,
    pub rules: Vec<RuleDef>,
}

/// All packs of a configuration plus the room selection (RoomArn → pack/overrides).
/// The first pack is the default for unlisted rooms.
#[derive(Debug, Clone)]
pub struct PackSet {
    pub(crate) packs: Vec<PackDef>,
    pub(crate) rooms: Vec<RoomDef>,
}

impl PackSet {
    /// Loads a pack file; term files and other pack files are resolved relative to it.
    pub fn load(path: &Path) -> Result<PackSet, RulesError> {
        let src = read(path)?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        PackSet::from_toml_str(&src, &path.display().to_string(), Some(&base))
    }

    /// Parses a pack from a string. `origin` names it in errors; `base_dir` resolves
    /// `terms_file`/`packs` paths (without it, any file reference is an error).
    pub fn from_toml_str(
        src: &str,
        origin: &str,
        base_dir: Option<&Path>,
    ) -> Result<PackSet, RulesError> {
        let file = parse_file(src, origin, base_dir)?;
        let mut packs = vec![PackDef {
            name: file.name.clone().unwrap_or_else(|| "default".to_string()),
            settings: file.settings,
            rules: file.rules,
        }];
        for (name, rel) in &file.packs {
            let at = Location::at_offset(origin, src, rel.span().start);
            let Some(base) = base_dir else {
                return Err(RulesError::Invalid {
                    at,
                    message: format!(
                        "pack `{name}` refers to a file but this pack has no base directory"
                    ),
                });
            };
            let path = base.join(rel.get_ref());
            let sub_src = read(&path)?;
            let sub_origin = path.display().to_string();
            let sub_base = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| base.to_path_buf());
            let sub = parse_file(&sub_src, &sub_origin, Some(&sub_base))?;
            if !sub.rooms.is_empty() || !sub.packs.is_empty() {
                return Err(RulesError::Invalid {
                    at: Location::at_offset(&sub_origin, &sub_src, 0),
                    message: "a pack named in [packs] may not itself have [[rooms]] or [packs]"
                        .into(),
                });
            }
            packs.push(PackDef {
                name: name.clone(),
                settings: sub.settings,
                rules: sub.rules,
            });
        }
        for room in &file.rooms {
            if let Some(p) = &room.pack {
                if !packs.iter().any(|d| d.name == *p.get_ref()) {
                    return Err(RulesError::Invalid {
                        at: Location::at_offset(origin, src, p.span().start),
                        message: format!(
                            "room selects pack `{}`, expected one of: {}",
                            p.get_ref(),
                            packs
                                .iter()
                                .map(|d| d.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
            }
        }
        Ok(PackSet {
            packs,
            rooms: file.rooms,
        })
    }

    /// The default pack compiled into the binary (`rules/packs/default.toml`).
    pub fn bundled_default() -> PackSet {
        // The bundled pack is checked by a unit test; an empty pack is the safe fallback.
        PackSet::from_toml_str(BUNDLED_DEFAULT, "bundled:default.toml", None)
            .unwrap_or_else(|_| PackSet::empty())
    }

    /// A pack set with no rules (everything is allowed).
    pub fn empty() -> PackSet {
        PackSet {
            packs: vec![PackDef {
                name: "empty".into(),
                settings: SettingsDef::default(),
                rules: Vec::new(),
            }],
            rooms: Vec::new(),
        }
    }

    /// Names of the packs, default first.
    pub fn pack_names(&self) -> Vec<&str> {
        self.packs.iter().map(|p| p.name.as_str()).collect()
    }

    /// Every keyword term of every pack with its location (for `rules check` lints).
    pub fn keyword_terms(&self) -> Vec<(String, Location)> {
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter())
            .chain(self.rooms.iter().flat_map(|r| r.rules.iter()))
            .flat_map(|r| {
                r.loaded_terms
                    .iter()
                    .map(|t| (t.text.clone(), t.at.clone()))
            })
            .collect()
    }

    /// Every keyword and lexicon rule of every pack and room (for `rules check` lints).
    pub(crate) fn term_rules(&self) -> impl Iterator<Item = &RuleDef> {
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter())
            .chain(self.rooms.iter().flat_map(|r| r.rules.iter()))
            .filter(|r| matches!(r.kind, KindDef::Keywords | KindDef::Lexicon))
    }

    /// Allow-list phrases of every rule (for `rules check` lints).
    pub fn allow_phrases(&self) -> Vec<String> {
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter())
            .chain(self.rooms.iter().flat_map(|r| r.rules.iter()))
            .flat_map(|r| r.loaded_allow.iter().map(|t| t.text.clone()))
            .collect()
    }
}

fn read(path: &Path) -> Result<String, RulesError> {
    std::fs::read_to_string(path).map_err(|source| RulesError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn parse_file(src: &str, origin: &str, base_dir: Option<&Path>) -> Result<PackFile, RulesError> {
    let mut file: PackFile = toml::from_str(src).map_err(|e| RulesError::Syntax {
        at: e
            .span()
            .map(|s| Location::at_offset(origin, src, s.start))
            .unwrap_or_else(|| Location::at_offset(origin, src, 0)),
        message: e.message().to_string(),
    })?;
    if let Some(v) = &file.version {
        if *v.get_ref() != 1 {
            return Err(RulesError::Invalid {
                at: Location::at_offset(origin, src, v.span().start),
                message: format!("unsupported pack version {}, expected 1", v.get_ref()),
            });
        }
    }
    for rule in &mut file.rules {
        prepare_rule(rule, src, origin, base_dir)?;
    }
    for room in &mut file.rooms {
        room.at = Location::at_offset(origin, src, room.arn.span().start);
        for rule in &mut room.rules {
            prepare_rule(rule, src, origin, base_dir)?;
        }
    }
    Ok(file)
}

fn prepare_rule(
    rule: &mut RuleDef,
    src: &str,
    origin: &str,
    base_dir: Option<&Path>,
) -> Result<(), RulesError> {
    rule.file_src = (origin.to_string(), src.to_string());
    rule.at = Location::at_offset(origin, src, rule.id.span().start).with_rule(Some(rule.id()));
    rule.loaded_terms = rule
        .terms
        .iter()
        .map(|t| SourcedTerm {
            text: t.clone(),
            at: rule.at.clone(),
        })
        .collect();
    rule.loaded_allow = rule
        .allow
        .iter()
        .map(|t| SourcedTerm {
            text: t.clone(),
            at: rule.at.clone(),
        })
        .collect();
    if rule.kind == KindDef::Lexicon {
        select_lexicon(rule)?;
    }
    for (files, allow) in [
        (rule.terms_file.clone(), false),
        (rule.allow_file.clone(), true),
    ] {
        for f in files {
            let Some(base) = base_dir else {
                return Err(RulesError::Invalid {
                    at: rule.loc_of(&f),
                    message: "term files need a pack loaded from a file (no base directory)".into(),
                });
            };
            let path = base.join(f.get_ref());
            let text = std::fs::read_to_string(&path).map_err(|e| RulesError::Invalid {
                at: rule.loc_of(&f),
                message: format!("cannot read term file {}: {e}", path.display()),
            })?;
            let terms = term_lines(&text, &path.display().to_string(), rule.id());
            if allow {
                rule.loaded_allow.extend(terms);
            } else {
                rule.loaded_terms.extend(terms);
            }
        }
    }
    Ok(())
}

/// Fills a lexicon rule's terms and allow phrases from the bundled lexicon.
fn select_lexicon(rule: &mut RuleDef) -> Result<(), RulesError> {
    if rule.categories.is_empty() {
        return Err(RulesError::Invalid {
            at: rule.at.clone(),
            message: format!(
                "lexicon rule selects no `categories` (expected some of: {})",
                Category::ALL.map(Category::as_str).join(", ")
            ),
        });
    }
    let langs: Vec<Lang> = match &rule.languages {
        None => Lang::all().filter(|l| !l.low_confidence()).collect(),
        Some(codes) => {
            let mut v = Vec::new();
            for c in codes {
                let lang =
                    Lang::from_code(c.get_ref().trim()).ok_or_else(|| RulesError::Invalid {
                        at: rule.loc_of(c),
                        message: format!(
                            "unknown lexicon language `{}`, expected an ISO 639-1 code of: {}",
                            c.get_ref(),
                            Lang::codes()
                        ),
                    })?;
                if !v.contains(&lang) {
                    v.push(lang);
                }
            }
            v
        }
    };
    let min = rule.min_severity.unwrap_or(Severity::Mild);
    let (terms, allow) = lexicon::select(&langs, &rule.categories, min, rule.id())?;
    rule.loaded_terms.extend(terms);
    rule.loaded_allow.extend(allow);
    Ok(())
}

/// Terms of a one-term-per-line file: trimmed, blank lines and `#` comments skipped.
fn term_lines(text: &str, file: &str, rule: &str) -> Vec<SourcedTerm> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let t = line.trim();
            (!t.is_empty() && !t.starts_with('#')).then(|| SourcedTerm {
                text: t.to_string(),
                at: Location {
                    file: file.to_string(),
                    line: i + 1,
                    column: line.find(t).map_or(1, |c| line[..c].chars().count() + 1),
                    rule: Some(rule.to_string()),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_default_parses() {
        let src = BUNDLED_DEFAULT;
        PackSet::from_toml_str(src, "default.toml", None).unwrap();
        assert!(!PackSet::bundled_default().packs[0].rules.is_empty());
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let src = "version = 1\n[[rules]]\nid = \"x\"\nkind = \"keywords\"\naction = \"explode\"\n";
        let e = PackSet::from_toml_str(src, "p.toml", None).unwrap_err();
        let at = e.location().unwrap();
        assert_eq!((at.file.as_str(), at.line), ("p.toml", 5), "{e}");
        assert!(e.to_string().contains("explode"), "{e}");
    }

    #[test]
    fn unknown_field_is_an_error() {
        let src = "[[rules]]\nid = \"x\"\nkind = \"keywords\"\naction = \"deny\"\nterm = [\"a\"]\n";
        let e = PackSet::from_toml_str(src, "p.toml", None).unwrap_err();
        assert_eq!(e.location().unwrap().line, 5, "{e}");
    }

    #[test]
    fn term_files_resolve_relative_and_report_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.txt"), "# comment\n\nfoo\n  bar  \n").unwrap();
        std::fs::write(
            dir.path().join("p.toml"),
            "[[rules]]\nid = \"k\"\nkind = \"keywords\"\naction = \"deny\"\nterms_file = [\"t.txt\"]\n",
        )
        .unwrap();
        let set = PackSet::load(&dir.path().join("p.toml")).unwrap();
        let terms = set.keyword_terms();
        assert_eq!(terms.len(), 2);
        assert_eq!(terms[1].0, "bar");
        assert_eq!((terms[1].1.line, terms[1].1.column), (4, 3));
        assert!(terms[1].1.file.ends_with("t.txt"));
    }

    #[test]
    fn room_must_name_existing_pack() {
        let src = "[[rooms]]\narn = \"arn:r\"\npack = \"nope\"\n";
        let e = PackSet::from_toml_str(src, "p.toml", None).unwrap_err();
        assert_eq!(e.location().unwrap().line, 3);
    }
}
