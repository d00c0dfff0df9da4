//! The conformance walks of the directory (users, teams, shortcuts, lookups), companies,
//! drafts, notes, hooks and writes through a record.

use reqwest::Method;
use serde_json::json;

use super::conformance::{Conformance, call};
use crate::common::*;

/// Form and web hooks: created, listed, and posted to.
pub async fn hook_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let mut hooks = Vec::new();
    for kind in ["form", "web"] {
        let path = format!("/v1/hooks/{kind}");
        let body = Some(r#"{"name": "documented"}"#);
        let a = call(doc, s, Method::POST, "/v1/hooks/{type}", &path, t, body).await;
        assert_eq!(a.status, 201, "{}", a.body);
        hooks.push(a.data().clone());
    }
    let a = call(doc, s, Method::GET, "/v1/hooks", "/v1/hooks", t, None).await;
    assert_eq!(a.status, 200);
    let form = hooks[0]["attributes"]["url"].as_str().unwrap();
    let template = "/v1/hooks/form/{id}/{hash}";
    let a = call(
        doc,
        s,
        Method::POST,
        template,
        form,
        None,
        Some(r#"{"a": 1}"#),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    let web = hooks[1]["attributes"]["url"].as_str().unwrap();
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/hooks/web/{id}",
        web,
        t,
        Some("{}"),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
}

/// Users, teams, shortcuts, the customer list and the lookups by natural key.
pub async fn directory_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
    conversation: &str,
) {
    let put_ext = send(
        s,
        Method::PUT,
        conversation,
        t,
        Some(r#"{"externalId": "documented-1"}"#),
    )
    .await;
    assert_eq!(put_ext.status, 200, "{}", put_ext.body);
    let agent = "64a0c0ffee00000000000d01";
    let team = "64a0c0ffee00000000000e01";
    let calls = [
        ("/v1/customers", "/v1/customers?pageSize=2".to_string()),
        ("/v1/users", "/v1/users".to_string()),
        ("/v1/users/{id}", format!("/v1/users/{agent}")),
        ("/v1/users/{id}/teams", format!("/v1/users/{agent}/teams")),
        ("/v1/teams", "/v1/teams".to_string()),
        ("/v1/teams/{id}", format!("/v1/teams/{team}")),
        ("/v1/shortcuts", "/v1/shortcuts".to_string()),
        (
            "/v1/customers/email={email}",
            "/v1/customers/email=ada@example.com".to_string(),
        ),
        (
            "/v1/customers/externalId={externalId}",
            "/v1/customers/externalId=cust-ada".to_string(),
        ),
        (
            "/v1/customers/phone={phone}",
            "/v1/customers/phone=15550100".to_string(),
        ),
        (
            "/v1/conversations/externalId={externalId}",
            "/v1/conversations/externalId=documented-1".to_string(),
        ),
    ];
    for (template, path) in calls {
        let a = call(doc, s, Method::GET, template, &path, t, None).await;
        assert_eq!(a.status, 200, "{path}: {}", a.body);
    }
    for (template, path) in [
        (
            "/v1/teams/{id}",
            "/v1/teams/0123456789abcdef01234567".to_string(),
        ),
        (
            "/v1/customers/email={email}",
            "/v1/customers/email=nobody@example.com".to_string(),
        ),
    ] {
        let a = call(doc, s, Method::GET, template, &path, t, None).await;
        assert_eq!(a.status, 404, "{path}: {}", a.body);
    }
}

/// Companies (issue 26).
pub async fn object_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let body = json!({"name": "Analytical Engines", "externalId": "ae-1", "domains": [{"domain": "engines.example"}], "employeeCount": 12});
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/companies",
        "/v1/companies",
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let company = format!("/v1/companies/{}", a.data()["id"].as_str().unwrap());
    let a = call(
        doc,
        s,
        Method::GET,
        "/v1/companies",
        "/v1/companies?filter=engines",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(r#"{"name": "Engines Ltd"}"#)),
        (Method::PATCH, Some(r#"{"custom": {"tierStr": "gold"}}"#)),
    ] {
        let a = call(doc, s, method, "/v1/companies/{id}", &company, t, body).await;
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let linked = json!({"company": company.trim_start_matches("/v1/companies/")});
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/customers/{id}",
        &format!("/v1/customers/{CUSTOMER_ADA}"),
        t,
        Some(&linked.to_string()),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    note_operations(doc, s, t).await;
    draft_operations(doc, s, t).await;
}

/// Drafts (one sent, one deleted) and outbound accounts.
async fn draft_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let grace = "/v1/customers/64a0c0ffee00000000000c02/drafts";
    let body = json!({"channel": "email", "conversation": CONV_2, "subject": "Re: hello", "body": "Hi", "to": [{"email": "grace@example.com"}], "sendAt": "2030-01-01T00:00:00.000Z"});
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/customers/{id}/drafts",
        grace,
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let draft = format!("/v1/drafts/{}", a.data()["id"].as_str().unwrap());
    let a = call(
        doc,
        s,
        Method::GET,
        "/v1/customers/{id}/drafts",
        grace,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/drafts/{id}",
        &draft,
        t,
        Some(r#"{"status": "sent"}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/drafts/{id}",
        &draft,
        t,
        Some(r#"{"body": "again"}"#),
    )
    .await;
    assert_eq!(a.status, 409, "{}", a.body);
    let a = call(doc, s, Method::DELETE, "/v1/drafts/{id}", &draft, t, None).await;
    assert_eq!(a.status, 204, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::GET,
        "/v1/outboundAccounts",
        "/v1/outboundAccounts",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

/// Notes by id, for the org and per customer.
async fn note_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let body = json!({"conversation": CONV_2, "body": "Called twice", "externalId": "n-1", "userMentions": [{"team": "64a0c0ffee00000000000e01"}], "attachments": [{"_id": "64a0c0ffee0000000000aa01", "name": "log.txt", "contentType": "text/plain", "contentLength": 12}]});
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/notes",
        "/v1/notes",
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let note = format!("/v1/notes/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (
            Method::GET,
            "/v1/notes",
            "/v1/notes?pageSize=2".to_string(),
            None,
        ),
        (
            Method::GET,
            "/v1/customers/{id}/notes",
            format!("/v1/customers/{CUSTOMER_ADA}/notes"),
            None,
        ),
        (Method::GET, "/v1/notes/{id}", note.clone(), None),
        (
            Method::PUT,
            "/v1/notes/{id}",
            note.clone(),
            Some(r#"{"body": "Called three times"}"#),
        ),
        (
            Method::PATCH,
            "/v1/notes/{id}",
            note.clone(),
            Some(r#"{"lang": "en", "deleted": null}"#),
        ),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
    let a = call(doc, s, Method::DELETE, "/v1/notes/{id}", &note, t, None).await;
    assert_eq!(a.status, 204, "{}", a.body);
}

/// Writes and reads through a record: a customer's new conversation and message, the
/// message by external id, a company's KObjects, a record's events, deleting a customer.
pub async fn record_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/customers",
        "/v1/customers",
        t,
        Some(r#"{"name": "Doc"}"#),
    )
    .await;
    let customer = a.data()["id"].as_str().unwrap().to_string();
    let message =
        r#"{"channel": "email", "app": "postmark", "direction": "in", "externalId": "doc-mail"}"#;
    let calls = [
        (
            Method::POST,
            "/v1/customers/{id}/conversations",
            format!("/v1/customers/{customer}/conversations"),
            Some("{}"),
            201,
        ),
        (
            Method::POST,
            "/v1/customers/{id}/messages",
            format!("/v1/customers/{customer}/messages"),
            Some(message),
            201,
        ),
        (
            Method::GET,
            "/v1/messages/externalid={externalId}",
            "/v1/messages/externalid=doc-mail".to_string(),
            None,
            200,
        ),
        (
            Method::GET,
            "/v1/companies/{id}/klasses/{name}",
            "/v1/companies/64a0c0ffee00000000001c01/klasses/order".to_string(),
            None,
            200,
        ),
        (
            Method::GET,
            "/v1/customers/{id}/events",
            format!("/v1/customers/{customer}/events"),
            None,
            200,
        ),
        (
            Method::GET,
            "/v1/conversations/{id}/events",
            format!("/v1/conversations/{CONV_1}/events"),
            None,
            200,
        ),
        (
            Method::DELETE,
            "/v1/customers/{id}",
            format!("/v1/customers/{customer}"),
            None,
            204,
        ),
    ];
    for (method, template, path, body, status) in calls {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, status, "{template}: {}", a.body);
    }
}
