//! The DynamoDB item layout of the state store, and what each [`Op`] does to an item:
//! pure functions (no SDK calls), so the layout and the transitions are testable without
//! AWS. [`crate::store::dynamo`] sends what these build.
//!
//! Every item has `pk` (S), `v` (N, a version bumped by every write, for the
//! optimistic read-modify-write of the slow path), `expires_ms` (N, the op's
//! `expires_at`, ms) and `expires_at` (N, epoch seconds, rounded up: the table's TTL
//! attribute). An item with `expires_ms <= now` is absent, whatever TTL has deleted yet.
//!
//! | pk | attributes |
//! |---|---|
//! | `U#{room}#{user}` | `recent` (L of B, the message log below), `first_seen` (N), `strikes` (S, Rust's exact `f64` text), `strikes_at` (N), `muted_until` (N), `permit_until` (N), `display_name` (S) |
//! | `S#{key}` | `members` (SS, each member prefixed `m:`: DynamoDB sets hold no empty strings) |
//! | `C#{key}` | `n` (N) |
//! | `R#{room}` | `shield_until` (N), `shield_by` (S) |
//! | `A#{room}#{folded name}` | `user` (S) |
//! | `D#{room}#{user}#{at}` | `room`, `user`, `reason` (S), `at` (N): read by the enforcer from the table's stream |
//!
//! ## The message log, and why `recent` stays bounded in one `UpdateItem`
//!
//! DynamoDB cannot append to a list and drop its head in one update expression (the two
//! paths overlap), so `recent` is a log: each [`Op::Touch`] appends one 26-byte entry
//! (`at` i64, `fingerprint` u64, `oldest` i64 = `at - keep`, `cap` u16, big-endian) with
//! `list_append`, under the condition `size(recent) < cap + COMPACT_SLACK`. Replaying
//! the log ([`replay`]) gives exactly the memory store's list: each entry drops what is
//! older than its `oldest`, appends itself and keeps the newest `cap`. When the list is
//! full the condition fails, the store gets the old item back
//! (`ReturnValuesOnConditionCheckFailure=ALL_OLD`) and writes the compacted list (the
//! replayed messages as entries that drop nothing) plus the new entry, conditioned on the
//! version: a second round trip once every [`COMPACT_SLACK`] messages of one user.
//! Bound: at most `MAX_RECENT + COMPACT_SLACK` = 80 entries, about 2.3 KB.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use rules::state::{
    bounded, fold_name, push_recent, Answer, Millis, Op, Recent, RoomChange, RoomRecord,
    UserChange, UserKey, UserRecord, MAX_MEMBERS, MAX_RECENT,
};

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// Log entries a user item may hold past its `cap` before it is compacted (the
/// compaction costs one more round trip, once per this many messages of one user).
pub const COMPACT_SLACK: usize = 16;

/// Bytes of one log entry in `recent`.
const ENTRY_BYTES: usize = 26;

/// Prefix of every set member (see the module docs).
const MEMBER_PREFIX: &str = "m:";

/// The item an op reads or writes.
pub fn pk(op: &Op) -> String {
    match op {
        Op::Touch { user, .. } | Op::SetUser { user, .. } => user_pk(user),
        Op::Join { key, .. } => format!("S#{key}"),
        Op::Count { key, .. } => format!("C#{key}"),
        Op::Room { room } | Op::SetRoom { room, .. } => format!("R#{room}"),
        Op::Alias { room, name, .. } | Op::Lookup { room, name } => {
            format!("A#{room}#{}", fold_name(name))
        }
        Op::Disconnect { user, at, .. } => format!("D#{}#{}#{at}", user.room, user.user),
    }
}

/// The pk of a user record.
pub fn user_pk(user: &UserKey) -> String {
    format!("U#{}#{}", user.room, user.user)
}

/// `expires_at` of an op, for the ones that write.
pub fn op_expires(op: &Op) -> Option<Millis> {
    match op {
        Op::Touch { expires_at, .. }
        | Op::Join { expires_at, .. }
        | Op::Count { expires_at, .. }
        | Op::SetUser { expires_at, .. }
        | Op::SetRoom { expires_at, .. }
        | Op::Alias { expires_at, .. }
        | Op::Disconnect { expires_at, .. } => Some(*expires_at),
        Op::Room { .. } | Op::Lookup { .. } => None,
    }
}

