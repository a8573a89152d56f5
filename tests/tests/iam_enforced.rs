//! The deployed pipeline under its own least-privilege roles: moto enforcing IAM, one
//! principal (IAM user + access key) per function whose only policy is the function's
//! role policy taken from `infra/template.yaml` (every `!Sub`/`!Ref`/`!GetAtt`/`!If`
//! resolved to this test's names by `test_support::Template`), running the real binaries
//! with the template's own environment and the principal's keys.
//!
//! Each test proves two things about its policy:
//! 1. *sufficient*: the function's real calls succeed with exactly the template's policy;
//! 2. *necessary*: for every (statement, action, resource) the policy grants, the same
//!    scenario with only that grant removed fails with an access denial. A grant the
//!    scenario cannot exercise must be listed, with the reason, in the test's
//!    `NOT_EXERCISED` (a listed grant the policy no longer has is itself an error).
//!
//! Where the test stands in for an AWS service it uses the role's credentials, as the
//! service does: the SQS event source mapping (ReceiveMessage, DeleteMessage,
//! GetQueueAttributes), the Lambda service sending a failed asynchronous event to the
//! on-failure destination (SendMessage), and Firehose writing its partitioned and error
//! objects (PutObject).
//!
//! What moto (5.2.5) does NOT enforce, so what these tests cannot prove:
//! - `Condition` blocks of identity policies: only `StringEquals` is evaluated, against
//!   request values moto mostly does not supply; other operators (`StringLike`, `Bool`,
//!   `ArnEquals`) are ignored, so a condition never narrows a grant here.
//! - Resource-based policies: bucket policies are consulted only for object operations,
//!   with conditions ignored, so the template's TLS-only `Deny` (`aws:SecureTransport`
//!   false) would deny everything, and these tests speak plain HTTP anyway. Bucket
//!   policies are therefore not installed; `review-handler/tests/infra_template.rs`
//!   checks their shape instead. Queue policies (S3 -> SQS) are not evaluated either.
//! - S3's 403-instead-of-404: AWS answers a GET of a missing key with 403 unless the
//!   caller may `s3:ListBucket`; moto answers 404 regardless. The `ListBucket` grants that
//!   exist only for that reason are listed in `NOT_EXERCISED`.
//! - Services whose calls are not made through moto here: CloudWatch Logs (the Lambda
//!   service writes a function's stdout to its log group; our code makes no Logs calls),
//!   Lambda invocations (the test invokes through `cargo lambda watch`), and Firehose's
//!   internal bucket and multipart calls.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::ByteStream;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use test_support::ivs::envelope::message_envelope;
use test_support::ivs::objects::s3_key;
use test_support::{
    workspace_binary, Bindings, LocalLambda, MotoServer, Principal, Template, ACCOUNT_ID,
};
use time::macros::datetime;
use time::OffsetDateTime;

const REGION: &str = "us-east-1";

