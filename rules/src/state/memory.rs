//! The in-memory store: the reference semantics of every [`Op`].

use std::collections::{BTreeSet, HashMap};

use super::{
    bounded, fold_name, push_recent, Answer, Millis, Op, RoomChange, RoomRecord, UserKey,
    UserRecord, MAX_MEMBERS,
};

/// Ops between two sweeps of expired items.
const SWEEP_EVERY: u64 = 4096;

/// A value with the time after which it is forgotten.
#[derive(Debug, Clone)]
struct Expiring<T> {
    value: T,
    expires_at: Millis,
}

impl<T> Expiring<T> {
    fn live(&self, now: Millis) -> bool {
        self.expires_at > now
    }
}

/// A disconnect the engine asked for ([`Op::Disconnect`]), kept for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisconnectRequest {
    /// Who.
    pub user: UserKey,
    /// The reason.
    pub reason: String,
    /// When it was decided.
    pub at: Millis,
}

/// One process's store: a map per item kind. Not shared between processes; `rules eval`
/// and backtests use one per run, in input order.
///
/// Memory: one entry per live item; expired items are swept every 4,096 ops, so a long
/// run holds what the last expiry windows touched (each item bounded as the module
/// documents).
#[derive(Debug, Default)]
pub struct MemoryStore {
    users: HashMap<UserKey, Expiring<UserRecord>>,
    sets: HashMap<String, Expiring<BTreeSet<String>>>,
    counters: HashMap<String, Expiring<u64>>,
    rooms: HashMap<String, Expiring<RoomRecord>>,
    aliases: HashMap<(String, String), Expiring<String>>,
    disconnects: Vec<DisconnectRequest>,
    ops: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Answers `ops` in order, as of `now`: one [`Answer`] per op.
    pub fn apply(&mut self, ops: &[Op], now: Millis) -> Vec<Answer> {
        let answers = ops.iter().map(|op| self.apply_one(op, now)).collect();
        self.ops += ops.len() as u64;
        if self.ops >= SWEEP_EVERY {
            self.ops = 0;
            self.sweep(now);
        }
        answers
    }

    /// Every disconnect asked for so far, oldest first.
    pub fn disconnects(&self) -> &[DisconnectRequest] {
        &self.disconnects
    }

    /// The user's live record, if any (for inspection and tests).
    pub fn user(&self, key: &UserKey, now: Millis) -> Option<&UserRecord> {
        self.users
            .get(key)
            .filter(|e| e.live(now))
            .map(|e| &e.value)
    }

    /// Drops every item expired at `now`.
    pub fn sweep(&mut self, now: Millis) {
        self.users.retain(|_, e| e.live(now));
        self.sets.retain(|_, e| e.live(now));
        self.counters.retain(|_, e| e.live(now));
        self.rooms.retain(|_, e| e.live(now));
        self.aliases.retain(|_, e| e.live(now));
    }

