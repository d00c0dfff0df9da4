//! What the fuzzer aims at: the operations of the OpenAPI document (the harness's, so the
//! workflows API is in), the admin routes and which of their bodies are fair, the paths
//! no router serves, the fixture tokens, and the request it sends.

/// Fixture tokens (fixtures/acme.json).
pub const ADMIN: &str = "kmk_acme_admin_7c3e9a1f5d2b8e64";
pub const READONLY: &str = "kmk_acme_readonly_8e1f6b2c9d3a7e40";
pub const EXPIRED: &str = "kmk_acme_expired_5a7d3e9f1b2c6d80";
pub const WORKFLOW: &str = "kmk_acme_workflow_3f9c2a7e5b1d4c8a";

/// One documented operation: `GET /v1/conversations/{id}`.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: String,
    pub template: String,
}

/// The routes of the OpenAPI document of a harness server: the fuzzer covers exactly
/// what it serves under `/v1`, the workflows API included.
pub fn documented_routes() -> Vec<Route> {
    let doc = kustomer_harness::openapi::document();
    let mut routes = Vec::new();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            routes.push(Route {
                method: method.to_uppercase(),
                template: template.clone(),
            });
        }
    }
    routes
}

/// The admin token the fuzzed server is started with.
pub const ADMIN_TOKEN: &str = "fuzz-admin-token-6d1f";

/// Which router a request is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    V1,
    Admin,
    /// Paths no router serves (the fallback, and `/` where the dashboard will live).
    Fallback,
}

/// What the fuzzer may send to an admin route with the right admin token. Without it
/// (no token, a wrong one) every route and body is fair: the guard answers 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithToken {
    /// Anything: reads, and writes that cannot break the run's invariants.
    Any,
    /// A write whose well-formed body would break the invariants the fuzzer checks
    /// (reset the store, spend the budget, inject 5xx faults, post webhooks off the
    /// machine): with the token, only bodies that never parse (400).
    BrokenBodyOnly,
    /// Never: an endless event stream.
    Never,
}

/// The admin routes (not in the OpenAPI document, which covers `/v1`).
pub const ADMIN_ROUTES: [(&str, &str, WithToken); 27] = [
    ("POST", "/__admin/reset", WithToken::BrokenBodyOnly),
    ("POST", "/__admin/seed", WithToken::BrokenBodyOnly),
    ("GET", "/__admin/state", WithToken::Any),
    ("GET", "/__admin/snapshot", WithToken::Any),
    ("POST", "/__admin/snapshot", WithToken::Any),
    ("POST", "/__admin/keys", WithToken::Any),
    ("GET", "/__admin/keys", WithToken::Any),
    ("DELETE", "/__admin/keys/{id}", WithToken::Any),
    ("GET", "/__admin/clock", WithToken::Any),
    ("POST", "/__admin/clock", WithToken::BrokenBodyOnly),
    ("GET", "/__admin/limits", WithToken::Any),
    ("PUT", "/__admin/limits", WithToken::BrokenBodyOnly),
    ("GET", "/__admin/journal", WithToken::Any),
    ("DELETE", "/__admin/journal", WithToken::Any),
    ("GET", "/__admin/events", WithToken::Any),
    ("GET", "/__admin/events/stream", WithToken::Never),
    ("POST", "/__admin/events", WithToken::Any),
    ("POST", "/__admin/hooks/email/{id}", WithToken::Any),
    ("POST", "/__admin/faults", WithToken::BrokenBodyOnly),
    ("GET", "/__admin/faults", WithToken::Any),
    ("DELETE", "/__admin/faults", WithToken::Any),
    ("DELETE", "/__admin/faults/{id}", WithToken::Any),
    ("POST", "/__admin/webhooks", WithToken::BrokenBodyOnly),
    ("GET", "/__admin/webhooks", WithToken::Any),
    ("DELETE", "/__admin/webhooks/{id}", WithToken::Any),
    ("GET", "/__admin/webhooks/{id}/deliveries", WithToken::Any),
    ("GET", "/__admin/openapi.json", WithToken::Any),
];

/// Paths outside `/v1` and `/__admin`, or beside them.
pub const FALLBACK_PATHS: [&str; 15] = [
    "/",
    "/assets/dashboard.js",
    "/v2/x",
    "/v2/conversations",
    "/dashboard",
    "/dashboard/runs/1",
    "/index.html",
    "/favicon.ico",
    "/api/v1/tags",
    "/V1/TAGS",
    "/v1x/tags",
    "/__admin",
    "/__adminx/reset",
    "/%F0%9F%92%A5",
    "/.well-known/openid-configuration",
];

/// Whether `target` is one of the dashboard's pages or assets (served as HTML, CSS and
/// JavaScript, not JSON).
pub fn is_page(target: &str) -> bool {
    let path = target.split('?').next().unwrap_or(target);
    path == "/" || path.starts_with("/assets/")
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct FuzzRequest {
    pub namespace: Namespace,
    pub method: String,
    /// Path and query, already in URL form.
    pub target: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Option<Vec<u8>>,
    /// The documented route it came from (`None`: an unknown route).
    pub route: Option<String>,
}
