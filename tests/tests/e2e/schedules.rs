//! Schedules over HTTP: the fixture's default, create, read, list, update, moving the
//! default, delete, and the errors for bad bodies and unknown ids.

use serde_json::json;

use crate::common::*;

const SCHEDULE_ACME: &str = "64a0c0ffee00000000001f01";
const UNKNOWN: &str = "64a0c0ffee0000000000ffff";

#[tokio::test]
async fn schedules_are_created_read_updated_made_default_and_deleted() {
    let server = server().await;
    let default = get(&server, "/v1/schedules/default", ADMIN).await;
    assert_eq!(default.status, 200, "{}", default.body);
    assert_eq!(default.data()["id"], SCHEDULE_ACME);
    assert_eq!(
        default.data()["attributes"]["hours"]["1"],
        json!([[540, 1020]])
    );
    assert_eq!(default.body["included"], json!([]));

    let body = json!({"name": "Support EU", "timezone": "Europe/Paris", "default": false, "hours": {"1": [[480, 720], [780, 1080]], "0": null}});
    let created = post(&server, "/v1/schedules", ADMIN, &body.to_string()).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.data()["id"].as_str().unwrap().to_string();
    assert_eq!(created.data()["attributes"]["default"], false);
    let listed = get(&server, "/v1/schedules", ADMIN).await;
    assert_eq!(listed.each("id"), [SCHEDULE_ACME, id.as_str()]);

    // `default: true` moves the default, and the old default is updated with it.
    let path = format!("/v1/schedules/{id}");
    let changed = put(
        &server,
        &path,
        ADMIN,
        r#"{"name": "Support Europe", "default": true}"#,
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.data()["attributes"]["name"], "Support Europe");
    let default = get(&server, "/v1/schedules/default", ADMIN).await;
    assert_eq!(default.data()["id"], id.as_str());
    let old = get(&server, &format!("/v1/schedules/{SCHEDULE_ACME}"), ADMIN).await;
    assert_eq!(old.data()["attributes"]["default"], false);

    // The default cannot be deleted; another can, and is answered marked deleted.
    delete(&server, &path, ADMIN, None)
        .await
        .expect_error(409, "default_schedule");
    let old_path = format!("/v1/schedules/{SCHEDULE_ACME}");
    let deleted = delete(&server, &old_path, ADMIN, None).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.data()["attributes"]["deleted"], true);
    assert!(deleted.data()["attributes"]["deletedAt"].is_string());
    assert!(deleted.data()["relationships"]["deletedBy"]["data"]["id"].is_string());
    get(&server, &old_path, ADMIN)
        .await
        .expect_error(404, "not_found");
    let events = server.bus().query(&kustomer_mock::EventQuery {
        name: Some("kustomer.schedule.delete".into()),
        ..Default::default()
    });
    assert_eq!(events.events.len(), 1);
}

#[tokio::test]
async fn schedule_errors_name_the_attribute_or_the_id() {
    let server = server().await;
    let no_hours = post(
        &server,
        "/v1/schedules",
        ADMIN,
        r#"{"name": "X", "timezone": "UTC"}"#,
    )
    .await;
    assert_eq!(
        no_hours.expect_error(400, "required")["source"]["pointer"],
        "/hours"
    );
    let bad_day = json!({"name": "X", "timezone": "UTC", "hours": {"7": null}});
    let refused = post(&server, "/v1/schedules", ADMIN, &bad_day.to_string()).await;
    assert_eq!(
        refused.expect_error(400, "invalid_value")["source"]["pointer"],
        "/hours/7"
    );
    let backwards = json!({"hours": {"2": [[600, 500]]}});
    let path = format!("/v1/schedules/{SCHEDULE_ACME}");
    let refused = put(&server, &path, ADMIN, &backwards.to_string()).await;
    assert_eq!(
        refused.expect_error(400, "invalid_value")["source"]["pointer"],
        "/hours/2"
    );
    let unknown_field = put(&server, &path, ADMIN, r#"{"tz": "UTC"}"#).await;
    assert_eq!(unknown_field.status, 400, "{}", unknown_field.body);
    assert_eq!(unknown_field.error()["source"]["pointer"], "/tz");
    let unknown = format!("/v1/schedules/{UNKNOWN}");
    get(&server, &unknown, ADMIN)
        .await
        .expect_error(404, "not_found");
    put(&server, &unknown, ADMIN, r#"{"name": "Ghost"}"#)
        .await
        .expect_error(404, "not_found");
    delete(&server, &unknown, ADMIN, None)
        .await
        .expect_error(404, "not_found");
}
