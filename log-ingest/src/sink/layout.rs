//! Deterministic output paths: `room=<id>/date=YYYY-MM-DD/<stem>.<ext>` under a root.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::IngestError;
use crate::limits::MAX_ROOM_COMPONENT;

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

    /// Relative path of part `part` of the record file of a source in a partition:
    /// `<stem>.<ext>` for part 0, `<stem>.<part>.<ext>` for the further parts a partition
    /// gets when it was closed early (see [`crate::limits::Limits::max_open_partitions`]).
    pub fn record_path(room: &str, date: &str, stem: &str, part: u32, ext: &str) -> PathBuf {
        let file = match part {
            0 => format!("{stem}.{ext}"),
            n => format!("{stem}.{n}.{ext}"),
        };
        PathBuf::from(format!("room={}", room_value(room)))
            .join(format!("date={}", sanitize(date)))
            .join(file)
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

    /// Creates the temporary file of output `rel`: a [`PendingFile`] and the open file.
    pub fn create_pending(&self, rel: &Path) -> Result<(PendingFile, fs::File), IngestError> {
        let (tmp, dest, file) = self.create_tmp(rel)?;
        let pending = PendingFile {
            tmp,
            dest,
            rel: rel.to_path_buf(),
        };
        Ok((pending, file))
    }
}

/// An output written under a temporary name until [`PendingFile::commit`] moves it into
/// place; dropped uncommitted, the temporary file is removed (never mistaken for output).
#[derive(Debug)]
pub struct PendingFile {
    /// The temporary file being written.
    pub tmp: PathBuf,
    /// Where it goes when complete.
    pub dest: PathBuf,
    /// `dest` relative to the output root.
    pub rel: PathBuf,
}

impl PendingFile {
    /// Opens the temporary file again to append to it (a partition reopened after it was
    /// closed early).
    pub fn reopen_append(&self) -> Result<fs::File, IngestError> {
        fs::OpenOptions::new()
            .append(true)
            .open(&self.tmp)
            .map_err(|e| IngestError::io(&self.tmp, e))
    }

    /// Moves the completed file into place; returns its relative path.
    pub fn commit(self) -> Result<PathBuf, IngestError> {
        commit_tmp(&self.tmp, &self.dest)?;
        Ok(self.rel.clone())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        // After a commit the temporary file no longer exists: nothing to do.
        let _ = fs::remove_file(&self.tmp);
    }
}

/// The `room=` partition value of `room`: sanitised, and when longer than
/// [`MAX_ROOM_COMPONENT`] bytes cut to 100 and suffixed with `~` and a hash of the whole
/// id (`~` never appears in a sanitised value, so a cut value never equals a real one).
pub fn room_value(room: &str) -> String {
    let v = sanitize(room);
    if v.len() <= MAX_ROOM_COMPONENT {
        return v;
    }
    format!("{}~{:016x}", &v[..100], fnv1a64(room))
}

/// True when `room`'s partition value had to be cut (see [`room_value`]).
pub fn room_value_is_cut(room: &str) -> bool {
    sanitize(room).len() > MAX_ROOM_COMPONENT
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

/// The data files of a tree, sorted: `root` itself when it is a file, else every regular
/// file below it except hidden entries (`.x`: files still being written, see
/// [`OutputLayout::create_tmp`]) and entries named `_x`, which hold this crate's
/// bookkeeping (`_quarantine/`, `_manifests/`, `_state/`) and are hidden from Hive readers
/// the same way. Links to files are included, links to directories are not followed.
///
/// The one walker of local trees: `log-ingest files` walks its input trees with it, and
/// `replay` its chat inputs, so a log-ingest output tree given to either yields its record
/// files only.
pub fn data_files(root: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let meta = fs::metadata(root).map_err(|e| IngestError::io(root, e))?;
    if meta.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| IngestError::io(&dir, e))? {
            let entry = entry.map_err(|e| IngestError::io(&dir, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let path = entry.path();
            let ft = entry.file_type().map_err(|e| IngestError::io(&path, e))?;
            // A link to a file is read like the file; links to directories are not
            // followed (a link to an ancestor would make the walk endless).
            let is_file = ft.is_file() || (ft.is_symlink() && path.is_file());
            if ft.is_dir() {
                stack.push(path);
            } else if is_file {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
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
            OutputLayout::record_path("a/../b", "2023-01-05", "s", 0, "parquet"),
            PathBuf::from("room=a_.._b/date=2023-01-05/s.parquet")
        );
        assert_eq!(
            OutputLayout::record_path("r", "2023-01-05", "s", 3, "parquet"),
            PathBuf::from("room=r/date=2023-01-05/s.3.parquet")
        );
        assert_eq!(sanitize(".."), "_");
        let long = "é".repeat(200);
        let v = room_value(&long);
        assert_eq!(v.len(), 117, "{v}");
        assert!(v.starts_with(&"_".repeat(100)) && v.contains('~'));
        assert_ne!(v, room_value(&"è".repeat(200)));
        assert_eq!(room_value(&"r".repeat(128)), "r".repeat(128));
        assert!(!room_value_is_cut(&"r".repeat(128)) && room_value_is_cut(&"r".repeat(129)));
        assert_eq!(sanitize(""), "_");
    }
}
