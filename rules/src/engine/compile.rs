//! Compilation: a [`PackSet`] (packs, rooms, rules) into an immutable [`Engine`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use regex::{Regex, RegexBuilder};

use super::state_rules::{compile_stateful, default_reason, needs_of, Needs};
use super::{CompiledPack, Effect, Engine, Matcher, Rule, Settings};
use crate::action::Action;
use crate::error::Location;
use crate::ivs::DEFAULT_MAX_LENGTH;
use crate::links::LinkMatcher;
use crate::normalize::Transforms;
use crate::pack::{
    FailMode, KindDef, LinkBlock, MatchMode, PackSet, RoomDef, RuleDef, SettingsDef, TooLong,
};
use crate::senders::{parse_net, SenderMatcher};
use crate::spam::SpamRule;
use crate::termset::TermSetBuilder;
use crate::RulesError;

/// Compiled regex size limit (bytes of compiled program), checked at load.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

fn invalid(at: &Location, message: impl Into<String>) -> RulesError {
    RulesError::Invalid {
        at: at.clone(),
        message: message.into(),
    }
}

fn settings_of(def: &SettingsDef) -> Settings {
    Settings {
        max_length: def.max_length.unwrap_or(DEFAULT_MAX_LENGTH),
        fail: def.fail.unwrap_or(FailMode::Allow),
        fail_reason: def
            .fail_reason
            .clone()
            .unwrap_or_else(|| "Message could not be reviewed".into()),
        empty_reason: def
            .empty_reason
            .clone()
            .unwrap_or_else(|| "Message is empty after moderation".into()),
        too_long: def.too_long.unwrap_or(TooLong::Deny),
        too_long_reason: def
            .too_long_reason
            .clone()
            .unwrap_or_else(|| "Message is too long (at most {max} characters)".into()),
        expose_rule_ids: def.expose_rule_ids.unwrap_or(false),
        rule_ids_attribute: def
            .rule_ids_attribute
            .clone()
            .unwrap_or_else(|| "moderation_rules".into()),
        state_unavailable: def.state_unavailable.unwrap_or_default(),
        counter_shards: def
            .counter_shards
            .unwrap_or(4)
            .clamp(1, crate::state::MAX_SHARDS),
        display_name_attribute: def.display_name_attribute.clone(),
    }
}

struct Compiler {
    views: Vec<Transforms>,
    /// Per view, the terms of its keyword and lexicon rules (one automaton each).
    term_sets: Vec<TermSetBuilder>,
    keyword_cache: HashMap<String, Arc<Matcher>>,
}

impl Compiler {
    fn view(&mut self, t: Transforms) -> usize {
        self.views.iter().position(|v| *v == t).unwrap_or_else(|| {
            self.views.push(t);
            self.term_sets.push(TermSetBuilder::new(t));
            self.views.len() - 1
        })
    }

