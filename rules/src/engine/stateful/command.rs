//! The effects and confirmations of moderator commands.

use super::*;

impl Engine {
    /// A moderator command's confirmation (or usage) and its writes.
    pub(super) fn command(
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
}
