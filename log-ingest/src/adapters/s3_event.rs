//! S3 event notifications, direct or wrapped in SQS, SNS or EventBridge, to object refs.

use serde_json::Value;

use crate::error::IngestError;
use crate::keys::decode_s3_event_key;

/// One object announced by a notification (key already URL-decoded).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    /// Bucket name.
    pub bucket: String,
    /// Object key, decoded.
    pub key: String,
}

/// One SQS message and the objects it announces (or why it could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsItem {
    /// SQS `messageId`: the `itemIdentifier` to report on failure.
    pub message_id: String,
    /// The announced objects, or the reason the body is not a notification.
    pub objects: Result<Vec<ObjectRef>, String>,
}

/// What invoked the Lambda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// An SQS batch (report failures per message).
    Sqs(Vec<SqsItem>),
    /// S3 (or SNS / EventBridge) directly: any failure fails the invocation.
    Direct(Vec<ObjectRef>),
}

/// Classifies an invocation event.
pub fn parse_trigger(event: &Value) -> Result<Trigger, IngestError> {
    let records = event.get("Records").and_then(Value::as_array);
    let is_sqs = records.is_some_and(|r| {
        r.first()
            .and_then(|x| x.get("eventSource"))
            .and_then(Value::as_str)
            == Some("aws:sqs")
    });
    if is_sqs {
        let items = records
            .into_iter()
            .flatten()
            .map(|m| {
                let message_id = m
                    .get("messageId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let objects = match m.get("body").and_then(Value::as_str) {
                    Some(body) => serde_json::from_str::<Value>(body)
                        .map_err(|e| format!("SQS body is not JSON: {e}"))
                        .and_then(|v| objects_from_notification(&v)),
                    None => Err("SQS message without a string `body`".to_string()),
                };
                SqsItem {
                    message_id,
                    objects,
                }
            })
            .collect();
        return Ok(Trigger::Sqs(items));
    }
    objects_from_notification(event)
        .map(Trigger::Direct)
        .map_err(IngestError::Event)
}

/// Objects of an S3 notification body: `{"Records":[{"s3":...}]}`, an SNS notification
/// whose `Message` holds one, an EventBridge `Object Created` event, or `s3:TestEvent`
/// (no objects). Keys are URL-decoded.
pub fn objects_from_notification(v: &Value) -> Result<Vec<ObjectRef>, String> {
    if v.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    if v.get("Type").and_then(Value::as_str) == Some("Notification") {
        let msg = v
            .get("Message")
            .and_then(Value::as_str)
            .ok_or("SNS notification without a string `Message`")?;
        let inner: Value =
            serde_json::from_str(msg).map_err(|e| format!("SNS Message is not JSON: {e}"))?;
        return objects_from_notification(&inner);
    }
    if let Some(detail) = v.get("detail").filter(|_| v.get("detail-type").is_some()) {
        let bucket = detail.pointer("/bucket/name").and_then(Value::as_str);
        let key = detail.pointer("/object/key").and_then(Value::as_str);
        return match (bucket, key) {
            (Some(b), Some(k)) => Ok(vec![ObjectRef {
                bucket: b.to_string(),
                key: decode_s3_event_key(k),
            }]),
            _ => {
                Err("EventBridge event without detail.bucket.name / detail.object.key".to_string())
            }
        };
    }
    let records = v
        .get("Records")
        .and_then(Value::as_array)
        .ok_or("not an S3 event notification: expected a `Records` array")?;
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let name = r
            .get("eventName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !name.is_empty() && !name.starts_with("ObjectCreated") {
            continue;
        }
        let bucket = r.pointer("/s3/bucket/name").and_then(Value::as_str);
        let key = r.pointer("/s3/object/key").and_then(Value::as_str);
        match (bucket, key) {
            (Some(b), Some(k)) => out.push(ObjectRef {
                bucket: b.to_string(),
                key: decode_s3_event_key(k),
            }),
            _ => {
                return Err(format!(
                    "Records[{i}]: expected s3.bucket.name and s3.object.key"
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s3_event(key: &str) -> Value {
        json!({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
            "eventTime":"2023-01-05T14:40:00.000Z","eventName":"ObjectCreated:Put",
            "s3":{"s3SchemaVersion":"1.0","configurationId":"logs",
                  "bucket":{"name":"chat-logs","arn":"arn:aws:s3:::chat-logs"},
                  "object":{"key":key,"size":1234,"eTag":"abc","sequencer":"0A1B"}}}]})
    }

    #[test]
    fn direct_s3_event_decodes_keys() {
        let t = parse_trigger(&s3_event("AWSLogs%2F1%2Fmy+file%3D.log.gz")).unwrap();
        assert_eq!(
            t,
            Trigger::Direct(vec![ObjectRef {
                bucket: "chat-logs".into(),
                key: "AWSLogs/1/my file=.log.gz".into()
            }])
        );
    }

    #[test]
    fn sqs_wrapped_with_bad_and_test_messages() {
        let ev = json!({"Records":[
            {"messageId":"m-1","receiptHandle":"h","body":s3_event("a%2Fb.log.gz").to_string(),
             "attributes":{},"messageAttributes":{},"md5OfBody":"x","eventSource":"aws:sqs",
             "eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:q","awsRegion":"us-east-1"},
            {"messageId":"m-2","body":"not json","eventSource":"aws:sqs"},
            {"messageId":"m-3","body":"{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"chat-logs\"}","eventSource":"aws:sqs"},
            {"messageId":"m-4","body":json!({"Type":"Notification","Message":s3_event("c.log.gz").to_string()}).to_string(),"eventSource":"aws:sqs"}
        ]});
        let Trigger::Sqs(items) = parse_trigger(&ev).unwrap() else {
            panic!("expected SQS")
        };
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].objects.as_ref().unwrap()[0].key, "a/b.log.gz");
        assert!(items[1].objects.as_ref().unwrap_err().contains("not JSON"));
        assert_eq!(items[2].objects, Ok(vec![]));
        assert_eq!(items[3].objects.as_ref().unwrap()[0].key, "c.log.gz");
    }

    #[test]
    fn eventbridge_and_non_events() {
        let ev = json!({"version":"0","detail-type":"Object Created","source":"aws.s3",
            "detail":{"bucket":{"name":"b"},"object":{"key":"x%20y","size":3}}});
        assert_eq!(
            parse_trigger(&ev).unwrap(),
            Trigger::Direct(vec![ObjectRef {
                bucket: "b".into(),
                key: "x y".into()
            }])
        );
        assert!(parse_trigger(&json!({"hello":1})).is_err());
        assert!(parse_trigger(&json!({"Records":[{"s3":{}}]})).is_err());
        let removed = json!({"Records":[{"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]});
        assert_eq!(parse_trigger(&removed).unwrap(), Trigger::Direct(vec![]));
    }
}
