//! The seeded request generator: a valid request for a route of the OpenAPI document,
//! then (most of the time) something wrong with it — bad JSON, wrong types, huge and deep
//! bodies, odd headers, bad ids, unicode, wrong methods, trailing junk. Some requests go
//! to `/__admin` (with the admin token, a wrong one or none) and to paths no router
//! serves (the fallback), often with large bodies: answers given without reading the
//! body must leave the connection usable (issue 29).
//!
//! ChaCha8 keeps the stream of requests the same for the same seed on every platform.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

/// Fixture tokens (fixtures/acme.json).
pub const ADMIN: &str = "kmk_acme_admin_7c3e9a1f5d2b8e64";
const READONLY: &str = "kmk_acme_readonly_8e1f6b2c9d3a7e40";
const EXPIRED: &str = "kmk_acme_expired_5a7d3e9f1b2c6d80";
const WORKFLOW: &str = "kmk_acme_workflow_3f9c2a7e5b1d4c8a";

/// One documented operation: `GET /v1/conversations/{id}`.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: String,
    pub template: String,
}

/// The routes of the OpenAPI document: the fuzzer covers exactly what the mock serves.
pub fn documented_routes() -> Vec<Route> {
    let doc = kustomer_mock::openapi_document();
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
enum WithToken {
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
const ADMIN_ROUTES: [(&str, &str, WithToken); 27] = [
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
const FALLBACK_PATHS: [&str; 14] = [
    "/",
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

/// Ids the generator draws from: the fixtures' and every record the fuzzer created.
#[derive(Debug, Clone, Default)]
pub struct KnownIds {
    pub conversations: Vec<String>,
    pub customers: Vec<String>,
    pub tags: Vec<String>,
}

impl KnownIds {
    pub fn fixtures() -> KnownIds {
        KnownIds {
            conversations: (1..=4)
                .map(|n| format!("64a0c0ffee00000000000b0{n}"))
                .collect(),
            customers: (1..=3)
                .map(|n| format!("64a0c0ffee00000000000c0{n}"))
                .collect(),
            tags: ["a11", "a12", "a13"]
                .iter()
                .map(|s| format!("64a0c0ffee00000000000{s}"))
                .collect(),
        }
    }

    /// Remembers the record a response created.
    pub fn learn(&mut self, data: &Value) {
        let (Some(kind), Some(id)) = (data["type"].as_str(), data["id"].as_str()) else {
            return;
        };
        let list = match kind {
            "conversation" => &mut self.conversations,
            "customer" => &mut self.customers,
            "tag" => &mut self.tags,
            _ => return,
        };
        if !list.iter().any(|known| known == id) && list.len() < 500 {
            list.push(id.to_string());
        }
    }
}

pub struct Generator {
    rng: ChaCha8Rng,
    routes: Vec<Route>,
}

const CONTENT_TYPES: [&[u8]; 6] = [
    b"application/json",
    b"application/json",
    b"application/json; charset=utf-8",
    b"text/plain",
    b"application/x-www-form-urlencoded",
    b"\xff",
];

const CAUSES: [&[u8]; 4] = [b"garbage", b"{}", b"\xc3\xa9t\xc3\xa9", b"run=zz;hop=-1"];

const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];

impl Generator {
    pub fn new(seed: u64, routes: Vec<Route>) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            routes,
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        items.choose(&mut self.rng).expect("a non-empty list")
    }

    /// The next request: mostly `/v1`, then `/__admin`, then the fallback.
    pub fn request(&mut self, ids: &KnownIds) -> FuzzRequest {
        match self.rng.random_range(0..100) {
            0..=11 => self.admin_request(ids),
            12..=17 => self.fallback_request(ids),
            _ => self.v1_request(ids),
        }
    }

    fn v1_request(&mut self, ids: &KnownIds) -> FuzzRequest {
        let route = self.pick(&self.routes.clone()).clone();
        let mut method = route.method.clone();
        if self.chance(0.05) {
            method = self.pick(&METHODS).to_string();
        }
        let (path, documented) = if self.chance(0.03) {
            (self.unknown_path(), false)
        } else {
            (self.fill_path(&route.template, ids), true)
        };
        let query = self.query();
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        let headers = self.headers();
        let body = self.body(&route, &method, ids);
        FuzzRequest {
            namespace: Namespace::V1,
            method,
            target,
            headers,
            body,
            route: documented.then(|| format!("{} {}", route.method, route.template)),
        }
    }

    fn admin_request(&mut self, ids: &KnownIds) -> FuzzRequest {
        let (route_method, template, _) = *self.pick(&ADMIN_ROUTES);
        let mut method = route_method.to_string();
        if self.chance(0.1) {
            method = self.pick(&METHODS).to_string();
        }
        // What the server will run: HEAD is served by the GET route.
        let served_as = if method == "HEAD" { "GET" } else { &method };
        let allowed = ADMIN_ROUTES
            .iter()
            .find(|(m, t, _)| *m == served_as && *t == template)
            .map_or(WithToken::Any, |(_, _, allowed)| *allowed);
        let path = self.fill_path(template, ids);
        let query = self.query();
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        let mut headers: Vec<(String, Vec<u8>)> = self
            .headers()
            .into_iter()
            .filter(|(name, _)| name != "authorization")
            .collect();
        let with_token = allowed != WithToken::Never && self.chance(0.5);
        let auth: Option<Vec<u8>> = if with_token {
            Some(format!("Bearer {ADMIN_TOKEN}").into_bytes())
        } else {
            match self.rng.random_range(0..5) {
                0 => None,
                1 => Some(format!("Bearer {ADMIN}").into_bytes()),
                2 => Some(format!("Bearer {ADMIN_TOKEN}x").into_bytes()),
                3 => Some(ADMIN_TOKEN.as_bytes().to_vec()),
                _ => Some(b"Bearer ".to_vec()),
            }
        };
        if let Some(auth) = auth {
            headers.push(("authorization".into(), auth));
        }
        let route = Route {
            method: route_method.to_string(),
            template: template.to_string(),
        };
        let mut body = self.outside_v1_body(&route, &method, ids);
        if with_token && allowed == WithToken::BrokenBodyOnly {
            // A control character first: never JSON, whatever follows.
            let mut broken = b"\x01".to_vec();
            broken.extend(body.unwrap_or_default());
            body = Some(broken);
        }
        FuzzRequest {
            namespace: Namespace::Admin,
            method,
            target,
            headers,
            body,
            route: Some(format!("{route_method} {template}")),
        }
    }

    fn fallback_request(&mut self, ids: &KnownIds) -> FuzzRequest {
        let path = *self.pick(&FALLBACK_PATHS);
        let method = self.pick(&METHODS).to_string();
        let query = self.query();
        let target = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        };
        let headers = self.headers();
        let route = Route {
            method: method.clone(),
            template: path.to_string(),
        };
        let body = self.outside_v1_body(&route, &method, ids);
        FuzzRequest {
            namespace: Namespace::Fallback,
            method,
            target,
            headers,
            body,
            route: None,
        }
    }

    /// Bodies outside `/v1`: as for `/v1`, and often large (200 KB to 2 MB), since these
    /// routes are the ones that answer without reading the body.
    fn outside_v1_body(&mut self, route: &Route, method: &str, ids: &KnownIds) -> Option<Vec<u8>> {
        if self.chance(0.1) {
            return Some(self.huge());
        }
        self.body(route, method, ids)
    }

    fn fill_path(&mut self, template: &str, ids: &KnownIds) -> String {
        if !template.contains("{id}") {
            return template.to_string();
        }
        let pool = if template.starts_with("/v1/conversations") {
            &ids.conversations
        } else if template.starts_with("/v1/customers") {
            &ids.customers
        } else {
            &ids.tags
        };
        let id = match self.rng.random_range(0..10) {
            0..=5 => self.pick(pool).clone(),
            6 => self.hex(24),
            7 => self.pick(&ids.tags).clone(),
            _ => self.bad_id(),
        };
        template.replace("{id}", &id)
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.random_range(0..16), 16).unwrap_or('0'))
            .collect()
    }

    fn bad_id(&mut self) -> String {
        let options = [
            String::new(),
            "x".into(),
            self.hex(23),
            self.hex(25),
            "ZZZZZZZZZZZZZZZZZZZZZZZZ".into(),
            "%00".into(),
            "%zz".into(),
            "..".into(),
            "%2e%2e%2f%2e%2e".into(),
            "64a0c0ffee00000000000b01%20".into(),
            "%E2%98%83%F0%9F%92%A5".into(),
            "a".repeat(5000),
            "-1".into(),
            "null".into(),
        ];
        self.pick(&options).clone()
    }

    fn unknown_path(&mut self) -> String {
        let options = [
            "/v1",
            "/v1/",
            "/v1/messages",
            "/v1/conversations/",
            "/v1/conversations//tags",
            "/v1/customers/search/extra",
            "/v2/conversations",
            "/",
            "/__admin/../v1/tags",
            "/v1/tags/%F0%9F%92%A5/x",
            "/v1/users",
            "/V1/TAGS",
        ];
        self.pick(&options).to_string()
    }

    fn query(&mut self) -> String {
        if self.chance(0.6) {
            return String::new();
        }
        let names = [
            "page", "pageSize", "replace", "deleted", "sort", "page", "x", "%zz", "",
        ];
        let values = [
            "1",
            "2",
            "0",
            "-1",
            "3",
            "100",
            "101",
            "500",
            "abc",
            "1.5",
            "",
            "true",
            "false",
            "TRUE",
            "99999999999999999999999",
            "18446744073709551615",
            "9223372036854775807",
            "%zz",
            "%E2%98%83",
            "%00",
            "1e3",
            "+1",
            " 1",
        ];
        let count = self.rng.random_range(1..4);
        (0..count)
            .map(|_| {
                let name = *self.pick(&names);
                let value = *self.pick(&values);
                format!("{name}={value}")
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    fn headers(&mut self) -> Vec<(String, Vec<u8>)> {
        let mut headers = Vec::new();
        let auth: Option<Vec<u8>> = match self.rng.random_range(0..40) {
            0 => None,
            1 => Some(ADMIN.as_bytes().to_vec()),
            2 => Some(format!("bearer {ADMIN}").into_bytes()),
            3 => Some(format!("Bearer {EXPIRED}").into_bytes()),
            4 => Some(format!("Bearer {READONLY}").into_bytes()),
            5 => Some(b"Bearer ".to_vec()),
            6 => Some(format!("Bearer {}", "k".repeat(9000)).into_bytes()),
            7 => Some(b"Bearer \xff\xfe\xc3\x28".to_vec()),
            8 => Some(format!("Basic {ADMIN}").into_bytes()),
            9 => Some(format!("Bearer  {ADMIN} ").into_bytes()),
            10 => Some(format!("Bearer {WORKFLOW}").into_bytes()),
            _ => Some(format!("Bearer {ADMIN}").into_bytes()),
        };
        if let Some(auth) = auth {
            headers.push(("authorization".into(), auth));
        }
        if self.chance(0.9) {
            let content_type = self.pick(&CONTENT_TYPES).to_vec();
            headers.push(("content-type".into(), content_type));
        }
        if self.chance(0.05) {
            let cause = self.pick(&CAUSES).to_vec();
            headers.push(("x-kmock-cause".into(), cause));
        }
        if self.chance(0.05) {
            headers.push(("traceparent".into(), b"00-zz-zz-01".to_vec()));
        }
        if self.chance(0.05) {
            headers.push(("accept".into(), b"text/html".to_vec()));
        }
        if self.chance(0.03) {
            headers.push(("x-forwarded-for".into(), b"10.0.0.1, ::1".to_vec()));
        }
        headers
    }

    /// A valid body for the route, then maybe broken.
    fn body(&mut self, route: &Route, method: &str, ids: &KnownIds) -> Option<Vec<u8>> {
        let takes_body = matches!(method, "POST" | "PUT" | "PATCH" | "DELETE");
        if !takes_body && !self.chance(0.05) {
            return None;
        }
        let base = self.valid_body(route, ids);
        let text = serde_json::to_string(&base).unwrap_or_default();
        Some(match self.rng.random_range(0..100) {
            0..=39 => text.into_bytes(),
            40..=54 => {
                let mutated = self.mutate_member(base);
                serde_json::to_string(&mutated)
                    .unwrap_or_default()
                    .into_bytes()
            }
            55..=61 => {
                let cut = self.rng.random_range(0..text.len().max(1));
                text.as_bytes()[..cut].to_vec()
            }
            62..=66 => {
                let junk = *self.pick(&["x", "}", "]", ",", " {}", "\u{0}", "garbage", "\n\n{"]);
                format!("{text}{junk}").into_bytes()
            }
            67..=70 => self.deep(),
            71 => self.huge(),
            72..=79 => self.random_value(4).to_string().into_bytes(),
            80..=83 => self.raw_junk(),
            84..=87 => self.tricky_json(),
            88..=91 => Vec::new(),
            _ => {
                let mut map = base.as_object().cloned().unwrap_or_default();
                map.insert(self.random_string(), self.random_value(3));
                Value::Object(map).to_string().into_bytes()
            }
        })
    }

    fn valid_body(&mut self, route: &Route, ids: &KnownIds) -> Value {
        let t = route.template.as_str();
        if t.ends_with("/tags") && t.contains("{id}") {
            let names = ["billing", "vip", "auto-close", "fuzz-tag", "ünïcödé", "💥"];
            let n = self.rng.random_range(0..3);
            let list: Vec<Value> = (0..n).map(|_| json!(*self.pick(&names))).collect();
            return if self.chance(0.5) {
                Value::Array(list)
            } else {
                json!({ "tags": list })
            };
        }
        if t.ends_with("/notes") {
            return json!({ "body": self.random_string(), "userMentions": [{ "user": self.hex(24) }] });
        }
        if t == "/v1/customers/search" {
            let context = *self.pick(&["conversation", "customer"]);
            let criterion = if context == "conversation" {
                json!({ "conversation_status": { "equals": self.pick(&["open", "done", "snoozed"]).to_string() } })
            } else {
                json!({ "customer_name": { "contains": self.random_string() } })
            };
            return json!({
                "and": [criterion],
                "sort": [{ format!("{context}_updated_at"): "asc" }],
                "queryContext": context,
            });
        }
        if t.starts_with("/v1/conversations") {
            let mut body = Map::new();
            body.insert("customer".into(), json!(self.pick(&ids.customers).clone()));
            body.insert("name".into(), json!(self.random_string()));
            if self.chance(0.5) {
                body.insert(
                    "status".into(),
                    json!(self.pick(&["open", "done", "snoozed"]).to_string()),
                );
            }
            body.insert("priority".into(), json!(self.rng.random_range(1..=5)));
            if self.chance(0.4) {
                body.insert("tags".into(), json!([self.pick(&ids.tags).clone()]));
            }
            if self.chance(0.3) {
                body.insert("custom".into(), json!({ "orderStr": self.random_string() }));
            }
            if self.chance(0.2) {
                body.insert("externalId".into(), json!(self.hex(6)));
            }
            return Value::Object(body);
        }
        if t.starts_with("/v1/customers") {
            return json!({
                "name": self.random_string(),
                "emails": [{ "type": "home", "email": format!("{}@example.com", self.hex(6)) }],
                "externalId": if self.chance(0.5) { json!(self.hex(5)) } else { Value::Null },
            });
        }
        if t.starts_with("/v1/tags") {
            return json!({ "name": format!("{}-{}", self.random_string(), self.hex(4)), "color": "#ff0000" });
        }
        json!({})
    }

    /// One member of the body replaced by a value of another type, or removed.
    fn mutate_member(&mut self, base: Value) -> Value {
        match base {
            Value::Object(mut map) if !map.is_empty() => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = self.pick(&keys).clone();
                if self.chance(0.2) {
                    map.remove(&key);
                } else {
                    let value = self.random_value(2);
                    map.insert(key, value);
                }
                Value::Object(map)
            }
            Value::Array(mut items) => {
                items.push(self.random_value(2));
                Value::Array(items)
            }
            _ => self.random_value(2),
        }
    }

    fn deep(&mut self) -> Vec<u8> {
        let depth = *self.pick(&[64usize, 200, 5_000, 100_000]);
        let (open, close) = if self.chance(0.5) {
            ("[", "]")
        } else {
            ("{\"a\":", "}")
        };
        let mut text = open.repeat(depth);
        text.push('1');
        if self.chance(0.7) {
            text.push_str(&close.repeat(depth));
        }
        text.into_bytes()
    }

    fn huge(&mut self) -> Vec<u8> {
        let size = *self.pick(&[200_000usize, 1_100_000, 2_000_000]);
        json!({ "name": "x".repeat(size) }).to_string().into_bytes()
    }

    fn raw_junk(&mut self) -> Vec<u8> {
        let len = self.rng.random_range(0..200);
        (0..len).map(|_| self.rng.random::<u8>()).collect()
    }

    fn tricky_json(&mut self) -> Vec<u8> {
        let options: [&[u8]; 10] = [
            br#"{"name": "\ud800"}"#,
            br#"{"priority": 1e400}"#,
            br#"{"priority": -0}"#,
            br#"{"priority": 2.5}"#,
            br#"{"name": "a", "name": 5}"#,
            b"\xef\xbb\xbf{\"name\": \"bom\"}",
            br#"{"customer": 64a0c0ffee00000000000c01}"#,
            br#"{"tags": [null, 1, {}]}"#,
            br#"{"custom": {"": {"": {"": []}}}}"#,
            b"{\"name\": \"\xff\xfe\"}",
        ];
        self.pick(&options).to_vec()
    }

    fn random_string(&mut self) -> String {
        let options = [
            String::new(),
            "plain".into(),
            "ünïcödé ✓".into(),
            "💥🔥".into(),
            "\u{0}\u{1}\u{7f}".into(),
            "\u{202e}rtl".into(),
            "a".repeat(300),
            "<script>alert(1)</script>".into(),
            "'; DROP TABLE conversations; --".into(),
            "{{handlebars}}".into(),
            " ".into(),
        ];
        let base = self.pick(&options).clone();
        format!("{base}{}", self.rng.random_range(0..1000))
    }

    fn random_value(&mut self, depth: u32) -> Value {
        let top = if depth == 0 { 6 } else { 8 };
        match self.rng.random_range(0..top) {
            0 => Value::Null,
            1 => json!(self.rng.random_bool(0.5)),
            2 => json!(self.rng.random::<i64>()),
            3 => json!(self.rng.random::<f64>() * 1e12),
            4 => json!(self.random_string()),
            5 => json!(*self.pick(&[0, -1, 1, 5, 6, u32::MAX as i64])),
            6 => {
                let n = self.rng.random_range(0..4);
                Value::Array((0..n).map(|_| self.random_value(depth - 1)).collect())
            }
            _ => {
                let n = self.rng.random_range(0..4);
                Value::Object(
                    (0..n)
                        .map(|_| (self.random_string(), self.random_value(depth - 1)))
                        .collect(),
                )
            }
        }
    }
}
