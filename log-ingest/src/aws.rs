//! The S3 shell: download an object, run the pure pipeline on it, upload the outputs.
//!
//! Used by the CLI's `s3` backfill and the `ingest-s3-sqs` / `ingest-cloudwatch` Lambdas.
//! Objects are streamed to a temporary file (never held in memory whole); outputs are
//! staged in a temporary directory with the same layout as a local run, then uploaded
//! under the output prefix with the same relative keys, replacing earlier uploads.

use std::path::{Path, PathBuf};

use aws_sdk_s3::Client;
pub use aws_shell::objects::ObjectInfo;
use aws_shell::{objects, AwsShellError, S3Url};

use crate::error::IngestError;
use crate::keys::context_from_key;
use crate::pipeline::{ingest_reader, IngestOptions};
use crate::record::SourceContext;
use crate::report::SourceReport;
use crate::sink::layout::OutputLayout;
use crate::sink::manifest;

/// Parses `s3://bucket[/prefix]` (the workspace's one parser, [`S3Url::parse`]); a
/// malformed URL is a configuration error saying what was expected.
pub fn parse_s3_url(text: &str) -> Result<S3Url, IngestError> {
    S3Url::parse(text).map_err(aws_err)
}

/// Where a run's outputs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A local directory (the table root).
    Local(PathBuf),
    /// An S3 prefix (the table root).
    S3(S3Url),
}

impl Output {
    /// `s3://...` is S3, anything else a local directory.
    pub fn parse(s: &str) -> Result<Self, IngestError> {
        if s.starts_with("s3://") {
            parse_s3_url(s).map(Output::S3)
        } else {
            Ok(Output::Local(PathBuf::from(s)))
        }
    }
}

/// An S3 client from the environment, with the workspace's endpoint and path-style rules
/// ([`aws_shell::S3Settings`]).
pub async fn s3_client_from_env() -> Client {
    aws_shell::client_from_env().await
}

fn aws_err(e: AwsShellError) -> IngestError {
    match e {
        AwsShellError::Url { .. } => IngestError::Config(e.to_string()),
        AwsShellError::Io { path, source } => IngestError::io(path, source),
        AwsShellError::S3 { .. } => IngestError::Aws(e.to_string()),
    }
}

/// Lists every object under a prefix (all pages), skipping "directory" placeholders.
pub async fn list_objects(client: &Client, loc: &S3Url) -> Result<Vec<ObjectInfo>, IngestError> {
    objects::list(client, loc).await.map_err(aws_err)
}

/// Streams an object to `dest`.
pub async fn download(client: &Client, url: &S3Url, dest: &Path) -> Result<u64, IngestError> {
    objects::download(client, url, dest).await.map_err(aws_err)
}

async fn put(client: &Client, dest: &S3Url, rel: &str, path: &Path) -> Result<(), IngestError> {
    objects::put_file(client, &dest.join(rel), path)
        .await
        .map_err(aws_err)
}

async fn delete(client: &Client, dest: &S3Url, rel: &str) -> Result<(), IngestError> {
    objects::delete(client, &dest.join(rel))
        .await
        .map_err(aws_err)
}

/// Uploads a report's outputs from `staging` to `dest`, replacing earlier uploads of the
/// same source: a stale quarantine object is deleted when the source had no quarantine
/// entries this time, and record objects that the source's previous manifest lists but
/// this ingest did not write again are deleted (listed in `report.removed_stale`).
///
/// Order: new outputs, then deletions, then the new manifest (see [`manifest`]).
pub async fn upload_outputs(
    client: &Client,
    staging: &Path,
    report: &mut SourceReport,
    stem: &str,
    dest: &S3Url,
) -> Result<(), IngestError> {
    let manifest_rel = manifest::manifest_path(stem).to_string_lossy().into_owned();
    let previous = objects::get(client, &dest.join(&manifest_rel))
        .await
        .map_err(aws_err)?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut rels: Vec<&String> = report.outputs.iter().collect();
    rels.extend(report.quarantine_file.iter());
    for rel in rels {
        put(client, dest, rel, &staging.join(rel)).await?;
    }
    if report.quarantine_file.is_none() {
        let rel = OutputLayout::quarantine_path(stem);
        delete(client, dest, &rel.to_string_lossy()).await?;
    }
    let stale = manifest::stale(&previous, stem, &report.outputs);
    for rel in &stale {
        delete(client, dest, rel).await?;
    }
    let staged_manifest = staging.join(&manifest_rel);
    if staged_manifest.is_file() {
        put(client, dest, &manifest_rel, &staged_manifest).await?;
    } else {
        delete(client, dest, &manifest_rel).await?;
    }
    report.removed_stale = stale;
    Ok(())
}

/// Fills unknown context fields from configuration (a Firehose stream's room, ...).
pub fn with_defaults(mut ctx: SourceContext, defaults: &SourceContext) -> SourceContext {
    if ctx.room_id.is_none() {
        ctx.room_id.clone_from(&defaults.room_id);
    }
    if ctx.region.is_none() {
        ctx.region.clone_from(&defaults.region);
    }
    if ctx.account_id.is_none() {
        ctx.account_id.clone_from(&defaults.account_id);
    }
    ctx
}

/// Ingests one S3 object into `out`: download, parse, write, upload. Idempotent: the
/// same object always produces the same output keys.
pub async fn ingest_s3_object(
    client: &Client,
    bucket: &str,
    key: &str,
    out: &Output,
    opts: &IngestOptions,
    defaults: &SourceContext,
) -> Result<SourceReport, IngestError> {
    let tmp = tempfile::tempdir().map_err(|e| IngestError::io(std::env::temp_dir(), e))?;
    let file = tmp.path().join("object");
    download(client, &S3Url::new(bucket, key), &file).await?;
    let source = format!("s3://{bucket}/{key}");
    let ctx = with_defaults(context_from_key(&source, key), defaults);
    let mut opts = opts.clone();
    let staging = tmp.path().join("out");
    if let Output::Local(root) = out {
        opts.layout = OutputLayout::new(root.clone());
    } else {
        opts.layout = OutputLayout::new(staging.clone());
    }
    let key_owned = key.to_string();
    let file_path = file.clone();
    let opts2 = opts.clone();
    let mut report = tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&file_path).map_err(|e| IngestError::io(&file_path, e))?;
        ingest_reader(f, ctx, &key_owned, &opts2)
    })
    .await
    .map_err(|e| IngestError::Aws(format!("ingest task for {source} failed: {e}")))??;
    if let Output::S3(dest) = out {
        let stem = crate::sink::output_stem(key);
        upload_outputs(client, &staging, &mut report, &stem, dest).await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs() {
        let Output::S3(l) = Output::parse("s3://b/logs/AWSLogs").unwrap() else {
            panic!("s3 output")
        };
        assert_eq!(
            l.join("room=a/x.parquet").key,
            "logs/AWSLogs/room=a/x.parquet"
        );
        assert_eq!(parse_s3_url("s3://b").unwrap().join("x").key, "x");
        assert_eq!(parse_s3_url("s3://b/p/").unwrap().join("x").key, "p/x");
        let err = Output::parse("s3:///x").unwrap_err().to_string();
        assert!(
            err.starts_with("configuration:") && err.contains("bucket"),
            "{err}"
        );
        assert!(parse_s3_url("/tmp/x").is_err());
        assert_eq!(
            Output::parse("/tmp/x").unwrap(),
            Output::Local("/tmp/x".into())
        );
    }
}
