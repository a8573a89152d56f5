//! The one generator of IVS test data: what IVS itself would write (chat-log envelopes,
//! gzipped S3 log objects under the real key layout, recording playlists), for every
//! test, bench and the demo. The formats are `shared/docs/ivs-contracts.md`'s; the inverse
//! of what `log-ingest` and `replay` parse.
//!
//! - [`time`]: IVS timestamps (`event_timestamp` in ms, `SendTime` in ns), formatted with
//!   `log-ingest`'s [`log_ingest::timefmt`];
//! - [`envelope`]: MESSAGE, `aws:DELETE_MESSAGE` and other EVENT envelopes;
//! - [`objects`]: S3 keys and gzipped log objects grouped by window;
//! - [`rng`]: the deterministic random numbers behind generated shows and corpora;
//! - [`bench`]: the deterministic bench inputs (`replay`'s 1M-message chat and 2 h
//!   playlist, `log-ingest`'s varied corpus). Their bytes are fixed: the bench READMEs
//!   quote md5 sums of what they generate.

pub mod bench;
pub mod envelope;
pub mod objects;
pub mod rng;
pub mod time;
