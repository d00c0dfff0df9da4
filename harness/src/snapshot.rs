//! Golden snapshots from the CLI: the session journal as a stable, readable JSON file,
//! written, checked (a unified diff when it changed) or updated.

use std::path::{Path, PathBuf};

use similar::TextDiff;

/// What to do with a snapshot file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write it when missing, else check it.
    Auto,
    /// Only check: a missing or different file fails.
    Check,
    /// Always (re)write it.
    Update,
}

/// What happened to a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Written(PathBuf),
    Matched(PathBuf),
    Updated(PathBuf),
    Missing(PathBuf),
    /// The output changed: a unified diff from the file to this run.
    Differs {
        path: PathBuf,
        diff: String,
    },
}

impl Outcome {
    /// Whether the snapshot holds (written, matched or updated).
    pub fn ok(&self) -> bool {
        matches!(
            self,
            Outcome::Written(_) | Outcome::Matched(_) | Outcome::Updated(_)
        )
    }

    /// A line (and a diff) for the user.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Written(p) => format!("snapshot written: {}", p.display()),
            Outcome::Matched(p) => format!("snapshot matches: {}", p.display()),
            Outcome::Updated(p) => format!("snapshot updated: {}", p.display()),
            Outcome::Missing(p) => format!(
                "snapshot missing: {} (run with --update to create it)",
                p.display()
            ),
            Outcome::Differs { path, diff } => {
                format!(
                    "snapshot differs: {} (run with --update to accept)\n{diff}",
                    path.display()
                )
            }
        }
    }
}

/// The snapshot file of a scenario.
pub fn path_for(dir: &Path, name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    dir.join(format!("{safe}.journal.json"))
}

/// Writes, checks or updates the snapshot `name` in `dir` with `content`.
pub fn apply(dir: &Path, name: &str, content: &str, mode: Mode) -> std::io::Result<Outcome> {
    let path = path_for(dir, name);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let write = |path: &Path| -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        // Write then rename, so a crash never leaves half a snapshot.
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, content)?;
        std::fs::rename(&tmp, path)
    };
    Ok(match (mode, existing) {
        (Mode::Update, Some(old)) if old == content => Outcome::Matched(path),
        (Mode::Update, Some(_)) => {
            write(&path)?;
            Outcome::Updated(path)
        }
        (Mode::Update | Mode::Auto, None) => {
            write(&path)?;
            Outcome::Written(path)
        }
        (Mode::Check, None) => Outcome::Missing(path),
        (Mode::Auto | Mode::Check, Some(old)) if old == content => Outcome::Matched(path),
        (Mode::Auto | Mode::Check, Some(old)) => {
            let diff = TextDiff::from_lines(&old, content)
                .unified_diff()
                .context_radius(3)
                .header(&path.display().to_string(), "this run")
                .to_string();
            Outcome::Differs { path, diff }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_check_diff_update() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("snapshots");
        assert!(matches!(
            apply(&dir, "s", "a\nb\n", Mode::Check).unwrap(),
            Outcome::Missing(_)
        ));
        assert!(matches!(
            apply(&dir, "s", "a\nb\n", Mode::Auto).unwrap(),
            Outcome::Written(_)
        ));
        assert!(matches!(
            apply(&dir, "s", "a\nb\n", Mode::Check).unwrap(),
            Outcome::Matched(_)
        ));
        match apply(&dir, "s", "a\nc\n", Mode::Check).unwrap() {
            Outcome::Differs { diff, .. } => {
                assert!(diff.contains("-b") && diff.contains("+c"), "{diff}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            apply(&dir, "s", "a\nc\n", Mode::Update).unwrap(),
            Outcome::Updated(_)
        ));
        assert!(matches!(
            apply(&dir, "s", "a\nc\n", Mode::Auto).unwrap(),
            Outcome::Matched(_)
        ));
    }
}
