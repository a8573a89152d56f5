//! The message path: the deadline around [`crate::decide`], the state store's round
//! trips, and the output lines.
//!
//! Each request loads the current engine (a lock-free [`arc_swap`] read), runs phase 1
//! ([`begin`]: the stateless rules) on tokio's blocking pool under
//! `tokio::time::timeout(REVIEW_DEADLINE_MS)`, and answers the fail decision if the
//! deadline passes or the evaluation panics. A timed-out evaluation keeps running to
//! completion on its blocking thread, but its result is dropped: the answer has already
//! gone. The cost of the hop is a few microseconds, far below the budget (see the crate
//! README's benchmark).
//!
//! When the room's pack has stateful rules, phase 1's ops go to the store in one round
//! trip ([`store::phase`]), [`finish`] decides from the answers (or degrades without
//! them), and its follow-up writes go in a second round trip, plus one retry round for
//! conflicting strike updates ([`rules::Engine::retry_writes`]). Every round trip waits
//! at most `STORE_DEADLINE_MS`, and never past [`FINISH_MARGIN`] before the handler's
//! own deadline, so IVS's 200 ms is never exceeded. A failed write does not change the
//! answer (already decided); it is counted.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use rules::ReviewRequest;
use serde::Deserialize;
use serde_json::Value;

use crate::audit::audit_record;
use crate::config::Config;
use crate::decide::{begin, fail_decision, finish};
use crate::decision::{Decision, Outcome};
use crate::emf::{emf_records, store_record};
use crate::source::Loaded;
use crate::store::{self, DynamoStore, StoreUse};

/// Budget kept free for deciding and answering after the last store round trip.
pub const FINISH_MARGIN: Duration = Duration::from_millis(5);

/// Everything the message path needs; cheap to clone.
#[derive(Clone)]
pub struct State {
    /// The current engine, swapped by the reloader.
    pub engines: Arc<ArcSwap<Loaded>>,
    /// Settings.
    pub config: Arc<Config>,
    /// The state store of stateful rules, if `STATE_TABLE` is set.
    pub store: Option<DynamoStore>,
}

impl State {
    /// A state serving `loaded` with `config`; [`Config::configure`] is applied to
    /// `loaded`'s engine here (the reloader applies it to every new engine).
    pub fn new(mut loaded: Loaded, config: Config) -> State {
        config.configure(&mut loaded.engine);
        State {
            engines: Arc::new(ArcSwap::from_pointee(loaded)),
            config: Arc::new(config),
            store: None,
        }
    }

    /// This state with `store` as its state store.
    pub fn with_store(mut self, store: DynamoStore) -> State {
        self.store = Some(store);
        self
    }

    /// Decides for one event within the deadline.
    pub async fn review(&self, event: Value) -> Decision {
        self.review_with_store(event).await.decision
    }

    /// Decides for one event within the deadline, and says what the store did and at
    /// which time of the clock (`CLOCK`) it decided.
    pub async fn review_with_store(&self, event: Value) -> Reviewed {
        let started = Instant::now();
        let loaded = self.engines.load_full();
        let (mut decision, used, at) = match self.config.clock.now(&event) {
            Ok(now) => {
                let (decision, used) = self.decide_loaded(&loaded, event, started, now).await;
                (decision, used, now)
            }
            Err(detail) => {
                let decision = self.fail(&loaded, &event, Outcome::Malformed(detail), started);
                (decision, StoreUse::default(), now_ms())
            }
        };
        decision.pack_version.clone_from(&loaded.etag);
        Reviewed { decision, used, at }
    }

