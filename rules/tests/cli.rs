//! The `rules` binary: check, test and eval, run as a child process.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rules"))
}

/// `rules check PACK --words WORDS [--deny-warnings]`, run to completion.
fn check_with_words(pack: &Path, words: &Path, deny_warnings: bool) -> std::process::Output {
    let mut cmd = bin();
    cmd.arg("check").arg(pack).arg("--words").arg(words);
    if deny_warnings {
        cmd.arg("--deny-warnings");
    }
    cmd.output().unwrap()
}

fn example(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("packs/example")
        .join(file)
}

#[test]
fn check_accepts_the_example_pack_and_warns_on_collisions() {
    let dir = tempfile::tempdir().unwrap();
    let words = dir.path().join("words");
    std::fs::write(&words, "assassin\nassess\nhello\n").unwrap();
    let pack = dir.path().join("p.toml");
    std::fs::write(&pack, "[[rules]]\nid = \"p\"\nkind = \"keywords\"\naction = \"mask\"\nterms = [\"ass*\"]\nallow = [\"assassin\"]\n")
        .unwrap();
    let out = check_with_words(&pack, &words, false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("p.toml:2:") && stderr.contains("assess") && !stderr.contains("assassin,"),
        "{stderr}"
    );
    let strict = check_with_words(&pack, &words, true);
    assert!(!strict.status.success());

    let out = check_with_words(&example("pack.toml"), &words, false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_reports_file_line_column_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("bad.toml");
    std::fs::write(&pack, "version = 1\n\n[[rules]]\nid = \"re\"\nkind = \"regex\"\naction = \"deny\"\npatterns = ['(unclosed']\n").unwrap();
    let out = bin().arg("check").arg(&pack).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.toml:7:13 (rule `re`)"), "{stderr}");
}

#[test]
fn test_command_passes_example_cases_and_fails_on_mismatch() {
    let out = bin()
        .arg("test")
        .arg(example("pack.toml"))
        .arg(example("cases.jsonl"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("c.jsonl");
    std::fs::write(&cases, "{\"message\": \"what the fuck\", \"expect\": \"DENY\"}\n{\"message\": \"hi\", \"expect\": \"ALLOW\"}\nnot json\n").unwrap();
    let out = bin()
        .arg("test")
        .arg(example("pack.toml"))
        .arg(&cases)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("c.jsonl:1: expected DENY, got ALLOW"),
        "{stderr}"
    );
    assert!(stderr.contains("c.jsonl:3: bad case"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed, 2 failed"));
}

#[test]
fn eval_answers_one_ivs_response_per_request_line() {
    let input = concat!(
        r#"{"Content":"what the fuck","MessageId":"m1","RoomArn":"arn:aws:ivschat:us-east-1:123456789012:room/x","Attributes":{"a":"b"},"Sender":{"UserId":"u","Ip":"192.0.2.1","Attributes":null}}"#,
        "\n",
        r#"{"Content":"kill yourself","MessageId":"m2","RoomArn":"r","Sender":{"UserId":"u"}}"#,
        "\n",
        "{broken\n",
    );
    let (lines, _) = eval_lines(&example("pack.toml"), input);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        serde_json::json!({"ReviewResult":"ALLOW","Content":"what the ****","Attributes":{"a":"b"}})
    );
    assert_eq!(lines[1]["ReviewResult"], "DENY");
    assert!(lines[1]["Attributes"]["Reason"]
        .as_str()
        .unwrap()
        .contains("harassment"));
    // Unparseable: the fail decision (no content to allow, so DENY).
    assert_eq!(lines[2]["ReviewResult"], "DENY");
}

#[test]
fn eval_rule_ids_flag_forces_the_attribute_like_the_handler() {
    let run = |flag: Option<&str>| {
        let args: Vec<&str> = flag.map_or(Vec::new(), |f| vec!["--rule-ids", f]);
        let input = r#"{"Content":"what the fuck","MessageId":"m1","RoomArn":"r","Attributes":{"a":"b"},"Sender":{"UserId":"u"}}"#;
        let (mut lines, _) = eval_lines_with(&example("pack.toml"), &args, input);
        lines.remove(0)
    };
    let plain = run(None);
    assert_eq!(plain["Attributes"], serde_json::json!({"a": "b"}));
    let exposed = run(Some("true"));
    assert_eq!(exposed["Content"], plain["Content"]);
    assert_eq!(exposed["Attributes"]["a"], "b");
    let ids = exposed["Attributes"]["moderation_rules"].as_str().unwrap();
    assert!(!ids.is_empty() && !ids.contains("(shadow)"), "{ids}");
    assert_eq!(run(Some("false"))["Attributes"], plain["Attributes"]);
}

/// Issue 11: the bundled default pack ships with no unexplained collision against
/// Debian's `wamerican` word list (every hit is allow-listed or the term's mode excludes it).
#[test]
fn bundled_default_pack_has_no_dictionary_collision() {
    let words = PathBuf::from("/usr/share/dict/american-english");
    assert!(
        words.is_file(),
        "{} missing: install Debian's wamerican (scripts/setup.sh does)",
        words.display()
    );
    let pack = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("packs/default.toml");
    let out = check_with_words(&pack, &words, true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("0 warning(s)"), "{stdout}{stderr}");
}

/// `rules eval PACK` on `input`: (stdout lines as JSON, stderr).
fn eval_lines(pack: &Path, input: &str) -> (Vec<serde_json::Value>, String) {
    eval_lines_with(pack, &[], input)
}

/// `rules eval PACK ARGS..` on `input`: (stdout lines as JSON, stderr).
fn eval_lines_with(pack: &Path, args: &[&str], input: &str) -> (Vec<serde_json::Value>, String) {
    let mut child = bin()
        .arg("eval")
        .arg(pack)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn eval_remembers_across_lines_in_request_time_and_rejects_a_bad_time() {
    let line = |time: &str, content: &str| {
        format!(
            r#"{{"Time":{time},"Content":"{content}","RoomArn":"arn:aws:ivschat:us-east-1:1:room/r","Sender":{{"UserId":"u"}}}}"#
        )
    };
    let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
    let mut input: String = words
        .iter()
        .enumerate()
        .map(|(i, w)| line(&format!("\"2026-01-01T00:00:0{i}Z\""), w) + "\n")
        .collect();
    // Epoch ms, 30 s later: the window has passed.
    input.push_str(&(line("1767225630000", "golf") + "\n"));
    input.push_str(&(line("\"yesterday\"", "hotel") + "\n"));
    let (out, stderr) = eval_lines(&example("pack.toml"), &input);
    let results: Vec<&str> = out
        .iter()
        .map(|v| v["ReviewResult"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        ["ALLOW", "ALLOW", "ALLOW", "ALLOW", "ALLOW", "DENY", "ALLOW", "ALLOW"]
    );
    assert_eq!(
        out[5]["Attributes"]["Reason"],
        "Slow down: you can send your next message in 6s."
    );
    // The bad time: line and field named, the fail decision (this pack fails open).
    assert!(stderr.contains("stdin line 8: field `Time`"), "{stderr}");
    assert_eq!(out[7]["Content"], "hotel");
}