/// A grant the scenario cannot exercise: (statement Sid, action, why).
type NotExercised = (&'static str, &'static str, &'static str);

const LAMBDA_LOGS: &str =
    "the Lambda service writes the function's output to its log group; the code makes no Logs call";
const LIST_FOR_404: &str =
    "only makes S3 answer a missing manifest 404 instead of 403; moto answers 404 regardless";

/// The template's stack as this test deploys it into the IAM-enforcing moto: its own
/// `NamePrefix`, so every test has its own buckets, queues and principals.
struct Stack {
    /// The one runtime of the test: SDK clients keep connections on the runtime that made
    /// them, so every async call of a test runs on this one.
    rt: tokio::runtime::Runtime,
    moto: &'static MotoServer,
    template: Template,
    b: Bindings,
    prefix: String,
}

impl Stack {
    fn new(overrides: &[(&str, &str)]) -> Stack {
        static N: AtomicU32 = AtomicU32::new(0);
        let prefix = format!(
            "iam{}-{}",
            std::process::id() % 100_000,
            N.fetch_add(1, Ordering::Relaxed)
        );
        let template = Template::load().expect("infra/template.yaml");
        let rules_bucket = format!("{prefix}-rules");
        let mut params = vec![
            ("NamePrefix", prefix.as_str()),
            ("RulesBucket", rules_bucket.as_str()),
            // Identity hashing is the review handler's concern, not this test's.
            ("HashIdentities", "false"),
        ];
        params.extend_from_slice(overrides);
        let b = template.bindings(&params).expect("template bindings");
        let moto = MotoServer::shared_iam_enforced();
        Stack {
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime"),
            moto,
            template,
            b,
            prefix,
        }
    }

    fn block<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The physical name (`!Ref`) of a resource.
    fn name(&self, id: &str) -> String {
        self.b
            .resource(id)
            .unwrap_or_else(|| panic!("no resource {id}"))
            .reference
            .clone()
    }

    fn attr(&self, id: &str, attr: &str) -> String {
        self.b.attribute(id, attr).expect("attribute").to_string()
    }

    fn role_policy(&self, role: &str) -> Value {
        self.template
            .role_policy(role, &self.b)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn principal(&self, label: &str, policy: &Value) -> Principal {
        self.moto
            .create_principal(&format!("{}-{label}", self.prefix), &policy.to_string())
            .unwrap_or_else(|e| panic!("creating principal {label}: {e}"))
    }

    /// Creates (as the admin) every bucket and queue of the template with the template's
    /// names, versioning, redrive policies and bucket notifications.
    async fn deploy_storage(&self) {
        let conf = self.moto.sdk_config().await;
        let sqs = aws_sdk_sqs::Client::new(&conf);
        let s3 = self.moto.s3_client().await;
        for id in self.template.resources_of_type("AWS::SQS::Queue") {
            let props = self.resolved(&id);
            let mut q = sqs.create_queue().queue_name(self.attr(&id, "QueueName"));
            if let Some(r) = props.get("RedrivePolicy") {
                q = q.attributes(
                    aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
                    r.to_string(),
                );
            }
            q.send()
                .await
                .unwrap_or_else(|e| panic!("queue {id}: {e:?}"));
        }
        for id in self.template.resources_of_type("AWS::S3::Bucket") {
            let bucket = self.name(&id);
            s3.create_bucket().bucket(&bucket).send().await.unwrap();
            let props = self.resolved(&id);
            if props["VersioningConfiguration"]["Status"] == "Enabled" {
                s3.put_bucket_versioning()
                    .bucket(&bucket)
                    .versioning_configuration(
                        aws_sdk_s3::types::VersioningConfiguration::builder()
                            .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                            .build(),
                    )
                    .send()
                    .await
                    .unwrap();
            }
            let mut configs = Vec::new();
            for q in props["NotificationConfiguration"]["QueueConfigurations"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let rules = q["Filter"]["S3Key"]["Rules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        aws_sdk_s3::types::FilterRule::builder()
                            .name(r["Name"].as_str().unwrap_or_default().into())
                            .value(r["Value"].as_str().unwrap_or_default())
                            .build()
                    })
                    .collect::<Vec<_>>();
                let filter = aws_sdk_s3::types::NotificationConfigurationFilter::builder()
                    .key(
                        aws_sdk_s3::types::S3KeyFilter::builder()
                            .set_filter_rules(Some(rules))
                            .build(),
                    )
                    .build();
                configs.push(
                    aws_sdk_s3::types::QueueConfiguration::builder()
                        .queue_arn(q["Queue"].as_str().unwrap_or_default())
                        .events(q["Event"].as_str().unwrap_or_default().into())
                        .filter(filter)
                        .build()
                        .unwrap(),
                );
            }
            if !configs.is_empty() {
                s3.put_bucket_notification_configuration()
                    .bucket(&bucket)
                    .notification_configuration(
                        aws_sdk_s3::types::NotificationConfiguration::builder()
                            .set_queue_configurations(Some(configs))
                            .build(),
                    )
                    .send()
                    .await
                    .unwrap();
            }
        }
    }

    fn resolved(&self, id: &str) -> Value {
        self.template
            .properties(id, &self.b)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A function binary under `cargo lambda watch` with the template's environment for
    /// `function` and `principal`'s credentials.
    fn lambda(&self, function: &str, bin: &str, principal: &Principal) -> LocalLambda {
        let mut env = self
            .template
            .function_env(function, &self.b)
            .unwrap_or_else(|e| panic!("{e}"));
        env.extend(self.moto.child_env_as(&principal.key));
        let path = workspace_binary(bin).unwrap_or_else(|e| panic!("{e}"));
        LocalLambda::start(path, &env).unwrap_or_else(|e| panic!("starting {bin}: {e}"))
    }

    async fn queue_url(&self, id: &str) -> String {
        let sqs = aws_sdk_sqs::Client::new(&self.moto.sdk_config().await);
        sqs.get_queue_url()
            .queue_name(self.attr(id, "QueueName"))
            .send()
            .await
            .unwrap()
            .queue_url()
            .unwrap_or_default()
            .to_string()
    }

    /// Keys under `prefix` of a bucket (as the admin).
    async fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let s3 = self.moto.s3_client().await;
        let list = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .send()
            .await
            .unwrap();
        list.contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect()
    }

    async fn put(&self, bucket: &str, key: &str, body: Vec<u8>) {
        let s3 = self.moto.s3_client().await;
        test_support::s3::put_object(&s3, bucket, key, body).await;
    }
}

/// One grant of a policy: statement index, its Sid, an action and a resource.
#[derive(Debug, Clone)]
struct Grant {
    statement: usize,
    sid: String,
    action: String,
    resource: String,
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

fn grants(policy: &Value) -> Vec<Grant> {
    let mut out = Vec::new();
    for (i, s) in policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        assert_eq!(s["Effect"], "Allow", "role policies only allow: {s}");
        for action in list(&s["Action"]) {
            for resource in list(&s["Resource"]) {
                out.push(Grant {
                    statement: i,
                    sid: s["Sid"].as_str().unwrap_or_default().to_string(),
                    action: action.clone(),
                    resource,
                });
            }
        }
    }
    out
}

/// `policy` without `grant`: its statement is split into one statement per remaining
/// (action, resource) pair, which grants exactly the same.
fn without(policy: &Value, grant: &Grant) -> Value {
    let mut statements = Vec::new();
    for (i, s) in policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if i != grant.statement {
            statements.push(s.clone());
            continue;
        }
        let mut n = 0;
        for action in list(&s["Action"]) {
            for resource in list(&s["Resource"]) {
                if action == grant.action && resource == grant.resource {
                    continue;
                }
                let mut part = s.clone();
                part["Sid"] = json!(format!("{}{n}", grant.sid));
                part["Action"] = json!(action);
                part["Resource"] = json!(resource);
                statements.push(part);
                n += 1;
            }
        }
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn is_access_denied(detail: &str) -> bool {
    detail.contains("AccessDenied") || detail.contains("403")
}

/// Runs `scenario` with the full `policy` (must succeed), then once per grant not in
/// `not_exercised` with that grant removed (must fail with an access denial).
fn prove_least_privilege(
    moto: &MotoServer,
    principal: &Principal,
    policy: &Value,
    not_exercised: &[NotExercised],
    mut scenario: impl FnMut(usize) -> Result<(), String>,
) {
    let put = |p: &Value| {
        moto.put_principal_policy(principal, &p.to_string())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    put(policy);
    if let Err(e) = scenario(0) {
        panic!("with the template's own policy the scenario must pass: {e}\npolicy: {policy:#}");
    }
    let all = grants(policy);
    for (sid, action, why) in not_exercised {
        assert!(
            all.iter().any(|g| g.sid == *sid && g.action == *action),
            "NOT_EXERCISED lists {sid}/{action} ({why}), which the policy no longer grants: {policy:#}"
        );
    }
    let mut unneeded = Vec::new();
    let mut run = 1;
    for g in &all {
        if not_exercised
            .iter()
            .any(|(sid, action, _)| g.sid == *sid && g.action == *action)
        {
            continue;
        }
        put(&without(policy, g));
        match scenario(run) {
            Ok(()) => unneeded.push(format!("{} {} on {}", g.sid, g.action, g.resource)),
            Err(e) => assert!(
                is_access_denied(&e),
                "without {} {} on {} the scenario failed, but not for access: {e}",
                g.sid,
                g.action,
                g.resource
            ),
        }
        run += 1;
    }
    put(policy);
    assert!(
        unneeded.is_empty(),
        "granted but needed by no call of the scenario (remove it, or list it in NOT_EXERCISED with the reason): {unneeded:#?}"
    );
}

/// What a function printed since `from` (its output length before a run).
fn output_since(l: &LocalLambda, from: usize) -> String {
    let out = l.function_output();
    out.get(from..).unwrap_or_default().to_string()
}

fn invoke(l: &LocalLambda, event: &Value, from: usize) -> Result<Value, String> {
    l.invoke(event)
        .map_err(|e| format!("{e}\nfunction output:\n{}", output_since(l, from)))
}

fn gz(lines: &[Value]) -> Vec<u8> {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    gz_bytes(text.as_bytes())
}

fn msg(t: OffsetDateTime, id: &str) -> Value {
    message_envelope(t, id, "hello", &json!({}), "alice", &json!({}))
}

const DAY1: OffsetDateTime = datetime!(2023-01-05 14:40:00 UTC);
const DAY2: OffsetDateTime = datetime!(2023-01-06 14:40:00 UTC);

/// Plays the SQS event source mapping with the function role's credentials: reads the
/// queue, invokes the function with the batch, deletes what it did not report failed.
/// Returns the function's answer for the batch.
async fn poll_queue(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    arn: &str,
    lambda: &LocalLambda,
    from: usize,
) -> Result<Value, String> {
    let denied = |what: &str, e: String| format!("event source mapping {what}: {e}");
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout)
        .send()
        .await
        .map_err(|e| denied("GetQueueAttributes", format!("{e:?}")))?;
    let got = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .map_err(|e| denied("ReceiveMessage", format!("{e:?}")))?;
    let messages = got.messages().to_vec();
    if messages.is_empty() {
        return Err("no message in the ingest queue".into());
    }
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(),
                   "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                   "eventSourceARN": arn, "awsRegion": REGION})
        })
        .collect();
    let answer =
        tokio::task::block_in_place(|| invoke(lambda, &json!({ "Records": records }), from))?;
    let failed: Vec<&str> = answer["batchItemFailures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    for m in &messages {
        if !failed.contains(&m.message_id().unwrap_or_default()) {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .map_err(|e| denied("DeleteMessage", format!("{e:?}")))?;
        }
    }
    if failed.is_empty() {
        Ok(answer)
    } else {
        Err(format!(
            "batchItemFailures {answer}; function output:\n{}",
            output_since(lambda, from)
        ))
    }
}

