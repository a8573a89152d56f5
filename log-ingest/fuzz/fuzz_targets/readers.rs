//! Any bytes (plain or gzip-looking) through both object readers: never panics, and
//! every unit ends up as exactly one item.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use log_ingest::readers::{decode, JsonValueItems, LineItems};
use log_ingest::SourceContext;

fuzz_target!(|data: &[u8]| {
    let cap = 256;
    if let Ok((r, _)) = decode(Cursor::new(data.to_vec())) {
        for _ in LineItems::new(r, SourceContext::named("fuzz"), cap) {}
    }
    if let Ok((r, _)) = decode(Cursor::new(data.to_vec())) {
        for _ in JsonValueItems::new(r, SourceContext::named("fuzz"), cap) {}
    }
});
