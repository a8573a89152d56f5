//! Parsing one IVS log envelope (bytes of one JSON object) into a [`ChatRecord`].
//!
//! Pure: no I/O. The envelope is walked with a hand-written serde visitor so that known
//! fields go straight into the record, unknown fields are kept as JSON text
//! (`payload_extra`, `envelope_extra`), and a wrong type names its field.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::quarantine::{Item, QuarantineEntry};
use crate::record::{ChatRecord, Position, SourceContext};
use crate::timefmt::parse_rfc3339_nanos;

/// Parses one envelope; `Err` holds the quarantine reason (what was wrong, what was expected).
pub fn parse_envelope(
    bytes: &[u8],
    ctx: &SourceContext,
    pos: Position,
) -> Result<ChatRecord, String> {
    let raw: RawEnvelope = serde_json::from_slice(bytes).map_err(|e| describe_json_error(&e))?;
    raw.into_record(ctx, pos)
}

/// Parses one envelope into an [`Item`]: the record, or a quarantine entry carrying the raw bytes.
pub fn parse_item(bytes: &[u8], ctx: &SourceContext, pos: Position) -> Item {
    match parse_envelope(bytes, ctx, pos) {
        Ok(r) => Item::Record(Box::new(r)),
        Err(reason) => Item::Quarantined(Box::new(QuarantineEntry::new(
            &ctx.source,
            pos,
            reason,
            bytes,
            bytes.len() as u64,
        ))),
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("not valid JSON: {e}"),
        Category::Data => format!("not an IVS log envelope: {e}"),
        Category::Io => format!("read error: {e}"),
    }
}

/// A map key, borrowed from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

fn field<'de, A, T>(map: &mut A, name: &str) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    map.next_value::<T>()
        .map_err(|e| de::Error::custom(format!("field `{name}`: {e}")))
}

#[derive(Default)]
struct RawEnvelope {
    event_timestamp: Option<String>,
    r#type: Option<String>,
    version: Option<String>,
    payload: Option<RawPayload>,
    payload_null: bool,
    extra: Map<String, Value>,
}

#[derive(Default)]
struct RawPayload {
    r#type: Option<String>,
    id: Option<String>,
    request_id: Option<String>,
    event_name: Option<String>,
    content: Option<String>,
    send_time: Option<String>,
    attributes: Option<BTreeMap<String, String>>,
    sender_user_id: Option<String>,
    sender_attributes: Option<BTreeMap<String, String>>,
    extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for RawEnvelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEnvelope;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object (IVS log envelope)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEnvelope, A::Error> {
                let mut env = RawEnvelope::default();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match k.as_ref() {
                        "event_timestamp" => {
                            env.event_timestamp = field(&mut map, "event_timestamp")?
                        }
                        "type" => env.r#type = field(&mut map, "type")?,
                        "version" => env.version = field(&mut map, "version")?,
                        "payload" => {
                            env.payload = map.next_value_seed(PayloadSeed)?;
                            env.payload_null = env.payload.is_none();
                        }
                        other => {
                            let v: Value = field(&mut map, other)?;
                            env.extra.insert(other.to_string(), v);
                        }
                    }
                }
                Ok(env)
            }
        }
        d.deserialize_map(V)
    }
}

struct PayloadSeed;

impl<'de> DeserializeSeed<'de> for PayloadSeed {
    type Value = Option<RawPayload>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<RawPayload>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("field `payload`: a JSON object")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(V)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut p = RawPayload::default();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match k.as_ref() {
                        "Type" => p.r#type = field(&mut map, "payload.Type")?,
                        "Id" => p.id = field(&mut map, "payload.Id")?,
                        "RequestId" => p.request_id = field(&mut map, "payload.RequestId")?,
                        "EventName" => p.event_name = field(&mut map, "payload.EventName")?,
                        "Content" => p.content = field(&mut map, "payload.Content")?,
                        "SendTime" => p.send_time = field(&mut map, "payload.SendTime")?,
                        "Attributes" => p.attributes = field(&mut map, "payload.Attributes")?,
                        "Sender" => {
                            let s: Option<RawSender> = field(&mut map, "payload.Sender")?;
                            if let Some(s) = s {
                                p.sender_user_id = s.user_id;
                                p.sender_attributes = s.attributes;
                                if !s.extra.is_empty() {
                                    p.extra.insert("Sender".to_string(), Value::Object(s.extra));
                                }
                            }
                        }
                        other => {
                            let v: Value = field(&mut map, other)?;
                            p.extra.insert(other.to_string(), v);
                        }
                    }
                }
                Ok(Some(p))
            }
        }
        d.deserialize_option(V)
    }
}