/// Finding 1: a clean S3 log object delivered through S3 -> SQS -> ingest-s3-sqs is
/// ingested under the template's IngestS3Role; so are a rewrite (stale outputs deleted)
/// and an unreadable object (quarantined, no manifest).
#[test]
fn ingest_s3_sqs_runs_under_its_template_role() {
    const NOT_EXERCISED: &[NotExercised] = &[
        ("Logs", "logs:CreateLogStream", LAMBDA_LOGS),
        ("Logs", "logs:PutLogEvents", LAMBDA_LOGS),
        (
            "PollIngestQueue",
            "sqs:ChangeMessageVisibility",
            "the event source mapping uses it to back off failed messages; not emulated",
        ),
        ("MissingManifestIsNotFound", "s3:ListBucket", LIST_FOR_404),
    ];
    let stack = Stack::new(&[]);
    stack.block(stack.deploy_storage());
    let policy = stack.role_policy("IngestS3Role");
    let principal = stack.principal("ingest-s3", &policy);
    let lambda = stack.lambda("IngestS3Function", "ingest-s3-sqs", &principal);
    let sqs = aws_sdk_sqs::Client::new(&stack.block(stack.moto.sdk_config_as(&principal.key)));
    let url = stack.block(stack.queue_url("IngestQueue"));
    let arn = stack.attr("IngestQueue", "Arn");
    let (logs, parquet) = (stack.name("LogBucket"), stack.name("ParquetBucket"));
    let table = "chat/";
    assert_eq!(
        stack
            .template
            .function_env("IngestS3Function", &stack.b)
            .unwrap(),
        [("OUTPUT_URI".to_string(), format!("s3://{parquet}/{table}"))]
    );
    // Configuring the notification sent an s3:TestEvent: the first poll acknowledges it.
    stack
        .block(poll_queue(&sqs, &url, &arn, &lambda, 0))
        .expect("the s3:TestEvent is acknowledged");

    let scenario = |run: usize| -> Result<(), String> {
        let from = lambda.function_output().len();
        let room = format!("roomS3RUN{run:03}");
        let key = s3_key(ACCOUNT_ID, REGION, &room, DAY1, "0a1b2c3d");
        let rows = |prefix: &str| stack.block(stack.keys(&parquet, &format!("{table}{prefix}")));
        let step = |body: Vec<u8>, what: &str| -> Result<(), String> {
            stack.block(stack.put(&logs, &key, body));
            stack
                .block(poll_queue(&sqs, &url, &arn, &lambda, from))
                .map(|_| ())
                .map_err(|e| format!("{what}: {e}"))
        };
        // 1. Clean object over two days: two record files and a manifest.
        step(gz(&[msg(DAY1, "m1"), msg(DAY2, "m2")]), "clean object")?;
        let written = rows(&format!("room={room}/"));
        if written.len() != 2 {
            return Err(format!("expected two record files, got {written:?}"));
        }
        if rows("_manifests/").is_empty() {
            return Err("no manifest written".into());
        }
        // 2. Rewritten onto day 2 only: the day-1 record file is deleted as stale.
        step(gz(&[msg(DAY2, "m1"), msg(DAY2, "m2")]), "rewritten object")?;
        let now = rows(&format!("room={room}/"));
        if now.len() != 1 || !now[0].contains("date=2023-01-06") {
            return Err(format!("stale day-1 output not deleted: {now:?}"));
        }
        // 3. Rewritten as garbage: quarantined, record file and manifest deleted.
        step(b"not gzip at all".to_vec(), "unreadable object")?;
        if rows("_quarantine/").iter().all(|k| !k.contains(&room)) {
            return Err(format!(
                "no quarantine for {room}: {:?}",
                rows("_quarantine/")
            ));
        }
        // 4. Clean again: the quarantine object of the source is deleted.
        step(gz(&[msg(DAY1, "m1")]), "clean again")?;
        if rows("_quarantine/").iter().any(|k| k.contains(&room)) {
            return Err("stale quarantine object not deleted".into());
        }
        Ok(())
    };
    prove_least_privilege(stack.moto, &principal, &policy, NOT_EXERCISED, scenario);
}

fn awslogs(batch: &Value) -> Value {
    json!({"awslogs": {"data": STANDARD.encode(gz_bytes(batch.to_string().as_bytes()))}})
}

/// The CloudWatch Logs subscription event for `events` (id, time, message: a JSON string
/// is sent as its text, any other value as its JSON) of `group`/`stream`.
fn logs_batch(group: &str, stream: &str, events: &[(String, OffsetDateTime, Value)]) -> Value {
    let events: Vec<Value> = events
        .iter()
        .map(|(id, t, m)| {
            let message = m.as_str().map_or_else(|| m.to_string(), str::to_string);
            json!({"id": id, "timestamp": t.unix_timestamp() * 1000, "message": message})
        })
        .collect();
    awslogs(
        &json!({"messageType": "DATA_MESSAGE", "owner": ACCOUNT_ID, "logGroup": group,
        "logStream": stream, "subscriptionFilters": ["all"], "logEvents": events}),
    )
}

/// An event `function` cannot decode fails its invocation; the Lambda service then sends
/// the failure record to the function's on-failure destination with the role's
/// credentials (`sqs`), as `EventInvokeConfig` says. Asserts the template routes there.
fn fail_to_destination(
    stack: &Stack,
    lambda: &LocalLambda,
    sqs: &aws_sdk_sqs::Client,
    function: &str,
    queue: &str,
) -> Result<(), String> {
    let on_failure =
        stack.resolved(function)["EventInvokeConfig"]["DestinationConfig"]["OnFailure"].clone();
    if on_failure != json!({"Type": "SQS", "Destination": stack.attr(queue, "Arn")}) {
        return Err(format!("{function} fails to {on_failure}, not to {queue}"));
    }
    let broken = json!({"awslogs": {"data": "not base64 gzip"}});
    if lambda.invoke(&broken).is_ok() {
        return Err("an undecodable batch must fail the invocation".into());
    }
    let record = json!({"version": "1.0", "requestContext": {"condition": "RetriesExhausted",
        "functionArn": stack.attr(function, "Arn"), "approximateInvokeCount": 3},
        "requestPayload": broken, "responseContext": {"statusCode": 200, "functionError": "Unhandled"}});
    let url = stack.block(stack.queue_url(queue));
    stack
        .block(
            sqs.send_message()
                .queue_url(&url)
                .message_body(record.to_string())
                .send(),
        )
        .map(|_| ())
        .map_err(|e| format!("on-failure destination SendMessage: {e:?}"))
}

/// Asserts (as the admin) that a failure record waits in `queue`.
fn assert_failure_waits_in(stack: &Stack, queue: &str) {
    let url = stack.block(stack.queue_url(queue));
    let admin = aws_sdk_sqs::Client::new(&stack.block(stack.moto.sdk_config()));
    let waiting = stack
        .block(
            admin
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .send(),
        )
        .unwrap();
    assert!(
        waiting
            .messages()
            .iter()
            .any(|m| m.body().unwrap_or_default().contains("RetriesExhausted")),
        "the failed batch waits in {queue}"
    );
}

/// ingest-cloudwatch under IngestCloudWatchRole, and its failure routing: a batch the
/// function fails goes to the on-failure queue, sent with the role's credentials (as the
/// Lambda service does for the EventInvokeConfig destination).
#[test]
fn ingest_cloudwatch_runs_under_its_template_role_and_routes_failures() {
    let f = LogsFunction::deploy("IngestCloudWatchRole", "IngestCloudWatchFunction");
    let stack = &f.stack;
    let run = LogsRun {
        stack,
        lambda: &f.lambda,
        sqs: &f.sqs,
        function: "IngestCloudWatchFunction",
        failure_queue: "IngestCloudWatchFailureQueue",
        group: stack.name("ChatLogGroup"),
        table: "chat-cloudwatch/",
        bad: [json!("not json"), json!("{")],
    };
    let scenario = |n: usize| {
        let room = format!("roomCWRUN{n:03}");
        let stream = format!("aws/IVSChatLogs/1.0/room_{room}");
        run.scenario(n, &room, &stream, msg)
    };
    f.prove(scenario);
    assert_failure_waits_in(stack, "IngestCloudWatchFailureQueue");
}

