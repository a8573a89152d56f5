//! Stateful rules against the in-memory store: one test per kind, commands,
//! degradation, the conflict retry, and the protocol's equivalences.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rules::state::{format_rfc3339, Answer, MemoryStore, Millis, Op, UserChange, UserKey};
use rules::{Engine, Evaluation, PackSet, ReviewRequest, ReviewResult, Sender, StateUse};

const T0: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const ROOM: &str = "arn:aws:ivschat:us-east-1:1:room/r1";
const S: Millis = 1000;
const MIN: Millis = 60 * S;

const PACK: &str = r#"
[settings]
display_name_attribute = "display_name"
counter_shards = 1

[[rules]]
id = "mods"
kind = "senders"
action = "exempt"
sender_attributes = { role = "moderator" }
exempt = ["slow-mode", "unique-chat", "copypasta", "newcomer-limits"]

[[rules]]
id = "mod-commands"
kind = "commands"
sender_attributes = { role = "moderator" }
permit_for = "5m"

[[rules]]
id = "harassment"
kind = "keywords"
action = "deny"
severity = "high"
category = "harassment"
terms = ["idiot"]

[[rules]]
id = "slow-mode"
kind = "rate"
max_messages = 5
window = "10s"
severity = "low"
category = "spam"
reason = "Slow mode: wait {wait}."

[[rules]]
id = "unique-chat"
kind = "repeats"
window = "30s"
min_letters = 3
reason = "Unique chat."

[[rules]]
id = "copypasta"
kind = "repeats"
window = "60s"
distinct_users = 5
min_letters = 10
reason = "Copypasta."

[[rules]]
id = "newcomer-limits"
kind = "newcomers"
newer_than = "10m"
block_links = true
reason = "No links yet."

[[rules]]
id = "strikes"
kind = "strikes"
half_life = "10m"
weights = { high = 3, low = 1 }
thresholds = [{ strikes = 5, mute = "10m" }, { strikes = 12, mute = "1h", disconnect = true }]
reason = "Muted until {until}."

[[rules]]
id = "shield"
kind = "shield"
new_chatters = 20
window = "1m"
duration = "10m"
enables = ["shield-links"]

[[rules]]
id = "shield-links"
kind = "links"
action = "deny"
reason = "Links are off during shield."
"#;

fn engine(src: &str) -> Engine {
    Engine::compile(&PackSet::from_toml_str(src, "test.toml", None).unwrap()).unwrap()
}

fn compile_err(src: &str) -> rules::RulesError {
    match PackSet::from_toml_str(src, "bad.toml", None) {
        Err(e) => e,
        Ok(set) => Engine::compile(&set).unwrap_err(),
    }
}

fn from(user: &str, content: &str) -> ReviewRequest {
    ReviewRequest {
        content: content.into(),
        room_arn: ROOM.into(),
        message_id: "m".into(),
        sender: Sender {
            user_id: user.into(),
            ip: "192.0.2.1".into(),
            attributes: BTreeMap::from([("display_name".to_string(), format!("{user}-Name"))]),
        },
        ..Default::default()
    }
}

fn moderator(content: &str) -> ReviewRequest {
    let mut r = from("mod-1", content);
    r.sender
        .attributes
        .insert("role".to_string(), "moderator".to_string());
    r
}

fn reason(e: &Evaluation) -> &str {
    e.response
        .attributes
        .get("Reason")
        .map_or("", String::as_str)
}

fn ids(e: &Evaluation) -> Vec<&str> {
    e.fired.iter().map(|f| f.id.as_str()).collect()
}

fn allowed(e: &Evaluation) -> bool {
    e.response.review_result == ReviewResult::Allow
}

struct Chat {
    engine: Engine,
    store: MemoryStore,
}

impl Chat {
    fn new() -> Chat {
        Chat {
            engine: engine(PACK),
            store: MemoryStore::new(),
        }
    }
    fn send(&mut self, req: &ReviewRequest, at: Millis) -> Evaluation {
        self.engine.evaluate_with(req, T0 + at, &mut self.store)
    }
    /// A first message long ago, so `user` is no newcomer.
    fn regular(&mut self, user: &str) {
        self.send(&from(user, "hello there"), -60 * MIN);
    }
}

const WORDS: [&str; 8] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
];

