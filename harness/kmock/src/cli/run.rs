//! `kmock run <scenario>`: run a scenario offline and report; or an ad-hoc workflow with
//! `--workflow FILE --trigger 'METHOD PATH [JSON]'`.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use kustomer_harness::report::text::render_report;
use kustomer_harness::scenario::Scenario;
use kustomer_harness::snapshot::{self, Mode};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO", required_unless_present = "workflow")]
    pub scenario: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the report as a self-contained HTML page (no script, nothing loaded
    /// from the network: it opens from a CI artifact).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write (or check) the session journal as a golden snapshot in DIR.
    #[arg(long, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,
    /// With --snapshot: fail (with a unified diff) if the snapshot is missing or changed.
    #[arg(long, requires = "snapshot", conflicts_with = "update")]
    pub check: bool,
    /// With --snapshot: rewrite the snapshot.
    #[arg(long, requires = "snapshot")]
    pub update: bool,
    /// Ad-hoc: a workflow file to run without a scenario file.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "scenario",
        requires = "trigger"
    )]
    pub workflow: Option<PathBuf>,
    /// Ad-hoc: the request that triggers it: 'METHOD PATH [JSON BODY]'.
    #[arg(long, value_name = "REQUEST", requires = "workflow")]
    pub trigger: Option<String>,
    /// Ad-hoc: the fixture key the request uses (default: the first key).
    #[arg(long, value_name = "NAME", requires = "workflow")]
    pub key: Option<String>,
    /// Ad-hoc: the fixtures directory (default ./fixtures, else the built-in fixtures).
    #[arg(long, value_name = "DIR", requires = "workflow")]
    pub fixtures: Option<PathBuf>,
    /// Ad-hoc: turn the loop guard off.
    #[arg(long, requires = "workflow")]
    pub no_loop_guard: bool,
}

/// Parses 'METHOD PATH [JSON BODY]'.
pub fn parse_trigger(text: &str) -> anyhow::Result<(String, String, Option<Value>)> {
    let text = text.trim();
    let (method, rest) = text
        .split_once(char::is_whitespace)
        .ok_or_else(|| anyhow::anyhow!("--trigger `{text}`: expected 'METHOD PATH [JSON BODY]', e.g. 'POST /v1/conversations/<id>/tags [\"auto-close\"]'"))?;
    let rest = rest.trim_start();
    let (path, body) = match rest.split_once(char::is_whitespace) {
        Some((path, body)) => (path, Some(body.trim())),
        None => (rest, None),
    };
    if !path.starts_with('/') {
        anyhow::bail!("--trigger: the path `{path}` must start with /");
    }
    let body = match body.filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => Some(
            serde_json::from_str(b)
                .map_err(|e| anyhow::anyhow!("--trigger: the body is not JSON: {e}"))?,
        ),
    };
    Ok((method.to_ascii_uppercase(), path.to_string(), body))
}

fn ad_hoc(args: &RunArgs) -> anyhow::Result<Scenario> {
    let workflow = args
        .workflow
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("--workflow is required"))?;
    let (method, path, body) = parse_trigger(args.trigger.as_deref().unwrap_or(""))?;
    let fixtures: Vec<Value> = match &args.fixtures {
        Some(dir) => list_json(dir)?
            .into_iter()
            .map(|p| json!(p.display().to_string()))
            .collect(),
        None if Path::new("fixtures").is_dir() => list_json(Path::new("fixtures"))?
            .into_iter()
            .map(|p| json!(p.display().to_string()))
            .collect(),
        None => vec![serde_json::from_str(kustomer_harness::embedded::ACME)?],
    };
    let mut request = json!({"method": method, "path": path});
    if let Some(body) = body {
        request["body"] = body;
    }
    let key = match &args.key {
        Some(key) => key.clone(),
        None => first_key(&fixtures, Path::new("."))?,
    };
    request["key"] = json!(key);
    let scenario = json!({
        "name": workflow.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "ad-hoc".into()),
        "server": {"loopGuard": if args.no_loop_guard { "off" } else { "on" }},
        "fixtures": fixtures,
        "workflows": [workflow.display().to_string()],
        "steps": [{"request": request}],
    });
    Ok(Scenario::from_value(
        scenario,
        "ad-hoc scenario",
        Path::new("."),
        "ad-hoc",
    )?)
}

fn list_json(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// The name of the first key of the first fixture bundle.
fn first_key(fixtures: &[Value], dir: &Path) -> anyhow::Result<String> {
    for f in fixtures {
        let bundle = match f {
            Value::String(p) => kustomer_mock::FixtureBundle::from_file(&dir.join(p))?,
            other => kustomer_mock::FixtureBundle::from_value(other.clone(), "fixtures")?,
        };
        if let Some(key) = bundle.orgs.iter().flat_map(|o| o.keys.iter()).next() {
            return Ok(key.name.clone());
        }
    }
    Err(anyhow::anyhow!("the fixtures define no key: pass --key"))
}

/// Runs the command; returns the exit code (0 all good, 1 failed, 2 unusable input).
pub async fn run(args: RunArgs) -> i32 {
    let scenario = match (&args.scenario, &args.workflow) {
        (Some(path), _) => Scenario::load(path).map_err(anyhow::Error::from),
        (None, Some(_)) => ad_hoc(&args),
        (None, None) => Err(anyhow::anyhow!(
            "give a scenario file, or --workflow FILE --trigger REQUEST"
        )),
    };
    let scenario = match scenario {
        Ok(s) => s,
        Err(message) => {
            eprintln!("kmock: {message}");
            return 2;
        }
    };
    let outcome = match scenario.run().await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kmock: {e}");
            return 2;
        }
    };
    if args.json {
        print!("{}", outcome.report.to_json());
    } else {
        print!("{}", render_report(&outcome.report));
    }
    if let Some(file) = &args.html {
        let page = kustomer_harness::report::html::render_report(&outcome.report);
        if let Err(e) = std::fs::write(file, page) {
            eprintln!(
                "kmock: cannot write the HTML report {}: {e}",
                file.display()
            );
            return 2;
        }
    }
    let mut ok = outcome.passed();
    if let Some(dir) = &args.snapshot {
        let mode = if args.check {
            Mode::Check
        } else if args.update {
            Mode::Update
        } else {
            Mode::Auto
        };
        match snapshot::apply(dir, &scenario.name, &outcome.journal.to_pretty_json(), mode) {
            Ok(result) => {
                eprintln!("{}", result.describe());
                ok &= result.ok();
            }
            Err(e) => {
                eprintln!("kmock: cannot write the snapshot in {}: {e}", dir.display());
                return 2;
            }
        }
    }
    if ok { 0 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_parse() {
        let (m, p, b) = parse_trigger(r#"post /v1/conversations/x/tags ["auto-close"]"#).unwrap();
        assert_eq!(
            (m.as_str(), p.as_str()),
            ("POST", "/v1/conversations/x/tags")
        );
        assert_eq!(b, Some(json!(["auto-close"])));
        assert_eq!(parse_trigger("GET /v1/tags").unwrap().2, None);
        assert!(
            parse_trigger("GET")
                .unwrap_err()
                .to_string()
                .contains("METHOD PATH")
        );
        assert!(
            parse_trigger("GET v1/tags")
                .unwrap_err()
                .to_string()
                .contains("must start with /")
        );
        assert!(
            parse_trigger("PUT /v1/x {oops")
                .unwrap_err()
                .to_string()
                .contains("not JSON")
        );
    }
}
