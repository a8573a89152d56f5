//! The `enforcer` binary under `cargo lambda watch`, its IVS Chat calls captured byte for
//! byte by a loopback server standing in for IVS (moto has no IVS Chat API): what it
//! sends must be exactly `DisconnectUser` as the IVS Chat API reference defines it
//! (`POST /DisconnectUser`, `Content-Type: application/json`, body members
//! `roomIdentifier`, `userId`, `reason`, SigV4 for service `ivschat`), and what it
//! answers must be the DynamoDB Streams batch response: 200 and 404
//! (`ResourceNotFoundException`) are done, a 500 makes that record a batch item failure,
//! and a redelivered batch disconnects again harmlessly.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::{AccessKey, CaptureServer, CapturedRequest, LocalLambda, Reply};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
const KEY_ID: &str = "AKIDENFORCERTEST";
const SECRET: &str = "enforcer-test-secret";

fn prefix() -> String {
    format!("arn:aws:ivschat:{REGION}:{ACCOUNT}:room/")
}

/// A stream record as Lambda delivers it for a `NEW_IMAGE` stream.
fn record(event: &str, seq: &str, image: Value) -> Value {
    json!({
        "eventID": format!("ev{seq}"), "eventName": event, "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": REGION,
        "dynamodb": {"ApproximateCreationDateTime": 1_700_000_000, "Keys": {"pk": image["pk"].clone()},
                     "NewImage": image, "SequenceNumber": seq, "SizeBytes": 120, "StreamViewType": "NEW_IMAGE"},
        "eventSourceARN": format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/stream/2024-01-01T00:00:00.000")
    })
}

fn disconnect(room: &str, user: &str, reason: &str) -> Value {
    json!({"pk": {"S": format!("D#{room}#{user}#1700000000000")}, "room": {"S": room},
           "user": {"S": user}, "reason": {"S": reason}, "at": {"N": "1700000000000"},
           "expires_at": {"N": "1700086400"}})
}

/// IVS as the test scripts it: 404 for users in `gone`, 500 for users in `failing`,
/// else 200 `{}`.
struct Ivs {
    server: CaptureServer,
    failing: Arc<Mutex<BTreeSet<String>>>,
}

fn ivs(gone: &[&str]) -> Ivs {
    let failing = Arc::new(Mutex::new(BTreeSet::new()));
    let gone: BTreeSet<String> = gone.iter().map(|s| s.to_string()).collect();
    let f = failing.clone();
    let server = CaptureServer::start(move |r: &CapturedRequest| {
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let user = body["userId"].as_str().unwrap_or_default().to_string();
        if f.lock().unwrap().contains(&user) {
            Reply::aws_error(500, "InternalServerException", "try again")
        } else if gone.contains(&user) {
            Reply::aws_error(404, "ResourceNotFoundException", "no such user")
        } else {
            Reply::json(200, "{}")
        }
    })
    .expect("capture server");
    Ivs { server, failing }
}

fn enforcer(ivs_endpoint: &str, extra: &[(&str, &str)]) -> LocalLambda {
    let mut env: Vec<(String, String)> = [
        ("ROOM_ARN_PREFIX", prefix().as_str()),
        ("METRICS_NAMESPACE", "EnforcerTest"),
        ("AWS_ENDPOINT_URL_IVSCHAT", ivs_endpoint),
        // The service-specific endpoint must win over the generic one (which goes nowhere).
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_ACCESS_KEY_ID", KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", REGION),
        // One attempt per call: a 500 is reported at once (the SDK would retry it).
        ("AWS_MAX_ATTEMPTS", "1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push((k.to_string(), v.to_string()));
    }
    LocalLambda::start(env!("CARGO_BIN_EXE_enforcer"), &env)
        .expect("enforcer under cargo lambda watch")
}

fn invoke(l: &LocalLambda, records: Vec<Value>) -> Value {
    l.invoke(&json!({ "Records": records }))
        .unwrap_or_else(|e| panic!("{e}\n{}", l.function_output()))
}

/// Checks one captured request against the `DisconnectUser` contract; `body` is the
/// exact JSON expected (members in the order of the API reference's request syntax).
fn assert_disconnect_user(r: &CapturedRequest, body: &str) {
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/DisconnectUser");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        body,
        "the body, byte for byte"
    );
    assert_eq!(r.header("content-length"), Some(&*body.len().to_string()));
    let auth = r
        .header("authorization")
        .expect("a SigV4 Authorization header");
    let scope = format!("/{REGION}/ivschat/aws4_request");
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={KEY_ID}/"))
            && auth.contains(&scope),
        "signed for ivschat in {REGION} with the function's key: {auth}"
    );
    let key = AccessKey {
        id: KEY_ID.into(),
        secret: SECRET.into(),
    };
    assert_eq!(
        r.verify_sigv4(&key).unwrap_or_else(|e| panic!("{e}")),
        (REGION.to_string(), "ivschat".to_string())
    );
    let wrong = AccessKey {
        secret: "another-secret".into(),
        ..key
    };
    assert!(r.verify_sigv4(&wrong).is_err(), "the check can fail");
}

