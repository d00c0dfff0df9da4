//! The conformance walks of the bulk routes, brands and schedules.

use reqwest::Method;
use serde_json::json;

use super::conformance::{Conformance, call};
use crate::common::*;

/// The bulk routes: each creates, then changes, then (where it can) deletes one record.
pub async fn bulk_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let message =
        json!({"conversation": CONV_2, "channel": "email", "app": "postmark", "direction": "in"});
    let creates = [
        (
            "/v1/conversations/bulk",
            "/v1/conversations/bulk",
            json!({"customer": CUSTOMER_ADA}),
            201,
            json!({"name": "Bulk"}),
        ),
        (
            "/v1/customers/bulk",
            "/v1/customers/bulk",
            json!({"name": "Bulk"}),
            201,
            json!({"name": "Bulk 2"}),
        ),
        (
            "/v1/companies/bulk",
            "/v1/companies/bulk",
            json!({"name": "Bulk Co"}),
            201,
            json!({"name": "Bulk Co 2"}),
        ),
        (
            "/v1/messages/bulk",
            "/v1/messages/bulk",
            message,
            200,
            json!({"preview": "Bulk"}),
        ),
        (
            "/v1/notes/bulk",
            "/v1/notes/bulk",
            json!({"conversation": CONV_2, "body": "Bulk"}),
            201,
            json!({"body": "Bulk 2"}),
        ),
        (
            "/v1/klasses/{name}/bulk",
            "/v1/klasses/order/bulk",
            json!({"title": "Bulk"}),
            201,
            json!({"title": "Bulk 2"}),
        ),
    ];
    for (template, path, item, status, change) in creates {
        let body = json!([item]).to_string();
        let a = call(doc, s, Method::POST, template, path, t, Some(&body)).await;
        assert_eq!(a.status, status, "{template}: {}", a.body);
        let id = a.data()["attributes"]["ids"][0]
            .as_str()
            .unwrap()
            .to_string();
        let put_status =
            if template.starts_with("/v1/messages") || template.starts_with("/v1/klasses") {
                200
            } else {
                201
            };
        let with_ids = format!("{path}?ids={id}");
        let a = call(
            doc,
            s,
            Method::PUT,
            template,
            &with_ids,
            t,
            Some(&change.to_string()),
        )
        .await;
        assert_eq!(a.status, put_status, "{template}: {}", a.body);
        assert_eq!(a.data()["attributes"]["status"], "complete", "{}", a.body);
        if template.starts_with("/v1/customers") || template.starts_with("/v1/klasses") {
            let a = call(doc, s, Method::DELETE, template, &with_ids, t, None).await;
            assert_eq!(a.status, 201, "{template}: {}", a.body);
        }
    }
}

/// Brands: the default, a new one, the list, a read and a patch.
pub async fn brand_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let body = r#"{"name": "Doc Brand", "iconUrl": "https://doc.example/i.svg"}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/brands",
        "/v1/brands",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let brand = format!("/v1/brands/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (Method::GET, "/v1/brands", "/v1/brands".to_string(), None),
        (
            Method::GET,
            "/v1/brands/default",
            "/v1/brands/default".to_string(),
            None,
        ),
        (Method::GET, "/v1/brands/{id}", brand.clone(), None),
        (
            Method::PATCH,
            "/v1/brands/{id}",
            brand.clone(),
            Some(r#"{"name": "Doc Brand 2"}"#),
        ),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
}

/// Schedules: a new one, the list, the default, a read, an update and a delete.
pub async fn schedule_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let body = r#"{"name": "Doc hours", "timezone": "UTC", "hours": {"1": [[540, 1020]]}}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/schedules",
        "/v1/schedules",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let schedule = format!("/v1/schedules/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (
            Method::GET,
            "/v1/schedules",
            "/v1/schedules".to_string(),
            None,
        ),
        (
            Method::GET,
            "/v1/schedules/default",
            "/v1/schedules/default".to_string(),
            None,
        ),
        (Method::GET, "/v1/schedules/{id}", schedule.clone(), None),
        (
            Method::PUT,
            "/v1/schedules/{id}",
            schedule.clone(),
            Some(r#"{"name": "Doc hours 2"}"#),
        ),
        (Method::DELETE, "/v1/schedules/{id}", schedule.clone(), None),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
}
