//! `kmock-conformance` (`make conformance`): every operation of Kustomer's published Core
//! Resources document that the mock serves is called on a mock with the acme fixtures,
//! and its answer is checked against the document's response schema for it: every
//! attribute present, types right where not null. The document is not part of the
//! project (it is Kustomer's); without it the check is skipped with a one-line note.

mod check;
mod known;
mod operations;
mod requests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use kustomer_mock::model::LimitsPatch;
use kustomer_mock::{FixtureBundle, MockServer};
use serde_json::Value;

use check::Schemas;
use operations::{Operation, coverage};
use requests::{LISTS, Records};

/// The `acme-admin` fixture key (fixtures/acme.json; public test data): it may call every
/// operation.
const ADMIN_TOKEN: &str = "kmk_acme_admin_7c3e9a1f5d2b8e64";

#[derive(Parser)]
#[command(about = "Check the mock's answers against Kustomer's published API reference")]
struct Args {
    /// Kustomer's Core Resources OpenAPI document [default: ../shared/reference/kustomer-core-resources.openapi.json beside the repository]
    #[arg(long)]
    reference: Option<PathBuf>,
    /// List the reference's operations the mock does not serve
    #[arg(long)]
    list_missing: bool,
}

fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let explicit = args.reference.is_some();
    let path = args.reference.clone().unwrap_or_else(|| {
        repo_root().join("../shared/reference/kustomer-core-resources.openapi.json")
    });
    if !path.exists() && !explicit {
        println!(
            "conformance: skipped, Kustomer's reference document is not at {} (pass --reference)",
            path.display()
        );
        return ExitCode::SUCCESS;
    }
    match run(&path, args.list_missing).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("kmock-conformance: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// True when every served operation answered as the reference describes.
async fn run(path: &Path, list_missing: bool) -> Result<bool> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let reference: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let coverage = coverage(&reference, kustomer_mock::openapi_document());
    let fixtures = FixtureBundle::from_file(&repo_root().join("fixtures/acme.json"))
        .context("loading fixtures/acme.json")?;
    let server = MockServer::builder()
        .seed(1)
        .fixtures(fixtures)
        .limits(LimitsPatch {
            requests_per_window: Some(u32::MAX),
            ..LimitsPatch::default()
        })
        .start()
        .await
        .context("starting the mock")?;
    let client = Client {
        http: reqwest::Client::new(),
        base: server.url(),
    };
    let mut records = client.records().await;
    let (source, target) = client.merge_pair().await?;
    records.set_merge_pair(source, target);
    let schemas = Schemas::new(&reference);

    // Creates first (what they create fills collections the fixtures leave empty), then
    // reads and updates, and deletes last, deepest path first, so each runs on records
    // the others still need.
    let mut order: Vec<&Operation> = coverage.served.iter().collect();
    order.sort_by_key(|op| match op.method.as_str() {
        "post" => (0, 0),
        "delete" => (2, usize::MAX - op.template.len()),
        _ => (1, 0),
    });
    let mut failed = 0;
    for operation in order {
        let outcome = client.check(operation, &mut records, &schemas).await;
        if outcome.problems.is_empty() {
            println!("ok    {}", operation.name());
        } else {
            failed += 1;
            println!("FAIL  {}", operation.name());
            for problem in &outcome.problems {
                println!("        {problem}");
            }
        }
        for known in &outcome.known {
            println!("        known: {known}");
        }
    }
    println!(
        "conformance: {} of the reference's {} operations served; {} answered as the reference describes, {} did not",
        coverage.served.len(),
        coverage.reference_total,
        coverage.served.len() - failed,
        failed
    );
    if list_missing {
        for name in &coverage.not_served {
            println!("not served  {name}");
        }
    }
    server.shutdown().await.context("stopping the mock")?;
    Ok(failed == 0)
}

/// One operation's result: problems fail the check; known differences are printed.
#[derive(Default)]
struct Outcome {
    problems: Vec<String>,
    known: Vec<String>,
}

impl Outcome {
    fn problem(line: String) -> Outcome {
        Outcome {
            problems: vec![line],
            known: Vec::new(),
        }
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = request.send().await?;
        let status = answer.status().as_u16();
        let bytes = answer.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).context("the answer is not JSON")?
        };
        Ok((status, body))
    }

    /// Two new customers for the merge operation to merge.
    async fn merge_pair(&self) -> Result<(String, String)> {
        let mut ids = Vec::with_capacity(2);
        for name in ["Conformance Merge Source", "Conformance Merge Target"] {
            let body = serde_json::json!({ "name": name });
            let (status, answer) = self.send("post", "/v1/customers", Some(&body)).await?;
            let id = answer["data"]["id"].as_str().filter(|_| status == 201);
            ids.push(id.context("creating a customer to merge")?.to_string());
        }
        Ok((ids.remove(0), ids.remove(0)))
    }

    /// One record of every collection the mock lists.
    async fn records(&self) -> Records {
        let mut records = Records::default();
        for (collection, _) in LISTS {
            self.list_into(&mut records, collection).await;
        }
        records
    }

    /// Puts the best record the collection's lists give into `records`.
    async fn list_into(&self, records: &mut Records, collection: &'static str) {
        let paths = LISTS
            .iter()
            .find(|(c, _)| *c == collection)
            .map(|(_, p)| *p);
        for path in paths.into_iter().flatten() {
            let Some(path) = records.list_path(path) else {
                continue;
            };
            let Ok((200, answer)) = self.send("get", &path, None).await else {
                continue;
            };
            let list = answer["data"].as_array().cloned().unwrap_or_default();
            if let Some(record) = Records::pick(&list) {
                records.insert(collection, record);
                return;
            }
        }
    }

    /// What is wrong with the operation's answer, and the known differences it shows.
    async fn check(
        &self,
        operation: &Operation,
        records: &mut Records,
        schemas: &Schemas<'_>,
    ) -> Outcome {
        if operation.reference_template.contains("/events/{") {
            // The customer the creates left in `records` may not be the one listed at the
            // start: its own event goes in the path.
            self.list_into(records, "events").await;
        }
        let filled = if operation.method == "delete" {
            records.for_delete().fill(&operation.reference_template)
        } else {
            records.fill(&operation.reference_template)
        };
        let path = match filled {
            Ok(path) => path + &records.query(&operation.method, &operation.template),
            Err(problem) => return Outcome::problem(problem),
        };
        let body = records.body(&operation.method, &operation.template);
        let (status, answer) = match self.send(&operation.method, &path, body.as_ref()).await {
            Ok(result) => result,
            Err(error) => return Outcome::problem(format!("{path}: no answer: {error:#}")),
        };
        if operation.method == "post" && (200..300).contains(&status) {
            records.offer(&operation.template, &answer["data"]);
        }
        if status != operation.status {
            let detail = answer
                .pointer("/errors/0/detail")
                .and_then(Value::as_str)
                .unwrap_or("");
            return Outcome::problem(format!(
                "{path}: answered {status}, the reference documents {}: {detail}",
                operation.status
            ));
        }
        if operation.schema.is_null() {
            return Outcome::default();
        }
        let collection = check::collection_of(&operation.template);
        let mut outcome = Outcome::default();
        for mismatch in schemas.check(&operation.schema, &answer, "$", collection) {
            let line = format!("{}: {}", mismatch.path, mismatch.problem);
            match known::difference(collection, &mismatch.path) {
                Some(reason) => outcome.known.push(format!("{line} ({reason})")),
                None => outcome.problems.push(line),
            }
        }
        outcome
    }
}