#[test]
fn slow_mode_allows_five_per_ten_seconds_and_says_how_long_to_wait() {
    let mut c = Chat::new();
    for (i, w) in WORDS.iter().take(5).enumerate() {
        let e = c.send(&from("u", w), i as Millis * S);
        assert!(allowed(&e), "message {i}: {:?}", e.fired);
    }
    // Sixth within 10 s of the first (t = 0). Denied attempts count, so this one (5 s)
    // counts too: four slots free up once 0 s and 1 s have left the window, at 11 s.
    let e = c.send(&from("u", "foxtrot"), 5 * S);
    assert!(!allowed(&e));
    assert_eq!(reason(&e), "Slow mode: wait 6s.");
    let f = e.fired.iter().find(|f| f.id == "slow-mode").unwrap();
    assert_eq!(
        (f.action, f.category.as_deref(), f.severity.as_deref()),
        (rules::Action::Deny, Some("spam"), Some("low"))
    );
    // Denied attempts count too: at 10 s the window (0, 10] holds 1,2,3,4,5 s.
    assert!(!allowed(&c.send(&from("u", "golf"), 10 * S + 1)));
    // A pause of a full window clears it.
    assert!(allowed(&c.send(&from("u", "hotel"), 21 * S)));
    // Another user is not slowed by u.
    assert!(allowed(&c.send(&from("v", "alpha"), 5 * S)));
}

#[test]
fn unique_chat_denies_near_duplicates_from_one_user_within_the_window() {
    let mut c = Chat::new();
    assert!(allowed(&c.send(&from("u", "buy my stuff 123"), 0)));
    let e = c.send(&from("u", "BUY my stuff!!! 456"), 5 * S);
    assert_eq!((allowed(&e), reason(&e)), (false, "Unique chat."));
    assert!(ids(&e).contains(&"unique-chat"));
    // Someone else may say it; u may again after 30 s.
    assert!(allowed(&c.send(&from("v", "buy my stuff"), 6 * S)));
    assert!(allowed(&c.send(&from("u", "buy my stuff"), 40 * S)));
    // Too few letters to compare ("gg"): never a repeat.
    assert!(allowed(&c.send(&from("w", "gg"), 0)));
    assert!(allowed(&c.send(&from("w", "gg"), S)));
}

#[test]
fn a_raid_of_200_users_pasting_one_line_is_stopped_after_four() {
    let mut c = Chat::new();
    let line = "RAID RAID this stream is dead lol 1";
    let mut passed = 0;
    for i in 0..200 {
        let e = c.send(&from(&format!("raider-{i}"), line), i * 100);
        if allowed(&e) {
            passed += 1;
        } else {
            assert!(ids(&e).contains(&"copypasta"), "{i}: {:?}", e.fired);
        }
    }
    assert_eq!(passed, 4);
    // A different line is fine, and so is the same line after the window.
    assert!(allowed(
        &c.send(&from("x", "welcome raiders, be nice"), 30 * S)
    ));
    assert!(allowed(&c.send(&from("late", line), 125 * S)));
}

#[test]
fn strikes_lead_to_a_mute_that_ends() {
    let mut c = Chat::new();
    c.regular("u");
    let first = c.send(&from("u", "you idiot"), 0);
    assert_eq!(ids(&first), ["harassment"]);
    // 3 + 3 (decayed a little) > 5: muted 10 minutes from now.
    let second = c.send(&from("u", "idiot again"), 30 * S);
    let until = format_rfc3339(T0 + 30 * S + 10 * MIN);
    assert_eq!(reason(&second), format!("Muted until {until}."));
    assert_eq!(ids(&second), ["harassment", "strikes"]);
    let muted = c.send(&from("u", "hello"), 5 * MIN);
    assert_eq!(
        (allowed(&muted), reason(&muted)),
        (false, format!("Muted until {until}.").as_str())
    );
    assert_eq!(ids(&muted), ["strikes"]);
    assert!(allowed(&c.send(&from("u", "sorry"), 11 * MIN)));
    let rec = c
        .store
        .user(&UserKey::new("r1", "u"), T0 + 11 * MIN)
        .unwrap();
    assert!(rec.strikes > 5.0 && rec.strikes < 6.0, "{}", rec.strikes);
}

