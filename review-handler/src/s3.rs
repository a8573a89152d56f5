//! Fetching the rule pack from S3, conditionally on its ETag, through the workspace's
//! one S3 shell ([`aws_shell`]: client construction, endpoint and path-style rules).

use aws_sdk_s3::Client;
use aws_shell::{S3Settings, S3Url};

use crate::HandlerError;

/// A pack object's body and ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackObject {
    /// The TOML text.
    pub body: String,
    /// The object's ETag (as S3 returns it, quotes included).
    pub etag: String,
}

/// Builds the S3 client: the endpoint from the environment ([`S3Settings::from_env`]),
/// path-style addressing when `path_style` (see [`path_style`]).
pub async fn client(path_style: bool) -> Client {
    let settings = S3Settings {
        force_path_style: path_style,
        ..S3Settings::from_env()
    };
    aws_shell::client(&settings).await
}

/// Whether S3 clients must use path-style addressing, from environment pairs: the
/// workspace's rule ([`S3Settings::from_vars`]: `AWS_ENDPOINT_URL`,
/// `AWS_ENDPOINT_URL_S3` or `AWS_S3_FORCE_PATH_STYLE=true`, empty values ignored).
pub fn path_style<I, K, V>(vars: I) -> bool
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    S3Settings::from_vars(vars).force_path_style
}

/// Gets the object unless its ETag is still `known_etag` (`Ok(None)`: unchanged).
pub async fn fetch_if_changed(
    client: &Client,
    bucket: &str,
    key: &str,
    known_etag: Option<&str>,
) -> Result<Option<PackObject>, HandlerError> {
    let err = |detail: String| HandlerError::S3 {
        bucket: bucket.to_string(),
        key: key.to_string(),
        detail,
    };
    let url = S3Url::new(bucket, key);
    let Some(fetched) = aws_shell::objects::get_if_changed(client, &url, known_etag)
        .await
        .map_err(|e| err(e.to_string()))?
    else {
        return Ok(None);
    };
    let body =
        String::from_utf8(fetched.body).map_err(|e| err(format!("body is not UTF-8: {e}")))?;
    Ok(Some(PackObject {
        body,
        etag: fetched.etag,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_style_convention() {
        assert!(!path_style([("HOME", "/root")]));
        assert!(path_style([("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")]));
        assert!(path_style([(
            "AWS_ENDPOINT_URL_S3",
            "http://127.0.0.1:5000"
        )]));
        assert!(path_style([("AWS_S3_FORCE_PATH_STYLE", "TRUE")]));
        assert!(!path_style([("AWS_S3_FORCE_PATH_STYLE", "false")]));
        assert!(!path_style([("AWS_ENDPOINT_URL", "")]));
    }
}