    fn apply_one(&mut self, op: &Op, now: Millis) -> Answer {
        match op {
            Op::Touch {
                user,
                recent,
                keep,
                cap,
                display_name,
                expires_at,
            } => {
                let entry = live_entry(&mut self.users, user.clone(), now, *expires_at);
                let before = entry.value.clone();
                let rec = &mut entry.value;
                push_recent(
                    &mut rec.recent,
                    *recent,
                    recent.at.saturating_sub(*keep),
                    *cap,
                );
                rec.first_seen.get_or_insert(recent.at);
                if let Some(name) = display_name {
                    rec.display_name = Some(bounded(name).to_string());
                }
                Answer::User(before)
            }
            Op::Join {
                key,
                member,
                cap,
                expires_at,
            } => {
                let entry = live_entry(&mut self.sets, key.clone(), now, *expires_at);
                let member = bounded(member);
                if entry.value.len() < usize::from((*cap).min(MAX_MEMBERS))
                    && !entry.value.contains(member)
                {
                    entry.value.insert(member.to_string());
                }
                Answer::Joined(entry.value.len() as u64)
            }
            Op::Count {
                key,
                by,
                expires_at,
            } => {
                let entry = live_entry(&mut self.counters, key.clone(), now, *expires_at);
                entry.value = entry.value.saturating_add(*by);
                Answer::Count(entry.value)
            }
            Op::Room { room } => Answer::Room(
                self.rooms
                    .get(room)
                    .filter(|e| e.live(now))
                    .map(|e| e.value.clone())
                    .unwrap_or_default(),
            ),
            Op::SetUser {
                user,
                change,
                if_strikes_at,
                expires_at,
            } => {
                let current = self.user(user, now).cloned().unwrap_or_default();
                if if_strikes_at.is_some_and(|at| at != current.strikes_at) {
                    return Answer::Conflict(current);
                }
                let entry = live_entry(&mut self.users, user.clone(), now, *expires_at);
                change.apply(&mut entry.value);
                Answer::Done
            }
            Op::SetRoom {
                room,
                change,
                expires_at,
            } => {
                let entry = live_entry(&mut self.rooms, room.clone(), now, *expires_at);
                match change {
                    RoomChange::ShieldOn { until, by } => {
                        entry.value.shield_until = Some(*until);
                        entry.value.shield_by = Some(bounded(by).to_string());
                    }
                    RoomChange::ShieldOff => {
                        entry.value.shield_until = None;
                        entry.value.shield_by = None;
                    }
                }
                Answer::Done
            }
            Op::Alias {
                room,
                name,
                user,
                expires_at,
            } => {
                let key = (room.clone(), fold_name(name));
                let entry = live_entry(&mut self.aliases, key, now, *expires_at);
                entry.value = bounded(user).to_string();
                Answer::Done
            }
            Op::Lookup { room, name } => Answer::Name(
                self.aliases
                    .get(&(room.clone(), fold_name(name)))
                    .filter(|e| e.live(now))
                    .map(|e| e.value.clone()),
            ),
            Op::Disconnect {
                user, reason, at, ..
            } => {
                self.disconnects.push(DisconnectRequest {
                    user: user.clone(),
                    reason: reason.clone(),
                    at: *at,
                });
                Answer::Done
            }
        }
    }
}