    fn rule(&mut self, def: &RuleDef, settings: &SettingsDef) -> Result<Rule, RulesError> {
        let at = &def.at;
        let id = def.id().trim();
        if id.is_empty() {
            return Err(invalid(at, "rule id is empty (expected a short name)"));
        }
        if def.kind.is_stateful() {
            return stateful_rule(id, def);
        }
        let action = def.action.ok_or_else(|| {
            invalid(
                at,
                "rule needs `action` (deny, mask, replace, tag, allow or exempt)",
            )
        })?;
        let mut view = None;
        let matcher = match def.kind {
            KindDef::Keywords | KindDef::Lexicon => {
                let t = def.transforms.unwrap_or_default();
                let v = self.view(t);
                view = Some(v);
                let mode = def.match_mode.unwrap_or(MatchMode::Word);
                // Packs often share term files (a room pack, an override): compile once.
                let mut key = format!("{mode:?}{t:?}");
                for term in &def.loaded_terms {
                    key.push('\n');
                    key.push_str(&term.text);
                }
                key.push_str("\n\0allow");
                for a in &def.loaded_allow {
                    key.push('\n');
                    key.push_str(&a.text);
                }
                if let Some(m) = self.keyword_cache.get(&key) {
                    m.clone()
                } else {
                    let set = self
                        .term_sets
                        .get_mut(v)
                        .ok_or_else(|| invalid(at, "internal: view without a term set"))?;
                    let slot = set.add_rule(&def.loaded_terms, &def.loaded_allow, mode, at)?;
                    let m = Arc::new(Matcher::Keywords(slot));
                    self.keyword_cache.insert(key, m.clone());
                    m
                }
            }
            KindDef::Regex => {
                if def.patterns.is_empty() {
                    return Err(invalid(at, "regex rule has no `patterns`"));
                }
                let ci = def.case_insensitive.unwrap_or(true);
                let joined: Vec<String> = def
                    .patterns
                    .iter()
                    .map(|p| format!("(?:{})", p.get_ref()))
                    .collect();
                let re = match build_regex(&joined.join("|"), ci) {
                    Ok(re) => re,
                    Err(union_err) => {
                        // Name the offending pattern's line when one fails on its own.
                        for p in &def.patterns {
                            build_regex(p.get_ref(), ci).map_err(|e| invalid(&def.loc_of(p), e))?;
                        }
                        return Err(invalid(at, union_err));
                    }
                };
                if def.normalized {
                    view = Some(self.view(def.transforms.unwrap_or_default()));
                }
                Arc::new(Matcher::Regex(re))
            }
            KindDef::Links => Arc::new(Matcher::Links(LinkMatcher::compile(
                &def.allow_domains,
                &def.deny_domains,
                def.block.unwrap_or(LinkBlock::All) == LinkBlock::All,
                at,
            )?)),
            KindDef::Spam => {
                for (name, r) in [
                    ("max_caps_ratio", def.max_caps_ratio),
                    ("max_symbol_ratio", def.max_symbol_ratio),
                ] {
                    if r.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
                        return Err(invalid(at, format!("`{name}` must be between 0.0 and 1.0")));
                    }
                }
                let s = SpamRule {
                    max_caps_ratio: def.max_caps_ratio,
                    min_letters: def.min_letters.unwrap_or(8),
                    max_symbol_ratio: def.max_symbol_ratio,
                    max_repeated_chars: def.max_repeated_chars,
                    max_repeated_words: def.max_repeated_words,
                    max_length: def.max_length,
                    max_mentions: def.max_mentions,
                    max_emoji: def.max_emoji,
                };
                if !s.has_threshold() {
                    return Err(invalid(
                        at,
                        "spam rule sets no threshold (expected e.g. `max_caps_ratio`)",
                    ));
                }
                Arc::new(Matcher::Spam(s))
            }
            KindDef::Senders => {
                let mut nets = Vec::new();
                for ip in &def.ips {
                    nets.push(parse_net(ip.get_ref()).ok_or_else(|| {
                        invalid(
                            &def.loc_of(ip),
                            format!(
                                "`{}` is not an IP address or CIDR (expected e.g. 203.0.113.0/24)",
                                ip.get_ref()
                            ),
                        )
                    })?);
                }
                let m = sender_matcher(def, nets);
                if m.is_empty() {
                    return Err(invalid(
                        at,
                        "senders rule lists no `user_ids`, `ips` or `sender_attributes`",
                    ));
                }
                Arc::new(Matcher::Senders(m))
            }
            KindDef::Rate
            | KindDef::Repeats
            | KindDef::Strikes
            | KindDef::Newcomers
            | KindDef::Shield
            | KindDef::Commands => return stateful_rule(id, def),
        };
        let text_rule = !matches!(def.kind, KindDef::Spam | KindDef::Senders);
        let effect = match action {
            Action::Deny => {
                let reason = def
                    .reason
                    .clone()
                    .or_else(|| settings.deny_reason.clone())
                    .unwrap_or_else(|| "Message blocked by moderation".into());
                if reason.contains("{term}") && !def.reveal_term {
                    return Err(invalid(at, "reason uses {term} but would leak the matched term: set `reveal_term = true`"));
                }
                Effect::Deny {
                    reason,
                    reveal: def.reveal_term,
                }
            }
            Action::Mask => {
                if !text_rule {
                    return Err(invalid(
                        at,
                        "action `mask` needs a text rule (keywords, regex or links)",
                    ));
                }
                let g: Vec<char> = def
                    .mask
                    .clone()
                    .or_else(|| settings.mask.clone())
                    .unwrap_or_else(|| "*".into())
                    .chars()
                    .collect();
                if g.is_empty() || g.iter().any(|c| c.is_whitespace()) {
                    return Err(invalid(at, "`mask` must be non-empty and without whitespace (e.g. \"*\" or \"@#$%&!\")"));
                }
                Effect::Mask(g)
            }
            Action::Replace => {
                if !text_rule {
                    return Err(invalid(
                        at,
                        "action `replace` needs a text rule (keywords, regex or links)",
                    ));
                }
                Effect::Replace(
                    def.replacement
                        .clone()
                        .ok_or_else(|| invalid(at, "action `replace` needs `replacement`"))?,
                )
            }
            Action::Tag => {
                if def.tags.is_empty() {
                    return Err(invalid(
                        at,
                        "action `tag` needs `tags = { key = \"value\" }`",
                    ));
                }
                Effect::Tag(
                    def.tags
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            }
            Action::Allow => Effect::Allow,
            Action::Exempt => {
                Effect::Exempt(def.exempt.as_ref().map(|v| v.iter().cloned().collect()))
            }
        };
        Ok(Rule {
            id: id.to_string(),
            effect,
            shadow: def.shadow,
            category: def.category.clone().or_else(|| {
                (def.kind == KindDef::Lexicon).then(|| {
                    def.categories
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                })
            }),
            severity: def.severity.clone().or_else(|| {
                (def.kind == KindDef::Lexicon)
                    .then(|| format!("{}+", def.min_severity.map_or(1, |s| s.level())))
            }),
            matcher,
            view,
        })
    }

