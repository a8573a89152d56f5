//! The imperative shell's input side: read files from a local directory or an `s3://`
//! prefix. Everything else in the crate works on the bytes this returns.
//!
//! S3 clients use path-style addressing when `AWS_ENDPOINT_URL` is set or
//! `AWS_S3_FORCE_PATH_STYLE=true` (local stand-ins such as moto).

use std::path::{Path, PathBuf};

use aws_sdk_s3::error::DisplayErrorContext;

use crate::error::{ReplayError, Result};
use crate::recording::join_rel;

/// A local path or an S3 location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local file or directory.
    Local(PathBuf),
    /// `s3://bucket/key-or-prefix`.
    S3 {
        /// Bucket name.
        bucket: String,
        /// Key or prefix (no leading slash; may be empty).
        key: String,
    },
}

impl Location {
    /// Parses `s3://bucket/prefix` or a local path.
    pub fn parse(text: &str) -> Result<Location> {
        match text.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(ReplayError::Usage(format!(
                        "{text:?}: expected s3://bucket/prefix"
                    )));
                }
                Ok(Location::S3 {
                    bucket: bucket.to_owned(),
                    key: key.to_owned(),
                })
            }
            None => Ok(Location::Local(PathBuf::from(text))),
        }
    }

    /// The location of `rel` below this one (a directory or prefix).
    pub fn join(&self, rel: &str) -> Location {
        match self {
            Location::Local(p) => Location::Local(p.join(rel)),
            Location::S3 { bucket, key } => Location::S3 {
                bucket: bucket.clone(),
                key: join_rel(key, rel),
            },
        }
    }

    /// Display form used in messages: a path or `s3://bucket/key`.
    pub fn display(&self) -> String {
        match self {
            Location::Local(p) => p.display().to_string(),
            Location::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
        }
    }

    fn is_s3(&self) -> bool {
        matches!(self, Location::S3 { .. })
    }
}

/// Reads locations; holds an S3 client when any location needs one.
#[derive(Debug, Clone)]
pub struct Store {
    s3: Option<aws_sdk_s3::Client>,
}

impl Store {
    /// A store for these locations; loads the AWS configuration only if one is on S3.
    pub async fn for_locations(locations: &[&Location]) -> Store {
        if !locations.iter().any(|l| l.is_s3()) {
            return Store { s3: None };
        }
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Store {
            s3: Some(s3_client(&config)),
        }
    }

    /// A store with the given S3 client.
    pub fn with_client(client: aws_sdk_s3::Client) -> Store {
        Store { s3: Some(client) }
    }

    fn client(&self, url: &str) -> Result<&aws_sdk_s3::Client> {
        self.s3
            .as_ref()
            .ok_or_else(|| ReplayError::Usage(format!("{url}: no S3 client configured")))
    }

    /// Reads a file or object; `Ok(None)` when it does not exist.
    pub async fn read(&self, loc: &Location) -> Result<Option<Vec<u8>>> {
        match loc {
            Location::Local(p) => match std::fs::read(p) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(ReplayError::io(p, e)),
            },
            Location::S3 { bucket, key } => {
                let url = loc.display();
                let resp = self
                    .client(&url)?
                    .get_object()
                    .bucket(bucket)
                    .key(key)
                    .send()
                    .await;
                let out = match resp {
                    Ok(o) => o,
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                        return Ok(None)
                    }
                    Err(e) => {
                        return Err(ReplayError::S3 {
                            url,
                            message: DisplayErrorContext(&e).to_string(),
                        })
                    }
                };
                let body = out.body.collect().await.map_err(|e| ReplayError::S3 {
                    url,
                    message: e.to_string(),
                })?;
                Ok(Some(body.into_bytes().to_vec()))
            }
        }
    }

    /// Reads a file that must exist.
    pub async fn read_required(&self, loc: &Location, what: &str) -> Result<Vec<u8>> {
        self.read(loc).await?.ok_or_else(|| ReplayError::NotFound {
            source_name: loc.display(),
            what: what.to_owned(),
        })
    }

    /// Lists the files under a location, sorted: the file itself, every regular file of
    /// a directory tree (hidden files skipped), or every object under an S3 prefix.
    pub async fn list(&self, loc: &Location) -> Result<Vec<Location>> {
        match loc {
            Location::Local(p) => {
                let mut out = Vec::new();
                walk(p, &mut out)?;
                out.sort();
                Ok(out.into_iter().map(Location::Local).collect())
            }
            Location::S3 { bucket, key } => {
                let url = loc.display();
                let mut pages = self
                    .client(&url)?
                    .list_objects_v2()
                    .bucket(bucket)
                    .prefix(key.as_str())
                    .into_paginator()
                    .send();
                let mut keys = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| ReplayError::S3 {
                        url: url.clone(),
                        message: DisplayErrorContext(&e).to_string(),
                    })?;
                    keys.extend(
                        page.contents()
                            .iter()
                            .filter_map(|o| o.key().map(str::to_owned)),
                    );
                }
                keys.sort();
                Ok(keys
                    .into_iter()
                    .map(|k| Location::S3 {
                        bucket: bucket.clone(),
                        key: k,
                    })
                    .collect())
            }
        }
    }
}

/// Collects regular files under `p` (or `p` itself), skipping dot-files.
fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(p).map_err(|e| ReplayError::io(p, e))?;
    if meta.is_file() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(p).map_err(|e| ReplayError::io(p, e))? {
        let entry = entry.map_err(|e| ReplayError::io(p, e))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// An S3 client for `config`, path-style when talking to a local endpoint.
pub fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let path_style = std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var("AWS_S3_FORCE_PATH_STYLE").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    let s3 = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(path_style)
        .build();
    aws_sdk_s3::Client::from_conf(s3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_locations() {
        assert_eq!(
            Location::parse("s3://b/ivs/v1/x/")
                .unwrap()
                .join("events/recording-ended.json")
                .display(),
            "s3://b/ivs/v1/x/events/recording-ended.json"
        );
        assert_eq!(
            Location::parse("s3://b").unwrap(),
            Location::S3 {
                bucket: "b".into(),
                key: String::new()
            }
        );
        assert!(Location::parse("s3:///x").is_err());
        assert_eq!(
            Location::parse("rec").unwrap().join("a/b").display(),
            "rec/a/b"
        );
    }
}
