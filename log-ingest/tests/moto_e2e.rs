//! End to end against moto and the local Lambda runtime: IVS objects in S3 -> SQS ->
//! `ingest-s3-sqs` -> Parquet in S3; Firehose delivery -> CLI backfill and the transform
//! Lambda; CloudWatch put-log-events -> subscription batch -> `ingest-cloudwatch`, for the
//! chat log group and (same function, `DECISIONS_LOG_GROUPS`) the review handler's audit
//! lines to the decisions table.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{delete, gz_lines, ivs_key, message, parquet_rows, Row};
use serde_json::{json, Value};
use test_support::{unique_name, LocalLambda, MotoServer};

use test_support::s3::{create_bucket as bucket, put_object as put};

/// Every object under `bucket`: key -> bytes.
async fn objects(s3: &aws_sdk_s3::Client, bucket: &str) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let list = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    for o in list.contents() {
        let key = o.key().unwrap().to_string();
        let body = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
        out.insert(key, body.body.collect().await.unwrap().to_vec());
    }
    out
}

/// Rows of every Parquet object, and the quarantine entries, of an output bucket.
async fn read_back(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
) -> (BTreeMap<String, Vec<Row>>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let mut parquet = BTreeMap::new();
    let mut quarantine = Vec::new();
    for (key, bytes) in objects(s3, bucket).await {
        if key.ends_with(".parquet") {
            let p = dir.path().join("x.parquet");
            std::fs::write(&p, &bytes).unwrap();
            parquet.insert(key, parquet_rows(&p));
        } else if key.contains("_quarantine/") {
            for l in String::from_utf8(bytes).unwrap().lines() {
                quarantine.push(serde_json::from_str(l).unwrap());
            }
        }
    }
    (parquet, quarantine)
}

fn lambda(bin: &str, moto: &MotoServer, extra: &[(&str, &str)]) -> LocalLambda {
    let mut env = moto.child_env();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    LocalLambda::start(bin, &env).unwrap_or_else(|e| panic!("starting {bin}: {e}"))
}

