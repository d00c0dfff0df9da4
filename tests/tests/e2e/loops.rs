//! Loops end to end: the guard halts and explains them; without it, Kustomer's own limits
//! end them; the failure stories reproduce their failures and name their causes.

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{EngineConfig, LoopGuardConfig, Run, RunState, load_value};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

fn states(harness: &Harness, workflow: &str) -> Vec<RunState> {
    harness.runs_of(workflow).iter().map(|r| r.state).collect()
}

#[tokio::test]
async fn the_guard_halts_the_naive_workflow_at_max_repeats_plus_one() {
    let harness = harness_with(vec![story("infinite-loop")]).await;
    let server = harness.server();
    tag_auto_close(server, CONV_1, ADMIN).await;
    settle(&harness).await;

    use RunState::*;
    assert_eq!(
        states(&harness, "naive-close-on-tag"),
        [Completed, Completed, Completed, Halted]
    );
    let runs = harness.runs_of("naive-close-on-tag");
    let halted = &runs[3];
    assert_eq!(halted.iteration, 4);
    assert!(halted.steps.is_empty(), "halted before its steps");
    assert_eq!(halted.halt.as_ref().unwrap().reason, "max-repeats");
    let iterations: Vec<u32> = runs.iter().map(|r| r.iteration).collect();
    assert_eq!(iterations, [1, 2, 3, 4]);

    let loops = harness.loops();
    assert_eq!(loops.len(), 1);
    let record = &loops[0];
    assert_eq!(record.workflow.name, "naive-close-on-tag");
    assert_eq!(record.record.to_hex(), CONV_1);
    assert_eq!(record.run, halted.id);
    assert_eq!(record.repeats, 4);
    assert_eq!(
        record.chain.len(),
        4,
        "the whole chain, the halted run last"
    );
    assert!(
        record
            .chain
            .iter()
            .all(|h| h.record == CONV_1 && h.workflow == "64a0c0ffee000000000010a1")
    );
    assert!(record.condition.as_ref().unwrap().holds);
    let explanation = &record.explanation;
    assert!(
        explanation.contains("naive-close-on-tag") && explanation.contains(CONV_1),
        "{explanation}"
    );
    assert!(
        explanation.contains("contains(/#steps.1.tags = ["),
        "names the condition with its values: {explanation}"
    );
    assert!(
        explanation.contains("changes.attributes.tags.before"),
        "says the fix: {explanation}"
    );
    // Three PUTs went through; the conversation is done.
    let puts = server
        .journal()
        .entries()
        .into_iter()
        .filter(|e| e.method == "PUT")
        .count();
    assert_eq!(puts, 3);

    let over_http = admin(server, Method::GET, "/loops", None).await;
    assert_eq!(over_http.data()[0]["explanation"], json!(explanation));
    assert_eq!(over_http.data()[0]["chain"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn without_the_guard_the_per_object_limit_ends_the_loop() {
    let harness = Harness::builder()
        .fixtures(acme())
        .seed(1)
        .loop_guard(LoopGuardConfig {
            enabled: false,
            ..LoopGuardConfig::default()
        })
        .workflow(story("infinite-loop"))
        .start()
        .await
        .unwrap();
    let server = harness.server();
    // The user tags with another key, so the workflow key's 30 updates are all the loop's.
    tag_auto_close(server, CONV_1, ADMIN).await;
    settle(&harness).await;

    let runs = harness.runs_of("naive-close-on-tag");
    let completed = runs
        .iter()
        .filter(|r| r.state == RunState::Completed)
        .count();
    assert_eq!(
        completed, 30,
        "the per-object limit: 30 updates per record per user per window"
    );
    assert_eq!(runs.len(), 31);
    let last = runs.last().unwrap();
    assert_eq!(last.state, RunState::Failed);
    assert_eq!(last.iteration, 31);
    let error = last.error.as_ref().unwrap();
    assert_eq!(error["status"], 429);
    assert_eq!(error["body"]["errors"][0]["code"], "rate_limit_object");
    assert!(
        error["headers"]["retry-after"].is_string(),
        "rate-limit headers in the error: {error}"
    );
    assert!(error["headers"]["x-ratelimit-limit"].is_string());
    assert!(
        last.summary.contains("object limit of 30 per 60 s")
            && last.summary.contains("iteration 31"),
        "{}",
        last.summary
    );
    assert!(
        last.summary.contains("resets at 2026-11-24T00:01:00.000Z"),
        "{}",
        last.summary
    );
    let explanation = last.explanation.as_ref().unwrap();
    assert!(
        explanation.contains("re-fired on its own updates 31 times"),
        "{explanation}"
    );
    assert!(harness.loops().is_empty(), "no guard, no loop record");

    let successful_updates = server
        .journal()
        .entries()
        .iter()
        .filter(|e| e.method != "GET" && e.status == 200)
        .count();
    assert_eq!(successful_updates, 31, "the tag and 30 PUTs");
    let conversation = get(server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW).await;
    assert_eq!(
        conversation.data()["attributes"]["rev"],
        1 + successful_updates
    );
}

/// The naive workflow with the loop guard off and Kustomer's limits out of reach, run
/// from one tag until only the hard cap (`hard_cap` runs from one root) stops it: the
/// harness and the workflow's runs.
async fn unguarded_naive_loop_runs(hard_cap: usize) -> (Harness, Vec<Run>) {
    let harness = Harness::builder()
        .fixtures(acme())
        .limits(
            serde_json::from_value(
                json!({"objectUpdatesPerWindow": 100000, "requestsPerWindow": 100000}),
            )
            .unwrap(),
        )
        .engine(EngineConfig {
            loop_guard: LoopGuardConfig {
                enabled: false,
                ..LoopGuardConfig::default()
            },
            hard_cap,
            ..EngineConfig::default()
        })
        .workflow(story("infinite-loop"))
        .start()
        .await
        .unwrap();
    tag_auto_close(harness.server(), CONV_1, ADMIN).await;
    settle(&harness).await;
    let runs = harness.runs_of("naive-close-on-tag");
    (harness, runs)
}

#[tokio::test]
async fn the_hard_cap_stops_a_chain_no_limit_stops() {
    let (harness, runs) = unguarded_naive_loop_runs(40).await;
    assert_eq!(runs.len(), 41);
    let last = runs.last().unwrap();
    assert_eq!(last.state, RunState::Halted);
    assert_eq!(last.halt.as_ref().unwrap().reason, "hard-cap");
    assert!(
        last.summary.contains("hard cap") && last.summary.contains("40"),
        "{}",
        last.summary
    );
    assert_eq!(harness.loops()[0].reason, "hard-cap");
}

/// The header carries the last 64 hops of a chain; past that, each run reads its
/// parent's whole chain from the run book, so repeats keep counting.
#[tokio::test]
async fn a_chain_longer_than_the_header_carries_is_counted_whole() {
    let (_harness, runs) = unguarded_naive_loop_runs(80).await;
    assert_eq!(runs.len(), 81);
    let iterations: Vec<u32> = runs.iter().map(|r| r.iteration).collect();
    assert_eq!(iterations, (1..=81).collect::<Vec<u32>>());
    let last = runs.last().unwrap();
    assert_eq!(last.cause.chain.len(), 80, "every hop before the last run");
    assert_eq!(last.halt.as_ref().unwrap().reason, "hard-cap");
}

#[tokio::test]
async fn the_guarded_seed_workflow_runs_exactly_twice() {
    let harness = harness_with(vec![workflow("close-on-tag")]).await;
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    assert_eq!(
        states(&harness, "close-on-tag"),
        [RunState::Completed, RunState::NotMatched]
    );
    assert!(harness.loops().is_empty());
    let not_matched = &harness.runs_of("close-on-tag")[1];
    let explanation = not_matched.explanation.as_ref().unwrap();
    // Its own update did not touch the tags: `tags.after` is absent from the changes.
    assert!(
        explanation.contains("contains(/#steps.1.changes.attributes.tags.after = null"),
        "{explanation}"
    );
}

#[tokio::test]
async fn two_workflows_that_trigger_each_other_are_one_loop() {
    let ping = load_value(
        json!({"id": "ping", "name": "ping", "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "touch", "condition": {"op": "exists", "values": ["/#steps.1.customer"]}}]},
               "steps": [{"id": "touch", "action": "kustomer.customer.update", "params": {"id": "/#steps.1.customer", "custom": {"touchedNum": "/#steps.1.rev"}}}]}),
        "ping",
    )
    .unwrap();
    let pong = load_value(
        json!({"id": "pong", "name": "pong", "trigger": {"eventName": "kustomer.customer.update", "transitions": [{"target": "poke", "condition": {"op": "true"}}]},
               "steps": [{"id": "poke", "action": "kustomer.conversation.update", "params": {"id": CONV_1, "custom": {"pokedNum": "/#steps.1.rev"}}}]}),
        "pong",
    )
    .unwrap();
    let harness = harness_with(vec![ping, pong]).await;
    put(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"priority":2}"#,
    )
    .await;
    settle(&harness).await;
    let loops = harness.loops();
    assert_eq!(loops.len(), 1, "one loop, not one per workflow: {loops:?}");
    let record = &loops[0];
    assert_eq!(record.workflow.id, "ping");
    let path: Vec<&str> = record.chain.iter().map(|h| h.workflow.as_str()).collect();
    assert_eq!(
        path,
        ["ping", "pong", "ping", "pong", "ping", "pong", "ping"]
    );
    assert!(
        record.explanation.contains("trigger each other"),
        "{}",
        record.explanation
    );
    assert_eq!(harness.runs_of("ping").len(), 4);
    assert_eq!(harness.runs_of("pong").len(), 3);
}

#[tokio::test]
async fn the_chain_depth_limit_halts_long_chains() {
    let harness = Harness::builder()
        .fixtures(acme())
        .loop_guard(LoopGuardConfig {
            enabled: true,
            max_repeats: 1000,
            max_depth: 5,
        })
        .workflow(story("infinite-loop"))
        .start()
        .await
        .unwrap();
    tag_auto_close(harness.server(), CONV_1, ADMIN).await;
    settle(&harness).await;
    let runs = harness.runs_of("naive-close-on-tag");
    assert_eq!(runs.len(), 7, "depths 0..=5 run, depth 6 is halted");
    let last = runs.last().unwrap();
    assert_eq!(last.halt.as_ref().unwrap().reason, "max-depth");
    assert_eq!(last.cause.depth, 6);
}

#[tokio::test]
async fn missing_bearer_story() {
    let harness = harness_with(vec![story("missing-bearer")]).await;
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let run = &harness.runs_of("close-on-tag-missing-bearer")[0];
    assert_eq!(run.state, RunState::Failed);
    assert_eq!(run.error.as_ref().unwrap()["status"], 401);
    let explanation = run.explanation.as_ref().unwrap();
    assert!(
        explanation.contains("no `Bearer ` prefix")
            && explanation.contains("Bearer {{{variables.API_Key}}}"),
        "{explanation}"
    );
}

#[tokio::test]
async fn wrong_tag_id_story() {
    let harness = harness_with(vec![story("wrong-tag-id")]).await;
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    put(
        harness.server(),
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        r#"{"priority":1}"#,
    )
    .await;
    settle(&harness).await;
    let runs = harness.runs_of("close-on-tag-wrong-tag-id");
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.state == RunState::NotMatched));
    let tagged = &runs[0];
    assert_eq!(
        tagged.trigger[0].condition.as_ref().unwrap().parts()[0].values(),
        [
            json!([TAG_BILLING, TAG_AUTO_CLOSE]),
            json!("64a0c0ffee0000000000dead")
        ]
    );
    let explanation = tagged.explanation.as_ref().unwrap();
    assert!(
        explanation.contains("64a0c0ffee0000000000dead is not the id of any tag"),
        "{explanation}"
    );
    assert!(
        explanation.contains(&format!("auto-close = {TAG_AUTO_CLOSE}")),
        "lists the real ids: {explanation}"
    );
    let conversation = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(conversation.data()["attributes"]["status"], "open");
}

