//! Advanced SubStation Alpha (ASS): a bottom-left chat box, one `Dialogue` per layout
//! change, messages joined with `\N`, oldest on top.
//!
//! ASS times have centisecond precision: cue bounds are truncated to 10 ms and cues
//! that become empty are skipped. Text escaping: `{`/`}` would open override blocks and
//! `\` starts commands, so they are replaced by the look-alikes `⦃`, `⦄` and `∖`
//! (see `lookalike.rs`, shared with SRT).

use std::io::{self, Write};

use super::{lookalike, push_named_line, write_cues, DisplayOptions};
use crate::align::Entry;
use crate::timefmt::push_ass_time;

const HEADER: &str = "[Script Info]\n\
ScriptType: v4.00+\n\
PlayResX: 1280\n\
PlayResY: 720\n\
WrapStyle: 2\n\
ScaledBorderAndShadow: yes\n\
\n\
[V4+ Styles]\n\
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n\
Style: Chat,Sans,28,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,0,1,24,24,24,1\n\
\n\
[Events]\n\
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n";

/// Escapes ASS override characters.
pub fn escape(s: &str, out: &mut String) {
    lookalike::push_ass(s, out);
}

/// Writes an ASS file.
pub fn write_ass<W: Write>(w: &mut W, entries: &[Entry], opts: &DisplayOptions) -> io::Result<()> {
    let line = |e: &Entry, out: &mut String, scratch: &mut String| {
        push_named_line(opts, e, ["{\\b1}", ":{\\b0} "], escape, out, scratch);
    };
    write_cues(w, entries, opts, HEADER, line, |buf, _, c, lines| {
        if c.start_ms / 10 == c.end_ms / 10 {
            return;
        }
        buf.push_str("Dialogue: 0,");
        push_ass_time(buf, c.start_ms);
        buf.push(',');
        push_ass_time(buf, c.end_ms);
        buf.push_str(",Chat,,0,0,0,,");
        for (i, l) in lines.enumerate() {
            if i > 0 {
                buf.push_str("\\N");
            }
            buf.push_str(l);
        }
        buf.push('\n');
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::entry;

    #[test]
    fn writes_dialogues_with_escapes() {
        let e = vec![
            entry(1_000, "{\\b1}x"),
            entry(1_004, "y"),
            entry(2_000, "z"),
        ];
        let opts = DisplayOptions {
            on_screen_ms: 500,
            max_lines: 3,
            ..DisplayOptions::default()
        };
        let mut out = Vec::new();
        write_ass(&mut out, &e, &opts).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("[Script Info]\n"));
        let events: Vec<&str> = s.lines().filter(|l| l.starts_with("Dialogue:")).collect();
        assert_eq!(
            events,
            [
                // 1.000..1.004 truncates to an empty cue and is skipped.
                "Dialogue: 0,0:00:01.00,0:00:01.50,Chat,,0,0,0,,{\\b1}Ann:{\\b0} ⦃∖b1⦄x\\N{\\b1}Ann:{\\b0} y",
                "Dialogue: 0,0:00:02.00,0:00:02.50,Chat,,0,0,0,,{\\b1}Ann:{\\b0} z",
            ]
        );
    }
}