/// The `ingest-cloudwatch` artifact deployed as `function` under `role` on a fresh stack,
/// with a principal holding the role's policy.
struct LogsFunction {
    stack: Stack,
    policy: Value,
    principal: Principal,
    lambda: LocalLambda,
    /// With the role's credentials.
    sqs: aws_sdk_sqs::Client,
}

impl LogsFunction {
    fn deploy(role: &str, function: &str) -> LogsFunction {
        let stack = Stack::new(&[]);
        stack.block(stack.deploy_storage());
        let policy = stack.role_policy(role);
        let principal = stack.principal(function, &policy);
        let lambda = stack.lambda(function, "ingest-cloudwatch", &principal);
        let sqs = aws_sdk_sqs::Client::new(&stack.block(stack.moto.sdk_config_as(&principal.key)));
        LogsFunction {
            stack,
            policy,
            principal,
            lambda,
            sqs,
        }
    }

    /// [`prove_least_privilege`] of the role with `scenario`: neither subscription
    /// function calls CloudWatch Logs itself, and `ListBucket` only changes 403 to 404.
    fn prove(&self, scenario: impl FnMut(usize) -> Result<(), String>) {
        const NOT_EXERCISED: &[NotExercised] = &[
            ("Logs", "logs:CreateLogStream", LAMBDA_LOGS),
            ("Logs", "logs:PutLogEvents", LAMBDA_LOGS),
            ("MissingManifestIsNotFound", "s3:ListBucket", LIST_FOR_404),
        ];
        let moto = self.stack.moto;
        prove_least_privilege(moto, &self.principal, &self.policy, NOT_EXERCISED, scenario);
    }
}

/// One CloudWatch Logs subscription function (chat logs or decisions) under its role.
struct LogsRun<'a> {
    stack: &'a Stack,
    lambda: &'a LocalLambda,
    /// With the role's credentials (the Lambda service's on-failure delivery).
    sqs: &'a aws_sdk_sqs::Client,
    function: &'static str,
    failure_queue: &'static str,
    /// The subscribed log group.
    group: String,
    /// The table's prefix in the Parquet bucket.
    table: &'static str,
    /// Two log lines the function quarantines.
    bad: [Value; 2],
}

impl LogsRun<'_> {
    /// The subscription's life for `room`: a batch over two days (two record files and a
    /// manifest), redelivered onto day 2 (the stale day-1 file deleted), rewritten as bad
    /// lines (quarantined, record files deleted), good again; then a batch the function
    /// fails goes to its on-failure destination. `line(t, id)` is a good log line of
    /// `room` at `t`.
    fn scenario(
        &self,
        run: usize,
        room: &str,
        stream: &str,
        line: impl Fn(OffsetDateTime, &str) -> Value,
    ) -> Result<(), String> {
        let (stack, lambda) = (self.stack, self.lambda);
        let parquet = stack.name("ParquetBucket");
        let from = lambda.function_output().len();
        let batch =
            |events: Vec<(String, OffsetDateTime, Value)>| logs_batch(&self.group, stream, &events);
        let ev = |n: u32, t: OffsetDateTime, m: Value| (format!("{run:06}{n:050}"), t, m);
        let keys =
            |prefix: &str| stack.block(stack.keys(&parquet, &format!("{}{prefix}", self.table)));
        let rows = || keys(&format!("room={room}/"));
        let call = |event: Value, what: &str| {
            invoke(lambda, &event, from).map_err(|e| format!("{what}: {e}"))
        };
        let good = |t1: OffsetDateTime| {
            batch(vec![
                ev(1, t1, line(t1, "c1")),
                ev(2, DAY2, line(DAY2, "c2")),
            ])
        };
        call(good(DAY1), "batch")?;
        if rows().len() != 2 || keys("_manifests/").is_empty() {
            return Err(format!(
                "expected two record files and a manifest: {:?}",
                keys("")
            ));
        }
        call(good(DAY2), "redelivered batch")?;
        if rows().len() != 1 {
            return Err(format!("stale output not deleted: {:?}", rows()));
        }
        let [bad1, bad2] = self.bad.clone();
        call(
            batch(vec![ev(1, DAY2, bad1), ev(2, DAY2, bad2)]),
            "bad batch",
        )?;
        if !rows().is_empty() || keys("_quarantine/").is_empty() {
            return Err(format!("bad batch not quarantined: {:?}", keys("")));
        }
        call(good(DAY2), "good again")?;
        fail_to_destination(stack, lambda, self.sqs, self.function, self.failure_queue)
    }
}

