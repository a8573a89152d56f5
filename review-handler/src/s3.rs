//! Fetching the rule pack from S3, conditionally on its ETag.

use aws_sdk_s3::Client;

use crate::HandlerError;

/// A pack object's body and ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackObject {
    /// The TOML text.
    pub body: String,
    /// The object's ETag (as S3 returns it, quotes included).
    pub etag: String,
}

/// Builds the S3 client. `path_style` follows our convention: on when
/// `AWS_ENDPOINT_URL` is set or `AWS_S3_FORCE_PATH_STYLE=true` (see [`path_style`]).
pub async fn client(path_style: bool) -> Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let conf = aws_sdk_s3::config::Builder::from(&sdk)
        .force_path_style(path_style)
        .build();
    Client::from_conf(conf)
}

/// Whether S3 clients must use path-style addressing, from environment pairs.
pub fn path_style<I, K, V>(vars: I) -> bool
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    vars.into_iter().any(|(k, v)| match k.as_ref() {
        "AWS_ENDPOINT_URL" | "AWS_ENDPOINT_URL_S3" => !v.as_ref().is_empty(),
        "AWS_S3_FORCE_PATH_STYLE" => v.as_ref().eq_ignore_ascii_case("true"),
        _ => false,
    })
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
    let mut get = client.get_object().bucket(bucket).key(key);
    if let Some(etag) = known_etag {
        get = get.if_none_match(etag);
    }
    let out = match get.send().await {
        Ok(out) => out,
        Err(e) => {
            if e.raw_response().map(|r| r.status().as_u16()) == Some(304) {
                return Ok(None);
            }
            return Err(err(aws_sdk_s3::error::DisplayErrorContext(&e).to_string()));
        }
    };
    let etag = out.e_tag().unwrap_or_default().to_string();
    if known_etag.is_some_and(|k| k == etag) {
        return Ok(None);
    }
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| err(format!("reading body: {e}")))?
        .into_bytes();
    let body =
        String::from_utf8(bytes.to_vec()).map_err(|e| err(format!("body is not UTF-8: {e}")))?;
    Ok(Some(PackObject { body, etag }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_style_convention() {
        assert!(!path_style([("HOME", "/root")]));
        assert!(path_style([("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")]));
        assert!(path_style([("AWS_S3_FORCE_PATH_STYLE", "TRUE")]));
        assert!(!path_style([("AWS_S3_FORCE_PATH_STYLE", "false")]));
        assert!(!path_style([("AWS_ENDPOINT_URL", "")]));
    }
}
