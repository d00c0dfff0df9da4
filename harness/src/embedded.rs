//! The fixtures compiled into `kmock`, used when no `fixtures/` directory is at hand, so
//! `kmock serve` works from anywhere with nothing else installed.

use kustomer_mock::FixtureBundle;
use kustomer_mock::fixtures::FixtureError;

/// `fixtures/acme.json` as it was when `kmock` was built.
pub const ACME: &str = include_str!("../../fixtures/acme.json");

/// The embedded fixture bundles.
pub fn bundles() -> Result<Vec<FixtureBundle>, FixtureError> {
    Ok(vec![FixtureBundle::from_json(
        ACME,
        "embedded fixtures/acme.json",
    )?])
}
