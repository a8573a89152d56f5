//! Any bytes -> the fast envelope path and the serde-only path agree exactly: the same
//! fields, or the same error text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use log_ingest::envelope::{parse_envelope_fields, parse_envelope_fields_serde};

fuzz_target!(|data: &[u8]| {
    let fast = parse_envelope_fields(data);
    let serde = parse_envelope_fields_serde(data);
    assert_eq!(fast, serde, "input {:?}", String::from_utf8_lossy(data));
});
