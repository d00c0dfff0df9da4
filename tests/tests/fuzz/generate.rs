//! The seeded request generator: a valid request for a route of the OpenAPI document,
//! then (most of the time) something wrong with it — bad JSON, wrong types, huge and deep
//! bodies, odd headers, bad ids, unicode, wrong methods, trailing junk. Some requests go
//! to `/__admin` (with the admin token, a wrong one or none) and to paths no router
//! serves (the fallback), often with large bodies: answers given without reading the
//! body must leave the connection usable (issue 29).
//!
//! ChaCha8 keeps the stream of requests the same for the same seed on every platform.
mod bodies;
mod workflow_bodies;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::known_ids::KnownIds;
use crate::targets::{
    ADMIN, ADMIN_ROUTES, ADMIN_TOKEN, EXPIRED, FALLBACK_PATHS, FuzzRequest, Namespace, READONLY,
    Route, WORKFLOW, WithToken,
};

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
        let pool = if template.starts_with("/v1/workflows") {
            &ids.workflows
        } else if template.starts_with("/v1/conversations") {
            &ids.conversations
        } else if template.starts_with("/v1/customers") {
            &ids.customers
        } else {
            &ids.tags
        };
        let id = match self.rng.random_range(0..10) {
            0..=5 => percent_encoded(self.pick::<String>(pool)),
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
}

/// `id` as one path segment: a workflow's id may be its name, with spaces, unicode, `/`.
fn percent_encoded(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
