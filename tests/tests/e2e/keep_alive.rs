//! Early answers and the keep-alive connection they leave (issue 29).
//!
//! An answer given without reading the body (a 404 outside `/v1`, a 401 of the admin
//! guard, ...) must still leave the client's connection usable for its next request. A
//! body over the limit is a 413 everywhere, which says `Connection: close` and closes the
//! connection cleanly: the answer arrives whole and the close is not a reset.
//!
//! Each client here is ONE TCP connection (hyper's connection-level client): a connection
//! the server broke shows as an error, never silently replaced by a new one.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::StatusCode;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use kustomer_mock::FaultSpec;
use kustomer_mock::model::LimitsPatch;
use kustomer_mock::{ApiError, MockServer, MockServerBuilder};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use crate::common::{READONLY, WORKFLOW, assert_error_shape, builder};

const ADMIN_TOKEN: &str = "keep-alive-admin-token";
const SMALL: usize = 200 * 1024;
const LARGE: usize = 2 * 1024 * 1024;
/// Larger than both bodies: the early answers are not 413s.
const ROOMY_LIMIT: usize = 4 * 1024 * 1024;
/// Smaller than both bodies: every one is a 413.
const TIGHT_LIMIT: usize = 100 * 1024;
/// How long the server gets to close a connection after a `Connection: close` answer.
const CLOSE_DEADLINE: Duration = Duration::from_secs(10);

/// One client connection: one TCP stream, never replaced.
struct Connection {
    sender: SendRequest<Full<Bytes>>,
    driver: JoinHandle<Result<(), hyper::Error>>,
}

/// An answer, read whole.
struct Reply {
    status: StatusCode,
    headers: hyper::HeaderMap,
    body: Value,
}

impl Reply {
    fn says_close(&self) -> bool {
        self.headers
            .get("connection")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"))
    }

    fn expect_error(&self, status: u16, code: &str, what: &str) {
        assert_eq!(self.status.as_u16(), status, "{what}: {}", self.body);
        assert_error_shape(&self.body, self.status);
        assert_eq!(
            self.body["errors"][0]["code"], code,
            "{what}: {}",
            self.body
        );
    }
}

impl Connection {
    async fn open(addr: SocketAddr) -> Connection {
        let stream = TcpStream::connect(addr).await.expect("connects");
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP/1 handshake");
        Connection {
            sender,
            driver: tokio::spawn(connection),
        }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Bytes,
    ) -> Result<Reply, hyper::Error> {
        self.sender.ready().await?;
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1")
            .header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.body(Full::new(body)).expect("a valid request");
        let response = self.sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await?.to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }

    /// The follow-up that proves the connection still carries requests.
    async fn next_request_succeeds(&mut self, what: &str) {
        let next = self
            .send("GET", "/__admin/clock", Some(ADMIN_TOKEN), Bytes::new())
            .await
            .unwrap_or_else(|e| {
                panic!("{what}: the next request on the same connection failed: {e}")
            });
        assert_eq!(next.status, 200, "{what}: the next request: {}", next.body);
    }

    /// Waits for the connection to end after a `Connection: close` answer, and fails the
    /// test unless it ended cleanly (no reset, no broken pipe while the body was sent).
    async fn ends_cleanly(self, what: &str) {
        let ended = tokio::time::timeout(CLOSE_DEADLINE, self.driver)
            .await
            .unwrap_or_else(|_| panic!("{what}: the connection is still open"))
            .expect("the connection task does not panic");
        if let Err(error) = ended {
            panic!("{what}: the connection did not end cleanly: {error}");
        }
    }
}

