//! Latency of the review handler, in one run on one message corpus:
//!
//! 1. in process: `decide` (the pure core) vs `State::review` (core + the deadline's
//!    hop to the blocking pool);
//! 2. through the real Lambda Runtime API of `cargo lambda watch`: `review-handler` vs
//!    test-support's `echo-lambda` (the same runtime loop doing no work), invoked
//!    alternately over HTTP so both see the same machine noise.
//!
//! 3. stateful rules: `review-handler` with the example pack (every stateful kind) and
//!    `STATE_TABLE` on moto's DynamoDB vs the same binary and pack without a store
//!    (`STATE_TABLE` unset: the stateful rules are skipped), invoked alternately over
//!    HTTP, with the store round trips per message read from the handler's EMF lines.
//!
//! Run with `bench/handler-invoke.sh` (it builds the release binaries first).

use std::time::{Duration, Instant};

use review_handler::decide::decide;
use review_handler::source::load_local;
use review_handler::{Config, RulesSource, State};
use serde_json::{json, Value};
use test_support::{unique_name, LocalLambda, MotoServer};

fn corpus() -> Vec<Value> {
    let texts = [
        "good game everyone, that last round was close",
        "what the fuck was that play",
        "f.u.c.k this lag honestly",
        "nobody likes you, kys",
        "check out my stream at www.example-spam.test/live now",
        "ＦＵＣＫ fullwidth letters still count",
        "HELLO EVERYONE THIS IS VERY LOUD AND ANNOYING",
        "@a @b @c @d @e @f @g hi all",
        "I grew up near Scunthorpe and love a cocktail",
        "sh1t happens, gg wp",
    ];
    let long = "This is a longer chat message about the match, strategy and the fuck-ups along the way; \
                see twitch.tv/somebody for the VOD and don't be a jerk in chat please, thanks everyone!!";
    let mut out = Vec::new();
    for (i, t) in texts.iter().chain(std::iter::once(&long)).enumerate() {
        out.push(json!({
            "Content": t, "MessageId": format!("msg{i:08}"),
            "RoomArn": "arn:aws:ivschat:us-west-2:123456789012:room/abc123DEF456",
            "Attributes": {"username": "viewer"},
            "Sender": {"UserId": format!("user-{i}"), "Ip": "203.0.113.9", "Attributes": {"role": "viewer"}}
        }));
    }
    out
}

struct Stats {
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        max: *samples.last().unwrap(),
    }
}

fn row(name: &str, s: &Stats) {
    println!(
        "{name:<42} p50 {:>9.1?}  p99 {:>9.1?}  max {:>9.1?}",
        s.p50, s.p99, s.max
    );
}

fn main() {
    let events = corpus();
    let n_inproc = 20_000;
    let n_http = 2_000;

    // 1. In process.
    let loaded = load_local(&RulesSource::Bundled)
        .expect("bundled pack")
        .expect("local");
    let config = Config::default();
    let mut pure = Vec::with_capacity(n_inproc);
    for i in 0..n_inproc {
        let e = &events[i % events.len()];
        let t = Instant::now();
        std::hint::black_box(decide(&loaded.engine, e, &config));
        pure.push(t.elapsed());
    }
    let state = State::new(load_local(&RulesSource::Bundled).unwrap().unwrap(), config);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut with_deadline = Vec::with_capacity(n_inproc);
    rt.block_on(async {
        for i in 0..n_inproc {
            let e = events[i % events.len()].clone();
            let t = Instant::now();
            std::hint::black_box(state.review(e).await);
            with_deadline.push(t.elapsed());
        }
    });

    // 2. Through cargo lambda watch.
    let handler = LocalLambda::start(env!("CARGO_BIN_EXE_review-handler"), &[])
        .expect("start review-handler");
    // Not test_support::workspace_binary: it would run cargo, whose lock `cargo bench`
    // may hold. The script builds the release echo-lambda and passes its path.
    let echo_bin = std::env::var("ECHO_LAMBDA_BIN")
        .expect("ECHO_LAMBDA_BIN (path of a release echo-lambda): run bench/handler-invoke.sh");
    let echo = LocalLambda::start(echo_bin, &[]).expect("start echo-lambda");
    for e in events.iter().cycle().take(200) {
        handler.invoke(e).expect("warm-up review-handler");
        echo.invoke(e).expect("warm-up echo-lambda");
    }
    let (mut h, mut z) = (Vec::with_capacity(n_http), Vec::with_capacity(n_http));
    for i in 0..n_http {
        let e = &events[i % events.len()];
        let t = Instant::now();
        let r = handler.invoke(e).expect("invoke review-handler");
        h.push(t.elapsed());
        assert!(r["ReviewResult"].is_string(), "{r}");
        let t = Instant::now();
        echo.invoke(e).expect("invoke echo-lambda");
        z.push(t.elapsed());
    }

    let (pure, with_deadline, h, z) = (stats(pure), stats(with_deadline), stats(h), stats(z));
    println!(
        "corpus: {} messages; {n_inproc} in-process and {n_http} HTTP invocations each",
        events.len()
    );
    row("decide (pure core)", &pure);
    row("State::review (core + deadline hop)", &with_deadline);
    row("review-handler via cargo lambda watch", &h);
    row("echo-lambda via cargo lambda watch", &z);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "ratios: review/decide p50 {:.2} p99 {:.2}; handler/echo p50 {:.2} p99 {:.2}",
        ratio(with_deadline.p50, pure.p50),
        ratio(with_deadline.p99, pure.p99),
        ratio(h.p50, z.p50),
        ratio(h.p99, z.p99)
    );

    stateful();
}