struct RawSender {
    user_id: Option<String>,
    attributes: Option<BTreeMap<String, String>>,
    extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for RawSender {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSender;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSender, A::Error> {
                let mut s = RawSender {
                    user_id: None,
                    attributes: None,
                    extra: Map::new(),
                };
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match k.as_ref() {
                        "UserId" => s.user_id = field(&mut map, "payload.Sender.UserId")?,
                        "Attributes" => {
                            s.attributes = field(&mut map, "payload.Sender.Attributes")?
                        }
                        other => {
                            let v: Value = field(&mut map, other)?;
                            s.extra.insert(other.to_string(), v);
                        }
                    }
                }
                Ok(s)
            }
        }
        d.deserialize_map(V)
    }
}

/// Versions this parser understands: major version 1 (`1.0` today).
fn supported_version(v: &str) -> bool {
    v == "1"
        || v.strip_prefix("1.")
            .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

fn extra_text(m: Map<String, Value>) -> Option<String> {
    if m.is_empty() {
        None
    } else {
        Some(Value::Object(m).to_string())
    }
}

impl RawEnvelope {
    fn into_record(self, ctx: &SourceContext, pos: Position) -> Result<ChatRecord, String> {
        let ts = self
            .event_timestamp
            .ok_or("missing field `event_timestamp`: expected an RFC 3339 string")?;
        let event_timestamp = parse_rfc3339_nanos(&ts).map_err(|want| {
            format!("field `event_timestamp`: {ts:?} is not a valid timestamp, expected {want}")
        })?;
        let r#type = self
            .r#type
            .ok_or("missing field `type`: expected \"MESSAGE\" or \"EVENT\"")?;
        if r#type != "MESSAGE" && r#type != "EVENT" {
            return Err(format!(
                "field `type`: {type:?} is not \"MESSAGE\" or \"EVENT\""
            ));
        }
        let version = self
            .version
            .ok_or("missing field `version`: expected \"1.0\"")?;
        if !supported_version(&version) {
            return Err(format!(
                "field `version`: unsupported log format version {version:?}, expected 1.x"
            ));
        }
        if self.payload_null {
            return Err("field `payload`: null, expected a JSON object".to_string());
        }
        let p = self
            .payload
            .ok_or("missing field `payload`: expected a JSON object")?;
        if let Some(pt) = &p.r#type {
            if *pt != r#type {
                return Err(format!(
                    "field `payload.Type`: {pt:?} does not match envelope type {type:?}"
                ));
            }
        }
        let id =
            p.id.filter(|s| !s.is_empty())
                .ok_or("missing field `payload.Id`: expected a non-empty string")?;
        let send_time = match &p.send_time {
            None => None,
            Some(s) => Some(parse_rfc3339_nanos(s).map_err(|want| {
                format!("field `payload.SendTime`: {s:?} is not a valid timestamp, expected {want}")
            })?),
        };
        let mut target_message_id = None;
        let mut target_user_id = None;
        let mut reason = None;
        if r#type == "EVENT" {
            let name = p.event_name.as_deref().unwrap_or_default();
            if name.is_empty() {
                return Err(
                    "missing field `payload.EventName`: expected a non-empty string for an EVENT"
                        .to_string(),
                );
            }
            if let Some(attrs) = &p.attributes {
                if name == "aws:DELETE_MESSAGE" {
                    // Either or both spellings may appear; they name the same message.
                    target_message_id = attrs
                        .get("MessageID")
                        .or_else(|| attrs.get("MessageId"))
                        .cloned();
                }
                if name == "aws:DISCONNECT_USER" {
                    target_user_id = attrs.get("UserId").cloned();
                }
                if name.starts_with("aws:") {
                    reason = attrs.get("Reason").cloned();
                }
            }
        } else if p.content.is_none() {
            return Err(
                "missing field `payload.Content`: expected a string for a MESSAGE".to_string(),
            );
        }
        let attributes = p.attributes.map(|mut a| {
            // Normalise: keep one key, `MessageId`, for engines with case-insensitive keys.
            if let Some(v) = a.remove("MessageID") {
                a.insert("MessageId".to_string(), v);
            }
            a
        });
        Ok(ChatRecord {
            event_timestamp,
            r#type,
            version,
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            room_id: ctx.room_id.clone(),
            room_arn: ctx.room_arn(),
            id,
            request_id: non_empty(p.request_id),
            event_name: p.event_name,
            content: p.content,
            send_time,
            sender_user_id: p.sender_user_id,
            sender_attributes: p.sender_attributes,
            attributes,
            target_message_id,
            target_user_id,
            reason,
            payload_extra: extra_text(p.extra),
            envelope_extra: extra_text(self.extra),
            source: ctx.source.clone(),
            source_line: pos.line,
            source_offset: pos.offset,
            source_ref: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> SourceContext {
        SourceContext {
            source: "s3://b/k.log.gz".into(),
            account_id: Some("123456789012".into()),
            region: Some("us-west-2".into()),
            room_id: Some("abc123DEF456".into()),
            key_version: Some("1.0".into()),
        }
    }

    fn parse(s: &str) -> Result<ChatRecord, String> {
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
        assert_eq!(r.r#type, "MESSAGE");
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
            let err = parse(input).unwrap_err();
            assert!(
                err.contains(want),
                "input {input}\n got: {err}\nwant: {want}"
            );
        }
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
}
