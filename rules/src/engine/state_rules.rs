//! The compiled form of stateful rules (rate, repeats, strikes, newcomers, shield,
//! commands) and their validation: every error names the rule's file, line and field.

use super::{Matcher, Rule};
use crate::error::Location;
use crate::links::LinkMatcher;
use crate::pack::{KindDef, RatePer, RuleDef};
use crate::senders::SenderMatcher;
use crate::state::{Millis, MAX_MEMBERS, MAX_RECENT};
use crate::RulesError;

/// A stateful rule's settings.
#[derive(Debug)]
pub(crate) enum Stateful {
    Rate(RateRule),
    Repeats(RepeatsRule),
    Strikes(StrikesRule),
    Newcomers(NewcomersRule),
    Shield(ShieldRule),
    Commands(CommandsRule),
}

/// At most `max` messages per `window`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    pub max: u32,
    pub window: Millis,
}

#[derive(Debug)]
pub(crate) struct RateRule {
    pub limit: Limit,
    pub per: RatePer,
}

#[derive(Debug)]
pub(crate) struct RepeatsRule {
    pub window: Millis,
    /// `None`: the same user (unique chat); `Some(k)`: k distinct users (copypasta).
    pub distinct_users: Option<u32>,
    pub min_letters: usize,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Threshold {
    pub strikes: f64,
    pub mute: Millis,
    pub disconnect: bool,
}

#[derive(Debug)]
pub(crate) struct StrikesRule {
    pub weights: Vec<(String, f64)>,
    pub default_weight: f64,
    pub half_life: Millis,
    /// Ascending by `strikes`.
    pub thresholds: Vec<Threshold>,
}

impl StrikesRule {
    /// The weight of a violation of a rule with this severity.
    pub fn weight(&self, severity: Option<&str>) -> f64 {
        severity
            .and_then(|s| self.weights.iter().find(|(k, _)| k == s))
            .map_or(self.default_weight, |(_, w)| *w)
    }

    /// `strikes` written at `at`, decayed to `now`.
    pub fn decayed(&self, strikes: f64, at: Millis, now: Millis) -> f64 {
        if strikes <= 0.0 {
            return 0.0;
        }
        let age = (now - at).max(0) as f64;
        strikes * 0.5_f64.powf(age / self.half_life as f64)
    }

