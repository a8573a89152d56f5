//! The audit's hostile inputs (issue 15) and the property every input must satisfy:
//! the handler's response is valid per the IVS contract AND moderated, for several
//! `MAX_MESSAGE_LENGTH` settings.
//!
//! Inputs: every request of `rules/packs/example/cases.jsonl`, every plain string literal
//! of `rules/tests/*.rs` (as a message), and `tests/fixtures/hostile.jsonl`. Packs: the
//! bundled default, the example pack (with its rooms), the example kids pack, and
//! `tests/fixtures/hostile.toml`.
//!
//! "Moderated" is checked against the same pack evaluated without the handler's limit
//! (the reference): a DENY there stays a DENY; an ALLOW's content is a prefix (the
//! clamp) of the reference's rewrite, never the unmoderated original when a rule rewrote
//! it; every enforced tag rule that fired has its tags, with the pack's values; the
//! sender's other attributes are kept unchanged. Fixture lines add their own checks
//! (`forbid`, `deny`, `keep`, `allow`, `attributes`, `secret`; see `hostile.jsonl`'s
//! reader below), written as data so that the code under test is not its own oracle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use review_handler::decide::decide;
use review_handler::handler::output_lines;
use review_handler::source::Loaded;
use review_handler::{Config, State};
use rules::{validate_response, Engine, PackSet, ReviewResponse, ReviewResult};
use serde::Deserialize;
use serde_json::{json, Value};

const ROOM: &str = "arn:aws:ivschat:us-west-2:123456789012:room/abc123DEF456";

/// The handler's `MAX_MESSAGE_LENGTH` settings tried for every input.
const LIMITS: [Option<usize>; 6] = [None, Some(500), Some(200), Some(50), Some(10), Some(1)];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A pack every input is reviewed with.
struct Pack {
    name: &'static str,
    set: PackSet,
    /// Tags of each tag rule, read from the TOML files themselves (not through the
    /// `rules` crate under test).
    tags: BTreeMap<String, BTreeMap<String, String>>,
}

fn pack(name: &'static str, files: &[PathBuf], set: PackSet) -> Pack {
    let mut tags = BTreeMap::new();
    for file in files {
        let doc: toml::Value = toml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let top = doc.get("rules").and_then(toml::Value::as_array).cloned();
        let rooms = doc.get("rooms").and_then(toml::Value::as_array).cloned();
        let room_rules = rooms
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("rules").and_then(toml::Value::as_array).cloned());
        for rule in top.into_iter().chain(room_rules).flatten() {
            if let (Some(id), Some(t)) = (rule.get("id"), rule.get("tags")) {
                let t: BTreeMap<String, String> = t.clone().try_into().unwrap();
                tags.insert(id.as_str().unwrap().to_string(), t);
            }
        }
    }
    Pack { name, set, tags }
}

fn packs() -> Vec<Pack> {
    let example = workspace().join("rules/packs/example");
    let hostile = fixtures().join("hostile.toml");
    vec![
        pack(
            "default",
            &[workspace().join("rules/packs/default.toml")],
            PackSet::bundled_default(),
        ),
        pack(
            "example",
            &[example.join("pack.toml"), example.join("kids.toml")],
            PackSet::load(&example.join("pack.toml")).unwrap(),
        ),
        pack(
            "kids",
            &[example.join("kids.toml")],
            PackSet::load(&example.join("kids.toml")).unwrap(),
        ),
        pack(
            "hostile",
            std::slice::from_ref(&hostile),
            PackSet::load(&hostile).unwrap(),
        ),
    ]
}

