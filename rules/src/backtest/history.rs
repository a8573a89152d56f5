//! The input model: historical chat messages and moderator events, as plain data.
//!
//! The shell (`rules-backtest`) reads our Parquet/NDJSON tables or raw IVS logs into
//! these; everything after is pure.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::ivs::{ReviewRequest, Sender};

/// String-to-string attributes (message or sender).
pub type Attrs = BTreeMap<String, String>;

/// One historical chat message (an IVS `MESSAGE` record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// IVS message id (`payload.Id`).
    pub id: String,
    /// Room: a resource id (`abc123`) or a full room ARN; empty when the source did not say.
    pub room: Arc<str>,
    /// Sender user id (`Sender.UserId`).
    pub user: String,
    /// The text as it was delivered.
    pub content: String,
    /// When it was sent (ns since the Unix epoch, UTC).
    pub send_time: i64,
    /// `Sender.Attributes` (shared between the messages of one sender).
    pub sender_attributes: Arc<Attrs>,
    /// The message's own attributes.
    pub attributes: Attrs,
}

/// What a moderator did, as the chat log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModAction {
    /// `aws:DELETE_MESSAGE`: the deleted message's id.
    DeleteMessage(String),
    /// `aws:DISCONNECT_USER`: the disconnected user's id.
    DisconnectUser(String),
}

/// One moderator event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModEvent {
    /// What was done.
    pub action: ModAction,
    /// Room it was done in (as [`Message::room`]).
    pub room: Arc<str>,
    /// When (ns since the Unix epoch).
    pub time: i64,
}

/// Everything a backtest evaluates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Chat messages, in any order (the backtest sorts them by time).
    pub messages: Vec<Message>,
    /// Moderator events, in any order.
    pub events: Vec<ModEvent>,
}

/// How a room id becomes the `RoomArn` IVS sends: `arn:aws:ivschat:<region>:<account>:room/<id>`.
/// A room that already is an ARN (`arn:...`) is kept as given, so packs whose
/// `[[rooms]]` name real ARNs select the same pack as in production.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomArns {
    /// AWS region of the rooms.
    pub region: String,
    /// AWS account id owning the rooms.
    pub account: String,
}

impl Default for RoomArns {
    fn default() -> Self {
        RoomArns {
            region: "us-east-1".into(),
            account: "000000000000".into(),
        }
    }
}

impl RoomArns {
    /// The room ARN of `room` (empty stays empty: IVS always sends one, our
    /// records of unknown rooms do not have it, and the engine then uses the default pack).
    pub fn arn(&self, room: &str) -> String {
        if room.is_empty() || room.starts_with("arn:") {
            room.to_string()
        } else {
            format!(
                "arn:aws:ivschat:{}:{}:room/{room}",
                self.region, self.account
            )
        }
    }
}

impl Message {
    /// The review request IVS would have sent the handler for this message. The sender's
    /// IP is not in the chat logs, so IP rules cannot fire in a backtest.
    pub fn request(&self, arns: &RoomArns) -> ReviewRequest {
        ReviewRequest {
            content: self.content.clone(),
            message_id: self.id.clone(),
            room_arn: arns.arn(&self.room),
            attributes: self.attributes.clone(),
            sender: Sender {
                user_id: self.user.clone(),
                ip: String::new(),
                attributes: (*self.sender_attributes).clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_become_arns_and_arns_are_kept() {
        let a = RoomArns {
            region: "eu-west-1".into(),
            account: "123456789012".into(),
        };
        assert_eq!(
            a.arn("abc"),
            "arn:aws:ivschat:eu-west-1:123456789012:room/abc"
        );
        assert_eq!(
            a.arn("arn:aws:ivschat:x:1:room/z"),
            "arn:aws:ivschat:x:1:room/z"
        );
        assert_eq!(a.arn(""), "");
        let m = Message {
            id: "m1".into(),
            room: "abc".into(),
            user: "u".into(),
            content: "hi".into(),
            ..Message::default()
        };
        let r = m.request(&a);
        assert_eq!(
            (
                r.message_id.as_str(),
                r.sender.user_id.as_str(),
                r.content.as_str()
            ),
            ("m1", "u", "hi")
        );
        assert!(r.room_arn.ends_with("room/abc"));
    }
}
