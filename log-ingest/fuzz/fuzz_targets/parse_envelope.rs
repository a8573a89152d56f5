//! Any bytes -> the envelope parser: never panics, a record or a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use log_ingest::{parse_item, Item, Position, SourceContext};

fuzz_target!(|data: &[u8]| {
    let ctx = SourceContext::named("fuzz");
    match parse_item(data, &ctx, Position::default()) {
        Item::Record(r) => assert!(!r.id.is_empty()),
        Item::Quarantined(q) => assert!(!q.reason.is_empty()),
    }
});
