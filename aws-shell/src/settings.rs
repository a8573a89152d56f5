//! How the S3 client is configured, decided from environment variables by a pure function.
//!
//! | Variable | Effect |
//! |---|---|
//! | `AWS_ENDPOINT_URL_S3` | the S3 endpoint (wins over `AWS_ENDPOINT_URL`); turns path-style addressing on |
//! | `AWS_ENDPOINT_URL` | the endpoint of every service; turns path-style addressing on |
//! | `AWS_S3_FORCE_PATH_STYLE` | `true` (any case): path-style addressing without an endpoint override |
//!
//! A variable set to an empty (or all-blank) value counts as unset: a template that
//! exports `AWS_ENDPOINT_URL=""` must not switch a real deployment to path style or to
//! an empty endpoint. Path style is what local stand-ins such as moto need (no
//! `bucket.host` DNS).

/// The S3 client settings the workspace's conventions derive from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Settings {
    /// The endpoint to talk to instead of AWS's, if any.
    pub endpoint_url: Option<String>,
    /// Path-style addressing (`host/bucket/key`) instead of virtual-hosted style.
    pub force_path_style: bool,
}

impl S3Settings {
    /// The settings from `(name, value)` pairs (pass `std::env::vars()`); other
    /// variables are ignored.
    pub fn from_vars<I, K, V>(vars: I) -> S3Settings
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut force = false;
        let endpoint_url = service_endpoint("AWS_ENDPOINT_URL_S3", vars, |k, v| {
            if k == "AWS_S3_FORCE_PATH_STYLE" {
                force = v.eq_ignore_ascii_case("true");
            }
        });
        S3Settings {
            force_path_style: force || endpoint_url.is_some(),
            endpoint_url,
        }
    }

    /// The settings from this process's environment.
    pub fn from_env() -> S3Settings {
        S3Settings::from_vars(std::env::vars())
    }
}

/// How the DynamoDB client is configured, from the environment by a pure function:
/// `AWS_ENDPOINT_URL_DYNAMODB` (wins) or `AWS_ENDPOINT_URL` name the endpoint; empty or
/// blank values count as unset, as for [`S3Settings`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DynamoSettings {
    /// The endpoint to talk to instead of AWS's, if any.
    pub endpoint_url: Option<String>,
}

impl DynamoSettings {
    /// The settings from `(name, value)` pairs (pass `std::env::vars()`).
    pub fn from_vars<I, K, V>(vars: I) -> DynamoSettings
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        DynamoSettings {
            endpoint_url: service_endpoint("AWS_ENDPOINT_URL_DYNAMODB", vars, |_, _| {}),
        }
    }

    /// The settings from this process's environment.
    pub fn from_env() -> DynamoSettings {
        DynamoSettings::from_vars(std::env::vars())
    }
}

/// The endpoint of one service: its own variable `specific` wins over `AWS_ENDPOINT_URL`;
/// empty or blank values are skipped. Every other non-empty pair goes to `other`.
fn service_endpoint<I, K, V>(
    specific: &str,
    vars: I,
    mut other: impl FnMut(&str, &str),
) -> Option<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let (mut own, mut global) = (None, None);
    for (k, v) in vars {
        let (k, v) = (k.as_ref(), v.as_ref().trim());
        if v.is_empty() {
            continue;
        }
        if k == specific {
            own = Some(v.to_string());
        } else if k == "AWS_ENDPOINT_URL" {
            global = Some(v.to_string());
        } else {
            other(k, v);
        }
    }
    own.or(global)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(pairs: &[(&str, &str)]) -> S3Settings {
        S3Settings::from_vars(pairs.iter().copied())
    }

    #[test]
    fn nothing_set_is_aws_defaults() {
        assert_eq!(s(&[("HOME", "/root")]), S3Settings::default());
    }

    #[test]
    fn either_endpoint_variable_turns_path_style_on() {
        for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"] {
            let got = s(&[(var, "http://127.0.0.1:5000")]);
            assert_eq!(
                got.endpoint_url.as_deref(),
                Some("http://127.0.0.1:5000"),
                "{var}"
            );
            assert!(got.force_path_style, "{var}");
        }
    }

    #[test]
    fn the_s3_specific_endpoint_wins_in_any_order() {
        let a = ("AWS_ENDPOINT_URL", "http://global:1");
        let b = ("AWS_ENDPOINT_URL_S3", "http://s3:2");
        for pairs in [[a, b], [b, a]] {
            assert_eq!(s(&pairs).endpoint_url.as_deref(), Some("http://s3:2"));
        }
    }

    #[test]
    fn empty_values_count_as_unset() {
        let got = s(&[
            ("AWS_ENDPOINT_URL", ""),
            ("AWS_ENDPOINT_URL_S3", "  "),
            ("AWS_S3_FORCE_PATH_STYLE", ""),
        ]);
        assert_eq!(got, S3Settings::default());
        // An empty S3-specific value does not hide a real global one.
        let got = s(&[
            ("AWS_ENDPOINT_URL_S3", ""),
            ("AWS_ENDPOINT_URL", "http://m:5"),
        ]);
        assert_eq!(got.endpoint_url.as_deref(), Some("http://m:5"));
    }

    #[test]
    fn force_path_style_takes_true_in_any_case_only() {
        assert!(s(&[("AWS_S3_FORCE_PATH_STYLE", "TRUE")]).force_path_style);
        assert_eq!(s(&[("AWS_S3_FORCE_PATH_STYLE", "TRUE")]).endpoint_url, None);
        for v in ["false", "0", "yes-please"] {
            assert!(
                !s(&[("AWS_S3_FORCE_PATH_STYLE", v)]).force_path_style,
                "{v}"
            );
        }
    }

    #[test]
    fn dynamodb_endpoint_wins_over_the_global_one_and_empty_is_unset() {
        let d = |pairs: &[(&str, &str)]| DynamoSettings::from_vars(pairs.iter().copied());
        assert_eq!(d(&[("HOME", "/")]), DynamoSettings::default());
        let a = ("AWS_ENDPOINT_URL", "http://global:1");
        let b = ("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:2");
        for pairs in [[a, b], [b, a]] {
            assert_eq!(d(&pairs).endpoint_url.as_deref(), Some("http://ddb:2"));
        }
        let got = d(&[("AWS_ENDPOINT_URL_DYNAMODB", " "), a]);
        assert_eq!(got.endpoint_url.as_deref(), Some("http://global:1"));
        // The S3 variable is not DynamoDB's.
        assert_eq!(
            d(&[("AWS_ENDPOINT_URL_S3", "http://s3:3")]).endpoint_url,
            None
        );
    }
}
