//! Phase 2 with the store's answers: commands, mutes, shield, rate, repeats,
//! newcomers and strikes, in that order.

use super::*;

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

impl Engine {
    /// Phase 2 with the store's answers: the evaluation and the writes.
    pub(super) fn decide(
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
        let shield_rules: Vec<(&Rule, &ShieldRule)> = stateful_rules(&pack.rules)
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
