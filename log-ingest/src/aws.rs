//! The S3 shell: download an object, run the pure pipeline on it, upload the outputs.
//!
//! Used by the CLI's `s3` backfill and the `ingest-s3-sqs` / `ingest-cloudwatch` Lambdas.
//! Objects are streamed to a temporary file (never held in memory whole); outputs are
//! staged in a temporary directory with the same layout as a local run, then uploaded
//! under the output prefix with the same relative keys, replacing earlier uploads.

use std::path::{Path, PathBuf};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use crate::error::IngestError;
use crate::keys::context_from_key;
use crate::pipeline::{ingest_reader, IngestOptions};
use crate::record::SourceContext;
use crate::report::SourceReport;
use crate::sink::layout::OutputLayout;
use crate::sink::manifest;

/// A bucket and a key prefix (`s3://bucket/prefix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix, without leading `/`; empty or ending in `/` once joined.
    pub prefix: String,
}

impl S3Location {
    /// Parses `s3://bucket[/prefix]`.
    pub fn parse(uri: &str) -> Result<Self, IngestError> {
        let rest = uri
            .strip_prefix("s3://")
            .ok_or_else(|| IngestError::Config(format!("{uri:?}: expected s3://bucket/prefix")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(IngestError::Config(format!(
                "{uri:?}: missing bucket name after s3://"
            )));
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix: prefix.trim_start_matches('/').to_string(),
        })
    }

    /// The key of `rel` under this prefix.
    pub fn key(&self, rel: &str) -> String {
        if self.prefix.is_empty() || self.prefix.ends_with('/') {
            format!("{}{rel}", self.prefix)
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }
}

/// Where a run's outputs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A local directory (the table root).
    Local(PathBuf),
    /// An S3 prefix (the table root).
    S3(S3Location),
}

impl Output {
    /// `s3://...` is S3, anything else a local directory.
    pub fn parse(s: &str) -> Result<Self, IngestError> {
        if s.starts_with("s3://") {
            S3Location::parse(s).map(Output::S3)
        } else {
            Ok(Output::Local(PathBuf::from(s)))
        }
    }
}

/// An S3 client from the environment; path-style addressing when `AWS_ENDPOINT_URL` is set
/// (local stand-ins such as moto) or `AWS_S3_FORCE_PATH_STYLE=true`.
pub async fn s3_client_from_env() -> Client {
    let conf = aws_config::load_from_env().await;
    let path_style = std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var("AWS_S3_FORCE_PATH_STYLE").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    let s3 = aws_sdk_s3::config::Builder::from(&conf)
        .force_path_style(path_style)
        .build();
    Client::from_conf(s3)
}

fn aws_err(what: &str, e: impl std::error::Error) -> IngestError {
    // Include the whole source chain: the SDK's top-level message alone is "service error".
    let mut msg = format!("{what}: {e}");
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    IngestError::Aws(msg)
}

/// One object in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Object key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// ETag, as S3 returns it.
    pub etag: String,
}

/// Lists every object under a prefix (all pages), skipping "directory" placeholders.
pub async fn list_objects(
    client: &Client,
    loc: &S3Location,
) -> Result<Vec<ObjectInfo>, IngestError> {
    let mut out = Vec::new();
    let mut pages = client
        .list_objects_v2()
        .bucket(&loc.bucket)
        .prefix(&loc.prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| aws_err(&format!("listing s3://{}/{}", loc.bucket, loc.prefix), e))?;
        for o in page.contents() {
            let key = o.key().unwrap_or_default().to_string();
            if key.is_empty() || key.ends_with('/') {
                continue;
            }
            out.push(ObjectInfo {
                key,
                size: o.size().unwrap_or(0).max(0) as u64,
                etag: o.e_tag().unwrap_or_default().to_string(),
            });
        }
    }
    Ok(out)
}

