//! The workflow engine end to end: events → runs → real HTTP back to the mock.

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{RunState, VariableDef};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

pub fn states(harness: &Harness, workflow: &str) -> Vec<RunState> {
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
