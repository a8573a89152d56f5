//! Compilation of a [`PackSet`] into an immutable [`Engine`], and evaluation of requests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::action::{Action, Verdict};
use crate::error::Location;
use crate::ivs::{
    attributes_size, ReviewRequest, ReviewResponse, ReviewResult, DEFAULT_MAX_LENGTH,
    MAX_ATTRIBUTES_BYTES,
};
use crate::links::LinkMatcher;
use crate::normalize::{normalize, Normalized, Transforms};
use crate::pack::{
    FailMode, KindDef, LinkBlock, MatchMode, PackSet, RoomDef, RuleDef, SettingsDef, TooLong,
};
use crate::rewrite::{add_attributes, apply, clamp, ours_first, Edit};
use crate::senders::{parse_net, SenderMatcher};
use crate::spam::SpamRule;
use crate::termset::{Scan, TermSet, TermSetBuilder};
use crate::RulesError;

/// Compiled regex size limit (bytes of compiled program), checked at load.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A rule that fired during an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredRule {
    /// Rule id.
    pub id: String,
    /// Its action.
    pub action: Action,
    /// Evaluated and reported only, not enforced.
    pub shadow: bool,
    /// Rule category, if set.
    pub category: Option<String>,
    /// Rule severity, if set.
    pub severity: Option<String>,
}

/// The outcome of [`Engine::evaluate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Always valid per the IVS contract for the pack's max length.
    pub response: ReviewResponse,
    /// Rules that fired, in evaluation order (shadow ones included, flagged).
    pub fired: Vec<FiredRule>,
    /// Name of the pack (or `pack@room-arn` variant) used.
    pub pack: String,
    /// What the evaluation did, in one word.
    pub action: Verdict,
    /// The maximum content length (code points) that applied.
    pub max_length: usize,
}

/// A rule's [`Action`] with what it needs to act.
#[derive(Debug, Clone)]
enum Effect {
    Deny { reason: String, reveal: bool },
    Mask(Vec<char>),
    Replace(String),
    Tag(Vec<(String, String)>),
    Allow,
    Exempt(Option<HashSet<String>>),
}

impl Effect {
    fn action(&self) -> Action {
        match self {
            Effect::Deny { .. } => Action::Deny,
            Effect::Mask(_) => Action::Mask,
            Effect::Replace(_) => Action::Replace,
            Effect::Tag(_) => Action::Tag,
            Effect::Allow => Action::Allow,
            Effect::Exempt(_) => Action::Exempt,
        }
    }
}

#[derive(Debug)]
pub(crate) enum Matcher {
    /// A slot of the view's shared [`TermSet`].
    Keywords(u32),
    Regex(Regex),
    Links(LinkMatcher),
    Spam(SpamRule),
    Senders(SenderMatcher),
}

#[derive(Debug, Clone)]
struct Rule {
    id: String,
    effect: Effect,
    shadow: bool,
    category: Option<String>,
    severity: Option<String>,
    matcher: Arc<Matcher>,
    /// Index of the normalised view this rule reads, if any.
    view: Option<usize>,
}

#[derive(Debug, Clone)]
struct Settings {
    max_length: usize,
    fail: FailMode,
    fail_reason: String,
    empty_reason: String,
    too_long: TooLong,
    too_long_reason: String,
    expose_rule_ids: bool,
    rule_ids_attribute: String,
}

#[derive(Debug)]
struct CompiledPack {
    name: String,
    settings: Settings,
    rules: Vec<Rule>,
}

/// A compiled, immutable rule engine: `Send + Sync`, cheap to share in an `Arc`.
#[derive(Debug)]
pub struct Engine {
    packs: Vec<CompiledPack>,
    rooms: HashMap<String, usize>,
    views: Vec<Transforms>,
    /// Per view, the terms of every keyword and lexicon rule reading it.
    term_sets: Vec<Option<TermSet>>,
}

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
                let m = SenderMatcher {
                    user_ids: def.user_ids.clone(),
                    nets,
                    attributes: def
                        .sender_attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), v.values()))
                        .collect(),
                };
                if m.is_empty() {
                    return Err(invalid(
                        at,
                        "senders rule lists no `user_ids`, `ips` or `sender_attributes`",
                    ));
                }
                Arc::new(Matcher::Senders(m))
            }
        };
        let text_rule = !matches!(def.kind, KindDef::Spam | KindDef::Senders);
        let effect = match def.action {
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

fn check_exempt_targets(defs: &[RuleDef]) -> Result<(), RulesError> {
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
    })
}

