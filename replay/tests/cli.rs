//! End-to-end runs of the `replay` binary on a local recording prefix.

mod common;

use common::*;

fn read_json(p: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn renders_all_formats_aligned_to_the_millisecond() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let chat = write_chat(tmp.path());
    let out = tmp.path().join("out");
    let o = |name: &str| out.join(name).to_str().unwrap().to_owned();
    let (json, vtt, srt, ass, chunks) =
        (o("t.json"), o("t.vtt"), o("t.srt"), o("t.ass"), o("chunks"));
    let run = render_ok(
        &rec,
        &chat,
        &[
            "--latency-ms",
            "0",
            "--json",
            &json,
            "--vtt",
            &vtt,
            "--srt",
            &srt,
            "--ass",
            &ass,
            "--chunks",
            &chunks,
            "--chunk-seconds",
            "5",
            "--max-lines",
            "2",
            "--on-screen-ms",
            "4000",
        ],
        &[],
    );
    let summary: serde_json::Value = serde_json::from_slice(
        run.stderr
            .split(|&b| b == b'\n')
            .find(|l| l.starts_with(b"{"))
            .unwrap(),
    )
    .unwrap();
    let stats = &summary["alignment"];
    assert_eq!(summary["timeline"]["source"], "playlist");
    assert!(summary["timeline"]["playlist"]
        .as_str()
        .unwrap()
        .ends_with("media/hls/custom-720/pl.m3u8"));
    assert_eq!(summary["timeline"]["gaps"], 1);
    assert_eq!(
        (
            stats["input"].as_u64(),
            stats["duplicates"].as_u64(),
            stats["deleted_removed"].as_u64(),
            stats["gap_dropped"].as_u64()
        ),
        (Some(11), Some(1), Some(1), Some(1))
    );
    assert_eq!(
        (
            stats["before_start"].as_u64(),
            stats["after_end"].as_u64(),
            stats["events_filtered"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );

    let track = read_json(std::path::Path::new(&json));
    assert_eq!(track["duration_ms"], 8_504);
    let got = offsets(&track);
    let want = [
        ("mA0000000001", 1_234),
        ("mBot00000001", 1_500),
        ("mB0000000001", 3_000),
        ("mC0000000001", 5_503),
    ];
    assert_eq!(got, want.map(|(i, o)| (i.to_owned(), o)));
    let a = &track["entries"][0];
    assert_eq!(a["send_time"], "2023-01-05T14:00:01.234567891Z");
    assert_eq!(a["sender"]["display_name"], "u1-name");
    assert_eq!(a["content"], "hello <world> & all");
    assert_eq!(track["entries"][2]["sender"]["display_name"], "Five");

    let vtt = std::fs::read_to_string(&vtt).unwrap();
    assert!(vtt.starts_with("WEBVTT\n\n00:00:01.234 --> 00:00:01.500\n<v u1-name>hello &lt;world&gt; &amp; all</v>\n\n"), "{vtt}");
    // max 2 lines: when mB arrives at 3.000, mA scrolls off.
    assert!(vtt.contains("00:00:03.000 --> 00:00:05.500\n<v bot-name>beep</v>\n<v Five>from parquet land</v>\n\n"), "{vtt}");
    let srt = std::fs::read_to_string(&srt).unwrap();
    assert!(
        // SRT has no escapes: markup characters become look-alikes (see hostile.rs).
        srt.starts_with("1\n00:00:01,234 --> 00:00:01,500\nu1-name: hello ‹world› & all\n\n2\n"),
        "{srt}"
    );
    let ass = std::fs::read_to_string(&ass).unwrap();
    assert!(ass.contains("\nDialogue: 0,0:00:07.00,0:00:08.50,Chat,,0,0,0,,{\\b1}u2-name:{\\b0} right before seg3\n"), "{ass}");

    let index = read_json(&out.join("chunks/index.json"));
    let files: Vec<&str> = index["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["chunk-000000.json", "chunk-000001.json"]);
    let c1 = read_json(&out.join("chunks/chunk-000001.json"));
    assert_eq!(offsets(&c1), [("mC0000000001".to_owned(), 5_503)]);
}

#[test]
fn options_pin_gaps_mark_deletes_filter_senders_and_shift_latency() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let chat = write_chat(tmp.path());
    let json = tmp.path().join("t.json");
    render_ok(
        &rec,
        &chat,
        &[
            "--latency-ms",
            "0",
            "--gap",
            "pin",
            "--deleted",
            "mark",
            "--include-disconnects",
            "--exclude-sender-attr",
            "role=bot",
            "--room",
            "abc123",
            "--json",
            s(&json),
        ],
        &[],
    );
    let track = read_json(&json);
    let got = offsets(&track);
    let want = [
        ("mA0000000001", 1_234),
        ("mDel00000001", 2_000),
        ("mB0000000001", 3_000),
        ("mGap00000001", 4_004),
        ("mC0000000001", 5_503),
        ("eDc000000001", 6_004),
    ];
    assert_eq!(got, want.map(|(i, o)| (i.to_owned(), o)));
    assert_eq!(track["entries"][1]["deleted"], true);
    assert_eq!(track["entries"][1]["delete_reason"], "Spam");
    assert_eq!(track["entries"][3]["pinned_to_gap"], true);
    assert_eq!(track["entries"][5]["target_user_id"], "u4");

    // Default latency (3 s): early chat pins to 0 in send order, chat shifted into the
    // gap is dropped, and a message sent 0.5 s after the end reacts to 14:10:02 (6004).
    render_ok(&rec, &chat, &["--json", s(&json)], &[]);
    let got = offsets(&read_json(&json));
    let want = [
        ("mA0000000001", 0),
        ("mBot00000001", 0),
        ("mB0000000001", 0),
        ("mLate0000001", 6_004),
    ];
    assert_eq!(got, want.map(|(i, o)| (i.to_owned(), o)));
}

#[test]
fn metadata_and_start_fallbacks() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = tmp.path().join("rec");
    write_recording(
        &rec,
        "#EXTM3U\n#EXTINF:4.0,\na.ts\n#EXTINF:4.504,\nb.ts\n#EXT-X-ENDLIST\n",
    );
    let chat = write_chat(tmp.path());
    let json = tmp.path().join("t.json");
    // auto: the playlist has no PDT -> recording_started_at (13:59:58) + duration_ms, with a warning.
    let run = render_ok(&rec, &chat, &["--latency-ms", "0", "--json", s(&json)], &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("warning")
            && stderr.contains("PROGRAM-DATE-TIME")
            && stderr.contains("falling back"),
        "{stderr}"
    );
    let got = offsets(&read_json(&json));
    assert_eq!(got[0], ("mA0000000001".to_owned(), 3_234));
    // strict playlist mode: a clear error.
    let err = replay_err(&[
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--timeline",
        "playlist",
        "--json",
        s(&json),
    ]);
    assert!(
        err.contains("pl.m3u8") && err.contains("PROGRAM-DATE-TIME"),
        "{err}"
    );
    // explicit start, no recording at all.
    replay_ok(
        &[
            "render",
            "--start",
            "2023-01-05T14:00:01Z",
            "--chat",
            s(&chat),
            "--latency-ms",
            "0",
            "--json",
            s(&json),
        ],
        &[],
    );
    let got = offsets(&read_json(&json));
    assert_eq!(got[0], ("mA0000000001".to_owned(), 234));
    assert!(got
        .iter()
        .any(|(id, o)| id == "mC0000000001" && *o == 600_499));
}

#[test]
fn bad_inputs_get_clear_errors_not_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let chat = write_chat(tmp.path());
    let json = tmp.path().join("t.json");
    let json = s(&json);

    // Missing recording metadata.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let err = replay_err(&[
        "render",
        "--recording",
        s(&empty),
        "--chat",
        s(&chat),
        "--json",
        json,
    ]);
    assert!(
        err.contains("recording-ended.json") && err.contains("not found"),
        "{err}"
    );

    // Invalid recording metadata.
    let rec = recording(tmp.path());
    std::fs::write(
        rec.join("events/recording-ended.json"),
        "{\"version\": \"v1\", ",
    )
    .unwrap();
    let err = replay_err(&[
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--json",
        json,
    ]);
    assert!(
        err.contains("recording-ended.json:1:") && err.contains("invalid JSON"),
        "{err}"
    );
    std::fs::write(
        rec.join("events/recording-ended.json"),
        ended_json(8_504).replace("\"media/hls\"", "7"),
    )
    .unwrap();
    let err = replay_err(&[
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--json",
        json,
    ]);
    assert!(err.contains("media.hls.path"), "{err}");

    // Missing and malformed playlists.
    std::fs::write(rec.join("events/recording-ended.json"), ended_json(8_504)).unwrap();
    let err = replay_err(&[
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--rendition",
        "low",
        "--timeline",
        "playlist",
        "--json",
        json,
    ]);
    assert!(
        err.contains("media/hls/low/pl.m3u8") && err.contains("not found"),
        "{err}"
    );
    std::fs::write(
        rec.join("media/hls").join(RENDITION).join("pl.m3u8"),
        "#EXTM3U\n#EXTINF:two,\na.ts\n",
    )
    .unwrap();
    let err = replay_err(&[
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--json",
        json,
    ]);
    assert!(err.contains("pl.m3u8:2:") && err.contains("two"), "{err}");

    // A broken chat line: reported with file and line; nothing written unless allowed,
    // and then the good records are all kept.
    std::fs::write(
        rec.join("media/hls").join(RENDITION).join("pl.m3u8"),
        PLAYLIST,
    )
    .unwrap();
    let bad = chat.join("zz-bad.log");
    std::fs::write(
        &bad,
        format!(
            "{}\n{{\"type\":\"MESSAGE\"\n",
            message("mZ0000000001", "2023-01-05T14:00:02.5Z", "u9", "ok")
        ),
    )
    .unwrap();
    let err = replay_err(&[
        "render",
        "--recording",
        s(&rec),
        "--chat",
        s(&chat),
        "--json",
        json,
    ]);
    assert!(
        err.contains("zz-bad.log:2:") && err.contains("--allow-bad-records"),
        "{err}"
    );
    render_ok(
        &rec,
        &chat,
        &["--latency-ms", "0", "--allow-bad-records", "--json", json],
        &[],
    );
    let got = offsets(&read_json(std::path::Path::new(json)));
    assert!(
        got.contains(&("mZ0000000001".to_owned(), 2_500)) && got.len() == 5,
        "{got:?}"
    );

    // Usage errors.
    let err = replay_err(&["render", "--recording", s(&rec), "--chat", s(&chat)]);
    assert!(err.contains("--json"), "{err}");
    let err = replay_err(&["render", "--chat", s(&chat), "--json", json]);
    assert!(err.contains("--recording or --start"), "{err}");
    let err = replay_err(&[
        "render",
        "--start",
        "noon",
        "--chat",
        s(&chat),
        "--json",
        json,
    ]);
    assert!(err.contains("RFC 3339"), "{err}");
}

