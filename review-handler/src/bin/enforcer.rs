//! The `enforcer` Lambda binary: DynamoDB Streams batches of disconnect requests in,
//! IVS Chat `DisconnectUser` calls out, `batchItemFailures` back. The decisions live in
//! the pure `review_handler::enforcer` module; this file only adapts.
//!
//! Environment: `ROOM_ARN_PREFIX` (required, `arn:<partition>:ivschat:<region>:<account>:room/`),
//! `METRICS_NAMESPACE` (default `IvsChatReview`), the SDK's own (`AWS_REGION`,
//! credentials, `AWS_ENDPOINT_URL_IVSCHAT` / `AWS_ENDPOINT_URL`, `AWS_MAX_ATTEMPTS`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use review_handler::enforcer::{
    plan, BatchResponse, CallResult, Disconnect, Planned, RoomArnPrefix, StreamEvent,
    ROOM_ARN_PREFIX_VAR,
};
use review_handler::HandlerError;
use serde_json::{json, Value};

/// One `DisconnectUser` call, retries included, may take this long; a batch holds at
/// most the event source mapping's `BatchSize` calls, made one after the other.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// One attempt of a call.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
const DEFAULT_NAMESPACE: &str = "IvsChatReview";

struct Enforcer {
    client: aws_sdk_ivschat::Client,
    rooms: RoomArnPrefix,
    namespace: String,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rooms = std::env::var(ROOM_ARN_PREFIX_VAR)
        .map_err(|_| HandlerError::BadEnv {
            var: ROOM_ARN_PREFIX_VAR,
            expected: "arn:<partition>:ivschat:<region>:<account>:room/",
            value: String::new(),
        })
        .and_then(|v| RoomArnPrefix::parse(&v));
    let rooms = match rooms {
        Ok(r) => r,
        Err(e) => {
            eprintln!("enforcer: init failed: {e}");
            return Err(e.into());
        }
    };
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_timeout(CALL_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts)
        .load()
        .await;
    let enforcer = Enforcer {
        client: aws_sdk_ivschat::Client::new(&conf),
        rooms,
        namespace: std::env::var("METRICS_NAMESPACE")
            .unwrap_or_else(|_| DEFAULT_NAMESPACE.to_string()),
    };
    let enforcer = &enforcer;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(enforcer.handle(event.payload).await)
    }))
    .await
}

impl Enforcer {
    async fn handle(&self, payload: Value) -> Value {
        let mut batch = BatchResponse::default();
        let event: StreamEvent = match serde_json::from_value(payload) {
            Ok(e) => e,
            Err(e) => {
                // Not a stream event at all: nothing to retry record by record.
                log(
                    json!({"level": "error", "msg": "not a DynamoDB Streams event", "error": e.to_string()}),
                );
                return batch.to_json();
            }
        };
        for planned in plan(&event, &self.rooms) {
            match planned {
                Planned::Skip {
                    sequence_number,
                    why,
                } => {
                    if let review_handler::enforcer::Skip::Malformed { field, expected } = &why {
                        log(
                            json!({"level": "error", "msg": "malformed disconnect request, skipped",
                            "sequence_number": sequence_number, "field": field, "expected": expected}),
                        );
                    }
                    batch.skip(&why);
                }
                Planned::Disconnect(call) => {
                    let result = self.disconnect(&call).await;
                    batch.record(&call, result);
                }
            }
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        log(batch.emf_record(&self.namespace, now));
        batch.to_json()
    }

    async fn disconnect(&self, call: &Disconnect) -> CallResult {
        let sent = self
            .client
            .disconnect_user()
            .room_identifier(&call.room_arn)
            .user_id(&call.user_id)
            .set_reason(call.reason.clone())
            .send()
            .await;
        let (result, detail) = match sent {
            Ok(_) => (CallResult::Disconnected, None),
            Err(e) => {
                let status = match &e {
                    SdkError::ServiceError(s) => Some(s.raw().status().as_u16()),
                    SdkError::ResponseError(r) => Some(r.raw().status().as_u16()),
                    _ => None,
                };
                let result = CallResult::from_error(status, e.code());
                let detail = format!("{}", aws_sdk_ivschat::error::DisplayErrorContext(&e));
                (result, Some((status, e.code().map(str::to_string), detail)))
            }
        };
        if let Some((status, code, detail)) = detail {
            let level = if result == CallResult::NotFound {
                "info"
            } else {
                "error"
            };
            log(
                json!({"level": level, "msg": "DisconnectUser", "result": format!("{result:?}"),
                "room": call.room_arn, "sequence_number": call.sequence_number,
                "status": status, "code": code, "error": detail}),
            );
        }
        result
    }
}

fn log(line: Value) {
    println!("{line}");
}