/// Per-evaluation state: each view is normalised, and its term set scanned, at most once.
struct Run<'a> {
    req: &'a ReviewRequest,
    views: Vec<Option<Normalized>>,
    scans: Vec<Option<Scan>>,
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
            });
        }
        let mut rooms = HashMap::new();
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
        Ok(Engine {
            packs: compiled,
            rooms,
            views: c.views,
            term_sets,
        })
    }

    /// Overrides every pack's and room's `expose_rule_ids` setting: a deployment-wide
    /// switch (the review handler's `DECISION_ATTRIBUTES`, `rules eval --rule-ids`).
    /// The attribute key stays each pack's `rule_ids_attribute`.
    pub fn set_expose_rule_ids(&mut self, on: bool) {
        for pack in &mut self.packs {
            pack.settings.expose_rule_ids = on;
        }
    }

    /// Lowers every pack's and room's `max_length` to `limit` where it is higher: the
    /// rooms' real `MaximumMessageLength` (the review handler's `MAX_MESSAGE_LENGTH`).
    /// Rewrites, truncation and the fail response are then clamped to what IVS accepts,
    /// so a rewrite that grows past the room's limit is cut, not rejected as invalid.
    /// A `limit` of 0 is treated as 1.
    pub fn cap_max_length(&mut self, limit: usize) {
        let limit = limit.max(1);
        for pack in &mut self.packs {
            pack.settings.max_length = pack.settings.max_length.min(limit);
        }
    }

    fn pack_for(&self, room_arn: &str) -> Option<&CompiledPack> {
        let idx = self.rooms.get(room_arn).copied().unwrap_or(0);
        self.packs.get(idx).or_else(|| self.packs.first())
    }

    /// Maximum content length (code points) configured for a room.
    pub fn max_length(&self, room_arn: &str) -> usize {
        self.pack_for(room_arn)
            .map_or(DEFAULT_MAX_LENGTH, |p| p.settings.max_length)
    }

    /// Evaluates one request. Never panics; the response is always valid for the
    /// room's max length.
    pub fn evaluate(&self, req: &ReviewRequest) -> Evaluation {
        let Some(pack) = self.pack_for(&req.room_arn) else {
            return Evaluation {
                response: fallback(req, DEFAULT_MAX_LENGTH),
                fired: Vec::new(),
                pack: String::new(),
                action: Verdict::Allow,
                max_length: DEFAULT_MAX_LENGTH,
            };
        };
        let mut run = Run {
            req,
            views: vec![None; self.views.len()],
            scans: (0..self.views.len()).map(|_| None).collect(),
        };
        let mut fired = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        let mut tags: Vec<(String, String)> = Vec::new();
        let mut exempt: HashSet<&str> = HashSet::new();
        let mut deny: Option<String> = None;
        for rule in &pack.rules {
            if exempt.contains(rule.id.as_str()) {
                continue;
            }
            let Some(spans) = self.hits(rule, &mut run) else {
                continue;
            };
            fired.push(FiredRule {
                id: rule.id.clone(),
                action: rule.effect.action(),
                shadow: rule.shadow,
                category: rule.category.clone(),
                severity: rule.severity.clone(),
            });
            if rule.shadow {
                continue;
            }
            match &rule.effect {
                Effect::Deny { reason, reveal } => {
                    let term = spans
                        .first()
                        .and_then(|s| req.content.get(s.start..s.end))
                        .unwrap_or("");
                    let mut r = reason.replace(
                        "{category}",
                        rule.category.as_deref().unwrap_or("moderation"),
                    );
                    if *reveal {
                        r = r.replace("{term}", term);
                    }
                    deny = Some(r);
                    break;
                }
                Effect::Allow => break,
                Effect::Mask(_) | Effect::Replace(_) => edits.extend(spans),
                Effect::Tag(t) => tags.extend(t.iter().cloned()),
                Effect::Exempt(None) => {
                    exempt.extend(pack.rules.iter().map(|r| r.id.as_str()));
                }
                Effect::Exempt(Some(ids)) => exempt.extend(ids.iter().map(String::as_str)),
            }
        }
        let enforced: Vec<&str> = fired
            .iter()
            .filter(|f| !f.shadow)
            .map(|f| f.id.as_str())
            .collect();
        let ids = if pack.settings.expose_rule_ids {
            enforced.as_slice()
        } else {
            &[]
        };
        let (response, action) = respond(req, &pack.settings, deny, edits, tags, ids);
        Evaluation {
            response,
            fired,
            pack: pack.name.clone(),
            action,
            max_length: pack.settings.max_length,
        }
    }

    /// Spans (original bytes) where `rule` fires, with the edit it implies; `None`
    /// when it does not fire. Spam and sender rules fire with no spans.
    fn hits(&self, rule: &Rule, run: &mut Run<'_>) -> Option<Vec<Edit>> {
        let content = run.req.content.as_str();
        let (grawlix, replacement) = match &rule.effect {
            Effect::Mask(g) => (g.clone(), None),
            Effect::Replace(r) => (Vec::new(), Some(r.clone())),
            _ => (Vec::new(), None),
        };
        let edit = |start: usize, end: usize, repl: Option<String>| Edit {
            start,
            end,
            replacement: repl.or_else(|| replacement.clone()),
            grawlix: grawlix.clone(),
        };
        let spans: Vec<Edit> = match rule.matcher.as_ref() {
            Matcher::Keywords(slot) => {
                let v = rule.view?;
                let set = self.term_sets.get(v)?.as_ref()?;
                let view = self.view(&mut run.views, content, v)?;
                let scan = run.scans.get_mut(v)?.get_or_insert_with(|| set.scan(view));
                set.find(*slot, view, scan)
                    .into_iter()
                    .filter_map(|(s, e)| view.source_span(s, e))
                    .map(|(s, e)| edit(s, e, None))
                    .collect()
            }
            Matcher::Regex(re) => match rule.view {
                Some(v) => {
                    let view = self.view(&mut run.views, content, v)?;
                    re.find_iter(view.as_str())
                        .filter_map(|m| view.source_span(m.start(), m.end()))
                        .map(|(s, e)| edit(s, e, None))
                        .collect()
                }
                None => match &replacement {
                    Some(tpl) => re
                        .captures_iter(content)
                        .filter_map(|c| {
                            let m = c.get(0)?;
                            let mut out = String::new();
                            c.expand(tpl, &mut out);
                            Some(edit(m.start(), m.end(), Some(out)))
                        })
                        .collect(),
                    None => re
                        .find_iter(content)
                        .map(|m| edit(m.start(), m.end(), None))
                        .collect(),
                },
            },
            Matcher::Links(l) => l
                .find(content)
                .into_iter()
                .map(|(s, e)| edit(s, e, None))
                .collect(),
            Matcher::Spam(s) => return s.check(content).map(|_| Vec::new()),
            Matcher::Senders(m) => return m.matches(&run.req.sender).then(Vec::new),
        };
        (!spans.is_empty()).then_some(spans)
    }

    /// View `idx` of `content`, normalised on first use.
    fn view<'r>(
        &self,
        views: &'r mut [Option<Normalized>],
        content: &str,
        idx: usize,
    ) -> Option<&'r Normalized> {
        let t = *self.views.get(idx)?;
        let slot = views.get_mut(idx)?;
        Some(&*slot.get_or_insert_with(|| normalize(content, t)))
    }

    /// Reviews a raw JSON request the way the Lambda and `rules eval` do: a valid
    /// request is evaluated; a malformed one gets the fail decision (with its
    /// `Content`/`RoomArn` salvaged when they are strings, so fail-ALLOW keeps the text).
    pub fn review_value(&self, value: &serde_json::Value) -> Result<Evaluation, ReviewResponse> {
        match ReviewRequest::deserialize(value) {
            Ok(req) => Ok(self.evaluate(&req)),
            Err(_) => Err(self.fail_response(ReviewRequest::salvage(value).as_ref())),
        }
    }

    /// The configured fail decision for `req` (or for the default pack when the request
    /// could not be parsed). ALLOW keeps the original content clamped to the max
    /// length; with no usable content (or a fail mode of `deny`) the answer is DENY.
    pub fn fail_response(&self, req: Option<&ReviewRequest>) -> ReviewResponse {
        let pack = self.pack_for(req.map_or("", |r| r.room_arn.as_str()));
        let max = pack.map_or(DEFAULT_MAX_LENGTH, |p| p.settings.max_length);
        let (mode, reason) = pack.map_or(
            (FailMode::Allow, "Message could not be reviewed".to_string()),
            |p| (p.settings.fail, p.settings.fail_reason.clone()),
        );
        if let (FailMode::Allow, Some(r)) = (mode, req) {
            let content = clamp(&r.content, max);
            if !content.trim().is_empty() && attributes_size(&r.attributes) <= MAX_ATTRIBUTES_BYTES
            {
                return ReviewResponse {
                    review_result: ReviewResult::Allow,
                    content: content.to_string(),
                    attributes: r.attributes.clone(),
                };
            }
        }
        deny_response(req.map_or("", |r| r.content.as_str()), max, reason)
    }
}

