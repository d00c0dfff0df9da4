//! The `kmock` binary as a user runs it: exit codes, reports, snapshots, serve.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kmock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kmock"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    kmock()
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kmock runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh scratch directory for one test, removed when dropped.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("kmock-cli-{name}-"))
        .tempdir()
        .unwrap()
}

/// Tags a conversation of the served fixtures `auto-close` as the admin key.
async fn tag_auto_close(url: &str, conversation: &str) {
    let tagged = reqwest::Client::new()
        .post(format!("{url}/v1/conversations/{conversation}/tags"))
        .header("authorization", "Bearer kmk_acme_admin_7c3e9a1f5d2b8e64")
        .body(r#"["auto-close"]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(tagged.status(), 200);
}

/// `GET /__admin/runs?{query}` of a served `kmock`.
async fn admin_runs(url: &str, query: &str) -> serde_json::Value {
    reqwest::get(format!("{url}/__admin/runs?{query}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls `/__admin/runs?{query}` until it lists a run (bounded: fails with `what`).
async fn wait_for_a_run(url: &str, query: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let runs = admin_runs(url, query).await;
        if runs["data"].as_array().is_some_and(|r| !r.is_empty()) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {runs}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The testcases of a JUnit file, parsed as XML: (name, failure text if it failed).
fn junit_cases(xml: &str) -> Vec<(String, Option<String>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases: Vec<(String, Option<String>)> = Vec::new();
    let mut in_failure = false;
    loop {
        match reader
            .read_event()
            .expect("the JUnit file is well-formed XML")
        {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                let name = e
                    .try_get_attribute("name")
                    .unwrap()
                    .expect("a testcase has a name")
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned();
                cases.push((name, None));
            }
            Event::Start(e) if e.name().as_ref() == b"failure" => in_failure = true,
            Event::End(e) if e.name().as_ref() == b"failure" => in_failure = false,
            Event::Text(t) if in_failure => {
                let text = t.decode().unwrap().into_owned();
                let last = cases.last_mut().expect("a failure inside a testcase");
                last.1.get_or_insert_default().push_str(&text);
            }
            Event::GeneralRef(r) if in_failure => {
                let name = r.decode().unwrap().into_owned();
                let entity = quick_xml::escape::resolve_xml_entity(&name).unwrap_or("");
                let last = cases.last_mut().expect("a failure inside a testcase");
                last.1.get_or_insert_default().push_str(entity);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    cases
}

/// An HTML report loads nothing: no script at all, no `src`/`href` to another host.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a report holds no script");
    for attribute in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "@import",
    ] {
        assert!(!lower.contains(attribute), "a report loads `{attribute}`");
    }
}

#[test]
fn test_runs_every_shipped_scenario() {
    let scratch_dir = scratch("reports");
    let junit = scratch_dir.path().join("junit.xml");
    let html_dir = scratch_dir.path().join("html");
    let out = run(&[
        "test",
        "--junit",
        junit.to_str().unwrap(),
        "--html",
        html_dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let shipped: Vec<String> = std::fs::read_dir(repo().join("fixtures/scenarios"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.path())
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            v["name"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(shipped.len() >= 7);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("PASS ")).count(),
        shipped.len(),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("passed, 0 failed"), "{stdout}");
    // JUnit: one testcase per shipped scenario, none failed.
    let cases = junit_cases(&std::fs::read_to_string(&junit).unwrap());
    let mut names: Vec<&str> = cases.iter().map(|(n, _)| n.as_str()).collect();
    let mut expected: Vec<&str> = shipped.iter().map(String::as_str).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected);
    assert!(cases.iter().all(|(_, f)| f.is_none()), "{cases:?}");
    // HTML: an index linking one self-contained page per scenario.
    let index = std::fs::read_to_string(html_dir.join("index.html")).unwrap();
    assert_self_contained(&index);
    for name in &shipped {
        assert!(index.contains(&format!("href=\"{name}.html\"")), "{index}");
        assert_self_contained(
            &std::fs::read_to_string(html_dir.join(format!("{name}.html"))).unwrap(),
        );
    }
    let looped = std::fs::read_to_string(html_dir.join("infinite-loop.html")).unwrap();
    assert!(
        looped.contains("class=\"loop-box\""),
        "the loop is drawn red"
    );
}

#[test]
fn an_html_report_shows_the_loop_tree_and_runs_as_escaped_text() {
    let scratch_dir = scratch("html");
    let file = scratch_dir.path().join("loop.html");
    let out = run(&[
        "run",
        "fixtures/scenarios/infinite-loop.json",
        "--html",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&file).unwrap();
    assert_self_contained(&html);
    for part in [
        "<!DOCTYPE html>",
        "Causal tree",
        "run naive-close-on-tag → halted",
        "Loop detected:",
        "class=\"node run loop\"",
        "Trigger",
        "params (secrets masked)",
    ] {
        assert!(html.contains(part), "missing `{part}`");
    }
    // JSON in params and outputs is text: its quotes are escaped, never markup.
    assert!(html.contains("&quot;"));
}

#[test]
fn a_broken_expectation_fails_with_expected_and_actual() {
    let scratch_dir = scratch("broken");
    let dir = scratch_dir.path();
    let scenario = serde_json::json!({
        "name": "broken",
        "fixtures": [repo().join("fixtures/acme.json")],
        "workflows": [repo().join("fixtures/workflows/close-on-tag.json")],
        "steps": [{"request": {"method": "POST", "path": "/v1/conversations/64a0c0ffee00000000000b01/tags", "key": "acme-admin", "body": ["auto-close"]}}],
        "expect": [{"runs": "close-on-tag", "count": 5}]
    });
    std::fs::write(dir.join("broken.json"), scenario.to_string()).unwrap();
    let out = run(&["test", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL broken"), "{stdout}");
    assert!(
        stdout.contains("$.expect[0]")
            && stdout.contains(r#"expected {"count":5}"#)
            && stdout.contains(r#"actual {"count":2}"#),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
    let junit = dir.join("junit.xml");
    let again = run(&[
        "test",
        dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(1));
    let cases = junit_cases(&std::fs::read_to_string(&junit).unwrap());
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0].0, "broken");
    let failure = cases[0].1.as_deref().expect("a <failure>");
    assert!(
        failure.contains("Scenario broken") && failure.contains(r#"expected {"count":5}"#),
        "{failure}"
    );
    let single = run(&["run", dir.join("broken.json").to_str().unwrap()]);
    assert_eq!(single.status.code(), Some(1));
    assert!(text(&single.stdout).contains("FAILED — 0 of 1 expectation(s) hold"));
}

#[test]
fn json_reports_are_byte_identical_run_to_run() {
    let a = run(&["run", "fixtures/scenarios/infinite-loop.json", "--json"]);
    let b = run(&["run", "fixtures/scenarios/infinite-loop.json", "--json"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let report: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["loops"].as_array().unwrap().len(), 1);
}

#[test]
fn the_human_report_shows_tree_runs_loops_and_results() {
    let out = run(&["run", "fixtures/scenarios/infinite-loop.json"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    for part in [
        "Causal tree",
        "└─ event kustomer.conversation.update",
        "run naive-close-on-tag → halted",
        "Loop detected:",
        "✓ a loop of `naive-close-on-tag`",
        "PASSED",
    ] {
        assert!(stdout.contains(part), "missing `{part}` in:\n{stdout}");
    }
}

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

#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    let mut child = kmock()
        .args(["serve", "--port", "0"])
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let banner: Vec<String> = lines
        .by_ref()
        .take_while(|l| {
            l.as_ref()
                .map(|l| !l.starts_with("Ctrl-C"))
                .unwrap_or(false)
        })
        .map(|l| l.unwrap())
        .collect();
    let banner = banner.join("\n");
    assert!(
        banner.contains("kmk_acme_workflow_3f9c2a7e5b1d4c8a") && banner.contains("close-on-tag"),
        "{banner}"
    );
    assert!(
        banner.contains(&format!("dashboard:     {url}/")),
        "{banner}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // The URL the banner prints opens the dashboard.
        let page = reqwest::get(format!("{url}/")).await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("script-src 'self'")
        );
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("kustomer-mock dashboard")
        );
        tag_auto_close(&url, "64a0c0ffee00000000000b03").await;
        // The engine closes it asynchronously.
        wait_for_a_run(
            &url,
            "workflow=close-on-tag&state=completed",
            "the run never completed",
        )
        .await;
    });
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit {exit:?}");
}

/// Starts `kmock serve` with `args`, returns the child and its base URL.
fn serve(args: &[&str]) -> (std::process::Child, String) {
    let mut child = kmock()
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_string();
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

/// `kmock` turns transparent huge pages off for its process (harness/src/huge_pages.rs):
/// the kernel reports it in `/proc/PID/status` (`THP_enabled`, Linux 5.0 on).
#[cfg(target_os = "linux")]
#[test]
fn serve_runs_with_transparent_huge_pages_off() {
    let (mut child, url) = serve(&[]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let thp = status
        .lines()
        .find_map(|l| l.strip_prefix("THP_enabled:"))
        .map(str::trim);
    let exit = sigterm_and_wait(&mut child);
    assert!(exit.success(), "exit {exit:?}");
    match thp {
        Some(flag) => assert_eq!(flag, "0", "THP_enabled of kmock serve"),
        None => eprintln!("this kernel does not report THP_enabled; nothing to check"),
    }
}

fn sigterm_and_wait(child: &mut std::process::Child) -> std::process::ExitStatus {
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            return exit;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_keeps_at_most_max_runs_kept_runs() {
    let (mut child, url) = serve(&["--max-runs-kept", "1"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (conversation, runs) = runtime.block_on(async {
        tag_auto_close(&url, "64a0c0ffee00000000000b03").await;
        // The closing run and the runs on the workflow's own update all end; the book
        // keeps only the last of them.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let conversation: serde_json::Value = reqwest::Client::new()
                .get(format!("{url}/v1/conversations/64a0c0ffee00000000000b03"))
                .header("authorization", "Bearer kmk_acme_admin_7c3e9a1f5d2b8e64")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let runs = admin_runs(&url, "").await;
            let done = conversation["data"]["attributes"]["status"] == "done";
            let all_final = runs["data"].as_array().is_some_and(|r| {
                r.iter()
                    .all(|r| !matches!(r["state"].as_str(), Some("running" | "queued")))
            });
            if (done && all_final) || Instant::now() >= deadline {
                return (conversation, runs);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    assert_eq!(
        conversation["data"]["attributes"]["status"], "done",
        "the workflow ran: {conversation}"
    );
    assert_eq!(runs["data"].as_array().unwrap().len(), 1, "{runs}");
    assert!(sigterm_and_wait(&mut child).success());

    let zero = run(&["serve", "--max-runs-kept", "0"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(
        text(&zero.stderr).contains("--max-runs-kept"),
        "{}",
        text(&zero.stderr)
    );
}

#[test]
fn sigterm_during_a_busy_loop_loses_no_run() {
    let scratch_dir = scratch("busy");
    let dir = scratch_dir.path();
    std::fs::create_dir_all(dir.join("workflows")).unwrap();
    std::fs::copy(
        repo().join("fixtures/stories/infinite-loop.json"),
        dir.join("workflows/infinite-loop.json"),
    )
    .unwrap();
    let state = dir.join("state.json");
    let workflows = dir.join("workflows");
    let args = [
        "--state",
        state.to_str().unwrap(),
        "--workflows",
        workflows.to_str().unwrap(),
        "--no-loop-guard",
        "--shutdown-grace",
        "0s",
    ];
    let (mut child, url) = serve(&args);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        tag_auto_close(&url, "64a0c0ffee00000000000b01").await;
        // The engine starts on the event asynchronously: stop only once a run exists,
        // while the loop is still going.
        wait_for_a_run(&url, "", "no run ever started").await;
    });
    let exit = sigterm_and_wait(&mut child);
    assert!(exit.success(), "exit {exit:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let runs = saved["extra"]["engine"]["runs"].as_array().unwrap().clone();
    assert!(!runs.is_empty());
    let finals = [
        "not-matched",
        "completed",
        "failed",
        "halted",
        "interrupted",
    ];
    assert!(
        runs.iter()
            .all(|r| finals.contains(&r["state"].as_str().unwrap())),
        "every run ended or was marked interrupted: {:?}",
        runs.iter()
            .map(|r| r["state"].as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
    );

    // Restarted on the same state, every saved run is there.
    let (mut child, url) = serve(&args);
    let listed = runtime.block_on(admin_runs(&url, ""));
    assert!(
        listed["data"].as_array().unwrap().len() >= runs.len(),
        "{} saved, {} listed",
        runs.len(),
        listed["data"].as_array().unwrap().len()
    );
    assert!(sigterm_and_wait(&mut child).success());
}

/// An app whose workflows are: one scheduling a callable 60 seconds on (on an app event),
/// the callable, and one using an action nobody has.
fn scheduling_app() -> serde_json::Value {
    let go = |target: &str| serde_json::json!([{"target": target, "condition": {"op": "true", "values": [true]}}]);
    serde_json::json!({
        "app": "mixed",
        "version": "0.1.0",
        "workflows": [
            {"id": "64a0c0ffee0000000000f001", "name": "mixed-start",
             "trigger": {"id": "1", "eventName": "kustomer.app.mixed.start", "transitions": go("later")},
             "steps": [{"id": "later", "action": "kustomer.app.scheduler.schedule-workflow",
                        "params": {"runAt": {"type": "relative", "value": 60}, "workflowId": "64a0c0ffee0000000000f00d", "inputs": {}},
                        "transitions": []}]},
            {"name": "mixed-later",
             "trigger": {"id": "1", "callable": true, "eventName": "kustomer.workflow.64a0c0ffee0000000000f00d.call", "transitions": go("noop")},
             "steps": [{"id": "noop", "action": "kustomer.transform.generic", "params": {"input": {"ok": true}}, "transitions": []}]},
            {"name": "mixed-broken",
             "trigger": {"id": "1", "eventName": "kustomer.app.mixed.start", "transitions": go("x")},
             "steps": [{"id": "x", "action": "kustomer.nope.nothing", "params": {}, "transitions": []}]}
        ]
    })
}

async fn admin_get(url: &str, path: &str) -> serde_json::Value {
    reqwest::get(format!("{url}/__admin{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn admin_post(url: &str, path: &str, body: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{url}/__admin{path}"))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn bad_apps_are_reported_the_rest_serve_and_the_virtual_clock_starts_what_is_due() {
    let dir = scratch("apps");
    std::fs::write(dir.path().join("broken.json"), "{ not json").unwrap();
    std::fs::write(dir.path().join("mixed.json"), scheduling_app().to_string()).unwrap();
    let apps = dir.path().to_str().unwrap();
    let (mut child, url) = serve(&["--apps", apps, "--clock", "virtual"]);
    let listed = admin_get(&url, "/apps").await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    let rejected = listed["meta"]["rejectedWorkflows"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{listed}");
    assert!(
        rejected[0]
            .as_str()
            .unwrap()
            .contains("kustomer.nope.nothing"),
        "{listed}"
    );
    let workflows = admin_get(&url, "/workflows").await.to_string();
    assert!(workflows.contains("mixed-start") && workflows.contains("mixed-later"));
    assert!(!workflows.contains("mixed-broken"));

    // An app event schedules the callable 60 seconds on; the clock moves, it runs.
    let event = r#"{"name": "kustomer.app.mixed.start", "data": {}}"#;
    assert_eq!(admin_post(&url, "/events", event).await, 201);
    wait_for_a_run(&url, "workflow=mixed-start", "the app event's run").await;
    assert_eq!(
        admin_post(&url, "/clock", r#"{"advance": "59s"}"#).await,
        200
    );
    let pending = admin_get(&url, "/schedules").await;
    assert_eq!(
        pending["data"].as_array().unwrap().len(),
        1,
        "not due yet: {pending}"
    );
    assert_eq!(
        admin_post(&url, "/clock", r#"{"advance": "1s"}"#).await,
        200
    );
    wait_for_a_run(
        &url,
        "workflow=mixed-later",
        "the scheduled run after the clock moved",
    )
    .await;
    assert!(sigterm_and_wait(&mut child).success());

    // --no-workflows: the app's actions load, none of its workflows.
    let (mut child, url) = serve(&["--apps", apps, "--no-workflows"]);
    let workflows = admin_get(&url, "/workflows").await;
    assert_eq!(
        workflows["data"].as_array().unwrap().len(),
        0,
        "{workflows}"
    );
    assert_eq!(
        admin_get(&url, "/apps").await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(sigterm_and_wait(&mut child).success());
}
