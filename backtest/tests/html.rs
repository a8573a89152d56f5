//! The HTML report in headless Chromium: it opens from disk, renders its charts and
//! tables, runs no script (chat text that looks like markup stays text) and logs no
//! console error. Needs Debian's `chromium`; a missing one fails the test.

mod common;

use common::chat::{chat, write_table};
use common::*;
use log_ingest::sink::Format;
use test_support::chromium::headless;

const PACK: &str = r#"
version = 1
name = "strict"
[[rules]]
id = "no-markup"
kind = "keywords"
action = "deny"
category = "scam_spam"
terms = ["xss"]
match = "substring"
[[rules]]
id = "lexicon"
kind = "lexicon"
action = "mask"
categories = ["profanity", "sexual", "identity_hate", "harassment", "self_harm"]
"#;

fn count(dom: &str, needle: &str) -> usize {
    dom.matches(needle).count()
}

#[test]
fn html_report_renders_charts_and_tables_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut objects) = chat(300, 2, 5 * 3_600_000);
    // Hostile chat: markup that would run if the report did not escape it.
    let hostile = [
        r#"<script>console.error("xss-script")</script>"#,
        r#"<img src=x onerror="console.error('xss-img')">"#,
    ];
    let ts = test_support::ivs::time::rfc3339(
        common::chat::START,
        test_support::ivs::time::Precision::Millis,
    );
    for (i, content) in hostile.iter().enumerate() {
        let line = test_support::ivs::envelope::Message {
            event_timestamp: &ts,
            send_time: &ts,
            id: &format!("hostile{i}"),
            request_id: "",
            content,
            attributes: &serde_json::json!({}),
            sender_user_id: "mallory",
            sender_attributes: &serde_json::json!({ "displayName": "<b>Mallory</b>" }),
        }
        .envelope()
        .to_string();
        objects[0].lines.push(line);
    }
    let table = dir.path().join("t");
    write_table(&table, &objects, Format::Parquet);
    let pack = dir.path().join("strict.toml");
    std::fs::write(&pack, PACK).unwrap();
    let html = dir.path().join("report.html");
    let out = run(
        &rules_backtest(),
        &[
            pack.to_str().unwrap(),
            "--chat",
            table.to_str().unwrap(),
            "--against",
            "bundled",
            "--reveal",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    // No script and nothing fetched: no element or style that loads anything.
    for bad in [
        "<script",
        "<img",
        "<link",
        "<iframe",
        "<object",
        "url(",
        "@import",
        "@font-face",
    ] {
        assert!(!page.contains(bad), "`{bad}` in the page");
    }

    let url = format!("file://{}", html.display());
    let run = headless(
        dir.path(),
        &url,
        &["--dump-dom", "--virtual-time-budget=2000"],
    );
    let console: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let dom = &run.stdout;
    assert_eq!(count(dom, "<script"), 0, "a script element in the DOM");
    assert!(
        dom.contains("&lt;script&gt;console.error(\"xss-script\")"),
        "hostile text not shown as text"
    );
    // The charts: bars in the time chart (5 hours of chat), the top-rules chart.
    let time_chart = &dom[dom.find("<svg id=\"chart-time\"").expect("no time chart")..];
    let time_chart = &time_chart[..time_chart.find("</svg>").unwrap()];
    assert!(count(time_chart, "<rect") >= 5, "{time_chart}");
    assert!(dom.contains("<svg id=\"chart-rules\""));
    // The tables: rules, diff, agreement, samples, rooms, inputs.
    for id in [
        "rules",
        "categories",
        "diff",
        "changes",
        "agreement",
        "samples",
        "rooms",
        "unread",
    ] {
        assert!(
            dom.contains(&format!("<table id=\"{id}\"")),
            "no table #{id}"
        );
    }
    let rules_table = &dom[dom.find("<table id=\"rules\"").unwrap()..];
    let rules_table = &rules_table[..rules_table.find("</table>").unwrap()];
    assert!(
        rules_table.contains("no-markup") && rules_table.contains("lexicon"),
        "{rules_table}"
    );
    assert!(dom.contains("data-messages=\"302\""));

    // The console check can fail: a page that logs is caught.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><html><body><script>console.error('probe-error')</script></body></html>",
    )
    .unwrap();
    let p = headless(
        dir.path(),
        &format!("file://{}", probe.display()),
        &["--dump-dom", "--virtual-time-budget=1000"],
    );
    assert!(
        p.stderr
            .lines()
            .any(|l| l.contains("CONSOLE") && l.contains("probe-error")),
        "{}",
        p.stderr
    );
}
