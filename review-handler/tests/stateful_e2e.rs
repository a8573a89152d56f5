//! Stateful rules end to end: two `review-handler` processes, each under its own
//! `cargo lambda watch`, share one DynamoDB table on moto; every message goes to the one
//! or the other in turn, so each rule below only works if the two agree through the
//! table.
//!
//! The shared scenario replays chat at times it chooses (`CLOCK=request`: each message's
//! `Time`, 10 ms after the one before; a mute's expiry is a jump of the clock, not a
//! sleep), with deadlines of seconds: moto answers one DynamoDB call at a time in ~7 ms
//! (more on a busy machine), so a message's calls take 20-200 ms here, and what this test
//! proves (two handlers agreeing through the table) must not depend on the machine's load.
//! IVS's 200 ms and the store deadline are proven by the stopped-store test, on the system
//! clock with the 199 ms budget.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::{unique_name, LocalLambda, MotoServer};

const BIN: &str = env!("CARGO_BIN_EXE_review-handler");
/// The handlers' deadline in the stopped-store test: the highest IVS's 200 ms allows.
const DEADLINE_MS: u64 = 199;
/// The replay's deadline (`CLOCK=request`), handler and store alike.
const REPLAY_DEADLINE_MS: u64 = 5_000;
/// The replay's first message time: 2026-11-20T19:00:00Z.
const REPLAY_START_MS: i64 = 1_795_201_200_000;
/// Between two replayed messages.
const REPLAY_STEP_MS: i64 = 10;
const ROOM: &str = "arn:aws:ivschat:us-west-2:123456789012:room/StatefulE2E1";

/// The test pack: the example pack's kinds with windows short enough for a test; the
/// shield is manual only (no automatic trigger: two counter ops fewer per message).
const PACK: &str = r#"
version = 1
name = "stateful-e2e"

[settings]
fail = "allow"
deny_reason = "Blocked by moderation."
display_name_attribute = "display_name"
state_unavailable = "skip"

[[rules]]
id = "mods"
kind = "commands"
sender_attributes = { role = "moderator" }
permit_for = "1m"
duration = "1m"

[[rules]]
id = "badword"
kind = "keywords"
action = "deny"
severity = "low"
reason = "No bad words."
terms = ["zorblax"]

[[rules]]
id = "slow-mode"
kind = "rate"
max_messages = 3
window = "2s"
reason = "Slow down: wait {wait}."

[[rules]]
id = "unique-chat"
kind = "repeats"
window = "5s"
min_letters = 3
reason = "Please don't repeat yourself."

[[rules]]
id = "copypasta"
kind = "repeats"
window = "60s"
distinct_users = 5
min_letters = 12
reason = "That line is being pasted by many people."

[[rules]]
id = "newcomer-links"
kind = "newcomers"
newer_than = "1h"
block_links = true
reason = "New here? No links yet."

[[rules]]
id = "strikes"
kind = "strikes"
half_life = "10m"
thresholds = [{ strikes = 3, mute = "3s" }]
reason = "You are muted until {until}."

[[rules]]
id = "shield"
kind = "shield"
window = "1m"
duration = "1m"
enables = ["shield-slow"]

[[rules]]
id = "shield-slow"
kind = "rate"
max_messages = 1
window = "5s"
reason = "Shield mode: one message every 5 seconds."
"#;

async fn create_table(server: &MotoServer) -> String {
    let client = aws_sdk_dynamodb::Client::new(&server.sdk_config().await);
    let name = unique_name("state");
    review_handler::store::dynamo::create_table(&client, &name)
        .await
        .expect("create table");
    name
}

/// How the handlers tell time.
#[derive(Clone, Copy)]
enum Timing {
    /// `CLOCK=request`: each message at [`Chat::now`], deadlines of seconds.
    Replay,
    /// The system clock and IVS's budget (production keeps 30 ms per store round trip
    /// against DynamoDB's single-digit ms; moto gets the whole 199 ms).
    Live,
}

/// Handlers sharing one table, invoked in turn.
struct Chat {
    handlers: Vec<LocalLambda>,
    turn: AtomicUsize,
    /// The next message's `Time` (used by the handlers under [`Timing::Replay`]).
    now: AtomicI64,
}

impl Chat {
    fn start(
        server: &MotoServer,
        table: &str,
        pack: &std::path::Path,
        n: usize,
        timing: Timing,
    ) -> Chat {
        let mut env = server.child_env();
        env.push(("RULES_SOURCE".into(), pack.display().to_string()));
        env.push(("STATE_TABLE".into(), table.into()));
        let deadline = match timing {
            Timing::Replay => {
                env.push(("CLOCK".into(), "request".into()));
                REPLAY_DEADLINE_MS
            }
            Timing::Live => DEADLINE_MS,
        };
        env.push(("REVIEW_DEADLINE_MS".into(), deadline.to_string()));
        env.push(("STORE_DEADLINE_MS".into(), deadline.to_string()));
        let handlers = (0..n)
            .map(|_| LocalLambda::start(BIN, &env).expect("start review-handler"))
            .collect();
        Chat {
            handlers,
            turn: AtomicUsize::new(0),
            now: AtomicI64::new(REPLAY_START_MS),
        }
    }

