//! The shared store of stateful rules (rate, repeats, strikes, newcomers, shield,
//! moderator commands): a DynamoDB table ([`DynamoStore`], item layout in [`items`]),
//! reached under a deadline of its own.
//!
//! [`phase`] sends the ops of one phase concurrently and waits at most the store
//! deadline: a phase that errors or misses it answers `None`, and the engine degrades as
//! the pack says (`state_unavailable`). The shell ([`crate::handler`]) counts every
//! phase (round trips, latency, errors) in a [`StoreUse`] for the metrics.

pub mod dynamo;
pub mod items;

use std::time::{Duration, Instant};

use rules::state::{Answer, Millis, Op};

pub use dynamo::DynamoStore;

/// What the store did for one message, for the audit line and the EMF metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreUse {
    /// Phases sent (each one round trip of latency; 0 when the message needed none).
    pub round_trips: u32,
    /// Phases that failed (an error or the deadline).
    pub errors: u32,
    /// Time spent waiting on the store, all phases together.
    pub latency: Duration,
}

/// Why a phase has no answers.
#[derive(Debug)]
pub enum PhaseError {
    /// No store is configured (`STATE_TABLE` unset).
    NoStore,
    /// The deadline passed first.
    Deadline(Duration),
    /// A call failed.
    Failed(crate::HandlerError),
}

impl std::fmt::Display for PhaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhaseError::NoStore => f.write_str("no state store configured (STATE_TABLE unset)"),
            PhaseError::Deadline(d) => {
                write!(f, "state store missed its {} ms deadline", d.as_millis())
            }
            PhaseError::Failed(e) => write!(f, "{e}"),
        }
    }
}

/// Sends `ops` (none: no round trip, empty answers) to `store` and waits at most
/// `deadline`; records the phase in `used`.
pub async fn phase(
    store: Option<&DynamoStore>,
    ops: &[Op],
    now: Millis,
    deadline: Duration,
    used: &mut StoreUse,
) -> Result<Vec<Answer>, PhaseError> {
    if ops.is_empty() {
        return Ok(Vec::new());
    }
    let Some(store) = store else {
        used.errors += 1;
        return Err(PhaseError::NoStore);
    };
    let started = Instant::now();
    used.round_trips += 1;
    let result = tokio::time::timeout(deadline, store.apply(ops, now)).await;
    used.latency += started.elapsed();
    let result = match result {
        Ok(Ok(answers)) => Ok(answers),
        Ok(Err(e)) => Err(PhaseError::Failed(e)),
        Err(_) => Err(PhaseError::Deadline(deadline)),
    };
    if result.is_err() {
        used.errors += 1;
    }
    result
}