#[test]
fn disconnects_exactly_as_the_ivs_api_defines_and_reports_only_failed_records() {
    let ivs = ivs(&["bob"]);
    ivs.failing.lock().unwrap().insert("carol".into());
    let lambda = enforcer(&ivs.server.endpoint(), &[]);
    let long = "x".repeat(300);
    let batch = vec![
        record(
            "INSERT",
            "100",
            disconnect("roomA1", "alice", "strikes: 5 (spam, slurs)"),
        ),
        record(
            "INSERT",
            "200",
            json!({"pk": {"S": "U#roomA1#alice"}, "strikes": {"N": "5"}}),
        ),
        record("INSERT", "300", disconnect("roomA1", "bob", "gone already")),
        record("INSERT", "400", disconnect("roomB2", "carol", &long)),
        record("REMOVE", "500", disconnect("roomA1", "dave", "expired")),
    ];
    let answer = invoke(&lambda, batch.clone());
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": "400"}]}),
        "only the 500 is retried; the 404 is done: {}",
        lambda.function_output()
    );
    let sent = ivs.server.requests();
    assert_eq!(sent.len(), 3, "one call per disconnect request: {sent:#?}");
    let expected = |room: &str, user: &str, reason: &str| {
        format!(
            r#"{{"reason":"{reason}","roomIdentifier":"{}{room}","userId":"{user}"}}"#,
            prefix()
        )
    };
    assert_disconnect_user(
        &sent[0],
        &expected("roomA1", "alice", "strikes: 5 (spam, slurs)"),
    );
    assert_disconnect_user(&sent[1], &expected("roomA1", "bob", "gone already"));
    assert_disconnect_user(&sent[2], &expected("roomB2", "carol", &"x".repeat(256)));

    // The metrics line of the invocation.
    let out = lambda.function_output();
    let emf: Value = out
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "EnforcerTest")
        .unwrap_or_else(|| panic!("no EMF line in {out}"));
    assert_eq!(
        (
            &emf["Disconnects"],
            &emf["DisconnectsNotFound"],
            &emf["DisconnectFailures"],
            &emf["StreamRecordsSkipped"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(2)),
        "{emf}"
    );

    // Lambda redelivers from the failed record on; IVS has recovered. Carol is
    // disconnected, the rest of the batch again harmlessly.
    ivs.failing.lock().unwrap().clear();
    ivs.server.clear();
    let answer = invoke(&lambda, batch[3..].to_vec());
    assert_eq!(answer, json!({"batchItemFailures": []}));
    let again = ivs.server.requests();
    assert_eq!(again.len(), 1);
    assert_disconnect_user(&again[0], &expected("roomB2", "carol", &"x".repeat(256)));
    // The whole batch redelivered (e.g. after a timeout): every call succeeds again.
    ivs.server.clear();
    assert_eq!(invoke(&lambda, batch), json!({"batchItemFailures": []}));
    assert_eq!(ivs.server.requests().len(), 3);
}

#[test]
fn a_request_without_a_reason_omits_it_and_an_unreachable_ivs_is_a_failure() {
    let ivs = ivs(&[]);
    let lambda = enforcer(&ivs.server.endpoint(), &[]);
    let mut image = disconnect("r9", "erin", "");
    image.as_object_mut().unwrap().remove("reason");
    let answer = invoke(&lambda, vec![record("INSERT", "7", image)]);
    assert_eq!(answer, json!({"batchItemFailures": []}));
    let sent = ivs.server.requests();
    assert_eq!(sent.len(), 1);
    assert_disconnect_user(
        &sent[0],
        &format!(r#"{{"roomIdentifier":"{}r9","userId":"erin"}}"#, prefix()),
    );
    drop(lambda);
    // IVS unreachable (nothing listens there): the record is retried, not dropped.
    let lambda = enforcer("http://127.0.0.1:9", &[]);
    let answer = invoke(
        &lambda,
        vec![record("INSERT", "8", disconnect("r9", "erin", "x"))],
    );
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": "8"}]})
    );
}

#[test]
fn a_missing_or_bad_room_arn_prefix_stops_init_and_names_the_variable() {
    for bad in ["", "arn:aws:ivschat:us-east-1:123456789012:channel/"] {
        let lambda = enforcer("http://127.0.0.1:9", &[("ROOM_ARN_PREFIX", bad)]);
        let started = Instant::now();
        while !lambda.function_exited() && started.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(lambda.function_exited(), "init must fail for {bad:?}");
        let out = lambda.function_output();
        assert!(out.contains("ROOM_ARN_PREFIX"), "{out}");
    }
}
