//! SubRip (SRT): numbered cues, one `Name: text` line per message, oldest on top.

use std::io::{self, Write};

use super::{push_display_text, push_single_line, push_timed_block, write_cues, DisplayOptions};
use crate::align::Entry;
use crate::timefmt::push_srt_time;

/// Writes an SRT file. SRT has no escaping; text is kept on one line per message.
pub fn write_srt<W: Write>(w: &mut W, entries: &[Entry], opts: &DisplayOptions) -> io::Result<()> {
    let line = |e: &Entry, out: &mut String, _: &mut String| {
        let name = opts.display_name(e);
        if !name.is_empty() {
            push_single_line(name, out);
            out.push_str(": ");
        }
        push_display_text(e, out);
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
}
