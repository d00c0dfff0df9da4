//! Users, teams and shortcuts: the lists, one by id, a user's teams, the admin routes that
//! add them, and that every user or team a record names can be followed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

const JORDAN: &str = "64a0c0ffee00000000000d01";
const PRIYA: &str = "64a0c0ffee00000000000d02";
const SAM: &str = "64a0c0ffee00000000000d03";
const BILLING: &str = "64a0c0ffee00000000000e01";
const SUPPORT: &str = "64a0c0ffee00000000000e02";
const UNKNOWN: &str = "0123456789abcdef01234567";

#[tokio::test]
async fn users_list_pages_people_and_machine_users() {
    let server = server().await;
    let all = get(&server, "/v1/users?pageSize=100", READONLY).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let ids = all.each("id");
    for agent in [JORDAN, PRIYA, SAM] {
        assert!(ids.contains(&agent), "{agent} missing: {ids:?}");
    }
    // The org's Workflow and System users and each key's user are users too.
    let state = admin(&server, Method::GET, "/state", None).await;
    let workflow_user = state.body["orgs"][0]["workflowUser"].as_str().unwrap();
    assert!(ids.contains(&workflow_user));
    let me = get(&server, "/v1/users/current", READONLY).await;
    assert!(ids.contains(&me.data()["id"].as_str().unwrap()));
    let total = all.body["meta"]["total"].as_u64().unwrap() as usize;
    assert_eq!(total, ids.len());

    let first = get(&server, "/v1/users?pageSize=2", READONLY).await;
    assert_eq!(first.each("id"), ids[..2].to_vec());
    assert_eq!(first.body["links"]["next"], "/v1/users?pageSize=2&page=2");
    assert!(first.body["links"]["prev"].is_null());
    let second = get(&server, "/v1/users?pageSize=2&page=2", READONLY).await;
    assert_eq!(second.each("id"), ids[2..4].to_vec());

    let machine = all
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == workflow_user)
        .unwrap();
    assert_eq!(machine["attributes"]["name"], "Workflow");
    assert_eq!(machine["attributes"]["userType"], "machine");

    get(&server, "/v1/users?page=0", READONLY)
        .await
        .expect_error(400, "invalid_parameter");
}

#[tokio::test]
async fn one_user_and_its_teams() {
    let server = server().await;
    let jordan = get(&server, &format!("/v1/users/{JORDAN}"), READONLY).await;
    assert_eq!(jordan.status, 200, "{}", jordan.body);
    assert_eq!(jordan.data()["type"], "user");
    assert_eq!(jordan.data()["attributes"]["name"], "Jordan Rivers");
    assert_eq!(jordan.data()["attributes"]["email"], "jordan@acme.example");
    assert_eq!(jordan.data()["attributes"]["userType"], "user");
    assert_eq!(
        jordan.data()["links"]["self"],
        format!("/v1/users/{JORDAN}")
    );

    let teams = get(&server, &format!("/v1/users/{JORDAN}/teams"), READONLY).await;
    assert_eq!(teams.status, 200, "{}", teams.body);
    assert_eq!(teams.each("id"), vec![BILLING, SUPPORT]);
    let teams = get(&server, &format!("/v1/users/{PRIYA}/teams"), READONLY).await;
    assert_eq!(teams.each("id"), vec![BILLING]);
    assert_eq!(teams.body["meta"]["total"], 1);

    let missing = get(&server, &format!("/v1/users/{UNKNOWN}"), READONLY).await;
    assert!(
        missing.expect_error(404, "not_found")["detail"]
            .as_str()
            .unwrap()
            .contains(UNKNOWN)
    );
    get(&server, &format!("/v1/users/{UNKNOWN}/teams"), READONLY)
        .await
        .expect_error(404, "not_found");
    get(&server, "/v1/users/nope", READONLY)
        .await
        .expect_error(400, "invalid_id");
}

#[tokio::test]
async fn teams_list_and_one_team() {
    let server = server().await;
    let teams = get(&server, "/v1/teams", READONLY).await;
    assert_eq!(teams.status, 200, "{}", teams.body);
    assert_eq!(teams.each("id"), vec![BILLING, SUPPORT]);
    assert_eq!(teams.body["meta"]["total"], 2);
    let billing = get(&server, &format!("/v1/teams/{BILLING}"), READONLY).await;
    assert_eq!(billing.status, 200);
    assert_eq!(billing.data()["type"], "team");
    let a = &billing.data()["attributes"];
    assert_eq!(a["name"], "Billing");
    assert_eq!(a["displayName"], "Billing");
    assert_eq!(a["members"], json!([JORDAN, PRIYA]));
    assert_eq!(a["deleted"], false);
    let creator = billing.data()["relationships"]["createdBy"]["data"]["id"]
        .as_str()
        .unwrap();
    let who = get(&server, &format!("/v1/users/{creator}"), READONLY).await;
    assert_eq!(who.status, 200, "the team's creator resolves: {}", who.body);
    get(&server, &format!("/v1/teams/{UNKNOWN}"), READONLY)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn shortcuts_serve_the_fixture_list() {
    let server = server().await;
    let list = get(&server, "/v1/shortcuts", READONLY).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let names: Vec<&str> = list
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["refund-received", "closing"]);
    assert_eq!(list.data()[0]["type"], "shortcut");
    // Kustomer's payload text is a rich-text (Draft.js) document, as tap-kustomer's
    // schema for it says.
    let text = &list.data()[0]["attributes"]["payload"]["text"];
    assert!(
        text["blocks"][0]["text"]
            .as_str()
            .unwrap()
            .contains("refund")
    );
    assert_eq!(text["entityMap"], serde_json::json!({}));
    let page = get(&server, "/v1/shortcuts?pageSize=1&page=2", READONLY).await;
    assert_eq!(page.data()[0]["attributes"]["name"], "closing");
    assert!(page.body["links"]["next"].is_null());
}

