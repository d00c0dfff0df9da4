//! `kmock run`: snapshots, bad input and an ad hoc workflow started from a trigger.

use crate::support::{repo, run, scratch, text};

#[test]
fn snapshots_are_written_checked_with_a_diff_and_updated() {
    let scratch_dir = scratch("snap");
    let dir = scratch_dir.path();
    let workflow: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/workflows/close-on-tag.json")).unwrap(),
    )
    .unwrap();
    let write_scenario = |workflow: &serde_json::Value| {
        std::fs::write(dir.join("wf.json"), workflow.to_string()).unwrap();
        let scenario = serde_json::json!({
            "name": "mine",
            "fixtures": [repo().join("fixtures/acme.json")],
            "workflows": ["wf.json"],
            "steps": [{"request": {"method": "POST", "path": "/v1/conversations/64a0c0ffee00000000000b01/tags", "key": "acme-admin", "body": ["auto-close"]}}]
        });
        std::fs::write(dir.join("mine.json"), scenario.to_string()).unwrap();
    };
    write_scenario(&workflow);
    let snaps = dir.join("snaps");
    let s = dir.join("mine.json");
    let (s, snaps) = (s.to_str().unwrap(), snaps.to_str().unwrap());
    let first = run(&["run", s, "--snapshot", snaps]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stderr).contains("snapshot written"));
    let check = run(&["run", s, "--snapshot", snaps, "--check"]);
    assert!(check.status.success(), "{}", text(&check.stderr));

    // Change the workflow: the check fails and shows what changed.
    let mut changed = workflow.clone();
    changed["steps"][0]["params"]["data"] =
        serde_json::json!({"status": "snoozed", "snooze": {"until": "later"}});
    write_scenario(&changed);
    let check = run(&["run", s, "--snapshot", snaps, "--check"]);
    let stderr = text(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("snapshot differs") && stderr.contains("@@"),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with('-') && l.contains("\"done\"")),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with('+') && l.contains("\"snoozed\"")),
        "{stderr}"
    );
    let update = run(&["run", s, "--snapshot", snaps, "--update"]);
    assert!(update.status.success());
    assert!(text(&update.stderr).contains("snapshot updated"));
    assert!(
        run(&["run", s, "--snapshot", snaps, "--check"])
            .status
            .success()
    );
    let saved = std::fs::read_to_string(dir.join("snaps/mine.journal.json")).unwrap();
    assert!(
        saved.contains("\"snoozed\"") && !saved.contains("kmk_acme"),
        "masked and updated"
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_exit_2() {
    let scratch_dir = scratch("bad");
    let dir = scratch_dir.path();
    std::fs::write(dir.join("bad.json"), r#"{"steps": [{"reqest": {}}]}"#).unwrap();
    let out = run(&["run", dir.join("bad.json").to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with("kmock: ")
            && stderr.contains("bad.json: $.steps[0].reqest: unknown field `reqest`"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let missing = run(&["run", "no/such/file.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("no/such/file.json"));
    let usage = run(&["run", "--check"]);
    assert_eq!(usage.status.code(), Some(2));
    let trigger = run(&[
        "run",
        "--workflow",
        "fixtures/workflows/close-on-tag.json",
        "--trigger",
        "TAG it",
    ]);
    assert_eq!(trigger.status.code(), Some(2));
    assert!(text(&trigger.stderr).contains("must start with /"));
}

#[test]
fn an_ad_hoc_workflow_runs_from_a_trigger() {
    let out = run(&[
        "run",
        "--workflow",
        "fixtures/workflows/close-on-tag.json",
        "--trigger",
        r#"POST /v1/conversations/64a0c0ffee00000000000b02/tags ["auto-close"]"#,
        "--key",
        "acme-admin",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("run close-on-tag → completed"), "{stdout}");
    assert!(
        stdout.contains("PUT /v1/conversations/…0000b02 [acme-workflow] → 200"),
        "{stdout}"
    );
}
