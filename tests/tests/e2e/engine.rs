//! The workflow engine end to end: events → runs → real HTTP back to the mock.

use std::time::Duration;

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{Engine, EngineConfig, RunState, VariableDef, load_value};
use kustomer_mock::{BusItem, MockServer};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

fn states(harness: &Harness, workflow: &str) -> Vec<RunState> {
    harness.runs_of(workflow).iter().map(|r| r.state).collect()
}

#[tokio::test]
async fn the_seed_story_closes_once_and_does_not_refire() {
    let harness = harness_with(vec![workflow("close-on-tag")]).await;
    let server = harness.server();
    let tagged = tag_auto_close(server, CONV_1, WORKFLOW).await;
    assert_eq!(tagged.status, 200);
    settle(&harness).await;

    assert_eq!(
        states(&harness, "close-on-tag"),
        [RunState::Completed, RunState::NotMatched]
    );
    let runs = harness.runs_of("close-on-tag");
    let first = &runs[0];
    assert!(first.trigger[0].holds);
    assert_eq!(
        first.trigger[0].name.as_deref(),
        Some("auto-close tag added in this update")
    );
    let step = &first.steps[0];
    assert_eq!(
        step.params["headers"]["Authorization"],
        "Bearer [secure:API_Key]"
    );
    assert_eq!(
        step.params["uri"],
        format!("{}/v1/conversations/{CONV_1}", harness.url())
    );
    assert_eq!(step.output.as_ref().unwrap()["status"], 200);
    assert_eq!(
        step.output.as_ref().unwrap()["body"]["data"]["attributes"]["status"],
        "done"
    );
    // The second run saw the workflow's own update: tags did not change, so it did not match.
    let second = &runs[1];
    assert!(!second.trigger[0].holds);
    assert_eq!(second.cause.depth, 1);
    assert_eq!(second.cause.parent_run.as_deref(), Some(first.id.as_str()));

    let conversation = get(server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW).await;
    assert_eq!(conversation.data()["attributes"]["status"], "done");
    assert_eq!(conversation.data()["attributes"]["rev"], 3);

    let puts: Vec<_> = server
        .journal()
        .entries()
        .into_iter()
        .filter(|e| e.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "exactly one PUT");
    let put = &puts[0];
    assert_eq!(put.path, format!("/v1/conversations/{CONV_1}"));
    assert_eq!(put.status, 200);
    assert_eq!(
        put.request_headers["authorization"],
        "Bearer [key:acme-workflow]"
    );
    assert_eq!(put.request_headers["content-type"], "application/json");
    assert!(put.request_headers.contains_key("x-kmock-cause"));
    assert_eq!(put.request_body, json!({"status": "done"}));
    assert_eq!(put.cause.depth, 1);
    assert_eq!(put.cause.run.as_deref(), Some(first.id.as_str()));
    let journal = serde_json::to_string(&server.journal().entries()).unwrap();
    assert!(!journal.contains(WORKFLOW), "no token in the journal");
}

#[tokio::test]
async fn a_missing_bearer_prefix_fails_the_step_with_the_mocks_401() {
    let mut json = workflow_json("close-on-tag");
    json["steps"][0]["params"]["headers"]["Authorization"] = json!("{{{variables.API_Key}}}");
    let harness = harness_with(vec![load_value(json, "missing-bearer").unwrap()]).await;
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let runs = harness.runs_of("close-on-tag");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.state, RunState::Failed);
    let error = run.error.as_ref().unwrap();
    assert_eq!(error["status"], 401);
    assert_eq!(error["body"]["errors"][0]["code"], "missing_bearer_prefix");
    assert!(
        error["body"]["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("Bearer ")
    );
    assert!(run.summary.contains("401"), "{}", run.summary);
    assert_eq!(
        run.steps[0].params["headers"]["Authorization"],
        "[secure:API_Key]"
    );
    let conversation = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(conversation.data()["attributes"]["status"], "open");
}