    /// Moves the replay's clock `ms` forward.
    fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::Relaxed);
    }

    /// Sends `content` as `user` (display name `name`, role `role`) to the next handler.
    fn send_as(&self, user: &str, name: &str, role: &str, content: &str) -> Value {
        let n = self.turn.fetch_add(1, Ordering::Relaxed);
        let at = self.now.fetch_add(REPLAY_STEP_MS, Ordering::Relaxed);
        let event = json!({
            "Time": at,
            "Content": content, "MessageId": format!("m{n:06}"), "RoomArn": ROOM,
            "Attributes": {},
            "Sender": {"UserId": user, "Ip": "203.0.113.9",
                       "Attributes": {"display_name": name, "role": role}}
        });
        let handler = &self.handlers[n % self.handlers.len()];
        handler
            .invoke(&event)
            .unwrap_or_else(|e| panic!("{user}: {content}: {e}"))
    }

    fn send(&self, user: &str, content: &str) -> Value {
        self.send_as(user, user, "viewer", content)
    }

    fn moderate(&self, command: &str) -> String {
        let r = self.send_as("mod-1", "Mod", "moderator", command);
        assert_eq!(r["ReviewResult"], "DENY", "{command}: {r}");
        reason(&r).to_string()
    }

    /// Every JSON line the handlers wrote.
    fn lines(&self) -> Vec<Value> {
        self.handlers
            .iter()
            .flat_map(|h| {
                h.function_output()
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect::<Vec<Value>>()
            })
            .collect()
    }
}

fn reason(r: &Value) -> &str {
    r["Attributes"]["Reason"].as_str().unwrap_or_default()
}

fn allowed(r: &Value) -> bool {
    r["ReviewResult"] == "ALLOW"
}