/// A JSON body of exactly `size` bytes.
fn body_of(size: usize) -> Bytes {
    let mut text = format!(r#"{{"name":"{}"}}"#, "x".repeat(size - 11));
    text.truncate(size);
    assert_eq!(text.len(), size);
    Bytes::from(text)
}

/// An early answer to provoke.
struct Case {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    token: Option<&'static str>,
    status: u16,
    code: &'static str,
}

/// The request gets its early answer with a 200 KB and a 2 MB body, and each time the
/// same connection then carries another request.
async fn connection_survives(server: &MockServer, case: &Case) {
    for size in [SMALL, LARGE] {
        let what = format!("{} with a {size}-byte body", case.what);
        let mut connection = Connection::open(server.addr()).await;
        let reply = connection
            .send(case.method, case.path, case.token, body_of(size))
            .await
            .unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
        reply.expect_error(case.status, case.code, &what);
        assert!(
            !reply.says_close(),
            "{what}: the answer closes the connection"
        );
        connection.next_request_succeeds(&what).await;
        connection.next_request_succeeds(&what).await;
    }
}

/// The request gets a 413 with `Connection: close` (200 KB and 2 MB bodies, both over the
/// limit), the connection ends cleanly, and a new connection is served.
async fn refused_and_closed_cleanly(server: &MockServer, case: &Case, sizes: &[usize]) {
    for &size in sizes {
        let what = format!("{} with a {size}-byte body", case.what);
        let mut connection = Connection::open(server.addr()).await;
        let reply = connection
            .send(case.method, case.path, case.token, body_of(size))
            .await
            .unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
        reply.expect_error(413, "payload_too_large", &what);
        assert!(
            reply.says_close(),
            "{what}: the 413 must say `Connection: close`"
        );
        connection.ends_cleanly(&what).await;
        Connection::open(server.addr())
            .await
            .next_request_succeeds(&what)
            .await;
    }
}

/// The acme fixtures, an admin token, and room for 2 MB bodies.
fn roomy() -> MockServerBuilder {
    builder().admin_token(ADMIN_TOKEN).body_limit(ROOMY_LIMIT)
}

async fn roomy_server() -> MockServer {
    roomy().start().await.expect("server starts")
}

#[tokio::test]
async fn a_404_outside_v1_keeps_the_connection() {
    let server = roomy_server().await;
    for (what, method, path) in [
        ("POST /v2/x", "POST", "/v2/x"),
        ("POST /", "POST", "/"),
        ("PUT /dashboard/x", "PUT", "/dashboard/x"),
    ] {
        let case = Case {
            what,
            method,
            path,
            token: Some(WORKFLOW),
            status: 404,
            code: "route_not_found",
        };
        connection_survives(&server, &case).await;
    }
}

#[tokio::test]
async fn a_404_inside_v1_and_admin_keeps_the_connection() {
    let server = roomy_server().await;
    let cases = [
        Case {
            what: "POST /v1/nowhere",
            method: "POST",
            path: "/v1/nowhere",
            token: Some(WORKFLOW),
            status: 404,
            code: "route_not_found",
        },
        Case {
            what: "POST /__admin/nowhere",
            method: "POST",
            path: "/__admin/nowhere",
            token: Some(ADMIN_TOKEN),
            status: 404,
            code: "route_not_found",
        },
    ];
    for case in &cases {
        connection_survives(&server, case).await;
    }
}

#[tokio::test]
async fn a_405_keeps_the_connection() {
    let server = roomy_server().await;
    let cases = [
        Case {
            what: "DELETE /v1/conversations",
            method: "DELETE",
            path: "/v1/conversations",
            token: Some(WORKFLOW),
            status: 405,
            code: "method_not_allowed",
        },
        Case {
            what: "PATCH /__admin/limits",
            method: "PATCH",
            path: "/__admin/limits",
            token: Some(ADMIN_TOKEN),
            status: 405,
            code: "method_not_allowed",
        },
    ];
    for case in &cases {
        connection_survives(&server, case).await;
    }
}

#[tokio::test]
async fn a_401_keeps_the_connection() {
    let server = roomy_server().await;
    let cases = [
        Case {
            what: "PUT /__admin/limits with a wrong admin token",
            method: "PUT",
            path: "/__admin/limits",
            token: Some("not-the-admin-token"),
            status: 401,
            code: "admin_unauthorized",
        },
        Case {
            what: "POST /__admin/reset without a token",
            method: "POST",
            path: "/__admin/reset",
            token: None,
            status: 401,
            code: "admin_unauthorized",
        },
        Case {
            what: "POST /v1/conversations without a key",
            method: "POST",
            path: "/v1/conversations",
            token: None,
            status: 401,
            code: "missing_authorization",
        },
    ];
    for case in &cases {
        connection_survives(&server, case).await;
    }
}

#[tokio::test]
async fn a_403_keeps_the_connection() {
    // The admin guard's own 403 needs a caller that is not on loopback (these tests are
    // loopback only), so an extra admin route stands in for an admin answer that refuses
    // without reading the body: it runs behind the guard, like the harness's routes.
    let refuse = Router::new().route(
        "/refuse",
        post(|| async { ApiError::forbidden("refused_here", "this route refuses everyone") }),
    );
    let server = roomy()
        .admin_routes(refuse)
        .start()
        .await
        .expect("server starts");
    let cases = [
        Case {
            what: "POST /v1/tags with a read-only key",
            method: "POST",
            path: "/v1/tags",
            token: Some(READONLY),
            status: 403,
            code: "missing_role",
        },
        Case {
            what: "POST /__admin/refuse",
            method: "POST",
            path: "/__admin/refuse",
            token: Some(ADMIN_TOKEN),
            status: 403,
            code: "refused_here",
        },
    ];
    for case in &cases {
        connection_survives(&server, case).await;
    }
}

#[tokio::test]
async fn a_429_keeps_the_connection() {
    let server = roomy()
        .limits(LimitsPatch {
            requests_per_window: Some(1),
            ..LimitsPatch::default()
        })
        .start()
        .await
        .expect("server starts");
    // The one request of the window (the virtual clock does not move: it stays spent).
    let mut first = Connection::open(server.addr()).await;
    let spent = first
        .send("GET", "/v1/users/current", Some(WORKFLOW), Bytes::new())
        .await
        .expect("answered");
    assert_eq!(spent.status, 200, "{}", spent.body);
    let case = Case {
        what: "POST /v1/tags over the org's budget",
        method: "POST",
        path: "/v1/tags",
        token: Some(WORKFLOW),
        status: 429,
        code: "rate_limit_org",
    };
    connection_survives(&server, &case).await;
}

#[tokio::test]
async fn a_fault_injected_answer_keeps_the_connection() {
    let spec: FaultSpec = serde_json::from_value(json!({
        "method": "POST",
        "path": "/v1/tags",
        "action": { "kind": "status", "status": 503 },
    }))
    .expect("a fault rule");
    let server = roomy().fault(spec).start().await.expect("server starts");
    let case = Case {
        what: "POST /v1/tags with an injected 503",
        method: "POST",
        path: "/v1/tags",
        token: Some(WORKFLOW),
        status: 503,
        code: "injected_fault",
    };
    connection_survives(&server, &case).await;
}

#[tokio::test]
async fn a_413_closes_the_connection_cleanly_in_every_namespace() {
    let server = builder()
        .admin_token(ADMIN_TOKEN)
        .body_limit(TIGHT_LIMIT)
        .start()
        .await
        .expect("server starts");
    let cases = [
        ("POST /v1/tags", "POST", "/v1/tags", Some(WORKFLOW)),
        ("POST /v1/nowhere", "POST", "/v1/nowhere", Some(WORKFLOW)),
        (
            "PUT /__admin/limits",
            "PUT",
            "/__admin/limits",
            Some(ADMIN_TOKEN),
        ),
        (
            "PUT /__admin/limits with a wrong token",
            "PUT",
            "/__admin/limits",
            Some("not-the-admin-token"),
        ),
        ("POST /v2/x", "POST", "/v2/x", None),
        ("POST /", "POST", "/", None),
    ];
    for (what, method, path, token) in cases {
        let case = Case {
            what,
            method,
            path,
            token,
            status: 413,
            code: "payload_too_large",
        };
        refused_and_closed_cleanly(&server, &case, &[SMALL, LARGE]).await;
    }
    // The limits were not touched by the refused PUT.
    let limits = reqwest::Client::new()
        .get(format!("{}/__admin/limits", server.url()))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("answered");
    assert_eq!(limits.status(), 200);
}

#[tokio::test]
async fn a_413_at_the_default_limit_closes_cleanly() {
    let server = builder()
        .admin_token(ADMIN_TOKEN)
        .start()
        .await
        .expect("server starts");
    for (what, path) in [
        ("POST / over 1 MiB", "/"),
        ("POST /v1/tags over 1 MiB", "/v1/tags"),
    ] {
        let case = Case {
            what,
            method: "POST",
            path,
            token: Some(WORKFLOW),
            status: 413,
            code: "payload_too_large",
        };
        refused_and_closed_cleanly(&server, &case, &[LARGE]).await;
    }
}

/// The issue's check: a keep-alive client sends `POST /v2/x` (200 KB), `PUT
/// /__admin/limits` with a wrong admin token (200 KB), `POST /` (1.5 MB) and a `GET`, and
/// gets four answers. The 404 and the 401 keep the connection; the 413 says
/// `Connection: close` and ends it cleanly, so the `GET` goes on a new connection (what a
/// pooled client does).
#[tokio::test]
async fn a_keep_alive_client_gets_four_answers() {
    let server = builder()
        .admin_token(ADMIN_TOKEN)
        .start()
        .await
        .expect("server starts");
    let mut connection = Connection::open(server.addr()).await;
    let not_found = connection
        .send("POST", "/v2/x", Some(WORKFLOW), body_of(SMALL))
        .await
        .expect("POST /v2/x is answered");
    not_found.expect_error(404, "route_not_found", "POST /v2/x");
    assert!(!not_found.says_close());
    let unauthorized = connection
        .send(
            "PUT",
            "/__admin/limits",
            Some("not-the-admin-token"),
            body_of(SMALL),
        )
        .await
        .expect("PUT /__admin/limits is answered on the same connection");
    unauthorized.expect_error(401, "admin_unauthorized", "PUT /__admin/limits");
    assert!(!unauthorized.says_close());
    let too_large = connection
        .send("POST", "/", None, body_of(1536 * 1024))
        .await
        .expect("POST / is answered on the same connection");
    too_large.expect_error(413, "payload_too_large", "POST / (1.5 MB)");
    assert!(too_large.says_close());
    connection.ends_cleanly("POST / (1.5 MB)").await;
    let mut second = Connection::open(server.addr()).await;
    let current = second
        .send("GET", "/v1/users/current", Some(WORKFLOW), Bytes::new())
        .await
        .expect("the GET is answered on a new connection");
    assert_eq!(current.status, 200, "{}", current.body);

    // The same four with a pooled client (reqwest): every one answered.
    let client = reqwest::Client::new();
    let url = server.url();
    let statuses = [
        client
            .post(format!("{url}/v2/x"))
            .body(body_of(SMALL))
            .send()
            .await,
        client
            .put(format!("{url}/__admin/limits"))
            .bearer_auth("not-the-admin-token")
            .body(body_of(SMALL))
            .send()
            .await,
        client
            .post(format!("{url}/"))
            .body(body_of(1536 * 1024))
            .send()
            .await,
        client
            .get(format!("{url}/v1/users/current"))
            .bearer_auth(WORKFLOW)
            .send()
            .await,
    ]
    .map(|sent| sent.expect("answered").status().as_u16());
    assert_eq!(statuses, [404, 401, 413, 200]);
}

/// Many clients (Python's requests, curl) send the whole body before they read a byte of
/// the answer. After a 413 the server reads and drops the rest of the body before it
/// closes, so such a client finishes sending and reads the 413, instead of having its
/// connection reset under it (which it reports as a connection error, not a 413).
#[tokio::test]
async fn a_client_that_sends_the_whole_body_first_reads_the_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = builder()
        .body_limit(TIGHT_LIMIT)
        .start()
        .await
        .expect("server starts");
    // Far more than the socket buffers hold: the server must read it for the write to end.
    let size = 16 * 1024 * 1024;
    for path in ["/v1/tags", "/v2/x", "/__admin/limits"] {
        let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {WORKFLOW}\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n"
        );
        stream
            .write_all(head.as_bytes())
            .await
            .expect("the head is sent");
        stream
            .write_all(&body_of(size))
            .await
            .unwrap_or_else(|e| panic!("{path}: the body could not be sent whole: {e}"));
        let mut answer = Vec::new();
        let read = tokio::time::timeout(CLOSE_DEADLINE, stream.read_to_end(&mut answer))
            .await
            .unwrap_or_else(|_| panic!("{path}: the connection is still open"));
        read.unwrap_or_else(|e| panic!("{path}: the connection did not end cleanly: {e}"));
        let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
        assert!(text.starts_with("http/1.1 413"), "{path}: {text}");
        assert!(text.contains("connection: close"), "{path}: {text}");
        assert!(text.contains("payload_too_large"), "{path}: {text}");
    }
}
