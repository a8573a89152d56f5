//! WebVTT (usable as a `<track kind="subtitles">`): one cue per layout change, each
//! line `<v Name>text</v>`, oldest message on top.

use std::io::{self, Write};

use super::{push_display_text, push_single_line, push_timed_block, write_cues, DisplayOptions};
use crate::align::Entry;
use crate::timefmt::push_vtt_time;

/// Escapes text for a WebVTT cue payload or voice annotation.
pub fn escape(s: &str, out: &mut String) {
    let mut done = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => continue,
        };
        // ASCII bytes are always character boundaries.
        out.push_str(&s[done..i]);
        out.push_str(with);
        done = i + 1;
    }
    out.push_str(&s[done..]);
}

/// Writes a WebVTT file.
pub fn write_vtt<W: Write>(w: &mut W, entries: &[Entry], opts: &DisplayOptions) -> io::Result<()> {
    let line = |e: &Entry, out: &mut String, scratch: &mut String| {
        let name = opts.display_name(e);
        scratch.clear();
        push_display_text(e, scratch);
        if name.is_empty() {
            escape(scratch, out);
        } else {
            out.push_str("<v ");
            let text_len = scratch.len();
            push_single_line(name, scratch);
            escape(&scratch[text_len..], out);
            out.push('>');
            escape(&scratch[..text_len], out);
            out.push_str("</v>");
        }
    };
    write_cues(w, entries, opts, "WEBVTT\n\n", line, |buf, _, c, lines| {
        push_timed_block(buf, c, lines, push_vtt_time);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::entry;

    #[test]
    fn writes_cues_with_voice_spans_and_escapes() {
        let mut e = vec![entry(1000, "a<b>&c"), entry(2500, "two\nlines")];
        e[1].record.sender_attributes = Default::default();
        let opts = DisplayOptions {
            on_screen_ms: 3000,
            max_lines: 2,
            ..DisplayOptions::default()
        };
        let mut out = Vec::new();
        write_vtt(&mut out, &e, &opts).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "WEBVTT\n\n\
             00:00:01.000 --> 00:00:02.500\n<v Ann>a&lt;b&gt;&amp;c</v>\n\n\
             00:00:02.500 --> 00:00:04.000\n<v Ann>a&lt;b&gt;&amp;c</v>\n<v u1>two lines</v>\n\n\
             00:00:04.000 --> 00:00:05.500\n<v u1>two lines</v>\n\n"
        );
        let clipped = DisplayOptions {
            clip_to_ms: Some(2_500),
            ..opts
        };
        let mut out = Vec::new();
        write_vtt(&mut out, &e, &clipped).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<v Ann>a&lt;b&gt;&amp;c</v>\n\n"
        );
    }
}
