//! End to end: the built `review-handler` binary runs its real `lambda_runtime` loop
//! under `cargo lambda watch` and is invoked over HTTP with IVS review requests.

use serde_json::{json, Value};
use test_support::LocalLambda;

const BIN: &str = env!("CARGO_BIN_EXE_review-handler");
const ROOM: &str = "arn:aws:ivschat:us-west-2:123456789012:room/abc123DEF456";

fn request(content: &str, user: &str) -> Value {
    json!({
        "Content": content,
        "MessageId": "WhO6MW6iRdS5",
        "RoomArn": ROOM,
        "Attributes": {"username": "gleningp"},
        "Sender": {"UserId": user, "Ip": "203.0.113.9", "Attributes": {"displayName": "Glen", "role": "viewer"}}
    })
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Output lines of the function that parse as JSON.
fn json_lines(lambda: &LocalLambda) -> Vec<Value> {
    lambda
        .function_output()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn assert_ivs_shape(r: &Value) {
    let result = r["ReviewResult"].as_str().unwrap_or_default();
    assert!(
        result == "ALLOW" || result == "DENY",
        "bad ReviewResult in {r}"
    );
    let content = r["Content"]
        .as_str()
        .unwrap_or_else(|| panic!("Content missing in {r}"));
    if result == "ALLOW" {
        assert!(
            (1..=500).contains(&content.chars().count()),
            "bad Content length in {r}"
        );
    }
    if let Some(attrs) = r.get("Attributes").and_then(Value::as_object) {
        let size: usize = attrs
            .iter()
            .map(|(k, v)| k.len() + v.as_str().map_or(1024, str::len))
            .sum();
        assert!(size <= 1024, "Attributes too big in {r}");
    }
}

#[test]
fn bundled_pack_over_the_runtime_api() {
    let lambda =
        LocalLambda::start(BIN, &[]).expect("start review-handler under cargo lambda watch");

    let allow = lambda
        .invoke(&request("good game everyone, see you tomorrow", "u-1"))
        .unwrap();
    assert_ivs_shape(&allow);
    assert_eq!(allow["ReviewResult"], "ALLOW");
    assert_eq!(allow["Content"], "good game everyone, see you tomorrow");
    assert!(
        allow["Attributes"].get("moderation_rules").is_none(),
        "decision attributes are off by default"
    );

    let deny = lambda
        .invoke(&request("nobody likes you, kys", "u-2"))
        .unwrap();
    assert_ivs_shape(&deny);
    assert_eq!(deny["ReviewResult"], "DENY");
    let reason = deny["Attributes"]["Reason"].as_str().unwrap();
    assert!(
        !reason.contains("kys"),
        "the reason must not leak the term: {reason}"
    );

    let masked = lambda
        .invoke(&request("what the fuck was that", "u-3"))
        .unwrap();
    assert_ivs_shape(&masked);
    assert_eq!(masked["ReviewResult"], "ALLOW");
    let content = masked["Content"].as_str().unwrap();
    assert!(
        content.starts_with("what the ") && content.ends_with(" was that"),
        "{content}"
    );
    assert!(!content.contains("fuck"), "{content}");
    assert_eq!(
        content.chars().count(),
        "what the fuck was that".chars().count()
    );

    let nulls = json!({"Content": "hello", "MessageId": "m2", "RoomArn": ROOM, "Attributes": null,
                       "Sender": {"UserId": "u-4", "Ip": "203.0.113.10", "Attributes": null}});
    let r = lambda.invoke(&nulls).unwrap();
    assert_ivs_shape(&r);
    assert_eq!(r["ReviewResult"], "ALLOW");
    assert_eq!(r["Content"], "hello");

    // Malformed requests: the pack's fail decision, never an error or invalid response.
    for bad in [
        json!({"MessageId": "no content"}),
        json!({"Content": 42}),
        json!([1, 2, 3]),
        json!(null),
    ] {
        let r = lambda
            .invoke(&bad)
            .unwrap_or_else(|e| panic!("{bad} -> {e}"));
        assert_ivs_shape(&r);
    }
    let (status, body) = lambda
        .invoke_raw(br#"{"MessageId":"x","Sender":{"UserId":7}}"#)
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_ivs_shape(&serde_json::from_slice(&body).unwrap());

    // One audit line per decision, plus EMF metric lines.
    let lines = json_lines(&lambda);
    let audits: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "decision").collect();
    assert_eq!(
        audits.len(),
        9,
        "one audit line per invocation:\n{}",
        lambda.function_output()
    );
    assert!(audits
        .iter()
        .any(|a| a["rules"] == json!(["self-harm"]) && a["user_id"] == "u-2"));
    assert!(audits
        .iter()
        .any(|a| a["outcome"] == "malformed" && a["action"] == "fail"));
    assert!(audits
        .iter()
        .all(|a| a["room"] == "abc123DEF456" || a["outcome"] == "malformed"));
    let emf: Vec<&Value> = lines.iter().filter(|l| l.get("_aws").is_some()).collect();
    assert!(emf
        .iter()
        .any(|m| m["Action"] == "deny" && m["Decisions"] == 1 && m["Room"] == "abc123DEF456"));
    assert!(emf
        .iter()
        .any(|m| m["Rule"] == "profanity" && m["RuleFired"] == 1));
    assert_eq!(emf.iter().filter(|m| m["FailDecisions"] == 1).count(), 5);
}

#[test]
fn file_pack_with_decision_attributes_and_hashed_identities() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(
        &pack,
        r#"
version = 1
name = "fruit"

[settings]
fail = "deny"
fail_reason = "Try again later."

[[rules]]
id = "no-durian"
kind = "keywords"
action = "deny"
reason = "No durian talk."
terms = ["durian"]

[[rules]]
id = "soft-apple"
kind = "keywords"
action = "mask"
terms = ["apple"]

[[rules]]
id = "watch-kiwi"
kind = "keywords"
action = "deny"
shadow = true
terms = ["kiwi"]
"#,
    )
    .unwrap();
    let source = pack.display().to_string();
    let lambda = LocalLambda::start(
        BIN,
        &env(&[
            ("RULES_SOURCE", &source),
            ("DECISION_ATTRIBUTES", "true"),
            ("HASH_IDENTITIES", "true"),
            ("HASH_KEY", "an e2e test key of at least 32 bytes"),
        ]),
    )
    .unwrap();

    let r = lambda
        .invoke(&request("I love durian", "secret-user"))
        .unwrap();
    assert_ivs_shape(&r);
    assert_eq!(r["ReviewResult"], "DENY");
    assert_eq!(r["Attributes"]["Reason"], "No durian talk.");

    let r = lambda
        .invoke(&request("an apple and a kiwi", "secret-user"))
        .unwrap();
    assert_ivs_shape(&r);
    assert_eq!(r["ReviewResult"], "ALLOW");
    assert_eq!(r["Content"], "an ***** and a kiwi");
    // Shadow rules are reported in the log, never to the sender.
    assert_eq!(r["Attributes"]["moderation_rules"], "soft-apple");

    // This pack's fail mode is deny.
    let r = lambda
        .invoke(&json!({"Sender": {"UserId": "secret-user"}}))
        .unwrap();
    assert_eq!(r["ReviewResult"], "DENY");
    assert_eq!(r["Attributes"]["Reason"], "Try again later.");

    let output = lambda.function_output();
    assert!(
        !output.contains("secret-user") && !output.contains("203.0.113.9"),
        "identities must be hashed:\n{output}"
    );
    let lines = json_lines(&lambda);
    let kiwi = lines
        .iter()
        .find(|l| l["kind"] == "decision" && l["rules"] == json!(["soft-apple"]))
        .unwrap();
    assert_eq!(kiwi["shadow_rules"], json!(["watch-kiwi"]));
    assert!(kiwi["user_id"]
        .as_str()
        .unwrap()
        .starts_with("hmac-sha256:"));
    assert_eq!(
        kiwi["pack"].as_str().map(|p| p.starts_with("fruit")),
        Some(true),
        "{kiwi}"
    );
}

#[test]
fn a_broken_pack_file_stops_the_function_at_init() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("broken.toml");
    let src = "version = 1\n[[rules]]\nid = \"x\"\nkind = \"regex\"\naction = \"deny\"\npatterns = [\"(\"]\n";
    std::fs::write(&pack, src).unwrap();
    // Init fails before the runtime loop starts, so no Runtime API is needed: Lambda
    // reports the init error, IVS applies the room's FallbackResult and the alarm fires.
    let out = std::process::Command::new(BIN)
        .env("RULES_SOURCE", &pack)
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.toml:6:"),
        "the init error names file and line:\n{stderr}"
    );
    assert!(stderr.contains("rule `x`"), "and the rule:\n{stderr}");
}
