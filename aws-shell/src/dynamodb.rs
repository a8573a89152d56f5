//! DynamoDB client construction: the SDK's default chain (credentials, region, profile)
//! plus the workspace's endpoint rules ([`DynamoSettings`]).

use aws_sdk_dynamodb::Client;

use crate::settings::DynamoSettings;

/// A DynamoDB client with `settings` on top of the SDK's defaults.
pub async fn dynamodb_client(settings: &DynamoSettings) -> Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let mut conf = aws_sdk_dynamodb::config::Builder::from(&sdk);
    if let Some(url) = &settings.endpoint_url {
        conf = conf.endpoint_url(url);
    }
    Client::from_conf(conf.build())
}

/// A DynamoDB client configured from this process's environment
/// ([`DynamoSettings::from_env`]).
pub async fn dynamodb_client_from_env() -> Client {
    dynamodb_client(&DynamoSettings::from_env()).await
}
