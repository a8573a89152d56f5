//! The envelope parser against the contract's examples and every way an envelope can be
//! wrong.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use super::*;
use crate::error::IngestError;

fn ctx() -> SourceContext {
    SourceContext {
        source: "s3://b/k.log.gz".into(),
        account_id: Some("123456789012".into()),
        region: Some("us-west-2".into()),
        room_id: Some("abc123DEF456".into()),
        key_version: Some("1.0".into()),
    }
}

fn parse(s: &str) -> Result<ChatRow, IngestError> {
    parse_envelope(
        s.as_bytes(),
        &ctx(),
        Position {
            line: Some(3),
            offset: Some(10),
        },
    )
}

const MSG: &str = r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":{"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Content":"bbiab!","Attributes":{"username":"gleningp"},"SendTime":"2023-01-05T14:33:32.894089757Z","Sender":{"UserId":"75758272-x","Attributes":{}}}}"#;

#[test]
fn message_from_the_contract() {
    let r = parse(MSG).unwrap();
    assert_eq!(r.r#type, RecordType::Message);
    assert_eq!(r.id, "WhO6MW6iRdS5");
    assert_eq!(r.content.as_deref(), Some("bbiab!"));
    assert_eq!(r.request_id, None, "empty RequestId becomes null");
    assert_eq!(
        r.send_time.unwrap() % 1_000_000_000,
        894_089_757,
        "ns precision kept"
    );
    assert_eq!(r.event_timestamp % 1_000_000_000, 894_000_000);
    assert_eq!(r.sender_user_id.as_deref(), Some("75758272-x"));
    assert_eq!(r.sender_attributes, Some(BTreeMap::new()));
    assert_eq!(r.attributes.as_ref().unwrap()["username"], "gleningp");
    assert_eq!(
        r.room_arn.as_deref(),
        Some("arn:aws:ivschat:us-west-2:123456789012:room/abc123DEF456")
    );
    assert_eq!((r.source_line, r.source_offset), (Some(3), Some(10)));
    assert_eq!(r.payload_extra, None);
    assert_eq!(
        r.partition(),
        ("abc123DEF456".to_string(), "2023-01-05".to_string())
    );
}

fn event(attrs: &str, name: &str) -> String {
    format!(
        r#"{{"event_timestamp":"2023-01-05T14:40:00.000Z","type":"EVENT","version":"1.0","payload":{{"Type":"EVENT","Id":"EvT000000001","RequestId":"req-1","EventName":"{name}","SendTime":"2023-01-05T14:40:00.000000001Z","Attributes":{attrs}}}}}"#
    )
}

#[test]
fn delete_message_either_or_both_spellings() {
    for attrs in [
        r#"{"MessageID":"WhO6MW6iRdS5","Reason":"Spam"}"#,
        r#"{"MessageId":"WhO6MW6iRdS5","Reason":"Spam"}"#,
        r#"{"MessageID":"WhO6MW6iRdS5","MessageId":"WhO6MW6iRdS5","Reason":"Spam"}"#,
    ] {
        let r = parse(&event(attrs, "aws:DELETE_MESSAGE")).unwrap();
        assert_eq!(
            r.target_message_id.as_deref(),
            Some("WhO6MW6iRdS5"),
            "{attrs}"
        );
        assert_eq!(r.reason.as_deref(), Some("Spam"));
        let a = r.attributes.unwrap();
        assert!(
            !a.contains_key("MessageID"),
            "normalised to MessageId: {a:?}"
        );
        assert_eq!(a["MessageId"], "WhO6MW6iRdS5");
        assert_eq!(r.request_id.as_deref(), Some("req-1"));
    }
}

#[test]
fn disconnect_user_and_custom_event() {
    let r = parse(&event(
        r#"{"UserId":"u-9","Reason":"abuse"}"#,
        "aws:DISCONNECT_USER",
    ))
    .unwrap();
    assert_eq!(r.target_user_id.as_deref(), Some("u-9"));
    assert_eq!(r.reason.as_deref(), Some("abuse"));
    assert_eq!(r.target_message_id, None);
    let r = parse(&event(
        r#"{"Reason":"not a system event","x":"1"}"#,
        "app:poll",
    ))
    .unwrap();
    assert_eq!(r.event_name.as_deref(), Some("app:poll"));
    assert_eq!(
        r.reason, None,
        "custom events keep Reason only as an attribute"
    );
    assert_eq!(r.attributes.unwrap()["x"], "1");
}

#[test]
fn tolerates_null_or_empty_attributes_and_missing_sender_attributes() {
    let r = parse(&event("null", "aws:DELETE_MESSAGE")).unwrap();
    assert_eq!(r.attributes, None);
    assert_eq!(r.target_message_id, None);
    let r = parse(&event("{}", "app:x")).unwrap();
    assert_eq!(r.attributes, Some(BTreeMap::new()));
    let m = MSG.replace(r#","Attributes":{}}"#, "}");
    let r = parse(&m).unwrap();
    assert_eq!(r.sender_attributes, None);
    assert_eq!(r.sender_user_id.as_deref(), Some("75758272-x"));
    let m = MSG.replace(
        r#""Attributes":{"username":"gleningp"}"#,
        r#""Attributes":null"#,
    );
    assert_eq!(parse(&m).unwrap().attributes, None);
}

#[test]
fn unknown_fields_are_kept_as_json() {
    let m = MSG
        .replace(
            r#""Content":"bbiab!""#,
            r#""Content":"bbiab!","Nested":{"a":[1,2]},"Flag":true"#,
        )
        .replace(
            r#""UserId":"75758272-x""#,
            r#""UserId":"75758272-x","Ip":"1.2.3.4""#,
        )
        .replace(r#""version":"1.0""#, r#""version":"1.0","shard":7"#);
    let r = parse(&m).unwrap();
    let extra: Value = serde_json::from_str(r.payload_extra.as_deref().unwrap()).unwrap();
    assert_eq!(extra["Nested"]["a"][1], 2);
    assert_eq!(extra["Flag"], true);
    assert_eq!(extra["Sender"]["Ip"], "1.2.3.4");
    assert_eq!(r.envelope_extra.as_deref(), Some(r#"{"shard":7}"#));
}

#[test]
fn escaped_keys_and_unicode_content() {
    let m = MSG.replace(
        r#""Content":"bbiab!""#,
        r#""Cont\u0065nt":"h\u00e9 \ud83d\ude00 \"q\"""#,
    );
    let r = parse(&m).unwrap();
    assert_eq!(r.content.as_deref(), Some("hé 😀 \"q\""));
}

#[test]
fn bad_input_says_what_and_where() {
    let cases: &[(&str, &str)] = &[
        ("not json", "not valid JSON"),
        (
            "{\"event_timestamp\":",
            "field `event_timestamp`: EOF while parsing",
        ),
        (
            "{\"event_timestamp\":\"2023-01-05T14:33:32.894Z\"} trailing",
            "not valid JSON: trailing characters",
        ),
        ("[1,2]", "not an IVS log envelope"),
        ("42", "not an IVS log envelope"),
        ("{}", "missing field `event_timestamp`"),
        (
            &MSG.replace(r#""Content":"bbiab!""#, r#""Content":5"#),
            "field `payload.Content`: invalid type: integer `5`",
        ),
        (
            &MSG.replace(r#"{"username":"gleningp"}"#, r#"{"username":7}"#),
            "field `payload.Attributes`",
        ),
        (
            &MSG.replace(r#""version":"1.0""#, r#""version":"2.0""#),
            "unsupported log format version \"2.0\"",
        ),
        (
            &MSG.replace(r#""version":"1.0""#, r#""version":1"#),
            "field `version`",
        ),
        (
            &MSG.replace(r#""type":"MESSAGE""#, r#""type":"CHAT""#),
            "field `type`",
        ),
        (
            &MSG.replace(r#""2023-01-05T14:33:32.894Z""#, r#""yesterday""#),
            "field `event_timestamp`: \"yesterday\"",
        ),
        (
            &MSG.replace(
                r#""SendTime":"2023-01-05T14:33:32.894089757Z""#,
                r#""SendTime":"x""#,
            ),
            "field `payload.SendTime`",
        ),
        (
            &MSG.replace(r#""Id":"WhO6MW6iRdS5","#, ""),
            "missing field `payload.Id`",
        ),
        (
            &MSG.replace(r#""Content":"bbiab!","#, ""),
            "missing field `payload.Content`",
        ),
        (
            &MSG.replace(r#""Type":"MESSAGE""#, r#""Type":"EVENT""#),
            "does not match envelope type",
        ),
        (
            r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":null}"#,
            "field `payload`: null",
        ),
        (
            r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0"}"#,
            "missing field `payload`",
        ),
        (
            r#"{"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","version":"1.0","payload":"x"}"#,
            "field `payload`",
        ),
        (&event("{}", ""), "missing field `payload.EventName`"),
        (
            &MSG.replace(r#""Sender":{"#, r#""Sender":{"Attributes":[],"#),
            "field `payload.Sender.Attributes`",
        ),
    ];
    for (input, want) in cases {
        let err = parse(input).unwrap_err().to_string();
        assert!(
            err.contains(want),
            "input {input}\n got: {err}\nwant: {want}"
        );
    }
}

#[test]
fn duplicate_attribute_keys_last_wins_and_both_message_id_spellings() {
    let r = parse(&event(
        r#"{"b":"1","MessageId":"old","a":"x","b":"2","MessageID":"new","Reason":"r"}"#,
        "aws:DELETE_MESSAGE",
    ))
    .unwrap();
    assert_eq!(r.target_message_id.as_deref(), Some("new"));
    let want: BTreeMap<String, String> = [
        ("MessageId", "new"),
        ("Reason", "r"),
        ("a", "x"),
        ("b", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(r.attributes, Some(want));
}

#[test]
fn borrowed_row_matches_the_owned_record() {
    let escaped = MSG.replace(r#""bbiab!""#, r#""b\u0062iab!""#);
    let with_extra = MSG.replace(r#""version":"1.0""#, r#""version":"1.0","shard":7"#);
    let delete = event(
        r#"{"MessageID":"m1","Reason":"Spam"}"#,
        "aws:DELETE_MESSAGE",
    );
    let c = ctx();
    let pos = Position {
        line: Some(4),
        offset: Some(99),
    };
    for input in [MSG, escaped.as_str(), with_extra.as_str(), delete.as_str()] {
        let owned = parse_envelope(input.as_bytes(), &c, pos).unwrap();
        let fields = parse_envelope_fields(input.as_bytes()).unwrap();
        let arn = c.room_arn();
        let row = fields.row(&c, arn.as_deref(), pos);
        let mut line = Vec::new();
        row.write_json_line(&mut line);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            owned.to_json_line(),
            "{input}"
        );
        let mut line = Vec::new();
        owned.row().write_json_line(&mut line);
        assert_eq!(String::from_utf8(line).unwrap(), owned.to_json_line());
    }
    // Strings without escapes are borrowed, not copied.
    let fields = parse_envelope_fields(MSG.as_bytes()).unwrap();
    assert!(matches!(fields.content, Some(Cow::Borrowed("bbiab!"))));
    let fields = parse_envelope_fields(escaped.as_bytes()).unwrap();
    assert!(matches!(fields.content, Some(Cow::Owned(ref s)) if s == "bbiab!"));
}

#[test]
fn item_quarantines_with_source_position_and_capped_raw() {
    let long = format!("{{\"x\":\"{}\"}}", "a".repeat(10_000));
    match parse_item(
        long.as_bytes(),
        &ctx(),
        Position {
            line: Some(9),
            offset: None,
        },
    ) {
        Item::Quarantined(q) => {
            assert_eq!(q.line, Some(9));
            assert_eq!(q.source, "s3://b/k.log.gz");
            assert_eq!(q.raw.len(), crate::quarantine::RAW_CAP);
            assert_eq!(q.raw_len, long.len() as u64);
            assert!(q.raw_truncated);
        }
        other => panic!("expected quarantine, got {other:?}"),
    }
}

#[test]
fn errors_are_typed_by_kind_and_field() {
    let kind = |s: &str| match parse(s).unwrap_err() {
        IngestError::InvalidJson(_) => "invalid_json".to_string(),
        IngestError::NotAnEnvelope(_) => "not_an_envelope".to_string(),
        IngestError::MissingField { field, .. } => format!("missing {field}"),
        IngestError::InvalidField { field, .. } => format!("invalid {field}"),
        other => format!("other {other}"),
    };
    assert_eq!(kind("not json"), "invalid_json");
    assert_eq!(kind("[1]"), "not_an_envelope");
    assert_eq!(
        kind(&MSG.replace(r#""Content":"bbiab!","#, "")),
        "missing payload.Content"
    );
    assert_eq!(
        kind(&MSG.replace(r#""type":"MESSAGE""#, r#""type":"CHAT""#)),
        "invalid type"
    );
    assert_eq!(
        kind(&MSG.replace(
            r#""SendTime":"2023-01-05T14:33:32.894089757Z""#,
            r#""SendTime":"x""#
        )),
        "invalid payload.SendTime"
    );
}
