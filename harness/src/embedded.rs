//! The fixtures and example workflows compiled into `kmock`, used when no `fixtures/`
//! directory is at hand, so `kmock serve` works from anywhere with nothing else installed.

use kustomer_mock::FixtureBundle;
use kustomer_mock::fixtures::FixtureError;

use crate::workflow::apps::{App, AppError, SettingValues};
use crate::workflow::{LoadError, LoadedWorkflow, load_json};

/// `fixtures/acme.json` as it was when `kmock` was built.
pub const ACME: &str = include_str!("../../fixtures/acme.json");

/// `fixtures/workflows/*.json` as they were when `kmock` was built (file name, text).
pub const WORKFLOWS: &[(&str, &str)] = &[
    (
        "close-on-tag.json",
        include_str!("../../fixtures/workflows/close-on-tag.json"),
    ),
    (
        "escalate-conversation.json",
        include_str!("../../fixtures/workflows/escalate-conversation.json"),
    ),
    (
        "triage-billing.json",
        include_str!("../../fixtures/workflows/triage-billing.json"),
    ),
    (
        "vip-priority.json",
        include_str!("../../fixtures/workflows/vip-priority.json"),
    ),
];

/// `fixtures/apps/*.json` as they were when `kmock` was built (file name, text).
pub const APPS: &[(&str, &str)] = &[(
    "sla-timer.json",
    include_str!("../../fixtures/apps/sla-timer.json"),
)];

/// The embedded fixture bundles.
pub fn bundles() -> Result<Vec<FixtureBundle>, FixtureError> {
    Ok(vec![FixtureBundle::from_json(
        ACME,
        "embedded fixtures/acme.json",
    )?])
}

/// The embedded apps, with their default settings.
pub fn apps() -> Result<Vec<App>, AppError> {
    APPS.iter()
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
    WORKFLOWS
        .iter()
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
        let embedded: Vec<String> = WORKFLOWS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(files, embedded);
        assert_eq!(workflows().unwrap().len(), WORKFLOWS.len());
        assert_eq!(bundles().unwrap().len(), 1);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/apps");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        files.sort();
        let embedded: Vec<String> = APPS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(files, embedded);
        assert_eq!(apps().unwrap().len(), APPS.len());
    }
}
