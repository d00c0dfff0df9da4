//! Every shipped scenario passes, and its session journal is snapshot with insta.

use kustomer_harness::harness::Harness;
use kustomer_harness::scenario::{RequestDef, Scenario};
use serde_json::json;

use crate::common::*;

fn run(path: &std::path::Path) -> kustomer_harness::scenario::Outcome {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let scenario = Scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    runtime
        .block_on(scenario.run())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_shipped_scenario_passes_and_its_journal_is_stable() {
    insta::glob!("../../../fixtures/scenarios", "*.json", |path| {
        let outcome = run(path);
        let failures: Vec<String> = outcome
            .report
            .expectations
            .iter()
            .filter(|e| !e.passed)
            .map(|e| e.failure_line())
            .collect();
        assert!(failures.is_empty(), "{}: {failures:#?}", path.display());
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_yaml_snapshot!("journal", outcome.journal);
        });
    });
}

#[tokio::test]
async fn the_same_scenario_twice_gives_byte_identical_reports() {
    let path = fixtures_dir().join("scenarios/infinite-loop-faithful.json");
    let scenario = Scenario::load(&path).unwrap();
    let (a, b) = tokio::join!(scenario.run(), scenario.run());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.report.to_json(), b.report.to_json());
    assert_eq!(a.journal.to_pretty_json(), b.journal.to_pretty_json());
    assert!(
        !a.report.to_json().contains("127.0.0.1"),
        "the mock's ephemeral address is normalized"
    );
}

#[tokio::test]
async fn a_broken_expectation_names_expected_and_actual() {
    let scenario = Scenario::from_value(
        json!({
            "fixtures": [fixtures_dir().join("acme.json").display().to_string()],
            "workflows": [fixtures_dir().join("workflows/close-on-tag.json").display().to_string()],
            "steps": [{"request": {"method": "POST", "path": format!("/v1/conversations/{CONV_1}/tags"), "key": "acme-admin", "body": ["auto-close"]}, "status": 201}],
            "expect": [
                {"runs": "close-on-tag", "count": 3},
                {"record": format!("/v1/conversations/{CONV_1}"), "attributes": {"status": "snoozed", "priority": 3}},
                {"loop": true},
                {"status": 200}
            ]
        }),
        "broken.json",
        std::path::Path::new("."),
        "broken",
    )
    .unwrap();
    let outcome = scenario.run().await.unwrap();
    assert!(!outcome.passed());
    let results = &outcome.report.expectations;
    assert_eq!(results.len(), 5);
    assert!(!results[0].passed);
    assert_eq!(results[0].at, "$.steps[0].status");
    assert_eq!(
        (results[0].expected.clone(), results[0].actual.clone()),
        (json!(201), json!(200))
    );
    assert!(!results[1].passed);
    assert_eq!(results[1].actual, json!({"count": 2}));
    let line = results[1].failure_line();
    assert!(
        line.contains("$.expect[0]")
            && line.contains("expected {\"count\":3}")
            && line.contains("actual {\"count\":2}"),
        "{line}"
    );
    assert!(!results[2].passed);
    assert_eq!(results[2].actual, json!({"status": "done", "priority": 3}));
    assert!(!results[3].passed);
    assert!(results[4].passed);
}

#[tokio::test]
async fn scenario_errors_at_run_time_name_the_step() {
    let scenario = Scenario::from_value(
        json!({
            "fixtures": [fixtures_dir().join("acme.json").display().to_string()],
            "steps": [{"request": {"method": "GET", "path": "/v1/tags", "key": "nobody"}}]
        }),
        "s.json",
        std::path::Path::new("."),
        "s",
    )
    .unwrap();
    let error = scenario.run().await.unwrap_err();
    assert_eq!(error.path, "$.steps[0].request");
    assert!(
        error.message.contains("no fixture key named `nobody`")
            && error.message.contains("acme-workflow"),
        "{error}"
    );
}

/// The Rust API: a harness from a scenario, triggered by hand, journal snapshot.
#[tokio::test]
async fn harness_from_scenario_trigger_and_journal() {
    let scenario = Scenario::load(&fixtures_dir().join("scenarios/close-on-tag.json")).unwrap();
    let harness = Harness::from_scenario(&scenario).await.unwrap();
    let answer = harness
        .trigger(
            RequestDef::new("POST", &format!("/v1/conversations/{CONV_2}/tags"))
                .key("acme-workflow")
                .json(json!(["auto-close"])),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.request_id.is_some());
    harness.settled().await.unwrap();
    let journal = harness.journal();
    assert_eq!(journal.requests.len(), 2);
    assert_eq!(
        journal.requests[0].id,
        answer.request_id.unwrap(),
        "causal order: the trigger first"
    );
    assert_eq!(journal.requests[1].method, "PUT");
    assert_eq!(journal.runs.len(), 2);
    assert!(
        journal
            .runs
            .iter()
            .all(|r| r.steps.iter().all(|s| s.elapsed_ms.is_none()))
    );
    let text = serde_json::to_string(&journal).unwrap();
    assert!(
        text.contains("http://kustomer-mock/v1/conversations/"),
        "the address is normalized"
    );
    assert!(!text.contains(WORKFLOW));
    let raw = harness
        .trigger(RequestDef::new("GET", "/v1/tags").authorization(WORKFLOW))
        .await
        .unwrap();
    assert_eq!(raw.status, 401);
}
