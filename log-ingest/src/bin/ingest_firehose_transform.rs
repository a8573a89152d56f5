//! Lambda: Firehose data transformation (`Ok` / `Dropped` / `ProcessingFailed`, partitionKeys room/date).
//! Configuration: see `log_ingest::handlers::LambdaConfig`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use log_ingest::handlers::{handle_firehose, init_tracing, LambdaConfig};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_tracing();
    let cfg = LambdaConfig::from_env()?;
    let cfg = &cfg;
    lambda_runtime::run(service_fn(move |ev: LambdaEvent<Value>| async move {
        handle_firehose(cfg, ev.payload).map_err(Error::from)
    }))
    .await
}
