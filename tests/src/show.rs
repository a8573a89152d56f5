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
    /// One of the spammer's burst: ordinary lines, far too many, far too fast.
    Flood,
    /// One raider's paste of the raid line.
    Raid,
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
            Intent::Flood => "flood",
            Intent::Raid => "raid",
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
    /// Index into [`Show::chatters`] of the spammer: [`SPAMMER_LINES`] one every
    /// [`SPAMMER_GAP_MS`], a third into the show.
    pub spammer: usize,
    /// Indexes into [`Show::chatters`] of the raiders: new accounts that each paste
    /// [`RAID_LINE`] once, [`RAID_GAP_MS`] apart, two thirds into the show.
    pub raiders: Vec<usize>,
}

/// The spammer's burst: distinct ordinary lines (no repeats, no links, nothing a
/// stateless rule denies), so only memory across messages stops it.
pub const SPAMMER_LINES: [&str; 12] = [
    "come watch my stream",
    "my stream is better",
    "go to my channel now",
    "subscribe to me please",
    "i stream every single day",
    "my vods are the best",
    "everyone come over here",
    "best streamer right here",
    "you will love my content",
    "join my community today",
    "i have giveaways too",
    "last chance to join us",
];
/// Between two lines of the spammer's burst.
pub const SPAMMER_GAP_MS: u64 = 500;
/// The line every raider pastes.
pub const RAID_LINE: &str = "we are here from the big stream say hi to everyone";
/// Raiders in the show.
pub const RAIDERS: usize = 8;
/// Between two raiders' pastes.
pub const RAID_GAP_MS: u64 = 300;

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

/// Simulates a show of `messages` messages (the spammer's and the raiders' included: at
/// least those) from `chatters` users plus the spammer and the raiders over
/// `duration_ms`.
pub fn simulate(seed: u64, chatters: usize, messages: usize, duration_ms: u64) -> Show {
    let mut rng = Rng(seed | 1);
    let mut people: Vec<Chatter> = (0..chatters.max(2))
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
    let regulars = people.len();
    // The episodes' accounts: each its own address (192.0.2.0/24, TEST-NET-1).
    let mut newcomer = |name: String, host: usize| {
        people.push(Chatter {
            user_id: format!("{name}-{:08x}", rng.next() as u32),
            display_name: name,
            role: "viewer",
            ip: format!("192.0.2.{host}"),
        });
        people.len() - 1
    };
    let spammer = newcomer("promo_pete".into(), 50);
    let raiders: Vec<usize> = (0..RAIDERS)
        .map(|k| newcomer(format!("raider{k}"), 100 + k))
        .collect();

    let scripted = SPAMMER_LINES.len() + RAIDERS;
    let random = messages.saturating_sub(scripted);
    let mut at_ms = 0;
    let step = (duration_ms / random.max(1) as u64).max(1);
    let mut all: Vec<ShowMessage> = (0..random)
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
                Intent::Normal => rng.index(regulars),
                _ => 1 + rng.index(3.min(regulars - 1)),
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
    let mut episode = |start: u64, gap: u64, lines: Vec<(usize, &str)>, intent: Intent| {
        for (k, (sender, content)) in lines.into_iter().enumerate() {
            all.push(ShowMessage {
                at_ms: (start + k as u64 * gap).min(duration_ms.saturating_sub(1)),
                sender,
                content: content.to_string(),
                id: rng.ivs_id(),
                intent,
            });
        }
    };
    let flood = SPAMMER_LINES.iter().map(|l| (spammer, *l)).collect();
    episode(duration_ms / 3, SPAMMER_GAP_MS, flood, Intent::Flood);
    let raid = raiders.iter().map(|r| (*r, RAID_LINE)).collect();
    episode(2 * duration_ms / 3, RAID_GAP_MS, raid, Intent::Raid);
    // Stable: at equal times the earlier-generated message goes first.
    all.sort_by_key(|m| m.at_ms);
    Show {
        chatters: people,
        messages: all,
        duration_ms,
        spammer,
        raiders,
    }
}

impl Show {
    /// The IVS review handler request for message `i` (contracts doc, section 1), with
    /// the top-level `Time` (`at`, epoch ms) that a handler with `CLOCK=request` decides
    /// at: the show is replayed faster than it was "live".
    pub fn review_request(&self, i: usize, room_arn: &str, at_ms: i64) -> Value {
        let m = &self.messages[i];
        let c = &self.chatters[m.sender];
        json!({
            "Time": at_ms,
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
            Intent::Flood,
            Intent::Raid,
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
    fn the_spammer_floods_and_the_raiders_paste_once_each() {
        let show = simulate(3, 12, 300, 600_000);
        let by = |who: usize| -> Vec<&ShowMessage> {
            show.messages.iter().filter(|m| m.sender == who).collect()
        };
        let flood = by(show.spammer);
        assert_eq!(flood.len(), SPAMMER_LINES.len());
        assert!(flood.iter().all(|m| m.intent == Intent::Flood));
        assert!(flood
            .windows(2)
            .all(|w| w[1].at_ms - w[0].at_ms == SPAMMER_GAP_MS));
        assert_eq!(flood[0].at_ms, 200_000);
        assert_eq!(show.raiders.len(), RAIDERS);
        for r in &show.raiders {
            let pasted = by(*r);
            assert_eq!(pasted.len(), 1);
            assert_eq!(
                (pasted[0].content.as_str(), pasted[0].intent),
                (RAID_LINE, Intent::Raid)
            );
        }
        // Every episode account is new, with an address of its own.
        let mut ips: Vec<&str> = show.chatters.iter().map(|c| c.ip.as_str()).collect();
        ips.sort_unstable();
        ips.dedup();
        assert_eq!(ips.len(), show.chatters.len());
        assert_eq!(show.chatters.len(), 12 + 1 + RAIDERS);
    }

    #[test]
    fn review_request_has_the_ivs_shape() {
        let show = simulate(1, 3, 5, 10_000);
        let req = show.review_request(
            0,
            "arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456",
            1_795_201_200_000,
        );
        assert_eq!(req["Time"], 1_795_201_200_000_i64);
        for key in ["Content", "MessageId", "RoomArn", "Attributes", "Sender"] {
            assert!(req.get(key).is_some(), "{key}");
        }
        assert!(req["Sender"]["UserId"].as_str().is_some());
        assert!(req["Sender"]["Ip"].as_str().is_some());
    }
}
