//! The backtest core on fixtures with known answers: the diff lists exactly the changed
//! decisions, moderator agreement, parallel == sequential, merge of partitions == whole.

use std::sync::{Arc, OnceLock};

use rules::backtest::report::SourceRead;
use rules::backtest::{
    backtest, ChangeKind, History, Inputs, Message, ModAction, ModEvent, Options, Pack, PackInfo,
    Report, Schedule,
};
use rules::{Engine, PackSet};

#[path = "../benches/corpus.rs"]
mod corpus;

const BASE: &str = r#"
version = 1
name = "prod"
[[rules]]
id = "slurs"
kind = "keywords"
action = "deny"
category = "identity_hate"
terms = ["badword"]
[[rules]]
id = "profanity"
kind = "keywords"
action = "mask"
category = "profanity"
terms = ["darn"]
[[rules]]
id = "legacy"
kind = "keywords"
action = "deny"
terms = ["oldterm"]
"#;

const STRICT: &str = r##"
version = 1
name = "strict"
[[rules]]
id = "slurs"
kind = "keywords"
action = "deny"
category = "identity_hate"
terms = ["badword", "meanword"]
[[rules]]
id = "profanity"
kind = "keywords"
action = "mask"
category = "profanity"
mask = "#"
terms = ["darn", "heck"]
[[rules]]
id = "watch"
kind = "keywords"
action = "tag"
shadow = true
tags = { flagged = "true" }
terms = ["hmm"]
"##;

fn engine(src: &str) -> (Engine, PackInfo) {
    let set = PackSet::from_toml_str(src, "test.toml", None).unwrap();
    let info = PackInfo {
        label: "test".into(),
        packs: set.pack_names().iter().map(|s| s.to_string()).collect(),
    };
    (Engine::compile(&set).unwrap(), info)
}

fn msg(i: i64, room: &str, user: &str, content: &str) -> Message {
    Message {
        id: format!("m{i:03}"),
        room: Arc::from(room),
        user: user.into(),
        content: content.into(),
        send_time: 1_672_929_000_000_000_000 + i * 60_000_000_000,
        ..Message::default()
    }
}

fn event(action: ModAction, room: &str, t: i64) -> ModEvent {
    ModEvent {
        action,
        room: Arc::from(room),
        time: 1_672_929_000_000_000_000 + t * 60_000_000_000,
    }
}

fn fixture() -> History {
    History {
        messages: vec![
            msg(1, "r1", "alice", "hello chat"),
            msg(2, "r1", "bob", "you badword"), // denied by both
            msg(3, "r1", "bob", "a meanword here"), // newly blocked
            msg(4, "r2", "carol", "oh darn it"), // masked by both, with another grawlix
            msg(5, "r2", "carol", "what the heck"), // newly rewritten
            msg(6, "r2", "dave", "oldterm again"), // newly passing
            msg(7, "r2", "dave", "hmm ok"),     // shadow only: no change
            msg(8, "r1", "erin", "nice play"),
        ],
        events: vec![
            event(ModAction::DeleteMessage("m002".into()), "r1", 2),
            event(ModAction::DeleteMessage("m008".into()), "r1", 9),
            event(ModAction::DeleteMessage("gone".into()), "r1", 9),
            event(ModAction::DisconnectUser("bob".into()), "r1", 3),
            event(ModAction::DisconnectUser("erin".into()), "r1", 9),
            event(ModAction::DisconnectUser("zed".into()), "r2", 9),
        ],
    }
}

fn run(h: &History, threads: usize, schedule: Schedule) -> Report {
    let (strict, si) = engine(STRICT);
    let (base, bi) = engine(BASE);
    run_packs(h, threads, schedule, &(strict, si), &(base, bi))
}

/// The bundled default pack against the example pack (compiled once).
fn run_big(h: &History, threads: usize, schedule: Schedule) -> Report {
    static PACKS: OnceLock<[(Engine, PackInfo); 2]> = OnceLock::new();
    let [bundled, example] = PACKS.get_or_init(|| {
        let info = |label: &str| PackInfo {
            label: label.into(),
            packs: vec![],
        };
        let set = PackSet::load(std::path::Path::new(corpus::EXAMPLE_PACK)).unwrap();
        [
            (
                Engine::compile(&PackSet::bundled_default()).unwrap(),
                info("bundled"),
            ),
            (Engine::compile(&set).unwrap(), info("example")),
        ]
    });
    run_packs(h, threads, schedule, bundled, example)
}

fn run_packs(
    h: &History,
    threads: usize,
    schedule: Schedule,
    (strict, si): &(Engine, PackInfo),
    (base, bi): &(Engine, PackInfo),
) -> Report {
    let opts = Options {
        threads,
        schedule,
        reveal: true,
        ..Options::default()
    };
    backtest(
        h,
        Pack {
            engine: strict,
            info: si,
        },
        Some(Pack {
            engine: base,
            info: bi,
        }),
        Inputs::default(),
        &opts,
    )
}