#[test]
fn timeline_command_reports_gaps() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let run = replay_ok(&["timeline", "--recording", s(&rec)], &[]);
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v["timeline"]["duration_ms"], 8_504);
    assert_eq!(v["gaps"][0]["resumes_at_ms"], 4_004);
    assert_eq!(v["segments"], 4);
}

#[test]
fn a_large_plain_file_cut_into_ranges_gives_what_its_gzip_stream_gives() {
    // Over 16 MB, so a plain file is cut into byte ranges parsed by separate threads
    // (on a machine with two cores or more); its gzip copy is one stream.
    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 17 << 20 {
        let ms = i % 4_000;
        let at = format!("2023-01-05T14:00:{:02}.{:03}Z", 3 + ms / 1000, ms % 1000);
        text.push_str(&message(
            &format!("m{i:09}"),
            &at,
            &format!("u{}", i % 50),
            "hello there",
        ));
        text.push('\n');
        // Bad lines at known places, in every range.
        if i % 20_011 == 7 {
            text.push_str("{not json\n");
        }
        i += 1;
    }
    let plain = tmp.path().join("big.log");
    std::fs::write(&plain, &text).unwrap();
    let gz = tmp.path().join("big.log.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let run = |chat: &std::path::Path, out: &str| {
        let vtt = tmp.path().join(format!("{out}.vtt"));
        let json = tmp.path().join(format!("{out}.json"));
        let (vtt_s, json_s) = (vtt.to_str().unwrap(), json.to_str().unwrap());
        let args = [
            "render",
            "--recording",
            s(&rec),
            "--chat",
            s(chat),
            "--latency-ms",
            "0",
        ];
        let run = replay_ok(
            &[
                &args[..],
                &["--allow-bad-records", "--vtt", vtt_s, "--json", json_s],
            ]
            .concat(),
            &[],
        );
        let stderr = String::from_utf8_lossy(&run.stderr).replace(s(chat), "CHAT");
        (
            std::fs::read(vtt).unwrap(),
            std::fs::read(json).unwrap(),
            stderr,
        )
    };
    let (vtt, json, stderr) = run(&plain, "plain");
    let (vtt_gz, json_gz, stderr_gz) = run(&gz, "gz");
    assert!(vtt == vtt_gz && json == json_gz, "outputs differ");
    assert_eq!(stderr, stderr_gz);
    // The rejected lines carry their line numbers in the whole file.
    let bad: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("{not"))
        .map(|(n, _)| n + 1)
        .collect();
    assert!(bad.len() >= 3, "{bad:?}");
    for n in &bad {
        assert!(
            stderr.contains(&format!("CHAT:{n}: ")),
            "line {n}: {stderr}"
        );
    }
    assert!(stderr.contains(&format!("\"input\":{i}")), "{stderr}");
}