    fn rules(&mut self, defs: &[RuleDef], settings: &SettingsDef) -> Result<Vec<Rule>, RulesError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for d in defs {
            if !seen.insert(d.id().to_string()) {
                return Err(invalid(&d.at, format!("duplicate rule id `{}`", d.id())));
            }
            if d.enabled {
                out.push(self.rule(d, settings)?);
            }
        }
        check_exempt_targets(defs)?;
        Ok(out)
    }
}

/// The sender criteria of a rule (`user_ids`, `sender_attributes`, and `nets` parsed
/// from its `ips`): senders rules and the moderators of a commands rule.
pub(super) fn sender_matcher(def: &RuleDef, nets: Vec<ipnet::IpNet>) -> SenderMatcher {
    SenderMatcher {
        user_ids: def.user_ids.clone(),
        nets,
        attributes: def
            .sender_attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.values()))
            .collect(),
    }
}

/// A stateful rule: its settings, and the effect it has when it fires (stateful
/// kinds deny, except shield, which turns rules on and is reported as a tag).
fn stateful_rule(id: &str, def: &RuleDef) -> Result<Rule, RulesError> {
    let at = &def.at;
    let effect = match (def.kind, def.action) {
        (KindDef::Shield, None) => Effect::Tag(Vec::new()),
        (KindDef::Shield, Some(_)) => {
            return Err(invalid(
                at,
                "`action`: a shield rule takes none (it turns the rules in `enables` on)",
            ))
        }
        (kind, None | Some(Action::Deny)) => Effect::Deny {
            reason: def
                .reason
                .clone()
                .unwrap_or_else(|| default_reason(kind).to_string()),
            reveal: false,
        },
        (kind, Some(a)) => {
            return Err(invalid(
                at,
                format!(
                    "`action`: `{}` rules deny (leave `action` out or set \"deny\"), got \"{a}\"",
                    kind.as_str()
                ),
            ))
        }
    };
    Ok(Rule {
        id: id.to_string(),
        effect,
        shadow: def.shadow,
        category: def.category.clone(),
        severity: def.severity.clone(),
        matcher: Arc::new(Matcher::Stateful(compile_stateful(def)?)),
        view: None,
    })
}

fn check_exempt_targets(defs: &[RuleDef]) -> Result<(), RulesError> {
    for d in defs {
        for e in &d.enables {
            if !defs
                .iter()
                .any(|x| x.id() == e.get_ref() && x.kind != KindDef::Shield)
            {
                return Err(invalid(
                    &d.loc_of(e),
                    format!(
                        "`enables` names unknown rule `{}` (expected the id of a rule of this pack, not a shield rule)",
                        e.get_ref()
                    ),
                ));
            }
        }
    }
    for d in defs {
        for target in d.exempt.iter().flatten() {
            if !defs.iter().any(|x| x.id() == target) {
                return Err(invalid(
                    &d.at,
                    format!("`exempt` names unknown rule `{target}`"),
                ));
            }
        }
    }
    Ok(())
}

/// Rewrites `\b`/`\B` (outside character classes) to ASCII word boundaries
/// `(?-u:\b)`: Unicode word boundaries make the `regex` crate fall back to its slowest
/// engine on any non-ASCII message. Documented in the README.
pub(crate) fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('b') if class_depth == 0 => out.push_str("(?-u:\\b)"),
                Some('B') if class_depth == 0 => out.push_str("(?-u:\\B)"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' => {
                class_depth += 1;
                out.push(c);
            }
            ']' => {
                class_depth = class_depth.saturating_sub(1);
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn build_regex(pattern: &str, ci: bool) -> Result<Regex, String> {
    RegexBuilder::new(&ascii_boundaries(pattern))
        .case_insensitive(ci)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            format!(
                "bad regex (Rust `regex` syntax, compiled size <= {REGEX_SIZE_LIMIT} bytes): {e}"
            )
        })
}

