//! The two-phase protocol of stateful rules: [`Engine::begin`] lists the store ops a
//! message needs, a store answers them, [`Engine::finish`] decides and lists the
//! follow-up writes. See `STATE-API.md` and the README's "Stateful rules".

use super::{Engine, Evaluation};
use crate::ivs::ReviewRequest;
use crate::state::{Answer, MemoryStore, Millis, Op};

/// Phase 1's result: the stateless evaluation and what the state phase needs.
/// Opaque; pass it to [`Engine::finish`].
#[derive(Debug, Clone)]
pub struct Pending {
    evaluation: Evaluation,
    ops: Vec<Op>,
}

impl Pending {
    /// The phase-1 ops, to be answered in order; empty when the room's pack has no
    /// stateful rules (then [`Engine::finish`] needs no answers).
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }
}

/// Phase 2's result.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The decision, stateful rules included.
    pub evaluation: Evaluation,
    /// Follow-up writes for the store (strikes, mutes, permits spent, shield, aliases,
    /// disconnects, moderator-command effects, new-chatter counts).
    pub writes: Vec<Op>,
    /// Whether the store took part.
    pub state: StateUse,
}

/// How an evaluation used the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateUse {
    /// The room's pack has no stateful rules.
    NotUsed,
    /// The store answered and the stateful rules applied.
    Applied,
    /// The store did not answer: the pack's `state_unavailable` setting applied.
    Degraded,
}

impl Engine {
    /// True when any pack or room uses a stateful rule kind (the handler needs a store
    /// only then).
    pub fn is_stateful(&self) -> bool {
        false
    }

    /// Phase 1: evaluates the stateless rules and lists the store ops the stateful
    /// ones need, as of `now`.
    pub fn begin(&self, req: &ReviewRequest, now: Millis) -> Pending {
        let _ = now;
        Pending {
            evaluation: self.evaluate(req),
            ops: Vec::new(),
        }
    }

    /// Phase 2: decides. `answers` holds one [`Answer`] per `pending.ops()`, in order,
    /// or `None` when the store failed or missed its deadline (then the pack's
    /// `state_unavailable` setting applies).
    pub fn finish(&self, pending: Pending, answers: Option<&[Answer]>) -> Finished {
        let _ = answers;
        Finished {
            evaluation: pending.evaluation,
            writes: Vec::new(),
            state: StateUse::NotUsed,
        }
    }

    /// After the writes were applied: the ops to retry once, recomputed from the
    /// current record of every [`Answer::Conflict`]; empty when nothing conflicted.
    pub fn retry_writes(&self, writes: &[Op], answers: &[Answer]) -> Vec<Op> {
        let _ = (writes, answers);
        Vec::new()
    }

    /// Both phases against an in-memory store (for `rules eval`, backtests, tests):
    /// begin, answer, finish, apply the writes, retry conflicts once.
    pub fn evaluate_with(
        &self,
        req: &ReviewRequest,
        now: Millis,
        store: &mut MemoryStore,
    ) -> Evaluation {
        let pending = self.begin(req, now);
        let answers = store.apply(pending.ops(), now);
        let finished = self.finish(pending, Some(&answers));
        if !finished.writes.is_empty() {
            let results = store.apply(&finished.writes, now);
            let retry = self.retry_writes(&finished.writes, &results);
            if !retry.is_empty() {
                store.apply(&retry, now);
            }
        }
        finished.evaluation
    }
}
