//! Memory across messages: what stateful rules (rate, repeats, strikes, newcomers,
//! shield, moderator commands) keep, as a small set of store operations.
//!
//! The engine stays pure: for one message it says which [`Op`]s it needs, a store
//! answers them ([`Answer`], one per op, same order), and the engine decides from the
//! answers. Two stores implement the same semantics:
//!
//! - [`MemoryStore`] (here, pure): one process = one store, used by `rules eval`,
//!   backtests and the tests. It is the reference: every other store must answer every
//!   op sequence exactly as it does.
//! - the review handler's DynamoDB store: one item per key, each op one `UpdateItem`
//!   (or `GetItem`), the ops of one phase sent concurrently, so a phase costs one round
//!   trip of latency.
//!
//! Every op carries an `expires_at`: the item may be forgotten after it (DynamoDB TTL),
//! and no answer may depend on an item past its `expires_at` (the memory store drops
//! it; the DynamoDB store treats an expired-but-not-yet-deleted item as absent). Every
//! item is bounded: [`Op::Touch`] keeps at most `cap` recent messages, [`Op::Join`] at
//! most `cap` members, strings are cut to [`MAX_KEY_PART_BYTES`].
//!
//! Times are [`Millis`], milliseconds since the Unix epoch, always passed in by the
//! caller: nothing here reads a clock.

mod commands;
mod keys;
mod memory;
pub(crate) mod time;

pub use commands::{parse_command, Command, CommandError, MAX_COMMAND_ARG_CHARS};
pub use keys::{
    bucket, dup_set_key, ip_counter_key, message_counter_key, new_chatter_counter_key, room_id,
    shard_of, MAX_SHARDS,
};
pub use memory::{DisconnectRequest, MemoryStore};
pub use time::{
    format_duration, format_rfc3339, parse_duration, parse_rfc3339, time_of, MAX_DURATION,
    TIME_FIELD,
};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// Longest room id, user id, display name or set member kept, in bytes (longer ones are
/// cut at a character boundary): bounds every item whatever the request carries.
pub const MAX_KEY_PART_BYTES: usize = 128;

/// Most recent messages one user record can keep ([`Op::Touch`]'s `cap` is clamped to it).
pub const MAX_RECENT: u16 = 64;

/// Most members one set can hold ([`Op::Join`]'s `cap` is clamped to it).
pub const MAX_MEMBERS: u16 = 1000;

/// A user in a room: the key of a [`UserRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserKey {
    /// The room's resource id (the last segment of its ARN).
    pub room: String,
    /// `Sender.UserId`.
    pub user: String,
}

impl UserKey {
    /// The key, with both parts cut to [`MAX_KEY_PART_BYTES`].
    pub fn new(room: &str, user: &str) -> UserKey {
        UserKey {
            room: bounded(room).to_string(),
            user: bounded(user).to_string(),
        }
    }
}

/// One message remembered in a [`UserRecord`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recent {
    /// When it was sent.
    pub at: Millis,
    /// Fingerprint of its near-duplicate form (normalised view, digits and punctuation
    /// stripped), so repeats are found without keeping the text.
    pub fingerprint: u64,
}

/// What the store keeps per user and room (one item).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserRecord {
    /// When the user was first seen in the room.
    pub first_seen: Option<Millis>,
    /// Their recent messages, oldest first.
    pub recent: Vec<Recent>,
    /// Strikes as of [`UserRecord::strikes_at`] (the engine applies the decay).
    pub strikes: f64,
    /// When `strikes` was last written; 0 when never.
    pub strikes_at: Millis,
    /// Muted (every message denied) until then.
    pub muted_until: Option<Millis>,
    /// A moderator's `!permit`: one link allowed until then.
    pub permit_until: Option<Millis>,
    /// The display name last seen (the attribute the pack names).
    pub display_name: Option<String>,
}

/// What the store keeps per room (one item).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomRecord {
    /// Shield (lockdown) is on until then: set by a moderator's `!shield on` or by the
    /// automatic trigger; `!shield off` clears it.
    pub shield_until: Option<Millis>,
    /// Who or what turned shield on last (a moderator's user id, or a rule id).
    pub shield_by: Option<String>,
}

