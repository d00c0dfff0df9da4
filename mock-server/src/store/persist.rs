//! Saved state: the store written to a file and read back, so a server can stop and start
//! where it was (same records, same keys, the id sequence continued).
//!
//! Saving is atomic: the snapshot goes to a temporary file beside the target, is flushed
//! to disk, then renamed over it — a crash leaves the old file or the new one, never half.
//! A file that cannot be read back is refused with its path and the reason, and the server
//! does not start, so a corrupt file is never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

use crate::store::StoreSnapshot;
use crate::store::snapshot::SNAPSHOT_VERSION;

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
    let corrupt = |reason: String| StateError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let depth = nesting_depth(&bytes);
    if depth > MAX_STATE_DEPTH {
        return Err(corrupt(format!(
            "it nests {depth} levels deep; a state nests at most {MAX_STATE_DEPTH}"
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    deserializer.disable_recursion_limit();
    let snapshot = StoreSnapshot::deserialize(&mut deserializer)
        .and_then(|snapshot| deserializer.end().map(|()| snapshot))
        .map_err(|e| corrupt(e.to_string()))?;
    if snapshot.version != SNAPSHOT_VERSION {
        return Err(corrupt(format!(
            "format version {} (this build reads {SNAPSHOT_VERSION})",
            snapshot.version
        )));
    }
    Ok(Some(snapshot))
}

/// How deep a state file may nest. serde_json parses 128 levels at most, and a saved state
/// wraps values parsed under that limit (a custom attribute, a run's params) in levels of
/// its own, so the file is parsed without serde_json's limit — after this bound is
/// checked, so that no file can recurse the parser through the stack.
const MAX_STATE_DEPTH: usize = 512;

/// The deepest nesting of arrays and objects in JSON text (brackets in strings do not
/// count). It bounds how deep parsing the text recurses: a parser stops at the first
/// error, and up to there it reads the text as this scan does.
fn nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
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
    // A uniquely named file beside the target (the process and a counter in its name,
    // created only if new), renamed over it once complete and removed if anything fails:
    // two saves to one path, in one process or two, never share it. Not `tempfile`: it
    // would bring rustix into this library, which issue 24 keeps out of every library.
    static SAVES: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "state".into(), |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SAVES.fetch_add(1, Ordering::Relaxed)
    ));
    let written = write_new(&temporary, &bytes).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(source));
    }
    Ok(bytes.len())
}

/// Writes `bytes` to a file that must not exist yet, flushed to disk, owner-only.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// A fresh directory, removed when the returned guard is dropped.
    fn scratch() -> tempfile::TempDir {
        tempfile::tempdir().expect("a temporary directory")
    }

    fn snapshot_with(section: serde_json::Value) -> StoreSnapshot {
        let store = Store::new(
            crate::support::clock::Clock::virtual_default(),
            7,
            crate::events::EventBus::new(16),
        );
        let mut snapshot = store.snapshot();
        snapshot.extra.insert("deep".into(), section);
        snapshot
    }

    fn nested(levels: usize) -> String {
        format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn a_value_nested_to_the_parse_limit_is_saved_and_read_back() {
        // As deep as a request body may nest: the file wraps it a few levels deeper.
        let deep: serde_json::Value = serde_json::from_str(&nested(127)).unwrap();
        let dir = scratch();
        let path = dir.path().join("state.json");
        save_snapshot(&snapshot_with(deep.clone()), &path).unwrap();
        let loaded = load(&path).unwrap().expect("a state");
        assert_eq!(loaded.extra.get("deep"), Some(&deep));
    }

    #[test]
    fn a_file_nested_past_any_saved_state_is_refused_not_overflowing_the_stack() {
        let dir = scratch();
        let path = dir.path().join("state.json");
        // Brackets inside strings do not count, escaped quotes do not end a string.
        let text = format!(
            r#"{{"s": "[[[{{\"[[", "x": {}, "version": 1}}"#,
            nested(100_000)
        );
        std::fs::write(&path, &text).unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("it nests 100001 levels deep"), "{err}");
    }

    #[test]
    fn saves_to_one_path_from_many_threads_each_complete_and_leave_nothing_else() {
        let dir = scratch();
        let path = dir.path().join("state.json");
        let snapshot = snapshot_with(serde_json::json!({"n": 1}));
        std::thread::scope(|scope| {
            let savers: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        (0..25).try_for_each(|_| save_snapshot(&snapshot, &path).map(drop))
                    })
                })
                .collect();
            for saver in savers {
                saver
                    .join()
                    .expect("no panic")
                    .expect("every save succeeds");
            }
        });
        let loaded = load(&path).unwrap().expect("a state");
        assert_eq!(loaded.extra.get("deep"), Some(&serde_json::json!({"n": 1})));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"], "no temporary file is left behind");
    }

    #[test]
    fn missing_is_none_and_garbage_is_refused_untouched() {
        let dir = scratch();
        assert!(load(&dir.path().join("none.json")).unwrap().is_none());
        let path = dir.path().join("state.json");
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
