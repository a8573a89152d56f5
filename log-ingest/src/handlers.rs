//! Lambda handlers: thin async shells over [`crate::adapters`] and [`crate::aws`].
//!
//! Configuration comes from the environment (see [`LambdaConfig::from_env`]); the
//! binaries in `src/bin/` only start the runtime and call these.

use std::collections::BTreeSet;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse};
use aws_sdk_s3::Client;
use aws_shell::S3Url;
use serde_json::Value;

use crate::adapters::cloudwatch::{decode_event, LogsData};
use crate::adapters::firehose::{transform, FirehoseRequest, TransformConfig};
use crate::adapters::s3_event::{parse_trigger, ObjectRef, Trigger};
use crate::aws::{ingest_s3_object, parse_s3_url, upload_outputs, Output};
use crate::decisions::route_decision_lines;
use crate::error::IngestError;
use crate::pipeline::{route_items, IngestOptions};
use crate::record::SourceContext;
use crate::report::SourceReport;
use crate::sink::layout::OutputLayout;
use crate::sink::{output_stem, Format};

/// Environment configuration of the ingest Lambdas.
///
/// - `OUTPUT_URI` (S3/SQS and CloudWatch Lambdas, required): `s3://bucket/prefix` table root.
/// - `OUTPUT_FORMAT`: `parquet` (default) or `ndjson`.
/// - `ROOM_ID`, `ACCOUNT_ID`: defaults for sources that do not carry them (Firehose).
/// - `DROP_EVENT_NAMES`: comma-separated event names the Firehose transform answers `Dropped`.
/// - `AWS_REGION`: set by Lambda; used as the region of CloudWatch/Firehose records.
/// - `DECISIONS_LOG_GROUPS` (CloudWatch Lambda): comma-separated log group names whose
///   batches are the review handler's audit lines: they go to the decisions table
///   ([`crate::decisions`]) at `DECISIONS_OUTPUT_URI` (`s3://bucket/prefix`, required
///   with it) instead of the chat table. One artifact serves both subscriptions.
#[derive(Debug, Clone)]
pub struct LambdaConfig {
    /// Where records go (S3/SQS and CloudWatch Lambdas).
    pub output: Option<S3Url>,
    /// Record format.
    pub format: Format,
    /// Defaults for unknown room/account/region.
    pub defaults: SourceContext,
    /// Event names to drop in the Firehose transform.
    pub drop_event_names: Vec<String>,
    /// Log groups whose batches are decisions (the review handler's).
    pub decisions_log_groups: Vec<String>,
    /// Where decisions go.
    pub decisions_output: Option<S3Url>,
}

