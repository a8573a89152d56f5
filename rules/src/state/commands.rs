//! Moderator commands typed in chat (`!mute <user> <duration>`, `!unmute <user>`,
//! `!permit <user>`, `!shield on|off [duration]`, `!strikes <user>`): parsing only; the
//! engine checks the sender's role and applies them.

use super::time::{parse_any_duration, MAX_DURATION};
use super::Millis;

/// Longest user argument accepted, in characters (display names and user ids);
/// longer is a usage error.
pub const MAX_COMMAND_ARG_CHARS: usize = 128;

/// A parsed moderator command. Users are as typed (a display name, `@name`, or a user
/// id); the engine resolves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Mute `user` for `duration` ms (clamped to [`MAX_DURATION`] here, and to the
    /// pack's `max_mute` by the engine).
    Mute {
        /// Who.
        user: String,
        /// How long.
        duration: Millis,
    },
    /// End `user`'s mute.
    Unmute {
        /// Who.
        user: String,
    },
    /// Allow `user` one link within the pack's `permit_for`.
    Permit {
        /// Who.
        user: String,
    },
    /// Shield on (for `duration`, else the pack's default) or off.
    Shield {
        /// On or off.
        on: bool,
        /// How long, when on.
        duration: Option<Millis>,
    },
    /// Show `user`'s strikes and mute.
    Strikes {
        /// Who.
        user: String,
    },
}

impl Command {
    /// The user the command names, if any.
    pub fn target(&self) -> Option<&str> {
        match self {
            Command::Mute { user, .. }
            | Command::Unmute { user }
            | Command::Permit { user }
            | Command::Strikes { user } => Some(user),
            Command::Shield { .. } => None,
        }
    }
}

/// A known command with bad arguments: the usage line to show the moderator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("usage: {0}")]
pub struct CommandError(pub &'static str);

const MUTE: &str = "!mute <user> <duration, e.g. 10m>";
const UNMUTE: &str = "!unmute <user>";
const PERMIT: &str = "!permit <user>";
const SHIELD: &str = "!shield on [duration] | !shield off";
const STRIKES: &str = "!strikes <user>";

/// Parses `content` as a command with `prefix` (e.g. `!`). `None` when it is not one
/// of the known commands (an ordinary message, or another bot's `!uptime`); `Some(Err)`
/// for a known command with bad arguments.
pub fn parse_command(content: &str, prefix: &str) -> Option<Result<Command, CommandError>> {
    let rest = content.trim().strip_prefix(prefix)?;
    let mut words = rest.split_whitespace();
    let verb = words.next()?.to_lowercase();
    let args: Vec<&str> = words.collect();
    let usage = match verb.as_str() {
        "mute" => MUTE,
        "unmute" => UNMUTE,
        "permit" => PERMIT,
        "shield" => SHIELD,
        "strikes" => STRIKES,
        _ => return None,
    };
    let user = |i: usize| -> Result<String, CommandError> {
        let u = args.get(i).ok_or(CommandError(usage))?;
        let u = u.strip_prefix('@').unwrap_or(u);
        if u.is_empty() || u.chars().count() > MAX_COMMAND_ARG_CHARS {
            return Err(CommandError(usage));
        }
        Ok(u.to_string())
    };
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(CommandError(usage))
        }
    };
    let parsed = (|| match verb.as_str() {
        "mute" => {
            arity(2)?;
            let duration = args
                .get(1)
                .and_then(|d| parse_any_duration(d))
                .ok_or(CommandError(usage))?;
            Ok(Command::Mute {
                user: user(0)?,
                duration: duration.min(MAX_DURATION),
            })
        }
        "unmute" => arity(1).and_then(|()| Ok(Command::Unmute { user: user(0)? })),
        "permit" => arity(1).and_then(|()| Ok(Command::Permit { user: user(0)? })),
        "strikes" => arity(1).and_then(|()| Ok(Command::Strikes { user: user(0)? })),
        _ => {
            let on = match args.first().map(|a| a.to_lowercase()).as_deref() {
                Some("on") => true,
                Some("off") => false,
                _ => return Err(CommandError(usage)),
            };
            let duration = match (on, args.get(1)) {
                (_, None) => None,
                (true, Some(d)) if args.len() == 2 => Some(
                    parse_any_duration(d)
                        .ok_or(CommandError(usage))?
                        .min(MAX_DURATION),
                ),
                _ => return Err(CommandError(usage)),
            };
            Ok(Command::Shield { on, duration })
        }
    })();
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_command_and_rejects_bad_syntax() {
        let p = |s| parse_command(s, "!");
        assert_eq!(
            p("!mute @Alice 10m"),
            Some(Ok(Command::Mute {
                user: "Alice".into(),
                duration: 600_000
            }))
        );
        assert_eq!(
            p("!MUTE bob 400d").and_then(Result::ok).map(|c| match c {
                Command::Mute { duration, .. } => duration,
                _ => 0,
            }),
            Some(MAX_DURATION)
        );
        assert_eq!(
            p("!unmute bob"),
            Some(Ok(Command::Unmute { user: "bob".into() }))
        );
        assert_eq!(
            p("!permit bob"),
            Some(Ok(Command::Permit { user: "bob".into() }))
        );
        assert_eq!(
            p("!strikes u-1"),
            Some(Ok(Command::Strikes { user: "u-1".into() }))
        );
        assert_eq!(
            p("!shield on 15m"),
            Some(Ok(Command::Shield {
                on: true,
                duration: Some(900_000)
            }))
        );
        assert_eq!(
            p("!shield off"),
            Some(Ok(Command::Shield {
                on: false,
                duration: None
            }))
        );
        assert_eq!(p("!mute bob"), Some(Err(CommandError(MUTE))));
        assert_eq!(p("!mute bob soon"), Some(Err(CommandError(MUTE))));
        assert_eq!(p("!shield maybe"), Some(Err(CommandError(SHIELD))));
        assert_eq!(p("!unmute"), Some(Err(CommandError(UNMUTE))));
        let long = format!("!strikes {}", "x".repeat(MAX_COMMAND_ARG_CHARS + 1));
        assert_eq!(p(&long), Some(Err(CommandError(STRIKES))));
        assert_eq!(p("!uptime"), None);
        assert_eq!(p("mute bob 10m"), None);
    }
}
