//! Fuzz the request path exactly as the Lambda runs it: raw bytes -> JSON ->
//! `Engine::review_value` -> response, which must always satisfy the IVS contract.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rules::{validate_response, Engine, PackSet, ReviewRequest};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../packs/example/pack.toml");
        Engine::compile(&PackSet::load(std::path::Path::new(pack)).expect("example pack")).expect("compile")
    })
}

fuzz_target!(|data: &[u8]| {
    let e = engine();
    let value = serde_json::from_slice::<serde_json::Value>(data).unwrap_or(serde_json::Value::Null);
    let (resp, max) = match e.review_value(&value) {
        Ok(ev) => (ev.response, ev.max_length),
        Err(fail) => (fail, 500),
    };
    assert!(validate_response(&resp, max).is_ok(), "{resp:?}");
    // Also as plain message text.
    if let Ok(text) = std::str::from_utf8(data) {
        let ev = e.evaluate(&ReviewRequest { content: text.to_string(), ..Default::default() });
        assert!(validate_response(&ev.response, ev.max_length).is_ok(), "{:?}", ev.response);
    }
});
