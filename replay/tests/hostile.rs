//! The hardening audit's hostile inputs (issue 15), as regression tests of the binary.
//! The inputs are committed under `tests/fixtures/` (see its README) or generated here
//! deterministically.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use replay::input::MAX_LISTED_REJECTIONS;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The JSON summary line replay prints on stderr.
fn summary(stderr: &[u8]) -> serde_json::Value {
    let line = stderr
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"{"))
        .unwrap_or_else(|| panic!("no summary in {}", String::from_utf8_lossy(stderr)));
    serde_json::from_slice(line).unwrap()
}

/// Finding 5: 9.7 KB of gzip holding 5 million lines that are not JSON. Replay held
/// every rejected record (1.35 GB); it must keep a bounded number with their location
/// and count the rest by reason, and the counts must reconcile.
#[test]
fn a_gzip_of_millions_of_bad_lines_keeps_a_bounded_number_of_rejections() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let chat = fixture("bad-lines-5m.log.gz");
    let json = tmp.path().join("t.json");
    let run = render_ok(
        &rec,
        &chat,
        &["--allow-bad-records", "--json", s(&json)],
        &[("REPLAY_TIMINGS".to_owned(), "1".to_owned())],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    // Peak memory after parsing, as the CLI reports it (Linux VmHWM, kB).
    let peak_kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("replay: timing: read+parse: "))
        .and_then(|l| l.split("peak memory so far ").nth(1))
        .and_then(|v| v.trim_end_matches(" kB)").trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {stderr}"));
    assert!(peak_kb < 150 * 1024, "peak {peak_kb} kB: {stderr}");
    let v = summary(&run.stderr);
    let rejected = &v["rejected"];
    let total = rejected["total"].as_u64().unwrap_or_else(|| panic!("{v}"));
    let listed = rejected["listed"].as_u64().unwrap();
    let by_reason: u64 = rejected["by_reason"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_reason, total, "{v}");
    // The first records with their location, and the end of the input.
    assert_eq!(listed as usize, MAX_LISTED_REJECTIONS + 1, "{v}");
    assert!(total > 100_000, "{v}");
    // The gzip stream is over the decompression ratio limit: it stops, and says so.
    assert_eq!(rejected["by_reason"]["decompression_limit"], 1, "{v}");
    assert_eq!(
        rejected["by_reason"]["invalid_json"].as_u64(),
        Some(total - 1),
        "{v}"
    );
    // Exactly the listed rejections are printed, each with file:line, then the rest
    // counted.
    let printed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("replay: rejected record: "))
        .collect();
    assert_eq!(printed.len() as u64, listed, "{stderr}");
    assert!(
        printed[0].contains("bad-lines-5m.log.gz:1: ") && printed[0].contains("not valid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{} more rejected record(s)", total - listed)),
        "{stderr}"
    );
    assert!(
        stderr.contains("decompressed") && stderr.contains("the rest of the input was not read"),
        "{stderr}"
    );
    // Without --allow-bad-records the run fails and gives the total.
    let err = replay_err(&[
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--json",
        s(&json),
    ]);
    assert!(
        err.contains(&format!("{total} chat record(s) could not be read")),
        "{err}"
    );
}

/// `(start, end, lines)` of every cue of an SRT file.
fn srt_cues(srt: &str) -> Vec<(String, String, Vec<String>)> {
    srt.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|b| {
            let mut lines = b.lines();
            lines.next().expect("cue number");
            let (start, end) = lines.next().unwrap().split_once(" --> ").unwrap();
            (
                start.to_owned(),
                end.to_owned(),
                lines.map(str::to_owned).collect(),
            )
        })
        .collect()
}

