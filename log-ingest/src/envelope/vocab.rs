//! The closed vocabularies of the IVS chat log format (contracts, section 2): the
//! envelope `type` and the system event names. Custom event names are open (any
//! string an application sends with `SendEvent`) and stay strings.

use serde::{Deserialize, Serialize};

/// Envelope `type` (and payload `Type`): what one log record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordType {
    /// A chat message (`MESSAGE`): has `Content`.
    #[serde(rename = "MESSAGE")]
    Message,
    /// An event (`EVENT`): has `EventName`, a system event or a custom one.
    #[serde(rename = "EVENT")]
    Event,
}

impl RecordType {
    /// Every value, in the order the contract lists them.
    pub const ALL: [RecordType; 2] = [RecordType::Message, RecordType::Event];

    /// The contract's spelling: `MESSAGE` or `EVENT`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordType::Message => "MESSAGE",
            RecordType::Event => "EVENT",
        }
    }

    /// The type spelled `s` exactly (the contract's spelling is upper case); `None` for
    /// anything else.
    pub fn from_name(s: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl std::fmt::Display for RecordType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The events IVS itself writes (`EventName` starting with `aws:`) whose attributes the
/// contract defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SystemEvent {
    /// `aws:DELETE_MESSAGE`: a moderator deleted the message `Attributes.MessageID`
    /// (or `.MessageId`), for `Attributes.Reason`.
    #[serde(rename = "aws:DELETE_MESSAGE")]
    DeleteMessage,
    /// `aws:DISCONNECT_USER`: the user `Attributes.UserId` was disconnected, for
    /// `Attributes.Reason`.
    #[serde(rename = "aws:DISCONNECT_USER")]
    DisconnectUser,
}

/// The prefix of every event name IVS reserves for itself.
pub const SYSTEM_EVENT_PREFIX: &str = "aws:";

impl SystemEvent {
    /// Every value.
    pub const ALL: [SystemEvent; 2] = [SystemEvent::DeleteMessage, SystemEvent::DisconnectUser];

    /// The `EventName` IVS writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            SystemEvent::DeleteMessage => "aws:DELETE_MESSAGE",
            SystemEvent::DisconnectUser => "aws:DISCONNECT_USER",
        }
    }

    /// The system event named `name`; `None` for custom events (and `aws:` names the
    /// contract does not define).
    pub fn from_name(name: &str) -> Option<SystemEvent> {
        SystemEvent::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// True when `name` is in IVS's reserved `aws:` namespace (whose `Reason` attribute
    /// is the record's `reason`), known to this crate or not.
    pub fn is_system_name(name: &str) -> bool {
        name.starts_with(SYSTEM_EVENT_PREFIX)
    }
}

impl std::fmt::Display for SystemEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_name() {
        for t in RecordType::ALL {
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(RecordType::from_name(t.as_str()), Some(t));
            assert_eq!(serde_json::from_str::<RecordType>(&json).unwrap(), t);
        }
        for e in SystemEvent::ALL {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, format!("\"{}\"", e.as_str()));
            assert_eq!(SystemEvent::from_name(e.as_str()), Some(e));
            assert!(SystemEvent::is_system_name(e.as_str()));
        }
        assert_eq!(RecordType::from_name("message"), None);
        assert_eq!(RecordType::from_name("CHAT"), None);
        assert_eq!(SystemEvent::from_name("aws:OTHER"), None);
        assert!(SystemEvent::is_system_name("aws:OTHER"));
        assert!(!SystemEvent::is_system_name("app:poll"));
    }
}
