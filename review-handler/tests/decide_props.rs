//! Property: whatever JSON arrives, the handler's answer is a valid IVS response.

use proptest::prelude::*;
use review_handler::decide::decide;
use review_handler::Config;
use rules::{validate_response, Engine, PackSet, ReviewResponse};
use serde_json::{json, Map, Value};

/// The bundled pack, with the rule-ids attribute forced on when `expose`.
fn engine(expose: bool) -> &'static Engine {
    static ENGINES: std::sync::OnceLock<[Engine; 2]> = std::sync::OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        [false, true].map(|on| {
            let mut e =
                Engine::compile(&PackSet::bundled_default()).expect("bundled pack compiles");
            e.set_expose_rule_ids(on);
            e
        })
    });
    &engines[usize::from(expose)]
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Text that exercises the rules: profanity, links, caps, emoji, combining marks,
/// arbitrary Unicode, and lengths around the 500 code point limit.
fn content() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("fuck".to_string()),
        Just("f.u.c.k".to_string()),
        Just("ＦＵＣＫ".to_string()),
        Just("kys".to_string()),
        Just("scunthorpe".to_string()),
        Just("example.com/x".to_string()),
        Just("https://www.evil.test/a?b".to_string()),
        Just("@someone".to_string()),
        Just("LOUD".to_string()),
        Just("😀".to_string()),
        Just("e\u{301}\u{302}\u{303}".to_string()),
        Just("\u{200b}".to_string()),
        "[a-z]{1,8}",
        any::<String>(),
    ];
    prop::collection::vec(word, 0..120).prop_map(|w| w.join(" "))
}

fn string_map() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        prop::collection::btree_map("[A-Za-z]{1,12}", any::<String>(), 0..5).prop_map(|m| json!(m)),
        // Close to, or over, the 1 KB attribute budget.
        prop::collection::btree_map("[a-z]{1,4}", "[a-z]{200,400}", 0..5).prop_map(|m| json!(m)),
        any_json(),
    ]
}

fn request_like() -> impl Strategy<Value = Value> {
    (content(), string_map(), string_map(), prop::option::of(any::<String>()), any::<bool>()).prop_map(
        |(content, attrs, sender_attrs, room, sender_role)| {
            let mut sender = json!({"UserId": "u", "Ip": "198.51.100.4", "Attributes": sender_attrs});
            if sender_role {
                sender["Attributes"] = json!({"role": "moderator"});
            }
            json!({
                "Content": content,
                "MessageId": "WhO6MW6iRdS5",
                "RoomArn": room.unwrap_or_else(|| "arn:aws:ivschat:us-east-1:123456789012:room/abc".into()),
                "Attributes": attrs,
                "Sender": sender,
            })
        },
    )
}

fn assert_valid(event: &Value, config: &Config) -> Result<(), TestCaseError> {
    let engine = engine(config.decision_attributes == Some(true));
    let d = decide(engine, event, config);
    let response: ReviewResponse = serde_json::from_value(d.response.clone())
        .map_err(|e| TestCaseError::fail(format!("not an IVS response: {e}: {}", d.response)))?;
    let limit = config.max_length(engine.max_length(event["RoomArn"].as_str().unwrap_or("")));
    prop_assert!(
        validate_response(&response, limit).is_ok(),
        "invalid: {:?} for {}",
        response,
        event
    );
    prop_assert_eq!(d.result.as_str(), response.review_result.as_str());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_json_gets_a_valid_response(event in any_json()) {
        assert_valid(&event, &Config::default())?;
    }

    #[test]
    fn request_shaped_json_gets_a_valid_response(event in request_like(), expose in any::<bool>(), limit in prop::option::of(1usize..600)) {
        let config = Config { decision_attributes: Some(expose), max_message_length: limit, ..Config::default() };
        assert_valid(&event, &config)?;
    }
}
