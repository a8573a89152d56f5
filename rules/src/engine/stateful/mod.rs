//! The two-phase protocol of stateful rules: [`Engine::begin`] runs the stateless pass
//! and lists the store ops a message needs (all sent at once: one round trip),
//! a store answers them, [`Engine::finish`] decides and lists the follow-up writes.
//! See `STATE-API.md` and the README's "Stateful rules".

use super::response::deny_response;
use super::state_rules::{stateful_rules, CommandsRule, Limit, ShieldRule, Stateful, StrikesRule};
use super::{CompiledPack, Effect, Engine, Evaluation, FiredRule, Matcher, Rule};
use crate::action::{Action, Verdict};
use crate::ivs::{ReviewRequest, ReviewResult};
use crate::pack::{RatePer, StateUnavailable};
use crate::state::{
    bounded, bucket, dup_set_key, fingerprint, fingerprint_of_view, format_duration,
    format_rfc3339, ip_counter_key, message_counter_key, new_chatter_counter_key, parse_command,
    room_id, shard_of, Answer, Command, CommandError, MemoryStore, Millis, Op, Recent, RoomChange,
    UserChange, UserKey, UserRecord,
};

/// How long a user record lives after the user's last message or moderation change: a
/// user unseen for a day is forgotten (a newcomer again, strikes gone).
pub(crate) const USER_TTL: Millis = 24 * 3_600_000;
/// How long a display name → user id alias lives: written when the name is new or
/// changed, or the user's record is new (first message, or after a day's silence), so
/// only a user active every day for longer than this loses it (then named by user id).
pub(crate) const ALIAS_TTL: Millis = crate::state::MAX_DURATION;
/// How long a disconnect request waits for the enforcer.
const DISCONNECT_TTL: Millis = 3_600_000;
/// `if_strikes_at` of the read-only `SetUser` that `!strikes` uses: no record has it,
/// so the op always answers [`Answer::Conflict`] with the current record, writing nothing.
const READ_GUARD: Millis = Millis::MIN;

/// Phase 1's result: the stateless evaluation and what the state phase needs.
/// Opaque; pass it to [`Engine::finish`].
#[derive(Debug, Clone)]
pub struct Pending {
    evaluation: Evaluation,
    ops: Vec<Op>,
    ctx: Option<Box<Context>>,
}

impl Pending {
    /// The phase-1 ops, to be answered in order; empty when the room's pack has no
    /// stateful rules (then [`Engine::finish`] needs no answers).
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }
}

/// Phase 2's result.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The decision, stateful rules included.
    pub evaluation: Evaluation,
    /// Follow-up writes for the store (strikes, mutes, permits spent, shield, aliases,
    /// disconnects, moderator-command effects, new-chatter counts).
    pub writes: Vec<Op>,
    /// Whether the store took part.
    pub state: StateUse,
}

/// How an evaluation used the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateUse {
    /// The room's pack has no stateful rules.
    NotUsed,
    /// The store answered and the stateful rules applied.
    Applied,
    /// The store did not answer: the pack's `state_unavailable` setting applied.
    Degraded,
}

impl StateUse {
    /// Its name, as serialised (`not_used`, `applied`, `degraded`): for metrics and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            StateUse::NotUsed => "not_used",
            StateUse::Applied => "applied",
            StateUse::Degraded => "degraded",
        }
    }
}

impl std::fmt::Display for StateUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What phase 2 needs besides the answers.
#[derive(Debug, Clone)]
struct Context {
    req: ReviewRequest,
    now: Millis,
    room: String,
    user: UserKey,
    fingerprint: Option<(u64, usize)>,
    display_name: Option<String>,
    /// Rules exempted for this message by the stateless pass.
    exempt: Vec<String>,
    /// A moderator command: the commands rule's index and the parse.
    command: Option<(usize, Result<Command, CommandError>)>,
    slots: Slots,
}

