//! `kustomer.rest-api.json` / `.generic`: real HTTP requests with `reqwest`.
//!
//! A response that is not 2xx fails the step, with the status, headers (rate-limit ones
//! included) and body in the error; so do timeouts and connection errors. Requests to the
//! mock carry the run's cause (`x-kmock-cause` and `traceparent`), so the events they
//! cause extend the chain.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use reqwest::Method;
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, CONTENT_TYPE, DATE, HOST, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use kustomer_mock::FaultAction;
use kustomer_mock::LazyJson;

use super::ActionEnv;
use super::mock_client::SendError;
use super::mock_origin::{self, MockOrigin};
use crate::functions::text_of;

/// The `user-agent` of the engine's requests.
pub const USER_AGENT_VALUE: &str = "kmock-workflow-engine";

/// `https://api.kustomerapp.com/...` (and `https://<org>.api.kustomerapp.com/...`) point
/// at the mock instead, so real workflow exports run unchanged.
pub fn rewrite_kustomer_host(uri: &str, base_url: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let (host, path) = match rest.split_once('/') {
        Some((host, path)) => (host, Some(path)),
        None => (rest, None),
    };
    // Asked of every REST step's URI: compared without allocating. `api.kustomerapp.com`
    // and every `<org>.api.kustomerapp.com` end so too.
    let suffix = b".kustomerapp.com";
    let host_bytes = host.as_bytes();
    let is_kustomer = host_bytes.len() >= suffix.len()
        && host_bytes[host_bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    is_kustomer.then(|| {
        let base = base_url.trim_end_matches('/');
        match path {
            Some(path) => format!("{base}/{path}"),
            None => base.to_string(),
        }
    })
}

/// Where a REST step's request goes.
enum Destination {
    /// The mock, over the engine's keep-alive connections: the request target.
    Mock(String),
    /// The mock through reqwest: credentials in the URL become a Basic `Authorization`
    /// header in its hands.
    MockViaReqwest(reqwest::Url),
    /// Another host.
    Elsewhere(reqwest::Url),
}

/// Why a step's `uri` is not one this harness can call.
#[derive(Debug, thiserror::Error)]
enum DestinationError {
    #[error("the uri `{uri}` is not a URL: {source}")]
    NotAUrl {
        uri: String,
        source: <reqwest::Url as std::str::FromStr>::Err,
    },
    #[error(
        "the uri `{uri}` uses https, which this offline harness does not speak (only Kustomer's own hosts are redirected to the mock)"
    )]
    Https { uri: String },
}

/// Where `target` (the step's `uri`, after any host rewrite) goes, with the `qs` params
/// added to its query; `Err` says why it is not a URL this harness can call.
fn destination(
    uri: &str,
    target: &str,
    params: &Value,
    mock: &MockOrigin,
) -> Result<Destination, DestinationError> {
    let qs = match params.get("qs") {
        Some(Value::Object(qs)) => Some(qs),
        _ => None,
    };
    // A plain URI of the mock is its own request target; any other is parsed.
    if qs.is_none()
        && let Some(target) = mock.target_of(target)
    {
        return Ok(Destination::Mock(target.to_string()));
    }
    let mut url = reqwest::Url::parse(target).map_err(|source| DestinationError::NotAUrl {
        uri: uri.to_string(),
        source,
    })?;
    if url.scheme() == "https" {
        return Err(DestinationError::Https {
            uri: uri.to_string(),
        });
    }
    if let Some(qs) = qs {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in qs {
            pairs.append_pair(k, &text_of(v));
        }
    }
    Ok(if mock_origin::origin(&url) != mock.origin() {
        Destination::Elsewhere(url)
    } else if url.username().is_empty() && url.password().is_none() {
        Destination::Mock(mock_origin::target(&url))
    } else {
        Destination::MockViaReqwest(url)
    })
}

fn failure(message: String, kind: &str, method: &str, uri: &str) -> Value {
    json!({"message": message, "kind": kind, "request": {"method": method, "uri": uri}})
}

