//! What an evaluation returns: the fired rules and the response.

#[cfg(doc)]
use super::Engine;
use crate::action::{Action, Verdict};
use crate::ivs::ReviewResponse;

/// A rule that fired during an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredRule {
    /// Rule id.
    pub id: String,
    /// Its action.
    pub action: Action,
    /// Evaluated and reported only, not enforced.
    pub shadow: bool,
    /// Rule category, if set.
    pub category: Option<String>,
    /// Rule severity, if set.
    pub severity: Option<String>,
}

/// The outcome of [`Engine::evaluate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Always valid per the IVS contract for the pack's max length.
    pub response: ReviewResponse,
    /// Rules that fired, in evaluation order (shadow ones included, flagged).
    pub fired: Vec<FiredRule>,
    /// Name of the pack (or `pack@room-arn` variant) used.
    pub pack: String,
    /// What the evaluation did, in one word.
    pub action: Verdict,
    /// The maximum content length (code points) that applied.
    pub max_length: usize,
}
