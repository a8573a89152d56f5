//! Cold start: load the configured pack, start the reloader, connect the state store.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, RulesSource};
use crate::handler::State;
use crate::reload::Reloader;
use crate::s3;
use crate::source::{compile_text, load_local, Loaded};
use crate::store::DynamoStore;
use crate::HandlerError;

/// Loads and compiles the pack named by `config.source`; for an S3 source also starts
/// the background [`Reloader`] (unless reloading is off). `path_style` selects
/// path-style S3 addressing (see [`s3::path_style`]).
///
/// A pack that cannot be loaded at cold start is an init error: the function does not
/// start, IVS counts `InvocationErrors` and applies the room's `FallbackResult`, and the
/// alarm fires. Silently running a different pack than the one configured is worse.
pub async fn init(config: Config, path_style: bool) -> Result<State, HandlerError> {
    let state = load(config, path_style).await?;
    Ok(with_state_store(state).await)
}

/// Connects the state store named by `STATE_TABLE`, if any, and warms its connection
/// (one `GetItem` of a key no op uses, errors ignored) so that the first message does
/// not pay the connection set-up inside its store deadline. Says at init when a
/// stateful pack has no store: every message then degrades as the pack says.
async fn with_state_store(state: State) -> State {
    let stateful = state.engines.load().engine.is_stateful();
    let Some(table) = state.config.state_table.clone() else {
        if stateful {
            eprintln!(
                "review-handler: the pack has stateful rules but STATE_TABLE is unset: \
                 every message degrades as the pack's state_unavailable says"
            );
        }
        return state;
    };
    let client = aws_shell::dynamodb_client_from_env().await;
    // No SDK retries: a retry cannot fit in a 30 ms deadline, and a failed round trip
    // degrades the one message instead.
    let conf = client
        .config()
        .to_builder()
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), table);
    let ops = [warm_up_op()];
    let warm = store.apply(&ops, 0);
    if let Ok(Err(e)) = tokio::time::timeout(Duration::from_secs(2), warm).await {
        eprintln!(
            "review-handler: state store warm-up failed (messages degrade until it answers): {e}"
        );
    }
    state.with_store(store)
}

/// A read of a room record no room has (the empty room id).
fn warm_up_op() -> rules::state::Op {
    rules::state::Op::Room {
        room: String::new(),
    }
}

async fn load(config: Config, path_style: bool) -> Result<State, HandlerError> {
    if let Some(loaded) = load_local(&config.source)? {
        return Ok(State::new(loaded, config));
    }
    let RulesSource::S3 { bucket, key } = config.source.clone() else {
        return Err(HandlerError::BadEnv {
            var: "RULES_SOURCE",
            expected: "bundled, a path or s3://bucket/key",
            value: config.source.origin(),
        });
    };
    let origin = config.source.origin();
    let client = s3::client(path_style).await;
    let fetch = s3::fetch_if_changed(&client, &bucket, &key, None);
    let object = tokio::time::timeout(config.fetch_timeout * 5, fetch)
        .await
        .map_err(|_| HandlerError::S3 {
            bucket: bucket.clone(),
            key: key.clone(),
            detail: format!("timed out after {:?}", config.fetch_timeout * 5),
        })??
        .ok_or_else(|| HandlerError::S3 {
            bucket: bucket.clone(),
            key: key.clone(),
            detail: "no object".into(),
        })?;
    let engine = compile_text(&object.body, &origin, None)?;
    let state = State::new(
        Loaded {
            engine,
            origin,
            etag: Some(object.etag),
        },
        config,
    );
    if let Some(every) = state.config.reload_every {
        let reloader = Reloader::new(
            client,
            bucket,
            key,
            Arc::clone(&state.config),
            Arc::clone(&state.engines),
        );
        reloader.spawn(every);
    }
    Ok(state)
}
