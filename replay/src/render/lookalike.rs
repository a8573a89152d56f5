//! Chat text made inert in subtitle formats that have no escape syntax (ASS, SRT): the
//! characters a player would read as markup are replaced by characters that look the
//! same and mean nothing.
//!
//! - ASS: `{` and `}` open and close override blocks (`{\pos(0,0)}`), `\` starts a
//!   command (`\N`, `\h`): `⦃`, `⦄`, `∖`.
//! - SRT: players decode it as HTML-ish markup plus ASS. ffmpeg's SRT decoder (and what
//!   is built on it: mpv, ffmpeg burn-in) turns `<b> <i> <u> <s> <font color size
//!   face>` and `<br>` into ASS overrides, drops other tags, keeps the first `{\anN}`
//!   and MicroDVD-style `{c:...}` blocks as overrides, passes `\N` and `\h` through to
//!   ASS, and starts a new cue at any line shaped `00:00:02,000 --> 00:09:00,000`. So
//!   SRT takes the ASS replacements plus `<` and `>` as `‹` and `›` (which also breaks
//!   every `-->`). `&` stays: no SRT decoder reads entities.

/// The ASS look-alike of an ASCII byte, if it needs one.
fn ass(b: u8) -> Option<&'static str> {
    match b {
        b'{' => Some("⦃"),
        b'}' => Some("⦄"),
        b'\\' => Some("∖"),
        _ => None,
    }
}

/// The SRT look-alike of an ASCII byte, if it needs one.
fn srt(b: u8) -> Option<&'static str> {
    match b {
        b'<' => Some("‹"),
        b'>' => Some("›"),
        _ => ass(b),
    }
}

/// Appends `s` with the bytes `lookalike` maps replaced (all of them ASCII, so every
/// replaced byte is a whole character).
fn push_replaced(s: &str, out: &mut String, lookalike: fn(u8) -> Option<&'static str>) {
    let mut done = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(with) = lookalike(b) {
            out.push_str(&s[done..i]);
            out.push_str(with);
            done = i + 1;
        }
    }
    out.push_str(&s[done..]);
}

/// Appends `s` with ASS override characters replaced.
pub(crate) fn push_ass(s: &str, out: &mut String) {
    push_replaced(s, out, ass);
}

/// Appends `s` with SRT (HTML-ish tags, ASS overrides, timing arrows) characters
/// replaced.
pub(crate) fn push_srt(s: &str, out: &mut String) {
    push_replaced(s, out, srt);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_markup_and_keeps_everything_else() {
        let text = r"{\pos(0,0)}<font size=9>é</font> a\Nb & 00:00:02,000 --> 1";
        let mut a = String::new();
        push_ass(text, &mut a);
        assert_eq!(
            a,
            r"⦃∖pos(0,0)⦄<font size=9>é</font> a∖Nb & 00:00:02,000 --> 1"
        );
        let mut s = String::new();
        push_srt(text, &mut s);
        assert_eq!(
            s,
            "⦃∖pos(0,0)⦄‹font size=9›é‹/font› a∖Nb & 00:00:02,000 --› 1"
        );
        let mut plain = String::from("kept: ");
        push_srt("no markup, ünïcode", &mut plain);
        assert_eq!(plain, "kept: no markup, ünïcode");
    }
}
