//! S3 client construction: the SDK's default chain (credentials, region, profile) plus
//! the workspace's endpoint and path-style rules ([`S3Settings`]).

use aws_sdk_s3::Client;

use crate::settings::S3Settings;

/// An S3 client with `settings` on top of the SDK's defaults.
pub async fn client(settings: &S3Settings) -> Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let mut conf =
        aws_sdk_s3::config::Builder::from(&sdk).force_path_style(settings.force_path_style);
    if let Some(url) = &settings.endpoint_url {
        conf = conf.endpoint_url(url);
    }
    Client::from_conf(conf.build())
}

/// An S3 client configured from this process's environment ([`S3Settings::from_env`]).
pub async fn client_from_env() -> Client {
    client(&S3Settings::from_env()).await
}
