//! Parsing one IVS log envelope (bytes of one JSON object) into a [`ChatRecord`].
//!
//! Pure: no I/O. The envelope is walked with a hand-written serde visitor so that known
//! fields go straight into the record, unknown fields are kept as JSON text
//! (`payload_extra`, `envelope_extra`), and a wrong type names its field.
//!
//! The core, [`parse_envelope_fields`], borrows every string without escapes from the
//! input (a [`ParsedEnvelope`]); [`parse_envelope`] turns that into an owned
//! [`ChatRecord`]. The ingestion hot path appends the borrowed form straight into the
//! sinks (see [`ParsedEnvelope::row`]), so both paths share one parser.
//!
//! The common shape is read by a hand-written scanner (`fast.rs`) that fills the same
//! raw fields as the serde visitors and defers to them on anything unusual.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::quarantine::{Item, QuarantineEntry};
use crate::record::{ChatRecord, MapRef, Position, RowRef, SourceContext};
use crate::timefmt::parse_rfc3339_nanos;

mod fast;

/// Parses one envelope; `Err` holds the quarantine reason (what was wrong, what was expected).
pub fn parse_envelope(
    bytes: &[u8],
    ctx: &SourceContext,
    pos: Position,
) -> Result<ChatRecord, String> {
    parse_envelope_fields(bytes).map(|e| e.into_record(ctx, pos))
}

/// Parses one envelope into an [`Item`]: the record, or a quarantine entry carrying the raw bytes.
pub fn parse_item(bytes: &[u8], ctx: &SourceContext, pos: Position) -> Item {
    match parse_envelope(bytes, ctx, pos) {
        Ok(r) => Item::Record(Box::new(r)),
        Err(reason) => Item::Quarantined(Box::new(quarantine_entry(bytes, ctx, pos, reason))),
    }
}

/// The quarantine entry for an envelope that did not parse (`reason` from the parser).
pub fn quarantine_entry(
    bytes: &[u8],
    ctx: &SourceContext,
    pos: Position,
    reason: String,
) -> QuarantineEntry {
    QuarantineEntry::new(&ctx.source, pos, reason, bytes, bytes.len() as u64)
}

/// Parses one envelope without copying its strings: the validated envelope fields,
/// borrowed from `bytes` (strings with JSON escapes are unescaped into owned copies).
///
/// Same validation and error wording as [`parse_envelope`]; what the delivery knows
/// (account, room, source, position) is added by [`ParsedEnvelope::row`] or
/// [`ParsedEnvelope::into_record`].
///
/// Envelopes in the shape IVS writes go through a hand-written scanner (`fast.rs`);
/// anything it is not sure about goes through serde ([`parse_envelope_fields_serde`]).
/// Both build the same raw fields and share one validation, so the result is the same.
pub fn parse_envelope_fields(bytes: &[u8]) -> Result<ParsedEnvelope<'_>, String> {
    let mut raw = RawEnvelope::default();
    if fast::parse_into(bytes, &mut raw) {
        return raw.validate();
    }
    parse_envelope_fields_serde(bytes)
}

/// [`parse_envelope_fields`] through serde only (the reference the fast path is tested
/// against; not for production use).
#[doc(hidden)]
pub fn parse_envelope_fields_serde(bytes: &[u8]) -> Result<ParsedEnvelope<'_>, String> {
    let raw: RawEnvelope = serde_json::from_slice(bytes).map_err(|e| describe_json_error(&e))?;
    raw.validate()
}

/// True when [`parse_envelope_fields`] takes the fast path for `bytes` (for tests and
/// benchmarks: the fast path must not silently always fall back).
#[doc(hidden)]
pub fn fast_path_handles(bytes: &[u8]) -> bool {
    fast::parse_into(bytes, &mut RawEnvelope::default())
}

fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("not valid JSON: {e}"),
        Category::Data => format!("not an IVS log envelope: {e}"),
        Category::Io => format!("read error: {e}"),
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