#[tokio::test]
async fn admin_adds_users_and_teams() {
    let server = server().await;
    let user = admin(
        &server,
        Method::POST,
        "/users",
        Some(r#"{"name": "Lin Wei", "email": "lin@acme.example"}"#),
    )
    .await;
    assert_eq!(user.status, 201, "{}", user.body);
    let lin = user.data()["id"].as_str().unwrap().to_string();
    let fetched = get(&server, &format!("/v1/users/{lin}"), READONLY).await;
    assert_eq!(fetched.body, user.body);

    let team = admin(
        &server,
        Method::POST,
        "/teams",
        Some(&json!({"name": "Escalations", "members": [lin, SAM]}).to_string()),
    )
    .await;
    assert_eq!(team.status, 201, "{}", team.body);
    let team_id = team.data()["id"].as_str().unwrap().to_string();
    let theirs = get(&server, &format!("/v1/users/{lin}/teams"), READONLY).await;
    assert_eq!(theirs.each("id"), vec![team_id.as_str()]);

    let bad_member = admin(
        &server,
        Method::POST,
        "/teams",
        Some(&json!({"name": "Ghosts", "members": [SAM, UNKNOWN]}).to_string()),
    )
    .await;
    let e = bad_member.expect_error(400, "unknown_user");
    assert_eq!(e["source"]["pointer"], "/members/1");
    admin(
        &server,
        Method::POST,
        "/teams",
        Some(r#"{"name": "Billing"}"#),
    )
    .await
    .expect_error(409, "duplicate_team");
    admin(&server, Method::POST, "/users", Some(r#"{"name": " "}"#))
        .await
        .expect_error(400, "invalid_value");
    let teams = get(&server, "/v1/teams", READONLY).await;
    assert_eq!(teams.body["meta"]["total"], 3, "refused teams are not kept");
    let state = admin(&server, Method::GET, "/state", None).await;
    let in_state: Vec<&Value> = state.body["orgs"][0]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(in_state.len(), 3);
    assert_eq!(in_state[2]["id"], team_id.as_str());
    assert_eq!(
        state.body["orgs"][0]["shortcuts"].as_array().unwrap().len(),
        2
    );
}

/// Every user and team id on a conversation resolves through `/v1/users` and `/v1/teams`.
#[tokio::test]
async fn assignees_and_authors_resolve_and_unknown_ones_are_refused() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    let assigned = put(
        &server,
        &path,
        WORKFLOW,
        &json!({"assignedUsers": [PRIYA], "assignedTeams": [BILLING]}).to_string(),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    let data = assigned.data();
    let mut users: Vec<Value> = data["attributes"]["assignedUsers"]
        .as_array()
        .unwrap()
        .clone();
    for name in ["createdBy", "modifiedBy"] {
        users.push(data["relationships"][name]["data"]["id"].clone());
    }
    for user in users {
        let user = user.as_str().unwrap();
        let answer = get(&server, &format!("/v1/users/{user}"), READONLY).await;
        assert_eq!(answer.status, 200, "user {user}: {}", answer.body);
    }
    for team in data["attributes"]["assignedTeams"].as_array().unwrap() {
        let team = team.as_str().unwrap();
        let answer = get(&server, &format!("/v1/teams/{team}"), READONLY).await;
        assert_eq!(answer.status, 200, "team {team}: {}", answer.body);
    }

    let rev = data["attributes"]["rev"].clone();
    let unknown_user = put(
        &server,
        &path,
        WORKFLOW,
        &json!({"assignedUsers": [PRIYA, UNKNOWN]}).to_string(),
    )
    .await;
    let e = unknown_user.expect_error(400, "unknown_user");
    assert_eq!(e["source"]["pointer"], "/assignedUsers/1");
    assert!(e["detail"].as_str().unwrap().contains(UNKNOWN));
    assert!(e["detail"].as_str().unwrap().contains("/v1/users"));
    // A team id is not a user id, and the other way round.
    let e = put(
        &server,
        &path,
        WORKFLOW,
        &json!({"assignedTeams": [PRIYA]}).to_string(),
    )
    .await;
    let e = e.expect_error(400, "unknown_team");
    assert_eq!(e["source"]["pointer"], "/assignedTeams/0");
    assert!(e["detail"].as_str().unwrap().contains("/v1/teams"));
    let created = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "assignedUsers": [BILLING]}).to_string(),
    )
    .await;
    created.expect_error(400, "unknown_user");

    let after = get(&server, &path, READONLY).await;
    assert_eq!(
        after.data()["attributes"]["rev"],
        rev,
        "nothing was written"
    );
    assert_eq!(after.data()["attributes"]["assignedUsers"], json!([PRIYA]));
}