/// Finding 8: chat and display names carrying SRT/ASS markup. ffmpeg's SRT decoder
/// (what ffmpeg, mpv and players built on libavcodec use) turns `<font>`, `<b>` ...
/// and `{\an8}` into ASS overrides, passes `\N` and `\h` through, and starts a new cue
/// at any line that looks like a timing line. After decoding, every cue must hold
/// exactly our text: no override, no extra cue.
#[test]
fn srt_chat_cannot_restyle_move_or_add_subtitles_through_ffmpeg() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let srt = tmp.path().join("chat.srt");
    replay_ok(
        &[
            "render",
            "--recording",
            s(&rec),
            "--chat",
            s(&fixture("srt-injection.log")),
            "--latency-ms",
            "0",
            "--max-lines",
            "3",
            "--srt",
            s(&srt),
        ],
        &[],
    );
    let text = std::fs::read_to_string(&srt).unwrap();
    let cues = srt_cues(&text);
    assert!(cues.len() >= 10, "{text}");
    let out = Command::new(tool("ffmpeg", "FFMPEG"))
        .args(["-nostdin", "-loglevel", "error", "-i"])
        .arg(&srt)
        .args(["-f", "ass", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ass = String::from_utf8(out.stdout).unwrap();
    let decoded: Vec<&str> = ass
        .lines()
        .filter_map(|l| l.strip_prefix("Dialogue: "))
        // Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
        .map(|l| l.splitn(10, ',').nth(9).unwrap())
        .collect();
    let expected: Vec<String> = cues.iter().map(|(_, _, l)| l.join("\\N")).collect();
    assert_eq!(decoded, expected, "SRT:\n{text}\nffmpeg:\n{ass}");
    for d in &decoded {
        assert!(!d.contains('{') && !d.contains('<'), "{d}");
        assert!(!d.replace("\\N", "").contains('\\'), "{d}");
    }
    // Every message is there, readable.
    for want in ["BIG", "red", "moved to the top", "injected cue", "Ivy"] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

/// Writes `events/recording-ended.json` (and the fixture's playlists) with `edit`
/// applied to the fixture's metadata.
fn recording_with(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let rec = dir.join("rec");
    write_recording(&rec, PLAYLIST);
    let meta = edit(ended_json(8_504));
    std::fs::write(rec.join("events/recording-ended.json"), meta).unwrap();
    rec
}

/// Finding 11: paths from the recording metadata leave the recording prefix.
#[test]
fn recording_metadata_paths_must_stay_inside_the_recording() {
    let tmp = tempfile::tempdir().unwrap();
    // The audit's file: media.hls.path = "../../../../etc", playlist "passwd".
    let rec = tmp.path().join("rec");
    std::fs::create_dir_all(rec.join("events")).unwrap();
    std::fs::copy(
        fixture("traversal-recording-ended.json"),
        rec.join("events/recording-ended.json"),
    )
    .unwrap();
    let err = replay_err(&["timeline", "--recording", s(&rec)]);
    assert!(
        err.contains("recording-ended.json")
            && err.contains("field `media.hls.path`")
            && err.contains("\"../../../../etc\""),
        "{err}"
    );
    assert!(!err.contains("passwd:"), "{err}");

    // Every field a path is taken from, each with a traversal.
    let cases: [(&str, &str, &str); 7] = [
        (
            "\"path\":\"media/hls\"",
            "\"path\":\"media/../../../../../../etc\"",
            "media.hls.path",
        ),
        (
            "\"path\":\"media/hls\"",
            "\"path\":\"/etc\"",
            "media.hls.path",
        ),
        (
            "\"path\":\"custom-720\"",
            "\"path\":\"../../../../../../../etc\"",
            "media.hls.renditions[0].path",
        ),
        (
            "\"path\":\"custom-720\"",
            "\"path\":\"..\\\\..\\\\etc\"",
            "media.hls.renditions[0].path",
        ),
        (
            "\"path\":\"custom-720\"",
            "\"path\":\"%2e%2e/%2e%2e\"",
            "media.hls.renditions[0].path",
        ),
        (
            "\"pl.m3u8\"",
            "\"../../../../../../../../etc/passwd\"",
            "media.hls.renditions[0].playlist",
        ),
        (
            "\"master.m3u8\"",
            "\"../../../../../../../etc/passwd\"",
            "media.hls.playlist",
        ),
    ];
    for (i, (from, to, field)) in cases.iter().enumerate() {
        let dir = tmp.path().join(format!("case{i}"));
        let rec = recording_with(&dir, |m| {
            assert!(m.contains(from), "{from}");
            m.replacen(from, to, 1)
        });
        let err = replay_err(&["timeline", "--recording", s(&rec)]);
        // The value as the error quotes it (escaped as in JSON, here).
        let value = to.split_once(':').map_or(*to, |(_, v)| v);
        assert!(
            err.contains(&format!("field `{field}`")) && err.contains(value),
            "{field}: {err}"
        );
    }

    // The preview's default video is the multivariant playlist: it must not point
    // outside either, and no page is written.
    let dir = tmp.path().join("preview");
    let rec = recording_with(&dir, |m| {
        m.replace("\"master.m3u8\"", "\"../../../../etc/passwd\"")
    });
    let chat = write_chat(&dir);
    let page = dir.join("page.html");
    let err = replay_err(&[
        "preview",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--allow-bad-records",
        "--out",
        s(&page),
    ]);
    assert!(err.contains("field `media.hls.playlist`"), "{err}");
    assert!(!page.exists());

    // A variant URI in the multivariant playlist (read when the metadata lists no
    // renditions) is held to the same rule.
    let dir = tmp.path().join("variant");
    let rec = recording_with(&dir, |m| {
        let start = m.find(",\n\"renditions\"").unwrap();
        let end = m.find("]}").unwrap() + 1;
        format!("{}{}", &m[..start], &m[end..])
    });
    std::fs::write(
        rec.join("media/hls/master.m3u8"),
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280x720\n../../../../../../etc/passwd\n",
    )
    .unwrap();
    let err = replay_err(&["timeline", "--recording", s(&rec)]);
    assert!(
        err.contains("master.m3u8:3:") && err.contains("\"../../../../../../etc/passwd\""),
        "{err}"
    );
}

/// Finding 12 (replay part): outputs were written in place. A failed write must leave
/// the previous file as it was and no temporary behind; a successful one replaces it.
#[test]
fn a_failed_write_keeps_the_previous_output_and_leaves_no_temporary() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let mut chat = String::new();
    for i in 0..3_000 {
        let at = format!("2023-01-05T14:00:0{}.{:03}Z", i / 1000, i % 1000);
        chat.push_str(&message(&format!("m{i:011}"), &at, "u1", "some chat text"));
        chat.push('\n');
    }
    let chat_file = tmp.path().join("chat.log");
    std::fs::write(&chat_file, chat).unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let vtt = out.join("chat.vtt");
    std::fs::write(&vtt, "previous run\n").unwrap();
    let args = [
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat_file),
        "--latency-ms",
        "0",
        "--vtt",
        s(&vtt),
    ];
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // Files may grow to 8 KB only (the VTT is far larger): the write fails with EFBIG.
    let run = Command::new("bash")
        .args(["-c", "trap '' XFSZ; ulimit -f 8; exec \"$@\"", "replay"])
        .arg(env!("CARGO_BIN_EXE_replay"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(stderr.contains("chat.vtt"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&vtt).unwrap(), "previous run\n");
    assert_eq!(listing(), ["chat.vtt"]);
    // Without the limit the file is replaced whole.
    replay_ok(&args, &[]);
    let written = std::fs::read_to_string(&vtt).unwrap();
    assert!(
        written.starts_with("WEBVTT\n") && written.len() > 64 << 10,
        "{}",
        written.len()
    );
    assert_eq!(listing(), ["chat.vtt"]);
}
