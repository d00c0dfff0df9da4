//! Companies over HTTP: the routes, their events with `changes`, the list filters, the
//! customer -> company relationship, and the errors for bad bodies and unknown ids.

use kustomer_mock::{BusItem, Event, Subscription};
use serde_json::{Value, json};

use crate::common::*;

/// Every event already published, without waiting.
fn drain(sub: &mut Subscription) -> Vec<std::sync::Arc<Event>> {
    let mut out = Vec::new();
    while let Some(item) = sub.try_recv() {
        if let BusItem::Event(e) = item {
            out.push(e);
        }
    }
    out
}

async fn patch(server: &kustomer_mock::MockServer, path: &str, body: &str) -> Answer {
    send(
        server,
        reqwest::Method::PATCH,
        path,
        Some(ADMIN),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn companies_are_created_read_listed_and_updated_with_events() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    let body = json!({
        "name": "Analytical Engines Ltd",
        "externalId": "ae-1",
        "domains": [{"domain": "engines.example"}],
        "emails": [{"type": "work", "email": "hello@engines.example"}],
        "employeeCount": 12,
        "tags": [TAG_VIP],
        "custom": {"tierStr": "gold"},
    });
    let created = post(&server, "/v1/companies", ADMIN, &body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let company = created.data().clone();
    assert_eq!(company["type"], "company");
    let id = company["id"].as_str().unwrap().to_string();
    let a = &company["attributes"];
    assert_eq!(a["name"], "Analytical Engines Ltd");
    assert_eq!(a["externalId"], "ae-1");
    assert_eq!(a["domains"], json!([{"domain": "engines.example"}]));
    assert_eq!(a["employeeCount"], 12.0);
    assert_eq!(a["tags"], json!([TAG_VIP]));
    assert_eq!(a["rev"], 1);
    assert_eq!(a["deleted"], false);
    assert_eq!(company["links"]["self"], format!("/v1/companies/{id}"));
    assert_eq!(company["relationships"]["org"]["data"]["type"], "org");

    let path = format!("/v1/companies/{id}");
    let read = get(&server, &path, ADMIN).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.data(), &company);

    let updated = put(&server, &path, ADMIN, r#"{"name": "Engines Ltd"}"#).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.data()["attributes"]["name"], "Engines Ltd");
    assert_eq!(updated.data()["attributes"]["rev"], 2);
    assert_eq!(
        updated.data()["attributes"]["externalId"],
        "ae-1",
        "a merge keeps what the body leaves out"
    );
    let patched = patch(&server, &path, r#"{"custom": {"tierStr": "platinum"}}"#).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(
        patched.data()["attributes"]["custom"]["tierStr"],
        "platinum"
    );

    let events = drain(&mut sub);
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "kustomer.company.create",
            "kustomer.company.update",
            "kustomer.company.update"
        ]
    );
    let changes = events[1].changes.as_ref().unwrap()["attributes"].clone();
    assert_eq!(
        changes["name"],
        json!({"op": "replace", "before": "Analytical Engines Ltd", "after": "Engines Ltd"})
    );
    assert!(changes.get("externalId").is_none(), "{changes}");
    let changes = events[2].changes.as_ref().unwrap()["attributes"].clone();
    assert_eq!(
        changes["custom"]["after"]["tierStr"], "platinum",
        "{changes}"
    );

    let other = post(
        &server,
        "/v1/companies",
        ADMIN,
        r#"{"name": "Babbage & Co"}"#,
    )
    .await;
    assert_eq!(other.status, 201, "{}", other.body);
    let all = get(&server, "/v1/companies", ADMIN).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let names = |answer: &Answer| -> Vec<String> {
        answer
            .data()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["attributes"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        names(&all).contains(&"Engines Ltd".to_string()),
        "{}",
        all.body
    );
    assert!(
        names(&all).contains(&"Babbage & Co".to_string()),
        "{}",
        all.body
    );
    let by_name = get(&server, "/v1/companies?filter=babbage", ADMIN).await;
    assert_eq!(names(&by_name), ["Babbage & Co"]);
    let by_external = get(&server, "/v1/companies?externalId=ae-1", ADMIN).await;
    assert_eq!(names(&by_external), ["Engines Ltd"]);
    let none = get(&server, "/v1/companies?externalId=nobody", ADMIN).await;
    assert_eq!(none.data(), &json!([]));
    let both = get(&server, "/v1/companies?externalId=nobody&filter=zzz", ADMIN).await;
    assert_eq!(
        names(&both).len(),
        names(&all).len(),
        "both filters together are ignored, as Kustomer documents"
    );
}

#[tokio::test]
async fn a_customer_links_to_a_company_by_id() {
    let server = server().await;
    let created = post(
        &server,
        "/v1/companies",
        ADMIN,
        r#"{"name": "Analytical Engines"}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let company = created.data()["id"].as_str().unwrap().to_string();
    // Grace has no company in the fixtures (Ada's is Analytical Engines Ltd).
    let customer = "/v1/customers/64a0c0ffee00000000000c02".to_string();
    let before = get(&server, &customer, ADMIN).await;
    assert!(
        before.data()["relationships"].get("company").is_none(),
        "no company yet: {}",
        before.body
    );
    let mut sub = server.bus().subscribe(None);
    let linked = put(
        &server,
        &customer,
        ADMIN,
        &json!({"company": company}).to_string(),
    )
    .await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    let relationship = &linked.data()["relationships"]["company"];
    assert_eq!(
        relationship["data"],
        json!({"type": "company", "id": company})
    );
    assert_eq!(
        relationship["links"]["self"],
        format!("/v1/companies/{company}")
    );
    assert_eq!(linked.data()["attributes"]["company"], company);
    let events = drain(&mut sub);
    assert_eq!(events.len(), 1);
    let changes = events[0].changes.as_ref().unwrap();
    assert_eq!(
        changes["relationships"]["company"]["after"]["id"], company,
        "{}",
        changes["relationships"]
    );
    // The link can be followed.
    let followed = get(
        &server,
        relationship["links"]["self"].as_str().unwrap(),
        ADMIN,
    )
    .await;
    assert_eq!(followed.status, 200);

    let unknown = put(
        &server,
        &customer,
        ADMIN,
        r#"{"company": "0123456789abcdef01234567"}"#,
    )
    .await;
    let error = unknown.expect_error(400, "unknown_company");
    assert_eq!(error["source"]["pointer"], "/company");
    let name = put(
        &server,
        &customer,
        ADMIN,
        r#"{"company": "Analytical Engines"}"#,
    )
    .await;
    name.expect_error(400, "invalid_id");
    let unlinked = put(&server, &customer, ADMIN, r#"{"company": null}"#).await;
    assert_eq!(unlinked.status, 200, "{}", unlinked.body);
    assert!(unlinked.data()["relationships"].get("company").is_none());
    assert_eq!(unlinked.data()["attributes"]["company"], Value::Null);
}

#[tokio::test]
async fn bad_company_bodies_and_unknown_ids_are_refused() {
    let server = server().await;
    let cases = [
        (
            r#"{"name": "Engines", "revenue": 3}"#,
            "unknown_attribute",
            "/revenue",
        ),
        (
            r#"{"name": "Engines", "rev": 3}"#,
            "read_only_attribute",
            "/rev",
        ),
        (r#"{"name": 42}"#, "invalid_type", "/name"),
        (
            r#"{"name": "Engines", "employeeCount": "many"}"#,
            "invalid_type",
            "/employeeCount",
        ),
        (
            r#"{"name": "Engines", "domains": [{"type": "x"}]}"#,
            "invalid_value",
            "/domains/0/domain",
        ),
        (r#"{"name": "AB"}"#, "invalid_value", "/name"),
        (r#"{"externalId": "x"}"#, "required", "/name"),
        (
            r#"{"name": "Engines", "tags": ["0123456789abcdef01234567"]}"#,
            "unknown_tag",
            "/tags/0",
        ),
    ];
    for (body, code, pointer) in cases {
        let answer = post(&server, "/v1/companies", ADMIN, body).await;
        let error = answer.expect_error(400, code);
        assert_eq!(
            error["source"]["pointer"], pointer,
            "{body}: {}",
            answer.body
        );
    }
    let first = post(
        &server,
        "/v1/companies",
        ADMIN,
        r#"{"name": "Engines", "externalId": "e"}"#,
    )
    .await;
    assert_eq!(first.status, 201);
    let taken = post(
        &server,
        "/v1/companies",
        ADMIN,
        r#"{"name": "Engines 2", "externalId": "e"}"#,
    )
    .await;
    taken.expect_error(409, "duplicate_external_id");

    let missing = "/v1/companies/0123456789abcdef01234567";
    get(&server, missing, ADMIN)
        .await
        .expect_error(404, "not_found");
    put(&server, missing, ADMIN, r#"{"name": "Engines"}"#)
        .await
        .expect_error(404, "not_found");
    get(&server, "/v1/companies/nope", ADMIN)
        .await
        .expect_error(400, "invalid_id");
    let readonly = post(&server, "/v1/companies", READONLY, r#"{"name": "Engines"}"#).await;
    assert_eq!(readonly.status, 403);
}