/// Streams an object to `dest`.
pub async fn download(
    client: &Client,
    bucket: &str,
    key: &str,
    dest: &Path,
) -> Result<u64, IngestError> {
    let obj = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| aws_err(&format!("get s3://{bucket}/{key}"), e))?;
    let mut body = obj.body.into_async_read();
    let mut file = tokio::fs::File::create(dest)
        .await
        .map_err(|e| IngestError::io(dest, e))?;
    let n = tokio::io::copy_buf(&mut body, &mut file)
        .await
        .map_err(|e| IngestError::io(format!("s3://{bucket}/{key}"), e))?;
    Ok(n)
}

/// The text of an object, or `None` when it does not exist.
async fn get_optional_text(
    client: &Client,
    bucket: &str,
    key: &str,
) -> Result<Option<String>, IngestError> {
    let what = || format!("get s3://{bucket}/{key}");
    match client.get_object().bucket(bucket).key(key).send().await {
        Ok(obj) => {
            let bytes = obj
                .body
                .collect()
                .await
                .map_err(|e| aws_err(&what(), e))?
                .into_bytes();
            Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
        Err(e) => Err(aws_err(&what(), e)),
    }
}

async fn put_file(
    client: &Client,
    path: &Path,
    dest: &S3Location,
    rel: &str,
) -> Result<(), IngestError> {
    let key = dest.key(rel);
    let body = ByteStream::from_path(path)
        .await
        .map_err(|e| aws_err(&format!("reading {}", path.display()), e))?;
    client
        .put_object()
        .bucket(&dest.bucket)
        .key(&key)
        .body(body)
        .send()
        .await
        .map_err(|e| aws_err(&format!("put s3://{}/{key}", dest.bucket), e))?;
    Ok(())
}

async fn delete_key(client: &Client, dest: &S3Location, rel: &str) -> Result<(), IngestError> {
    let key = dest.key(rel);
    client
        .delete_object()
        .bucket(&dest.bucket)
        .key(&key)
        .send()
        .await
        .map_err(|e| aws_err(&format!("delete s3://{}/{key}", dest.bucket), e))?;
    Ok(())
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
    dest: &S3Location,
) -> Result<(), IngestError> {
    let manifest_rel = manifest::manifest_path(stem).to_string_lossy().into_owned();
    let previous = get_optional_text(client, &dest.bucket, &dest.key(&manifest_rel))
        .await?
        .unwrap_or_default();
    let mut rels: Vec<&String> = report.outputs.iter().collect();
    rels.extend(report.quarantine_file.iter());
    for rel in rels {
        put_file(client, &staging.join(rel), dest, rel).await?;
    }
    if report.quarantine_file.is_none() {
        let rel = OutputLayout::quarantine_path(stem);
        delete_key(client, dest, &rel.to_string_lossy()).await?;
    }
    let stale = manifest::stale(&previous, stem, &report.outputs);
    for rel in &stale {
        delete_key(client, dest, rel).await?;
    }
    let staged_manifest = staging.join(&manifest_rel);
    if staged_manifest.is_file() {
        put_file(client, &staged_manifest, dest, &manifest_rel).await?;
    } else {
        delete_key(client, dest, &manifest_rel).await?;
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
    download(client, bucket, key, &file).await?;
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
    fn s3_uris() {
        let l = S3Location::parse("s3://b/logs/AWSLogs").unwrap();
        assert_eq!(
            (l.bucket.as_str(), l.prefix.as_str()),
            ("b", "logs/AWSLogs")
        );
        assert_eq!(l.key("room=a/x.parquet"), "logs/AWSLogs/room=a/x.parquet");
        let l = S3Location::parse("s3://b").unwrap();
        assert_eq!(l.key("x"), "x");
        assert_eq!(S3Location::parse("s3://b/p/").unwrap().key("x"), "p/x");
        assert!(S3Location::parse("s3:///x").is_err());
        assert!(S3Location::parse("/tmp/x").is_err());
        assert_eq!(
            Output::parse("/tmp/x").unwrap(),
            Output::Local("/tmp/x".into())
        );
    }
}