/// Section 3: stateful rules on (moto DynamoDB) against off, one run, alternately.
fn stateful() {
    let n = 400;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = MotoServer::start().expect("moto");
    let table = rt.block_on(create_table(&server));
    let pack = test_support::workspace_root().join("rules/packs/example/pack.toml");
    let mut env = server.child_env();
    env.push(("RULES_SOURCE".into(), pack.display().to_string()));
    // moto answers in ~25 ms per call on a loaded machine and runs a phase's concurrent
    // ops one after the other: give it IVS's whole budget, so that the numbers are
    // the store's cost and not the deadline's.
    env.push(("REVIEW_DEADLINE_MS".into(), "199".into()));
    env.push(("STORE_DEADLINE_MS".into(), "199".into()));
    let off = LocalLambda::start(env!("CARGO_BIN_EXE_review-handler"), &env).expect("start");
    env.push(("STATE_TABLE".into(), table));
    let on = LocalLambda::start(env!("CARGO_BIN_EXE_review-handler"), &env).expect("start");
    let events: Vec<Value> = corpus()
        .into_iter()
        .cycle()
        .take(n + 50)
        .enumerate()
        .map(|(i, mut e)| {
            // 97 chatters taking turns; unique message ids.
            e["Sender"]["UserId"] = json!(format!("chatter-{}", i % 97));
            e["MessageId"] = json!(format!("s{i:08}"));
            e
        })
        .collect();
    for e in &events[..50] {
        on.invoke(e).expect("warm-up");
        off.invoke(e).expect("warm-up");
    }
    let (mut a, mut b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for e in &events[50..] {
        let t = Instant::now();
        on.invoke(e).expect("invoke stateful");
        a.push(t.elapsed());
        let t = Instant::now();
        off.invoke(e).expect("invoke stateless");
        b.push(t.elapsed());
    }
    let lines: Vec<Value> = on
        .function_output()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .skip_while(|l: &Value| l["message_id"] != "s00000050")
        .collect();
    let decisions = lines.iter().filter(|l| l["kind"] == "decision").count();
    let degraded = lines.iter().filter(|l| l["outcome"] == "degraded").count();
    let trips: Vec<u64> = lines
        .iter()
        .filter_map(|l| l.get("StoreRoundTrips")?.as_u64())
        .collect();
    let total: u64 = trips.iter().sum();
    let one = trips.iter().filter(|t| **t == 1).count();
    let (a, b) = (stats(a), stats(b));
    println!("stateful: example pack, {n} messages from 97 chatters, alternately");
    row("stateful rules on (moto DynamoDB)", &a);
    row("stateful rules off (no STATE_TABLE)", &b);
    println!(
        "ratios: on/off p50 {:.2} p99 {:.2}; store round trips per message {:.2} \
         ({one} of {} messages took one); degraded {degraded} of {decisions}",
        a.p50.as_secs_f64() / b.p50.as_secs_f64(),
        a.p99.as_secs_f64() / b.p99.as_secs_f64(),
        total as f64 / trips.len().max(1) as f64,
        trips.len()
    );
}

async fn create_table(server: &MotoServer) -> String {
    let client = aws_sdk_dynamodb::Client::new(&server.sdk_config().await);
    let name = unique_name("bench-state");
    review_handler::store::dynamo::create_table(&client, &name)
        .await
        .expect("create table");
    name
}
