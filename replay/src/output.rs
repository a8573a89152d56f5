//! Output files, written atomically: each is written to a temporary file in its own
//! directory (`.<name>.<pid>-<n>.tmp`, hidden, so a later `--chat <dir>` never reads
//! it) and renamed over the target only when everything was written. A failed run
//! leaves the previous file as it was and removes its temporary.
//!
//! The rename is atomic for readers and for a failing run; the data is not fsynced, so
//! a power loss right after a run may still lose the new file (not leave a partial one
//! under the target name on journaling file systems with ordered data, e.g. ext4's
//! default). The new file gets the default permissions (`0666 & !umask`), as
//! `File::create` would give a new file.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{ReplayError, Result};

/// Write buffer of one output.
const BUFFER_BYTES: usize = 1 << 20;

/// Distinguishes the temporaries of one process.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Removes the temporary unless the write succeeded.
struct Temporary(Option<PathBuf>);

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            // Best effort: the error that got us here is what the caller reports.
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Creates `path`'s parent directory if needed, lets `write` fill a buffered temporary
/// next to it, then renames the temporary to `path`. On any error `path` is untouched
/// and the temporary removed; the error names `path`.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<()> {
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => {
            std::fs::create_dir_all(parent).map_err(|e| ReplayError::io(parent, e))?;
            parent
        }
        None => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| ReplayError::Usage(format!("{}: not a file name", path.display())))?;
    let (tmp, file) = loop {
        let tmp = dir.join(format!(
            ".{}.{}-{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            // Left by an earlier process with our pid: take the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(ReplayError::io(path, e)),
        }
    };
    let mut guard = Temporary(Some(tmp.clone()));
    let mut w = BufWriter::with_capacity(BUFFER_BYTES, file);
    write(&mut w)
        .and_then(|()| w.flush())
        .map_err(|e| ReplayError::io(path, e))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| ReplayError::io(path, e))?;
    guard.0 = None;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn replaces_whole_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("sub/track.json");
        write_atomic(&out, |w| w.write_all(b"first")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"first");
        // A writer failing half-way: the old file stays, no temporary is left.
        let err = write_atomic(&out, |w| {
            w.write_all(&[b'x'; 3 << 20])?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("track.json") && err.contains("disk on fire"),
            "{err}"
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"first");
        assert_eq!(names(&tmp.path().join("sub")), ["track.json"]);
        write_atomic(&out, |w| w.write_all(b"second")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"second");
        assert_eq!(names(&tmp.path().join("sub")), ["track.json"]);
        // A target that cannot be replaced (a directory): error, nothing left behind.
        std::fs::create_dir(tmp.path().join("sub/dir")).unwrap();
        write_atomic(&tmp.path().join("sub/dir"), |w| w.write_all(b"x")).unwrap_err();
        assert_eq!(names(&tmp.path().join("sub")), ["dir", "track.json"]);
    }
}