#[test]
fn the_diff_lists_exactly_the_changed_decisions() {
    let r = run(&fixture(), 1, Schedule::Chunks);
    let d = r.diff.as_ref().unwrap();
    let listed: Vec<(&str, ChangeKind, Vec<String>)> = d
        .changes
        .iter()
        .map(|c| (c.message_id.as_str(), c.kind, c.rules.clone()))
        .collect();
    assert_eq!(
        listed,
        [
            ("m003", ChangeKind::NewlyBlocked, vec!["slurs".to_string()]),
            ("m004", ChangeKind::ChangedRewrite, vec!["profanity".into()]),
            ("m005", ChangeKind::ChangedRewrite, vec!["profanity".into()]),
            ("m006", ChangeKind::NewlyPassing, vec!["legacy".into()]),
        ]
    );
    assert_eq!(
        (d.newly_blocked, d.newly_passing, d.changed_rewrite),
        (1, 1, 2)
    );
    assert_eq!(d.by_rule["slurs"].newly_blocked, 1);
    assert_eq!(d.by_rule["profanity"].changed_rewrite, 2);
    assert_eq!(d.by_rule["legacy"].newly_passing, 1);
    assert_eq!(d.by_rule.len(), 3);
    let m4 = &d.changes[1];
    assert_eq!(
        (m4.before_content.as_deref(), m4.after_content.as_deref()),
        (Some("oh **** it"), Some("oh #### it"))
    );
    // The candidate's own counts: per rule, category, room, hour.
    assert_eq!(
        (r.totals.messages, r.totals.deny, r.totals.rewrite),
        (8, 2, 2)
    );
    assert_eq!(r.rules["slurs"].fired.deny, 2);
    assert_eq!(r.rules["watch"].fired.messages, 1);
    assert!(r.rules["watch"].shadow);
    assert_eq!(r.categories["identity_hate"].deny, 2);
    assert!(!r.categories.contains_key("flag"));
    assert_eq!((r.rooms["r1"].messages, r.rooms["r1"].deny), (4, 2));
    assert_eq!(r.hours.len(), 1);
    assert_eq!(
        r.rules["slurs"].samples[0].content.as_deref(),
        Some("you badword")
    );
}

#[test]
fn moderator_agreement_on_known_deletes_and_disconnects() {
    let r = run(&fixture(), 1, Schedule::Chunks);
    let a = &r.agreement;
    // m002 (denied) and m008 (allowed) deleted; "gone" is not in the input.
    assert_eq!(
        (
            a.deleted,
            a.deleted_denied,
            a.deleted_rewritten,
            a.unmatched_deletes
        ),
        (2, 1, 0, 1)
    );
    assert_eq!(
        a.missed
            .iter()
            .map(|s| s.message_id.as_str())
            .collect::<Vec<_>>(),
        ["m008"]
    );
    // bob (denied twice) and erin (never) disconnected from r1; zed sent nothing.
    assert_eq!(
        (
            a.disconnected_users,
            a.disconnected_caught,
            a.disconnected_without_messages
        ),
        (2, 1, 1)
    );
    // Of the 6 that stayed, m003 would be denied, m004 and m005 rewritten.
    assert_eq!((a.stayed, a.stayed_denied, a.stayed_rewritten), (6, 1, 2));
    assert_eq!(a.stayed_blocked[0].message_id, "m003");
}

/// A larger history: the shared bench corpus over 5 rooms, with deletes and disconnects.
fn big() -> History {
    let texts = corpus::messages(1_500, 40);
    let mut h = History::default();
    for (i, t) in texts.into_iter().enumerate() {
        let room = format!("room{}", i % 5);
        // Out of order on purpose: the backtest sorts.
        let at = ((i * 7919) % 1_500) as i64;
        let mut m = msg(at, &room, &format!("user{}", i % 37), &t);
        m.id = format!("m{i:05}");
        if i % 11 == 0 {
            h.events
                .push(event(ModAction::DeleteMessage(m.id.clone()), &room, at + 1));
        }
        h.messages.push(m);
    }
    for u in 0..10 {
        h.events.push(event(
            ModAction::DisconnectUser(format!("user{u}")),
            &format!("room{}", u % 5),
            9,
        ));
    }
    h
}

