//! The two-phase protocol of stateful rules: [`Engine::begin`] runs the stateless pass
//! and lists the store ops a message needs (all sent at once: one round trip),
//! a store answers them, [`Engine::finish`] decides and lists the follow-up writes.
//! See `STATE-API.md` and the README's "Stateful rules".

use super::response::deny_response;
use super::state_rules::{stateful_rules, CommandsRule, Limit, Stateful, StrikesRule};
use super::{CompiledPack, Effect, Engine, Evaluation, FiredRule, Matcher, Rule};
use crate::action::{Action, Verdict};
use crate::ivs::{ReviewRequest, ReviewResult};
use crate::pack::{RatePer, StateUnavailable};
use crate::state::{
    bounded, bucket, dup_set_key, fingerprint, format_duration, format_rfc3339, ip_counter_key,
    message_counter_key, new_chatter_counter_key, parse_command, room_id, shard_of, Answer,
    Command, CommandError, MemoryStore, Millis, Op, Recent, RoomChange, RoomRecord, UserChange,
    UserKey, UserRecord,
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

/// The answers, checked against the ops.
struct Seen {
    user: UserRecord,
    room: RoomRecord,
    messages: u64,
    new_chatters: u64,
    per_rule: Vec<(usize, u64)>,
    name: Option<String>,
    target: Option<UserRecord>,
}

impl Seen {
    /// `None` when the answers do not fit the ops (a broken store: degrade).
    fn read(slots: &Slots, ops: &[Op], answers: &[Answer]) -> Option<Seen> {
        if answers.len() != ops.len() {
            return None;
        }
        let Some(Answer::User(user)) = answers.first() else {
            return None;
        };
        let count = |slot: Option<usize>| -> Option<u64> {
            match slot.map(|i| answers.get(i)) {
                None => Some(0),
                Some(Some(Answer::Count(n) | Answer::Joined(n))) => Some(*n),
                Some(_) => None,
            }
        };
        let room = match slots.room.map(|i| answers.get(i)) {
            None => RoomRecord::default(),
            Some(Some(Answer::Room(r))) => r.clone(),
            Some(_) => return None,
        };
        let name = match slots.lookup.map(|i| answers.get(i)) {
            None => None,
            Some(Some(Answer::Name(n))) => n.clone(),
            Some(_) => return None,
        };
        let target = match slots.target.map(|i| answers.get(i)) {
            None => None,
            Some(Some(Answer::Conflict(r) | Answer::User(r))) => Some(r.clone()),
            Some(_) => return None,
        };
        let mut per_rule = Vec::new();
        for (rule, op) in &slots.per_rule {
            per_rule.push((*rule, count(Some(*op))?));
        }
        Some(Seen {
            user: user.clone(),
            room,
            messages: count(slots.messages)?,
            new_chatters: count(slots.new_chatters)?,
            per_rule,
            name,
            target,
        })
    }

    fn of_rule(&self, rule: usize) -> Option<u64> {
        self.per_rule
            .iter()
            .find(|(r, _)| *r == rule)
            .map(|(_, n)| *n)
    }
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

/// Milliseconds until a message would fit `limit`, given the sender's earlier messages
/// (denied attempts included) and this one at `now`; `None` when it fits now.
fn rate_wait(recent: &[Recent], limit: Limit, now: Millis) -> Option<Millis> {
    let start = now - limit.window;
    let mut times: Vec<Millis> = recent
        .iter()
        .filter(|m| m.at > start)
        .map(|m| m.at)
        .collect();
    let max = usize::try_from(limit.max).unwrap_or(usize::MAX);
    if times.len() < max {
        return None;
    }
    times.push(now);
    times.sort_unstable();
    // Free again once all but the newest `max - 1` have left the window.
    let oldest_kept = times.get(times.len() - max).copied().unwrap_or(now);
    Some((oldest_kept + limit.window - now).max(1))
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
        let (evaluation, exempt) = self.evaluate_pack(req, pack, &pack.needs.gated);
        let exempt: Vec<String> = exempt.into_iter().map(str::to_string).collect();
        let room = room_id(&req.room_arn).to_string();
        let user = UserKey::new(&room, &req.sender.user_id);
        let fingerprint = fingerprint(&req.content);
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

    /// Phase 2 with the store's answers: the evaluation and the writes.
    fn decide(
        &self,
        pack: &CompiledPack,
        ctx: &Context,
        evaluation: Evaluation,
        seen: &Seen,
    ) -> (Evaluation, Vec<Op>) {
        let now = ctx.now;
        let rec = &seen.user;
        let shards = pack.settings.counter_shards;
        let active = |rule: &Rule| !ctx.exempt.contains(&rule.id);
        let mut writes = Vec::new();
        if let Some(name) = &ctx.display_name {
            if rec.display_name.as_deref() != Some(name.as_str()) || rec.first_seen.is_none() {
                writes.push(Op::Alias {
                    room: ctx.room.clone(),
                    name: name.clone(),
                    user: ctx.user.user.clone(),
                    expires_at: now + ALIAS_TTL,
                });
            }
        }
        let new_user = rec.first_seen.is_none();
        let shield_rules: Vec<(&Rule, &super::state_rules::ShieldRule)> =
            stateful_rules(&pack.rules)
                .filter(|(r, _)| active(r))
                .filter_map(|(r, s)| match s {
                    Stateful::Shield(sh) => Some((r, sh)),
                    _ => None,
                })
                .collect();
        if new_user {
            if let Some((_, sh)) = shield_rules
                .iter()
                .find(|(_, sh)| sh.new_chatters.is_some())
            {
                let (_, key, expires_at) = shield_keys(ctx, sh.window, shards);
                writes.push(Op::Count {
                    key,
                    by: 1,
                    expires_at,
                });
            }
        }

        // 1. Moderator commands: answered, never shown.
        if let Some((i, parsed)) = &ctx.command {
            if let (Some(rule), Some(Stateful::Commands(c))) = (
                pack.rules.get(*i),
                pack.rules.get(*i).and_then(|r| match r.matcher.as_ref() {
                    Matcher::Stateful(s) => Some(s),
                    _ => None,
                }),
            ) {
                let (reason, ops) = self.command(pack, ctx, c, parsed, seen);
                writes.extend(ops);
                let eval = deny_eval(pack, &ctx.req, vec![fired(rule)], reason);
                return (eval, writes);
            }
        }

        // 2. Muted: every message denied until the mute ends.
        if let Some(until) = rec.muted_until.filter(|u| *u > now) {
            let mute_rule = stateful_rules(&pack.rules)
                .find(|(_, s)| matches!(s, Stateful::Strikes(_)))
                .or_else(|| {
                    stateful_rules(&pack.rules).find(|(_, s)| matches!(s, Stateful::Commands(_)))
                })
                .map(|(r, _)| r)
                .filter(|r| active(r));
            if let Some(rule) = mute_rule {
                let mut eval = evaluation;
                eval.fired.push(fired(rule));
                if rule.shadow {
                    return (eval, writes);
                }
                let reason = reason_of(rule).replace("{until}", &format_rfc3339(until));
                return (deny_eval(pack, &ctx.req, eval.fired, reason), writes);
            }
        }

        // 3. Shield: on by a moderator, or by the room's rates.
        let mut fired_now = Vec::new();
        let mut shield_on = seen.room.shield_until.is_some_and(|u| u > now);
        for (rule, sh) in &shield_rules {
            if shield_on {
                break;
            }
            let estimate = |count: u64| count.saturating_mul(u64::from(shards));
            let busy = sh
                .max_messages
                .is_some_and(|m| estimate(seen.messages) >= u64::from(m));
            let crowded = sh
                .new_chatters
                .is_some_and(|m| estimate(seen.new_chatters + u64::from(new_user)) >= u64::from(m));
            if busy || crowded {
                fired_now.push(fired(rule));
                if !rule.shadow {
                    shield_on = true;
                    let until = now + sh.duration;
                    writes.push(Op::SetRoom {
                        room: ctx.room.clone(),
                        change: RoomChange::ShieldOn {
                            until,
                            by: rule.id.clone(),
                        },
                        expires_at: until + 60_000,
                    });
                }
            }
        }

        // 4. The stateless verdict again when shield turns rules on or a permit lets a
        //    link through (rare: only then is the message evaluated twice).
        let permit = rec.permit_until.is_some_and(|u| u > now);
        let link_rules: Vec<String> = evaluation
            .fired
            .iter()
            .filter(|f| !f.shadow)
            .filter(|f| {
                pack.rules
                    .iter()
                    .any(|r| r.id == f.id && matches!(r.matcher.as_ref(), Matcher::Links(_)))
            })
            .map(|f| f.id.clone())
            .collect();
        let mut permit_used = permit && !link_rules.is_empty();
        let gated_on = shield_on && !pack.needs.gated.is_empty();
        let mut eval = if gated_on || permit_used {
            let mut skip = if shield_on {
                Vec::new()
            } else {
                pack.needs.gated.clone()
            };
            if permit_used {
                skip.extend(link_rules);
            }
            self.evaluate_pack(&ctx.req, pack, &skip).0
        } else {
            evaluation
        };
        let gated = |rule: &Rule| !shield_on && pack.needs.gated.contains(&rule.id);

        // 5. Rate, repeats, newcomers, in pack order.
        let mut deny: Option<String> = None;
        let mut hit = |rule: &Rule, wait: Option<Millis>, fired_now: &mut Vec<FiredRule>| {
            fired_now.push(fired(rule));
            if !rule.shadow && deny.is_none() {
                let wait = format_duration(wait.unwrap_or(0));
                deny = Some(reason_of(rule).replace("{wait}", &wait));
            }
        };
        for (i, rule) in pack.rules.iter().enumerate() {
            let Matcher::Stateful(s) = rule.matcher.as_ref() else {
                continue;
            };
            if !active(rule) || gated(rule) {
                continue;
            }
            match s {
                Stateful::Rate(r) => match r.per {
                    RatePer::User => {
                        if let Some(wait) = rate_wait(&rec.recent, r.limit, now) {
                            hit(rule, Some(wait), &mut fired_now);
                        }
                    }
                    RatePer::Ip => {
                        if seen.of_rule(i).is_some_and(|n| n > u64::from(r.limit.max)) {
                            let end = (bucket(now, r.limit.window) + 1) * r.limit.window;
                            hit(rule, Some(end - now), &mut fired_now);
                        }
                    }
                },
                Stateful::Repeats(r) => {
                    let repeated = match r.distinct_users {
                        Some(k) => seen.of_rule(i).is_some_and(|n| n >= u64::from(k)),
                        None => ctx.fingerprint.is_some_and(|(fp, letters)| {
                            letters >= r.min_letters
                                && rec
                                    .recent
                                    .iter()
                                    .any(|m| m.fingerprint == fp && m.at > now - r.window)
                        }),
                    };
                    if repeated {
                        hit(rule, None, &mut fired_now);
                    }
                }
                Stateful::Newcomers(n) => {
                    let newcomer = rec.first_seen.is_none_or(|f| now - f < n.newer_than);
                    if !newcomer {
                        continue;
                    }
                    let link = n
                        .links
                        .as_ref()
                        .is_some_and(|l| !l.find(&ctx.req.content).is_empty());
                    if link && permit {
                        permit_used = true;
                    } else if link {
                        hit(rule, None, &mut fired_now);
                        continue;
                    }
                    if let Some(wait) = n.limit.and_then(|l| rate_wait(&rec.recent, l, now)) {
                        hit(rule, Some(wait), &mut fired_now);
                    }
                }
                Stateful::Strikes(_) | Stateful::Shield(_) | Stateful::Commands(_) => {}
            }
        }
        if permit_used {
            writes.push(Op::SetUser {
                user: ctx.user.clone(),
                change: UserChange {
                    permit_until: Some(None),
                    ..UserChange::default()
                },
                if_strikes_at: None,
                expires_at: now + USER_TTL,
            });
        }

        // 6. Strikes for every enforced violation; a threshold mutes.
        let strikes = stateful_rules(&pack.rules)
            .filter(|(r, _)| active(r) && !gated(r))
            .find_map(|(r, s)| match s {
                Stateful::Strikes(st) => Some((r, st)),
                _ => None,
            });
        let mut mute_deny = None;
        if let Some((rule, st)) = strikes {
            let added: f64 = eval
                .fired
                .iter()
                .chain(fired_now.iter())
                .filter(|f| {
                    !f.shadow && matches!(f.action, Action::Deny | Action::Mask | Action::Replace)
                })
                .map(|f| st.weight(f.severity.as_deref()))
                .sum();
            if added > 0.0 {
                let (op, mute) = strike(st, rule.shadow, &ctx.user, rec, added, now);
                writes.push(op);
                if let Some((until, disconnect)) = mute {
                    fired_now.push(fired(rule));
                    mute_deny = Some(reason_of(rule).replace("{until}", &format_rfc3339(until)));
                    if disconnect {
                        writes.push(Op::Disconnect {
                            user: ctx.user.clone(),
                            reason: format!("Muted until {}", format_rfc3339(until)),
                            at: now,
                            expires_at: now + DISCONNECT_TTL,
                        });
                    }
                } else if rule.shadow
                    && st
                        .threshold(st.decayed(rec.strikes, rec.strikes_at, now) + added)
                        .is_some()
                {
                    fired_now.push(fired(rule));
                }
            }
        }

        eval.fired.extend(fired_now);
        // A new mute's reason wins; otherwise a stateless deny keeps its own reason.
        let reason = mute_deny.or(deny.filter(|_| eval.action != Verdict::Deny));
        if let Some(reason) = reason {
            eval = deny_eval(pack, &ctx.req, eval.fired, reason);
        }
        (eval, writes)
    }

    /// A moderator command's confirmation (or usage) and its writes.
    fn command(
        &self,
        pack: &CompiledPack,
        ctx: &Context,
        rule: &CommandsRule,
        parsed: &Result<Command, CommandError>,
        seen: &Seen,
    ) -> (String, Vec<Op>) {
        let now = ctx.now;
        let cmd = match parsed {
            Ok(cmd) => cmd,
            Err(usage) => return (usage.to_string(), Vec::new()),
        };
        let arg = cmd.target().unwrap_or_default();
        let (id, label) = match &seen.name {
            Some(id) if id != arg => (id.clone(), format!("{arg} ({id})")),
            Some(id) => (id.clone(), arg.to_string()),
            None => (arg.to_string(), format!("user id {arg}")),
        };
        let target = UserKey::new(&ctx.room, &id);
        let set = |change: UserChange, expires_at: Millis| Op::SetUser {
            user: target.clone(),
            change,
            if_strikes_at: None,
            expires_at,
        };
        match cmd {
            Command::Mute { duration, .. } => {
                let until = now + (*duration).min(rule.max_mute);
                let change = UserChange {
                    muted_until: Some(Some(until)),
                    ..UserChange::default()
                };
                (
                    format!("Muted {label} until {}.", format_rfc3339(until)),
                    vec![set(change, until + USER_TTL)],
                )
            }
            Command::Unmute { .. } => {
                let change = UserChange {
                    muted_until: Some(None),
                    ..UserChange::default()
                };
                (
                    format!("Unmuted {label}."),
                    vec![set(change, now + USER_TTL)],
                )
            }
            Command::Permit { .. } => {
                let until = now + rule.permit_for;
                let change = UserChange {
                    permit_until: Some(Some(until)),
                    ..UserChange::default()
                };
                (
                    format!("{label} may post one link until {}.", format_rfc3339(until)),
                    vec![set(change, now + USER_TTL)],
                )
            }
            Command::Shield { on: true, duration } => {
                let until = now + duration.unwrap_or(rule.shield_for);
                let change = RoomChange::ShieldOn {
                    until,
                    by: ctx.user.user.clone(),
                };
                let op = Op::SetRoom {
                    room: ctx.room.clone(),
                    change,
                    expires_at: until + 60_000,
                };
                (
                    format!("Shield on until {}.", format_rfc3339(until)),
                    vec![op],
                )
            }
            Command::Shield { on: false, .. } => {
                let op = Op::SetRoom {
                    room: ctx.room.clone(),
                    change: RoomChange::ShieldOff,
                    expires_at: now + 60_000,
                };
                ("Shield off.".to_string(), vec![op])
            }
            Command::Strikes { .. } => {
                if seen.name.as_deref().is_some_and(|n| n != arg) {
                    // The record read in phase 1 is the one keyed by the argument.
                    let reason = format!("{arg} is user id {id}: send !strikes {id}");
                    return (reason, Vec::new());
                }
                let rec = seen.target.clone().unwrap_or_default();
                let strikes = strikes_rule(pack).map_or(rec.strikes, |(_, st)| {
                    st.decayed(rec.strikes, rec.strikes_at, now)
                });
                let muted = match rec.muted_until.filter(|u| *u > now) {
                    Some(u) => format!("muted until {}", format_rfc3339(u)),
                    None => "not muted".to_string(),
                };
                (
                    format!("{label}: {strikes:.1} strikes, {muted}."),
                    Vec::new(),
                )
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

/// The strike update for `added` strikes on top of `rec` (guarded by its
/// `strikes_at`), and the mute it starts (end, disconnect) unless `shadow`.
fn strike(
    st: &StrikesRule,
    shadow: bool,
    user: &UserKey,
    rec: &UserRecord,
    added: f64,
    now: Millis,
) -> (Op, Option<(Millis, bool)>) {
    let total = st.decayed(rec.strikes, rec.strikes_at, now) + added;
    let mute = st
        .threshold(total)
        .filter(|_| !shadow)
        .map(|t| (now + t.mute, t.disconnect));
    let op = Op::SetUser {
        user: user.clone(),
        change: UserChange {
            strikes: Some((total, now)),
            muted_until: mute.map(|(until, _)| Some(until)),
            strikes_added: added,
            ..UserChange::default()
        },
        if_strikes_at: Some(rec.strikes_at),
        expires_at: now + USER_TTL.max(mute.map_or(0, |(until, _)| until - now)),
    };
    (op, mute)
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
