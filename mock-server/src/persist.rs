//! Saved state: the store written to a file and read back, so a server can stop and start
//! where it was (same records, same keys, the id sequence continued).
//!
//! Saving is atomic: the snapshot goes to a temporary file beside the target, is flushed
//! to disk, then renamed over it — a crash leaves the old file or the new one, never half.
//! A file that cannot be read back is refused with its path and the reason, and the server
//! does not start, so a corrupt file is never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::snapshot::SNAPSHOT_VERSION;
use crate::store::{Store, StoreSnapshot};

/// A state file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read the state file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the state file {path} is not a kustomer-mock state ({reason}); it was left untouched")]
    Corrupt { path: PathBuf, reason: String },
    #[error("cannot write the state file {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Reads a state file; `Ok(None)` when there is none yet.
pub fn load(path: &Path) -> Result<Option<StoreSnapshot>, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let snapshot: StoreSnapshot =
        serde_json::from_slice(&bytes).map_err(|e| StateError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if snapshot.version != SNAPSHOT_VERSION {
        return Err(StateError::Corrupt {
            path: path.to_path_buf(),
            reason: format!(
                "format version {} (this build reads {SNAPSHOT_VERSION})",
                snapshot.version
            ),
        });
    }
    Ok(Some(snapshot))
}

/// Writes the store to `path` atomically; returns the bytes written.
pub fn save(store: &Store, path: &Path) -> Result<usize, StateError> {
    save_snapshot(&store.snapshot(), path)
}

/// Writes a snapshot to `path` atomically; returns the bytes written.
pub fn save_snapshot(snapshot: &StoreSnapshot, path: &Path) -> Result<usize, StateError> {
    let fail = |source| StateError::Write {
        path: path.to_path_buf(),
        source,
    };
    let bytes = serde_json::to_vec(snapshot).map_err(|e| fail(std::io::Error::other(e)))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut file = std::fs::File::create(&tmp).map_err(fail)?;
        file.write_all(&bytes).map_err(fail)?;
        file.sync_all().map_err(fail)?;
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })?;
    Ok(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kmock-persist-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_is_none_and_garbage_is_refused_untouched() {
        let dir = scratch("garbage");
        assert!(load(&dir.join("none.json")).unwrap().is_none());
        let path = dir.join("state.json");
        std::fs::write(&path, b"{not json").unwrap();
        let err = load(&path).unwrap_err();
        assert!(
            err.to_string().contains("is not a kustomer-mock state"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"{not json",
            "left untouched"
        );
        std::fs::write(&path, br#"{"version": 99, "seed": 0, "idPosition": 0, "clock": "2026-01-01T00:00:00Z", "orgs": []}"#).unwrap();
        assert!(
            load(&path)
                .unwrap_err()
                .to_string()
                .contains("format version 99")
        );
    }
}