#[test]
fn parallel_runs_equal_the_sequential_run() {
    let h = big();
    let one = run_big(&h, 1, Schedule::Chunks);
    assert!(
        one.totals.deny + one.totals.rewrite > 50,
        "{:?}",
        one.totals
    );
    assert!(one.diff.as_ref().unwrap().changed_rewrite > 0);
    for (threads, schedule) in [
        (2, Schedule::Chunks),
        (7, Schedule::Chunks),
        (3, Schedule::Rooms),
        (1, Schedule::Rooms),
    ] {
        assert_eq!(
            run_big(&h, threads, schedule),
            one,
            "{threads} threads, {schedule:?}"
        );
    }
}

#[test]
fn merged_partition_reports_equal_the_report_of_the_whole() {
    let h = big();
    let whole = run_big(&h, 2, Schedule::Chunks);
    // Partition by room, as one `rules backtest` per room= prefix would.
    let part = |rooms: &[&str]| History {
        messages: h
            .messages
            .iter()
            .filter(|m| rooms.contains(&&*m.room))
            .cloned()
            .collect(),
        events: h
            .events
            .iter()
            .filter(|e| rooms.contains(&&*e.room))
            .cloned()
            .collect(),
    };
    let a = run_big(&part(&["room0", "room3"]), 1, Schedule::Chunks);
    let b = run_big(&part(&["room1", "room2", "room4"]), 2, Schedule::Rooms);
    // Through the JSON report, as `rules backtest merge` reads them.
    let mut merged = Report::from_json(&a.to_json(), "a.json").unwrap();
    merged
        .merge(Report::from_json(&b.to_json(), "b.json").unwrap())
        .unwrap();
    assert_eq!(merged, whole);
    // Samples are capped, not concatenated.
    assert!(merged
        .rules
        .values()
        .all(|r| r.samples.len() <= merged.max_samples));
}

#[test]
fn merge_refuses_reports_of_different_backtests_and_adds_inputs() {
    let h = fixture();
    let mut a = run_big(&h, 1, Schedule::Chunks);
    a.inputs.sources.push(SourceRead {
        source: "a.parquet".into(),
        records: 3,
        unread: 0,
        failed: None,
    });
    a.inputs.sources_total = 1;
    let mut b = a.clone();
    b.inputs.sources[0].failed = Some("truncated".into());
    a.merge(b.clone()).unwrap();
    assert_eq!(a.inputs.sources_total, 2);
    assert_eq!(a.inputs.sources[1].failed.as_deref(), Some("truncated"));
    b.pack.label = "other".into();
    let e = a.merge(b).unwrap_err().to_string();
    assert!(
        e.contains("different backtests") && e.contains("pack"),
        "{e}"
    );
    let e = Report::from_json("{\"format_version\": 1}", "x.json")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("backtest report: x.json:1:"), "{e}");
}

#[test]
fn a_stateful_pack_is_backtested_with_memory_in_time_order() {
    let mut h = big();
    // A spammer: 20 different lines one second apart, in the middle of room0's chat.
    let words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra",
        "tango",
    ];
    for (k, w) in (0i64..).zip(words) {
        let mut m = msg(700, "room0", "spammer", &format!("my clips channel {w} go"));
        m.id = format!("s{k:03}");
        m.send_time += k * 1_000_000_000;
        h.messages.push(m);
    }
    let set = PackSet::load(std::path::Path::new(corpus::EXAMPLE_PACK)).unwrap();
    let example = Engine::compile(&set).unwrap();
    assert!(
        example.is_stateful(),
        "the example pack uses stateful rules"
    );
    let info = PackInfo {
        label: "example".into(),
        packs: vec![],
    };
    let opts = Options {
        threads: 2,
        ..Options::default()
    };
    let pack = Pack {
        engine: &example,
        info: &info,
    };
    let report = backtest(&h, pack, None, Inputs::default(), &opts);

    // Independently: one store, every message in (time, room, id) order.
    let mut order: Vec<&Message> = h.messages.iter().collect();
    order.sort_by(|a, b| (a.send_time, &*a.room, &a.id).cmp(&(b.send_time, &*b.room, &b.id)));
    let mut store = rules::state::MemoryStore::new();
    let (mut deny, mut slowed) = (0, 0);
    for m in order {
        let req = m.request(&Options::default().arns);
        let ev = example.evaluate_with(&req, m.send_time / 1_000_000, &mut store);
        deny += u64::from(ev.action == rules::Verdict::Deny);
        slowed += u64::from(ev.fired.iter().any(|f| f.id == "slow-mode"));
    }
    assert_eq!(report.totals.messages, h.messages.len() as u64);
    assert_eq!(report.totals.deny, deny, "{:?}", report.totals);
    // 5 per 10 s: the 6th to 10th lines are slowed; their strikes then mute the spammer.
    assert!(slowed >= 5, "the spammer is slowed: {slowed}");
    let fired = report
        .rules
        .get("slow-mode")
        .map_or(0, |s| s.fired.messages);
    assert_eq!(fired, slowed);
}
