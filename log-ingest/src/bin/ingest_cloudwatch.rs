//! Lambda: CloudWatch Logs subscription (`awslogs.data`) -> Parquet in S3; CONTROL_MESSAGE skipped.
//! Configuration: see `log_ingest::handlers::LambdaConfig`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use log_ingest::aws::s3_client_from_env;
use log_ingest::handlers::{handle_cloudwatch, init_tracing, LambdaConfig};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let cfg = LambdaConfig::from_env()?;
    let client = s3_client_from_env().await;
    let (cfg, client) = (&cfg, &client);
    lambda_runtime::run(service_fn(move |ev: LambdaEvent<Value>| async move {
        handle_cloudwatch(client, cfg, &ev.payload)
            .await
            .map_err(Error::from)
    }))
    .await
}