/// Which op answers what (indexes into `Pending::ops`; the Touch is op 0).
#[derive(Debug, Clone, Default)]
struct Slots {
    room: Option<usize>,
    messages: Option<usize>,
    new_chatters: Option<usize>,
    /// (rule index, op index): copypasta joins and per-IP counters.
    per_rule: Vec<(usize, usize)>,
    lookup: Option<usize>,
    target: Option<usize>,
}

fn fired(rule: &Rule) -> FiredRule {
    FiredRule {
        id: rule.id.clone(),
        action: rule.effect.action(),
        shadow: rule.shadow,
        category: rule.category.clone(),
        severity: rule.severity.clone(),
    }
}

fn reason_of(rule: &Rule) -> &str {
    match &rule.effect {
        Effect::Deny { reason, .. } => reason,
        _ => "",
    }
}

/// The shield counters of a room: (message counter key, new-chatter counter key).
fn shield_keys(ctx: &Context, window: Millis, shards: u16) -> (String, String, Millis) {
    let b = bucket(ctx.now, window);
    let shard = shard_of(&ctx.user.user, shards);
    (
        message_counter_key(&ctx.room, b, shard),
        new_chatter_counter_key(&ctx.room, b, shard),
        (b + 2) * window,
    )
}

mod command;
mod decide;
mod seen;

use seen::Seen;

impl Engine {
    /// True when any pack or room uses a stateful rule kind (the handler needs a store
    /// only then).
    pub fn is_stateful(&self) -> bool {
        self.packs.iter().any(|p| p.needs.stateful)
    }

    /// Phase 1: evaluates the stateless rules and lists the store ops the stateful
    /// ones need, as of `now`.
    pub fn begin(&self, req: &ReviewRequest, now: Millis) -> Pending {
        let Some(pack) = self.pack_for(&req.room_arn).filter(|p| p.needs.stateful) else {
            return Pending {
                evaluation: self.evaluate(req),
                ops: Vec::new(),
                ctx: None,
            };
        };
        let (evaluation, exempt, view) = self.evaluate_pack(req, pack, &pack.needs.gated);
        let exempt: Vec<String> = exempt.into_iter().map(str::to_string).collect();
        let room = room_id(&req.room_arn).to_string();
        let user = UserKey::new(&room, &req.sender.user_id);
        // The stateless pass's default view when it made one (the same text).
        let fingerprint = view.map_or_else(
            || fingerprint(&req.content),
            |v| fingerprint_of_view(v.as_str()),
        );
        let display_name = pack
            .settings
            .display_name_attribute
            .as_ref()
            .and_then(|a| req.sender.attributes.get(a))
            .map(|n| bounded(n.trim()).to_string())
            .filter(|n| !n.is_empty());
        let mut ctx = Context {
            req: req.clone(),
            now,
            room,
            user,
            fingerprint,
            display_name,
            exempt,
            command: None,
            slots: Slots::default(),
        };
        let mut ops = vec![Op::Touch {
            user: ctx.user.clone(),
            recent: Recent {
                at: now,
                fingerprint: fingerprint.map_or(0, |f| f.0),
            },
            keep: pack.needs.keep,
            cap: pack.needs.cap,
            display_name: ctx.display_name.clone(),
            expires_at: now + USER_TTL.max(pack.needs.keep),
        }];
        let shards = pack.settings.counter_shards;
        for (i, rule) in pack.rules.iter().enumerate() {
            let Matcher::Stateful(s) = rule.matcher.as_ref() else {
                continue;
            };
            // Commands are never exempted: exempt rules usually name the moderators.
            if ctx.exempt.contains(&rule.id) && !matches!(s, Stateful::Commands(_)) {
                continue;
            }
            match s {
                Stateful::Shield(sh) => {
                    let (msgs, new, expires_at) = shield_keys(&ctx, sh.window, shards);
                    if sh.max_messages.is_some() && ctx.slots.messages.is_none() {
                        ctx.slots.messages = Some(ops.len());
                        ops.push(Op::Count {
                            key: msgs,
                            by: 1,
                            expires_at,
                        });
                    }
                    if sh.new_chatters.is_some() && ctx.slots.new_chatters.is_none() {
                        ctx.slots.new_chatters = Some(ops.len());
                        ops.push(Op::Count {
                            key: new,
                            by: 0,
                            expires_at,
                        });
                    }
                }
                Stateful::Repeats(r) => {
                    if let (Some(k), Some((fp, letters))) = (r.distinct_users, fingerprint) {
                        if letters >= r.min_letters {
                            let b = bucket(now, r.window);
                            ctx.slots.per_rule.push((i, ops.len()));
                            ops.push(Op::Join {
                                key: dup_set_key(&ctx.room, fp, b),
                                member: ctx.user.user.clone(),
                                cap: u16::try_from(k).unwrap_or(u16::MAX),
                                expires_at: (b + 2) * r.window,
                            });
                        }
                    }
                }
                Stateful::Rate(r) if r.per == RatePer::Ip && !req.sender.ip.trim().is_empty() => {
                    let b = bucket(now, r.limit.window);
                    ctx.slots.per_rule.push((i, ops.len()));
                    ops.push(Op::Count {
                        key: ip_counter_key(&ctx.room, &rule.id, req.sender.ip.trim(), b),
                        by: 1,
                        expires_at: (b + 2) * r.limit.window,
                    });
                }
                Stateful::Commands(c)
                    if ctx.command.is_none() && c.moderators.matches(&req.sender) =>
                {
                    if let Some(parsed) = parse_command(&req.content, &c.prefix) {
                        if let Ok(cmd) = &parsed {
                            if let Some(target) = cmd.target() {
                                ctx.slots.lookup = Some(ops.len());
                                ops.push(Op::Lookup {
                                    room: ctx.room.clone(),
                                    name: target.to_string(),
                                });
                                if matches!(cmd, Command::Strikes { .. }) {
                                    ctx.slots.target = Some(ops.len());
                                    ops.push(Op::SetUser {
                                        user: UserKey::new(&ctx.room, target),
                                        change: UserChange::default(),
                                        if_strikes_at: Some(READ_GUARD),
                                        expires_at: now,
                                    });
                                }
                            }
                        }
                        ctx.command = Some((i, parsed));
                    }
                }
                _ => {}
            }
        }
        let reads_room = stateful_rules(&pack.rules).any(|(_, s)| matches!(s, Stateful::Shield(_)));
        if reads_room {
            ctx.slots.room = Some(ops.len());
            ops.push(Op::Room {
                room: ctx.room.clone(),
            });
        }
        Pending {
            evaluation,
            ops,
            ctx: Some(Box::new(ctx)),
        }
    }