fn deny_response(content: &str, max: usize, reason: String) -> ReviewResponse {
    let mut attributes = BTreeMap::new();
    add_attributes(&mut attributes, &[("Reason".to_string(), reason)]);
    ReviewResponse {
        review_result: ReviewResult::Deny,
        content: clamp(content, max).to_string(),
        attributes,
    }
}

fn fallback(req: &ReviewRequest, max: usize) -> ReviewResponse {
    deny_response(&req.content, max, "Message could not be reviewed".into())
}

/// Builds the final response, enforcing the documented length and attribute rules:
/// - DENY: `Attributes.Reason` only; Content is the original clamped to max length.
/// - An original longer than max length: DENY (`too_long = "deny"`, default) or cut at
///   the last whole grapheme cluster (`"truncate"`).
/// - A rewrite longer than max length is cut the same way (we made it longer).
/// - A result that is empty or only whitespace: DENY with `empty_reason`.
/// - Attributes: ours first ([`ours_first`]): the pack's tags, then the enforced rule
///   ids (`expose_rule_ids`), take the 1 KB budget before the sender's message
///   attributes, which are kept as they are beside ours. Keys the pack writes are
///   reserved: a sender value under the same key is replaced (so a sender cannot pre-set
///   `flagged=false`, nor crowd our tags out by filling the budget). If the sender's
///   attributes do not fit beside ours (or alone exceed 1 KB) the message is denied.
fn respond(
    req: &ReviewRequest,
    s: &Settings,
    deny: Option<String>,
    edits: Vec<Edit>,
    tags: Vec<(String, String)>,
    rule_ids: &[&str],
) -> (ReviewResponse, Verdict) {
    if let Some(reason) = deny {
        return (
            deny_response(&req.content, s.max_length, reason),
            Verdict::Deny,
        );
    }
    let original_len = req.content.chars().count();
    if original_len > s.max_length && s.too_long == TooLong::Deny {
        let reason = s
            .too_long_reason
            .replace("{max}", &s.max_length.to_string());
        return (
            deny_response(&req.content, s.max_length, reason),
            Verdict::Deny,
        );
    }
    let rewritten = !edits.is_empty();
    let text = if rewritten {
        apply(&req.content, edits)
    } else {
        req.content.clone()
    };
    let content = clamp(&text, s.max_length);
    if content.trim().is_empty() {
        return (
            deny_response(&req.content, s.max_length, s.empty_reason.clone()),
            Verdict::Deny,
        );
    }
    if attributes_size(&req.attributes) > MAX_ATTRIBUTES_BYTES {
        return (
            deny_response(
                &req.content,
                s.max_length,
                "Message attributes exceed 1 KB".into(),
            ),
            Verdict::Deny,
        );
    }
    let Some(attributes) = ours_first(&req.attributes, &tags, &s.rule_ids_attribute, rule_ids)
    else {
        let reason = "Message attributes leave no room for moderation attributes (1 KB in total)";
        return (
            deny_response(&req.content, s.max_length, reason.into()),
            Verdict::Deny,
        );
    };
    let changed = content != req.content;
    let action = if changed {
        Verdict::Rewrite
    } else if !tags.is_empty() || !rule_ids.is_empty() {
        Verdict::Tag
    } else {
        Verdict::Allow
    };
    (
        ReviewResponse {
            review_result: ReviewResult::Allow,
            content: content.to_string(),
            attributes,
        },
        action,
    )
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
