//! `infra/template.yaml`: passes `cfn-lint`, every function's artifact is a workspace
//! binary built by `cargo lambda build --release --arm64`, IAM has no wildcard actions,
//! and the IVS-facing pieces are wired as the contract requires.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

fn root() -> PathBuf {
    test_support::workspace_root()
}

fn template() -> Value {
    let path = root().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `[[bin]]` name of every workspace member (plus implicit `src/main.rs` bins).
fn workspace_bins() -> BTreeSet<String> {
    let read = |p: &Path| -> toml::Value {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let manifest = read(&root().join("Cargo.toml"));
    let members = manifest["workspace"]["members"]
        .as_array()
        .expect("workspace.members");
    let mut bins = BTreeSet::new();
    for member in members.iter().filter_map(toml::Value::as_str) {
        let dir = root().join(member);
        let crate_manifest = read(&dir.join("Cargo.toml"));
        for bin in crate_manifest
            .get("bin")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = bin.get("name").and_then(toml::Value::as_str) {
                bins.insert(name.to_string());
            }
        }
        let package = crate_manifest["package"]["name"]
            .as_str()
            .unwrap_or_default();
        if dir.join("src/main.rs").is_file() && crate_manifest.get("bin").is_none() {
            bins.insert(package.to_string());
        }
    }
    bins
}

/// Problems with the template's Lambda functions against `bins` (empty = fine).
fn function_problems(template: &Value, bins: &BTreeSet<String>) -> Vec<String> {
    let globals = &template["Globals"]["Function"];
    let mut problems = Vec::new();
    let resources = template["Resources"]
        .as_mapping()
        .cloned()
        .unwrap_or_default();
    let mut functions = 0;
    for (name, resource) in &resources {
        let name = name.as_str().unwrap_or_default();
        let ty = resource["Type"].as_str().unwrap_or_default();
        if ty == "AWS::Lambda::Function" {
            problems.push(format!(
                "{name}: use AWS::Serverless::Function with a CodeUri under target/lambda"
            ));
            continue;
        }
        if ty != "AWS::Serverless::Function" {
            continue;
        }
        functions += 1;
        let props = &resource["Properties"];
        let prop = |key: &str| props.get(key).or_else(|| globals.get(key));
        if prop("Handler").and_then(Value::as_str) != Some("bootstrap") {
            problems.push(format!(
                "{name}: Handler must be `bootstrap` (custom runtime)"
            ));
        }
        if prop("Runtime").and_then(Value::as_str) != Some("provided.al2023") {
            problems.push(format!("{name}: Runtime must be provided.al2023"));
        }
        let arch: Vec<&str> = prop("Architectures")
            .and_then(Value::as_sequence)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if arch != ["arm64"] {
            problems.push(format!(
                "{name}: Architectures must be [arm64], got {arch:?}"
            ));
        }
        match props.get("CodeUri").and_then(Value::as_str) {
            None => problems.push(format!("{name}: CodeUri must be a path string")),
            Some(uri) => {
                let bin = uri
                    .strip_prefix("../target/lambda/")
                    .map(|b| b.trim_end_matches('/'));
                match bin {
                    Some(bin) if bins.contains(bin) => {}
                    Some(bin) => problems.push(format!(
                        "{name}: CodeUri {uri}: no [[bin]] named `{bin}` in the workspace"
                    )),
                    None => problems.push(format!(
                        "{name}: CodeUri {uri}: expected ../target/lambda/<bin>/"
                    )),
                }
            }
        }
    }
    if functions == 0 {
        problems.push("no AWS::Serverless::Function in the template".into());
    }
    problems
}

/// Every IAM statement's `Action`s (in roles, bucket/queue policies); `*` anywhere is a
/// problem, as is `NotAction`.
fn wildcard_actions(node: &Value, path: &str, out: &mut Vec<String>) {
    match node {
        Value::Mapping(map) => {
            for (k, v) in map {
                let key = k.as_str().unwrap_or_default();
                let here = format!("{path}.{key}");
                if key == "NotAction" {
                    out.push(format!("{here}: NotAction grants everything else"));
                }
                if key == "Action" {
                    let actions: Vec<&str> = match v {
                        Value::String(s) => vec![s.as_str()],
                        Value::Sequence(s) => s.iter().filter_map(Value::as_str).collect(),
                        _ => vec![],
                    };
                    out.extend(
                        actions
                            .iter()
                            .filter(|a| a.contains('*'))
                            .map(|a| format!("{here}: `{a}`")),
                    );
                }
                wildcard_actions(v, &here, out);
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                wildcard_actions(v, &format!("{path}[{i}]"), out);
            }
        }
        Value::Tagged(t) => wildcard_actions(&t.value, path, out),
        _ => {}
    }
}

fn resources_of_type<'a>(template: &'a Value, ty: &str) -> Vec<&'a Value> {
    template["Resources"]
        .as_mapping()
        .map(|m| {
            m.values()
                .filter(|r| r["Type"].as_str() == Some(ty))
                .collect()
        })
        .unwrap_or_default()
}

/// The text of a scalar or a short-form tag's scalar (`!Sub "..."`, `!Ref X`).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Tagged(t) => format!("{} {}", t.tag, text(&t.value)),
        Value::Sequence(s) => s.iter().map(text).collect::<Vec<_>>().join(" "),
        _ => String::new(),
    }
}

