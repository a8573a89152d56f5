//! Amazon IVS Chat message review handler.
//!
//! IVS calls this Lambda synchronously for every `SendMessage` in a room and gives it
//! 200 ms to answer `ALLOW`/`DENY` (contract: `shared/docs/ivs-contracts.md` §1). The
//! rules themselves live in the pure [`rules`] crate; this crate is the shell around
//! them:
//!
//! - [`config`]: settings from environment variables (pure);
//! - [`source`], [`s3`], [`reload`]: the pack from the binary, a file or S3, with
//!   ETag-checked hot reload off the message path and atomic swaps;
//! - [`decide`]: raw JSON event → always-valid decision (pure, property-tested);
//! - [`handler`]: the internal deadline and the per-decision output;
//! - [`audit`], [`emf`]: the JSON audit line and the CloudWatch EMF metric lines (pure);
//! - [`store`]: the DynamoDB store of stateful rules, under its own deadline;
//! - [`enforcer`]: the `enforcer` Lambda's core, DynamoDB Streams disconnect requests to
//!   IVS `DisconnectUser` calls and batch item failures (pure; `src/bin/enforcer.rs`);
//!
//! The binary (`src/main.rs`) only reads the environment, calls [`runtime::init`] and
//! hands events to [`handler::State::handle`].

#![deny(missing_docs)]
pub mod audit;
pub mod config;
pub mod decide;
pub mod decision;
pub mod emf;
pub mod enforcer;
mod error;
pub mod handler;
pub mod reload;
pub mod runtime;
pub mod s3;
pub mod source;
pub mod store;

pub use config::{Config, RulesSource};
pub use decision::{Decision, DecisionAction, Fired, Outcome};
pub use error::HandlerError;
pub use handler::State;
