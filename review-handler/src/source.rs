//! Loading and compiling the rule pack from its configured source.

use std::path::Path;

use rules::{Engine, PackSet};

use crate::config::RulesSource;
use crate::HandlerError;

/// A compiled engine and where it came from.
pub struct Loaded {
    /// The compiled rules.
    pub engine: Engine,
    /// `bundled`, a path or `s3://bucket/key`.
    pub origin: String,
    /// The S3 ETag the engine was compiled from, if it came from S3.
    pub etag: Option<String>,
}

/// Compiles a pack set, naming `origin` in errors.
pub fn compile(set: &PackSet, origin: &str) -> Result<Engine, HandlerError> {
    Engine::compile(set).map_err(|source| HandlerError::Rules {
        origin: origin.to_string(),
        source,
    })
}

/// Parses and compiles a pack held in memory (e.g. an S3 object's body).
///
/// `terms_file` references in such a pack are resolved against `base_dir` when given;
/// packs fetched from S3 have none, so they must be self-contained (inline `terms`).
pub fn compile_text(
    src: &str,
    origin: &str,
    base_dir: Option<&Path>,
) -> Result<Engine, HandlerError> {
    let set =
        PackSet::from_toml_str(src, origin, base_dir).map_err(|source| HandlerError::Rules {
            origin: origin.to_string(),
            source,
        })?;
    compile(&set, origin)
}

/// Loads and compiles a local source: the bundled pack or a file. S3 sources are
/// fetched by [`crate::s3`] and compiled with [`compile_text`].
pub fn load_local(source: &RulesSource) -> Result<Option<Loaded>, HandlerError> {
    let origin = source.origin();
    let set = match source {
        RulesSource::Bundled => PackSet::bundled_default(),
        RulesSource::File(path) => PackSet::load(path).map_err(|source| HandlerError::Rules {
            origin: origin.clone(),
            source,
        })?,
        RulesSource::S3 { .. } => return Ok(None),
    };
    Ok(Some(Loaded {
        engine: compile(&set, &origin)?,
        origin,
        etag: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_pack_compiles() {
        let loaded = load_local(&RulesSource::Bundled).unwrap().unwrap();
        assert_eq!(loaded.origin, "bundled");
    }

    #[test]
    fn s3_sources_are_not_local() {
        assert!(load_local(&RulesSource::S3 {
            bucket: "b".into(),
            key: "k".into()
        })
        .unwrap()
        .is_none());
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = load_local(&RulesSource::File("/nonexistent/pack.toml".into()))
            .err()
            .unwrap();
        assert!(err.to_string().contains("/nonexistent/pack.toml"), "{err}");
    }

    #[test]
    fn bad_text_is_rejected_with_its_origin() {
        let err = compile_text("this is = = not toml", "s3://b/k", None)
            .err()
            .unwrap();
        assert!(err.to_string().contains("s3://b/k"), "{err}");
    }
}
