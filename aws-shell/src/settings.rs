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
        let (mut s3, mut global, mut force) = (None, None, false);
        for (k, v) in vars {
            let v = v.as_ref().trim();
            if v.is_empty() {
                continue;
            }
            match k.as_ref() {
                "AWS_ENDPOINT_URL_S3" => s3 = Some(v.to_string()),
                "AWS_ENDPOINT_URL" => global = Some(v.to_string()),
                "AWS_S3_FORCE_PATH_STYLE" => force = v.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        let endpoint_url = s3.or(global);
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
}
