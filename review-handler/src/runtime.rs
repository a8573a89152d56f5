//! Cold start: load the configured pack and start the reloader.

use std::sync::Arc;

use crate::config::{Config, RulesSource};
use crate::handler::State;
use crate::reload::Reloader;
use crate::s3;
use crate::source::{compile_text, load_local, Loaded};
use crate::HandlerError;

/// Loads and compiles the pack named by `config.source`; for an S3 source also starts
/// the background [`Reloader`] (unless reloading is off). `path_style` selects
/// path-style S3 addressing (see [`s3::path_style`]).
///
/// A pack that cannot be loaded at cold start is an init error: the function does not
/// start, IVS counts `InvocationErrors` and applies the room's `FallbackResult`, and the
/// alarm fires. Silently running a different pack than the one configured is worse.
pub async fn init(config: Config, path_style: bool) -> Result<State, HandlerError> {
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
