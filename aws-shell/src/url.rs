//! `s3://bucket[/key]` URLs.

use crate::error::AwsShellError;

/// A bucket and a key (an object) or key prefix (a "directory"), written
/// `s3://bucket/key`.
///
/// The key is kept verbatim, as S3 does (no slash is trimmed or added); it may be empty
/// (`s3://bucket`, the whole bucket).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct S3Url {
    /// Bucket name.
    pub bucket: String,
    /// Object key or key prefix, without the bucket; may be empty.
    pub key: String,
}

/// The longest bucket name S3 accepts.
const MAX_BUCKET_LEN: usize = 63;

impl S3Url {
    /// A URL from its parts (not validated).
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> S3Url {
        S3Url {
            bucket: bucket.into(),
            key: key.into(),
        }
    }

    /// Parses `s3://bucket[/key]`: a bucket (1 to 63 letters, digits, `.`, `-` or `_`)
    /// and any key, possibly empty.
    pub fn parse(text: &str) -> Result<S3Url, AwsShellError> {
        let bad = |expected: String| AwsShellError::Url {
            text: text.to_string(),
            expected,
        };
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| bad("s3://bucket/key (no s3:// scheme)".to_string()))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("a bucket name after s3://".to_string()));
        }
        if bucket.len() > MAX_BUCKET_LEN {
            return Err(bad(format!(
                "a bucket name of at most {MAX_BUCKET_LEN} characters (found {})",
                bucket.len()
            )));
        }
        if let Some(c) = bucket
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        {
            return Err(bad(format!(
                "a bucket name of letters, digits, '.', '-' or '_' (found {c:?})"
            )));
        }
        Ok(S3Url::new(bucket, key))
    }

    /// Parses the URL of one object: like [`S3Url::parse`], and the key must name an
    /// object (non-empty, not ending in `/`).
    pub fn parse_object(text: &str) -> Result<S3Url, AwsShellError> {
        let url = S3Url::parse(text)?;
        if url.key.is_empty() || url.key.ends_with('/') {
            return Err(AwsShellError::Url {
                text: text.to_string(),
                expected: "s3://bucket/key with a non-empty object key (not ending in '/')"
                    .to_string(),
            });
        }
        Ok(url)
    }

    /// The URL of `rel` below this prefix: `key/rel`, with exactly one `/` between
    /// them (none when the key is empty, the bucket's root).
    pub fn join(&self, rel: &str) -> S3Url {
        let rel = rel.trim_start_matches('/');
        let key = if self.key.is_empty() || self.key.ends_with('/') {
            format!("{}{rel}", self.key)
        } else {
            format!("{}/{rel}", self.key)
        };
        S3Url::new(self.bucket.clone(), key)
    }

    /// The same bucket with another key.
    pub fn with_key(&self, key: impl Into<String>) -> S3Url {
        S3Url::new(self.bucket.clone(), key)
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

impl std::str::FromStr for S3Url {
    type Err = AwsShellError;
    fn from_str(s: &str) -> Result<S3Url, AwsShellError> {
        S3Url::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bucket_and_verbatim_key() {
        let u = S3Url::parse("s3://b/logs/AWSLogs").unwrap();
        assert_eq!((u.bucket.as_str(), u.key.as_str()), ("b", "logs/AWSLogs"));
        assert_eq!(S3Url::parse("s3://b").unwrap(), S3Url::new("b", ""));
        assert_eq!(S3Url::parse("s3://b/").unwrap(), S3Url::new("b", ""));
        assert_eq!(S3Url::parse("s3://b/p/").unwrap().key, "p/");
        assert_eq!(
            S3Url::parse("s3://my.bucket-1/k").unwrap().to_string(),
            "s3://my.bucket-1/k"
        );
    }

    #[test]
    fn errors_say_what_was_expected() {
        for (text, says) in [
            ("/tmp/x", "no s3:// scheme"),
            ("S3://b/k", "no s3:// scheme"),
            ("s3://", "a bucket name"),
            ("s3:///key", "a bucket name"),
            ("s3://bu cket/k", "found ' '"),
            ("s3://b?x/k", "found '?'"),
        ] {
            let err = S3Url::parse(text).unwrap_err().to_string();
            assert!(err.contains(says) && err.contains(text), "{text}: {err}");
        }
        let long = format!("s3://{}/k", "b".repeat(64));
        assert!(S3Url::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("at most 63"));
    }

    #[test]
    fn objects_need_a_key() {
        assert_eq!(
            S3Url::parse_object("s3://b/k").unwrap(),
            S3Url::new("b", "k")
        );
        for bad in [
            "s3://",
            "s3://bucket",
            "s3://bucket/",
            "s3:///key",
            "s3://b/dir/",
        ] {
            assert!(
                S3Url::parse_object(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn join_puts_one_slash_between() {
        let p = S3Url::parse("s3://b/ivs/v1/x/").unwrap();
        assert_eq!(p.join("events/e.json").key, "ivs/v1/x/events/e.json");
        assert_eq!(S3Url::parse("s3://b/p").unwrap().join("x").key, "p/x");
        assert_eq!(S3Url::parse("s3://b").unwrap().join("/x").key, "x");
    }
}
