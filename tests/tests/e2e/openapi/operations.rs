//! Every operation of the mock's document, called once (most of them through the
//! per-object walks of the sibling files) and answering as documented.

use reqwest::Method;
use serde_json::json;

use super::conformance::{Conformance, Row, call_each};
use super::klasses::klass_operations;
use super::merges::merge_operations;
use super::records::{directory_operations, hook_operations, object_operations, record_operations};
use super::settings::{brand_operations, bulk_operations, schedule_operations};
use crate::common::*;

/// A row of a table (see [`call_each`]).
fn row<'a>(
    method: Method,
    template: &'a str,
    path: impl Into<String>,
    body: Option<String>,
    status: u16,
) -> Row<'a> {
    (method, template, path.into(), body, status)
}

#[tokio::test]
async fn every_operation_answers_as_documented() {
    let server = server().await;
    let mut doc = Conformance::new();
    let s = &server;
    let t = Some(ADMIN);

    let body =
        json!({ "customer": CUSTOMER_ADA, "name": "OpenAPI", "custom": { "orderStr": "7" } });
    let a = call_each(
        &mut doc,
        s,
        t,
        vec![
            row(
                Method::GET,
                "/v1/conversations",
                "/v1/conversations",
                None,
                200,
            ),
            row(
                Method::POST,
                "/v1/conversations",
                "/v1/conversations",
                Some(body.to_string()),
                201,
            ),
        ],
    )
    .await;
    let conversation = a[1].data()["id"].as_str().unwrap().to_string();
    let one = format!("/v1/conversations/{conversation}");
    let tags = format!("{one}/tags");
    let notes = format!("{one}/notes");
    let snooze = json!({ "priority": 2, "snooze": { "time": "2026-12-01T00:00:00.000Z" }, "status": "snoozed" });
    let note =
        json!({ "body": "Checked", "userMentions": [{ "user": "64a0c0ffee00000000000d01" }] });
    let a = call_each(
        &mut doc,
        s,
        t,
        vec![
            row(Method::GET, "/v1/conversations/{id}", &one, None, 200),
            row(
                Method::PUT,
                "/v1/conversations/{id}",
                &one,
                Some(snooze.to_string()),
                200,
            ),
            row(
                Method::PATCH,
                "/v1/conversations/{id}",
                &one,
                Some(r#"{"status": "done"}"#.into()),
                200,
            ),
            row(
                Method::POST,
                "/v1/conversations/{id}/tags",
                &tags,
                Some(r#"["billing", "vip"]"#.into()),
                200,
            ),
            row(
                Method::DELETE,
                "/v1/conversations/{id}/tags",
                &tags,
                Some(r#"{"tags": ["vip"]}"#.into()),
                200,
            ),
            row(
                Method::POST,
                "/v1/conversations/{id}/notes",
                &notes,
                Some(note.to_string()),
                201,
            ),
            row(
                Method::GET,
                "/v1/conversations/{id}/notes",
                &notes,
                None,
                200,
            ),
        ],
    )
    .await;
    assert!(a[2].data()["attributes"]["endedAt"].is_string());

    let body = json!({ "name": "Grace", "emails": [{ "type": "work", "email": "grace@example.com" }], "phones": [{ "phone": "+15550100" }] });
    let a = call_each(
        &mut doc,
        s,
        t,
        vec![row(
            Method::POST,
            "/v1/customers",
            "/v1/customers",
            Some(body.to_string()),
            201,
        )],
    )
    .await;
    let customer = format!("/v1/customers/{}", a[0].data()["id"].as_str().unwrap());
    let theirs = format!("/v1/customers/{CUSTOMER_ADA}/conversations");
    let mut rows = vec![
        row(Method::GET, "/v1/customers/{id}", &customer, None, 200),
        row(
            Method::PUT,
            "/v1/customers/{id}",
            &customer,
            Some(r#"{"displayName": "G"}"#.into()),
            200,
        ),
        row(
            Method::PATCH,
            "/v1/customers/{id}",
            &customer,
            Some(r#"{"externalId": "g-1"}"#.into()),
            200,
        ),
        row(
            Method::GET,
            "/v1/customers/{id}/conversations",
            &theirs,
            None,
            200,
        ),
    ];
    for context in ["conversation", "customer"] {
        let body = json!({ "queryContext": context, "sort": [{ format!("{context}_updated_at"): "asc" }] });
        rows.push(row(
            Method::POST,
            "/v1/customers/search",
            "/v1/customers/search",
            Some(body.to_string()),
            200,
        ));
    }
    let a = call_each(&mut doc, s, t, rows).await;
    assert!(a[3].body["meta"]["total"].as_u64().unwrap() >= 1);
    for searched in &a[4..] {
        assert!(!searched.body["data"].as_array().unwrap().is_empty());
    }

    let a = call_each(
        &mut doc,
        s,
        t,
        vec![
            row(Method::GET, "/v1/tags", "/v1/tags?deleted=false", None, 200),
            row(
                Method::POST,
                "/v1/tags",
                "/v1/tags",
                Some(r##"{"name": "documented", "color": "#00ff00"}"##.into()),
                201,
            ),
        ],
    )
    .await;
    let tag = format!("/v1/tags/{}", a[1].data()["id"].as_str().unwrap());
    let a = call_each(
        &mut doc,
        s,
        t,
        vec![
            row(Method::GET, "/v1/tags/{id}", &tag, None, 200),
            row(
                Method::PUT,
                "/v1/tags/{id}",
                &tag,
                Some(r#"{"color": null}"#.into()),
                200,
            ),
            row(Method::DELETE, "/v1/tags/{id}", &tag, None, 204),
            row(Method::GET, "/v1/tags/{id}", &tag, None, 200),
            row(
                Method::GET,
                "/v1/users/current",
                "/v1/users/current",
                None,
                200,
            ),
            row(
                Method::GET,
                "/v1/auth/tokens/current",
                "/v1/auth/tokens/current",
                None,
                200,
            ),
        ],
    )
    .await;
    assert_eq!(a[3].data()["attributes"]["deleted"], true);

    // Messages, on the conversation about to be deleted.
    let inbound = json!({ "channel": "email", "app": "postmark", "direction": "in", "preview": "Hi", "meta": { "from": "ada@example.com" } });
    let outbound = json!({ "conversation": conversation, "channel": "sms", "app": "twilio", "direction": "out" });
    let a = call_each(
        &mut doc,
        s,
        t,
        vec![
            row(
                Method::POST,
                "/v1/conversations/{id}/messages",
                format!("{one}/messages"),
                Some(inbound.to_string()),
                201,
            ),
            row(
                Method::POST,
                "/v1/messages",
                "/v1/messages",
                Some(outbound.to_string()),
                201,
            ),
        ],
    )
    .await;
    let message = format!("/v1/messages/{}", a[0].data()["id"].as_str().unwrap());
    call_each(
        &mut doc,
        s,
        t,
        vec![
            row(
                Method::GET,
                "/v1/conversations/{id}/messages",
                format!("{one}/messages"),
                None,
                200,
            ),
            row(
                Method::GET,
                "/v1/customers/{id}/messages",
                format!("/v1/customers/{CUSTOMER_ADA}/messages"),
                None,
                200,
            ),
            row(Method::GET, "/v1/messages/{id}", &message, None, 200),
            row(
                Method::GET,
                "/v1/messages",
                "/v1/messages?sort=desc",
                None,
                200,
            ),
            row(
                Method::PUT,
                "/v1/messages/{id}",
                &message,
                Some(
                    r#"{"preview": "Hello", "sentiment": {"polarity": 1, "confidence": 0.5}}"#
                        .into(),
                ),
                200,
            ),
            row(
                Method::PATCH,
                "/v1/messages/{id}",
                &message,
                Some(r#"{"lang": "en_us"}"#.into()),
                200,
            ),
        ],
    )
    .await;
    directory_operations(&mut doc, s, t, &one).await;
    object_operations(&mut doc, s, t).await;
    klass_operations(&mut doc, s, t).await;
    hook_operations(&mut doc, s, t).await;
    record_operations(&mut doc, s, t).await;
    bulk_operations(&mut doc, s, t).await;
    brand_operations(&mut doc, s, t).await;
    schedule_operations(&mut doc, s, t).await;
    merge_operations(&mut doc, s, t).await;
    call_each(
        &mut doc,
        s,
        t,
        vec![row(
            Method::DELETE,
            "/v1/conversations/{id}",
            &one,
            None,
            204,
        )],
    )
    .await;

    let missing = doc
        .operations()
        .difference(&doc.covered)
        .cloned()
        .collect::<Vec<_>>();
    assert!(
        missing.is_empty(),
        "operations this test does not call: {missing:?}"
    );
}