/// Makes the request described by `params`.
pub async fn call(params: &Value, generic: bool, env: &ActionEnv<'_>) -> Result<LazyJson, Value> {
    let method_text = params
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let uri = params
        .get("uri")
        .or_else(|| params.get("url"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let fail = |message: String, kind: &str| failure(message, kind, &method_text, &uri);
    if uri.is_empty() {
        return Err(fail("`uri` is required".into(), "invalid-request"));
    }
    let method = Method::from_bytes(method_text.as_bytes()).map_err(|_| {
        fail(
            format!("`{method_text}` is not an HTTP method"),
            "invalid-request",
        )
    })?;
    let target = match env
        .rewrite_kustomer_hosts
        .then(|| rewrite_kustomer_host(&uri, env.base_url))
        .flatten()
    {
        Some(rewritten) => rewritten,
        None => uri.clone(),
    };
    let destination = destination(&uri, &target, params, env.mock_origin)
        .map_err(|e| fail(e.to_string(), "invalid-uri"))?;
    let mut headers = HeaderMap::new();
    if let Some(Value::Object(given)) = params.get("headers") {
        for (name, value) in given {
            let text = text_of(value);
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&text),
            ) else {
                return Err(fail(
                    format!("the header `{name}: {text}` is not a valid HTTP header"),
                    "invalid-request",
                ));
            };
            headers.append(name, value);
        }
    }
    if let Destination::Mock(_) | Destination::MockViaReqwest(_) = &destination {
        // The cause is plain ASCII the mock itself writes.
        if let (Ok(cause), Ok(traceparent)) = (
            HeaderValue::from_str(&env.cause.to_header()),
            HeaderValue::from_str(&env.cause.to_traceparent()),
        ) {
            // Static names: a `&str` key is copied into a new name for every request.
            headers.append(HeaderName::from_static(kustomer_mock::CAUSE_HEADER), cause);
            headers.append(HeaderName::from_static("traceparent"), traceparent);
        }
    } else if let Destination::Elsewhere(url) = &destination
        && !env.faults.is_empty()
        && let Some((rule, action)) =
            env.faults
                .decide(&method_text, url.path(), env.cause, env.store.now())
    {
        // The mock applies its rules to /v1 itself; other hosts get them here.
        match action {
            FaultAction::Latency { ms } => {
                if ms as u128 >= env.timeout.as_millis() {
                    tokio::time::sleep(env.timeout).await;
                    return Err(fail(
                        format!(
                            "{method_text} {uri} timed out after {} ms",
                            env.timeout.as_millis()
                        ),
                        "timeout",
                    ));
                }
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            FaultAction::Status { status } => {
                return Err(json!({
                    "message": format!("{method_text} {uri} answered {status}"),
                    "kind": "http-status",
                    "status": status,
                    // The same body the mock answers for a rule it applies itself.
                    "body": kustomer_mock::ApiError::injected(
                        StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                        rule,
                    )
                    .body(),
                    "request": {"method": method_text, "uri": uri},
                }));
            }
            FaultAction::Drop => {
                return Err(fail(
                    format!("{method_text} {uri} failed: the connection was dropped"),
                    "transport",
                ));
            }
        }
    }
    let body = params
        .get("data")
        .filter(|v| !v.is_null())
        .or_else(|| params.get("body").filter(|v| !v.is_null()));
    let body = match body {
        Some(body) => {
            if !generic && !headers.contains_key(CONTENT_TYPE) {
                headers.append(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Bytes::from(if generic {
                text_of(body).into_bytes()
            } else {
                serde_json::to_vec(body).unwrap_or_default()
            })
        }
        None => Bytes::new(),
    };
    let exchange = async {
        match destination {
            Destination::Mock(target) => send_to_mock(env, method, target, headers, body).await,
            Destination::MockViaReqwest(url) | Destination::Elsewhere(url) => {
                send_elsewhere(env, method, url, headers, body).await
            }
        }
    };
    let (status, headers, bytes) = match tokio::time::timeout(env.timeout, exchange).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(failure)) => {
            let kind = failure.kind();
            let detail = match failure {
                Failure::Connect(e) => format!("{method_text} {uri} could not connect: {e}"),
                Failure::Transport(e) => format!("{method_text} {uri} failed: {e}"),
            };
            return Err(fail(detail, kind));
        }
        Err(_) => {
            return Err(fail(
                format!(
                    "{method_text} {uri} timed out after {} ms",
                    env.timeout.as_millis()
                ),
                "timeout",
            ));
        }
    };
    if !status.is_success() {
        let reason = status.canonical_reason().unwrap_or("");
        return Err(json!({
            "message": format!("{method_text} {uri} answered {} {reason}", status.as_u16()),
            "kind": "http-status",
            "status": status.as_u16(),
            "statusText": reason,
            "headers": ShownHeaders::of(shown_pairs(&headers)),
            "body": body_value(&bytes),
            "request": {"method": method_text, "uri": uri},
        }));
    }
    Ok(Answer::copied(status.as_u16(), &headers, &bytes).output())
}

/// A response's headers other than `date` (it would differ from run to run).
fn shown_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&HeaderName, &[u8])> {
    headers
        .iter()
        .filter(|(name, _)| *name != DATE)
        .map(|(name, value)| (name, value.as_bytes()))
}

