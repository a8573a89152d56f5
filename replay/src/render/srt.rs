//! SubRip (SRT): numbered cues, one `Name: text` line per message, oldest on top.
//!
//! SRT has no escape syntax, yet players read markup in it (ffmpeg's decoder: HTML-ish
//! tags, ASS override blocks and commands, and any line shaped like a timing line
//! starts a new cue). Names and text are made inert with look-alike characters, see
//! `lookalike.rs`.

use std::io::{self, Write};

use super::{lookalike, push_named_line, push_timed_block, write_cues, DisplayOptions};
use crate::align::Entry;
use crate::timefmt::push_srt_time;

/// Makes text inert in SRT: `<`, `>`, `{`, `}` and `\` become look-alikes.
pub fn escape(s: &str, out: &mut String) {
    lookalike::push_srt(s, out);
}

/// Writes an SRT file: one line per message, names and text escaped ([`escape`]).
pub fn write_srt<W: Write>(w: &mut W, entries: &[Entry], opts: &DisplayOptions) -> io::Result<()> {
    let line = |e: &Entry, out: &mut String, scratch: &mut String| {
        push_named_line(opts, e, ["", ": "], escape, out, scratch);
    };
    write_cues(w, entries, opts, "", line, |buf, n, c, lines| {
        buf.push_str(&(n + 1).to_string());
        buf.push('\n');
        push_timed_block(buf, c, lines, push_srt_time);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::entry;

    #[test]
    fn writes_numbered_cues() {
        let e = vec![entry(61_000, "hello"), entry(61_001, "again")];
        let opts = DisplayOptions {
            on_screen_ms: 1000,
            max_lines: 1,
            ..DisplayOptions::default()
        };
        let mut out = Vec::new();
        write_srt(&mut out, &e, &opts).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1\n00:01:01,000 --> 00:01:01,001\nAnn: hello\n\n2\n00:01:01,001 --> 00:01:02,001\nAnn: again\n\n"
        );
    }

    #[test]
    fn markup_in_names_and_text_is_inert() {
        let mut e = vec![entry(1_000, "{\\an8}<font size=\"80\">x</font>\\N")];
        std::sync::Arc::make_mut(&mut e[0].record.sender_attributes).insert(
            "displayName".to_owned(),
            "00:00:02,000 --> 00:09:00,000 <b>".to_owned(),
        );
        let mut out = Vec::new();
        write_srt(&mut out, &e, &DisplayOptions::default()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1\n00:00:01,000 --> 00:00:07,000\n\
             00:00:02,000 --› 00:09:00,000 ‹b›: ⦃∖an8⦄‹font size=\"80\"›x‹/font›∖N\n\n"
        );
    }
}
