//! The fixtures and example workflows compiled into `kmock`, used when no `fixtures/`
//! directory is at hand, so `kmock serve` works from anywhere with nothing else installed.

use include_dir::{Dir, include_dir};
use kustomer_mock::FixtureBundle;
use kustomer_mock::FixtureError;

use crate::workflow::apps::{App, AppError, SettingValues};
use crate::workflow::{LoadError, LoadedWorkflow, load_json};

/// `fixtures/acme.json` as it was when `kmock` was built.
pub const ACME: &str = include_str!("../../fixtures/acme.json");

/// `fixtures/workflows/` as it was when `kmock` was built.
pub static WORKFLOWS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../fixtures/workflows");

/// `fixtures/apps/` as it was when `kmock` was built.
pub static APPS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../fixtures/apps");

/// A directory's `.json` files (file name, text), by name so the order does not depend
/// on how the directory was read. A file that is not UTF-8 reads as empty, and so fails
/// to parse with its name in the message.
pub fn json_files(dir: &'static Dir<'static>) -> Vec<(&'static str, &'static str)> {
    let mut files: Vec<(&str, &str)> = dir
        .files()
        .filter(|file| file.path().extension().is_some_and(|e| e == "json"))
        .filter_map(|file| {
            let name = file.path().file_name()?.to_str()?;
            Some((name, file.contents_utf8().unwrap_or("")))
        })
        .collect();
    files.sort_by_key(|(name, _)| *name);
    files
}

/// The embedded fixture bundles.
pub fn bundles() -> Result<Vec<FixtureBundle>, FixtureError> {
    Ok(vec![FixtureBundle::from_json(
        ACME,
        "embedded fixtures/acme.json",
    )?])
}

/// The embedded apps, with their default settings.
pub fn apps() -> Result<Vec<App>, AppError> {
    json_files(&APPS)
        .into_iter()
        .map(|(name, text)| {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| AppError {
                origin: format!("embedded fixtures/apps/{name}"),
                path: "$".into(),
                message: e.to_string(),
            })?;
            App::load_value(
                value,
                &format!("embedded fixtures/apps/{name}"),
                &SettingValues::new(),
            )
        })
        .collect()
}

/// The embedded example workflows.
pub fn workflows() -> Result<Vec<LoadedWorkflow>, LoadError> {
    json_files(&WORKFLOWS)
        .into_iter()
        .map(|(name, text)| load_json(text, &format!("embedded fixtures/workflows/{name}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded list must name every workflow file of the repository.
    #[test]
    fn every_workflow_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/workflows");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        files.sort();
        let embedded: Vec<String> = json_files(&WORKFLOWS)
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        assert_eq!(files, embedded);
        assert_eq!(workflows().unwrap().len(), embedded.len());
        assert_eq!(bundles().unwrap().len(), 1);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/apps");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        files.sort();
        let embedded: Vec<String> = json_files(&APPS)
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        assert_eq!(files, embedded);
        assert_eq!(apps().unwrap().len(), embedded.len());
    }
}
