//! Decisions fixtures: audit lines written by the real review-handler code path
//! (`State::review` then `output_lines`, what `State::handle` prints), with the EMF lines
//! that follow each one in the handler's log group.

use review_handler::handler::output_lines;
use review_handler::source::{compile_text, Loaded};
use review_handler::store::StoreUse;
use review_handler::{Config, State};
use serde_json::{json, Value};

/// The fixture pack: shadow rules first (a shadow rule never stops evaluation), then two
/// deny rules with categories and a mask rule without one.
pub const PACK: &str = r#"version = 1
name = "fixture"

[settings]
fail = "allow"

[[rules]]
id = "shadow-links"
kind = "keywords"
action = "deny"
shadow = true
category = "links"
terms = ["http"]
match = "substring"

[[rules]]
id = "shadow-wow"
kind = "keywords"
action = "deny"
shadow = true
terms = ["wow"]

[[rules]]
id = "no-spam"
kind = "keywords"
action = "deny"
category = "spam"
terms = ["buy now", "free coins"]

[[rules]]
id = "no-insults"
kind = "keywords"
action = "deny"
category = "harassment"
terms = ["idiot"]

[[rules]]
id = "mask-darn"
kind = "keywords"
action = "mask"
terms = ["darn"]
"#;

/// The S3 ETag the fixture engine is "loaded" with (the audit line's `pack_version`).
pub const ETAG: &str = "\"fixture-v1\"";

/// One chat message sent to the handler.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Message id.
    pub id: &'static str,
    /// Room resource id.
    pub room: &'static str,
    /// Sender user id.
    pub user: &'static str,
    /// When the handler decided: Unix ms.
    pub at_ms: u64,
    /// The text.
    pub content: &'static str,
}

/// The review request IVS sends for `m` (contract §1).
pub fn request(m: &Sent) -> Value {
    json!({
        "Content": m.content, "MessageId": m.id, "RequestId": format!("req-{}", m.id),
        "RoomArn": format!("arn:aws:ivschat:us-east-1:123456789012:room/{}", m.room),
        "Attributes": {}, "Sender": {"UserId": m.user, "Ip": "192.0.2.1", "Attributes": {}}
    })
}

/// The handler's output lines for `events` (each `(Unix ms, event)`), in order: per event
/// its audit line and its EMF lines; and the IVS response of each event.
pub async fn handler_output(config: Config, events: &[(u64, Value)]) -> (Vec<String>, Vec<Value>) {
    let engine = compile_text(PACK, "fixture.toml", None).expect("fixture pack");
    let loaded = Loaded {
        engine,
        origin: "s3://rules/fixture.toml".into(),
        etag: Some(ETAG.into()),
    };
    let state = State::new(loaded, config.clone());
    let (mut out, mut responses) = (Vec::new(), Vec::new());
    for (at_ms, event) in events {
        let d = state.review(event.clone()).await;
        out.extend(
            output_lines(&d, &StoreUse::default(), &config, *at_ms)
                .lines()
                .map(str::to_string),
        );
        responses.push(d.response);
    }
    (out, responses)
}

/// Unix ms of `2023-01-05T<hh>:<mm>:00Z`.
pub fn at(hour: u64, minute: u64) -> u64 {
    1_672_876_800_000 + (hour * 60 + minute) * 60_000
}
