//! Compilation of a [`PackSet`] into an immutable [`Engine`], and evaluation of requests.
//!
//! By phase: `result` (what an evaluation returns), `compile` (pack set → engine),
//! `evaluate` (one request → fired rules) and `response` (fired rules → the IVS
//! response). This file holds the compiled form the phases share.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use regex::Regex;

use crate::action::Action;
use crate::ivs::DEFAULT_MAX_LENGTH;
use crate::links::LinkMatcher;
use crate::normalize::Transforms;
use crate::pack::{FailMode, StateUnavailable, TooLong};
use crate::senders::SenderMatcher;
use crate::spam::SpamRule;
use crate::termset::TermSet;
#[cfg(doc)]
use crate::PackSet;

mod compile;
mod evaluate;
mod response;
mod result;
mod state_rules;
mod stateful;

pub use compile::REGEX_SIZE_LIMIT;
pub use result::{Evaluation, FiredRule};
pub use stateful::{Finished, Pending, StateUse};

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
    /// A stateful rule: decided in [`Engine::finish`], never by the stateless pass.
    Stateful(state_rules::Stateful),
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
    state_unavailable: StateUnavailable,
    counter_shards: u16,
    display_name_attribute: Option<String>,
}

#[derive(Debug)]
struct CompiledPack {
    name: String,
    settings: Settings,
    rules: Vec<Rule>,
    /// What its stateful rules need from the store (derived from `rules`).
    needs: state_rules::Needs,
}

/// A compiled, immutable rule engine: `Send + Sync`, cheap to share in an `Arc`.
#[derive(Debug)]
pub struct Engine {
    packs: Vec<CompiledPack>,
    rooms: HashMap<String, usize>,
    /// Room resource id → pack, for ops that name rooms by id ([`Engine::retry_writes`]).
    room_ids: HashMap<String, usize>,
    views: Vec<Transforms>,
    /// Per view, the terms of every keyword and lexicon rule reading it.
    term_sets: Vec<Option<TermSet>>,
}

impl Engine {
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

    /// The pack of a room named by resource id (the default pack when unlisted).
    fn pack_for_id(&self, room: &str) -> Option<&CompiledPack> {
        let idx = self.room_ids.get(room).copied().unwrap_or(0);
        self.packs.get(idx).or_else(|| self.packs.first())
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
}