/// A change to a [`UserRecord`]'s moderation fields; `None` fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserChange {
    /// New strikes value and its time (written together).
    pub strikes: Option<(f64, Millis)>,
    /// New mute end; `Some(None)` clears the mute.
    pub muted_until: Option<Option<Millis>>,
    /// New permit end; `Some(None)` clears (spends) the permit.
    pub permit_until: Option<Option<Millis>>,
    /// What `strikes` added on top of the stored value decayed to its time (0 when
    /// `strikes` is `None`). Not stored: [`crate::Engine::retry_writes`] recomputes
    /// `strikes` from a conflicting record with it.
    pub strikes_added: f64,
}

impl UserChange {
    /// Applies the set fields to `rec` (every store writes a user change this way).
    pub fn apply(&self, rec: &mut UserRecord) {
        if let Some((value, at)) = self.strikes {
            rec.strikes = value;
            rec.strikes_at = at;
        }
        if let Some(m) = self.muted_until {
            rec.muted_until = m;
        }
        if let Some(p) = self.permit_until {
            rec.permit_until = p;
        }
    }
}

/// [`Op::Touch`]'s list update: drops messages sent before `oldest`, appends `recent`,
/// keeps the newest `cap` (at most [`MAX_RECENT`]). Every store keeps `recent` this way.
pub fn push_recent(list: &mut Vec<Recent>, recent: Recent, oldest: Millis, cap: u16) {
    list.retain(|r| r.at >= oldest);
    list.push(recent);
    let excess = list.len().saturating_sub(usize::from(cap.min(MAX_RECENT)));
    list.drain(..excess);
}

/// A change to a [`RoomRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomChange {
    /// Shield on until `until`, by `by`.
    ShieldOn {
        /// End of the lockdown.
        until: Millis,
        /// Moderator user id or rule id.
        by: String,
    },
    /// Shield off.
    ShieldOff,
}

/// One store operation. Each names one item; the answer is [`Answer`] of the variant's
/// documented kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// The per-message update of the sender's record: drops remembered messages sent
    /// before `now - keep`, appends `recent`, keeps only the newest `cap`
    /// (≤ [`MAX_RECENT`]), sets `first_seen` to `recent.at` if unset, and `display_name`
    /// when given. Answers [`Answer::User`] with the record as it was **before** this
    /// op (after dropping expired fields: an item past `expires_at` answers the default
    /// record).
    Touch {
        /// Whose record.
        user: UserKey,
        /// The message being reviewed.
        recent: Recent,
        /// How long messages are remembered, ms.
        keep: Millis,
        /// How many messages are remembered.
        cap: u16,
        /// The sender's display name, if the pack names its attribute.
        display_name: Option<String>,
        /// The record may be forgotten after this.
        expires_at: Millis,
    },
    /// Adds `member` to the set `key` unless it already has `cap` (≤ [`MAX_MEMBERS`])
    /// members. Answers [`Answer::Joined`] with the member count after the op.
    Join {
        /// Set key (built by the engine: room, purpose, fingerprint, time bucket).
        key: String,
        /// Member (a user id).
        member: String,
        /// Most members kept.
        cap: u16,
        /// The set may be forgotten after this.
        expires_at: Millis,
    },
    /// Adds `by` to the counter `key` (absent = 0). Answers [`Answer::Count`] with the
    /// value after the op. `by: 0` is a read (the engine reads the new-chatter counter
    /// so): a store may answer it with a plain read and create nothing.
    Count {
        /// Counter key (built by the engine: room, purpose, time bucket, shard).
        key: String,
        /// Increment.
        by: u64,
        /// The counter may be forgotten after this.
        expires_at: Millis,
    },
    /// Reads a room's record. Answers [`Answer::Room`].
    Room {
        /// The room's resource id.
        room: String,
    },
    /// Changes a user's moderation fields, only if the stored `strikes_at` equals
    /// `if_strikes_at` (when given; an absent record has `strikes_at` 0). Answers
    /// [`Answer::Done`], or [`Answer::Conflict`] with the current record when the
    /// condition fails (nothing written). The engine reads a record this way (for
    /// `!strikes`): `if_strikes_at: Some(Millis::MIN)` never matches, so the answer is
    /// always `Conflict` with the current record (the default record when absent) and
    /// nothing is written.
    SetUser {
        /// Whose record.
        user: UserKey,
        /// What changes.
        change: UserChange,
        /// Optimistic-concurrency guard for strike updates.
        if_strikes_at: Option<Millis>,
        /// The record may be forgotten after this (the later of this and the stored one
        /// is kept).
        expires_at: Millis,
    },
    /// Changes a room's record. Answers [`Answer::Done`].
    SetRoom {
        /// The room's resource id.
        room: String,
        /// What changes.
        change: RoomChange,
        /// The record may be forgotten after this.
        expires_at: Millis,
    },
    /// Remembers that `name` (a display name) belongs to `user` in `room`, for
    /// moderator commands that name users. Answers [`Answer::Done`].
    Alias {
        /// Room, display name.
        room: String,
        /// The display name as sent (compared case-insensitively).
        name: String,
        /// The user id it belongs to.
        user: String,
        /// The alias may be forgotten after this.
        expires_at: Millis,
    },
    /// Looks up the user id of a display name. Answers [`Answer::Name`].
    Lookup {
        /// The room's resource id.
        room: String,
        /// The display name (case-insensitive).
        name: String,
    },
    /// Records that `user` must be disconnected from the room (the enforcer performs it
    /// off the message path with IVS `DisconnectUser`). Answers [`Answer::Done`].
    Disconnect {
        /// Who.
        user: UserKey,
        /// The reason IVS shows (`DisconnectUser.reason`).
        reason: String,
        /// When it was decided.
        at: Millis,
        /// The record may be forgotten after this.
        expires_at: Millis,
    },
}