/// ingest-cloudwatch as the decisions function (IngestDecisionsFunction: the same
/// artifact, DECISIONS_LOG_GROUPS naming the review handler's log group) under
/// IngestDecisionsRole: the handler's audit lines to `decisions/`, EMF lines skipped, bad
/// decision lines quarantined, failed batches to its own on-failure queue.
#[test]
fn ingest_decisions_runs_under_its_template_role_and_routes_failures() {
    let f = LogsFunction::deploy("IngestDecisionsRole", "IngestDecisionsFunction");
    let stack = &f.stack;
    let group = stack.name("ReviewHandlerLogGroup");
    assert_eq!(
        stack
            .template
            .function_env("IngestDecisionsFunction", &stack.b)
            .unwrap(),
        [
            ("DECISIONS_LOG_GROUPS".to_string(), group.clone()),
            (
                "DECISIONS_OUTPUT_URI".to_string(),
                format!("s3://{}/decisions/", stack.name("ParquetBucket"))
            ),
        ]
    );
    let run = LogsRun {
        stack,
        lambda: &f.lambda,
        sqs: &f.sqs,
        function: "IngestDecisionsFunction",
        failure_queue: "IngestDecisionsFailureQueue",
        group,
        table: "decisions/",
        // Claims to be a decision, but is not a valid one; and a decision that is cut off.
        bad: [
            json!(r#"{"kind":"decision"}"#),
            json!(r#"{"kind":"decision","time":"#),
        ],
    };
    let scenario = |n: usize| {
        let room = format!("roomDECRUN{n:03}");
        let stream = format!("2026/12/01/[$LATEST]{n:032x}");
        run.scenario(n, &room, &stream, |t, id| decision_line(t, id, &room))
    };
    f.prove(scenario);
    assert_failure_waits_in(stack, "IngestDecisionsFailureQueue");
}

/// The review handler's audit line for a denied message `id` of `room` at `t`.
fn decision_line(t: OffsetDateTime, id: &str, room: &str) -> Value {
    use rules::audit::{DecisionAction, DecisionOutcome, DecisionRecord, RecordKind};
    use rules::ReviewResult;
    let record = DecisionRecord {
        kind: RecordKind::Decision,
        time: rules::audit::rfc3339_millis((t.unix_timestamp_nanos() / 1_000_000) as i64),
        message_id: Some(id.into()),
        room: Some(room.into()),
        user_id: Some("alice".into()),
        ip: Some("192.0.2.1".into()),
        result: ReviewResult::Deny,
        action: DecisionAction::Verdict(rules::Verdict::Deny),
        outcome: DecisionOutcome::Evaluated,
        rules: vec!["no-spam".into()],
        categories: vec![Some("spam".into())],
        shadow_rules: vec![],
        pack: "default".into(),
        pack_version: Some("\"etag-1\"".into()),
        elapsed_us: 41,
        detail: None,
    };
    json!(record.to_json_line())
}

fn pack(denied: &str) -> String {
    format!("version = 1\nname = \"{denied}\"\n\n[[rules]]\nid = \"no-{denied}\"\nkind = \"keywords\"\naction = \"deny\"\nterms = [\"{denied}\"]\n")
}

fn review(lambda: &LocalLambda, content: &str, from: usize) -> Result<String, String> {
    let req = json!({"Content": content, "MessageId": "m", "RoomArn": format!("arn:aws:ivschat:{REGION}:{ACCOUNT_ID}:room/r1"),
        "Attributes": {}, "Sender": {"UserId": "u", "Ip": "192.0.2.1", "Attributes": {}}});
    let answer = invoke(lambda, &req, from)?;
    answer["ReviewResult"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no ReviewResult in {answer}"))
}

/// The review handler loads and hot-reloads its pack from S3 under ReviewHandlerRole.
#[test]
fn review_handler_reloads_its_pack_under_its_template_role() {
    const STATE: &str = "the state table grants: this scenario's pack is stateless; \
        review_handler_role_may_only_get_update_and_put_state_items proves each of them";
    const NOT_EXERCISED: &[NotExercised] = &[
        ("Logs", "logs:CreateLogStream", LAMBDA_LOGS),
        ("Logs", "logs:PutLogEvents", LAMBDA_LOGS),
        ("StateTableItems", "dynamodb:GetItem", STATE),
        ("StateTableItems", "dynamodb:PutItem", STATE),
        ("StateTableItems", "dynamodb:UpdateItem", STATE),
    ];
    let stack = Stack::new(&[("RulesReloadSeconds", "1")]);
    let policy = stack.role_policy("ReviewHandlerRole");
    let principal = stack.principal("review", &policy);
    let bucket = stack
        .b
        .parameter("RulesBucket")
        .unwrap_or_default()
        .to_string();
    let key = stack
        .b
        .parameter("RulesKey")
        .unwrap_or_default()
        .to_string();
    stack.block(async {
        let s3 = stack.moto.s3_client().await;
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
    });
    let scenario = |run: usize| -> Result<(), String> {
        let (first, second) = (format!("apple{run}"), format!("banana{run}"));
        stack.block(stack.put(&bucket, &key, pack(&first).into_bytes()));
        // The pack is read at init: a new environment per run.
        let lambda = stack.lambda("ReviewHandlerFunction", "review-handler", &principal);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) && !lambda.function_exited() {
            std::thread::sleep(Duration::from_millis(100));
        }
        if lambda.function_exited() {
            return Err(format!(
                "the handler exited at init: {}",
                lambda.function_output()
            ));
        }
        if review(&lambda, &format!("I like {first}"), 0)? != "DENY" {
            return Err(format!(
                "the pack from S3 is not in use: {}",
                lambda.function_output()
            ));
        }
        stack.block(stack.put(&bucket, &key, pack(&second).into_bytes()));
        let started = Instant::now();
        while review(&lambda, &format!("I like {second}"), 0)? != "DENY" {
            if started.elapsed() > Duration::from_secs(20) {
                return Err(format!(
                    "updated pack not reloaded: {}",
                    lambda.function_output()
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Ok(())
    };
    prove_least_privilege(stack.moto, &principal, &policy, NOT_EXERCISED, scenario);
}

/// The Firehose path: the transform Lambda under FirehoseTransformRole (it makes no AWS
/// call at all), and Firehose itself under FirehoseRole writing the partitioned objects
/// and, for `ProcessingFailed` records, the error prefix, which the Parquet bucket's
/// notification announces to the alarmed error queue.
#[test]
fn firehose_path_runs_under_its_template_roles_and_routes_failures() {
    const FIREHOSE_INTERNAL: &str = "Firehose's own bucket and multipart calls; not reproduced";
    const NOT_EXERCISED: &[NotExercised] = &[
        ("DeliveryBucket", "s3:GetBucketLocation", FIREHOSE_INTERNAL),
        ("DeliveryBucket", "s3:ListBucket", FIREHOSE_INTERNAL),
        (
            "DeliveryBucket",
            "s3:ListBucketMultipartUploads",
            FIREHOSE_INTERNAL,
        ),
        (
            "DeliveryObjects",
            "s3:AbortMultipartUpload",
            FIREHOSE_INTERNAL,
        ),
        ("DeliveryObjects", "s3:GetObject", FIREHOSE_INTERNAL),
        (
            "Transform",
            "lambda:InvokeFunction",
            "invoked through cargo lambda watch, not moto",
        ),
        (
            "Transform",
            "lambda:GetFunctionConfiguration",
            "Firehose's own call; not reproduced",
        ),
        (
            "ErrorLogs",
            "logs:CreateLogStream",
            "Firehose's own error logging; not reproduced",
        ),
        (
            "ErrorLogs",
            "logs:PutLogEvents",
            "Firehose's own error logging; not reproduced",
        ),
    ];
    let stack = Stack::new(&[("FirehoseRoomId", "roomFIREHOSE1")]);
    stack.block(stack.deploy_storage());
    let transform_policy = stack.role_policy("FirehoseTransformRole");
    assert!(
        grants(&transform_policy)
            .iter()
            .all(|g| g.action.starts_with("logs:")),
        "the transform needs no AWS permission besides its logs: {transform_policy:#}"
    );
    let transform_principal = stack.principal("fh-transform", &transform_policy);
    let transform = stack.lambda(
        "FirehoseTransformFunction",
        "ingest-firehose-transform",
        &transform_principal,
    );
    let policy = stack.role_policy("FirehoseRole");
    let principal = stack.principal("firehose", &policy);
    let s3 = stack.block(stack.moto.s3_client_as(&principal.key));
    let parquet = stack.name("ParquetBucket");
    let dest = stack.resolved("ChatLogStream")["ExtendedS3DestinationConfiguration"].clone();
    let prefix = dest["Prefix"].as_str().unwrap_or_default().to_string();
    let error_prefix = dest["ErrorOutputPrefix"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let error_url = stack.block(stack.queue_url("FirehoseErrorQueue"));
    let admin_sqs = aws_sdk_sqs::Client::new(&stack.block(stack.moto.sdk_config()));
    // Configuring the notification sent an s3:TestEvent.
    let _ = stack.block(admin_sqs.purge_queue().queue_url(&error_url).send());

    let scenario = |run: usize| -> Result<(), String> {
        let records: Vec<Value> = [msg(DAY1, &format!("f{run}a")), json!({"not": "an envelope"})]
            .iter()
            .enumerate()
            .map(|(i, r)| json!({"recordId": format!("r{i}"), "approximateArrivalTimestamp": DAY1.unix_timestamp() * 1000,
                "data": STANDARD.encode(r.to_string())}))
            .collect();
        let event = json!({"invocationId": format!("inv{run}"), "region": REGION, "records": records,
            "deliveryStreamArn": stack.attr("ChatLogStream", "Arn")});
        let answer = invoke(&transform, &event, 0)?;
        let mut by_partition: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut failed = Vec::new();
        for (r, original) in answer["records"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(&records)
        {
            match r["result"].as_str() {
                Some("Ok") => {
                    let keys = &r["metadata"]["partitionKeys"];
                    let at = prefix
                        .replace("!{partitionKeyFromLambda:room}", keys["room"].as_str().unwrap_or_default())
                        .replace("!{partitionKeyFromLambda:date}", keys["date"].as_str().unwrap_or_default());
                    let data = STANDARD.decode(r["data"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
                    by_partition.entry(at).or_default().extend(data);
                }
                Some("ProcessingFailed") => failed.push(json!({"attemptsMade": 1, "errorCode": "Lambda.ProcessingFailed",
                    "rawData": original["data"], "lambdaArn": stack.attr("FirehoseTransformFunction", "Arn")})),
                other => return Err(format!("unexpected transform result {other:?}: {answer}")),
            }
        }
        if by_partition.len() != 1 || failed.len() != 1 {
            return Err(format!(
                "expected one Ok partition and one ProcessingFailed record: {answer}"
            ));
        }
        let put = |key: String, body: Vec<u8>| {
            stack
                .block(
                    s3.put_object()
                        .bucket(&parquet)
                        .key(&key)
                        .body(ByteStream::from(body))
                        .send(),
                )
                .map(|_| ())
                .map_err(|e| format!("Firehose PutObject {key}: {e:?}"))
        };
        for (at, data) in by_partition {
            if !at.starts_with("firehose/room=roomFIREHOSE1/date=2023-01-05/") {
                return Err(format!("partition prefix {at}"));
            }
            put(
                format!("{at}{}-1-{run}.gz", stack.name("ChatLogStream")),
                gz_bytes(&data),
            )?;
        }
        let errors_at = error_prefix
            .replace("!{firehose:error-output-type}", "processing-failed")
            .replace("!{timestamp:yyyy/MM/dd}", "2023/01/05");
        let lines: Vec<u8> = failed
            .iter()
            .flat_map(|f| format!("{f}\n").into_bytes())
            .collect();
        put(
            format!("{errors_at}{}-err-{run}.gz", stack.name("ChatLogStream")),
            gz_bytes(&lines),
        )?;
        Ok(())
    };
    prove_least_privilege(stack.moto, &principal, &policy, NOT_EXERCISED, scenario);
    let announced = stack
        .block(
            admin_sqs
                .receive_message()
                .queue_url(&error_url)
                .max_number_of_messages(10)
                .send(),
        )
        .unwrap();
    assert!(
        announced
            .messages()
            .iter()
            // S3 event keys are URL-encoded.
            .any(|m| m
                .body()
                .unwrap_or_default()
                .replace("%2F", "/")
                .contains("firehose-errors/processing-failed/")),
        "error objects are announced to the alarmed FirehoseErrorQueue: {:?}",
        announced.messages()
    );
    let delivered = stack.block(stack.keys(&parquet, "firehose/room=roomFIREHOSE1/"));
    assert!(!delivered.is_empty());
}

fn gz_bytes(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// `log-ingest s3` backfill of the S3 delivery into the `chat/` table under the
/// documented operator policy `infra/backfill-operator-policy.json`.
#[test]
fn backfill_operator_policy_is_sufficient_and_necessary() {
    const NOT_EXERCISED: &[NotExercised] =
        &[("MissingManifestIsNotFound", "s3:ListBucket", LIST_FOR_404)];
    let stack = Stack::new(&[]);
    stack.block(stack.deploy_storage());
    let path = test_support::workspace_root().join("infra/backfill-operator-policy.json");
    let policy = stack
        .template
        .resolve_policy_file(&path, &stack.b)
        .unwrap_or_else(|e| panic!("{e}"));
    let principal = stack.principal("operator", &policy);
    let bin = workspace_binary("log-ingest").unwrap_or_else(|e| panic!("{e}"));
    let (logs, parquet) = (stack.name("LogBucket"), stack.name("ParquetBucket"));
    let state = tempfile::tempdir().expect("tempdir");

    let scenario = |run: usize| -> Result<(), String> {
        let room = format!("roomOPRUN{run:03}");
        let key = s3_key(ACCOUNT_ID, REGION, &room, DAY1, "0a1b2c3d");
        let input =
            format!("s3://{logs}/AWSLogs/{ACCOUNT_ID}/IVSChatLogs/1.0/{REGION}/room_{room}/");
        let backfill = |what: &str| -> Result<Value, String> {
            let out = Command::new(&bin)
                .envs(stack.moto.child_env_as(&principal.key))
                .args([
                    "s3",
                    &input,
                    "--out",
                    &format!("s3://{parquet}/chat/"),
                    "--no-resume",
                    "--state",
                ])
                .arg(state.path().join(format!("state-{run}.tsv")))
                .output()
                .map_err(|e| e.to_string())?;
            let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            if !out.status.success() || report["failed"] != 0 {
                return Err(format!(
                    "{what}: {} {report}\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            Ok(report)
        };
        let rows = |prefix: &str| stack.block(stack.keys(&parquet, &format!("chat/{prefix}")));
        stack.block(stack.put(&logs, &key, gz(&[msg(DAY1, "o1"), msg(DAY2, "o2")])));
        backfill("first backfill")?;
        if rows(&format!("room={room}/")).len() != 2 {
            return Err(format!("expected two record files: {:?}", rows("")));
        }
        stack.block(stack.put(&logs, &key, gz(&[msg(DAY2, "o1")])));
        backfill("re-ingest of a rewritten object")?;
        if rows(&format!("room={room}/")).len() != 1 {
            return Err(format!("stale output not deleted: {:?}", rows("")));
        }
        stack.block(stack.put(&logs, &key, b"garbage".to_vec()));
        backfill("unreadable object")?;
        if rows("_quarantine/").is_empty() || !rows(&format!("room={room}/")).is_empty() {
            return Err(format!("not quarantined: {:?}", rows("")));
        }
        stack.block(stack.put(&logs, &key, gz(&[msg(DAY1, "o1")])));
        backfill("clean again")?;
        if rows("_quarantine/").iter().any(|k| k.contains(&room)) {
            return Err("stale quarantine object not deleted".into());
        }
        Ok(())
    };
    prove_least_privilege(stack.moto, &principal, &policy, NOT_EXERCISED, scenario);
}

// ------------------------------------------------------------------ moderation state (issue 14)
//
// moto 5.2.5 authorises DynamoDB and DynamoDB Streams calls against the resource `*`
// (neither service names the table or stream it acts on), so a statement scoped to the
// state table's ARN would match nothing there. These tests therefore prove the ACTIONS
// through moto, with each DynamoDB statement's `Resource` widened to `*`
// (`dynamodb_resources_widened`), and the RESOURCES statically: every DynamoDB statement
// of the role names exactly the state table (or its streams), which IAM's wildcard match
// (`iam_resource_matches`, `*` and `?`) does not stretch to another table, an index or
// (for the handler) the stream.

/// The DynamoDB JSON protocol's SigV4 name (DynamoDB Streams signs as `dynamodb` too).
const DYNAMODB: &str = "dynamodb";
/// `X-Amz-Target` prefixes of DynamoDB and DynamoDB Streams.
const DDB: &str = "DynamoDB_20120810";
const STREAMS: &str = "DynamoDBStreams_20120810";

/// One DynamoDB (`api` = [`DDB`]) or DynamoDB Streams ([`STREAMS`]) call signed with `key`.
fn dynamodb(
    stack: &Stack,
    key: &test_support::AccessKey,
    (api, op): (&str, &str),
    body: Value,
) -> Result<Value, String> {
    stack
        .moto
        .json_call(key, DYNAMODB, &format!("{api}.{op}"), &body)
        .map_err(|e| format!("{op}: {e}"))
}

/// IAM's resource match: `*` any run of characters, `?` one character.
fn iam_resource_matches(pattern: &str, arn: &str) -> bool {
    let (p, a): (Vec<char>, Vec<char>) = (pattern.chars().collect(), arn.chars().collect());
    let mut dp = vec![vec![false; a.len() + 1]; p.len() + 1];
    dp[0][0] = true;
    for i in 1..=p.len() {
        dp[i][0] = dp[i - 1][0] && p[i - 1] == '*';
        for j in 1..=a.len() {
            dp[i][j] = match p[i - 1] {
                '*' => dp[i - 1][j] || dp[i][j - 1],
                '?' => dp[i - 1][j - 1],
                c => dp[i - 1][j - 1] && c == a[j - 1],
            };
        }
    }
    dp[p.len()][a.len()]
}

/// The resources `policy`'s DynamoDB statements grant.
fn dynamodb_resources(policy: &Value) -> Vec<String> {
    grants(policy)
        .into_iter()
        .filter(|g| g.action.starts_with("dynamodb:"))
        .map(|g| g.resource)
        .collect()
}

/// `policy` with every DynamoDB statement's `Resource` set to `*` (see above).
fn dynamodb_resources_widened(policy: &Value) -> Value {
    let mut p = policy.clone();
    for s in p["Statement"].as_array_mut().into_iter().flatten() {
        if list(&s["Action"])
            .iter()
            .any(|a| a.starts_with("dynamodb:"))
        {
            s["Resource"] = json!("*");
        }
    }
    p
}

/// Creates the template's state table (key schema, billing, stream) as the admin.
fn deploy_state_table(stack: &Stack) -> String {
    let p = stack.resolved("StateTable");
    let name = stack.name("StateTable");
    let admin = stack.moto.admin_key().clone();
    dynamodb(stack, &admin, (DDB, "CreateTable"),
        json!({"TableName": name, "KeySchema": p["KeySchema"], "AttributeDefinitions": p["AttributeDefinitions"],
               "BillingMode": p["BillingMode"], "StreamSpecification": {"StreamEnabled": true,
               "StreamViewType": p["StreamSpecification"]["StreamViewType"]}}),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    name
}

/// A stack with the template's state table (and, with `storage`, its buckets and
/// queues): the table's name, `role`'s policy and the DynamoDB resources it grants.
fn state_stack(role: &str, storage: bool) -> (Stack, String, Value, Vec<String>) {
    let stack = Stack::new(&[]);
    if storage {
        stack.block(stack.deploy_storage());
    }
    let table = deploy_state_table(&stack);
    let policy = stack.role_policy(role);
    let resources = dynamodb_resources(&policy);
    (stack, table, policy, resources)
}

/// Calls a principal must NOT be able to make on the state table (and another table).
fn forbidden_calls(table: &str) -> Vec<(&'static str, Value)> {
    let key = json!({"pk": {"S": "U#r#u"}});
    vec![
        ("Scan", json!({"TableName": table})),
        (
            "Query",
            json!({"TableName": table, "KeyConditionExpression": "pk = :p",
                         "ExpressionAttributeValues": {":p": {"S": "U#r#u"}}}),
        ),
        ("DeleteItem", json!({"TableName": table, "Key": key})),
        (
            "BatchWriteItem",
            json!({"RequestItems": {table: [{"DeleteRequest": {"Key": key}}]}}),
        ),
        (
            "BatchGetItem",
            json!({"RequestItems": {table: {"Keys": [key]}}}),
        ),
        ("DescribeTable", json!({"TableName": table})),
        (
            "UpdateTable",
            json!({"TableName": table, "BillingMode": "PAY_PER_REQUEST"}),
        ),
        ("DeleteTable", json!({"TableName": table})),
        ("ListTables", json!({})),
    ]
}

fn assert_all_denied(
    stack: &Stack,
    key: &test_support::AccessKey,
    calls: &[(&str, Value)],
    who: &str,
) {
    for (op, body) in calls {
        match dynamodb(stack, key, (DDB, op), body.clone()) {
            Err(e) if is_access_denied(&e) => {}
            other => panic!("{who} must not {op}: {other:?}"),
        }
    }
}

/// The review handler's store under ReviewHandlerRole: the item operations of the state
/// contract (STATE-API.md) succeed on the state table, and nothing else does.
#[test]
fn review_handler_role_may_only_get_update_and_put_state_items() {
    const NOT_EXERCISED: &[NotExercised] = &[
        ("Logs", "logs:CreateLogStream", LAMBDA_LOGS),
        ("Logs", "logs:PutLogEvents", LAMBDA_LOGS),
        (
            "ReadRulePack",
            "s3:GetObject",
            "the pack load: review_handler_reloads_its_pack_under_its_template_role",
        ),
    ];
    let (stack, table, policy, resources) = state_stack("ReviewHandlerRole", false);
    // Resources, statically: exactly the table.
    let table_arn = stack.attr("StateTable", "Arn");
    assert!(
        !resources.is_empty() && resources.iter().all(|r| *r == table_arn),
        "{resources:?}"
    );
    for other in [
        format!("arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{table}-other"),
        format!("{table_arn}/index/by-user"),
        stack.attr("StateTable", "StreamArn"),
    ] {
        assert!(
            !resources.iter().any(|r| iam_resource_matches(r, &other)),
            "{other} must not be granted"
        );
    }
    let policy = dynamodb_resources_widened(&policy);
    let principal = stack.principal("state-handler", &policy);
    let key = principal.key.clone();
    let scenario = |run: usize| -> Result<(), String> {
        let (user, disconnect) = (
            format!("U#room1#u{run}"),
            format!("D#room1#u{run}#1700000000000"),
        );
        // Touch-like update of a user record, a counter, a disconnect request, a read.
        dynamodb(
            &stack,
            &key,
            (DDB, "UpdateItem"),
            json!({"TableName": table, "Key": {"pk": {"S": user}},
            "UpdateExpression": "SET first_seen = if_not_exists(first_seen, :t), expires_at = :e",
            "ExpressionAttributeValues": {":t": {"N": "1700000000000"}, ":e": {"N": "1700086400"}},
            "ReturnValues": "ALL_OLD"}),
        )?;
        dynamodb(
            &stack,
            &key,
            (DDB, "UpdateItem"),
            json!({"TableName": table, "Key": {"pk": {"S": format!("C#room1#msgs#{run}#0")}},
            "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"}),
        )?;
        dynamodb(
            &stack,
            &key,
            (DDB, "PutItem"),
            json!({"TableName": table, "Item": {"pk": {"S": disconnect},
            "room": {"S": "room1"}, "user": {"S": format!("u{run}")}, "reason": {"S": "strikes"},
            "at": {"N": "1700000000000"}, "expires_at": {"N": "1700086400"}}}),
        )?;
        let got = dynamodb(
            &stack,
            &key,
            (DDB, "GetItem"),
            json!({"TableName": table, "Key": {"pk": {"S": user}}}),
        )?;
        if got["Item"]["first_seen"]["N"] != "1700000000000" {
            return Err(format!("GetItem answered {got}"));
        }
        Ok(())
    };
    prove_least_privilege(stack.moto, &principal, &policy, NOT_EXERCISED, scenario);
    assert_all_denied(&stack, &key, &forbidden_calls(&table), "the review handler");
}

/// Lambda's event filter for the stream mapping, as far as the template uses it: object
/// members match recursively; a list matches when the event's value equals one of its
/// scalars or starts with one of its `{"prefix": ...}`.
fn filter_matches(pattern: &Value, event: &Value) -> bool {
    match pattern {
        Value::Object(members) => members
            .iter()
            .all(|(k, p)| event.get(k).is_some_and(|e| filter_matches(p, e))),
        Value::Array(options) => options.iter().any(|o| match o {
            Value::Object(rule) => rule["prefix"]
                .as_str()
                .zip(event.as_str())
                .is_some_and(|(p, e)| e.starts_with(p)),
            scalar => scalar == event,
        }),
        _ => false,
    }
}

/// The enforcer's path under EnforcerRole: the test plays the stream's event source
/// mapping with the role's credentials (ListStreams, DescribeStream, GetShardIterator,
/// GetRecords, the template's filter) and its on-failure destination (SendMessage); the
/// enforcer binary, with the template's environment, disconnects the user at a capture
/// server standing in for IVS (moto has no IVS Chat: `ivschat:DisconnectUser`'s scope is
/// checked statically). The role has no item access to the table at all.
#[test]
fn enforcer_role_reads_only_the_state_stream() {
    const NOT_EXERCISED: &[NotExercised] = &[
        ("Logs", "logs:CreateLogStream", LAMBDA_LOGS),
        ("Logs", "logs:PutLogEvents", LAMBDA_LOGS),
        (
            "DisconnectUsers",
            "ivschat:DisconnectUser",
            "moto has no IVS Chat: the call goes to a capture server; its resources are checked statically",
        ),
    ];
    let (stack, table, policy, resources) = state_stack("EnforcerRole", true);
    let table_arn = stack.attr("StateTable", "Arn");
    assert!(
        !resources.is_empty()
            && resources
                .iter()
                .all(|r| r.starts_with(&format!("{table_arn}/stream/"))),
        "{resources:?}"
    );
    assert!(
        !resources
            .iter()
            .any(|r| iam_resource_matches(r, &table_arn)),
        "no table access: {resources:?}"
    );
    let room = stack.attr("ChatRoom", "Arn");
    let ivs: Vec<Grant> = grants(&policy)
        .into_iter()
        .filter(|g| g.action.starts_with("ivschat:"))
        .collect();
    assert!(
        ivs.len() == 1 && ivs[0].action == "ivschat:DisconnectUser" && ivs[0].resource == room,
        "DisconnectUser in the stack's room only: {ivs:?}"
    );
    let policy = dynamodb_resources_widened(&policy);
    let principal = stack.principal("enforcer", &policy);
    let key = principal.key.clone();
    let capture = test_support::CaptureServer::start(|_| test_support::Reply::json(200, "{}"))
        .expect("capture");
    let mut env = stack
        .template
        .function_env("EnforcerFunction", &stack.b)
        .unwrap_or_else(|e| panic!("{e}"));
    env.extend(stack.moto.child_env_as(&key));
    env.push(("AWS_ENDPOINT_URL_IVSCHAT".into(), capture.endpoint()));
    let bin = workspace_binary("enforcer").unwrap_or_else(|e| panic!("{e}"));
    let enforcer = LocalLambda::start(bin, &env).unwrap_or_else(|e| panic!("{e}"));
    let mapping = stack.resolved("EnforcerStreamMapping");
    let filter: Value = serde_json::from_str(
        mapping["FilterCriteria"]["Filters"][0]["Pattern"]
            .as_str()
            .unwrap_or_default(),
    )
    .expect("the mapping's filter pattern");
    let failure_url = stack.block(stack.queue_url("EnforcerFailureQueue"));
    let sqs = aws_sdk_sqs::Client::new(&stack.block(stack.moto.sdk_config_as(&key)));
    let admin = stack.moto.admin_key().clone();

    let scenario = |run: usize| -> Result<(), String> {
        let user = format!("troll{run}");
        capture.clear();
        // The handler's writes (as the admin): a user record and a disconnect request.
        for item in [
            json!({"pk": {"S": format!("U#ChatRoom#{user}")}, "strikes": {"N": "9"}}),
            json!({"pk": {"S": format!("D#ChatRoom#{user}#1700000000000")}, "room": {"S": "ChatRoom"},
                   "user": {"S": user}, "reason": {"S": "strikes"}, "at": {"N": "1700000000000"}}),
        ] {
            dynamodb(
                &stack,
                &admin,
                (DDB, "PutItem"),
                json!({"TableName": table, "Item": item}),
            )?;
        }
        // The event source mapping, with the role's credentials.
        let listed = dynamodb(
            &stack,
            &key,
            (STREAMS, "ListStreams"),
            json!({"TableName": table}),
        )?;
        let stream_arn = listed["Streams"][0]["StreamArn"]
            .as_str()
            .ok_or(format!("no stream: {listed}"))?
            .to_string();
        let described = dynamodb(
            &stack,
            &key,
            (STREAMS, "DescribeStream"),
            json!({"StreamArn": stream_arn}),
        )?;
        let shard = described["StreamDescription"]["Shards"][0]["ShardId"]
            .as_str()
            .ok_or(format!("no shard: {described}"))?
            .to_string();
        let it = dynamodb(
            &stack,
            &key,
            (STREAMS, "GetShardIterator"),
            json!({"StreamArn": stream_arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
        )?;
        let got = dynamodb(
            &stack,
            &key,
            (STREAMS, "GetRecords"),
            json!({"ShardIterator": it["ShardIterator"]}),
        )?;
        let mine: Vec<Value> = got["Records"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| {
                r["dynamodb"]["Keys"]["pk"]["S"]
                    .as_str()
                    .is_some_and(|pk| pk.contains(&format!("#{user}")))
            })
            .cloned()
            .collect();
        let delivered: Vec<Value> = mine
            .iter()
            .filter(|r| filter_matches(&filter, r))
            .cloned()
            .map(|mut r| {
                r["eventSourceARN"] = json!(stream_arn);
                r
            })
            .collect();
        if mine.len() != 2 || delivered.len() != 1 {
            return Err(format!(
                "the filter must pass the D# record only: {mine:#?}"
            ));
        }
        let answer = invoke(&enforcer, &json!({ "Records": delivered }), 0)?;
        if answer != json!({"batchItemFailures": []}) {
            return Err(format!(
                "enforcer answered {answer}: {}",
                enforcer.function_output()
            ));
        }
        let sent = capture.requests();
        let body: Value = sent
            .first()
            .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
            .unwrap_or(Value::Null);
        if sent.len() != 1
            || body["roomIdentifier"] != room.as_str()
            || body["userId"] != user.as_str()
        {
            return Err(format!(
                "expected one DisconnectUser of {user} in {room}: {sent:?}"
            ));
        }
        // The on-failure destination: the Lambda service sends a discarded batch's
        // description with the role's credentials.
        let discarded = json!({"requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 11},
            "DDBStreamBatchInfo": {"streamArn": stream_arn, "shardId": shard, "batchSize": 1}});
        stack
            .block(
                sqs.send_message()
                    .queue_url(&failure_url)
                    .message_body(discarded.to_string())
                    .send(),
            )
            .map_err(|e| format!("on-failure destination SendMessage: {e:?}"))?;
        Ok(())
    };
    prove_least_privilege(stack.moto, &principal, &policy, NOT_EXERCISED, scenario);
    let mut forbidden = forbidden_calls(&table);
    forbidden.push((
        "GetItem",
        json!({"TableName": table, "Key": {"pk": {"S": "U#r#u"}}}),
    ));
    forbidden.push((
        "PutItem",
        json!({"TableName": table, "Item": {"pk": {"S": "D#r#u#1"}}}),
    ));
    forbidden.push((
        "UpdateItem",
        json!({"TableName": table, "Key": {"pk": {"S": "U#r#u"}},
        "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": {"N": "1"}}}),
    ));
    assert_all_denied(&stack, &key, &forbidden, "the enforcer");
}

#[test]
fn the_iam_resource_match_and_the_filter_match_can_fail() {
    assert!(iam_resource_matches(
        "arn:t/x/stream/*",
        "arn:t/x/stream/2024"
    ));
    assert!(!iam_resource_matches("arn:t/x", "arn:t/x/stream/2024"));
    assert!(!iam_resource_matches("arn:t/x", "arn:t/xy"));
    assert!(iam_resource_matches("arn:t/?", "arn:t/x"));
    let filter =
        json!({"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "D#"}]}}}});
    let rec =
        |ev: &str, pk: &str| json!({"eventName": ev, "dynamodb": {"Keys": {"pk": {"S": pk}}}});
    assert!(filter_matches(&filter, &rec("INSERT", "D#r#u#1")));
    assert!(!filter_matches(&filter, &rec("REMOVE", "D#r#u#1")));
    assert!(!filter_matches(&filter, &rec("INSERT", "U#r#u")));
}
