//! The keys of sets and counters (built here only; stores never parse them).
//!
//! Every key starts with the room's resource id, so rooms never share an item; every
//! part is cut to [`MAX_KEY_PART_BYTES`], so a key is at most ~4 parts of that plus
//! fixed text. Per-room counters are sharded: a message counts in the shard of its
//! sender ([`shard_of`]), so a raid spreads its writes over `shards` items instead of
//! one hot item.

use super::{bounded, fnv1a64, Millis};

/// Most counter shards per room and purpose (a pack's `counter_shards` is clamped).
pub const MAX_SHARDS: u16 = 64;

/// The resource id of a room ARN (`arn:aws:ivschat:…:room/AbCd` → `AbCd`), cut to
/// [`MAX_KEY_PART_BYTES`]; the whole string when it has no `/`.
pub fn room_id(room_arn: &str) -> &str {
    bounded(room_arn.rsplit('/').next().unwrap_or(room_arn))
}

/// The stable shard of `user` among `shards` (at least 1).
pub fn shard_of(user: &str, shards: u16) -> u16 {
    let n = u64::from(shards.clamp(1, MAX_SHARDS));
    // `n` ≤ 64, so the remainder fits.
    u16::try_from(fnv1a64(user.as_bytes()) % n).unwrap_or(0)
}

/// The time bucket of `now` for windows of `width` ms (fixed, epoch-aligned).
pub fn bucket(now: Millis, width: Millis) -> i64 {
    now.div_euclid(width.max(1))
}

/// The set of users who sent the message with this fingerprint in this bucket.
pub fn dup_set_key(room: &str, fingerprint: u64, bucket: i64) -> String {
    format!("{}#dup#{fingerprint:016x}#{bucket}", bounded(room))
}

/// One shard of a room's message counter for a bucket.
pub fn message_counter_key(room: &str, bucket: i64, shard: u16) -> String {
    format!("{}#msgs#{bucket}#{shard}", bounded(room))
}

/// One shard of a room's new-chatter counter for a bucket.
pub fn new_chatter_counter_key(room: &str, bucket: i64, shard: u16) -> String {
    format!("{}#new#{bucket}#{shard}", bounded(room))
}

/// A per-IP rate rule's counter for a bucket.
pub fn ip_counter_key(room: &str, rule: &str, ip: &str, bucket: i64) -> String {
    format!(
        "{}#ip#{}#{}#{bucket}",
        bounded(room),
        bounded(rule),
        bounded(ip)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MAX_KEY_PART_BYTES;

    #[test]
    fn keys_are_stable_and_bounded() {
        assert_eq!(room_id("arn:aws:ivschat:us-east-1:1:room/AbCd"), "AbCd");
        assert_eq!(dup_set_key("r", 0xab, 7), "r#dup#00000000000000ab#7");
        // FNV-1a 64 of "a" (the published test vector): stable across processes.
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert!(shard_of("someone", 4) < 4);
        assert_eq!(shard_of("x", 0), 0);
        let long = "x".repeat(1000);
        assert!(ip_counter_key(&long, &long, &long, 1).len() <= 3 * MAX_KEY_PART_BYTES + 32);
    }
}