/// TTL seconds for an expiry in ms: rounded up, so TTL never deletes a live item.
pub fn ttl_seconds(expires_ms: Millis) -> i64 {
    expires_ms.div_euclid(1000) + i64::from(expires_ms.rem_euclid(1000) != 0)
}

/// A number attribute.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A string attribute.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn get_i64(item: &Item, name: &str) -> Option<i64> {
    item.get(name)?.as_n().ok()?.parse().ok()
}

fn get_u64_saturating(item: &Item, name: &str) -> Option<u64> {
    // DynamoDB's ADD does not saturate; the memory store's counters do.
    let text = item.get(name)?.as_n().ok()?;
    Some(text.parse::<u64>().unwrap_or(u64::MAX))
}

fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)?.as_s().ok().map(String::as_str)
}

/// The item's version (`v`), 0 when absent.
pub fn version(item: &Item) -> i64 {
    get_i64(item, "v").unwrap_or(0)
}

/// The item's expiry in ms, if it has one.
pub fn expires_ms(item: &Item) -> Option<Millis> {
    get_i64(item, "expires_ms")
}

/// Whether `item` is live at `now` (present and not expired).
pub fn live(item: Option<&Item>, now: Millis) -> Option<&Item> {
    item.filter(|i| expires_ms(i).is_some_and(|e| e > now))
}

/// One entry of the message log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogEntry {
    /// The message.
    pub recent: Recent,
    /// Messages sent before this are dropped when the entry is replayed.
    pub oldest: Millis,
    /// Newest this many are kept after it.
    pub cap: u16,
}

impl LogEntry {
    /// The bytes stored in `recent`.
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(ENTRY_BYTES);
        b.extend_from_slice(&self.recent.at.to_be_bytes());
        b.extend_from_slice(&self.recent.fingerprint.to_be_bytes());
        b.extend_from_slice(&self.oldest.to_be_bytes());
        b.extend_from_slice(&self.cap.to_be_bytes());
        b
    }

    /// The entry from its bytes; `None` if they are not one.
    pub fn decode(b: &[u8]) -> Option<LogEntry> {
        let arr = |r: std::ops::Range<usize>| b.get(r)?.try_into().ok();
        if b.len() != ENTRY_BYTES {
            return None;
        }
        Some(LogEntry {
            recent: Recent {
                at: i64::from_be_bytes(arr(0..8)?),
                fingerprint: u64::from_be_bytes(arr(8..16)?),
            },
            oldest: i64::from_be_bytes(arr(16..24)?),
            cap: u16::from_be_bytes(b.get(24..26)?.try_into().ok()?),
        })
    }

    /// A compacted message: replaying it drops nothing.
    fn kept(recent: Recent) -> LogEntry {
        LogEntry {
            recent,
            oldest: Millis::MIN,
            cap: MAX_RECENT,
        }
    }

    /// As a list element.
    pub fn attribute(&self) -> AttributeValue {
        AttributeValue::B(Blob::new(self.encode()))
    }
}

/// The recent messages a log stands for.
pub fn replay(entries: impl IntoIterator<Item = LogEntry>) -> Vec<Recent> {
    let mut list = Vec::new();
    for e in entries {
        push_recent(&mut list, e.recent, e.oldest, e.cap);
    }
    list
}

fn log_entries(item: &Item) -> Vec<LogEntry> {
    let Some(Ok(list)) = item.get("recent").map(AttributeValue::as_l) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|a| a.as_b().ok())
        .filter_map(|b| LogEntry::decode(b.as_ref()))
        .collect()
}

/// The user record an item holds at `now` (the default when absent or expired).
pub fn decode_user(item: Option<&Item>, now: Millis) -> UserRecord {
    let Some(item) = live(item, now) else {
        return UserRecord::default();
    };
    UserRecord {
        first_seen: get_i64(item, "first_seen"),
        recent: replay(log_entries(item)),
        strikes: get_s(item, "strikes")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.0),
        strikes_at: get_i64(item, "strikes_at").unwrap_or(0),
        muted_until: get_i64(item, "muted_until"),
        permit_until: get_i64(item, "permit_until"),
        display_name: get_s(item, "display_name").map(str::to_string),
    }
}