    /// Phase 2: decides. `answers` holds one [`Answer`] per `pending.ops()`, in order,
    /// or `None` when the store failed or missed its deadline (then the pack's
    /// `state_unavailable` setting applies; answers that do not fit the ops count as
    /// `None`).
    pub fn finish(&self, pending: Pending, answers: Option<&[Answer]>) -> Finished {
        let Pending {
            evaluation,
            ops,
            ctx,
        } = pending;
        let Some((ctx, pack)) = ctx.and_then(|c| self.pack_for(&c.req.room_arn).map(|p| (c, p)))
        else {
            return Finished {
                evaluation,
                writes: Vec::new(),
                state: StateUse::NotUsed,
            };
        };
        match answers.and_then(|a| Seen::read(&ctx.slots, &ops, a)) {
            Some(seen) => {
                let (evaluation, writes) = self.decide(pack, &ctx, evaluation, &seen);
                Finished {
                    evaluation,
                    writes,
                    state: StateUse::Applied,
                }
            }
            None => Finished {
                evaluation: self.degraded(pack, &ctx, evaluation),
                writes: Vec::new(),
                state: StateUse::Degraded,
            },
        }
    }

    /// The decision when the store did not answer.
    fn degraded(&self, pack: &CompiledPack, ctx: &Context, evaluation: Evaluation) -> Evaluation {
        if let Some(rule) = ctx.command.as_ref().and_then(|(i, _)| pack.rules.get(*i)) {
            // A command must not reach the chat, applied or not.
            let reason = "Command not applied: the moderation store is unavailable; try again.";
            return deny_eval(pack, &ctx.req, vec![fired(rule)], reason.into());
        }
        match pack.settings.state_unavailable {
            StateUnavailable::Skip => evaluation,
            StateUnavailable::Fail => {
                let response = self.fail_response(Some(&ctx.req));
                let action = match response.review_result {
                    ReviewResult::Allow => Verdict::Allow,
                    ReviewResult::Deny => Verdict::Deny,
                };
                Evaluation {
                    response,
                    fired: Vec::new(),
                    action,
                    ..evaluation
                }
            }
        }
    }

