//! Deterministic output paths: `room=<id>/date=YYYY-MM-DD/<stem>.<ext>` under a root.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::IngestError;

/// Where outputs of a run go (a local directory; the S3 shell uploads it as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLayout {
    /// The table root: partitions are `room=<id>/date=<day>/` below it.
    pub root: PathBuf,
}

impl OutputLayout {
    /// A layout rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        OutputLayout { root: root.into() }
    }

    /// Relative path of the record file of a source in a partition.
    pub fn record_path(room: &str, date: &str, stem: &str, ext: &str) -> PathBuf {
        PathBuf::from(format!("room={}", sanitize(room)))
            .join(format!("date={}", sanitize(date)))
            .join(format!("{stem}.{ext}"))
    }

    /// Relative path of the quarantine file of a source (hidden from Hive readers by `_`).
    pub fn quarantine_path(stem: &str) -> PathBuf {
        PathBuf::from("_quarantine").join(format!("{stem}.ndjson"))
    }

    /// Creates a temporary file next to `rel` (under the root); returns (tmp, final) paths.
    pub fn create_tmp(&self, rel: &Path) -> Result<(PathBuf, PathBuf, fs::File), IngestError> {
        let dest = self.root.join(rel);
        let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| IngestError::io(&dir, e))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = fs::File::create(&tmp).map_err(|e| IngestError::io(&tmp, e))?;
        Ok((tmp, dest, file))
    }
}

/// Moves a completed temporary file into place, replacing an earlier output.
pub fn commit_tmp(tmp: &Path, dest: &Path) -> Result<(), IngestError> {
    fs::rename(tmp, dest).map_err(|e| IngestError::io(dest, e))
}

/// Keeps `[A-Za-z0-9._-]`, replaces anything else with `_` (partition values and stems).
pub fn sanitize(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.chars().all(|c| c == '.') {
        "_".to_string()
    } else {
        out
    }
}

/// FNV-1a 64-bit: a stable hash (unlike `std`'s) for naming outputs.
fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The output name of a source: its file name without `.gz`/`.log`/`.json` plus a hash of
/// its canonical key, so the same source always maps to the same outputs.
///
/// The canonical key is the part from `AWSLogs/` on when present (a local copy of a
/// bucket and the bucket itself name the same outputs), else the key as given.
pub fn output_stem(source_key: &str) -> String {
    let canonical = source_key
        .find("AWSLogs/")
        .map_or(source_key, |i| &source_key[i..]);
    let file = canonical.rsplit('/').next().unwrap_or(canonical);
    let mut base = file;
    for ext in [".gz", ".log", ".json", ".ndjson", ".jsonl"] {
        base = base.strip_suffix(ext).unwrap_or(base);
    }
    let base: String = sanitize(base).chars().take(120).collect();
    format!("{base}-{:016x}", fnv1a64(canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_deterministic_and_layout_independent() {
        let key = "AWSLogs/1/IVSChatLogs/1.0/r/room_a/2022/10/14/17/1_IVSChatLogs_1.0_r_room_a_20221014T1740Z_h.log.gz";
        let a = output_stem(key);
        assert_eq!(a, output_stem(&format!("/mnt/copy/{key}")));
        assert!(
            a.starts_with("1_IVSChatLogs_1.0_r_room_a_20221014T1740Z_h-"),
            "{a}"
        );
        assert_ne!(a, output_stem(&key.replace("_h.log", "_i.log")));
        assert_eq!(output_stem("x/y z.json"), output_stem("x/y z.json"));
        assert!(output_stem("x/y z.json").starts_with("y_z-"));
    }

    #[test]
    fn partition_values_are_sanitised() {
        assert_eq!(
            OutputLayout::record_path("a/../b", "2023-01-05", "s", "parquet"),
            PathBuf::from("room=a_.._b/date=2023-01-05/s.parquet")
        );
        assert_eq!(sanitize(".."), "_");
        assert_eq!(sanitize(""), "_");
    }
}