#[test]
fn strikes_decay_with_the_half_life() {
    let mut c = Chat::new();
    c.regular("u");
    c.send(&from("u", "idiot"), 0);
    // 20 minutes = two half-lives: 3 → 0.75, + 3 = 3.75 < 5: no mute.
    let e = c.send(&from("u", "idiot"), 20 * MIN);
    assert_eq!(ids(&e), ["harassment"]);
    let rec = c
        .store
        .user(&UserKey::new("r1", "u"), T0 + 20 * MIN)
        .unwrap();
    assert!((rec.strikes - 3.75).abs() < 1e-9, "{}", rec.strikes);
    // Within one minute again: 3.75·2^(-0.1) + 3 ≥ 5: muted.
    assert_eq!(
        ids(&c.send(&from("u", "idiot"), 21 * MIN)),
        ["harassment", "strikes"]
    );
}

#[test]
fn the_highest_threshold_disconnects() {
    let mut c = Chat::new();
    c.regular("u");
    assert!(c.store.disconnects().is_empty());
    c.send(&from("u", "idiot"), 0);
    assert!(c.store.disconnects().is_empty());
    // Heavier weights: one violation reaches 12: an hour's mute and a disconnect.
    c.engine = engine(&PACK.replace("high = 3", "high = 12"));
    let e = c.send(&from("u", "idiot"), S);
    assert_eq!(
        reason(&e),
        format!("Muted until {}.", format_rfc3339(T0 + S + 60 * MIN))
    );
    let d = c.store.disconnects();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].user, UserKey::new("r1", "u"));
}

#[test]
fn moderator_commands_mute_unmute_and_name_users_by_display_name() {
    let mut c = Chat::new();
    c.regular("u");
    // Display name `u-Name` is known from u's messages; any case, optional @.
    let e = c.send(&moderator("!mute @U-NAME 5m"), 0);
    assert_eq!(e.response.review_result, ReviewResult::Deny);
    let until = format_rfc3339(T0 + 5 * MIN);
    assert_eq!(reason(&e), format!("Muted U-NAME (u) until {until}."));
    assert_eq!(ids(&e), ["mod-commands"]);
    assert!(!allowed(&c.send(&from("u", "hi"), MIN)));
    let e = c.send(&moderator("!strikes u"), 2 * MIN);
    assert_eq!(
        reason(&e),
        format!("user id u: 0.0 strikes, muted until {until}.")
    );
    let e = c.send(&moderator("!unmute u"), 3 * MIN);
    assert_eq!(reason(&e), "Unmuted user id u.");
    assert!(allowed(&c.send(&from("u", "thanks"), 4 * MIN)));
    // A name nobody has: taken as a user id, and said so.
    let e = c.send(&moderator("!unmute ghost"), 4 * MIN);
    assert_eq!(reason(&e), "Unmuted user id ghost.");
}

#[test]
fn commands_work_for_moderators_exempt_from_every_rule() {
    let src = PACK.replace(
        "exempt = [\"slow-mode\", \"unique-chat\", \"copypasta\", \"newcomer-limits\"]\n",
        "",
    );
    assert_ne!(src, PACK);
    let mut c = Chat::new();
    c.engine = engine(&src);
    let e = c.send(&moderator("!shield off"), 0);
    assert_eq!((allowed(&e), reason(&e)), (false, "Shield off."));
}

#[test]
fn strikes_command_by_display_name_points_at_the_user_id() {
    let mut c = Chat::new();
    c.regular("u");
    c.send(&from("u", "idiot"), 0);
    let e = c.send(&moderator("!strikes u"), 0);
    assert_eq!(reason(&e), "user id u: 3.0 strikes, not muted.");
    let e = c.send(&moderator("!strikes u-name"), 0);
    assert_eq!(reason(&e), "u-name is user id u: send !strikes u");
}

#[test]
fn bad_command_syntax_answers_usage_and_non_moderators_just_chat() {
    let mut c = Chat::new();
    let e = c.send(&moderator("!mute someone"), 0);
    assert_eq!(
        (allowed(&e), reason(&e)),
        (false, "usage: !mute <user> <duration, e.g. 10m>")
    );
    let e = c.send(&moderator("!shield sideways"), S);
    assert_eq!(reason(&e), "usage: !shield on [duration] | !shield off");
    // Not a moderator: an ordinary message, delivered.
    let e = c.send(&from("v", "!mute mod-1 10m"), 2 * S);
    assert!(allowed(&e), "{:?}", e.fired);
    assert_eq!(e.response.content, "!mute mod-1 10m");
    // Other bots' commands pass.
    assert!(allowed(&c.send(&moderator("!uptime"), 3 * S)));
}

