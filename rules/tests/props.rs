//! Property tests: every response is valid for arbitrary requests; masking is exact.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use rules::{
    normalize, validate_response, Engine, PackSet, ReviewRequest, ReviewResult, Sender, Transforms,
};
use unicode_segmentation::UnicodeSegmentation;

fn example() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("packs/example/pack.toml");
        Engine::compile(&PackSet::load(&p).unwrap()).unwrap()
    })
}

fn rewriting() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let src = r#"
[settings]
max_length = 20
too_long = "truncate"
expose_rule_ids = true
[[rules]]
id = "grow"
kind = "regex"
action = "replace"
patterns = ['[aeiou]']
replacement = "<vowel>"
[[rules]]
id = "tag"
kind = "regex"
action = "tag"
patterns = ['.']
tags = { k = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" }
"#;
        Engine::compile(&PackSet::from_toml_str(src, "t.toml", None).unwrap()).unwrap()
    })
}

fn masking() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let src = "[[rules]]\nid = \"m\"\nkind = \"keywords\"\naction = \"mask\"\nterms = [\"*fuck*\", \"ass\", \"shit*\", \"*a*\"]\n";
        Engine::compile(&PackSet::from_toml_str(src, "m.toml", None).unwrap()).unwrap()
    })
}

/// Text mixing ASCII, evasion characters, emoji, combining marks and random Unicode.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z .,!$@0-9]{0,12}",
        Just("fuck".to_string()),
        Just("sh1t".to_string()),
        Just("a$$".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{301}\u{302}".to_string()),
        Just("👍🏽".to_string()),
        Just("ｆ".to_string()),
        Just("İ".to_string()),
        Just("ß".to_string()),
        Just("evil.com/x ".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..20).prop_map(|v| v.concat())
}

fn attrs() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[a-z]{1,8}", "[ -~]{0,200}", 0..8)
}

fn request() -> impl Strategy<Value = ReviewRequest> {
    (
        text(),
        attrs(),
        "[a-z0-9]{0,6}",
        prop_oneof![Just("203.0.113.5".to_string()), "[0-9.:a-f]{0,20}"],
        attrs(),
        any::<bool>(),
    )
        .prop_map(
            |(content, attributes, user, ip, sattrs, kids)| ReviewRequest {
                content,
                message_id: "m".into(),
                room_arn: if kids {
                    "arn:aws:ivschat:us-east-1:123456789012:room/KidsRoom0001".into()
                } else {
                    "arn:aws:ivschat:us-east-1:123456789012:room/other".into()
                },
                attributes,
                sender: Sender {
                    user_id: user,
                    ip,
                    attributes: sattrs,
                },
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_response_is_valid(req in request()) {
        for engine in [example(), rewriting(), masking()] {
            let ev = engine.evaluate(&req);
            prop_assert!(validate_response(&ev.response, ev.max_length).is_ok(), "{:?} -> {:?}", req.content, ev.response);
            prop_assert_eq!(ev.max_length, engine.max_length(&req.room_arn));
            if ev.response.review_result == ReviewResult::Allow {
                // The sender's attributes are never dropped or altered on ALLOW, except
                // keys the pack itself writes (tags, rule ids), which are reserved.
                const RESERVED: &[&str] = &["k", "moderation_rules", "promo", "shouting", "nsfw"];
                for (k, v) in req.attributes.iter().filter(|(k, _)| !RESERVED.contains(&k.as_str())) {
                    prop_assert_eq!(ev.response.attributes.get(k), Some(v));
                }
            }
            let fail = engine.fail_response(Some(&req));
            prop_assert!(validate_response(&fail, ev.max_length).is_ok());
        }
    }

    #[test]
    fn masking_changes_only_masked_graphemes(content in text()) {
        let req = ReviewRequest { content: content.clone(), ..Default::default() };
        let ev = masking().evaluate(&req);
        if ev.response.review_result == ReviewResult::Allow && content.chars().count() <= 500 {
            let before: Vec<&str> = content.graphemes(true).collect();
            let after: Vec<&str> = ev.response.content.graphemes(true).collect();
            prop_assert_eq!(before.len(), after.len(), "{:?} -> {:?}", content, ev.response.content);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a == b || *a == "*", "{:?} -> {:?}", content, ev.response.content);
            }
        }
    }

    #[test]
    fn normalised_spans_map_to_char_boundaries(content in text()) {
        let v = normalize(&content, Transforms::ALL);
        let n = v.as_str();
        for (i, c) in n.char_indices() {
            let (s, e) = v.source_span(i, i + c.len_utf8()).unwrap();
            prop_assert!(s < e && e <= content.len());
            prop_assert!(content.is_char_boundary(s) && content.is_char_boundary(e));
        }
    }

    #[test]
    fn raw_json_never_breaks_the_contract(raw in any::<String>(), content in text()) {
        let e = example();
        for value in [
            serde_json::from_str::<serde_json::Value>(&raw).unwrap_or(serde_json::Value::Null),
            serde_json::json!({"Content": content, "Attributes": {"x": 1}}),
            serde_json::json!({"Content": content, "Sender": "nope"}),
        ] {
            let resp = match e.review_value(&value) { Ok(ev) => ev.response, Err(fail) => fail };
            prop_assert!(validate_response(&resp, 500).is_ok());
        }
    }
}