/// A response's headers as a step shows them: by name (the last value of a repeated
/// name).
struct ShownHeaders<'a>(Vec<(&'a str, std::borrow::Cow<'a, str>)>);

impl<'a> ShownHeaders<'a> {
    fn of(headers: impl Iterator<Item = (&'a HeaderName, &'a [u8])>) -> ShownHeaders<'a> {
        let mut shown: Vec<(&str, std::borrow::Cow<'_, str>)> = headers
            .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value)))
            .collect();
        // Stable: a repeated name's values stay in order, and the last one is kept.
        shown.sort_by(|a, b| a.0.cmp(b.0));
        shown.reverse();
        shown.dedup_by(|later, earlier| later.0 == earlier.0);
        shown.reverse();
        ShownHeaders(shown)
    }
}

impl Serialize for ShownHeaders<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}

/// A response body as a step reads it: its JSON, `null` when empty, else its text.
fn body_value(bytes: &[u8]) -> Value {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(json) => json,
        Err(_) if bytes.is_empty() => Value::Null,
        Err(_) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// A successful answer, copied out of the connection's read buffer (which its `Bytes`
/// would keep whole for as long as a run log keeps the output).
struct Answer {
    status: u16,
    headers: Vec<(HeaderName, Box<[u8]>)>,
    body: Box<[u8]>,
}

impl Answer {
    fn copied(status: u16, headers: &HeaderMap, body: &[u8]) -> Answer {
        Answer {
            status,
            headers: shown_pairs(headers)
                .map(|(name, value)| (name.clone(), value.into()))
                .collect(),
            body: body.into(),
        }
    }

    fn shown_headers(&self) -> ShownHeaders<'_> {
        ShownHeaders::of(self.headers.iter().map(|(name, value)| (name, &value[..])))
    }

    /// The step's output, written when first read: most outputs never are (nothing reads
    /// a step's answer after it), and writing and checking each one was a tenth of the
    /// CPU of a workflow that closes conversations.
    fn output(self) -> LazyJson {
        let answer = Arc::new(self);
        let otherwise = Arc::clone(&answer);
        LazyJson::text_on_read(move || answer.text(), move || otherwise.value())
    }

    /// `{"response": {"status", "statusCode", "headers"}, "body", "status"}` as JSON text:
    /// a JSON body goes in as it came (checked, not parsed into a tree).
    fn text(&self) -> Option<Box<RawValue>> {
        let body = serde_json::from_slice::<&RawValue>(&self.body).ok()?;
        let headers = self.shown_headers();
        serde_json::value::to_raw_value(&Output::of(self.status, &headers, body)).ok()
    }

    /// Not JSON, or JSON that `RawValue` takes and a `Value` does not (a number past
    /// `f64`, half a surrogate pair): the body as a step reads it, its text if need be.
    fn value(&self) -> Value {
        let headers = self.shown_headers();
        let value = serde_json::to_value(Output::of(self.status, &headers, body_value(&self.body)));
        // Serializing strings, numbers and a parsed body cannot fail.
        value.unwrap_or(Value::Null)
    }
}

/// A REST step's output, with its body as text or as a value.
#[derive(Serialize)]
struct Output<'a, B> {
    response: OutputResponse<'a>,
    body: B,
    status: u16,
}

#[derive(Serialize)]
struct OutputResponse<'a> {
    status: u16,
    #[serde(rename = "statusCode")]
    status_code: u16,
    headers: &'a ShownHeaders<'a>,
}

impl<'a, B> Output<'a, B> {
    fn of(status: u16, headers: &'a ShownHeaders<'a>, body: B) -> Self {
        Output {
            response: OutputResponse {
                status,
                status_code: status,
                headers,
            },
            body,
            status,
        }
    }
}

/// Why a request got no answer (a timeout is the caller's: the step's own deadline).
enum Failure {
    Connect(String),
    Transport(String),
}

impl Failure {
    fn kind(&self) -> &'static str {
        match self {
            Failure::Connect(_) => "connection",
            Failure::Transport(_) => "transport",
        }
    }
}

type Answered = (StatusCode, HeaderMap, Bytes);