    /// After the writes were applied: the ops to retry once, recomputed from the
    /// current record of every [`Answer::Conflict`] (a strike update that raced another
    /// handler's); empty when nothing conflicted.
    pub fn retry_writes(&self, writes: &[Op], answers: &[Answer]) -> Vec<Op> {
        let mut retry = Vec::new();
        for (op, answer) in writes.iter().zip(answers) {
            let (
                Op::SetUser {
                    user,
                    change,
                    if_strikes_at: Some(guard),
                    expires_at,
                },
                Answer::Conflict(current),
            ) = (op, answer)
            else {
                continue;
            };
            let (Some((decided, at)), true) = (change.strikes, *guard != READ_GUARD) else {
                continue;
            };
            let Some((rule, st)) = self.pack_for_id(&user.room).and_then(strikes_rule) else {
                continue;
            };
            let total = st.decayed(current.strikes, current.strikes_at, at) + change.strikes_added;
            let muted = current.muted_until.is_some_and(|u| u > at);
            let threshold = st.threshold(total).filter(|_| !muted && !rule.shadow);
            let mute = threshold.map(|t| Some(at + t.mute));
            // The first attempt asked for a disconnect when its total reached one.
            let disconnect_decided =
                change.muted_until.is_some() && st.threshold(decided).is_some_and(|t| t.disconnect);
            if let Some(t) = threshold.filter(|t| t.disconnect && !disconnect_decided) {
                retry.push(Op::Disconnect {
                    user: user.clone(),
                    reason: format!("Muted until {}", format_rfc3339(at + t.mute)),
                    at,
                    expires_at: at + DISCONNECT_TTL,
                });
            }
            retry.push(Op::SetUser {
                user: user.clone(),
                change: UserChange {
                    strikes: Some((total, at)),
                    muted_until: mute,
                    permit_until: change.permit_until,
                    strikes_added: change.strikes_added,
                },
                if_strikes_at: Some(current.strikes_at),
                expires_at: *expires_at,
            });
        }
        retry
    }

    /// Both phases against an in-memory store (for `rules eval`, backtests, tests):
    /// begin, answer, finish, apply the writes, retry conflicts once.
    pub fn evaluate_with(
        &self,
        req: &ReviewRequest,
        now: Millis,
        store: &mut MemoryStore,
    ) -> Evaluation {
        let pending = self.begin(req, now);
        let answers = store.apply(pending.ops(), now);
        let finished = self.finish(pending, Some(&answers));
        if !finished.writes.is_empty() {
            let results = store.apply(&finished.writes, now);
            let retry = self.retry_writes(&finished.writes, &results);
            if !retry.is_empty() {
                store.apply(&retry, now);
            }
        }
        finished.evaluation
    }
}

/// The pack's strikes rule, if any.
fn strikes_rule(pack: &CompiledPack) -> Option<(&Rule, &StrikesRule)> {
    stateful_rules(&pack.rules).find_map(|(r, s)| match s {
        Stateful::Strikes(st) => Some((r, st)),
        _ => None,
    })
}

/// A DENY with `reason` for `req` in `pack`, with these fired rules.
fn deny_eval(
    pack: &CompiledPack,
    req: &ReviewRequest,
    fired: Vec<FiredRule>,
    reason: String,
) -> Evaluation {
    Evaluation {
        response: deny_response(&req.content, pack.settings.max_length, reason),
        fired,
        pack: pack.name.clone(),
        action: Verdict::Deny,
        max_length: pack.settings.max_length,
    }
}