#[tokio::test]
async fn expired_key_story() {
    let harness = harness_with(vec![story("expired-key")]).await;
    let server = harness.server();
    tag_auto_close(server, CONV_1, WORKFLOW).await;
    settle(&harness).await;
    assert_eq!(
        harness.runs_of("close-on-tag-expiring-key")[0].state,
        RunState::Completed,
        "works on day one"
    );
    server.clock().advance(8 * 86_400_000);
    tag_auto_close(server, CONV_2, WORKFLOW).await;
    settle(&harness).await;
    let failed = harness
        .runs_of("close-on-tag-expiring-key")
        .into_iter()
        .find(|r| r.record.to_hex() == CONV_2)
        .unwrap();
    assert_eq!(failed.state, RunState::Failed);
    assert!(
        failed.error.as_ref().unwrap()["body"]["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("Expired token")
    );
    assert!(
        failed
            .explanation
            .as_ref()
            .unwrap()
            .contains("the API key has expired")
    );
}

/// Updates a conversation natively (no request budget spent), as a user in the UI would.
fn touch(harness: &Harness, conversation: &str) {
    let store = harness.server().store();
    let org = store.org_by_name("acme").unwrap();
    let system = store.org_state(org).unwrap().org().system_user;
    let actor = kustomer_mock::Actor::new(org, system, "ui", None, kustomer_mock::Cause::root(org))
        .unlimited();
    let id = kustomer_mock::Id::parse(conversation).unwrap();
    store
        .update_conversation(&actor, id, Default::default(), false)
        .unwrap();
}

#[tokio::test]
async fn rate_limited_story() {
    let harness = Harness::builder()
        .fixtures(acme())
        .limits(serde_json::from_value(json!({"requestsPerWindow": 3})).unwrap())
        .workflow(story("rate-limited"))
        .start()
        .await
        .unwrap();
    let server = harness.server();
    // A burst of five updates to one conversation: its runs go in order, three fit the budget.
    for _ in 0..5 {
        touch(&harness, CONV_1);
    }
    settle(&harness).await;
    let runs = harness.runs_of("enrich-from-customer");
    let states: Vec<RunState> = runs.iter().map(|r| r.state).collect();
    use RunState::*;
    assert_eq!(states, [Completed, Completed, Completed, Failed, Failed]);
    let error = runs[3].error.as_ref().unwrap();
    assert_eq!(error["status"], 429);
    assert_eq!(error["body"]["errors"][0]["code"], "rate_limit_org");
    assert_eq!(error["headers"]["x-ratelimit-remaining"], "0");
    assert_eq!(error["headers"]["retry-after"], "60");
    assert!(
        runs[3]
            .explanation
            .as_ref()
            .unwrap()
            .contains("org's request budget")
    );
    get(server, "/v1/tags", WORKFLOW)
        .await
        .expect_error(429, "rate_limit_org");

    // After the window resets the same calls succeed again.
    server.clock().advance(60_000);
    touch(&harness, CONV_1);
    settle(&harness).await;
    assert_eq!(
        harness
            .runs_of("enrich-from-customer")
            .last()
            .unwrap()
            .state,
        Completed
    );
}

/// Regression: under contention a record's job must run exactly once (a race once let two
/// workers take the same job, duplicating requests, events and runs).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_run_executes_twice_under_contention() {
    async fn session() {
        let harness = Harness::builder()
            .fixtures(acme())
            .loop_guard(LoopGuardConfig {
                enabled: false,
                ..LoopGuardConfig::default()
            })
            .workflow(story("infinite-loop"))
            .start()
            .await
            .unwrap();
        let server = harness.server();
        let mut records: Vec<String> = [
            "64a0c0ffee00000000000b01",
            "64a0c0ffee00000000000b02",
            "64a0c0ffee00000000000b03",
            "64a0c0ffee00000000000b04",
        ]
        .map(String::from)
        .to_vec();
        for n in 0..8 {
            let created = post(
                server,
                "/v1/conversations",
                ADMIN,
                &json!({"customer": CUSTOMER_ADA, "name": format!("c{n}")}).to_string(),
            )
            .await;
            records.push(created.data()["id"].as_str().unwrap().to_string());
        }
        for record in &records {
            tag_auto_close(server, record, ADMIN).await;
        }
        settle(&harness).await;
        for record in &records {
            let runs: Vec<_> = harness
                .runs()
                .into_iter()
                .filter(|r| r.record.to_hex() == *record)
                .collect();
            assert_eq!(
                runs.len(),
                31,
                "{record}: 30 completed + 1 failed on the per-object limit"
            );
        }
        let journal = server.journal().entries();
        let mut ids: Vec<_> = journal.iter().map(|e| e.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            journal.len(),
            "every request reached the mock once"
        );
        assert_eq!(
            journal.len(),
            8 + records.len() * 32,
            "8 creates, then per record the tag and 31 PUTs"
        );
    }
    futures::future::join_all((0..4).map(|_| session())).await;
}

