//! `kmock serve`: the banner, the dashboard, SIGTERM, run retention and transparent huge pages.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    admin_runs, kmock, repo, run, scratch, serve, sigterm_and_wait, tag_auto_close, text,
    wait_for_a_run,
};

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
