//! The raw fields of one envelope as read, before any check: what both readers (the
//! fast scanner and the serde visitors) fill, and what validation takes.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::StrMap;

/// The envelope's fields as read (`None`: absent or `null`).
#[derive(Default)]
pub(super) struct RawEnvelope<'a> {
    pub(super) event_timestamp: Option<Cow<'a, str>>,
    pub(super) r#type: Option<Cow<'a, str>>,
    pub(super) version: Option<Cow<'a, str>>,
    pub(super) payload: Option<RawPayload<'a>>,
    pub(super) payload_null: bool,
    pub(super) extra: Map<String, Value>,
}

/// The payload's fields as read.
#[derive(Default)]
pub(super) struct RawPayload<'a> {
    pub(super) r#type: Option<Cow<'a, str>>,
    pub(super) id: Option<Cow<'a, str>>,
    pub(super) request_id: Option<Cow<'a, str>>,
    pub(super) event_name: Option<Cow<'a, str>>,
    pub(super) content: Option<Cow<'a, str>>,
    pub(super) send_time: Option<Cow<'a, str>>,
    pub(super) attributes: Option<StrMap<'a>>,
    pub(super) sender_user_id: Option<Cow<'a, str>>,
    pub(super) sender_attributes: Option<StrMap<'a>>,
    pub(super) extra: Map<String, Value>,
}
