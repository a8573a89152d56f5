//! `infra/template.yaml`: passes `cfn-lint`, every function's artifact is a workspace
//! binary built by `cargo lambda build --release --arm64`, IAM allows no wildcard actions,
//! the IVS-facing pieces are wired as the contract requires, every bucket is TLS-only,
//! versioned and expires its quarantine, and every asynchronous path ends in an alarmed
//! failure destination.
//!
//! What the roles' statements actually allow is proven against an IAM-enforcing moto by
//! `tests/tests/iam_enforced.rs`; this file checks the template's shape.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;
use serde_yaml::Value;
use test_support::{Bindings, Template};

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

/// Every IAM statement's `Action`s (in roles, bucket/queue policies); `*` in an action of
/// a statement that allows is a problem (a `Deny` with a wildcard grants nothing), as is
/// `NotAction`.
fn wildcard_actions(node: &Value, path: &str, out: &mut Vec<String>) {
    match node {
        Value::Mapping(map) => {
            let denies = map.get("Effect").and_then(Value::as_str) == Some("Deny");
            for (k, v) in map {
                let key = k.as_str().unwrap_or_default();
                let here = format!("{path}.{key}");
                if key == "NotAction" {
                    out.push(format!("{here}: NotAction grants everything else"));
                }
                if key == "Action" && !denies {
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
    let sample: Value = serde_yaml::from_str(
        "Statement: [{Action: ['s3:*']}, {Action: '*'}, {Effect: Allow, Action: 's3:Get*'}, {Effect: Deny, Action: 's3:*'}]",
    )
    .unwrap();
    let mut caught = Vec::new();
    wildcard_actions(&sample, "", &mut caught);
    assert_eq!(
        caught.len(),
        3,
        "the checker itself must catch wildcards that allow: {caught:#?}"
    );
}

fn parsed(text: &str) -> Template {
    Template::parse(text, Path::new("sample.yaml")).unwrap()
}

fn bindings(t: &Template) -> Bindings {
    t.bindings(&[]).unwrap_or_else(|e| panic!("{e}"))
}

fn props(t: &Template, b: &Bindings, id: &str) -> Json {
    t.properties(id, b).unwrap_or_else(|e| panic!("{e}"))
}

/// Statements of `policy` (a resolved policy document).
fn statements(policy: &Json) -> Vec<Json> {
    match &policy["Statement"] {
        Json::Array(a) => a.clone(),
        Json::Object(_) => vec![policy["Statement"].clone()],
        _ => vec![],
    }
}

fn strings(v: &Json) -> Vec<String> {
    match v {
        Json::String(s) => vec![s.clone()],
        Json::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// Buckets whose bucket policy lacks a `Deny` of every S3 action on the bucket and its
/// objects when `aws:SecureTransport` is false.
fn buckets_without_tls_only_policy(t: &Template) -> Vec<String> {
    let b = bindings(t);
    let policies: Vec<Json> = t
        .resources_of_type("AWS::S3::BucketPolicy")
        .iter()
        .map(|id| props(t, &b, id))
        .collect();
    t.resources_of_type("AWS::S3::Bucket")
        .into_iter()
        .filter(|bucket| {
            let name = b
                .resource(bucket)
                .map(|p| p.reference.clone())
                .unwrap_or_default();
            let arn = b.attribute(bucket, "Arn").unwrap_or_default().to_string();
            !policies
                .iter()
                .filter(|p| p["Bucket"] == name.as_str())
                .any(|p| {
                    statements(&p["PolicyDocument"]).iter().any(|s| {
                        let resources = strings(&s["Resource"]);
                        s["Effect"] == "Deny"
                            && s["Principal"] == "*"
                            && strings(&s["Action"]) == ["s3:*"]
                            && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
                            && resources.contains(&arn)
                            && resources.contains(&format!("{arn}/*"))
                    })
                })
        })
        .collect()
}

#[test]
fn every_bucket_is_tls_only() {
    let missing = buckets_without_tls_only_policy(&template_support());
    assert!(
        missing.is_empty(),
        "buckets without a TLS-only policy: {missing:?}"
    );
    let sample = parsed(
        "Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {BucketName: a}}\n  B: {Type: AWS::S3::Bucket, Properties: {BucketName: b}}\n  \
         P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref A\n      PolicyDocument:\n        Statement:\n          \
         - {Effect: Deny, Principal: '*', Action: 's3:*', Resource: [!GetAtt A.Arn, !Sub '${A.Arn}/*'], Condition: {Bool: {aws:SecureTransport: 'false'}}}\n",
    );
    assert_eq!(buckets_without_tls_only_policy(&sample), ["B"]);
}

fn template_support() -> Template {
    Template::load().unwrap_or_else(|e| panic!("{e}"))
}

/// Table roots (`<prefix>/` of `OUTPUT_URI = s3://<bucket>/<prefix>/`) of every function.
fn table_roots(t: &Template, b: &Bindings) -> Vec<String> {
    t.resources_of_type("AWS::Serverless::Function")
        .iter()
        .filter_map(|f| {
            let env = t.function_env(f, b).ok()?;
            let uri = env.into_iter().find(|(k, _)| k == "OUTPUT_URI")?.1;
            let rest = uri.strip_prefix("s3://")?;
            rest.split_once('/').map(|(_, p)| p.to_string())
        })
        .collect()
}

#[test]
fn buckets_are_versioned_and_quarantine_and_error_objects_expire() {
    let t = template_support();
    let b = bindings(&t);
    let mut rule_prefixes = Vec::new();
    for bucket in t.resources_of_type("AWS::S3::Bucket") {
        let p = props(&t, &b, &bucket);
        assert_eq!(
            p["VersioningConfiguration"]["Status"], "Enabled",
            "{bucket}: versioning (deleted and replaced outputs stay recoverable)"
        );
        let rules = p["LifecycleConfiguration"]["Rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            rules.iter().any(|r| r["Status"] == "Enabled"
                && r["NoncurrentVersionExpiration"]["NoncurrentDays"].is_string()),
            "{bucket}: noncurrent versions must expire (bounded cost): {rules:#?}"
        );
        for r in rules
            .iter()
            .filter(|r| r["Status"] == "Enabled" && !r["ExpirationInDays"].is_null())
        {
            if let Some(prefix) = r["Prefix"].as_str() {
                rule_prefixes.push(prefix.to_string());
            }
        }
    }
    let roots = table_roots(&t, &b);
    assert!(roots.len() >= 2, "{roots:?}");
    for root in roots {
        let quarantine = format!("{root}_quarantine/");
        assert!(
            rule_prefixes.contains(&quarantine),
            "no lifecycle rule expires {quarantine}: {rule_prefixes:?}"
        );
    }
    let stream = &t.resources_of_type("AWS::KinesisFirehose::DeliveryStream")[0];
    let errors = props(&t, &b, stream)["ExtendedS3DestinationConfiguration"]["ErrorOutputPrefix"]
        .as_str()
        .unwrap_or_default()
        .split("!{")
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        rule_prefixes.contains(&errors),
        "no lifecycle rule expires {errors}"
    );
}

/// Queue names (`QueueName` attribute) an alarm watches.
fn alarmed_queues(t: &Template, b: &Bindings) -> Vec<String> {
    t.resources_of_type("AWS::CloudWatch::Alarm")
        .iter()
        .map(|a| props(t, b, a))
        .filter(|p| {
            p["Namespace"] == "AWS/SQS" && p["MetricName"] == "ApproximateNumberOfMessagesVisible"
        })
        .flat_map(|p| p["Dimensions"].as_array().cloned().unwrap_or_default())
        .filter(|d| d["Name"] == "QueueName")
        .filter_map(|d| d["Value"].as_str().map(str::to_string))
        .collect()
}

/// The queue (logical id) whose ARN is `arn`.
fn queue_with_arn(t: &Template, b: &Bindings, arn: &str) -> Option<String> {
    t.resources_of_type("AWS::SQS::Queue")
        .into_iter()
        .find(|q| b.attribute(q, "Arn").ok() == Some(arn))
}

/// Problems with the failure routing of every asynchronous path (empty = fine).
fn failure_routing_problems(t: &Template) -> Vec<String> {
    let b = bindings(t);
    let alarmed = alarmed_queues(t, &b);
    let is_alarmed = |q: &str| {
        b.attribute(q, "QueueName")
            .is_ok_and(|n| alarmed.iter().any(|a| a == n))
    };
    let mut problems = Vec::new();
    // S3 -> SQS -> Lambda: the queue redrives to an alarmed DLQ.
    for f in t.resources_of_type("AWS::Serverless::Function") {
        let p = props(t, &b, &f);
        for (name, ev) in p["Events"].as_object().into_iter().flatten() {
            if ev["Type"] != "SQS" {
                continue;
            }
            let queue = queue_with_arn(
                t,
                &b,
                ev["Properties"]["Queue"].as_str().unwrap_or_default(),
            );
            let dlq = queue
                .as_ref()
                .map(|q| props(t, &b, q)["RedrivePolicy"]["deadLetterTargetArn"].clone())
                .and_then(|a| queue_with_arn(t, &b, a.as_str().unwrap_or_default()));
            match dlq {
                Some(d) if is_alarmed(&d) => {}
                Some(d) => problems.push(format!("{f}.{name}: DLQ {d} has no alarm")),
                None => problems.push(format!("{f}.{name}: queue {queue:?} has no DLQ")),
            }
        }
    }
    // Asynchronous invokers (a service permission other than IVS, which invokes
    // synchronously): an on-failure destination the role may send to, alarmed.
    for perm in t.resources_of_type("AWS::Lambda::Permission") {
        let p = props(t, &b, &perm);
        if p["Principal"] == "ivschat.amazonaws.com" {
            continue;
        }
        let function_arn = p["FunctionName"].as_str().unwrap_or_default();
        let Some(f) = t
            .resources_of_type("AWS::Serverless::Function")
            .into_iter()
            .find(|f| b.attribute(f, "Arn").ok() == Some(function_arn))
        else {
            problems.push(format!("{perm}: no function {function_arn}"));
            continue;
        };
        let fp = props(t, &b, &f);
        let dest = &fp["EventInvokeConfig"]["DestinationConfig"]["OnFailure"];
        let Some(queue) = queue_with_arn(t, &b, dest["Destination"].as_str().unwrap_or_default())
        else {
            problems.push(format!(
                "{f} (invoked by {}): no SQS on-failure destination",
                p["Principal"]
            ));
            continue;
        };
        if !is_alarmed(&queue) {
            problems.push(format!("{f}: on-failure queue {queue} has no alarm"));
        }
        let role = fp["Role"].as_str().unwrap_or_default();
        let role_id = t
            .resources_of_type("AWS::IAM::Role")
            .into_iter()
            .find(|r| b.attribute(r, "Arn").ok() == Some(role));
        let queue_arn = b.attribute(&queue, "Arn").unwrap_or_default().to_string();
        let may_send = role_id.is_some_and(|r| {
            t.role_policy(&r, &b).is_ok_and(|doc| {
                statements(&doc).iter().any(|s| {
                    strings(&s["Action"]).contains(&"sqs:SendMessage".to_string())
                        && strings(&s["Resource"]).contains(&queue_arn)
                })
            })
        });
        if !may_send {
            problems.push(format!("{f}: its role may not sqs:SendMessage to {queue}"));
        }
    }
    // Stream event source mappings (DynamoDB): partial batch failures reported, and the
    // records that exhaust their retries go to an alarmed queue the function's role may
    // send to (the Lambda service sends with it).
    for m in t.resources_of_type("AWS::Lambda::EventSourceMapping") {
        let p = props(t, &b, &m);
        if !p["EventSourceArn"]
            .as_str()
            .is_some_and(|a| a.contains(":dynamodb:"))
        {
            continue;
        }
        if !strings(&p["FunctionResponseTypes"]).contains(&"ReportBatchItemFailures".to_string()) {
            problems.push(format!("{m}: no ReportBatchItemFailures"));
        }
        let dest = p["DestinationConfig"]["OnFailure"]["Destination"]
            .as_str()
            .unwrap_or_default();
        let Some(queue) = queue_with_arn(t, &b, dest) else {
            problems.push(format!("{m}: no SQS on-failure destination"));
            continue;
        };
        if !is_alarmed(&queue) {
            problems.push(format!("{m}: on-failure queue {queue} has no alarm"));
        }
        let function = t
            .resources_of_type("AWS::Serverless::Function")
            .into_iter()
            .find(|f| b.resource(f).map(|r| r.reference.as_str()) == p["FunctionName"].as_str());
        let queue_arn = b.attribute(&queue, "Arn").unwrap_or_default().to_string();
        let may_send = function.is_some_and(|f| {
            let role = props(t, &b, &f)["Role"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            t.resources_of_type("AWS::IAM::Role")
                .into_iter()
                .find(|r| b.attribute(r, "Arn").ok() == Some(role.as_str()))
                .and_then(|r| t.role_policy(&r, &b).ok())
                .is_some_and(|doc| {
                    statements(&doc).iter().any(|s| {
                        strings(&s["Action"]).contains(&"sqs:SendMessage".to_string())
                            && strings(&s["Resource"]).contains(&queue_arn)
                    })
                })
        });
        if !may_send {
            problems.push(format!(
                "{m}: the function's role may not sqs:SendMessage to {queue}"
            ));
        }
    }
    // Firehose: failures go to the error prefix, whose objects are announced to an
    // alarmed queue.
    for stream in t.resources_of_type("AWS::KinesisFirehose::DeliveryStream") {
        let d = &props(t, &b, &stream)["ExtendedS3DestinationConfiguration"];
        let errors = d["ErrorOutputPrefix"].as_str().unwrap_or_default();
        let fixed = errors.split("!{").next().unwrap_or_default();
        if fixed.is_empty() {
            problems.push(format!("{stream}: no fixed ErrorOutputPrefix"));
            continue;
        }
        let bucket = t
            .resources_of_type("AWS::S3::Bucket")
            .into_iter()
            .find(|x| b.attribute(x, "Arn").ok() == d["BucketARN"].as_str());
        let announced = bucket.is_some_and(|x| {
            props(t, &b, &x)["NotificationConfiguration"]["QueueConfigurations"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|q| {
                    let prefix_rule = q["Filter"]["S3Key"]["Rules"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|r| r["Name"] == "prefix" && r["Value"] == fixed);
                    prefix_rule
                        && queue_with_arn(t, &b, q["Queue"].as_str().unwrap_or_default())
                            .is_some_and(|q| is_alarmed(&q))
                })
        });
        if !announced {
            problems.push(format!(
                "{stream}: objects under {fixed} reach no alarmed queue"
            ));
        }
    }
    problems
}

#[test]
fn every_asynchronous_path_ends_in_an_alarmed_failure_destination() {
    let problems = failure_routing_problems(&template_support());
    assert!(problems.is_empty(), "{problems:#?}");
    // The checker catches an asynchronous invoker without a destination.
    let sample = parsed(
        "Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {FunctionName: f}}\n  \
         P: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !GetAtt F.Arn, Principal: logs.amazonaws.com}}\n",
    );
    let caught = failure_routing_problems(&sample);
    assert!(
        caught.len() == 1 && caught[0].contains("no SQS on-failure destination"),
        "{caught:#?}"
    );
    // ... and a stream mapping without partial failures or a destination.
    let sample = parsed(
        "Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {FunctionName: f}}\n  \
         M: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: !Ref F, EventSourceArn: 'arn:aws:dynamodb:r:1:table/t/stream/x'}}\n",
    );
    let caught = failure_routing_problems(&sample);
    assert!(
        caught.len() == 2
            && caught[0].contains("ReportBatchItemFailures")
            && caught[1].contains("no SQS on-failure destination"),
        "{caught:#?}"
    );
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
    // With hashing on (the default) an empty key must fail the deploy, not the Lambda's init.
    let rule = t["Rules"]
        .as_mapping()
        .and_then(|rules| {
            rules.values().find(|r| {
                text(&r["RuleCondition"]).contains("HashIdentities")
                    && text(&r["Assertions"][0]["Assert"]).contains(param)
            })
        })
        .unwrap_or_else(|| panic!("no template Rule requires {param} when HashIdentities is on"));
    assert!(
        text(&rule["Assertions"][0]["Assert"]).starts_with("!Not"),
        "the rule must assert that {param} is not empty"
    );
}

/// The DynamoDB actions and their resources a role's statements grant.
fn dynamodb_grants(t: &Template, b: &Bindings, role: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let doc = t.role_policy(role, b).unwrap_or_else(|e| panic!("{e}"));
    let (mut actions, mut resources) = (BTreeSet::new(), BTreeSet::new());
    for s in statements(&doc) {
        let acts: Vec<String> = strings(&s["Action"])
            .into_iter()
            .filter(|a| a.starts_with("dynamodb:"))
            .collect();
        if !acts.is_empty() {
            resources.extend(strings(&s["Resource"]));
        }
        actions.extend(acts);
    }
    (actions, resources)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Issue 14: the state table, the handler's item access to it, the enforcer (stream in,
/// DisconnectUser out, scoped to the rooms) and the alarms on the store.
#[test]
fn the_state_table_its_access_and_the_enforcer_follow_the_state_contract() {
    let t = template_support();
    let b = bindings(&t);
    let table = props(&t, &b, "StateTable");
    assert_eq!(
        table["BillingMode"], "PAY_PER_REQUEST",
        "on demand: {table:#}"
    );
    assert_eq!(
        table["KeySchema"],
        serde_json::json!([{"AttributeName": "pk", "KeyType": "HASH"}]),
        "partition key pk, no sort key (STATE-API.md)"
    );
    assert_eq!(
        table["AttributeDefinitions"],
        serde_json::json!([{"AttributeName": "pk", "AttributeType": "S"}])
    );
    assert_eq!(
        table["TimeToLiveSpecification"],
        serde_json::json!({"AttributeName": "expires_at", "Enabled": true})
    );
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(table["StreamSpecification"]["StreamViewType"], "NEW_IMAGE");
    let table_arn = b.attribute("StateTable", "Arn").unwrap().to_string();
    let stream_arn = b.attribute("StateTable", "StreamArn").unwrap().to_string();

    // The handler: its store's item operations on the table, nothing else.
    let env: BTreeMap<String, String> = t
        .function_env("ReviewHandlerFunction", &b)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        env.get("STATE_TABLE"),
        Some(&b.resource("StateTable").unwrap().reference)
    );
    assert_eq!(env.get("STORE_DEADLINE_MS").map(String::as_str), Some("30"));
    // The deployed handler keeps the system clock: `CLOCK=request` is for replays only.
    assert_eq!(env.get("CLOCK"), None, "{env:?}");
    let (actions, resources) = dynamodb_grants(&t, &b, "ReviewHandlerRole");
    assert_eq!(
        actions,
        set(&[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem"
        ])
    );
    assert_eq!(
        resources,
        set(&[&table_arn]),
        "the table itself: no index, no stream"
    );

    // The enforcer: reads the table's stream, no item access.
    let (actions, resources) = dynamodb_grants(&t, &b, "EnforcerRole");
    assert_eq!(
        actions,
        set(&[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams"
        ])
    );
    assert!(
        resources
            .iter()
            .all(|r| r.starts_with(&format!("{table_arn}/stream/"))),
        "{resources:?}"
    );
    // DisconnectUser only in this stack's room, plus the rooms the parameter lists.
    let disconnect_resources = |b: &Bindings| -> Vec<String> {
        let doc = t.role_policy("EnforcerRole", b).unwrap();
        let ivs: Vec<Json> = statements(&doc)
            .into_iter()
            .filter(|s| {
                strings(&s["Action"])
                    .iter()
                    .any(|a| a.starts_with("ivschat:"))
            })
            .collect();
        assert_eq!(ivs.len(), 1, "{ivs:#?}");
        assert_eq!(strings(&ivs[0]["Action"]), ["ivschat:DisconnectUser"]);
        strings(&ivs[0]["Resource"])
    };
    let room = b.attribute("ChatRoom", "Arn").unwrap().to_string();
    assert_eq!(disconnect_resources(&b), std::slice::from_ref(&room));
    let other = "arn:aws:ivschat:us-east-1:123456789012:room/Other1";
    let more = t
        .bindings(&[("DisconnectRoomArns", &format!("{other},{other}2"))])
        .unwrap();
    assert_eq!(
        disconnect_resources(&more),
        [room.clone(), other.to_string(), format!("{other}2")]
    );
    let env: BTreeMap<String, String> = t
        .function_env("EnforcerFunction", &b)
        .unwrap()
        .into_iter()
        .collect();
    let prefix = env.get("ROOM_ARN_PREFIX").expect("ROOM_ARN_PREFIX");
    assert!(
        review_handler::enforcer::RoomArnPrefix::parse(prefix).is_ok()
            && room.starts_with(prefix.as_str()),
        "the enforcer builds the room's ARN from {prefix}"
    );

    // The stream mapping: only D# inserts and changes, partial failures reported.
    let mapping = props(&t, &b, "EnforcerStreamMapping");
    assert_eq!(mapping["EventSourceArn"], stream_arn.as_str());
    assert_eq!(
        mapping["FunctionName"],
        b.resource("EnforcerFunction").unwrap().reference.as_str()
    );
    assert_eq!(
        mapping["FunctionResponseTypes"],
        serde_json::json!(["ReportBatchItemFailures"])
    );
    let filters = mapping["FilterCriteria"]["Filters"].as_array().unwrap();
    assert_eq!(filters.len(), 1);
    let pattern: Json = serde_json::from_str(filters[0]["Pattern"].as_str().unwrap()).unwrap();
    assert_eq!(
        pattern,
        serde_json::json!({"eventName": ["INSERT", "MODIFY"],
            "dynamodb": {"Keys": {"pk": {"S": [{"prefix": review_handler::enforcer::DISCONNECT_PREFIX}]}}}})
    );
    let timeout = props(&t, &b, "EnforcerFunction")["Timeout"]
        .as_u64()
        .unwrap();
    let batch = mapping["BatchSize"].as_u64().unwrap();
    assert!(
        batch * 5 < timeout,
        "{batch} calls of at most 5 s each must fit the function's {timeout} s"
    );

    // Alarms on the handler's store metrics and the enforcer's failures.
    let alarmed: BTreeSet<String> = t
        .resources_of_type("AWS::CloudWatch::Alarm")
        .iter()
        .map(|a| props(&t, &b, a))
        .filter(|p| p["Namespace"] == b.parameter("MetricsNamespace").unwrap())
        .filter_map(|p| p["MetricName"].as_str().map(str::to_string))
        .collect();
    for metric in ["StoreErrors", "DegradedDecisions", "DisconnectFailures"] {
        assert!(
            alarmed.contains(metric),
            "no alarm on {metric}: {alarmed:?}"
        );
    }
}