/// The exact text of a strikes value (Rust's shortest round-trip form).
pub fn strikes_text(value: f64) -> String {
    format!("{value:?}")
}

/// The set an item holds at `now`.
pub fn decode_set(item: Option<&Item>, now: Millis) -> BTreeSet<String> {
    live(item, now)
        .and_then(|i| i.get("members"))
        .and_then(|a| a.as_ss().ok())
        .map(|ss| {
            ss.iter()
                .filter_map(|m| m.strip_prefix(MEMBER_PREFIX))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A set member as stored.
pub fn member(m: &str) -> String {
    format!("{MEMBER_PREFIX}{}", bounded(m))
}

/// The counter an item holds at `now`.
pub fn decode_count(item: Option<&Item>, now: Millis) -> u64 {
    live(item, now)
        .and_then(|i| get_u64_saturating(i, "n"))
        .unwrap_or(0)
}

/// The room record an item holds at `now`.
pub fn decode_room(item: Option<&Item>, now: Millis) -> RoomRecord {
    let Some(item) = live(item, now) else {
        return RoomRecord::default();
    };
    RoomRecord {
        shield_until: get_i64(item, "shield_until"),
        shield_by: get_s(item, "shield_by").map(str::to_string),
    }
}

/// The user id an alias item names at `now`.
pub fn decode_alias(item: Option<&Item>, now: Millis) -> Option<String> {
    live(item, now).and_then(|i| get_s(i, "user").map(str::to_string))
}

/// A conditional `UpdateItem`: the common case of a write, one round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// `UpdateExpression`.
    pub update: String,
    /// `ConditionExpression`: when it fails, the store takes the slow path with the old
    /// item.
    pub condition: String,
    /// `ExpressionAttributeNames`.
    pub names: HashMap<String, String>,
    /// `ExpressionAttributeValues`.
    pub values: HashMap<String, AttributeValue>,
    /// Whether the answer is read from the old item (`ALL_OLD`) or the new one
    /// (`ALL_NEW`: `UPDATED_NEW` leaves out an attribute the update did not change, such
    /// as a counter `ADD`ed 0).
    pub returns_old: bool,
}

/// Condition shared by every fast-path write: the item is absent, or live with an
/// expiry no later than the op's (so `SET expires_ms = :exp` keeps the later of the
/// two, as the memory store does). Anything else (an expired item, a shrinking expiry)
/// goes to the slow path.
const LIVE_AND_EXTENDS: &str =
    "attribute_not_exists(#pk) OR (#expires_ms > :now AND #expires_ms <= :exp";

/// The fast-path update of a writing op, or `None` for reads and [`Op::Disconnect`]
/// (an unconditional `PutItem`, [`disconnect_item`]).
pub fn fast_update(op: &Op, now: Millis) -> Option<Update> {
    let exp = op_expires(op)?;
    let mut values: HashMap<String, AttributeValue> = HashMap::from([
        (":now".into(), n(now)),
        (":exp".into(), n(exp)),
        (":exps".into(), n(ttl_seconds(exp))),
        (":one".into(), n(1)),
    ]);
    let mut sets = vec![
        "#expires_ms = :exp".to_string(),
        "#expires_at = :exps".to_string(),
    ];
    let mut adds = vec!["#v :one".to_string()];
    let mut removes: Vec<&str> = Vec::new();
    let mut extra = String::new();
    let mut returns_old = false;
    match op {
        Op::Touch {
            recent,
            keep,
            cap,
            display_name,
            ..
        } => {
            let entry = LogEntry {
                recent: *recent,
                oldest: recent.at.saturating_sub(*keep),
                cap: (*cap).min(MAX_RECENT),
            };
            values.insert(":entry".into(), AttributeValue::L(vec![entry.attribute()]));
            values.insert(":empty".into(), AttributeValue::L(Vec::new()));
            values.insert(":at".into(), n(recent.at));
            let limit = usize::from(entry.cap) + COMPACT_SLACK;
            values.insert(":limit".into(), n(limit));
            sets.push("#recent = list_append(if_not_exists(#recent, :empty), :entry)".into());
            sets.push("#first_seen = if_not_exists(#first_seen, :at)".into());
            if let Some(name) = display_name {
                values.insert(":name".into(), s(bounded(name)));
                sets.push("#display_name = :name".into());
            }
            extra = " AND (attribute_not_exists(#recent) OR size(#recent) < :limit)".into();
            returns_old = true;
        }
        Op::Join { cap: 0, .. } => return None,
        Op::Join { member: m, cap, .. } => {
            values.insert(":m".into(), s(member(m)));
            values.insert(":mset".into(), AttributeValue::Ss(vec![member(m)]));
            values.insert(":cap".into(), n((*cap).min(MAX_MEMBERS)));
            adds.push("#members :mset".into());
            extra = " AND (attribute_not_exists(#members) OR contains(#members, :m) OR size(#members) < :cap)".into();
        }
        Op::Count { by, .. } => {
            values.insert(":by".into(), n(by));
            adds.push("#n :by".into());
        }
        Op::SetUser {
            change,
            if_strikes_at,
            ..
        } => {
            user_change_clauses(change, &mut sets, &mut removes, &mut values);
            match if_strikes_at {
                None => {}
                Some(0) => {
                    extra =
                        " AND (attribute_not_exists(#strikes_at) OR #strikes_at = :guard)".into();
                    values.insert(":guard".into(), n(0));
                }
                Some(at) => {
                    extra = " AND #strikes_at = :guard".into();
                    values.insert(":guard".into(), n(at));
                }
            }
        }
        Op::SetRoom { change, .. } => match change {
            RoomChange::ShieldOn { until, by } => {
                values.insert(":until".into(), n(until));
                values.insert(":by".into(), s(bounded(by)));
                sets.push("#shield_until = :until".into());
                sets.push("#shield_by = :by".into());
            }
            RoomChange::ShieldOff => removes.extend(["#shield_until", "#shield_by"]),
        },
        Op::Alias { user, .. } => {
            values.insert(":user".into(), s(bounded(user)));
            sets.push("#user = :user".into());
        }
        Op::Room { .. } | Op::Lookup { .. } | Op::Disconnect { .. } => return None,
    }
    let mut update = format!("SET {} ADD {}", sets.join(", "), adds.join(", "));
    if !removes.is_empty() {
        update.push_str(&format!(" REMOVE {}", removes.join(", ")));
    }
    let mut condition = format!("{LIVE_AND_EXTENDS}{extra})");
    if let Op::SetUser {
        if_strikes_at: Some(at),
        ..
    } = op
    {
        if *at != 0 {
            // An absent record has strikes_at 0: only a live one can match.
            condition = format!("#expires_ms > :now AND #expires_ms <= :exp{extra}");
        }
    }
    let names = placeholders(&format!("{update} {condition}"));
    Some(Update {
        update,
        condition,
        names,
        values,
        returns_old,
    })
}

/// `ExpressionAttributeNames` for every `#name` in `expression`.
pub fn placeholders(expression: &str) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let mut rest = expression;
    while let Some(at) = rest.find('#') {
        let tail = rest.get(at + 1..).unwrap_or("");
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = tail.get(..len).unwrap_or("");
        names.insert(format!("#{name}"), name.to_string());
        rest = tail.get(len..).unwrap_or("");
    }
    names
}

fn user_change_clauses(
    change: &UserChange,
    sets: &mut Vec<String>,
    removes: &mut Vec<&str>,
    values: &mut HashMap<String, AttributeValue>,
) {
    if let Some((value, at)) = change.strikes {
        values.insert(":strikes".into(), s(strikes_text(value)));
        values.insert(":strikes_at".into(), n(at));
        sets.push("#strikes = :strikes".into());
        sets.push("#strikes_at = :strikes_at".into());
    }
    for (field, placeholder, value) in [
        ("#muted_until", ":muted", change.muted_until),
        ("#permit_until", ":permit", change.permit_until),
    ] {
        match value {
            None => {}
            Some(None) => removes.push(field),
            Some(Some(t)) => {
                values.insert(placeholder.into(), n(t));
                sets.push(format!("{field} = {placeholder}"));
            }
        }
    }
}

/// The answer of a fast-path write that succeeded, from the item it returned (the old
/// one for [`Op::Touch`], the new one otherwise).
pub fn fast_answer(op: &Op, returned: Option<&Item>, now: Millis) -> Answer {
    match op {
        Op::Touch { .. } => Answer::User(decode_user(returned, now)),
        Op::Join { .. } => Answer::Joined(
            returned
                .and_then(|i| i.get("members"))
                .and_then(|a| a.as_ss().ok())
                .map_or(0, |ss| ss.len() as u64),
        ),
        Op::Count { .. } => Answer::Count(
            returned
                .and_then(|i| get_u64_saturating(i, "n"))
                .unwrap_or(0),
        ),
        _ => Answer::Done,
    }
}

/// What the slow path does: answer, and write `put` unless it is `None` (nothing
/// changed, or a [`Op::SetUser`] conflict).
#[derive(Debug, Clone, PartialEq)]
pub struct Slow {
    /// The op's answer, valid if `put` is written (or is `None`).
    pub answer: Answer,
    /// The whole new item, to put on the condition that `v` is still the old one.
    pub put: Option<Item>,
}

/// The slow path of a writing op: the memory store's semantics applied to the old item
/// (`old`, as the failed condition returned it) at `now`.
pub fn slow(op: &Op, old: Option<&Item>, now: Millis) -> Slow {
    let pk = pk(op);
    let exp = op_expires(op).unwrap_or(now);
    let old_live = live(old, now);
    let new_exp = old_live
        .and_then(expires_ms)
        .map_or(exp, |stored| stored.max(exp));
    let v = old.map_or(0, version) + 1;
    let base = |extra: Vec<(&str, AttributeValue)>| -> Item {
        let mut item: Item = HashMap::from([
            ("pk".to_string(), s(pk.clone())),
            ("v".to_string(), n(v)),
            ("expires_ms".to_string(), n(new_exp)),
            ("expires_at".to_string(), n(ttl_seconds(new_exp))),
        ]);
        item.extend(extra.into_iter().map(|(k, a)| (k.to_string(), a)));
        item
    };
    match op {
        Op::Touch {
            recent,
            keep,
            cap,
            display_name,
            ..
        } => {
            let before = decode_user(old, now);
            let mut rec = before.clone();
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
            Slow {
                answer: Answer::User(before),
                put: Some(base(user_attributes(&rec))),
            }
        }
        Op::SetUser {
            change,
            if_strikes_at,
            ..
        } => {
            let mut rec = decode_user(old, now);
            if if_strikes_at.is_some_and(|at| at != rec.strikes_at) {
                return Slow {
                    answer: Answer::Conflict(rec),
                    put: None,
                };
            }
            change.apply(&mut rec);
            Slow {
                answer: Answer::Done,
                put: Some(base(user_attributes(&rec))),
            }
        }
        Op::Join { member: m, cap, .. } => {
            let mut set = decode_set(old, now);
            let m = bounded(m);
            if set.len() < usize::from((*cap).min(MAX_MEMBERS)) && !set.contains(m) {
                set.insert(m.to_string());
            }
            let answer = Answer::Joined(set.len() as u64);
            let unchanged = old_live
                .is_some_and(|o| expires_ms(o) == Some(new_exp) && decode_set(Some(o), now) == set);
            let members: Vec<String> = set.iter().map(|m| member(m)).collect();
            let attrs = if members.is_empty() {
                Vec::new()
            } else {
                vec![("members", AttributeValue::Ss(members))]
            };
            Slow {
                answer,
                put: (!unchanged).then(|| base(attrs)),
            }
        }
        Op::Count { by, .. } => {
            let value = decode_count(old, now).saturating_add(*by);
            Slow {
                answer: Answer::Count(value),
                put: Some(base(vec![("n", n(value))])),
            }
        }
        Op::SetRoom { change, .. } => {
            let mut room = decode_room(old, now);
            match change {
                RoomChange::ShieldOn { until, by } => {
                    room.shield_until = Some(*until);
                    room.shield_by = Some(bounded(by).to_string());
                }
                RoomChange::ShieldOff => {
                    room.shield_until = None;
                    room.shield_by = None;
                }
            }
            let mut attrs = Vec::new();
            if let Some(u) = room.shield_until {
                attrs.push(("shield_until", n(u)));
            }
            if let Some(b) = room.shield_by {
                attrs.push(("shield_by", s(b)));
            }
            Slow {
                answer: Answer::Done,
                put: Some(base(attrs)),
            }
        }
        Op::Alias { user, .. } => Slow {
            answer: Answer::Done,
            put: Some(base(vec![("user", s(bounded(user)))])),
        },
        Op::Room { .. } => Slow {
            answer: Answer::Room(decode_room(old, now)),
            put: None,
        },
        Op::Lookup { .. } => Slow {
            answer: Answer::Name(decode_alias(old, now)),
            put: None,
        },
        Op::Disconnect { .. } => Slow {
            answer: Answer::Done,
            put: Some(disconnect_item(op)),
        },
    }
}

/// The attributes of a user record (the message log compacted).
fn user_attributes(rec: &UserRecord) -> Vec<(&'static str, AttributeValue)> {
    let log = rec
        .recent
        .iter()
        .map(|r| LogEntry::kept(*r).attribute())
        .collect();
    let mut attrs = vec![
        ("recent", AttributeValue::L(log)),
        ("strikes", s(strikes_text(rec.strikes))),
        ("strikes_at", n(rec.strikes_at)),
    ];
    let numbers = [
        ("first_seen", rec.first_seen),
        ("muted_until", rec.muted_until),
        ("permit_until", rec.permit_until),
    ];
    attrs.extend(numbers.into_iter().filter_map(|(k, v)| Some((k, n(v?)))));
    if let Some(name) = &rec.display_name {
        attrs.push(("display_name", s(name.clone())));
    }
    attrs
}

/// The item of an [`Op::Disconnect`] (other ops: an item with the pk only).
pub fn disconnect_item(op: &Op) -> Item {
    let mut item: Item = HashMap::from([("pk".to_string(), s(pk(op)))]);
    if let Op::Disconnect {
        user,
        reason,
        at,
        expires_at,
    } = op
    {
        item.extend([
            ("room".to_string(), s(user.room.clone())),
            ("user".to_string(), s(user.user.clone())),
            ("reason".to_string(), s(bounded(reason))),
            ("at".to_string(), n(at)),
            ("v".to_string(), n(1)),
            ("expires_ms".to_string(), n(expires_at)),
            ("expires_at".to_string(), n(ttl_seconds(*expires_at))),
        ]);
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_rounds_up() {
        assert_eq!(ttl_seconds(1_000), 1);
        assert_eq!(ttl_seconds(1_001), 2);
        assert_eq!(ttl_seconds(0), 0);
    }

    #[test]
    fn log_entries_round_trip_and_replay_like_touch() {
        let e = LogEntry {
            recent: Recent {
                at: -5,
                fingerprint: u64::MAX,
            },
            oldest: Millis::MIN,
            cap: 7,
        };
        assert_eq!(LogEntry::decode(&e.encode()), Some(e));
        assert_eq!(LogEntry::decode(&[1, 2, 3]), None);
        // cap 2, keep 10: the third message drops the first by cap, the fourth drops
        // everything older than 30 - 10.
        let r = |at| Recent {
            at,
            fingerprint: at as u64,
        };
        let log = [(1, 2), (2, 2), (3, 2), (30, 2)].map(|(at, cap)| LogEntry {
            recent: r(at),
            oldest: at - 10,
            cap,
        });
        assert_eq!(replay(log), vec![r(30)]);
        assert_eq!(replay(log[..3].iter().copied()), vec![r(2), r(3)]);
    }

    #[test]
    fn strikes_text_is_exact() {
        for v in [0.0, 2.5, 1.0 / 3.0, 1e-300, 7e22] {
            assert_eq!(strikes_text(v).parse::<f64>().ok(), Some(v));
        }
    }

    #[test]
    fn expired_items_decode_as_absent() {
        let item: Item =
            HashMap::from([("expires_ms".to_string(), n(100)), ("n".to_string(), n(5))]);
        assert_eq!(decode_count(Some(&item), 99), 5);
        assert_eq!(decode_count(Some(&item), 100), 0);
    }
}
