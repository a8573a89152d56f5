//! IVS Chat rule packs: format, loader, normaliser and evaluation engine (pure).
//!
//! ```
//! use rules::{Engine, PackSet, ReviewRequest, ReviewResult};
//! let engine = Engine::compile(&PackSet::bundled_default()).unwrap();
//! let req = ReviewRequest { content: "hello there".into(), ..Default::default() };
//! let eval = engine.evaluate(&req);
//! assert_eq!(eval.response.review_result, ReviewResult::Allow);
//! ```
//!
//! No I/O happens here except [`PackSet::load`] reading pack and term files; evaluation
//! is pure and allocation-light. See `README.md` for the pack format.
//!
//! Stateful rules (slow mode, repeats, strikes, newcomers, shield, moderator commands)
//! run in two phases around a store: [`Engine::begin`] lists the [`state::Op`]s a
//! message needs, a store answers them, [`Engine::finish`] decides; the engine never
//! reads a clock (`now` is passed in). [`Engine::evaluate_with`] does both against a
//! [`state::MemoryStore`].

#![deny(missing_docs)]

mod action;
pub mod audit;
pub mod backtest;
pub mod cases;
mod engine;
mod error;
mod hangul;
mod intern;
mod ivs;
mod kana;
mod keyboard;
mod keywords;
pub mod lexicon;
pub mod lexicon_lint;
mod links;
pub mod lint;
mod normalize;
mod pack;
mod pack_arg;
pub mod quality;
mod rewrite;
mod script;
mod senders;
mod spam;
pub mod state;
mod termset;

pub use action::{Action, Verdict};
pub use engine::{Engine, Evaluation, Finished, FiredRule, Pending, StateUse, REGEX_SIZE_LIMIT};
pub use error::{Location, RulesError};
pub use ivs::{
    attributes_size, validate_response, ReviewRequest, ReviewResponse, ReviewResult, Sender,
    DEFAULT_MAX_LENGTH, MAX_ATTRIBUTES_BYTES,
};
pub use normalize::{normalize, Normalized, Transforms};
pub use pack::{FailMode, MatchMode, PackSet, StateUnavailable, TooLong};
pub use pack_arg::BUNDLED;
