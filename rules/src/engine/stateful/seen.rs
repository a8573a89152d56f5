//! The store's answers, checked against the phase-1 ops.

use super::Slots;
use crate::state::{Answer, Op, RoomRecord, UserRecord};

/// The answers, checked against the ops.
pub(super) struct Seen {
    pub(super) user: UserRecord,
    pub(super) room: RoomRecord,
    pub(super) messages: u64,
    pub(super) new_chatters: u64,
    pub(super) per_rule: Vec<(usize, u64)>,
    pub(super) name: Option<String>,
    pub(super) target: Option<UserRecord>,
}

impl Seen {
    /// `None` when the answers do not fit the ops (a broken store: degrade).
    pub(super) fn read(slots: &Slots, ops: &[Op], answers: &[Answer]) -> Option<Seen> {
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

    pub(super) fn of_rule(&self, rule: usize) -> Option<u64> {
        self.per_rule
            .iter()
            .find(|(r, _)| *r == rule)
            .map(|(_, n)| *n)
    }
}
