//! The `review-handler` Lambda binary: environment in, `lambda_runtime` loop out.
//! All logic lives in the library (see `lib.rs`).

use lambda_runtime::{service_fn, Error, LambdaEvent};
use review_handler::{runtime, s3, Config};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let init = async {
        let config = Config::from_env(std::env::vars())?;
        runtime::init(config, s3::path_style(std::env::vars())).await
    };
    let state = match init.await {
        Ok(state) => state,
        Err(e) => {
            // Startup: fail loudly with the human-readable cause (file, line, rule).
            eprintln!("review-handler: init failed: {e}");
            return Err(e.into());
        }
    };
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let state = state.clone();
        async move { Ok::<Value, Error>(state.handle(event.payload).await) }
    }))
    .await
}
