//! Between rounds, with nothing in flight: the list totals equal the records the store
//! holds, and the server still answers.

use kustomer_mock::MockServer;
use serde_json::Value;

use crate::targets::ADMIN;

pub async fn alive(client: &reqwest::Client, base: &str) -> bool {
    client
        .get(format!("{base}/v1/users/current"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

async fn get_json(client: &reqwest::Client, url: String) -> Value {
    let response = client
        .get(url)
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("the server answers");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("JSON")
}

/// Every page of a list: (the total it states, the ids it served).
async fn read_all(client: &reqwest::Client, base: &str, path: &str) -> (u64, Vec<String>) {
    let mut ids = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let body = get_json(client, format!("{base}{path}?pageSize=100&page={page}")).await;
        total = body["meta"]["total"].as_u64().expect("meta.total");
        let data = body["data"].as_array().expect("data");
        ids.extend(
            data.iter()
                .filter_map(|r| r["id"].as_str().map(String::from)),
        );
        if body["links"]["next"].is_null() {
            break;
        }
    }
    (total, ids)
}

async fn search_total(client: &reqwest::Client, base: &str, context: &str) -> u64 {
    let response = client
        .post(format!("{base}/v1/customers/search?pageSize=1"))
        .bearer_auth(ADMIN)
        .json(&serde_json::json!({ "queryContext": context }))
        .send()
        .await
        .expect("the server answers");
    assert!(response.status().is_success(), "{}", response.status());
    let body: Value = response.json().await.expect("JSON");
    body["meta"]["total"].as_u64().expect("meta.total")
}

/// List totals equal the records the store holds (called with nothing in flight).
pub async fn check_totals(server: &MockServer, client: &reqwest::Client) {
    let base = server.url();
    let snapshot = server.store().snapshot();
    let org = snapshot
        .orgs
        .iter()
        .find(|o| o.org.name == "acme")
        .expect("the acme org");
    let data = &org.data;

    let (total, ids) = read_all(client, &base, "/v1/conversations").await;
    assert_eq!(
        total as usize,
        data.conversations.len(),
        "conversations total"
    );
    assert_eq!(ids.len(), data.conversations.len(), "conversations served");
    let (total, ids) = read_all(client, &base, "/v1/tags").await;
    assert_eq!(total as usize, data.tags.len(), "tags total");
    assert_eq!(ids.len(), data.tags.len(), "tags served");
    assert_eq!(
        search_total(client, &base, "conversation").await as usize,
        data.conversations.len(),
        "conversation search total"
    );
    assert_eq!(
        search_total(client, &base, "customer").await as usize,
        data.customers.len(),
        "customer search total"
    );
    for customer in data.customers.keys().take(8) {
        let path = format!("/v1/customers/{customer}/conversations");
        let (total, ids) = read_all(client, &base, &path).await;
        let held = data
            .conversations
            .values()
            .filter(|c| c.relationships.customer.id == *customer)
            .count();
        assert_eq!(total as usize, held, "{path} total");
        assert_eq!(ids.len(), held, "{path} served");
    }
    for conversation in data.conversations.keys().take(8) {
        let path = format!("/v1/conversations/{conversation}/notes");
        let (total, _) = read_all(client, &base, &path).await;
        let held = data
            .notes
            .values()
            .filter(|n| n.relationships.conversation.id == *conversation)
            .count();
        assert_eq!(total as usize, held, "{path} total");
    }
}