    /// The highest threshold `strikes` reaches.
    pub fn threshold(&self, strikes: f64) -> Option<Threshold> {
        self.thresholds
            .iter()
            .rev()
            .find(|t| strikes >= t.strikes)
            .copied()
    }
}

#[derive(Debug)]
pub(crate) struct NewcomersRule {
    pub newer_than: Millis,
    pub links: Option<LinkMatcher>,
    pub limit: Option<Limit>,
}

#[derive(Debug)]
pub(crate) struct ShieldRule {
    pub window: Millis,
    pub new_chatters: Option<u32>,
    pub max_messages: Option<u32>,
    pub duration: Millis,
    pub enables: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct CommandsRule {
    pub moderators: SenderMatcher,
    pub prefix: String,
    pub permit_for: Millis,
    pub max_mute: Millis,
    pub shield_for: Millis,
}

const SECOND: Millis = 1000;
const MINUTE: Millis = 60 * SECOND;

/// Longest `prefix` of a commands rule, in bytes.
pub(crate) const MAX_PREFIX_BYTES: usize = 8;

fn invalid(at: &Location, field: &str, message: impl std::fmt::Display) -> RulesError {
    RulesError::Invalid {
        at: at.clone(),
        message: format!("`{field}`: {message}"),
    }
}

fn required<T: Copy>(
    def: &RuleDef,
    v: Option<T>,
    field: &str,
    example: &str,
) -> Result<T, RulesError> {
    v.ok_or_else(|| {
        invalid(
            &def.at,
            field,
            format!(
                "a `{}` rule needs it (e.g. `{field} = {example}`)",
                def.kind.as_str()
            ),
        )
    })
}

/// `max_messages`, checked against what a user record can remember.
fn max_messages(def: &RuleDef, max: u32, recent: bool) -> Result<u32, RulesError> {
    let top = if recent {
        u32::from(MAX_RECENT) - 1
    } else {
        1_000_000
    };
    if max == 0 || max > top {
        return Err(invalid(
            &def.at,
            "max_messages",
            format!("must be between 1 and {top} (got {max})"),
        ));
    }
    Ok(max)
}

/// Compiles a stateful rule's settings; `def.kind` must be stateful.
pub(crate) fn compile_stateful(def: &RuleDef) -> Result<Stateful, RulesError> {
    let ms = |d: Option<crate::pack::DurationDef>| d.map(|d| d.0);
    Ok(match def.kind {
        KindDef::Rate => {
            let per = def.per.unwrap_or_default();
            let max = required(def, def.max_messages, "max_messages", "5")?;
            Stateful::Rate(RateRule {
                limit: Limit {
                    max: max_messages(def, max, per == RatePer::User)?,
                    window: required(def, ms(def.window), "window", "\"10s\"")?,
                },
                per,
            })
        }
        KindDef::Repeats => {
            if let Some(k) = def.distinct_users {
                if !(2..=u32::from(MAX_MEMBERS)).contains(&k) {
                    return Err(invalid(
                        &def.at,
                        "distinct_users",
                        format!("must be between 2 and {MAX_MEMBERS} (got {k})"),
                    ));
                }
            }
            Stateful::Repeats(RepeatsRule {
                window: required(def, ms(def.window), "window", "\"30s\"")?,
                distinct_users: def.distinct_users,
                min_letters: def.min_letters.unwrap_or(0),
            })
        }
        KindDef::Strikes => {
            let mut thresholds = Vec::new();
            for t in &def.thresholds {
                let at = def.loc_of(t);
                let v = t.get_ref();
                if !(v.strikes.is_finite() && v.strikes > 0.0) {
                    return Err(invalid(
                        &at,
                        "thresholds.strikes",
                        "must be a number above 0",
                    ));
                }
                thresholds.push(Threshold {
                    strikes: v.strikes,
                    mute: v.mute.0,
                    disconnect: v.disconnect,
                });
            }
            if thresholds.is_empty() {
                return Err(invalid(
                    &def.at,
                    "thresholds",
                    "a `strikes` rule needs at least one (e.g. `thresholds = [{ strikes = 5, mute = \"10m\" }]`)",
                ));
            }
            thresholds.sort_by(|a, b| a.strikes.total_cmp(&b.strikes));
            let mut weights: Vec<(String, f64)> = [("low", 1.0), ("medium", 2.0), ("high", 3.0)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            for (k, w) in &def.weights {
                if !(w.is_finite() && *w >= 0.0) {
                    return Err(invalid(
                        &def.at,
                        &format!("weights.{k}"),
                        "must be a number, 0 or more",
                    ));
                }
                weights.retain(|(name, _)| name != k);
                weights.push((k.clone(), *w));
            }
            let default_weight = def.default_weight.unwrap_or(1.0);
            if !(default_weight.is_finite() && default_weight >= 0.0) {
                return Err(invalid(
                    &def.at,
                    "default_weight",
                    "must be a number, 0 or more",
                ));
            }
            Stateful::Strikes(StrikesRule {
                weights,
                default_weight,
                half_life: ms(def.half_life).unwrap_or(10 * MINUTE),
                thresholds,
            })
        }
        KindDef::Newcomers => {
            let limit = match (def.max_messages, ms(def.window)) {
                (Some(max), Some(window)) => Some(Limit {
                    max: max_messages(def, max, true)?,
                    window,
                }),
                (None, None) => None,
                _ => {
                    return Err(invalid(
                        &def.at,
                        "max_messages",
                        "set both `max_messages` and `window` for a newcomer rate, or neither",
                    ))
                }
            };
            let links = def
                .block_links
                .then(|| LinkMatcher::compile(&def.allow_domains, &[], true, &def.at))
                .transpose()?;
            if links.is_none() && limit.is_none() {
                return Err(invalid(
                    &def.at,
                    "block_links",
                    "a `newcomers` rule restricts nothing (set `block_links = true` and/or `max_messages` + `window`)",
                ));
            }
            Stateful::Newcomers(NewcomersRule {
                newer_than: required(def, ms(def.newer_than), "newer_than", "\"10m\"")?,
                links,
                limit,
            })
        }
        KindDef::Shield => {
            if def.new_chatters == Some(0) || def.max_messages == Some(0) {
                return Err(invalid(
                    &def.at,
                    "new_chatters",
                    "thresholds must be at least 1",
                ));
            }
            Stateful::Shield(ShieldRule {
                window: ms(def.window).unwrap_or(MINUTE),
                new_chatters: def.new_chatters,
                max_messages: def.max_messages,
                duration: ms(def.duration).unwrap_or(10 * MINUTE),
                enables: def.enables.iter().map(|e| e.get_ref().clone()).collect(),
            })
        }
        KindDef::Commands => {
            let moderators = super::compile::sender_matcher(def, Vec::new());
            if moderators.is_empty() {
                return Err(invalid(
                    &def.at,
                    "sender_attributes",
                    "a `commands` rule must say who moderates (e.g. `sender_attributes = { role = \"moderator|broadcaster\" }`)",
                ));
            }
            let prefix = def.prefix.clone().unwrap_or_else(|| "!".into());
            if prefix.is_empty()
                || prefix.len() > MAX_PREFIX_BYTES
                || prefix.contains(char::is_whitespace)
            {
                return Err(invalid(
                    &def.at,
                    "prefix",
                    format!("must be 1 to {MAX_PREFIX_BYTES} bytes without spaces (e.g. \"!\")"),
                ));
            }
            Stateful::Commands(CommandsRule {
                moderators,
                prefix,
                permit_for: ms(def.permit_for).unwrap_or(5 * MINUTE),
                max_mute: ms(def.max_mute).unwrap_or(crate::state::MAX_DURATION),
                shield_for: ms(def.duration).unwrap_or(30 * MINUTE),
            })
        }
        _ => {
            return Err(invalid(&def.at, "kind", "internal: not a stateful kind"));
        }
    })
}

/// The default deny reason of a stateful kind (a rule's `reason` wins).
pub(crate) fn default_reason(kind: KindDef) -> &'static str {
    match kind {
        KindDef::Rate => "Slow mode: wait {wait} before your next message.",
        KindDef::Repeats => "Please don't repeat the same message.",
        KindDef::Newcomers => "New here? Links and fast messages unlock after a few minutes.",
        _ => "You are muted until {until}.",
    }
}

/// What a compiled pack needs from the store, derived once from its rules.
#[derive(Debug, Clone, Default)]
pub(crate) struct Needs {
    /// Any stateful rule at all.
    pub stateful: bool,
    /// `Op::Touch` keep and cap.
    pub keep: Millis,
    pub cap: u16,
    /// Ids of rules that apply only while shield is on.
    pub gated: Vec<String>,
}

fn stateful_of(rule: &Rule) -> Option<&Stateful> {
    match rule.matcher.as_ref() {
        Matcher::Stateful(s) => Some(s),
        _ => None,
    }
}

/// The stateful rules of a pack, in pack order.
pub(crate) fn stateful_rules(rules: &[Rule]) -> impl Iterator<Item = (&Rule, &Stateful)> {
    rules.iter().filter_map(|r| stateful_of(r).map(|s| (r, s)))
}

/// What `rules` (one compiled pack, room overrides applied) need.
pub(crate) fn needs_of(rules: &[Rule]) -> Needs {
    let mut n = Needs {
        keep: SECOND,
        cap: 1,
        ..Needs::default()
    };
    for (_, s) in stateful_rules(rules) {
        n.stateful = true;
        let mut recent = |window: Millis, cap: u16| {
            n.keep = n.keep.max(window);
            n.cap = n.cap.max(cap.min(MAX_RECENT));
        };
        match s {
            Stateful::Rate(r) if r.per == RatePer::User => {
                recent(
                    r.limit.window,
                    u16::try_from(r.limit.max + 1).unwrap_or(MAX_RECENT),
                );
            }
            Stateful::Repeats(r) if r.distinct_users.is_none() => recent(r.window, MAX_RECENT),
            Stateful::Newcomers(NewcomersRule { limit: Some(l), .. }) => {
                recent(l.window, u16::try_from(l.max + 1).unwrap_or(MAX_RECENT));
            }
            Stateful::Shield(sh) => n.gated.extend(sh.enables.iter().cloned()),
            _ => {}
        }
    }
    n
}
