//! Helpers shared by the `kmock` binary tests: running it, serving it, asking its admin API.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn kmock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kmock"))
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn run(args: &[&str]) -> Output {
    kmock()
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kmock runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh scratch directory for one test, removed when dropped.
pub fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("kmock-cli-{name}-"))
        .tempdir()
        .unwrap()
}

/// Starts `kmock serve` with `args`, returns the child and its base URL.
pub fn serve(args: &[&str]) -> (std::process::Child, String) {
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

pub fn sigterm_and_wait(child: &mut std::process::Child) -> std::process::ExitStatus {
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

/// Tags a conversation of the served fixtures `auto-close` as the admin key.
pub async fn tag_auto_close(url: &str, conversation: &str) {
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
pub async fn admin_runs(url: &str, query: &str) -> serde_json::Value {
    reqwest::get(format!("{url}/__admin/runs?{query}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls `/__admin/runs?{query}` until it lists a run (bounded: fails with `what`).
pub async fn wait_for_a_run(url: &str, query: &str, what: &str) {
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

pub async fn admin_get(url: &str, path: &str) -> serde_json::Value {
    reqwest::get(format!("{url}/__admin{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn admin_post(url: &str, path: &str, body: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{url}/__admin{path}"))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
}
