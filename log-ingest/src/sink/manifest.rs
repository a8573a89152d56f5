//! Per-source manifests: which record files the last ingest of a source wrote, so that a
//! re-ingest can delete the files it no longer produces.
//!
//! Output names are deterministic per source, so re-ingesting a source replaces its files
//! in the partitions it writes again. A rewritten source whose records moved to other
//! partitions (another day, another room, another format) would leave its old files
//! behind, counted twice by every query. The manifest `_manifests/<stem>.txt` (hidden from
//! Hive/Athena/DuckDB globs by the leading `_`) lists the record files of the last
//! successful ingest, one relative path per line; the next ingest of the same source
//! deletes the listed files it did not write again.
//!
//! Order of a re-ingest: new outputs are committed, then stale ones deleted, then the new
//! manifest written. A crash in between leaves at worst a manifest naming files that no
//! longer exist (harmless) or an old manifest that the next run still honours.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::layout::{commit_tmp, OutputLayout};
use crate::error::IngestError;

/// Relative path of the manifest of the source whose outputs are named `stem`.
pub fn manifest_path(stem: &str) -> PathBuf {
    PathBuf::from("_manifests").join(format!("{stem}.txt"))
}

/// The manifest text listing `outputs` (relative paths), one per line.
pub fn render(outputs: &[String]) -> String {
    outputs.iter().map(|o| format!("{o}\n")).collect()
}

/// True when `rel` is a record file of the source `stem` in our layout:
/// `room=<..>/date=<..>/<stem>[.<part>].parquet|ndjson`, nothing else (a damaged or
/// hostile manifest can never make us delete anything outside the table's record files).
pub fn is_record_output_of(rel: &str, stem: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    let [room, date, file] = parts.as_slice() else {
        return false;
    };
    let safe = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains('\\');
    // Part numbers are digits; stems end in `-<16 hex>`, so `<stem>.<digits>` is never
    // another source's stem.
    let is_stem_or_part = |base: &str| {
        base.strip_prefix(stem).is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .strip_prefix('.')
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    room.starts_with("room=")
        && date.starts_with("date=")
        && parts.iter().all(|p| safe(p))
        && [".parquet", ".ndjson"]
            .iter()
            .any(|ext| file.strip_suffix(ext).is_some_and(is_stem_or_part))
}

/// The outputs a previous manifest lists that the current ingest did not write again:
/// what must be deleted. Pure.
pub fn stale(previous: &str, stem: &str, current: &[String]) -> Vec<String> {
    let mut out: Vec<String> = previous
        .lines()
        .map(str::trim)
        .filter(|l| is_record_output_of(l, stem) && !current.iter().any(|c| c == l))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn read_optional(path: &Path) -> Result<String, IngestError> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(s),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(IngestError::io(path, e)),
    }
}

fn remove_optional(path: &Path) -> Result<(), IngestError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(IngestError::io(path, e)),
    }
}

/// Under a local table root: deletes the record files of `stem` that the previous
/// manifest lists and `outputs` does not, then writes the new manifest (removed when
/// there are no outputs). Returns the deleted files (relative paths).
pub fn replace_local(
    layout: &OutputLayout,
    stem: &str,
    outputs: &[String],
) -> Result<Vec<String>, IngestError> {
    let rel = manifest_path(stem);
    let path = layout.root.join(&rel);
    let removed = stale(&read_optional(&path)?, stem, outputs);
    for r in &removed {
        let file = layout.root.join(r);
        remove_optional(&file)?;
        // Drop the partition directories this emptied (best effort: never an error).
        if let Some(date_dir) = file.parent() {
            if fs::remove_dir(date_dir).is_ok() {
                if let Some(room_dir) = date_dir.parent() {
                    let _ = fs::remove_dir(room_dir);
                }
            }
        }
    }
    if outputs.is_empty() {
        remove_optional(&path)?;
    } else {
        let (tmp, dest, file) = layout.create_tmp(&rel)?;
        drop(file);
        fs::write(&tmp, render(outputs)).map_err(|e| IngestError::io(&tmp, e))?;
        commit_tmp(&tmp, &dest)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEM: &str = "obj-0123456789abcdef";

    fn out(day: &str, ext: &str) -> String {
        format!("room=r1/date={day}/{STEM}.{ext}")
    }

    #[test]
    fn stale_lists_what_is_no_longer_written() {
        let previous = render(&[out("2023-01-05", "parquet"), out("2023-01-06", "parquet")]);
        assert_eq!(
            stale(&previous, STEM, &[out("2023-01-06", "parquet")]),
            [out("2023-01-05", "parquet")]
        );
        assert!(stale(
            &previous,
            STEM,
            &[out("2023-01-05", "parquet"), out("2023-01-06", "parquet")]
        )
        .is_empty());
        // A format switch: every old file is stale.
        assert_eq!(
            stale(&previous, STEM, &[out("2023-01-05", "ndjson")]).len(),
            2
        );
        assert!(stale("", STEM, &[]).is_empty());
    }

    #[test]
    fn only_record_files_of_the_same_source_are_ever_deleted() {
        let previous = [
            "room=r1/date=2023-01-05/other-0000000000000000.parquet",
            "room=r1/date=../../etc.parquet",
            "/room=r1/date=2023-01-05/obj-0123456789abcdef.parquet",
            "room=r1/../date=x/obj-0123456789abcdef.parquet",
            "_quarantine/obj-0123456789abcdef.ndjson",
            "room=r1/date=2023-01-05/obj-0123456789abcdef.parquet.bak",
            "room=r1/date=2023-01-05/sub/obj-0123456789abcdef.parquet",
            "room=r1/date=2023-01-05/obj-0123456789abcdef.x.parquet",
            "room=r1/date=2023-01-05/obj-0123456789abcdef..parquet",
            "room=r1/date=2023-01-05/obj-0123456789abcdef.parquet",
            "room=r1/date=2023-01-05/obj-0123456789abcdef.12.parquet",
        ]
        .join("\n");
        assert_eq!(
            stale(&previous, STEM, &[]),
            [
                "room=r1/date=2023-01-05/obj-0123456789abcdef.12.parquet",
                "room=r1/date=2023-01-05/obj-0123456789abcdef.parquet",
            ]
        );
    }

    #[test]
    fn local_replace_deletes_stale_files_and_rewrites_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let layout = OutputLayout::new(dir.path());
        let (a, b) = (out("2023-01-05", "parquet"), out("2023-01-06", "parquet"));
        for f in [&a, &b] {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, b"x").unwrap();
        }
        assert!(replace_local(&layout, STEM, &[a.clone(), b.clone()])
            .unwrap()
            .is_empty());
        let manifest = dir.path().join(manifest_path(STEM));
        assert_eq!(
            fs::read_to_string(&manifest).unwrap(),
            format!("{a}\n{b}\n")
        );
        assert_eq!(
            replace_local(&layout, STEM, std::slice::from_ref(&b)).unwrap(),
            std::slice::from_ref(&a)
        );
        assert!(!dir.path().join(&a).exists());
        assert!(
            !dir.path().join("room=r1/date=2023-01-05").exists(),
            "emptied partition removed"
        );
        assert!(dir.path().join(&b).exists());
        assert_eq!(fs::read_to_string(&manifest).unwrap(), format!("{b}\n"));
        assert_eq!(
            replace_local(&layout, STEM, &[]).unwrap(),
            std::slice::from_ref(&b)
        );
        assert!(!manifest.exists());
        assert!(!dir.path().join("room=r1").exists());
    }
}
