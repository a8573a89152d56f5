//! The serde visitors: read any JSON document into the raw envelope fields, known fields
//! by name (strings borrowed when they have no escapes), unknown fields kept as JSON
//! values, and a wrong type named by its field (`field `payload.Content`: ...`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::raw::{RawEnvelope, RawPayload};
use super::StrMap;
use crate::error::IngestError;

/// The record error for a JSON document serde could not read as an envelope.
pub(super) fn describe_json_error(e: &serde_json::Error) -> IngestError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => IngestError::InvalidJson(e.to_string()),
        Category::Data => IngestError::NotAnEnvelope(e.to_string()),
        Category::Io => IngestError::JsonRead(e.to_string()),
    }
}

/// A string, borrowed from the input when it has no escapes.
struct Str<'a>(Cow<'a, str>);

struct StrVisitor(&'static str);

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v)))
    }
}

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_string(StrVisitor("a string"))
    }
}

/// A map key: the same as [`Str`], named for what the deserializer expects.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor("a string key"))
            .map(|Str(s)| Key(s))
    }
}

impl<'de> Deserialize<'de> for StrMap<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrMap<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some((Str(k), Str(v))) = map.next_entry::<Str<'de>, Str<'de>>()? {
                    pairs.push((k, v));
                }
                Ok(StrMap::from_pairs(pairs))
            }
        }
        d.deserialize_map(V)
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

fn str_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    name: &str,
) -> Result<Option<Cow<'de, str>>, A::Error> {
    field::<A, Option<Str<'de>>>(map, name).map(|o| o.map(|Str(s)| s))
}

impl<'de> Deserialize<'de> for RawEnvelope<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEnvelope<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object (IVS log envelope)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut env = RawEnvelope::default();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match k.as_ref() {
                        "event_timestamp" => {
                            env.event_timestamp = str_field(&mut map, "event_timestamp")?
                        }
                        "type" => env.r#type = str_field(&mut map, "type")?,
                        "version" => env.version = str_field(&mut map, "version")?,
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
    type Value = Option<RawPayload<'de>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<RawPayload<'de>>;
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
                        "Type" => p.r#type = str_field(&mut map, "payload.Type")?,
                        "Id" => p.id = str_field(&mut map, "payload.Id")?,
                        "RequestId" => p.request_id = str_field(&mut map, "payload.RequestId")?,
                        "EventName" => p.event_name = str_field(&mut map, "payload.EventName")?,
                        "Content" => p.content = str_field(&mut map, "payload.Content")?,
                        "SendTime" => p.send_time = str_field(&mut map, "payload.SendTime")?,
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

struct RawSender<'a> {
    user_id: Option<Cow<'a, str>>,
    attributes: Option<StrMap<'a>>,
    extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for RawSender<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSender<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut s = RawSender {
                    user_id: None,
                    attributes: None,
                    extra: Map::new(),
                };
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match k.as_ref() {
                        "UserId" => s.user_id = str_field(&mut map, "payload.Sender.UserId")?,
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