#[test]
fn permit_lets_one_link_through_for_a_newcomer() {
    let mut c = Chat::new();
    let link = "see https://example.com/page";
    let e = c.send(&from("n", link), 0);
    assert_eq!((allowed(&e), reason(&e)), (false, "No links yet."));
    assert_eq!(
        reason(&c.send(&moderator("!permit n"), S)),
        format!(
            "user id n may post one link until {}.",
            format_rfc3339(T0 + S + 5 * MIN)
        )
    );
    assert!(allowed(
        &c.send(&from("n", "this one: https://example.com/x"), 2 * S)
    ));
    // Spent: the next link is denied again.
    assert!(!allowed(
        &c.send(&from("n", "and https://example.org"), 3 * S)
    ));
}

#[test]
fn newcomers_may_post_links_after_ten_minutes() {
    let mut c = Chat::new();
    assert!(allowed(&c.send(&from("n", "hi all"), 0)));
    assert!(!allowed(
        &c.send(&from("n", "look at example.com"), 9 * MIN)
    ));
    assert!(allowed(
        &c.send(&from("n", "look at example.com"), 10 * MIN + S)
    ));
}

#[test]
fn shield_on_by_a_moderator_turns_its_rules_on_until_off() {
    let mut c = Chat::new();
    c.regular("u");
    let link = "go to https://example.com";
    assert!(allowed(&c.send(&from("u", link), 0)));
    let e = c.send(&moderator("!shield on"), S);
    assert_eq!(
        reason(&e),
        format!("Shield on until {}.", format_rfc3339(T0 + S + 30 * MIN))
    );
    let e = c.send(&from("u", "go to https://example.org"), 2 * S);
    assert_eq!(
        (allowed(&e), reason(&e)),
        (false, "Links are off during shield.")
    );
    assert_eq!(
        reason(&c.send(&moderator("!shield off"), 3 * S)),
        "Shield off."
    );
    assert!(allowed(
        &c.send(&from("u", "go to https://example.net"), 4 * S)
    ));
}

#[test]
fn shield_turns_itself_on_when_new_chatters_flood_in() {
    let mut c = Chat::new();
    c.regular("u");
    for i in 0..19 {
        let e = c.send(
            &from(&format!("new-{i}"), &format!("hello {}", WORDS[i % 8])),
            i as Millis * 100,
        );
        assert!(!ids(&e).contains(&"shield"), "{i}");
    }
    let e = c.send(&from("new-19", "hi"), 2 * S);
    assert!(ids(&e).contains(&"shield"), "{:?}", e.fired);
    let f = e.fired.iter().find(|f| f.id == "shield").unwrap();
    assert_eq!(f.action, rules::Action::Tag);
    let e = c.send(&from("u", "https://example.com"), 3 * S);
    assert_eq!(reason(&e), "Links are off during shield.");
    // Ten minutes later it is off again.
    assert!(allowed(
        &c.send(&from("u", "https://example.com"), 11 * MIN)
    ));
}

#[test]
fn an_unavailable_store_skips_or_fails_as_the_pack_says() {
    let skip = engine(PACK);
    let req = from("u", "alpha");
    let p = skip.begin(&req, T0);
    assert!(!p.ops().is_empty());
    let f = skip.finish(p, None);
    assert_eq!(f.state, StateUse::Degraded);
    assert!(allowed(&f.evaluation) && f.writes.is_empty());
    // The stateless verdict stands.
    let f = skip.finish(skip.begin(&from("u", "idiot"), T0), None);
    assert_eq!(ids(&f.evaluation), ["harassment"]);
    let fail = engine(&format!("[settings]\nstate_unavailable = \"fail\"\nfail = \"deny\"\nfail_reason = \"Try later.\"\n{}", PACK.replace("[settings]\n", "")));
    let f = fail.finish(fail.begin(&req, T0), None);
    assert_eq!(
        (f.evaluation.response.review_result, reason(&f.evaluation)),
        (ReviewResult::Deny, "Try later.")
    );
    // Answers that do not fit the ops count as no answers.
    let f = fail.finish(fail.begin(&req, T0), Some(&[Answer::Done]));
    assert_eq!(f.state, StateUse::Degraded);
    // A command is never shown, even when it cannot be applied.
    let f = skip.finish(skip.begin(&moderator("!shield on"), T0), None);
    assert!(!allowed(&f.evaluation));
    assert!(reason(&f.evaluation).starts_with("Command not applied"));
}