/// A store's answer to one [`Op`].
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// [`Op::Touch`]: the record before the op.
    User(UserRecord),
    /// [`Op::Join`]: members after the op.
    Joined(u64),
    /// [`Op::Count`]: value after the op.
    Count(u64),
    /// [`Op::Room`]: the room's record.
    Room(RoomRecord),
    /// [`Op::Lookup`]: the user id, if the name is known.
    Name(Option<String>),
    /// A write was applied.
    Done,
    /// [`Op::SetUser`]'s condition failed; the current record.
    Conflict(UserRecord),
}

/// Folds a display name for [`Op::Alias`]/[`Op::Lookup`]: case-insensitive (Unicode
/// lowercase), surrounding whitespace and a leading `@` ignored, cut to
/// [`MAX_KEY_PART_BYTES`]. Every store keys aliases by this.
pub fn fold_name(name: &str) -> String {
    let name = name.trim();
    let name = name.strip_prefix('@').unwrap_or(name);
    bounded(&name.to_lowercase()).to_string()
}

/// `s` cut to at most [`MAX_KEY_PART_BYTES`] bytes at a character boundary.
pub fn bounded(s: &str) -> &str {
    if s.len() <= MAX_KEY_PART_BYTES {
        return s;
    }
    let mut end = MAX_KEY_PART_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// FNV-1a, 64 bits: the one stable hash of stateful rules (fingerprints, counter
/// shards). Unlike std's `RandomState` it is the same in every process, so every
/// handler instance builds the same keys.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
}

/// The near-duplicate fingerprint of a message: [`fnv1a64`] of its normalised view
/// (default transforms: case, accents, look-alikes, leetspeak, repeats folded) with
/// everything but letters dropped (digits, punctuation, symbols, emoji, spaces), so
/// `Buy  followers!!! 123` and `buy followers 456` collide. Also returns how many
/// letters it kept; `None` when there are none.
pub fn fingerprint(content: &str) -> Option<(u64, usize)> {
    let view = crate::normalize::normalize(content, crate::normalize::Transforms::default());
    fingerprint_of_view(view.as_str())
}

/// [`fingerprint`] of an already normalised view (default transforms).
pub fn fingerprint_of_view(view: &str) -> Option<(u64, usize)> {
    let mut letters = String::with_capacity(view.len());
    letters.extend(view.chars().filter(|c| c.is_alphabetic()));
    let n = letters.chars().count();
    (n > 0).then(|| (fnv1a64(letters.as_bytes()), n))
}