/// The live entry for `key` (a fresh default one if absent or expired), its expiry
/// moved to the later of the stored one and `expires_at`.
fn live_entry<K: std::hash::Hash + Eq, T: Default>(
    map: &mut HashMap<K, Expiring<T>>,
    key: K,
    now: Millis,
    expires_at: Millis,
) -> &mut Expiring<T> {
    let entry = map.entry(key).or_insert_with(|| Expiring {
        value: T::default(),
        expires_at,
    });
    if !entry.live(now) {
        entry.value = T::default();
        entry.expires_at = expires_at;
    }
    entry.expires_at = entry.expires_at.max(expires_at);
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Recent, UserChange};

    fn touch(user: &str, at: Millis, fingerprint: u64) -> Op {
        Op::Touch {
            user: UserKey::new("room1", user),
            recent: Recent { at, fingerprint },
            keep: 10_000,
            cap: 3,
            display_name: Some(format!("{user}-name")),
            expires_at: at + 60_000,
        }
    }

    #[test]
    fn touch_answers_the_record_before_and_keeps_a_bounded_window() {
        let mut s = MemoryStore::new();
        let first = s.apply(&[touch("u", 1_000, 1)], 1_000);
        assert_eq!(first, vec![Answer::User(UserRecord::default())]);
        for (i, at) in [2_000, 3_000, 4_000].into_iter().enumerate() {
            s.apply(&[touch("u", at, i as u64 + 2)], at);
        }
        let Answer::User(before) = s.apply(&[touch("u", 15_000, 9)], 15_000).remove(0) else {
            panic!("touch answers a user record");
        };
        // cap 3: the newest three of 1..4 s; all within 10 s of 15 s? none before 5 s.
        assert_eq!(before.recent.len(), 3);
        assert_eq!(before.first_seen, Some(1_000));
        assert_eq!(before.display_name.as_deref(), Some("u-name"));
        let rec = s
            .user(&UserKey::new("room1", "u"), 15_000)
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            rec.recent,
            vec![Recent {
                at: 15_000,
                fingerprint: 9
            }]
        );
    }

    #[test]
    fn expired_items_answer_as_absent() {
        let mut s = MemoryStore::new();
        s.apply(&[touch("u", 1_000, 1)], 1_000);
        let a = s.apply(&[touch("u", 61_001, 1)], 61_001);
        assert_eq!(a, vec![Answer::User(UserRecord::default())]);
        let c = |n| Op::Count {
            key: "c".into(),
            by: 1,
            expires_at: n,
        };
        assert_eq!(
            s.apply(&[c(10), c(10)], 5),
            vec![Answer::Count(1), Answer::Count(2)]
        );
        assert_eq!(s.apply(&[c(20)], 10), vec![Answer::Count(1)]);
    }

    #[test]
    fn join_counts_distinct_members_up_to_the_cap() {
        let mut s = MemoryStore::new();
        let j = |m: &str| Op::Join {
            key: "k".into(),
            member: m.into(),
            cap: 2,
            expires_at: 100,
        };
        let got = s.apply(&[j("a"), j("a"), j("b"), j("c")], 0);
        assert_eq!(
            got,
            vec![
                Answer::Joined(1),
                Answer::Joined(1),
                Answer::Joined(2),
                Answer::Joined(2)
            ]
        );
    }

    #[test]
    fn set_user_is_conditional_on_strikes_at() {
        let mut s = MemoryStore::new();
        let u = UserKey::new("room1", "u");
        let set = |guard, at| Op::SetUser {
            user: u.clone(),
            change: UserChange {
                strikes: Some((2.0, at)),
                muted_until: Some(Some(at + 5)),
                ..UserChange::default()
            },
            if_strikes_at: guard,
            expires_at: 1_000,
        };
        assert_eq!(s.apply(&[set(Some(0), 10)], 10), vec![Answer::Done]);
        let stale = s.apply(&[set(Some(0), 20)], 20).remove(0);
        let Answer::Conflict(current) = stale else {
            panic!("a stale guard is a conflict");
        };
        assert_eq!((current.strikes, current.strikes_at), (2.0, 10));
        assert_eq!(current.muted_until, Some(15));
    }

    #[test]
    fn aliases_fold_case_and_at_sign() {
        let mut s = MemoryStore::new();
        let alias = Op::Alias {
            room: "r".into(),
            name: "Alice".into(),
            user: "u-1".into(),
            expires_at: 100,
        };
        let look = |n: &str| Op::Lookup {
            room: "r".into(),
            name: n.into(),
        };
        let got = s.apply(&[alias, look("@alice"), look("bob")], 0);
        assert_eq!(
            got,
            vec![
                Answer::Done,
                Answer::Name(Some("u-1".into())),
                Answer::Name(None)
            ]
        );
    }

    #[test]
    fn shield_on_and_off() {
        let mut s = MemoryStore::new();
        let on = Op::SetRoom {
            room: "r".into(),
            change: RoomChange::ShieldOn {
                until: 50,
                by: "mod".into(),
            },
            expires_at: 100,
        };
        let read = Op::Room { room: "r".into() };
        let got = s.apply(&[on, read.clone()], 0);
        assert_eq!(
            got[1],
            Answer::Room(RoomRecord {
                shield_until: Some(50),
                shield_by: Some("mod".into())
            })
        );
        let off = Op::SetRoom {
            room: "r".into(),
            change: RoomChange::ShieldOff,
            expires_at: 100,
        };
        let got = s.apply(&[off, read], 1);
        assert_eq!(got[1], Answer::Room(RoomRecord::default()));
    }

    #[test]
    fn bounded_cuts_at_a_char_boundary() {
        let long = "한".repeat(100);
        let cut = bounded(&long);
        assert!(cut.len() <= crate::state::MAX_KEY_PART_BYTES);
        assert!(long.starts_with(cut));
    }
}
