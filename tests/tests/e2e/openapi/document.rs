//! The document is served at `/__admin/openapi.json`, and the committed
//! `docs/openapi.json` is the generated one.

use reqwest::Method;

use crate::common::*;

#[tokio::test]
async fn the_document_is_served_and_committed_as_generated() {
    let server = server().await;
    let served = admin(&server, Method::GET, "/openapi.json", None).await;
    assert_eq!(served.status, 200);
    assert_eq!(&served.body, kustomer_mock::openapi_document());
    assert_eq!(served.body["openapi"], "3.1.0");

    let committed = fixtures_dir().join("../docs/openapi.json");
    let committed = std::fs::read_to_string(&committed).expect("docs/openapi.json exists");
    assert!(
        committed == kustomer_harness::openapi::rendered(),
        "docs/openapi.json is stale: run `make openapi`"
    );
    // What `kmock openapi` writes is a harness server's document: the workflows API is in.
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    for path in ["/v1/workflows", "/v1/workflows/{id}/variables"] {
        assert!(
            committed["paths"][path].is_object(),
            "{path} is not documented"
        );
    }
}
