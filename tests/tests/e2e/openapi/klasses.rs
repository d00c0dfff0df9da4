//! The conformance walk of klasses and their KObjects.

use reqwest::Method;

use super::conformance::{Conformance, call};
use crate::common::*;

/// Klasses and KObjects: every route once, on a klass of its own.
pub async fn klass_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let a = call(doc, s, Method::GET, "/v1/klasses", "/v1/klasses", t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let body = r#"{"name": "booking", "displayName": "Booking", "jsonSchema": {"properties": {"roomStr": {}}}}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/klasses",
        "/v1/klasses",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let klass = format!("/v1/klasses/{}", a.data()["id"].as_str().unwrap());
    let a = call(doc, s, Method::GET, "/v1/klasses/{name}", &klass, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/klasses/{name}",
        &klass,
        t,
        Some(r##"{"color": "#ff0000"}"##),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let body = r#"{"title": "Room 12", "externalId": "b-12", "custom": {"roomStr": "12"}}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/klasses/{name}",
        "/v1/klasses/booking",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let object = format!("/v1/klasses/booking/{}", a.data()["id"].as_str().unwrap());
    let customer = format!("/v1/customers/{CUSTOMER_ADA}/klasses/booking");
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/customers/{id}/klasses/{name}",
        &customer,
        t,
        Some(r#"{"title": "Room 14"}"#),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let second = format!("/v1/klasses/booking/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (
            Method::GET,
            "/v1/klasses/{name}",
            "/v1/klasses/booking".to_string(),
            None,
        ),
        (
            Method::GET,
            "/v1/customers/{id}/klasses/{name}",
            customer.clone(),
            None,
        ),
        (Method::GET, "/v1/klasses/{name}/{id}", object.clone(), None),
        (
            Method::GET,
            "/v1/klasses/{name}/externalId={externalId}",
            "/v1/klasses/booking/externalId=b-12".to_string(),
            None,
        ),
        (
            Method::PUT,
            "/v1/klasses/{name}/{id}",
            object.clone(),
            Some(r#"{"description": "sea view"}"#),
        ),
        (
            Method::PATCH,
            "/v1/klasses/{name}/{id}",
            object.clone(),
            Some(r#"{"custom": {"roomStr": "13"}}"#),
        ),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
    for path in [&object, &second] {
        let a = call(
            doc,
            s,
            Method::DELETE,
            "/v1/klasses/{name}/{id}",
            path,
            t,
            None,
        )
        .await;
        assert_eq!(a.status, 204, "{}", a.body);
    }
    let a = call(
        doc,
        s,
        Method::DELETE,
        "/v1/klasses/{name}",
        &klass,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.body);
}
