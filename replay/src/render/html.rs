//! A self-contained HTML preview: a `<video>` and a chat panel that follows the
//! playhead. The JSON track is embedded in the page; nothing is fetched but the video.
//!
//! Video: MP4/WebM (any file the browser plays) go straight to `<video src>`. HLS
//! (`.m3u8`) plays natively where the browser supports it (Safari, iOS, recent
//! Chrome/Edge); elsewhere the page uses hls.js **if** it was inlined with `--hls-js
//! <hls.min.js>` (install it with `npm install hls.js`), and otherwise shows a note.
//! hls.js is not vendored in this repository (≈400 KB of third-party code) and cannot
//! come from a CDN at runtime.
//!
//! Testing hooks: `#t=<seconds>` in the URL seeks there once metadata is loaded, `#play`
//! (or `#t=2&play`) starts playback (muted, so autoplay is allowed); the
//! `<body>` carries `data-video-ready`, `data-current-ms` and `data-shown` (number of
//! entries at or before the playhead) so a headless browser's DOM dump shows the state.

use std::io::{self, Write};

use super::json::write_entries;
use super::DisplayOptions;
use crate::align::Entry;

/// Options of the preview page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviewOptions {
    /// Video URL or path relative to the page.
    pub video_src: String,
    /// Text of hls.js to inline, if any.
    pub hls_js: Option<String>,
    /// Messages kept in the panel (older ones scroll off).
    pub panel_lines: usize,
    /// Page title.
    pub title: String,
}

