//! Agreement with the human moderators: of the messages they deleted
//! (`aws:DELETE_MESSAGE`) and the users they disconnected (`aws:DISCONNECT_USER`), how
//! many the pack would have caught; of the messages that stayed, how many it would
//! have blocked.
//!
//! Computed within one report's inputs: a delete whose message is in another
//! partition's input is counted as unmatched there (see the README on merging).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::history::{ModAction, ModEvent};
use super::report::Sample;

/// The agreement figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// Messages in the input that moderators deleted.
    pub deleted: u64,
    /// Of those, the pack would deny.
    pub deleted_denied: u64,
    /// Of those, the pack would rewrite (deliver changed).
    pub deleted_rewritten: u64,
    /// Deleted message ids not found among the input's messages.
    pub unmatched_deletes: u64,
    /// Users (per room) disconnected by moderators who sent messages in the input.
    pub disconnected_users: u64,
    /// Of those, users the pack would have denied at least one message of.
    pub disconnected_caught: u64,
    /// Disconnected users with no message in the input.
    pub disconnected_without_messages: u64,
    /// Messages that moderators did not delete.
    pub stayed: u64,
    /// Of those, the pack would deny.
    pub stayed_denied: u64,
    /// Of those, the pack would rewrite.
    pub stayed_rewritten: u64,
    /// The earliest deleted messages the pack would deliver unchanged or only tagged.
    pub missed: Vec<Sample>,
    /// The earliest messages that stayed and the pack would deny.
    pub stayed_blocked: Vec<Sample>,
}

/// The moderator actions of a history, indexed for the per-message pass.
#[derive(Debug, Default)]
pub(crate) struct Moderation<'a> {
    /// Deleted message ids.
    pub deleted: HashSet<&'a str>,
    /// Disconnected user id -> rooms.
    pub disconnected: HashMap<&'a str, Vec<&'a str>>,
    /// Distinct (room, user) disconnected.
    pub disconnected_total: usize,
}

impl<'a> Moderation<'a> {
    pub(crate) fn new(events: &'a [ModEvent]) -> Moderation<'a> {
        let mut m = Moderation::default();
        for e in events {
            match &e.action {
                ModAction::DeleteMessage(id) => {
                    m.deleted.insert(id.as_str());
                }
                ModAction::DisconnectUser(user) => {
                    let rooms = m.disconnected.entry(user.as_str()).or_default();
                    if !rooms.contains(&&*e.room) {
                        rooms.push(&e.room);
                        m.disconnected_total += 1;
                    }
                }
            }
        }
        m
    }

    /// True when `user` was disconnected from `room`.
    pub(crate) fn is_disconnected(&self, room: &str, user: &str) -> bool {
        self.disconnected
            .get(user)
            .is_some_and(|rooms| rooms.contains(&room))
    }
}

/// What one evaluation thread saw of the moderated messages and users.
#[derive(Debug, Default)]
pub(crate) struct Seen<'a> {
    /// Deleted ids found among the messages.
    pub found: HashSet<&'a str>,
    /// Disconnected (room, user) with messages.
    pub users: HashSet<(&'a str, &'a str)>,
    /// Of those, the ones with a denied message.
    pub caught: HashSet<(&'a str, &'a str)>,
}

impl<'a> Seen<'a> {
    /// Adds another thread's.
    pub(crate) fn absorb(&mut self, o: Seen<'a>) {
        self.found.extend(o.found);
        self.users.extend(o.users);
        self.caught.extend(o.caught);
    }

    /// Sets the figures that need the whole input.
    pub(crate) fn finish(&self, m: &Moderation<'_>, a: &mut Agreement) {
        a.unmatched_deletes = (m.deleted.len() - self.found.len()) as u64;
        a.disconnected_users = self.users.len() as u64;
        a.disconnected_caught = self.caught.len() as u64;
        a.disconnected_without_messages = (m.disconnected_total - self.users.len()) as u64;
    }
}
