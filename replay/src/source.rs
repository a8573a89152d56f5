//! The imperative shell's input side: read files from a local directory or an `s3://`
//! prefix. Everything else in the crate works on the bytes this returns.
//!
//! Local trees are walked by `log-ingest`'s one walker
//! ([`log_ingest::sink::layout::data_files`]): hidden entries and `_`-prefixed ones
//! (log-ingest's `_quarantine/`, `_manifests/`, `_state/`) are skipped, so a log-ingest
//! output tree yields its record files only. S3 goes through the workspace's one S3
//! shell ([`aws_shell`]: URL parsing, endpoint and path-style rules, object calls); it is
//! built with the `shell` feature (on by default), without which `s3://` locations
//! parse but cannot be read.

use std::path::PathBuf;

use aws_shell::S3Url;
use log_ingest::IngestError;

use crate::error::{ReplayError, Result};

/// A local path or an S3 location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local file or directory.
    Local(PathBuf),
    /// `s3://bucket/key-or-prefix`.
    S3(S3Url),
}

impl Location {
    /// Parses `s3://bucket/prefix` or a local path.
    pub fn parse(text: &str) -> Result<Location> {
        if text.starts_with("s3://") {
            let url = S3Url::parse(text).map_err(|e| ReplayError::Usage(e.to_string()))?;
            return Ok(Location::S3(url));
        }
        Ok(Location::Local(PathBuf::from(text)))
    }

    /// The location of `rel` below this one (a directory or prefix).
    pub fn join(&self, rel: &str) -> Location {
        match self {
            Location::Local(p) => Location::Local(p.join(rel)),
            Location::S3(url) => Location::S3(url.join(rel)),
        }
    }

    /// Display form used in messages: a path or `s3://bucket/key`.
    pub fn display(&self) -> String {
        match self {
            Location::Local(p) => p.display().to_string(),
            Location::S3(url) => url.to_string(),
        }
    }

    fn is_s3(&self) -> bool {
        matches!(self, Location::S3(_))
    }
}

/// Reads locations; holds an S3 client when any location needs one.
#[derive(Debug, Clone)]
pub struct Store {
    #[cfg(feature = "shell")]
    s3: Option<aws_shell::Client>,
}

impl Store {
    /// A store for these locations; loads the AWS configuration only if one is on S3.
    pub async fn for_locations(locations: &[&Location]) -> Store {
        if !locations.iter().any(|l| l.is_s3()) {
            return Store::local();
        }
        #[cfg(feature = "shell")]
        return Store {
            s3: Some(aws_shell::client_from_env().await),
        };
        #[cfg(not(feature = "shell"))]
        Store::local()
    }

    /// A store for local files only.
    pub fn local() -> Store {
        Store {
            #[cfg(feature = "shell")]
            s3: None,
        }
    }

    /// A store with the given S3 client.
    #[cfg(feature = "shell")]
    pub fn with_client(client: aws_shell::Client) -> Store {
        Store { s3: Some(client) }
    }

    #[cfg(feature = "shell")]
    fn client(&self, url: &S3Url) -> Result<&aws_shell::Client> {
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
            Location::S3(url) => self.read_s3(url).await,
        }
    }

    #[cfg(feature = "shell")]
    async fn read_s3(&self, url: &S3Url) -> Result<Option<Vec<u8>>> {
        aws_shell::objects::get(self.client(url)?, url)
            .await
            .map_err(|e| s3_error(url, e))
    }

    #[cfg(not(feature = "shell"))]
    async fn read_s3(&self, url: &S3Url) -> Result<Option<Vec<u8>>> {
        Err(no_s3(url))
    }

    /// Reads a file that must exist.
    pub async fn read_required(&self, loc: &Location, what: &str) -> Result<Vec<u8>> {
        self.read(loc).await?.ok_or_else(|| ReplayError::NotFound {
            source_name: loc.display(),
            what: what.to_owned(),
        })
    }

    /// Lists the files under a location, sorted: the file itself, the data files of a
    /// directory tree ([`log_ingest::sink::layout::data_files`]), or every object under
    /// an S3 prefix.
    pub async fn list(&self, loc: &Location) -> Result<Vec<Location>> {
        match loc {
            Location::Local(p) => {
                let files = log_ingest::sink::layout::data_files(p).map_err(walk_error)?;
                Ok(files.into_iter().map(Location::Local).collect())
            }
            Location::S3(url) => self.list_s3(url).await,
        }
    }

    #[cfg(feature = "shell")]
    async fn list_s3(&self, url: &S3Url) -> Result<Vec<Location>> {
        let objects = aws_shell::objects::list(self.client(url)?, url)
            .await
            .map_err(|e| s3_error(url, e))?;
        Ok(objects
            .into_iter()
            .map(|o| Location::S3(url.with_key(o.key)))
            .collect())
    }

    #[cfg(not(feature = "shell"))]
    async fn list_s3(&self, url: &S3Url) -> Result<Vec<Location>> {
        Err(no_s3(url))
    }
}

/// A walk failure as replay reports it: the path and the OS error.
fn walk_error(e: IngestError) -> ReplayError {
    match e {
        IngestError::Io { path, source } => ReplayError::io(path, source),
        other => ReplayError::Usage(other.to_string()),
    }
}

#[cfg(feature = "shell")]
fn s3_error(url: &S3Url, e: aws_shell::AwsShellError) -> ReplayError {
    let message = match e {
        aws_shell::AwsShellError::S3 { detail, .. } => detail,
        other => other.to_string(),
    };
    ReplayError::S3 {
        url: url.to_string(),
        message,
    }
}

#[cfg(not(feature = "shell"))]
fn no_s3(url: &S3Url) -> ReplayError {
    ReplayError::Usage(format!(
        "{url}: this build of replay reads local files only (built without the `shell` feature)"
    ))
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
            Location::S3(S3Url::new("b", ""))
        );
        assert!(Location::parse("s3:///x").is_err());
        assert_eq!(
            Location::parse("rec").unwrap().join("a/b").display(),
            "rec/a/b"
        );
    }
}
