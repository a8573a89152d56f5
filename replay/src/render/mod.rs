//! Renderers: JSON track, chunked JSON, WebVTT, SRT, ASS, HTML preview.
//!
//! All renderers are pure: they write to any [`std::io::Write`] (a `Vec<u8>` in tests,
//! a buffered file in the CLI).

pub mod ass;
pub mod chunks;
mod cue_writer;
pub mod html;
pub mod json;
pub mod layout;
mod lookalike;
pub mod srt;
pub mod vtt;

use crate::align::Entry;
use crate::record::RecordKind;
pub(crate) use cue_writer::{write_cues, Lines};
use layout::Cue;

/// How subtitles show chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayOptions {
    /// How long a message stays on screen, at most (ms).
    pub on_screen_ms: u64,
    /// How many messages are on screen at once; older ones scroll off.
    pub max_lines: usize,
    /// Attribute names tried, in order, for the display name (sender attributes, then
    /// message attributes); the sender user id is the last resort.
    pub name_attributes: Vec<String>,
    /// End of the video (ms): cues are cut there (`None`: not cut).
    pub clip_to_ms: Option<u64>,
}

/// Default on-screen duration (ms).
pub const DEFAULT_ON_SCREEN_MS: u64 = 6_000;
/// Default number of messages on screen.
pub const DEFAULT_MAX_LINES: usize = 5;

impl Default for DisplayOptions {
    fn default() -> Self {
        DisplayOptions {
            on_screen_ms: DEFAULT_ON_SCREEN_MS,
            max_lines: DEFAULT_MAX_LINES,
            name_attributes: ["displayName", "display_name", "username", "name"]
                .map(str::to_owned)
                .to_vec(),
            clip_to_ms: None,
        }
    }
}

impl DisplayOptions {
    /// The name shown for an entry's sender (empty for system events).
    pub fn display_name<'a>(&self, e: &'a Entry) -> &'a str {
        let r = &e.record;
        if !r.is_message() && r.sender_user_id.is_none() {
            return "";
        }
        for key in &self.name_attributes {
            if let Some(v) = r
                .sender_attributes
                .get(key)
                .or_else(|| r.attributes.get(key))
            {
                if !v.trim().is_empty() {
                    return v;
                }
            }
        }
        r.sender_user_id.as_deref().unwrap_or("?")
    }
}

/// The text shown for an entry (single line, unescaped).
pub fn display_text(e: &Entry) -> String {
    let mut s = String::new();
    push_display_text(e, &mut s);
    s
}

/// Appends the text shown for an entry (single line, unescaped) to `out`.
pub fn push_display_text(e: &Entry, out: &mut String) {
    let r = &e.record;
    match &r.kind {
        RecordKind::Message => {
            match &e.deleted {
                Some(reason) if reason.is_empty() => out.push_str("[deleted] "),
                Some(reason) => {
                    out.push_str("[deleted: ");
                    push_single_line(reason, out);
                    out.push_str("] ");
                }
                None => {}
            }
            push_single_line(r.content.as_deref().unwrap_or(""), out);
        }
        RecordKind::Event(_)
            if r.system_event() == Some(crate::record::SystemEvent::DisconnectUser) =>
        {
            out.push_str("* ");
            push_single_line(r.target_user_id().unwrap_or("a user"), out);
            out.push_str(" was disconnected");
            if let Some(reason) = r.reason().filter(|r| !r.is_empty()) {
                out.push_str(" (");
                push_single_line(reason, out);
                out.push(')');
            }
        }
        RecordKind::Event(event) => {
            out.push_str("* ");
            push_single_line(&event.name, out);
            for (k, v) in &r.attributes {
                out.push(' ');
                push_single_line(k, out);
                out.push('=');
                push_single_line(v, out);
            }
        }
    }
}

/// Appends an entry's subtitle line: `name_open`, the display name, `name_close` (all
/// three left out when the name is empty), then the text; name and text are made single
/// line and passed through `escape`. ASS and SRT lines have this shape.
pub(crate) fn push_named_line(
    opts: &DisplayOptions,
    e: &Entry,
    [name_open, name_close]: [&str; 2],
    escape: fn(&str, &mut String),
    out: &mut String,
    scratch: &mut String,
) {
    let name = opts.display_name(e);
    scratch.clear();
    if !name.is_empty() {
        out.push_str(name_open);
        push_single_line(name, scratch);
        escape(scratch, out);
        out.push_str(name_close);
        scratch.clear();
    }
    push_display_text(e, scratch);
    escape(scratch, out);
}

/// Replaces line breaks and other control characters by spaces.
pub fn single_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_single_line(s, &mut out);
    out
}

/// Appends `s` to `out` with line breaks and other control characters as spaces.
pub fn push_single_line(s: &str, out: &mut String) {
    // Control characters are C0, DEL and C1 (U+0080..U+009F, UTF-8 lead byte 0xC2):
    // a byte scan rules most text out before the exact check.
    let maybe = s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2);
    if maybe && s.chars().any(char::is_control) {
        out.extend(s.chars().map(|c| if c.is_control() { ' ' } else { c }));
    } else {
        out.push_str(s);
    }
}

/// Appends a `start --> end` line, the lines on screen, and a blank line (the cue
/// block shape WebVTT and SRT share).
pub(crate) fn push_timed_block(
    buf: &mut String,
    c: &Cue,
    lines: Lines<'_>,
    push_time: fn(&mut String, u64),
) {
    push_time(buf, c.start_ms);
    buf.push_str(" --> ");
    push_time(buf, c.end_ms);
    buf.push('\n');
    for l in lines {
        buf.push_str(l);
        buf.push('\n');
    }
    buf.push('\n');
}