#[test]
fn a_conflicting_strike_update_is_recomputed_from_the_current_record() {
    let e = engine(PACK);
    let mut store = MemoryStore::new();
    e.evaluate_with(&from("u", "hello"), T0 - 60 * MIN, &mut store);
    let p = e.begin(&from("u", "idiot"), T0);
    let answers = store.apply(p.ops(), T0);
    let f = e.finish(p, Some(&answers));
    // Meanwhile another handler wrote 3 strikes for u.
    let other = Op::SetUser {
        user: UserKey::new("r1", "u"),
        change: UserChange {
            strikes: Some((3.0, T0 - 1)),
            strikes_added: 3.0,
            ..UserChange::default()
        },
        if_strikes_at: None,
        expires_at: T0 + 60 * MIN,
    };
    store.apply(&[other], T0);
    let results = store.apply(&f.writes, T0);
    assert!(
        results.iter().any(|a| matches!(a, Answer::Conflict(_))),
        "{results:?}"
    );
    let retry = e.retry_writes(&f.writes, &results);
    assert_eq!(retry.len(), 1);
    assert_eq!(store.apply(&retry, T0), vec![Answer::Done]);
    let rec = store.user(&UserKey::new("r1", "u"), T0).unwrap();
    // 3 (the other write, 1 ms old) + 3 (ours) ≥ 5: muted by the retry.
    assert!((rec.strikes - 6.0).abs() < 1e-3, "{}", rec.strikes);
    assert_eq!(rec.muted_until, Some(T0 + 10 * MIN));
    assert!(e.retry_writes(&retry, &[Answer::Done]).is_empty());
}

#[test]
fn an_ordinary_message_of_a_known_user_needs_no_write() {
    let e = engine(PACK);
    let mut store = MemoryStore::new();
    let step = |store: &mut MemoryStore, text: &str, at: Millis| {
        let p = e.begin(&from("u", text), T0 + at);
        let answers = store.apply(p.ops(), T0 + at);
        let f = e.finish(p, Some(&answers));
        store.apply(&f.writes, T0 + at);
        f.writes
    };
    // New user: the alias and the new-chatter count.
    let first = step(&mut store, "hello", 0);
    assert!(
        first.iter().any(|w| matches!(w, Op::Alias { .. })),
        "{first:?}"
    );
    // Then, after a pause or not: phase 1 only (one round trip).
    assert_eq!(step(&mut store, "how is everyone", 5 * MIN), vec![]);
    assert_eq!(step(&mut store, "nice play", 5 * MIN + S), vec![]);
}

#[test]
fn stateless_packs_need_no_store_and_say_so() {
    let e = Engine::compile(&PackSet::bundled_default()).unwrap();
    assert!(!e.is_stateful());
    let p = e.begin(&from("u", "hello"), T0);
    assert!(p.ops().is_empty());
    assert_eq!(e.finish(p, None).state, StateUse::NotUsed);
    for u in [StateUse::NotUsed, StateUse::Applied, StateUse::Degraded] {
        assert_eq!(serde_json::to_value(u).unwrap(), u.as_str());
        assert_eq!(u.to_string(), u.as_str());
    }
    assert!(engine(PACK).is_stateful());
}

#[test]
fn room_overrides_disable_and_shadow_stateful_rules() {
    let src = format!("{PACK}\n[[rooms]]\narn = \"{ROOM}\"\ndisable = [\"copypasta\"]\nshadow = [\"slow-mode\"]\n");
    let e = engine(&src);
    let mut s = MemoryStore::new();
    for i in 0..8 {
        let ev = e.evaluate_with(
            &from(&format!("r{i}"), "the very same long line"),
            T0 + i,
            &mut s,
        );
        assert!(allowed(&ev));
    }
    for (i, w) in WORDS.iter().enumerate() {
        let ev = e.evaluate_with(&from("u", w), T0 + i as Millis, &mut s);
        assert!(allowed(&ev));
        if i >= 5 {
            let f = ev.fired.iter().find(|f| f.id == "slow-mode").unwrap();
            assert!(f.shadow);
        }
    }
}

