//! The local end-to-end pipeline: a simulated live show sent through the review handler,
//! logged the way IVS logs it, ingested, summarised and replayed. The `pipeline-demo`
//! binary (the README's first command) drives it; `tests/tests/` cover it.
//!
//! The modules here stand in for IVS itself, which has no emulator: they write exactly the
//! formats of `shared/docs/ivs-contracts.md`, with the workspace's one IVS test-data
//! generator (`test_support::ivs`).

pub mod recording;
pub mod show;
pub mod summary;