    /// [`State::review_with_store`] with the pack set `loaded`, started at `started`,
    /// the store's time `now`.
    async fn decide_loaded(
        &self,
        loaded: &Arc<Loaded>,
        event: Value,
        started: Instant,
        now: rules::state::Millis,
    ) -> (Decision, StoreUse) {
        let event = Arc::new(event);
        let (task_loaded, task_event, task_config) =
            (loaded.clone(), event.clone(), self.config.clone());
        let phase1 = move || begin(&task_loaded.engine, &task_event, &task_config, now);
        let mut used = StoreUse::default();
        let outcome = match within_deadline(self.config.deadline, phase1).await {
            Ok(Err(decision)) => return (*decision, used),
            Ok(Ok(begun)) => {
                let engine = &loaded.engine;
                let answers = self.round_trip(begun.ops(), now, started, &mut used).await;
                let decided = finish(engine, &event, begun, answers.as_deref(), &self.config);
                if let Some(done) = self
                    .round_trip(&decided.writes, now, started, &mut used)
                    .await
                {
                    let retry = engine.retry_writes(&decided.writes, &done);
                    self.round_trip(&retry, now, started, &mut used).await;
                }
                let mut decision = decided.decision;
                decision.elapsed = started.elapsed();
                return (decision, used);
            }
            Err(outcome) => outcome,
        };
        (self.fail(loaded, &event, outcome, started), used)
    }

    /// The fail decision for `event` with the pack set `loaded`.
    fn fail(&self, loaded: &Loaded, event: &Value, outcome: Outcome, started: Instant) -> Decision {
        let request = ReviewRequest::deserialize(event).ok();
        let engine = &loaded.engine;
        fail_decision(
            engine,
            event,
            request.as_ref(),
            outcome,
            &self.config,
            started,
        )
    }

    /// One store round trip for `ops` (none: no round trip, `Some(empty)`), under the
    /// store deadline and inside the handler's; `None` when it failed.
    async fn round_trip(
        &self,
        ops: &[rules::state::Op],
        now: rules::state::Millis,
        started: Instant,
        used: &mut StoreUse,
    ) -> Option<Vec<rules::state::Answer>> {
        let left = self
            .config
            .deadline
            .saturating_sub(started.elapsed())
            .saturating_sub(FINISH_MARGIN);
        let deadline = self.config.store_deadline.min(left);
        store::phase(self.store.as_ref(), ops, now, deadline, used)
            .await
            .ok()
    }

    /// Decides, writes the audit and EMF lines to stdout, and returns the IVS response.
    pub async fn handle(&self, event: Value) -> Value {
        // The audit line's time is the decision's: the one the store saw.
        let Reviewed { decision, used, at } = self.review_with_store(event).await;
        let now_ms = u64::try_from(at).unwrap_or(0);
        let lines = output_lines(&decision, &used, &self.config, now_ms);
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            // Logging must never fail a decision: a closed stdout loses the lines only.
            let _ = out.write_all(lines.as_bytes());
            let _ = out.flush();
        }
        decision.response
    }
}

/// What [`State::review_with_store`] decided, what the store did, and when.
#[derive(Debug)]
pub struct Reviewed {
    /// The decision, with the IVS response.
    pub decision: Decision,
    /// The store's round trips and failures for this decision.
    pub used: StoreUse,
    /// The time of the decision (Unix milliseconds): the clock's (`CLOCK`), or the system
    /// clock's when the event's own time could not be read.
    pub at: rules::state::Millis,
}

/// Runs `evaluate` on the blocking pool; [`Outcome::Timeout`] if it has not finished
/// within `deadline`, [`Outcome::Internal`] if it panicked. The internal detail never
/// carries the panic message: a panic on a `str` slice quotes the text, which may be the
/// chat message.
pub async fn within_deadline<T, F>(deadline: Duration, evaluate: F) -> Result<T, Outcome>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match tokio::time::timeout(deadline, tokio::task::spawn_blocking(evaluate)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(join)) if join.is_panic() => Err(Outcome::Internal(
            "evaluation panicked (message withheld: it may quote the chat text)".into(),
        )),
        Ok(Err(_)) => Err(Outcome::Internal("evaluation task was cancelled".into())),
        Err(_) => Err(Outcome::Timeout),
    }
}

/// The audit line followed by the EMF lines of a decision (and of its store use, if
/// any) written at `now_ms` (Unix time, milliseconds), each ending in `\n`.
pub fn output_lines(decision: &Decision, used: &StoreUse, config: &Config, now_ms: u64) -> String {
    let mut out = audit_record(decision, config, now_ms).to_string();
    out.push('\n');
    let store = store_record(decision, used, &config.metrics_namespace, now_ms);
    for record in emf_records(decision, &config.metrics_namespace, now_ms)
        .into_iter()
        .chain(store)
    {
        out.push_str(&record.to_string());
        out.push('\n');
    }
    out
}

