//! A simulated live show: who chats, what they send and when, and what the moderator
//! deletes. Pure and deterministic for a given seed.

use serde_json::{json, Value};
use test_support::ivs::rng::Rng;

/// One chatter.
#[derive(Debug, Clone)]
pub struct Chatter {
    /// `Sender.UserId`.
    pub user_id: String,
    /// Shown as `Sender.Attributes.displayName`.
    pub display_name: String,
    /// `Sender.Attributes.role`, e.g. `moderator`.
    pub role: &'static str,
    /// `Sender.Ip`.
    pub ip: String,
}

/// What kind of message the simulation meant to send, to compare with the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Ordinary chat.
    Normal,
    /// Plain profanity or abuse.
    Abusive,
    /// Abuse dressed up to evade filters (leetspeak, separators, homoglyphs, repeats).
    Evasive,
    /// A link to somewhere.
    Link,
    /// Shouting, repeated characters, mention floods.
    Spam,
}

impl Intent {
    /// A short lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Intent::Normal => "normal",
            Intent::Abusive => "abusive",
            Intent::Evasive => "evasive",
            Intent::Link => "link",
            Intent::Spam => "spam",
        }
    }
}

/// One message sent during the show.
#[derive(Debug, Clone)]
pub struct ShowMessage {
    /// Milliseconds since the show started.
    pub at_ms: u64,
    /// Index into [`Show::chatters`].
    pub sender: usize,
    /// What the user typed.
    pub content: String,
    /// The IVS message id (12 alphanumerics).
    pub id: String,
    /// What the simulation meant.
    pub intent: Intent,
}

/// The whole simulated show.
#[derive(Debug, Clone)]
pub struct Show {
    /// Everyone who chats; index 0 is the moderator.
    pub chatters: Vec<Chatter>,
    /// Messages in send order.
    pub messages: Vec<ShowMessage>,
    /// Length of the show in milliseconds.
    pub duration_ms: u64,
}

const NORMAL: &[&str] = &[
    "hello from Lisbon!",
    "this stream is great",
    "what game is this?",
    "GG",
    "that was a classic move",
    "lol that jump",
    "can you play the next level?",
    "the assassin build is so good",
    "first time here, love it",
    "👏👏👏",
    "where is the map from?",
    "Scunthorpe represent",
    "nice one @host",
    "brb grabbing coffee",
    "how long have you been streaming today?",
];
const ABUSIVE: &[&str] = &[
    "you are a fucking idiot",
    "this is shit",
    "go to hell, asshole",
    "what a bitch",
];
const EVASIVE: &[&str] = &[
    "f.u.c.k this",
    "sh1t stream",
    "fuuuuuck you",
    "ａｓｓｈｏｌｅ",
    "b i t c h",
    "$h!t",
];
const LINKS: &[&str] = &[
    "free skins at http://free-skins.example.net/win",
    "check www.totally-legit-prizes.example/claim",
    "docs are at https://docs.aws.amazon.com/ivs/",
];
const SPAM: &[&str] = &[
    "BUY CHEAP FOLLOWERS NOW!!!!!!!!",
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    "@a @b @c @d @e @f @g @h @i @j hi",
    "looooooooooooooooooooooooooooooooooool",
];

/// Simulates a show of `messages` messages from `chatters` users over `duration_ms`.
pub fn simulate(seed: u64, chatters: usize, messages: usize, duration_ms: u64) -> Show {
    let mut rng = Rng(seed | 1);
    let chatters: Vec<Chatter> = (0..chatters.max(2))
        .map(|i| Chatter {
            user_id: format!("user-{i:03}-{:08x}", rng.next() as u32),
            display_name: if i == 0 {
                "mod_maria".into()
            } else {
                format!("viewer{i}")
            },
            role: if i == 0 { "moderator" } else { "viewer" },
            ip: format!("198.51.100.{}", 10 + i % 200),
        })
        .collect();
    let mut at_ms = 0;
    let step = (duration_ms / messages.max(1) as u64).max(1);
    let messages = (0..messages)
        .map(|_| {
            at_ms += 1 + rng.next() % (2 * step);
            let roll = rng.index(100);
            let (intent, pool) = match roll {
                0..=69 => (Intent::Normal, NORMAL),
                70..=77 => (Intent::Abusive, ABUSIVE),
                78..=85 => (Intent::Evasive, EVASIVE),
                86..=91 => (Intent::Link, LINKS),
                _ => (Intent::Spam, SPAM),
            };
            // Troublemakers are a few users; the moderator only chats normally.
            let sender = match intent {
                Intent::Normal => rng.index(chatters.len()),
                _ => 1 + rng.index(3.min(chatters.len() - 1)),
            };
            ShowMessage {
                at_ms: at_ms.min(duration_ms.saturating_sub(1)),
                sender,
                content: pool[rng.index(pool.len())].to_string(),
                id: rng.ivs_id(),
                intent,
            }
        })
        .collect();
    Show {
        chatters,
        messages,
        duration_ms,
    }
}

impl Show {
    /// The IVS review handler request for message `i` (contracts doc, section 1).
    pub fn review_request(&self, i: usize, room_arn: &str) -> Value {
        let m = &self.messages[i];
        let c = &self.chatters[m.sender];
        json!({
            "Content": m.content,
            "MessageId": m.id,
            "RoomArn": room_arn,
            "Attributes": {},
            "Sender": {
                "UserId": c.user_id,
                "Ip": c.ip,
                "Attributes": { "displayName": c.display_name, "role": c.role }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_show_and_every_intent_occurs() {
        let a = simulate(7, 12, 400, 600_000);
        let b = simulate(7, 12, 400, 600_000);
        assert_eq!(a.messages.len(), 400);
        let contents = |s: &Show| {
            s.messages
                .iter()
                .map(|m| m.content.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(contents(&a), contents(&b));
        for intent in [
            Intent::Normal,
            Intent::Abusive,
            Intent::Evasive,
            Intent::Link,
            Intent::Spam,
        ] {
            assert!(
                a.messages.iter().any(|m| m.intent == intent),
                "{intent:?} missing"
            );
        }
        assert!(a.messages.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        assert!(a.messages.iter().all(|m| m.at_ms < 600_000));
        assert!(a
            .messages
            .iter()
            .all(|m| m.id.len() == 12 && m.id.chars().all(|c| c.is_ascii_alphanumeric())));
    }

    #[test]
    fn review_request_has_the_ivs_shape() {
        let show = simulate(1, 3, 5, 10_000);
        let req = show.review_request(
            0,
            "arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456",
        );
        for key in ["Content", "MessageId", "RoomArn", "Attributes", "Sender"] {
            assert!(req.get(key).is_some(), "{key}");
        }
        assert!(req["Sender"]["UserId"].as_str().is_some());
        assert!(req["Sender"]["Ip"].as_str().is_some());
    }
}
