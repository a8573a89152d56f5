//! Object helpers: the calls the workspace makes, each with one error shape
//! ([`AwsShellError::S3`], carrying the SDK's whole error chain and the URL).

use std::path::Path;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use crate::error::{AwsShellError, Op};
use crate::url::S3Url;

fn s3_err(op: Op, url: &S3Url, e: impl std::error::Error) -> AwsShellError {
    AwsShellError::S3 {
        op,
        url: url.to_string(),
        detail: DisplayErrorContext(e).to_string(),
    }
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// ETag, as S3 returns it (quotes included).
    pub etag: String,
}

/// Every object under the prefix `url.key` (all pages), sorted by key; "directory"
/// placeholders (keys ending in `/`) are left out.
pub async fn list(client: &Client, url: &S3Url) -> Result<Vec<ObjectInfo>, AwsShellError> {
    let mut out = Vec::new();
    let mut pages = client
        .list_objects_v2()
        .bucket(&url.bucket)
        .prefix(&url.key)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| s3_err(Op::List, url, e))?;
        for o in page.contents() {
            let key = o.key().unwrap_or_default();
            if key.is_empty() || key.ends_with('/') {
                continue;
            }
            out.push(ObjectInfo {
                key: key.to_string(),
                size: u64::try_from(o.size().unwrap_or(0)).unwrap_or(0),
                etag: o.e_tag().unwrap_or_default().to_string(),
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// The bytes of an object, or `None` when it does not exist.
pub async fn get(client: &Client, url: &S3Url) -> Result<Option<Vec<u8>>, AwsShellError> {
    let out = match client
        .get_object()
        .bucket(&url.bucket)
        .key(&url.key)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
        Err(e) => return Err(s3_err(Op::Get, url, e)),
    };
    let body = out
        .body
        .collect()
        .await
        .map_err(|e| s3_err(Op::Get, url, e))?;
    Ok(Some(body.into_bytes().to_vec()))
}

/// An object's body and ETag, as [`get_if_changed`] returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The object's bytes.
    pub body: Vec<u8>,
    /// Its ETag (quotes included).
    pub etag: String,
}

/// Gets the object unless its ETag is still `known_etag` (`Ok(None)`: unchanged), with
/// a conditional `If-None-Match` request.
pub async fn get_if_changed(
    client: &Client,
    url: &S3Url,
    known_etag: Option<&str>,
) -> Result<Option<Fetched>, AwsShellError> {
    let mut get = client.get_object().bucket(&url.bucket).key(&url.key);
    if let Some(etag) = known_etag {
        get = get.if_none_match(etag);
    }
    let out = match get.send().await {
        Ok(out) => out,
        Err(e) if e.raw_response().map(|r| r.status().as_u16()) == Some(304) => return Ok(None),
        Err(e) => return Err(s3_err(Op::Get, url, e)),
    };
    let etag = out.e_tag().unwrap_or_default().to_string();
    if known_etag.is_some_and(|k| k == etag) {
        return Ok(None);
    }
    let body = out
        .body
        .collect()
        .await
        .map_err(|e| s3_err(Op::Get, url, e))?;
    Ok(Some(Fetched {
        body: body.into_bytes().to_vec(),
        etag,
    }))
}

/// Streams an object to the file `dest` (never whole in memory); returns its size.
pub async fn download(client: &Client, url: &S3Url, dest: &Path) -> Result<u64, AwsShellError> {
    let obj = client
        .get_object()
        .bucket(&url.bucket)
        .key(&url.key)
        .send()
        .await
        .map_err(|e| s3_err(Op::Get, url, e))?;
    let mut body = obj.body.into_async_read();
    let io = |source| AwsShellError::Io {
        path: dest.to_path_buf(),
        source,
    };
    let mut file = tokio::fs::File::create(dest).await.map_err(io)?;
    tokio::io::copy_buf(&mut body, &mut file)
        .await
        .map_err(|e| s3_err(Op::Get, url, e))
}

/// Uploads the file `path` as the object `url` (streamed from disk).
pub async fn put_file(client: &Client, url: &S3Url, path: &Path) -> Result<(), AwsShellError> {
    let body = ByteStream::from_path(path)
        .await
        .map_err(|e| AwsShellError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
    put(client, url, body).await
}

/// Uploads `bytes` as the object `url`.
pub async fn put_bytes(
    client: &Client,
    url: &S3Url,
    bytes: impl Into<Vec<u8>>,
) -> Result<(), AwsShellError> {
    put(client, url, ByteStream::from(bytes.into())).await
}

async fn put(client: &Client, url: &S3Url, body: ByteStream) -> Result<(), AwsShellError> {
    client
        .put_object()
        .bucket(&url.bucket)
        .key(&url.key)
        .body(body)
        .send()
        .await
        .map_err(|e| s3_err(Op::Put, url, e))?;
    Ok(())
}

/// Deletes the object `url` (no error when it does not exist, as S3 does).
pub async fn delete(client: &Client, url: &S3Url) -> Result<(), AwsShellError> {
    client
        .delete_object()
        .bucket(&url.bucket)
        .key(&url.key)
        .send()
        .await
        .map_err(|e| s3_err(Op::Delete, url, e))?;
    Ok(())
}
