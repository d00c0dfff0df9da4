//! `ApiError`: every error the API answers, in Kustomer's error body.
//!
//! This is the only place a status code for an error is chosen. The body is always
//! `{"errors":[{"status":<code>,"code":"<slug>","title":"<reason>","detail":"...","source":{...}}]}`:
//! Kustomer's reference writes `status` as an integer and gives every error a `source`, so a
//! client checking `errors[0].status == 401` or reading `errors[0].source` works against both.
//! `source` is `{}` when the error points at nothing; `meta` appears only when there is some.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One API error, ready to become a response. Boxed, so `Result<_, ApiError>` stays small.
#[derive(Debug, Clone)]
pub struct ApiError(Box<ErrorDetails>);

/// What an [`ApiError`] says; read its fields through the error (`error.status`).
#[derive(Debug, Clone)]
pub struct ErrorDetails {
    pub status: StatusCode,
    /// A stable slug naming the case (`missing_bearer_prefix`, `unknown_tag`, ...).
    pub code: &'static str,
    pub detail: String,
    /// JSON:API `source`: `{"pointer": "/tags/1"}`, `{"parameter": "page"}` or `{"header": ...}`.
    pub source: Option<Value>,
    /// JSON:API `meta` of the error (which rate limit, when it resets, ...).
    pub meta: Option<Value>,
    /// Extra response headers (`Retry-After`, `Allow`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl std::ops::Deref for ApiError {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError(Box::new(ErrorDetails {
            status,
            code,
            detail: detail.into(),
            source: None,
            meta: None,
            headers: Vec::new(),
        }))
    }

    /// Points the error at a member of the request body (`/tags/1`).
    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.source = Some(json!({ "pointer": pointer.into() }));
        self
    }

    /// Points the error at a query parameter.
    pub fn at_parameter(mut self, parameter: &str) -> Self {
        self.source = Some(json!({ "parameter": parameter }));
        self
    }

    /// Points the error at a request header.
    pub fn at_header(mut self, header: &str) -> Self {
        self.source = Some(json!({ "header": header }));
        self
    }

    /// Adds error `meta`.
    pub fn with_meta(mut self, meta: Value) -> Self {
        self.meta = Some(meta);
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 400: a value has the wrong type, an unknown enum value, a bad id, ...
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 400: the body is not JSON at all.
    pub fn invalid_json(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", detail)
    }

    /// 401 with a specific slug.
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, code, detail).at_header("Authorization")
    }

    /// 403 with a specific slug.
    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, detail)
    }

    /// 404 for a record of `kind` that this org does not have.
    pub fn not_found(kind: &str, id: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No {kind} with id `{id}` was found in this org"),
        )
    }

    /// 404 for a path no route serves.
    pub fn no_route(method: &str, path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "route_not_found",
            format!("No route for {method} {path}"),
        )
    }

    /// 405 for a known path with the wrong method.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// 409: a unique value is taken.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, detail)
    }

    /// 413: the body is over the size limit. The rest of the body is never read, so the
    /// connection cannot carry another request: `Connection: close` tells the client not to
    /// reuse it (without it, a client's next request on that connection fails).
    pub fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body is larger than the limit of {limit} bytes"),
        )
        .with_header(
            axum::http::header::CONNECTION,
            HeaderValue::from_static("close"),
        )
    }

    /// 429: a rate limit is spent; `meta` names which one and when it resets.
    pub fn too_many_requests(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, detail)
    }

    /// The error an injected fault answers with (`x-kmock-fault` names the rule).
    pub fn injected(status: StatusCode, rule: crate::support::ids::Id) -> Self {
        ApiError::new(
            status,
            "injected_fault",
            format!(
                "fault rule {rule} injected this {} response",
                status.as_u16()
            ),
        )
        .with_meta(serde_json::json!({ "faultRule": rule }))
        .with_header(
            HeaderName::from_static("x-kmock-fault"),
            HeaderValue::from_str(&rule.to_hex()).unwrap_or(HeaderValue::from_static("fault")),
        )
    }

    /// 503: the server is shutting down.
    pub fn unavailable(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, detail)
    }

    /// 500: never for client input; only a bug in the mock gets here.
    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", detail)
    }

    /// The error body as JSON.
    pub fn body(&self) -> Value {
        let mut error = json!({
            "status": self.status.as_u16(),
            "code": self.code,
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "detail": self.detail,
            "source": self.source.clone().unwrap_or_else(|| json!({})),
        });
        if let Some(meta) = &self.meta {
            error["meta"] = meta.clone();
        }
        json!({ "errors": [error] })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut response = (self.status, axum::Json(body)).into_response();
        for (name, value) in self.0.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_kustomer_shape() {
        let e = ApiError::bad_request("unknown_tag", "no tag").at_pointer("/tags/1");
        let body = e.body();
        let err = &body["errors"][0];
        assert_eq!(err["status"], 400);
        assert!(err["status"].is_u64(), "status is an integer: {err}");
        assert_eq!(err["code"], "unknown_tag");
        assert_eq!(err["title"], "Bad Request");
        assert_eq!(err["detail"], "no tag");
        assert_eq!(err["source"]["pointer"], "/tags/1");
        assert!(
            err.get("meta").is_none(),
            "no meta when there is none: {err}"
        );
    }

    #[test]
    fn every_error_has_a_source_and_meta_only_when_set() {
        let plain = ApiError::no_route("GET", "/nope").body();
        assert_eq!(plain["errors"][0]["status"], 404);
        assert_eq!(plain["errors"][0]["source"], json!({}));
        let limited = ApiError::too_many_requests("rate_limited", "slow down")
            .with_meta(json!({"limit": "org"}))
            .body();
        assert_eq!(limited["errors"][0]["status"], 429);
        assert_eq!(limited["errors"][0]["meta"]["limit"], "org");
    }
}
