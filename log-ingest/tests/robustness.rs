//! Stable-toolchain stand-in for the cargo-fuzz targets (fuzz/ needs nightly): arbitrary
//! and mutated inputs never panic, and counts always reconcile.

use std::io::{Cursor, Write};

use log_ingest::readers::{decode, JsonValueItems, LineItems};
use log_ingest::{parse_item, Item, Position, SourceContext};
use proptest::prelude::*;

mod common;

use common::mutate;

const MSG: &str = r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Content":"bbiab!","Attributes":{"username":"gleningp"},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{"UserId":"75758272","Attributes":{}}}}"#;

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn envelope_parser_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8)) {
        let input = mutate(MSG.as_bytes(), &edits);
        match parse_item(&input, &SourceContext::named("p"), Position::default()) {
            Item::Record(r) => prop_assert!(!r.id.is_empty()),
            Item::Quarantined(q) => prop_assert!(!q.reason.is_empty()),
        }
    }

    #[test]
    fn readers_never_panic_and_reconcile(
        n in 1usize..6,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        compress in any::<bool>(),
        cut in any::<u16>(),
    ) {
        let text = vec![MSG; n].join("\n");
        let mut bytes = mutate(text.as_bytes(), &edits);
        if compress {
            bytes = gz(&bytes);
            if cut % 3 == 0 && !bytes.is_empty() {
                let keep = usize::from(cut) % bytes.len();
                bytes.truncate(keep);
            }
        }
        let (r, _) = decode(Cursor::new(bytes.clone())).unwrap();
        let lines: Vec<Item> = LineItems::new(r, SourceContext::named("l"), 400).collect();
        prop_assert!(!lines.is_empty(), "every object yields at least one item (record or reason)");
        let (r, _) = decode(Cursor::new(bytes)).unwrap();
        let values: Vec<Item> = JsonValueItems::new(r, SourceContext::named("v"), 400).collect();
        prop_assert!(!values.is_empty());
    }
}