/// A trigger that reads the record's priority loops on its own priority update; the
/// explanation's fix compares priority's changes, not tags.
#[tokio::test]
async fn a_loop_through_another_attribute_is_explained_with_that_attribute() {
    let definition = json!({
        "id": "64a0c0ffee0000000000b888",
        "name": "bump-urgent",
        "trigger": {"id": "1", "eventName": "kustomer.conversation.update",
                    "transitions": [{"target": "bump", "condition": {"op": "gte", "values": ["/#steps.1.priority", "3"]}}]},
        "steps": [{"id": "bump", "action": "kustomer.conversation.update",
                   "params": {"id": "/#steps.1.id", "priority": 4, "name": "{{steps.1.name}}!"}, "transitions": []}]
    });
    let harness = harness_with(vec![load_value(definition, "bump").unwrap()]).await;
    let answer = put(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        ADMIN,
        r#"{"priority": 3}"#,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    settle(&harness).await;
    let loops = harness.loops();
    assert_eq!(loops.len(), 1, "{loops:#?}");
    let explanation = &loops[0].explanation;
    assert!(
        explanation.contains("gte(/#steps.1.priority = 4, \"3\")"),
        "{explanation}"
    );
    assert!(
        explanation.contains("/#steps.1.changes.attributes.priority.after")
            && explanation.contains("set priority to VALUE"),
        "names priority in the fix: {explanation}"
    );
    assert!(!explanation.contains("tags"), "{explanation}");
}