/// Credentials in a step's URL are sent as Basic auth (as reqwest sends them), which the
/// mock refuses naming the scheme.
#[tokio::test]
async fn url_credentials_are_sent_as_basic_auth() {
    let harness = harness_with(vec![]).await;
    let server = harness.server();
    let address = harness.url().trim_start_matches("http://").to_string();
    let mut json = workflow_json("close-on-tag");
    let params = &mut json["steps"][0]["params"];
    params["uri"] = json!(format!(
        "http://agent:hunter22@{address}/v1/conversations/{{{{{{steps.1.id}}}}}}"
    ));
    params["headers"] = json!({"Accept": "application/json"});
    let body = json!({"workflow": json, "variables": {}});
    let installed = admin(server, Method::POST, "/workflows", Some(&body.to_string())).await;
    assert_eq!(installed.status, 201, "{}", installed.body);
    tag_auto_close(server, CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let runs = harness.runs_of("close-on-tag");
    assert_eq!(runs.len(), 1);
    let error = runs[0].error.as_ref().expect("the step failed");
    assert_eq!(error["status"], 401, "{error}");
    assert_eq!(error["body"]["errors"][0]["code"], "missing_bearer_prefix");
    let detail = error["body"]["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("`Basic` scheme"), "{detail}");
    let journal = admin(server, Method::GET, "/journal?status=401", None).await;
    assert_eq!(
        journal.data()[0]["requestHeaders"]["authorization"],
        "Basic [masked]"
    );
}

#[tokio::test]
async fn a_key_without_the_update_role_gives_403_in_the_run_log() {
    let harness = Harness::builder()
        .fixtures(acme())
        .workflow(workflow("close-on-tag"))
        .variable("API_Key", VariableDef::Plain(json!(READONLY)))
        .start()
        .await
        .unwrap();
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let run = &harness.runs_of("close-on-tag")[0];
    assert_eq!(run.state, RunState::Failed);
    let error = run.error.as_ref().unwrap();
    assert_eq!(error["status"], 403);
    assert_eq!(error["body"]["errors"][0]["code"], "missing_role");
    assert_eq!(
        run.steps[0].params["headers"]["Authorization"], "Bearer [secure:API_Key]",
        "an override stays secure"
    );
    assert!(
        !serde_json::to_string(&harness.runs())
            .unwrap()
            .contains(READONLY)
    );
}

#[tokio::test]
async fn branches_and_error_cases() {
    let harness = harness_with(vec![workflow("triage-billing")]).await;
    let server = harness.server();
    let billing = post(
        server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "name": "Refund my invoice", "priority": 2}).to_string(),
    )
    .await;
    let general = post(
        server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "name": "Hello there"}).to_string(),
    )
    .await;
    settle(&harness).await;
    let runs = harness.runs_of("triage-billing");
    assert_eq!(runs.len(), 2);
    let by_record = |id: &Value| {
        runs.iter()
            .find(|r| r.record.to_hex() == id.as_str().unwrap())
            .unwrap()
            .clone()
    };
    let billing_run = by_record(&billing.data()["id"]);
    let taken: Vec<&str> = billing_run.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(taken, ["classify", "tagBilling", "raisePriority"]);
    assert_eq!(
        billing_run.steps[0].output.as_ref().unwrap()["match"],
        "Refund"
    );
    assert!(billing_run.steps[0].transitions[0].holds);
    assert!(
        billing_run.steps[0].transitions[1].holds,
        "the catch-all holds too; the first match wins"
    );
    assert_eq!(billing_run.steps[0].next.as_deref(), Some("tagBilling"));
    let general_run = by_record(&general.data()["id"]);
    let taken: Vec<&str> = general_run.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(taken, ["classify", "tagGeneral"]);
    let skipped = &general_run.steps[0].transitions[0];
    assert!(!skipped.holds, "why the first branch was not taken");
    assert_eq!(skipped.condition.as_ref().unwrap().values(), [json!(null)]);
    let updated = get(
        server,
        &format!(
            "/v1/conversations/{}",
            billing.data()["id"].as_str().unwrap()
        ),
        WORKFLOW,
    )
    .await;
    assert_eq!(updated.data()["attributes"]["priority"], 4);

    // With a read-only key the tagging call fails: the error case records why.
    let harness = Harness::builder()
        .fixtures(acme())
        .workflow(workflow("triage-billing"))
        .variable("API_Key", VariableDef::Plain(json!(READONLY)))
        .start()
        .await
        .unwrap();
    let created = post(
        harness.server(),
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "name": "billing question"}).to_string(),
    )
    .await;
    settle(&harness).await;
    let run = &harness.runs_of("triage-billing")[0];
    assert_eq!(run.state, RunState::Completed, "{}", run.summary);
    let taken: Vec<&str> = run.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(taken, ["classify", "tagBilling", "recordFailure"]);
    assert_eq!(run.steps[1].error.as_ref().unwrap()["status"], 403);
    assert!(!run.steps[1].transitions[0].holds, "not rate limited");
    let conversation = get(
        harness.server(),
        &format!(
            "/v1/conversations/{}",
            created.data()["id"].as_str().unwrap()
        ),
        WORKFLOW,
    )
    .await;
    assert_eq!(
        conversation.data()["attributes"]["custom"]["triageStatusNum"],
        403
    );
    assert!(
        conversation.data()["attributes"]["custom"]["triageErrorStr"]
            .as_str()
            .unwrap()
            .contains("403")
    );
}