const STYLE: &str = r#"
body{margin:0;font:14px system-ui,sans-serif;background:#111;color:#eee}
#app{display:flex;height:100vh}
#player{flex:1;display:flex;flex-direction:column;justify-content:center;background:#000}
video{width:100%;max-height:100vh}
#note{padding:8px;background:#530;display:none}
#chat{width:340px;display:flex;flex-direction:column;border-left:1px solid #333}
#clock{padding:6px 10px;color:#aaa;border-bottom:1px solid #333;font-variant-numeric:tabular-nums}
#messages{list-style:none;margin:0;padding:6px 10px;flex:1;overflow:hidden;display:flex;flex-direction:column;justify-content:flex-end}
#messages li{padding:2px 0;word-wrap:break-word}
#messages .name{font-weight:bold;color:#ffd700;margin-right:4px}
#messages .event{color:#9cf;font-style:italic}
#messages .deleted .text{text-decoration:line-through;color:#888}
#messages .at{color:#777;font-size:11px;margin-right:4px}
"#;

const SCRIPT: &str = r#"
(function () {
  "use strict";
  var track = JSON.parse(document.getElementById("track").textContent);
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var entries = track.entries;
  var video = document.getElementById("video");
  var list = document.getElementById("messages");
  var clock = document.getElementById("clock");
  var note = document.getElementById("note");
  var body = document.body;
  var shown = -1;

  function fmt(ms) {
    var s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60);
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return (h ? h + ":" + p(m % 60) : m % 60) + ":" + p(s % 60);
  }
  // Number of entries with offset_ms <= ms (entries are sorted by offset).
  function upperBound(ms) {
    var lo = 0, hi = entries.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (entries[mid].offset_ms <= ms) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  function item(e) {
    var li = document.createElement("li");
    li.dataset.id = e.id;
    li.dataset.offsetMs = e.offset_ms;
    var at = document.createElement("span");
    at.className = "at";
    at.textContent = fmt(e.offset_ms);
    li.appendChild(at);
    if (e.type === "message") {
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = e.sender ? e.sender.display_name : "?";
      li.appendChild(name);
    } else {
      li.className = "event";
    }
    if (e.deleted) li.classList.add("deleted");
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = e.type === "message" ? (e.content || "")
      : (e.event_name === "aws:DISCONNECT_USER" ? "* " + (e.target_user_id || "a user") + " was disconnected"
         : "* " + e.event_name);
    li.appendChild(text);
    return li;
  }
  function render() {
    var ms = Math.floor(video.currentTime * 1000);
    body.dataset.currentMs = ms;
    clock.textContent = fmt(ms) + " \u00b7 " + upperBound(ms) + "/" + entries.length + " messages";
    var n = upperBound(ms);
    if (n === shown) return;
    shown = n;
    body.dataset.shown = n;
    var from = Math.max(0, n - cfg.panel_lines);
    var frag = document.createDocumentFragment();
    for (var i = from; i < n; i++) frag.appendChild(item(entries[i]));
    list.replaceChildren(frag);
  }
  function loop() {
    render();
    if (!video.paused && !video.ended) requestAnimationFrame(loop);
  }
  ["timeupdate", "seeked", "seeking", "pause"].forEach(function (ev) { video.addEventListener(ev, render); });
  video.addEventListener("play", loop);
  video.addEventListener("loadedmetadata", function () {
    body.dataset.videoReady = "1";
    body.dataset.durationMs = Math.round(video.duration * 1000);
    var m = /[#&]t=([0-9.]+)/.exec(location.hash);
    if (m) video.currentTime = parseFloat(m[1]);
    if (/[#&]play\b/.test(location.hash)) video.play();
    render();
  });
  video.addEventListener("error", function () {
    body.dataset.videoError = video.error ? String(video.error.code) : "1";
    note.style.display = "block";
    note.textContent = "The video could not be played: " + cfg.video_src;
  });

  var src = cfg.video_src;
  var isHls = /\.m3u8(\?|#|$)/i.test(src);
  if (isHls && !video.canPlayType("application/vnd.apple.mpegurl")) {
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls();
      hls.loadSource(src);
      hls.attachMedia(video);
    } else {
      note.style.display = "block";
      note.textContent = "This browser cannot play HLS natively. Re-run `replay preview` with " +
        "--hls-js node_modules/hls.js/dist/hls.min.js (npm install hls.js), or pass --video with an MP4.";
    }
  } else {
    video.src = src;
  }
  render();
})();
"#;

/// Makes JSON safe inside `<script>`: `<` only occurs inside JSON strings, where
/// `\u003c` means the same.
fn script_safe(json: &[u8]) -> String {
    String::from_utf8_lossy(json).replace('<', "\\u003c")
}

/// Escapes text for HTML element content.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes the preview page.
pub fn write_preview<W: Write>(
    w: &mut W,
    entries: &[Entry],
    display: &DisplayOptions,
    opts: &PreviewOptions,
) -> io::Result<()> {
    let mut track = Vec::new();
    track.extend_from_slice(b"{");
    write_entries(&mut track, entries, display)?;
    track.extend_from_slice(b"}");
    let config = serde_json::json!({
        "video_src": opts.video_src,
        "panel_lines": opts.panel_lines.max(1),
    });
    write!(
        w,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<div id=\"app\">\n<div id=\"player\"><div id=\"note\"></div>\
         <video id=\"video\" controls muted playsinline preload=\"auto\"></video></div>\n\
         <aside id=\"chat\"><div id=\"clock\"></div><ol id=\"messages\"></ol></aside>\n</div>\n\
         <script type=\"application/json\" id=\"config\">{config}</script>\n\
         <script type=\"application/json\" id=\"track\">{track}</script>\n",
        title = html_escape(&opts.title),
        config = script_safe(config.to_string().as_bytes()),
        track = script_safe(&track),
    )?;
    if let Some(hls) = &opts.hls_js {
        // A script body ends at the first "</script"; break it without changing JS meaning
        // in the places it can legally occur (strings, regexes, comments).
        writeln!(
            w,
            "<script>{}</script>",
            hls.replace("</script", "<\\/script")
        )?;
    }
    write!(w, "<script>{SCRIPT}</script>\n</body>\n</html>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::entry;

    #[test]
    fn page_embeds_track_safely() {
        let e = vec![entry(1000, "</script><b>x")];
        let opts = PreviewOptions {
            video_src: "v.mp4".into(),
            hls_js: None,
            panel_lines: 10,
            title: "<T>".into(),
        };
        let mut out = Vec::new();
        write_preview(&mut out, &e, &DisplayOptions::default(), &opts).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert_eq!(
            page.matches("</script>").count(),
            3,
            "only our own script tags close"
        );
        assert!(page.contains("<title>&lt;T&gt;</title>"));
        let start = page.find("id=\"track\">").unwrap() + "id=\"track\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let v: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(v["entries"][0]["content"], "</script><b>x");
    }
}