/// Milliseconds since the Unix epoch, from the system clock (0 before 1970).
pub fn now_ms() -> rules::state::Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::load_local;
    use crate::RulesSource;
    use serde_json::json;

    fn state(config: Config) -> State {
        let loaded = load_local(&RulesSource::Bundled)
            .ok()
            .flatten()
            .expect("bundled pack");
        State::new(loaded, config)
    }

    #[tokio::test]
    async fn decision_attributes_override_the_pack() {
        let event = json!({
            "Content": "what the fuck", "MessageId": "m", "RoomArn": "arn:aws:ivschat:us-east-1:1:room/r",
            "RequestId": "q", "Attributes": {}, "Sender": {"UserId": "u", "Attributes": {}}
        });
        for (setting, exposed) in [(None, false), (Some(true), true), (Some(false), false)] {
            let s = state(Config {
                decision_attributes: setting,
                ..Config::default()
            });
            let d = s.review(event.clone()).await;
            assert_eq!(d.result, rules::ReviewResult::Allow, "{setting:?}");
            assert_eq!(
                d.response["Attributes"].get("moderation_rules").is_some(),
                exposed,
                "{setting:?}: {}",
                d.response
            );
        }
    }

    #[tokio::test]
    async fn deadline_exceeded_is_a_timeout() {
        // The evaluation outlives the deadline by a wide margin: the outcome, not the
        // timing, is what is checked.
        let r = within_deadline(Duration::from_millis(20), || {
            std::thread::sleep(Duration::from_millis(500))
        })
        .await;
        assert_eq!(r, Err(Outcome::Timeout));
    }

    #[tokio::test]
    async fn a_panicking_evaluation_is_internal() {
        let r: Result<(), Outcome> =
            within_deadline(Duration::from_secs(5), || panic!("boom")).await;
        assert!(matches!(r, Err(Outcome::Internal(_))), "{r:?}");
    }

    #[tokio::test]
    async fn within_budget_returns_the_value() {
        assert_eq!(within_deadline(Duration::from_secs(5), || 7).await, Ok(7));
    }

    #[tokio::test]
    async fn review_answers_a_clean_message() {
        let d = state(Config::default())
            .review(json!({"Content": "hello there", "MessageId": "m", "RoomArn": "arn:aws:ivschat:us-east-1:1:room/r",
                           "Sender": {"UserId": "u", "Ip": "10.0.0.1"}}))
            .await;
        assert_eq!(d.outcome, Outcome::Evaluated);
        assert_eq!(d.response["ReviewResult"], "ALLOW");
        assert_eq!(d.response["Content"], "hello there");
    }

    #[tokio::test]
    async fn the_decision_time_is_the_clocks() {
        let event = json!({"Content": "hi", "MessageId": "m", "Time": "2026-12-01T10:00:00.250Z",
                           "RoomArn": "arn:aws:ivschat:us-east-1:1:room/r", "Sender": {"UserId": "u"}});
        let config = Config {
            clock: crate::config::Clock::Request,
            ..Config::default()
        };
        let reviewed = state(config).review_with_store(event.clone()).await;
        assert_eq!(reviewed.decision.outcome, Outcome::Evaluated);
        assert_eq!(reviewed.at, 1_796_119_200_250);
        let before = now_ms();
        let system = state(Config::default()).review_with_store(event).await;
        assert!(
            system.at >= before && system.at <= now_ms(),
            "{}",
            system.at
        );
    }

    #[tokio::test]
    async fn output_has_an_audit_line_then_emf_lines() {
        let d = state(Config::default()).review(json!({"nope": true})).await;
        assert_eq!(d.outcome.label(), "malformed");
        let text = output_lines(&d, &StoreUse::default(), &Config::default(), 5);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2 + d.fired.len());
        assert_eq!(lines[0]["kind"], "decision");
        assert_eq!(lines[0]["outcome"], "malformed");
        assert_eq!(lines[1]["FailDecisions"], 1);
        assert!(text.ends_with('\n'));
    }
}