#[test]
fn loader_errors_name_the_file_line_and_field() {
    let e = compile_err("[[rules]]\nid = \"r\"\nkind = \"rate\"\nwindow = \"10s\"\n");
    assert!(e.to_string().contains("`max_messages`"), "{e}");
    assert_eq!(e.location().unwrap().line, 2, "{e}");
    let e =
        compile_err("[[rules]]\nid = \"r\"\nkind = \"rate\"\nmax_messages = 5\nwindow = \"ten\"\n");
    assert_eq!(e.location().unwrap().line, 5, "{e}");
    assert!(e.to_string().contains("not a duration"), "{e}");
    let e = compile_err(
        "[[rules]]\nid = \"r\"\nkind = \"rate\"\nmax_messages = 500\nwindow = \"1s\"\n",
    );
    assert!(e.to_string().contains("between 1 and 63"), "{e}");
    let e = compile_err("[[rules]]\nid = \"r\"\nkind = \"rate\"\naction = \"mask\"\nmax_messages = 5\nwindow = \"1s\"\n");
    assert!(e.to_string().contains("`action`"), "{e}");
    let e = compile_err(
        "[[rules]]\nid = \"s\"\nkind = \"shield\"\nnew_chatters = 5\nenables = [\"nope\"]\n",
    );
    assert_eq!(e.location().unwrap().line, 5, "{e}");
    let room = "[[rules]]\nid = \"x\"\nkind = \"spam\"\naction = \"deny\"\nmax_mentions = 3\n[[rooms]]\narn = \"a\"\n[[rooms.rules]]\nid = \"s\"\nkind = \"shield\"\nnew_chatters = 5\nenables = [\"x\", \"nope\"]\n";
    let e = compile_err(room);
    assert_eq!(e.location().unwrap().line, 12, "{e}");
    assert!(compile_err(&room.replace(", \"nope\"", ", \"nope2\""))
        .to_string()
        .contains("nope2"));
    assert!(
        PackSet::from_toml_str(&room.replace(", \"nope\"", ""), "ok.toml", None)
            .map(|s| Engine::compile(&s).is_ok())
            .unwrap()
    );
    let e = compile_err("[[rules]]\nid = \"k\"\nkind = \"strikes\"\n");
    assert!(e.to_string().contains("`thresholds`"), "{e}");
    let e = compile_err("[[rules]]\nid = \"c\"\nkind = \"commands\"\n");
    assert!(e.to_string().contains("`sender_attributes`"), "{e}");
    let e = compile_err("[[rules]]\nid = \"k\"\nkind = \"keywords\"\nterms = [\"x\"]\n");
    assert!(e.to_string().contains("`action`"), "{e}");
}

fn drive_by_hand(
    e: &Engine,
    req: &ReviewRequest,
    now: Millis,
    store: &mut MemoryStore,
) -> Evaluation {
    let p = e.begin(req, now);
    let answers = store.apply(p.ops(), now);
    let f = e.finish(p, Some(&answers));
    let results = store.apply(&f.writes, now);
    let retry = e.retry_writes(&f.writes, &results);
    store.apply(&retry, now);
    f.evaluation
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn evaluate_with_is_begin_finish_by_hand(
        msgs in prop::collection::vec((0usize..4, 0usize..6, 0i64..4000), 1..40)
    ) {
        let e = engine(PACK);
        let texts = ["alpha beta", "idiot", "see example.com", "!mute u1 1m", "alpha beta!!", "gg"];
        let (mut a, mut b) = (MemoryStore::new(), MemoryStore::new());
        let mut now = T0;
        for (u, t, dt) in msgs {
            now += dt;
            let req = if t == 3 { moderator(texts[t]) } else { from(&format!("u{u}"), texts[t]) };
            let x = e.evaluate_with(&req, now, &mut a);
            let y = drive_by_hand(&e, &req, now, &mut b);
            prop_assert!(rules::validate_response(&x.response, x.max_length).is_ok());
            prop_assert_eq!(x, y);
        }
    }

    #[test]
    fn a_stateless_pack_gives_exactly_evaluate(text in ".{0,80}", user in "[a-z]{1,4}") {
        let e = Engine::compile(&PackSet::bundled_default()).unwrap();
        let mut s = MemoryStore::new();
        let req = from(&user, &text);
        prop_assert_eq!(e.evaluate_with(&req, T0, &mut s), e.evaluate(&req));
    }
}

#[test]
fn the_protocol_types_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<rules::Pending>();
    send_sync::<rules::Finished>();
    send_sync::<MemoryStore>();
}
