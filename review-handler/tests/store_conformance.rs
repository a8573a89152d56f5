//! The DynamoDB store against the reference: the same pseudo-random op sequences (several
//! users, rooms, sets and counters, time moving, items expiring, expiries shrinking,
//! message logs filling up, stale strike guards) answered by `rules::state::MemoryStore`
//! and by `DynamoStore` on moto's DynamoDB must be identical, batch by batch.

use review_handler::store::{items, DynamoStore};
use rules::state::{MemoryStore, Millis, Op, Recent, RoomChange, UserChange, UserKey, MAX_RECENT};
use test_support::{unique_name, MotoServer};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

async fn table(server: &MotoServer) -> (aws_sdk_dynamodb::Client, String) {
    let client = aws_sdk_dynamodb::Client::new(&server.sdk_config().await);
    let name = unique_name("state");
    review_handler::store::dynamo::create_table(&client, &name)
        .await
        .expect("create table");
    (client, name)
}

const ROOMS: [&str; 2] = ["roomA", "roomB"];
const USERS: [&str; 3] = ["u1", "u2", "u-3"];
const NAMES: [&str; 3] = ["Alice", "@alice ", "Bob"];

fn random_op(rng: &mut Rng, now: Millis, memory: &MemoryStore) -> Op {
    let room = rng.pick(&ROOMS).to_string();
    let user = UserKey::new(&room, rng.pick(&USERS));
    // Mostly forward-looking expiries, sometimes one shorter than what is stored.
    let expires_at = now + 200 + rng.below(15_000) as Millis;
    match rng.below(20) {
        0..=5 => Op::Touch {
            user,
            recent: Recent {
                at: now,
                fingerprint: rng.below(4),
            },
            keep: 1_000 + rng.below(12_000) as Millis,
            // Small caps fill the log (compaction), a large one is clamped.
            cap: [1, 2, 3, 200][rng.below(4) as usize],
            display_name: (rng.below(3) > 0).then(|| rng.pick(&NAMES).to_string()),
            expires_at,
        },
        6..=8 => Op::Join {
            key: format!("{room}#dup#{}", rng.below(2)),
            member: rng.pick(&USERS).to_string(),
            cap: rng.below(4) as u16,
            expires_at,
        },
        9..=11 => Op::Count {
            key: format!("{room}#msgs#{}", rng.below(2)),
            by: rng.below(3),
            expires_at,
        },
        12 => Op::Room { room },
        13..=15 => {
            let current = memory.user(&user, now).map_or(0, |r| r.strikes_at);
            let guard = match rng.below(4) {
                0 => None,
                1 => Some(0),
                2 => Some(current),
                _ => Some(now - 1),
            };
            Op::SetUser {
                user,
                change: UserChange {
                    strikes: (rng.below(2) == 0).then(|| (rng.below(50) as f64 / 7.0, now)),
                    muted_until: match rng.below(3) {
                        0 => None,
                        1 => Some(None),
                        _ => Some(Some(now + 5_000)),
                    },
                    permit_until: match rng.below(3) {
                        0 => None,
                        1 => Some(None),
                        _ => Some(Some(now + 60_000)),
                    },
                    ..UserChange::default()
                },
                if_strikes_at: guard,
                expires_at,
            }
        }
        16 => Op::SetRoom {
            room,
            change: if rng.below(2) == 0 {
                RoomChange::ShieldOn {
                    until: now + 30_000,
                    by: "mod-1".into(),
                }
            } else {
                RoomChange::ShieldOff
            },
            expires_at,
        },
        17 => Op::Alias {
            room,
            name: rng.pick(&NAMES).to_string(),
            user: user.user,
            expires_at,
        },
        18 => Op::Lookup {
            room,
            name: rng.pick(&NAMES).to_string(),
        },
        _ => Op::Disconnect {
            user,
            reason: "muted too often".into(),
            at: now,
            expires_at,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_answers_every_sequence_like_the_memory_store() {
    let server = MotoServer::shared();
    let (client, name) = table(server).await;
    let store = DynamoStore::new(client.clone(), name.clone());
    for seed in [1_u64, 0x5eed, 0xdead_beef] {
        let mut rng = Rng(seed);
        let mut memory = MemoryStore::new();
        // Each seed in its own time range, so items of a previous seed are long expired.
        let mut now: Millis = 1_800_000_000_000 + seed as Millis % 1_000 * 1_000_000_000;
        let mut ops_done = 0;
        let mut batch_no = 0;
        while ops_done < 300 {
            now += rng.below(2_500) as Millis;
            let len = 1 + rng.below(4) as usize;
            let batch: Vec<Op> = (0..len)
                .map(|_| random_op(&mut rng, now, &memory))
                .collect();
            let expected = memory.apply(&batch, now);
            let got = store.apply(&batch, now).await.expect("store answers");
            assert_eq!(
                got, expected,
                "seed {seed}, batch {batch_no} at {now}: {batch:#?}"
            );
            ops_done += len;
            batch_no += 1;
        }
    }
}

/// Length of the message log of one user item.
async fn log_len(client: &aws_sdk_dynamodb::Client, table: &str, user: &UserKey) -> usize {
    let item = client
        .get_item()
        .table_name(table)
        .key("pk", items::s(items::user_pk(user)))
        .send()
        .await
        .unwrap();
    item.item()
        .and_then(|i| i.get("recent")?.as_l().ok().map(Vec::len))
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chatty_user_log_is_compacted_and_stays_bounded() {
    let server = MotoServer::shared();
    let (client, name) = table(server).await;
    let store = DynamoStore::new(client.clone(), name.clone());
    let mut memory = MemoryStore::new();
    let now0: Millis = 1_850_000_000_000;
    for (user, cap, keep) in [("chatty", 3_u16, 600_000), ("max", MAX_RECENT, 600_000)] {
        let user = UserKey::new("roomC", user);
        let mut longest = 0;
        for i in 0..(3 * usize::from(cap) + 2 * items::COMPACT_SLACK) {
            let now = now0 + i as Millis * 100;
            let touch = Op::Touch {
                user: user.clone(),
                recent: Recent {
                    at: now,
                    fingerprint: i as u64 % 5,
                },
                keep,
                cap,
                display_name: None,
                expires_at: now + 3_600_000,
            };
            let batch = [touch];
            assert_eq!(
                store.apply(&batch, now).await.unwrap(),
                memory.apply(&batch, now),
                "{user:?} message {i}"
            );
            longest = longest.max(log_len(&client, &name, &user).await);
        }
        assert!(
            longest == usize::from(cap) + items::COMPACT_SLACK,
            "{user:?}: the log fills to cap + slack before it is compacted, got {longest}"
        );
        assert!(longest <= usize::from(MAX_RECENT) + items::COMPACT_SLACK);
    }
}