#[test]
fn cfn_lint_passes() {
    let venv = root().join(".venv/bin/cfn-lint");
    let tool = if venv.is_file() {
        venv
    } else {
        PathBuf::from("cfn-lint")
    };
    let out = Command::new(&tool)
        .arg(root().join("infra/template.yaml"))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): run scripts/setup.sh (pip install cfn-lint into .venv)",
                tool.display()
            )
        });
    assert!(
        out.status.success(),
        "cfn-lint failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn functions_match_workspace_binaries() {
    let bins = workspace_bins();
    assert!(bins.contains("review-handler"), "{bins:?}");
    let problems = function_problems(&template(), &bins);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_checker_catches_a_wrong_artifact() {
    let bad: Value = serde_yaml::from_str(
        "Globals: {Function: {Handler: bootstrap, Runtime: provided.al2023, Architectures: [arm64]}}\n\
         Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ../target/lambda/no-such-bin/, Role: !GetAtt R.Arn}\n  \
         G:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ./src, Architectures: [x86_64]}\n",
    )
    .unwrap();
    let problems = function_problems(&bad, &workspace_bins());
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("no-such-bin"));
}

#[test]
fn iam_has_no_wildcard_actions() {
    let mut found = Vec::new();
    wildcard_actions(&template(), "", &mut found);
    assert!(found.is_empty(), "{found:#?}");
    let sample: Value =
        serde_yaml::from_str("Statement: [{Action: ['s3:*']}, {Action: '*'}]").unwrap();
    let mut caught = Vec::new();
    wildcard_actions(&sample, "", &mut caught);
    assert_eq!(caught.len(), 2, "the checker itself must catch wildcards");
}

#[test]
fn ivs_wiring_follows_the_contract() {
    let t = template();
    let permissions = resources_of_type(&t, "AWS::Lambda::Permission");
    let ivs = permissions
        .iter()
        .find(|p| p["Properties"]["Principal"].as_str() == Some("ivschat.amazonaws.com"))
        .expect("a lambda permission for ivschat.amazonaws.com");
    let props = &ivs["Properties"];
    assert_eq!(props["Action"].as_str(), Some("lambda:InvokeFunction"));
    assert!(text(&props["SourceAccount"]).contains("AWS::AccountId"));
    assert!(text(&props["SourceArn"]).contains(":ivschat:${AWS::Region}:${AWS::AccountId}:room/"));

    let rooms = resources_of_type(&t, "AWS::IVSChat::Room");
    assert_eq!(rooms.len(), 1);
    let handler = &rooms[0]["Properties"]["MessageReviewHandler"];
    assert!(text(&handler["Uri"]).contains("ReviewHandlerFunction"));
    assert!(!text(&handler["FallbackResult"]).is_empty());
    let destinations: BTreeSet<String> =
        resources_of_type(&t, "AWS::IVSChat::LoggingConfiguration")
            .iter()
            .filter_map(|c| c["Properties"]["DestinationConfiguration"].as_mapping())
            .flat_map(|m| {
                m.keys()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
    assert_eq!(
        destinations,
        ["CloudWatchLogs", "Firehose", "S3"]
            .map(String::from)
            .into()
    );

    let alarms = resources_of_type(&t, "AWS::CloudWatch::Alarm");
    for metric in ["InvocationErrors", "ResponseValidationErrors"] {
        let alarm = alarms
            .iter()
            .find(|a| a["Properties"]["MetricName"].as_str() == Some(metric))
            .unwrap_or_else(|| panic!("no alarm on AWS/IVSChat {metric}"));
        assert_eq!(
            alarm["Properties"]["Namespace"].as_str(),
            Some("AWS/IVSChat")
        );
        let dims = &alarm["Properties"]["Dimensions"][0];
        assert_eq!(dims["Name"].as_str(), Some("Uri"));
        assert!(text(&dims["Value"]).contains("ReviewHandlerFunction"));
    }
    assert!(alarms
        .iter()
        .any(|a| a["Properties"]["MetricName"].as_str() == Some("FailDecisions")));

    let stream = resources_of_type(&t, "AWS::KinesisFirehose::DeliveryStream");
    let s3 = &stream[0]["Properties"]["ExtendedS3DestinationConfiguration"];
    assert_eq!(
        s3["DynamicPartitioningConfiguration"]["Enabled"].as_bool(),
        Some(true)
    );
    assert!(text(&s3["Prefix"]).contains("!{partitionKeyFromLambda:room}"));

    let table = resources_of_type(&t, "AWS::Glue::Table");
    let params = &table[0]["Properties"]["TableInput"]["Parameters"];
    assert_eq!(params["projection.enabled"].as_str(), Some("true"));
    assert!(
        params.get("projection.room.type").is_some()
            && params.get("projection.date.type").is_some()
    );
}

#[test]
fn the_identity_hashing_key_is_a_secret_parameter_without_a_default() {
    // Issue 15 finding 10: the template used to default to an empty HASH_SALT.
    let t = template();
    let vars = &t["Resources"]["ReviewHandlerFunction"]["Properties"]["Environment"]["Variables"];
    assert!(
        vars.get("HASH_SALT").is_none(),
        "HASH_SALT is replaced by HASH_KEY"
    );
    let key = text(&vars["HASH_KEY"]);
    let param = key
        .strip_prefix("!Ref ")
        .unwrap_or_else(|| panic!("HASH_KEY must be a parameter reference, got {key:?}"));
    let p = &t["Parameters"][param];
    assert_eq!(p["NoEcho"].as_bool(), Some(true), "{param} must be NoEcho");
    assert!(
        p.get("Default").is_none_or(|d| d.as_str() == Some("")),
        "{param} must have no default secret"
    );
    let pattern = regex::Regex::new(p["AllowedPattern"].as_str().expect("AllowedPattern")).unwrap();
    assert!(!pattern.is_match(&"k".repeat(31)) && pattern.is_match(&"k".repeat(32)));
}