impl LambdaConfig {
    /// Reads the configuration; a malformed value is an error (checked at cold start).
    pub fn from_env() -> Result<Self, IngestError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let output = var("OUTPUT_URI").map(|u| parse_s3_url(&u)).transpose()?;
        let list = |k: &str| -> Vec<String> {
            var(k)
                .map(|s| {
                    s.split(',')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let decisions_log_groups = list("DECISIONS_LOG_GROUPS");
        let decisions_output = var("DECISIONS_OUTPUT_URI")
            .map(|u| parse_s3_url(&u))
            .transpose()?;
        if !decisions_log_groups.is_empty() && decisions_output.is_none() {
            return Err(IngestError::Config(
                "DECISIONS_LOG_GROUPS is set but DECISIONS_OUTPUT_URI is not: expected s3://bucket/prefix"
                    .to_string(),
            ));
        }
        let format = match var("OUTPUT_FORMAT").as_deref() {
            None | Some("parquet") => Format::Parquet,
            Some("ndjson") => Format::Ndjson,
            Some(other) => {
                return Err(IngestError::Config(format!(
                    "OUTPUT_FORMAT={other:?}: expected parquet or ndjson"
                )))
            }
        };
        Ok(LambdaConfig {
            output,
            format,
            defaults: SourceContext {
                source: String::new(),
                account_id: var("ACCOUNT_ID"),
                region: var("AWS_REGION"),
                room_id: var("ROOM_ID"),
                key_version: None,
            },
            drop_event_names: list("DROP_EVENT_NAMES"),
            decisions_log_groups,
            decisions_output,
        })
    }

    fn output(&self) -> Result<&S3Url, IngestError> {
        self.output.as_ref().ok_or_else(|| {
            IngestError::Config("OUTPUT_URI is not set: expected s3://bucket/prefix".to_string())
        })
    }

    fn options(&self) -> IngestOptions {
        let mut o = IngestOptions::new(std::env::temp_dir());
        o.format = self.format;
        o
    }
}

/// True when `obj` is one of our own outputs (same bucket, under the output prefix, or a
/// Parquet/quarantine file): ingesting it would loop.
fn is_own_output(obj: &ObjectRef, out: &S3Url) -> bool {
    (obj.bucket == out.bucket && !out.key.is_empty() && obj.key.starts_with(&out.key))
        || obj.key.ends_with(".parquet")
        || obj.key.contains("_quarantine/")
}

async fn ingest_objects(
    client: &Client,
    cfg: &LambdaConfig,
    objs: &[ObjectRef],
) -> Result<Vec<SourceReport>, IngestError> {
    let out = cfg.output()?;
    let mut reports = Vec::new();
    // A batch may announce the same object twice (at-least-once delivery): ingest it once.
    let unique: BTreeSet<&ObjectRef> = objs.iter().filter(|o| !is_own_output(o, out)).collect();
    for o in unique {
        let rep = ingest_s3_object(
            client,
            &o.bucket,
            &o.key,
            &Output::S3(out.clone()),
            &cfg.options(),
            &cfg.defaults,
        )
        .await?;
        tracing::info!(source = %rep.source, read = rep.read, written = rep.written, quarantined = rep.quarantined, quarantine_omitted = rep.quarantine_omitted, limits = ?rep.limits, "ingested");
        reports.push(rep);
    }
    Ok(reports)
}

/// S3 notifications (direct: any failure fails the invocation) or SQS batches (failed
/// messages listed in `batchItemFailures`, the rest acknowledged).
pub async fn handle_s3_sqs(
    client: &Client,
    cfg: &LambdaConfig,
    event: &Value,
) -> Result<Value, IngestError> {
    match parse_trigger(event)? {
        Trigger::Direct(objs) => {
            let reports = ingest_objects(client, cfg, &objs).await?;
            Ok(serde_json::json!({ "ingested": reports }))
        }
        Trigger::Sqs(items) => {
            let mut failed = Vec::new();
            for item in items {
                let outcome = match &item.objects {
                    Ok(objs) => ingest_objects(client, cfg, objs).await.map(|_| ()),
                    Err(reason) => Err(IngestError::Event(reason.clone())),
                };
                if let Err(e) = outcome {
                    tracing::error!(message_id = %item.message_id, error = %e, "SQS message failed");
                    failed.push(item.message_id);
                }
            }
            serde_json::to_value(batch_response(failed))
                .map_err(|e| IngestError::Event(format!("serialising the response: {e}")))
        }
    }
}

/// The SQS partial-batch response (`ReportBatchItemFailures`) for the failed message ids:
/// only those are retried.
pub fn batch_response(failed_message_ids: Vec<String>) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failed_message_ids
        .into_iter()
        .map(|id| {
            // `BatchItemFailure` is non-exhaustive: built from its default.
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    response
}

/// Firehose transformation: pure, no AWS calls.
pub fn handle_firehose(cfg: &LambdaConfig, event: Value) -> Result<Value, IngestError> {
    let req: FirehoseRequest = serde_json::from_value(event)
        .map_err(|e| IngestError::Event(format!("not a Firehose transformation request: {e}")))?;
    let tcfg = TransformConfig {
        room_id: cfg.defaults.room_id.clone(),
        account_id: cfg.defaults.account_id.clone(),
        drop_event_names: cfg.drop_event_names.clone(),
        response_cap: 0,
    };
    let (resp, reasons) = transform(&req, &tcfg);
    for reason in reasons.into_iter().flatten() {
        tracing::warn!(%reason, "record not Ok");
    }
    serde_json::to_value(resp)
        .map_err(|e| IngestError::Event(format!("serialising the response: {e}")))
}

/// CloudWatch Logs subscription: records to Parquet in S3, bad events to the quarantine;
/// a batch of one of `DECISIONS_LOG_GROUPS` goes to the decisions table instead.
pub async fn handle_cloudwatch(
    client: &Client,
    cfg: &LambdaConfig,
    event: &Value,
) -> Result<Value, IngestError> {
    let logs = decode_event(event)?;
    if logs.is_control() {
        return Ok(serde_json::json!({ "skipped": "CONTROL_MESSAGE" }));
    }
    if cfg.decisions_log_groups.contains(&logs.log_group) {
        return handle_decisions(client, cfg, logs).await;
    }
    let out = cfg.output()?.clone();
    let mut ctx = logs.context(cfg.defaults.region.clone());
    if ctx.room_id.is_none() {
        ctx.room_id.clone_from(&cfg.defaults.room_id);
    }
    let items = logs.items(&ctx);
    let key = logs.output_key();
    let stem = output_stem(&key);
    let staging = tempfile::tempdir().map_err(|e| IngestError::io(std::env::temp_dir(), e))?;
    let mut opts = cfg.options();
    opts.layout = OutputLayout::new(staging.path());
    let source = ctx.source.clone();
    let mut report = tokio::task::spawn_blocking({
        let (stem, opts) = (stem.clone(), opts.clone());
        move || route_items(items.into_iter(), &source, &stem, &opts)
    })
    .await
    .map_err(|e| IngestError::Aws(format!("ingest task failed: {e}")))??;
    upload_outputs(client, staging.path(), &mut report, &stem, &out).await?;
    tracing::info!(source = %report.source, read = report.read, written = report.written, quarantined = report.quarantined, quarantine_omitted = report.quarantine_omitted, limits = ?report.limits, "ingested");
    serde_json::to_value(&report).map_err(|e| IngestError::Event(e.to_string()))
}

/// A batch of the review handler's log group: its decision lines to the decisions table.
async fn handle_decisions(
    client: &Client,
    cfg: &LambdaConfig,
    logs: LogsData,
) -> Result<Value, IngestError> {
    let out = cfg.decisions_output.clone().ok_or_else(|| {
        IngestError::Config("DECISIONS_OUTPUT_URI is not set: expected s3://bucket/prefix".into())
    })?;
    let stem = output_stem(&logs.output_key());
    let source = logs.source();
    let staging = tempfile::tempdir().map_err(|e| IngestError::io(std::env::temp_dir(), e))?;
    let mut opts = cfg.options();
    opts.layout = OutputLayout::new(staging.path());
    let mut report = tokio::task::spawn_blocking({
        let stem = stem.clone();
        move || route_decision_lines(logs.log_lines(), &source, &stem, &opts)
    })
    .await
    .map_err(|e| IngestError::Aws(format!("ingest task failed: {e}")))??;
    upload_outputs(client, staging.path(), &mut report, &stem, &out).await?;
    tracing::info!(source = %report.source, read = report.read, written = report.written, skipped = report.skipped, quarantined = report.quarantined, quarantine_omitted = report.quarantine_omitted, "ingested decisions");
    serde_json::to_value(&report).map_err(|e| IngestError::Event(e.to_string()))
}

/// Sets up JSON logs on stderr for a Lambda (level from `RUST_LOG`, default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_response_is_the_contracts_shape() {
        assert_eq!(
            serde_json::to_value(batch_response(vec!["m-2".into()])).unwrap(),
            serde_json::json!({"batchItemFailures":[{"itemIdentifier":"m-2"}]})
        );
        assert_eq!(
            serde_json::to_value(batch_response(Vec::new())).unwrap(),
            serde_json::json!({"batchItemFailures":[]})
        );
    }
}