/// The request over the engine's own keep-alive connections to the mock, with the
/// headers reqwest would add (`user-agent`, `host`, and `accept: */*` unless given).
async fn send_to_mock(
    env: &ActionEnv<'_>,
    method: Method,
    target: String,
    mut headers: HeaderMap,
    body: Bytes,
) -> Result<Answered, Failure> {
    let mut request = hyper::Request::builder().method(method).uri(target);
    let defaults = [
        (USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE)),
        (ACCEPT, HeaderValue::from_static("*/*")),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, value);
        }
    }
    // A `Host` the step sets is sent as it is, as reqwest does.
    if !headers.contains_key(HOST)
        && let Ok(host) = HeaderValue::from_str(env.mock_origin.host())
    {
        headers.insert(HOST, host);
    }
    if let Some(all) = request.headers_mut() {
        *all = headers;
    }
    let request = request
        .body(Full::new(body))
        .map_err(|e| Failure::Transport(e.to_string()))?;
    let answer = env.mock.send(request).await.map_err(|e| match e {
        SendError::Connect(e) => Failure::Connect(e.to_string()),
        SendError::Transport(e) => Failure::Transport(e.to_string()),
    })?;
    Ok((answer.status, answer.headers, answer.body))
}

/// The request through reqwest (any other host: names resolved, redirects followed).
async fn send_elsewhere(
    env: &ActionEnv<'_>,
    method: Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Answered, Failure> {
    let mut request = env.http.request(method, url).headers(headers);
    if !body.is_empty() {
        request = request.body(body);
    }
    // The client sets no timeout of its own: the step's deadline wraps the exchange.
    let failure = |e: reqwest::Error| {
        if e.is_connect() {
            Failure::Connect(e.to_string())
        } else {
            Failure::Transport(e.to_string())
        }
    };
    let response = request.send().await.map_err(failure)?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Failure::Transport(format!("the response body could not be read: {e}")))?;
    Ok((status, headers, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_headers_are_sorted_by_name_last_value_wins_and_no_date() {
        let mut headers = HeaderMap::new();
        headers.append("x-b", HeaderValue::from_static("1"));
        headers.append("date", HeaderValue::from_static("today"));
        headers.append("x-a", HeaderValue::from_static("first"));
        headers.append("x-a", HeaderValue::from_static("last"));
        let shown = serde_json::to_string(&ShownHeaders::of(shown_pairs(&headers))).unwrap();
        assert_eq!(shown, r#"{"x-a":"last","x-b":"1"}"#);
    }

    #[test]
    fn a_body_a_value_would_refuse_is_kept_as_text_not_lost() {
        let headers = HeaderMap::new();
        let output = |status, body: &[u8]| Answer::copied(status, &headers, body).output();
        for body in [&br#"{"n": 1e400}"#[..], br#"{"s": "\ud83d"}"#, b"not json"] {
            let output = output(201, body);
            assert_eq!(output["status"], 201, "{output:?}");
            assert_eq!(output["response"]["statusCode"], 201);
            assert_eq!(output["body"], String::from_utf8_lossy(body).as_ref());
        }
        let json = output(200, br#"{"id": "c1", "n": [1.5]}"#);
        assert!(json.as_text().is_some(), "JSON is kept as its text");
        assert_eq!(json["body"]["n"][0], 1.5);
        let empty = output(204, b"");
        assert!(empty["body"].is_null());
        assert_eq!(empty["status"], 204);
    }

    #[test]
    fn kustomer_hosts_point_at_the_mock() {
        let base = "http://127.0.0.1:9";
        assert_eq!(
            rewrite_kustomer_host("https://api.kustomerapp.com/v1/conversations/x", base)
                .as_deref(),
            Some("http://127.0.0.1:9/v1/conversations/x")
        );
        assert_eq!(
            rewrite_kustomer_host("https://acme.api.kustomerapp.com/v1/tags", base).as_deref(),
            Some("http://127.0.0.1:9/v1/tags")
        );
        assert_eq!(rewrite_kustomer_host("https://example.com/v1", base), None);
        assert_eq!(
            rewrite_kustomer_host("HTTPS://API.KustomerApp.COM", base).as_deref(),
            None,
            "the scheme is matched as written"
        );
        assert_eq!(
            rewrite_kustomer_host("https://API.KustomerApp.COM", base).as_deref(),
            Some("http://127.0.0.1:9"),
            "the host in any case, no path"
        );
        assert_eq!(
            rewrite_kustomer_host("http://eu.KUSTOMERAPP.com/", base).as_deref(),
            Some("http://127.0.0.1:9/")
        );
        for other in [
            "https://kustomerapp.com/v1",
            "https://api.kustomerapp.com:443/v1",
            "https://kustomerapp.com.evil/v1",
            "https://évil.com/v1",
            "http://127.0.0.1:9/v1",
        ] {
            assert_eq!(rewrite_kustomer_host(other, base), None, "{other}");
        }
    }
}
