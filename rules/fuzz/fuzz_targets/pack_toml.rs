//! Fuzz the pack loader and compiler: any input yields a pack or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rules::{Engine, PackSet, ReviewRequest};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(set) = PackSet::from_toml_str(src, "fuzz.toml", None) {
        if let Ok(engine) = Engine::compile(&set) {
            let _ = engine.evaluate(&ReviewRequest { content: src.chars().take(300).collect(), ..Default::default() });
        }
    }
});
