//! replay's [`ChatRecord`]s (what every source format is read into) as the backtest's
//! input model: messages, moderator events, and the rest (custom events, counted only).

use std::sync::Arc;

use replay::record::SystemEvent;
use replay::ChatRecord;
use rules::backtest::{History, Message, ModAction, ModEvent};

/// What a record became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A chat message.
    Message,
    /// `aws:DELETE_MESSAGE` or `aws:DISCONNECT_USER` with its target.
    Moderation,
    /// Anything else (custom events, system events without a target).
    Other,
}

/// Adds one record to `history`; says what it was.
pub fn add(history: &mut History, r: ChatRecord) -> Kind {
    let room: Arc<str> = r.room.clone().unwrap_or_else(|| Arc::from(""));
    if r.is_message() {
        history.messages.push(Message {
            id: r.id.into(),
            room,
            user: r.sender_user_id.map(String::from).unwrap_or_default(),
            content: r.content.map(String::from).unwrap_or_default(),
            send_time: r.send_time,
            sender_attributes: r.sender_attributes,
            attributes: r.attributes,
        });
        return Kind::Message;
    }
    let action = match r.system_event() {
        Some(SystemEvent::DeleteMessage) => r
            .target_message_id()
            .map(|id| ModAction::DeleteMessage(id.to_owned())),
        Some(SystemEvent::DisconnectUser) => r
            .target_user_id()
            .map(|u| ModAction::DisconnectUser(u.to_owned())),
        _ => None,
    };
    match action {
        Some(action) => {
            history.events.push(ModEvent {
                action,
                room,
                time: r.send_time,
            });
            Kind::Moderation
        }
        None => Kind::Other,
    }
}