fn room_pack(
    c: &mut Compiler,
    room: &RoomDef,
    base: &crate::pack::PackDef,
    base_rules: &[Rule],
) -> Result<CompiledPack, RulesError> {
    let mut rules: Vec<Rule> = base_rules.to_vec();
    for id in room.disable.iter().chain(room.shadow.iter()) {
        if !base.rules.iter().any(|r| r.id() == id) {
            return Err(invalid(
                &room.at,
                format!("room names unknown rule `{id}` in `disable`/`shadow`"),
            ));
        }
    }
    rules.retain(|r| !room.disable.contains(&r.id));
    for r in &mut rules {
        if room.shadow.contains(&r.id) {
            r.shadow = true;
        }
    }
    for def in &room.rules {
        let compiled = c.rule(def, &base.settings)?;
        match rules.iter_mut().find(|r| r.id == compiled.id) {
            Some(slot) => *slot = compiled,
            None => rules.push(compiled),
        }
    }
    for def in &room.rules {
        for e in &def.enables {
            if !rules.iter().any(|r| r.id == *e.get_ref()) {
                return Err(invalid(
                    &def.loc_of(e),
                    format!(
                        "`enables` names unknown rule `{}` (expected the id of a rule of this room's pack)",
                        e.get_ref()
                    ),
                ));
            }
        }
    }
    let over = SettingsDef {
        max_length: room.max_length,
        fail: room.fail,
        too_long: room.too_long,
        ..Default::default()
    };
    Ok(CompiledPack {
        name: format!("{}@{}", base.name, room.arn.get_ref()),
        settings: settings_of(&base.settings.overlay(&over)),
        rules,
        needs: Needs::default(),
    })
}

impl Engine {
    /// Compiles every pack and room variant; all errors are reported with locations.
    pub fn compile(packs: &PackSet) -> Result<Engine, RulesError> {
        let mut c = Compiler {
            views: Vec::new(),
            term_sets: Vec::new(),
            keyword_cache: HashMap::new(),
        };
        let mut compiled = Vec::new();
        for p in &packs.packs {
            let s = settings_of(&p.settings);
            if s.max_length == 0 {
                return Err(invalid(
                    &Location {
                        file: p.name.clone(),
                        ..Default::default()
                    },
                    "max_length must be at least 1",
                ));
            }
            compiled.push(CompiledPack {
                name: p.name.clone(),
                settings: s,
                rules: c.rules(&p.rules, &p.settings)?,
                needs: Needs::default(),
            });
        }
        let mut rooms = HashMap::new();
        let mut room_ids = HashMap::new();
        for room in &packs.rooms {
            let base_idx = match &room.pack {
                Some(name) => packs
                    .packs
                    .iter()
                    .position(|p| p.name == *name.get_ref())
                    .unwrap_or(0),
                None => 0,
            };
            let (Some(base), Some(base_compiled)) =
                (packs.packs.get(base_idx), compiled.get(base_idx))
            else {
                return Err(invalid(&room.at, "room selects a pack that does not exist"));
            };
            let plain = room.rules.is_empty()
                && room.disable.is_empty()
                && room.shadow.is_empty()
                && room.max_length.is_none()
                && room.fail.is_none()
                && room.too_long.is_none();
            if room.max_length == Some(0) {
                return Err(invalid(&room.at, "max_length must be at least 1"));
            }
            let idx = if plain {
                base_idx
            } else {
                let base_rules = base_compiled.rules.clone();
                let variant = room_pack(&mut c, room, base, &base_rules)?;
                compiled.push(variant);
                compiled.len() - 1
            };
            room_ids.insert(crate::state::room_id(room.arn.get_ref()).to_string(), idx);
            if rooms.insert(room.arn.get_ref().clone(), idx).is_some() {
                return Err(invalid(
                    &room.at,
                    format!("room `{}` is listed twice", room.arn.get_ref()),
                ));
            }
        }
        let term_sets = c
            .term_sets
            .into_iter()
            .map(TermSetBuilder::finish)
            .collect::<Result<_, _>>()?;
        for pack in &mut compiled {
            pack.needs = needs_of(&pack.rules);
        }
        Ok(Engine {
            packs: compiled,
            rooms,
            room_ids,
            views: c.views,
            term_sets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries_become_ascii_outside_classes() {
        assert_eq!(ascii_boundaries(r"\bfoo\B"), r"(?-u:\b)foo(?-u:\B)");
        assert_eq!(ascii_boundaries(r"[\b]\\b\d"), r"[\b]\\b\d");
        let re = build_regex(r"\bcat\b", true).unwrap();
        assert!(re.is_match("a CAT!") && !re.is_match("concat"));
    }

    #[test]
    fn lexicon_rules_of_a_view_share_one_automaton() {
        let e = Engine::compile(&PackSet::bundled_default()).unwrap();
        let keyword_rules = e.packs[0]
            .rules
            .iter()
            .filter(|r| matches!(r.matcher.as_ref(), Matcher::Keywords(_)))
            .count();
        assert!(keyword_rules >= 10, "{keyword_rules}");
        assert_eq!(e.views.len(), 1);
        assert_eq!(e.term_sets.iter().flatten().count(), 1);
    }
}