/// A JSON object of string values (`Attributes`, `Sender.Attributes`), in key order,
/// each key once (the last occurrence wins, as in a `BTreeMap`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrMap<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> StrMap<'a> {
    /// Builds a map from pairs in input order: sorted by key, later duplicates win.
    pub fn from_pairs(mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>) -> Self {
        if pairs.windows(2).any(|w| w[0].0 >= w[1].0) {
            // Stable sort keeps input order among equal keys; keep the last of each run.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(pairs.len());
            for p in pairs {
                match out.last_mut() {
                    Some(last) if last.0 == p.0 => *last = p,
                    _ => out.push(p),
                }
            }
            pairs = out;
        }
        StrMap(pairs)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Cow<'a, str>> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Cow<'a, str>> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| self.0.remove(i).1)
    }

    /// Sets `key` (replacing an existing value), keeping the key order.
    pub fn insert(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        match self
            .0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref()))
        {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// Pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the map has no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An owned copy.
    pub fn to_btree(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
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

#[derive(Default)]
struct RawEnvelope<'a> {
    event_timestamp: Option<Cow<'a, str>>,
    r#type: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    payload: Option<RawPayload<'a>>,
    payload_null: bool,
    extra: Map<String, Value>,
}

#[derive(Default)]
struct RawPayload<'a> {
    r#type: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    request_id: Option<Cow<'a, str>>,
    event_name: Option<Cow<'a, str>>,
    content: Option<Cow<'a, str>>,
    send_time: Option<Cow<'a, str>>,
    attributes: Option<StrMap<'a>>,
    sender_user_id: Option<Cow<'a, str>>,
    sender_attributes: Option<StrMap<'a>>,
    extra: Map<String, Value>,
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

/// Versions this parser understands: major version 1 (`1.0` today).
fn supported_version(v: &str) -> bool {
    v == "1"
        || v.strip_prefix("1.")
            .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

fn extra_text(m: Map<String, Value>) -> Option<String> {
    if m.is_empty() {
        None
    } else {
        Some(Value::Object(m).to_string())
    }
}

/// One validated envelope, its strings borrowed from the input where possible.
///
/// Field meanings are those of the same-named [`ChatRecord`] fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEnvelope<'a> {
    /// Envelope `event_timestamp`, ns since epoch, UTC.
    pub event_timestamp: i64,
    /// Envelope `type`: `MESSAGE` or `EVENT`.
    pub r#type: Cow<'a, str>,
    /// Envelope `version`.
    pub version: Cow<'a, str>,
    /// Payload `Id` (never empty).
    pub id: Cow<'a, str>,
    /// Payload `RequestId`; an empty string is `None`.
    pub request_id: Option<Cow<'a, str>>,
    /// Payload `EventName`.
    pub event_name: Option<Cow<'a, str>>,
    /// Payload `Content`.
    pub content: Option<Cow<'a, str>>,
    /// Payload `SendTime`, ns since epoch, UTC.
    pub send_time: Option<i64>,
    /// Payload `Sender.UserId`.
    pub sender_user_id: Option<Cow<'a, str>>,
    /// Payload `Sender.Attributes`.
    pub sender_attributes: Option<StrMap<'a>>,
    /// Payload `Attributes`, `MessageID` renamed `MessageId`.
    pub attributes: Option<StrMap<'a>>,
    /// `aws:DELETE_MESSAGE`: the deleted message id.
    pub target_message_id: Option<Cow<'a, str>>,
    /// `aws:DISCONNECT_USER`: the disconnected user id.
    pub target_user_id: Option<Cow<'a, str>>,
    /// `aws:*` events: `Attributes.Reason`.
    pub reason: Option<Cow<'a, str>>,
    /// Unknown payload fields as JSON object text.
    pub payload_extra: Option<String>,
    /// Unknown envelope fields as JSON object text.
    pub envelope_extra: Option<String>,
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

impl<'a> ParsedEnvelope<'a> {
    /// The row of this envelope from `ctx` at `pos`; `room_arn` is `ctx.room_arn()`,
    /// computed once per source by the caller.
    pub fn row<'r>(
        &'r self,
        ctx: &'r SourceContext,
        room_arn: Option<&'r str>,
        pos: Position,
    ) -> RowRef<'r> {
        RowRef {
            event_timestamp: self.event_timestamp,
            r#type: &self.r#type,
            version: &self.version,
            account_id: ctx.account_id.as_deref(),
            region: ctx.region.as_deref(),
            room_id: ctx.room_id.as_deref(),
            room_arn,
            id: &self.id,
            request_id: self.request_id.as_deref(),
            event_name: self.event_name.as_deref(),
            content: self.content.as_deref(),
            send_time: self.send_time,
            sender_user_id: self.sender_user_id.as_deref(),
            sender_attributes: self.sender_attributes.as_ref().map(MapRef::Pairs),
            attributes: self.attributes.as_ref().map(MapRef::Pairs),
            target_message_id: self.target_message_id.as_deref(),
            target_user_id: self.target_user_id.as_deref(),
            reason: self.reason.as_deref(),
            payload_extra: self.payload_extra.as_deref(),
            envelope_extra: self.envelope_extra.as_deref(),
            source: &ctx.source,
            source_line: pos.line,
            source_offset: pos.offset,
            source_ref: None,
        }
    }

    /// The owned record of this envelope from `ctx` at `pos`.
    pub fn into_record(self, ctx: &SourceContext, pos: Position) -> ChatRecord {
        ChatRecord {
            event_timestamp: self.event_timestamp,
            r#type: self.r#type.into_owned(),
            version: self.version.into_owned(),
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            room_id: ctx.room_id.clone(),
            room_arn: ctx.room_arn(),
            id: self.id.into_owned(),
            request_id: owned(self.request_id),
            event_name: owned(self.event_name),
            content: owned(self.content),
            send_time: self.send_time,
            sender_user_id: owned(self.sender_user_id),
            sender_attributes: self.sender_attributes.map(|m| m.to_btree()),
            attributes: self.attributes.map(|m| m.to_btree()),
            target_message_id: owned(self.target_message_id),
            target_user_id: owned(self.target_user_id),
            reason: owned(self.reason),
            payload_extra: self.payload_extra,
            envelope_extra: self.envelope_extra,
            source: ctx.source.clone(),
            source_line: pos.line,
            source_offset: pos.offset,
            source_ref: None,
        }
    }
}

impl<'a> RawEnvelope<'a> {
    fn validate(self) -> Result<ParsedEnvelope<'a>, String> {
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
                a.insert(Cow::Borrowed("MessageId"), v);
            }
            a
        });
        Ok(ParsedEnvelope {
            event_timestamp,
            r#type,
            version,
            id,
            request_id: p.request_id.filter(|s| !s.is_empty()),
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
}