fn write_pack(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("pack.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn stateful_rules_shared_by_two_handlers() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = MotoServer::shared();
    let table = rt.block_on(create_table(server));
    let dir = tempfile::tempdir().unwrap();
    let chat = Chat::start(server, &table, &write_pack(&dir, PACK), 2, Timing::Replay);

    // Slow mode: 3 per 2 s; the 4th is denied with the wait, and after the window the
    // user may speak again.
    for i in 0..3 {
        let r = chat.send(
            "fast-1",
            &format!("message number {}", ["one", "two", "three"][i]),
        );
        assert!(allowed(&r), "{i}: {r}");
    }
    let r = chat.send("fast-1", "message number four");
    assert!(
        !allowed(&r) && reason(&r).starts_with("Slow down: wait"),
        "{r}"
    );

    // Unique chat: the same line again (near-duplicate: case, punctuation, digits).
    assert!(allowed(&chat.send("echo-1", "hello there friends")));
    let r = chat.send("echo-1", "HELLO there, friends!!! 2");
    assert_eq!(reason(&r), "Please don't repeat yourself.", "{r}");

    // A raid of 200 accounts pasting one line: the first 4 pass, the 5th and every one
    // after are denied, whichever handler they reach.
    let verdicts: Vec<bool> = (0..200)
        .map(|i| {
            allowed(&chat.send(
                &format!("raider-{i:03}"),
                "follow my channel for free prizes",
            ))
        })
        .collect();
    assert_eq!(verdicts.iter().filter(|a| **a).count(), 4, "{verdicts:?}");
    assert!(verdicts[..4].iter().all(|a| *a) && verdicts[4..].iter().all(|a| !a));

    // Strikes: three low-severity violations mute (3 s); the mute outlasts them, then
    // expires.
    for i in 0..2 {
        let r = chat.send("rude-1", &format!("zorblax {i}"));
        assert_eq!(reason(&r), "No bad words.", "{r}");
    }
    let r = chat.send("rude-1", "zorblax again");
    assert!(reason(&r).starts_with("You are muted until"), "{r}");
    let r = chat.send("rude-1", "sorry everyone");
    assert!(reason(&r).starts_with("You are muted until"), "{r}");
    chat.advance(3_300);
    // A new line: the same one again would be unique chat's (a strike, muted again).
    let r = chat.send("rude-1", "i will behave now");
    assert!(allowed(&r), "the mute expired: {r}");

    // Moderator commands, by display name and by user id.
    assert!(allowed(
        &chat.send_as("victim-1", "Victim", "viewer", "hi chat")
    ));
    let said = chat.moderate("!mute Victim 1m");
    assert!(said.starts_with("Muted Victim (victim-1) until"), "{said}");
    let r = chat.send_as("victim-1", "Victim", "viewer", "why can't I talk");
    assert!(!allowed(&r), "muted by a moderator: {r}");
    let said = chat.moderate("!strikes victim-1");
    assert!(said.contains("strikes, muted until"), "{said}");
    let said = chat.moderate("!unmute Victim");
    assert_eq!(said, "Unmuted Victim (victim-1).");
    assert!(allowed(&chat.send_as(
        "victim-1",
        "Victim",
        "viewer",
        "thanks mods"
    )));

    let link = "look at evil.com/prize";
    assert_eq!(
        reason(&chat.send("newbie-1", link)),
        "New here? No links yet."
    );
    let said = chat.moderate("!permit newbie-1");
    assert!(said.contains("may post one link until"), "{said}");
    assert!(allowed(&chat.send("newbie-1", "my clip at evil.com/clip")));
    assert!(!allowed(
        &chat.send("newbie-1", "another one at evil.com/two")
    ));

    let said = chat.moderate("!shield on");
    assert!(said.starts_with("Shield on until"), "{said}");
    assert!(allowed(&chat.send("calm-1", "first message here")));
    let r = chat.send("calm-1", "second message here");
    assert_eq!(
        reason(&r),
        "Shield mode: one message every 5 seconds.",
        "{r}"
    );
    assert_eq!(chat.moderate("!shield off"), "Shield off.");
    assert!(allowed(&chat.send("calm-1", "third message here")));

    // Slow mode's window has long passed for fast-1.
    assert!(allowed(&chat.send("fast-1", "back again later")));

    // Every decision was evaluated with the store (none degraded); a known user's
    // ordinary message takes one round trip (a new user, a violation or a command adds
    // the follow-up writes' one).
    let last_id = format!("m{:06}", chat.turn.load(Ordering::Relaxed) - 1);
    let lines = chat.lines();
    let outcomes: Vec<&str> = lines
        .iter()
        .filter(|l| l["kind"] == "decision")
        .filter_map(|l| l["outcome"].as_str())
        .collect();
    assert!(outcomes.len() > 200, "{}", outcomes.len());
    assert!(outcomes.iter().all(|o| *o == "evaluated"), "{outcomes:?}");
    let trips = round_trips(&lines);
    assert_eq!(trips.len(), outcomes.len(), "a store record per decision");
    assert!(trips.values().all(|t| (1..=3).contains(t)), "{trips:?}");
    assert_eq!(trips.get(&last_id), Some(&1), "{trips:?}");
    assert!(lines
        .iter()
        .filter_map(|l| l.get("StoreErrors")?.as_u64())
        .all(|e| e == 0));
}

/// `StoreRoundTrips` per message id: each handler writes a decision's audit line, then
/// its EMF records, the store record last.
fn round_trips(lines: &[Value]) -> std::collections::HashMap<String, u64> {
    let mut out = std::collections::HashMap::new();
    let mut message = None;
    for l in lines {
        if l["kind"] == "decision" {
            message = l["message_id"].as_str().map(str::to_string);
        } else if let (Some(t), Some(m)) = (l.get("StoreRoundTrips"), &message) {
            out.insert(m.clone(), t.as_u64().unwrap_or(0));
        }
    }
    out
}

#[test]
fn a_stopped_store_degrades_as_the_pack_says_within_the_deadline() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A server of its own, stopped halfway.
    let server = MotoServer::start().expect("moto");
    let table = rt.block_on(create_table(&server));
    let dir = tempfile::tempdir().unwrap();
    let pack = PACK
        .replace(
            "state_unavailable = \"skip\"",
            "state_unavailable = \"fail\"",
        )
        .replace(
            "fail = \"allow\"",
            "fail = \"deny\"\nfail_reason = \"Moderation is unavailable.\"",
        );
    let chat = Chat::start(&server, &table, &write_pack(&dir, &pack), 1, Timing::Live);
    // Whether the store answers this one in time depends on the machine (moto is slow);
    // the stopped store below does not.
    chat.send("u-1", "hello while the store is up");

    drop(server);
    let started = Instant::now();
    let r = chat.send("u-1", "hello after the store stopped");
    let took = started.elapsed();
    assert_eq!(r["ReviewResult"], "DENY", "state_unavailable = fail: {r}");
    assert_eq!(reason(&r), "Moderation is unavailable.", "{r}");
    let said = chat.send_as("mod-1", "Mod", "moderator", "!shield on");
    assert!(reason(&said).starts_with("Command not applied"), "{said}");
    assert!(took < Duration::from_secs(1), "{took:?}");

    let lines = chat.lines();
    let decisions: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "decision").collect();
    let [_, down, command] = decisions[..] else {
        panic!("three decisions: {decisions:?}");
    };
    assert_eq!(down["outcome"], "degraded", "{down}");
    assert_eq!(command["outcome"], "degraded", "{command}");
    // Within the handler's deadline, whatever the store did.
    for d in [down, command] {
        let us = d["elapsed_us"].as_u64().unwrap();
        assert!(us < DEADLINE_MS * 1_000, "{d}");
    }
    // The last two store records: one failed round trip each, one degraded decision each.
    let store: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("StoreErrors").is_some())
        .collect();
    for r in &store[store.len() - 2..] {
        assert_eq!(
            (&r["StoreErrors"], &r["DegradedDecisions"]),
            (&json!(1), &json!(1)),
            "{r}"
        );
        assert_eq!(r["StoreRoundTrips"], 1, "{r}");
    }
}