#[tokio::test]
async fn callable_workflows_run_with_their_inputs() {
    let harness = harness_with(vec![workflow("escalate-conversation")]).await;
    let run_id = harness
        .call(
            "64a0c0ffee0000000000ca11",
            json!({"conversationId": CONV_2, "reason": "angry tweet"}),
        )
        .unwrap();
    settle(&harness).await;
    let run = harness.engine().run(&run_id).unwrap();
    assert_eq!(run.state, RunState::Completed, "{}", run.summary);
    let conversation = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(conversation.data()["attributes"]["priority"], 5);
    assert_eq!(
        conversation.data()["attributes"]["custom"]["escalationReasonStr"],
        "angry tweet"
    );

    // Through the admin API too; a non-callable or unknown workflow is refused.
    let called = admin(
        harness.server(),
        Method::POST,
        "/workflows/64a0c0ffee0000000000ca11/call",
        Some(&json!({"inputs": {"conversationId": CONV_1}}).to_string()),
    )
    .await;
    assert_eq!(called.status, 202, "{}", called.body);
    settle(&harness).await;
    let conversation = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(
        conversation.data()["attributes"]["custom"]["escalationReasonStr"],
        "no reason given"
    );
    admin(
        harness.server(),
        Method::POST,
        "/workflows/nope/call",
        Some("{}"),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn native_actions_skip_the_org_budget_but_not_the_object_limit() {
    let harness = harness_with(vec![workflow("vip-priority")]).await;
    let server = harness.server();
    let tagged = post(
        server,
        &format!("/v1/conversations/{CONV_1}/tags"),
        WORKFLOW,
        r#"["vip"]"#,
    )
    .await;
    let remaining: u32 = tagged
        .header("x-ratelimit-remaining")
        .unwrap()
        .parse()
        .unwrap();
    settle(&harness).await;
    let run = &harness.runs_of("vip-priority")[0];
    assert_eq!(run.state, RunState::Completed, "{}", run.summary);
    let conversation = get(server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW).await;
    assert_eq!(conversation.data()["attributes"]["priority"], 5);
    assert_eq!(
        conversation
            .header("x-ratelimit-remaining")
            .unwrap()
            .parse::<u32>()
            .unwrap(),
        remaining - 1,
        "the two native writes did not spend the org budget"
    );
    let customer = get(server, &format!("/v1/customers/{CUSTOMER_ADA}"), WORKFLOW).await;
    assert_eq!(customer.data()["attributes"]["custom"]["vipBool"], true);
    let events = admin(
        server,
        Method::GET,
        &format!("/events?dataId={CUSTOMER_ADA}&name=kustomer.customer.update"),
        None,
    )
    .await;
    let event = &events.data()[0];
    assert_eq!(event["client"], "workflow");
    assert_eq!(event["_mock"]["cause"]["depth"], 1);

    // The per-object limit applies to the workflow user too.
    let limited = Harness::builder()
        .fixtures(acme())
        .limits(serde_json::from_value(json!({"objectUpdatesPerWindow": 0})).unwrap())
        .workflow(workflow("vip-priority"))
        .start()
        .await
        .unwrap();
    // Tag natively (the fixture user is exempt), so the run's own native update is what hits the limit.
    let store = limited.server().store();
    let org = store.org_by_name("acme").unwrap();
    let system = store.org_state(org).unwrap().org().system_user;
    let actor =
        kustomer_mock::Actor::new(org, system, "admin", None, kustomer_mock::Cause::root(org))
            .unlimited();
    store
        .change_conversation_tags(
            &actor,
            kustomer_mock::Id::parse(CONV_1).unwrap(),
            &["vip".to_string()],
            kustomer_mock::TagOp::Append,
        )
        .unwrap();
    settle(&limited).await;
    let run = &limited.runs_of("vip-priority")[0];
    assert_eq!(run.state, RunState::Failed);
    assert_eq!(run.error.as_ref().unwrap()["status"], 429);
    assert_eq!(
        run.error.as_ref().unwrap()["body"]["errors"][0]["code"],
        "rate_limit_object"
    );
}

#[tokio::test]
async fn workflows_are_installed_listed_and_removed_over_the_admin_api() {
    let harness = harness_with(vec![]).await;
    let server = harness.server();
    let body = json!({"workflow": workflow_json("close-on-tag"), "variables": {"API_Key": {"value": ADMIN, "secure": true}}});
    let installed = admin(server, Method::POST, "/workflows", Some(&body.to_string())).await;
    assert_eq!(installed.status, 201, "{}", installed.body);
    assert_eq!(installed.body["eventName"], "kustomer.conversation.update");
    assert_eq!(installed.body["variables"]["API_Key"], "[secure:API_Key]");
    assert_eq!(installed.body["variables"]["baseUrl"], harness.url());
    let listed = admin(server, Method::GET, "/workflows", None).await;
    assert_eq!(listed.data().as_array().unwrap().len(), 1);
    let shown = admin(
        server,
        Method::GET,
        "/workflows/64a0c0ffee0000000000beef",
        None,
    )
    .await;
    assert!(
        !shown.body.to_string().contains(ADMIN),
        "secure values are never shown"
    );
    assert!(!shown.body.to_string().contains(WORKFLOW));

    tag_auto_close(server, CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let runs = admin(
        server,
        Method::GET,
        "/runs?workflow=close-on-tag&state=completed",
        None,
    )
    .await;
    assert_eq!(runs.data().as_array().unwrap().len(), 1);
    let run_id = runs.data()[0]["id"].as_str().unwrap();
    let run = admin(server, Method::GET, &format!("/runs/{run_id}"), None).await;
    assert_eq!(run.data()["steps"][0]["id"], "closeIt");
    // The closing run and the not-matched one on the workflow's own update, oldest first;
    // `limit` keeps the first of those that match.
    let of_record = admin(server, Method::GET, &format!("/runs?record={CONV_1}"), None).await;
    assert_eq!(of_record.each("state"), ["completed", "not-matched"]);
    let first = admin(
        server,
        Method::GET,
        &format!("/runs?record={CONV_1}&limit=1"),
        None,
    )
    .await;
    assert_eq!(first.data().as_array().unwrap().len(), 1);
    assert_eq!(first.data()[0]["id"], run_id);
    assert_eq!(first.body["meta"]["count"], 1);
    admin(server, Method::GET, "/runs?state=bogus", None)
        .await
        .expect_error(400, "invalid_parameter");
    admin(server, Method::GET, "/runs?record=not-an-id", None)
        .await
        .expect_error(400, "invalid_parameter");
    admin(server, Method::GET, "/runs/nope", None)
        .await
        .expect_error(404, "not_found");

    let bad = admin(server, Method::POST, "/workflows", Some(r#"{"name":"x","trigger":{"eventName":"e","transitions":[{"target":"ghost"}]},"steps":[]}"#)).await;
    let e = bad.expect_error(400, "invalid_workflow");
    assert_eq!(e["meta"]["path"], "$.trigger.transitions[0].target");
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("missing step `ghost`")
    );

    assert_eq!(
        admin(
            server,
            Method::DELETE,
            "/workflows/64a0c0ffee0000000000beef",
            None
        )
        .await
        .status,
        204
    );
    admin(
        server,
        Method::DELETE,
        "/workflows/64a0c0ffee0000000000beef",
        None,
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn runs_on_many_records_are_concurrent_but_deterministic() {
    async fn session() -> (Vec<String>, String) {
        let harness = harness_with(vec![workflow("close-on-tag")]).await;
        let server = harness.server();
        let mut ids = Vec::new();
        for n in 0..6 {
            let c = post(
                server,
                "/v1/conversations",
                WORKFLOW,
                &json!({"customer": CUSTOMER_ADA, "name": format!("c{n}")}).to_string(),
            )
            .await;
            ids.push(c.data()["id"].as_str().unwrap().to_string());
        }
        // The user's requests go one after the other (deterministic input); the runs they
        // trigger overlap, one queue per record.
        for id in &ids {
            let tagged = tag_auto_close(server, id, WORKFLOW).await;
            assert_eq!(tagged.status, 200);
        }
        settle(&harness).await;
        let mut runs: Vec<String> = harness
            .runs()
            .iter()
            .map(|r| serde_json::to_string(&r.without_timing()).unwrap())
            .collect();
        runs.sort();
        for id in &ids {
            let c = get(server, &format!("/v1/conversations/{id}"), WORKFLOW).await;
            assert_eq!(c.data()["attributes"]["status"], "done");
        }
        let mut puts: Vec<String> = server
            .journal()
            .entries()
            .into_iter()
            .filter(|e| e.method == "PUT")
            .map(|e| format!("{} {}", e.id, e.path))
            .collect();
        puts.sort();
        (runs, puts.join("\n"))
    }
    let (a_runs, a_puts) = session().await;
    assert_eq!(a_runs.len(), 12, "6 completed + 6 not-matched");
    let (b_runs, b_puts) = session().await;
    // Runs raced each other across records, yet runs and the requests they made are identical.
    assert_eq!(a_puts, b_puts);
    let strip_ports = |runs: &[String]| -> Vec<String> {
        runs.iter().map(|r| regex_lite_strip_port(r)).collect()
    };
    assert_eq!(strip_ports(&a_runs), strip_ports(&b_runs));
}

/// Ephemeral ports differ between servers; everything else must not.
fn regex_lite_strip_port(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + "127.0.0.1:".len()]);
        rest = &rest[i + "127.0.0.1:".len()..];
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        out.push_str("PORT");
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn rest_steps_fail_cleanly_on_timeouts_and_refused_connections() {
    // A listener that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused_url = format!("http://{}", refused.local_addr().unwrap());
    drop(refused);

    let make = |name: &str, url: &str| {
        load_value(
            json!({"name": name, "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "call"}]},
                   "steps": [{"id": "call", "action": "kustomer.rest-api.json", "params": {"method": "GET", "uri": url}}]}),
            name,
        )
        .unwrap()
    };
    let harness = Harness::builder()
        .fixtures(acme())
        .engine(EngineConfig {
            rest_timeout: Duration::from_millis(200),
            ..EngineConfig::default()
        })
        .workflow(make("times-out", &silent_url))
        .workflow(make("refused", &refused_url))
        .workflow(make("bad-uri", "not a url"))
        .workflow(make(
            "kustomer-host",
            &format!("https://api.kustomerapp.com/v1/conversations/{CONV_1}"),
        ))
        .start()
        .await
        .unwrap();
    put(
        harness.server(),
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        "{}",
    )
    .await;
    settle(&harness).await;
    let error_kind = |name: &str| {
        harness.runs_of(name)[0]
            .error
            .as_ref()
            .map(|e| e["kind"].clone())
    };
    assert_eq!(error_kind("times-out"), Some(json!("timeout")));
    assert_eq!(error_kind("refused"), Some(json!("connection")));
    assert_eq!(error_kind("bad-uri"), Some(json!("invalid-uri")));
    // Kustomer's own host goes to the mock (here without a key: 401).
    let kustomer = &harness.runs_of("kustomer-host")[0];
    assert_eq!(
        kustomer.error.as_ref().unwrap()["status"],
        401,
        "{}",
        kustomer.summary
    );
}

#[tokio::test]
async fn events_caused_by_a_run_carry_its_chain() {
    let harness = harness_with(vec![workflow("close-on-tag")]).await;
    let server: &MockServer = harness.server();
    let mut sub = server.bus().subscribe(None);
    tag_auto_close(server, CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let mut events = Vec::new();
    while let Some(BusItem::Event(e)) = sub.try_recv() {
        events.push(e);
    }
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].mock.cause.depth, 0);
    let caused = &events[1].mock.cause;
    assert_eq!(caused.depth, 1);
    assert_eq!(caused.root, events[0].mock.cause.root);
    assert_eq!(caused.chain.len(), 1);
    assert_eq!(caused.chain[0].workflow, "64a0c0ffee0000000000beef");
    assert_eq!(caused.chain[0].record, CONV_1);
    assert_eq!(caused.step.as_deref(), Some("closeIt"));
}

/// A stopped harness frees what it held: the server's state and the engine, once the
/// connections it opened are closed. (The engine's saved-state section held the engine
/// strongly from inside the server's state, which the engine holds: every harness a test
/// suite started stayed in memory.)
#[tokio::test]
async fn a_stopped_harness_frees_its_server_state_and_engine() {
    let harness = harness_with(vec![workflow("close-on-tag")]).await;
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    assert_eq!(
        states(&harness, "close-on-tag"),
        [RunState::Completed, RunState::NotMatched],
        "the engine made its REST call, so it holds a connection to the server"
    );
    let state = std::sync::Arc::downgrade(harness.server().state());
    harness.shutdown().await;
    assert_freed(state, "the harness").await;

    let server = server().await;
    let state = std::sync::Arc::downgrade(server.state());
    server.shutdown().await.expect("the server stops");
    assert_freed(state, "a bare server").await;
}

/// Waits (at most 10 s) until nothing holds the state any more.
async fn assert_freed<T>(state: std::sync::Weak<T>, what: &str) {
    let freed = tokio::time::timeout(Duration::from_secs(10), async {
        while state.upgrade().is_some() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(
        freed.is_ok(),
        "the server's state is still held {} time(s) after {what} stopped",
        state.strong_count()
    );
}

#[tokio::test]
async fn an_engine_dropped_before_its_server_stops_listening_to_its_events() {
    let server = server().await;
    let bus = std::sync::Arc::clone(server.state().store.bus());
    let before = bus.listener_count();
    let engine = Engine::new(EngineConfig::default());
    engine.attach(&server);
    assert_eq!(bus.listener_count(), before + 1);
    drop(engine);
    assert_eq!(
        bus.listener_count(),
        before,
        "the dropped engine left no listener on the server"
    );
    let tagged = tag_auto_close(&server, CONV_1, WORKFLOW).await;
    assert_eq!(
        tagged.status, 200,
        "the server serves on: {:?}",
        tagged.body
    );
}