/// One line of `hostile.jsonl`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// What the line tries.
    name: String,
    /// The issue 15 finding it reproduces.
    finding: u32,
    /// The raw event, as IVS (or an attacker) sends it.
    event: Value,
    /// Substrings (any case) an ALLOWed `Content` must not contain, in every pack.
    #[serde(default)]
    forbid: Vec<String>,
    /// Packs that must answer DENY.
    #[serde(default)]
    deny: Vec<String>,
    /// Packs that must answer ALLOW.
    #[serde(default)]
    allow: Vec<String>,
    /// Packs that must answer ALLOW with the original content (a correct non-match).
    #[serde(default)]
    keep: Vec<String>,
    /// Per pack: attributes an ALLOW must carry with exactly these values.
    #[serde(default)]
    attributes: BTreeMap<String, BTreeMap<String, String>>,
    /// A string that must not appear in the handler's log lines.
    #[serde(default)]
    secret: Option<String>,
    /// Free text for humans.
    #[serde(default)]
    note: Option<String>,
}

fn hostile_fixtures() -> Vec<Fixture> {
    let path = fixtures().join("hostile.jsonl");
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The requests of the example pack's regression cases (every step of a sequence case).
fn case_events() -> Vec<Value> {
    let path = workspace().join("rules/packs/example/cases.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| {
            let case: Value = serde_json::from_str(l).unwrap();
            let steps = match &case["steps"] {
                Value::Array(steps) => steps.clone(),
                _ => vec![case],
            };
            steps
                .into_iter()
                .map(|step| match (&step["request"], &step["message"]) {
                    (Value::Object(_), _) => step["request"].clone(),
                    (_, Value::String(m)) => json!({"Content": m, "RoomArn": ROOM}),
                    _ => panic!("case without request or message: {l}"),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every plain (non-raw) string literal in `rules/tests/*.rs`, unescaped: the messages
/// those tests review, plus some harmless extras (ids, reasons) that are messages too.
fn rules_test_literals() -> Vec<String> {
    let raw = Regex::new(r##"r#"(?s:.*?)"#|r"[^"]*""##).unwrap();
    let chars = Regex::new(r#"'(?:[^'\\\n]|\\.)'"#).unwrap();
    let plain = Regex::new(r#""((?:[^"\\]|\\(?s:.))*)""#).unwrap();
    let mut out = Vec::new();
    let dir = workspace().join("rules/tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        let src = raw.replace_all(&src, "");
        let src = chars.replace_all(&src, "");
        for c in plain.captures_iter(&src) {
            if let Some(s) = unescape(&c[1]).filter(|s| !s.is_empty()) {
                out.push(s);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Rust string-literal escapes; `None` for one this reader does not know.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'u' => {
                let hex: String = it.by_ref().skip(1).take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            '\n' => {
                while it.peek().is_some_and(|c| c.is_whitespace()) {
                    it.next();
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A handler state for `set` with `config`, built the way the Lambda builds it.
fn state(set: &PackSet, config: Config) -> State {
    let engine = Engine::compile(set).unwrap();
    State::new(
        Loaded {
            engine,
            origin: "test".into(),
            etag: None,
        },
        config,
    )
}

/// Tags of the enforced tag rules that fired, from the pack's own definitions.
fn fired_tags(pack: &Pack, fired: &[rules::FiredRule]) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    for f in fired
        .iter()
        .filter(|f| !f.shadow && f.action == rules::Action::Tag)
    {
        tags.extend(pack.tags.get(&f.id).cloned().unwrap_or_default());
    }
    tags
}

/// Checks one event under one pack and configuration; `Err` says what broke.
fn check(
    pack: &Pack,
    handler: &State,
    reference: &Engine,
    event: &Value,
    fixture: Option<&Fixture>,
) -> Result<(), String> {
    let config = &handler.config;
    let loaded = handler.engines.load();
    let d = decide(&loaded.engine, event, config);
    let r: ReviewResponse = serde_json::from_value(d.response.clone())
        .map_err(|e| format!("not an IVS response ({e}): {}", d.response))?;
    let room = event["RoomArn"].as_str().unwrap_or("");
    let limit = config.max_length(reference.max_length(room));
    validate_response(&r, limit).map_err(|e| format!("invalid for {limit}: {e}: {r:?}"))?;
    if d.result != r.review_result {
        return Err(format!(
            "decision says {} but answers {r:?}",
            d.result.as_str()
        ));
    }
    // The documented bounds (README "Limits").
    let size = d.response.to_string().len();
    if size > 6 * limit + 12 * rules::MAX_ATTRIBUTES_BYTES + 64 {
        return Err(format!("response of {size} bytes for limit {limit}"));
    }
    if let Some(detail) = d.outcome.detail().filter(|t| t.len() > 200) {
        return Err(format!("audit detail of {} bytes: {detail}", detail.len()));
    }
    let allowed = r.review_result == ReviewResult::Allow;
    if let Ok(ev) = reference.review_value(event) {
        let want = &ev.response;
        if want.review_result == ReviewResult::Deny && allowed {
            return Err(format!("the pack denies, the handler allows: {r:?}"));
        }
        if allowed && !want.content.starts_with(&r.content) {
            return Err(format!(
                "ALLOW content is not the pack's (clamped) answer {:?}: {:?}",
                want.content, r.content
            ));
        }
        if allowed {
            let tags = fired_tags(pack, &ev.fired);
            for (k, v) in &tags {
                if r.attributes.get(k) != Some(v) {
                    return Err(format!("tag {k}={v} lost: {:?}", r.attributes));
                }
            }
            let sender = event["Attributes"].as_object().cloned().unwrap_or_default();
            for (k, v) in &sender {
                let reserved = tags.contains_key(k) || k == "moderation_rules";
                if !reserved && r.attributes.get(k).map(|s| json!(s)).as_ref() != Some(v) {
                    return Err(format!("sender attribute {k} changed: {:?}", r.attributes));
                }
            }
        }
    }
    let Some(f) = fixture else { return Ok(()) };
    let content = r.content.to_lowercase();
    for s in &f.forbid {
        if allowed && content.contains(&s.to_lowercase()) {
            return Err(format!("ALLOW keeps {s:?}: {:?}", r.content));
        }
    }
    let named = |list: &[String]| list.iter().any(|p| p == pack.name);
    if named(&f.deny) && allowed {
        return Err(format!("must be denied: {r:?}"));
    }
    // `allow` and `keep` hold for messages the room accepts at all (a longer one is
    // denied as too long, or cut).
    let original = event["Content"].as_str().unwrap_or("");
    let fits = original.chars().count() <= limit;
    if fits && named(&f.allow) && !allowed {
        return Err(format!("must be allowed: {r:?}"));
    }
    if fits && named(&f.keep) && (!allowed || r.content != original) {
        return Err(format!("must be allowed unchanged: {r:?}"));
    }
    if let (true, Some(want)) = (allowed, f.attributes.get(pack.name)) {
        for (k, v) in want {
            if r.attributes.get(k) != Some(v) {
                return Err(format!("attribute {k}={v} missing: {:?}", r.attributes));
            }
        }
    }
    if let Some(secret) = &f.secret {
        let lines = output_lines(&d, &review_handler::store::StoreUse::default(), config, 0);
        if lines.contains(secret.as_str()) {
            return Err(format!("the log carries {secret:?}: {lines}"));
        }
    }
    Ok(())
}

#[test]
fn every_input_gets_a_valid_and_moderated_response() {
    let fixtures = hostile_fixtures();
    let cases = case_events();
    let literals = rules_test_literals();
    // The readers must have found their inputs (a silent empty set proves nothing).
    assert!(fixtures.len() >= 30, "{} fixtures", fixtures.len());
    assert!(cases.len() >= 20, "{} cases", cases.len());
    assert!(literals.len() >= 50, "{} literals", literals.len());
    let mut inputs: Vec<(Value, Option<&Fixture>)> = Vec::new();
    inputs.extend(fixtures.iter().map(|f| (f.event.clone(), Some(f))));
    inputs.extend(cases.into_iter().map(|e| (e, None)));
    inputs.extend(literals.iter().map(|m| {
        (
            json!({"Content": m, "RoomArn": ROOM, "Attributes": {"username": "u"}}),
            None,
        )
    }));
    let mut failures = Vec::new();
    let mut by_source: BTreeMap<String, usize> = BTreeMap::new();
    let mut checked = 0usize;
    for pack in packs() {
        let name = pack.name;
        for expose in [None, Some(true)] {
            let mut reference = Engine::compile(&pack.set).unwrap();
            if let Some(on) = expose {
                reference.set_expose_rule_ids(on);
            }
            for limit in LIMITS {
                let handler = state(
                    &pack.set,
                    Config {
                        max_message_length: limit,
                        decision_attributes: expose,
                        ..Config::default()
                    },
                );
                for (event, fixture) in &inputs {
                    checked += 1;
                    if let Err(e) = check(&pack, &handler, &reference, event, *fixture) {
                        let what = fixture.map_or_else(
                            || event.to_string().chars().take(120).collect(),
                            |f| {
                                let note = f.note.as_deref().unwrap_or("");
                                format!("finding {}: {} {note}", f.finding, f.name)
                            },
                        );
                        let source = fixture.map_or("rules/tests or cases.jsonl".into(), |f| {
                            format!("finding {}", f.finding)
                        });
                        *by_source
                            .entry(format!("{source}, pack {name}"))
                            .or_default() += 1;
                        failures.push(format!(
                            "[pack {name}, MAX_MESSAGE_LENGTH {limit:?}, ids {expose:?}] {what}: {e}"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed ({by_source:?}):\n{}",
        failures.len(),
        failures
            .iter()
            .step_by(failures.len().div_ceil(40).max(1))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The issue's exact reproduction of finding 2, through the handler's own state.
fn finding_2() -> (PackSet, Value) {
    let set = PackSet::load(&fixtures().join("hostile.toml")).unwrap();
    let f = hostile_fixtures()
        .into_iter()
        .find(|f| f.finding == 2)
        .unwrap();
    assert_eq!(f.event["Content"].as_str().unwrap().chars().count(), 185);
    (set, f.event)
}

#[tokio::test]
async fn the_configured_limit_reaches_the_engine() {
    let (set, event) = finding_2();
    let config = Config {
        max_message_length: Some(200),
        ..Config::default()
    };
    let d = state(&set, config).review(event.clone()).await;
    let content = d.response["Content"].as_str().unwrap();
    assert_eq!(d.result, rules::ReviewResult::Allow, "{}", d.response);
    assert_eq!(d.outcome.label(), "evaluated", "{:?}", d.outcome);
    assert!(content.chars().count() <= 200, "{content}");
    assert!(
        content.starts_with("look: [link removed] [link removed]"),
        "{content}"
    );
    assert!(!content.contains(".io"), "a link survived: {content}");
}

#[test]
fn an_invalid_rewrite_is_denied_never_answered_with_the_original() {
    // An engine that was not told the room's limit (a caller that skips configuration)
    // rewrites past it; the final check fails and the answer must not be the original.
    let (set, event) = finding_2();
    let engine = Engine::compile(&set).unwrap();
    let config = Config {
        max_message_length: Some(200),
        ..Config::default()
    };
    let d = decide(&engine, &event, &config);
    assert_eq!(d.outcome.label(), "invalid_response");
    assert_eq!(d.result, rules::ReviewResult::Deny, "{}", d.response);
    assert_ne!(d.response["Content"], event["Content"]);
}

#[test]
fn identity_hashing_requires_a_key() {
    for vars in [
        vec![("HASH_IDENTITIES", "true")],
        vec![("HASH_IDENTITIES", "true"), ("HASH_SALT", "")],
        vec![("HASH_IDENTITIES", "true"), ("HASH_KEY", "too short")],
    ] {
        let err = Config::from_env(vars.iter().copied())
            .err()
            .unwrap_or_else(|| panic!("{vars:?} must not start"));
        assert!(err.to_string().contains("HASH_"), "{err}");
    }
}