fn invoke(l: &LocalLambda, ev: &Value) -> Value {
    tokio::task::block_in_place(|| l.invoke(ev)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_objects_via_sqs_notifications_to_parquet_with_quarantine_and_idempotent_redelivery() {
    let moto = MotoServer::shared();
    let conf = moto.sdk_config().await;
    let s3 = moto.s3_client().await;
    let sqs = aws_sdk_sqs::Client::new(&conf);
    let input = bucket(&s3, "ivs-logs").await;
    let output = bucket(&s3, "chat-tables").await;
    let queue = sqs
        .create_queue()
        .queue_name(unique_name("ingest"))
        .send()
        .await
        .unwrap();
    let queue_url = queue.queue_url().unwrap().to_string();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    let notif = aws_sdk_s3::types::NotificationConfiguration::builder()
        .queue_configurations(
            aws_sdk_s3::types::QueueConfiguration::builder()
                .queue_arn(&queue_arn)
                .events(aws_sdk_s3::types::Event::S3ObjectCreated)
                .build()
                .unwrap(),
        )
        .build();
    s3.put_bucket_notification_configuration()
        .bucket(&input)
        .notification_configuration(notif)
        .send()
        .await
        .unwrap();

    // A good object (its key has a space: notifications URL-encode it) and a corrupt one.
    let good_key = ivs_key("backfill 1/", "roomAAAAAAAA", "0001");
    let good = vec![
        message("msg000000001", 40, "alice", "hello"),
        message("msg000000002", 41, "bob", "spam spam"),
        delete("evt000000001", 42, "msg000000002", "Spam"),
    ];
    put(&s3, &input, &good_key, gz_lines(&good)).await;
    let bad_key = ivs_key("", "roomBBBBBBBB", "0002");
    let many: Vec<String> = (0..300)
        .map(|i| {
            message(
                &format!("m{i:011}"),
                45,
                "carol",
                "a fairly long message body to fill the gzip stream",
            )
        })
        .collect();
    let mut corrupt = gz_lines(&many);
    corrupt.truncate(corrupt.len() * 2 / 3);
    put(&s3, &input, &bad_key, corrupt).await;

    let mut messages = Vec::new();
    for _ in 0..10 {
        let r = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        messages.extend(r.messages().iter().cloned());
        let announcing = messages
            .iter()
            .filter(|m| m.body().unwrap_or_default().contains("ObjectCreated"))
            .count();
        if announcing >= 2 {
            break;
        }
    }
    // Besides one notification per object, S3 sends an s3:TestEvent when notifications are
    // configured: the Lambda must acknowledge it too.
    let announcing = messages
        .iter()
        .filter(|m| m.body().unwrap_or_default().contains("ObjectCreated"))
        .count();
    assert_eq!(announcing, 2, "one S3 notification per object");
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({"messageId": m.message_id().unwrap(), "receiptHandle": m.receipt_handle().unwrap(),
                   "body": m.body().unwrap(), "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
                   "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": "us-east-1"})
        })
        .collect();
    assert!(
        records
            .iter()
            .any(|r| r["body"].as_str().unwrap().contains("backfill+1")),
        "keys arrive URL-encoded"
    );
    let mut with_junk = records.clone();
    with_junk
        .push(json!({"messageId": "junk-1", "body": "not an S3 event", "eventSource": "aws:sqs"}));
    let event = json!({ "Records": with_junk });

    let l = lambda(
        env!("CARGO_BIN_EXE_ingest-s3-sqs"),
        moto,
        &[("OUTPUT_URI", &format!("s3://{output}/chat/"))],
    );
    let resp = invoke(&l, &event);
    assert_eq!(
        resp,
        json!({"batchItemFailures": [{"itemIdentifier": "junk-1"}]}),
        "{}",
        l.function_output()
    );

    let (parquet, quarantine) = read_back(&s3, &output).await;
    let good_rows: Vec<&Row> = parquet
        .iter()
        .filter(|(k, _)| k.contains("room=roomAAAAAAAA"))
        .flat_map(|(_, v)| v)
        .collect();
    assert_eq!(good_rows.len(), 3);
    assert!(good_rows
        .iter()
        .any(|r| r.2.as_deref() == Some("aws:DELETE_MESSAGE")
            && r.3.as_deref() == Some("msg000000002")));
    assert!(
        parquet
            .keys()
            .all(|k| k.starts_with("chat/room=") && k.contains("/date=2023-01-05/")),
        "{:?}",
        parquet.keys()
    );
    let bad_rows: usize = parquet
        .iter()
        .filter(|(k, _)| k.contains("room=roomBBBBBBBB"))
        .map(|(_, v)| v.len())
        .sum();
    assert!(
        bad_rows > 0 && bad_rows < 300,
        "good records of the corrupt object kept: {bad_rows}"
    );
    assert_eq!(quarantine.len(), 1, "{quarantine:?}");
    assert!(quarantine[0]["reason"]
        .as_str()
        .unwrap()
        .contains("unreadable remainder"));
    assert!(quarantine[0]["source"]
        .as_str()
        .unwrap()
        .ends_with("_0002.log.gz"));

    // Redelivery (at-least-once) and duplicates in one batch: same objects, no duplicates.
    let before = objects(&s3, &output)
        .await
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    let dup = json!({ "Records": [records[0].clone(), records[0].clone(), records[1].clone()] });
    assert_eq!(invoke(&l, &dup), json!({"batchItemFailures": []}));
    let (again, q2) = read_back(&s3, &output).await;
    assert_eq!(
        objects(&s3, &output)
            .await
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        before
    );
    assert_eq!(again, parquet, "re-ingest replaces, never duplicates");
    assert_eq!(q2.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firehose_delivery_to_cli_backfill_and_transform_lambda() {
    let moto = MotoServer::shared();
    let conf = moto.sdk_config().await;
    let s3 = moto.s3_client().await;
    let fh = aws_sdk_firehose::Client::new(&conf);
    let delivery = bucket(&s3, "firehose-out").await;
    let stream = unique_name("room-fh");
    fh.create_delivery_stream()
        .delivery_stream_name(&stream)
        .extended_s3_destination_configuration(
            aws_sdk_firehose::types::ExtendedS3DestinationConfiguration::builder()
                .role_arn("arn:aws:iam::123456789012:role/firehose")
                .bucket_arn(format!("arn:aws:s3:::{delivery}"))
                .prefix("ivs/")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let envelopes = [
        message("fh0000000001", 10, "dave", "first"),
        message("fh0000000002", 11, "erin", "brace } inside"),
        delete("fhev00000001", 12, "fh0000000001", "Harassment"),
    ];
    let recs: Vec<_> = envelopes
        .iter()
        .map(|e| {
            aws_sdk_firehose::types::Record::builder()
                .data(aws_sdk_firehose::primitives::Blob::new(e.as_bytes()))
                .build()
                .unwrap()
        })
        .collect();
    let put = fh
        .put_record_batch()
        .delivery_stream_name(&stream)
        .set_records(Some(recs))
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_put_count(), 0);
    let delivered = objects(&s3, &delivery).await;
    assert_eq!(
        delivered.len(),
        1,
        "moto writes one object per PutRecordBatch"
    );
    assert!(
        !delivered.values().next().unwrap().contains(&b'\n'),
        "no separators between records"
    );

    // CLI backfill of the delivery bucket into a local table.
    let out = tempfile::tempdir().unwrap();
    let state = out.path().join("state.tsv");
    let run = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_log-ingest"));
        cmd.envs(moto.child_env())
            .args(["s3", &format!("s3://{delivery}/ivs/"), "--out"])
            .arg(out.path().join("table"))
            .args(["--room", "roomFIREHOSE1", "--jobs", "2", "--state"])
            .arg(&state)
            .args(extra);
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let report = run(&[]);
    assert_eq!(
        (
            report["read"].as_u64(),
            report["written"].as_u64(),
            report["quarantined"].as_u64()
        ),
        (Some(3), Some(3), Some(0))
    );
    let table = out
        .path()
        .join("table")
        .join("room=roomFIREHOSE1")
        .join("date=2023-01-05");
    let files: Vec<_> = std::fs::read_dir(&table)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let rows = parquet_rows(&files[0]);
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["fh0000000001", "fh0000000002", "fhev00000001"]
    );
    assert_eq!(rows[1].1.as_deref(), Some("brace } inside"));
    // Resume: a second run skips the object it completed.
    let again = run(&[]);
    assert_eq!(
        (again["sources"].as_u64(), again["skipped_done"].as_u64()),
        (Some(0), Some(1))
    );

    // The same records through the transformation Lambda.
    let event = json!({
        "invocationId": "inv", "deliveryStreamArn": format!("arn:aws:firehose:us-east-1:123456789012:deliverystream/{stream}"),
        "region": "us-east-1",
        "records": envelopes.iter().enumerate().map(|(i, e)| json!({"recordId": format!("r{i}"), "approximateArrivalTimestamp": 1672927800000i64, "data": STANDARD.encode(e)}))
            .chain([json!({"recordId": "bad", "approximateArrivalTimestamp": 1, "data": STANDARD.encode("{\"x\":1}")})]).collect::<Vec<_>>()
    });
    let l = lambda(
        env!("CARGO_BIN_EXE_ingest-firehose-transform"),
        moto,
        &[
            ("ROOM_ID", "roomFIREHOSE1"),
            ("DROP_EVENT_NAMES", "aws:DELETE_MESSAGE"),
        ],
    );
    let resp = invoke(&l, &event);
    let results: Vec<(&str, &str)> = resp["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["recordId"].as_str().unwrap(),
                r["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("r0", "Ok"),
            ("r1", "Ok"),
            ("r2", "Dropped"),
            ("bad", "ProcessingFailed")
        ],
        "{}",
        l.function_output()
    );
    assert_eq!(
        resp["records"][0]["metadata"]["partitionKeys"],
        json!({"room": "roomFIREHOSE1", "date": "2023-01-05"})
    );
    let line = String::from_utf8(
        STANDARD
            .decode(resp["records"][1]["data"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let row: Value = serde_json::from_str(line.strip_suffix('\n').unwrap()).unwrap();
    assert_eq!(row["content"], "brace } inside");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudwatch_put_log_events_to_subscription_lambda() {
    let moto = MotoServer::shared();
    let conf = moto.sdk_config().await;
    let s3 = moto.s3_client().await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&conf);
    let output = bucket(&s3, "cw-tables").await;
    let group = format!("/ivs/{}", unique_name("chat"));
    let stream = "aws/IVSChatLogs/1.0/room_roomCLOUDW01";
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name(stream)
        .send()
        .await
        .unwrap();
    let lines = [
        message("cw0000000001", 20, "frank", "hi"),
        "definitely not json".to_string(),
        delete("cwev00000001", 21, "cw0000000001", "Off-topic"),
    ];
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let events: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, m)| {
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(now_ms + i as i64)
                .message(m)
                .build()
                .unwrap()
        })
        .collect();
    logs.put_log_events()
        .log_group_name(&group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap();
    let got = logs
        .get_log_events()
        .log_group_name(&group)
        .log_stream_name(stream)
        .start_from_head(true)
        .send()
        .await
        .unwrap();
    let log_events: Vec<Value> = got
        .events()
        .iter()
        .enumerate()
        .map(|(i, e)| json!({"id": format!("3700000000000000000000000000000000000000000000000{i}"), "timestamp": e.timestamp(), "message": e.message()}))
        .collect();
    assert_eq!(log_events.len(), 3);
    let gz = |doc: &Value| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(doc.to_string().as_bytes()).unwrap();
        json!({"awslogs": {"data": STANDARD.encode(e.finish().unwrap())}})
    };
    let decisions_out = bucket(&s3, "cw-decisions").await;
    let handler_group = format!("/aws/lambda/{}", unique_name("review-handler"));
    let l = lambda(
        env!("CARGO_BIN_EXE_ingest-cloudwatch"),
        moto,
        &[
            ("OUTPUT_URI", &format!("s3://{output}/t")),
            ("DECISIONS_LOG_GROUPS", &handler_group),
            (
                "DECISIONS_OUTPUT_URI",
                &format!("s3://{decisions_out}/decisions/"),
            ),
        ],
    );
    let control = json!({"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "", "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1, "message": "CWL CONTROL MESSAGE"}]});
    assert_eq!(
        invoke(&l, &gz(&control)),
        json!({"skipped": "CONTROL_MESSAGE"})
    );
    let batch = json!({"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": group, "logStream": stream, "subscriptionFilters": ["ivs"], "logEvents": log_events});
    let report = invoke(&l, &gz(&batch));
    assert_eq!(
        (
            report["read"].as_u64(),
            report["written"].as_u64(),
            report["quarantined"].as_u64()
        ),
        (Some(3), Some(2), Some(1)),
        "{}",
        l.function_output()
    );
    let (parquet, quarantine) = read_back(&s3, &output).await;
    assert_eq!(parquet.len(), 1);
    let (key, rows) = parquet.iter().next().unwrap();
    assert!(
        key.starts_with("t/room=roomCLOUDW01/date=2023-01-05/"),
        "{key}"
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(quarantine.len(), 1);
    assert_eq!(quarantine[0]["raw"], "definitely not json");
    assert_eq!(quarantine[0]["line"], 2);
    // Redelivered batch: same outputs.
    invoke(&l, &gz(&batch));
    assert_eq!(read_back(&s3, &output).await.0, parquet);

    // The review handler's log group: its real output (audit + EMF lines) with the
    // runtime's lines and a broken decision line, through the same function.
    use common::decisions::{at, handler_output, request, Sent};
    let sent = [
        Sent {
            id: "cw0000000001",
            room: "roomCLOUDW01",
            user: "frank",
            at_ms: at(14, 20),
            content: "hi",
        },
        Sent {
            id: "cwd000000002",
            room: "roomCLOUDW01",
            user: "gina",
            at_ms: at(14, 22),
            content: "buy now",
        },
    ];
    let events: Vec<(u64, Value)> = sent.iter().map(|m| (m.at_ms, request(m))).collect();
    let (mut handler_lines, _) = handler_output(review_handler::Config::default(), &events).await;
    handler_lines.insert(0, "START RequestId: 5e1f Version: $LATEST".into());
    handler_lines.push(r#"{"kind":"decision","result":"MAYBE"}"#.into());
    handler_lines.push("REPORT RequestId: 5e1f\tDuration: 0.91 ms".into());
    let handler_stream = "2023/01/05/[$LATEST]0123456789abcdef";
    logs.create_log_group()
        .log_group_name(&handler_group)
        .send()
        .await
        .unwrap();
    logs.create_log_stream()
        .log_group_name(&handler_group)
        .log_stream_name(handler_stream)
        .send()
        .await
        .unwrap();
    let events: Vec<_> = handler_lines
        .iter()
        .enumerate()
        .map(|(i, m)| {
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(now_ms + i as i64)
                .message(m)
                .build()
                .unwrap()
        })
        .collect();
    logs.put_log_events()
        .log_group_name(&handler_group)
        .log_stream_name(handler_stream)
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap();
    let got = logs
        .get_log_events()
        .log_group_name(&handler_group)
        .log_stream_name(handler_stream)
        .start_from_head(true)
        .send()
        .await
        .unwrap();
    let log_events: Vec<Value> = got
        .events()
        .iter()
        .enumerate()
        .map(|(i, e)| json!({"id": format!("38{i:054}"), "timestamp": e.timestamp(), "message": e.message()}))
        .collect();
    assert_eq!(log_events.len(), handler_lines.len());
    let batch = json!({"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": handler_group,
        "logStream": handler_stream, "subscriptionFilters": ["decisions"], "logEvents": log_events});
    let report = invoke(&l, &gz(&batch));
    assert_eq!(
        (
            report["read"].as_u64(),
            report["written"].as_u64(),
            report["quarantined"].as_u64(),
            report["skipped"].as_u64()
        ),
        (
            Some(3),
            Some(2),
            Some(1),
            Some(handler_lines.len() as u64 - 3)
        ),
        "{report}\n{}",
        l.function_output()
    );
    let written = objects(&s3, &decisions_out).await;
    let parquet_keys: Vec<&String> = written.keys().filter(|k| k.ends_with(".parquet")).collect();
    assert_eq!(parquet_keys.len(), 1, "{:?}", written.keys());
    assert!(
        parquet_keys[0].starts_with("decisions/room=roomCLOUDW01/date=2023-01-05/"),
        "{}",
        parquet_keys[0]
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.parquet");
    std::fs::write(&p, &written[parquet_keys[0]]).unwrap();
    let ids = decision_message_ids(&p);
    assert_eq!(ids, ["cw0000000001", "cwd000000002"]);
    let quarantine: Vec<&String> = written
        .keys()
        .filter(|k| k.contains("_quarantine/"))
        .collect();
    assert_eq!(quarantine.len(), 1, "{:?}", written.keys());
    let entry: Value = serde_json::from_slice(&written[quarantine[0]]).unwrap();
    assert!(
        entry["reason"].as_str().unwrap().contains("MAYBE"),
        "{entry}"
    );
    // Redelivered: the same objects.
    invoke(&l, &gz(&batch));
    assert_eq!(objects(&s3, &decisions_out).await, written);
}

/// The `message_id` column of a decisions Parquet file.
fn decision_message_ids(path: &std::path::Path) -> Vec<String> {
    use arrow::array::AsArray;
    let f = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let mut out = Vec::new();
    for b in reader {
        let b = b.unwrap();
        let ids = b
            .column_by_name("message_id")
            .unwrap()
            .as_string::<i32>()
            .clone();
        out.extend((0..b.num_rows()).map(|i| ids.value(i).to_string()));
    }
    out
}

/// A rewritten S3 object whose records moved to another day: the re-ingest deletes the
/// Parquet object of the day it no longer writes (per-source manifest), and only that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reingest_of_a_rewritten_object_deletes_its_stale_s3_outputs() {
    use log_ingest::aws::{ingest_s3_object, parse_s3_url, Output};
    use log_ingest::{IngestOptions, SourceContext};

    let moto = MotoServer::shared();
    let s3 = moto.s3_client().await;
    let input = bucket(&s3, "ivs-rewrite").await;
    let output = bucket(&s3, "chat-rewrite").await;
    let key = ivs_key("", "roomREWRITE1", "0001");
    let next_day = |l: String| l.replace("\"2023-01-05T14:", "\"2023-01-06T14:");
    let out = Output::S3(parse_s3_url(&format!("s3://{output}/table")).unwrap());
    let opts = IngestOptions::new(std::env::temp_dir());
    let defaults = SourceContext::default();

    put(
        &s3,
        &input,
        &key,
        gz_lines(&[
            message("msg000000001", 40, "alice", "day one"),
            next_day(message("msg000000002", 41, "bob", "day two")),
        ]),
    )
    .await;
    let first = ingest_s3_object(&s3, &input, &key, &out, &opts, &defaults)
        .await
        .unwrap();
    assert_eq!(first.outputs.len(), 2, "{first:?}");
    let keys: Vec<String> = objects(&s3, &output).await.into_keys().collect();
    assert_eq!(keys.len(), 3, "two days and the manifest: {keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("table/_manifests/")));

    // Rewritten: everything on the second day now.
    put(
        &s3,
        &input,
        &key,
        gz_lines(&[
            next_day(message("msg000000001", 40, "alice", "day one")),
            next_day(message("msg000000002", 41, "bob", "day two")),
        ]),
    )
    .await;
    let second = ingest_s3_object(&s3, &input, &key, &out, &opts, &defaults)
        .await
        .unwrap();
    assert_eq!(second.outputs, [first.outputs[1].clone()]);
    assert_eq!(second.removed_stale, [first.outputs[0].clone()]);
    let (parquet, quarantine) = read_back(&s3, &output).await;
    assert!(quarantine.is_empty());
    assert_eq!(
        parquet.keys().cloned().collect::<Vec<_>>(),
        [format!("table/{}", second.outputs[0])],
        "the day-1 object is gone"
    );
    let rows = &parquet[&format!("table/{}", second.outputs[0])];
    assert_eq!(rows.len(), 2);
    let manifest_key = objects(&s3, &output)
        .await
        .into_iter()
        .find(|(k, _)| k.starts_with("table/_manifests/"))
        .unwrap();
    assert_eq!(
        String::from_utf8(manifest_key.1).unwrap(),
        format!("{}\n", second.outputs[0])
    );
}
