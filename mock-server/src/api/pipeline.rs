//! The path every `/v1` request takes before and after its handler:
//! body limit → cause → authentication → org budget → handler → rate-limit headers →
//! journal. Errors on the way are Kustomer error responses, journaled like any other.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::error::ApiError;
use crate::events::cause::{CAUSE_HEADER, Cause, TRACEPARENT_HEADER};
use crate::http::app::AppState;
use crate::http::auth::{self, Presented};
use crate::http::faults::{DropConnection, FaultAction};
use crate::http::limits::{Allowance, LimitKey, rate_limited};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// The response header that carries the request's id (the journal entry's and events' id).
pub const REQUEST_ID_HEADER: &str = "x-kmock-request-id";

/// What the pipeline tells handlers about the request.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    /// The request id (derived from the cause for workflow calls, else the next id).
    pub id: Id,
    /// The cause the request's events carry (shared with its writes and events).
    pub cause: Arc<Cause>,
}

/// The `/v1` middleware.
pub async fn v1_pipeline(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    // Scheduled drafts the clock has reached go out before the request sees the data.
    app.store.send_due_drafts();
    let (mut parts, body) = request.into_parts();
    // Inside the nested `/v1` router the URI lacks the prefix; the original has it.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map(|o| o.0.clone())
        .unwrap_or_else(|| parts.uri.clone());
    // Shared (not copied) between the journal's exchange and the handler: a workflow's
    // request carries a cause with its run, step and chain.
    let (ctx, ctx_error) =
        match request_ctx(&app, &parts.headers, parts.method.as_str(), uri.path()) {
            Ok(ctx) => (Arc::new(ctx), None),
            Err(error) => {
                let id = app.store.ids().next(app.store.now());
                (
                    Arc::new(RequestCtx {
                        id,
                        cause: Arc::new(Cause::root(id)),
                    }),
                    Some(error),
                )
            }
        };
    let journaled = app.journal.is_enabled();
    let mut exchange = Exchange {
        app: &app,
        at: app.store.now(),
        method: parts.method.clone(),
        uri,
        // Only the journal reads them (the handler gets the originals): a request is
        // journaled when the journal is on both when it arrives and when it is answered.
        headers: if journaled {
            parts.headers.clone()
        } else {
            HeaderMap::new()
        },
        journaled,
        body: Bytes::new(),
        ctx: Arc::clone(&ctx),
        presented: Presented::default(),
    };

    exchange.body = match read_body(body, app.config.body_limit).await {
        Ok(bytes) => bytes,
        Err(error) => return exchange.finish(None, error.into_response()).await,
    };
    if let Some(error) = ctx_error {
        return exchange.finish(None, error.into_response()).await;
    }
    if app.draining.load(std::sync::atomic::Ordering::SeqCst) && ctx.cause.run.is_none() {
        let error = ApiError::unavailable(
            "shutting_down",
            "The server is shutting down: it finishes the workflow runs in flight and takes no new requests",
        );
        return exchange.finish(None, error.into_response()).await;
    }
    if !app.faults.is_empty()
        && let Some((rule, action)) = app.faults.decide(
            exchange.method.as_str(),
            exchange.uri.path(),
            &ctx.cause,
            exchange.at,
        )
    {
        match action {
            FaultAction::Latency { ms } => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await
            }
            FaultAction::Status { status } => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let error = ApiError::injected(status, rule);
                return exchange.finish(None, error.into_response()).await;
            }
            FaultAction::Drop => {
                let mut response = Response::new(Body::empty());
                response.extensions_mut().insert(DropConnection);
                response.headers_mut().insert(
                    "x-kmock-fault",
                    HeaderValue::from_str(&rule.to_hex())
                        .unwrap_or(HeaderValue::from_static("fault")),
                );
                return exchange.finish(None, response).await;
            }
        }
    }

    // A form hook takes posts from anyone (a public web form): no key, no org budget;
    // the handler checks the hook's id and secret hash. Still journaled.
    if is_form_hook(exchange.uri.path()) && parts.method == Method::POST {
        parts.extensions.insert(ctx);
        let request = Request::from_parts(parts, Body::from(exchange.body.clone()));
        let response = next.run(request).await;
        return exchange.finish(None, response).await;
    }

    let (auth, presented) = auth::authenticate(&app.store, &parts.headers, peer.ip());
    exchange.presented = presented;
    let caller = match auth {
        Ok(caller) => caller,
        Err(error) => return exchange.finish(None, error.into_response()).await,
    };

    let limits = &caller.org.limits;
    let key = LimitKey::Org(caller.org.id);
    let allowance = match app.store.limiter().hit(
        key,
        limits.requests_per_window,
        limits.window_seconds,
        exchange.at,
    ) {
        Ok(allowance) => allowance,
        Err(spent) => {
            let error = rate_limited(
                key,
                &spent,
                limits.window_seconds,
                "the org's request budget is spent",
            );
            return exchange.finish(Some(spent), error.into_response()).await;
        }
    };

    parts.extensions.insert(caller);
    parts.extensions.insert(ctx);
    let request = Request::from_parts(parts, Body::from(exchange.body.clone()));
    let response = next.run(request).await;
    exchange.finish(Some(allowance), response).await
}

/// `/v1/hooks/form/{id}/{hash}`: the one `/v1` route that takes no API key.
fn is_form_hook(path: &str) -> bool {
    path.strip_prefix("/v1/hooks/form/")
        .is_some_and(|rest| rest.split('/').filter(|s| !s.is_empty()).count() == 2)
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(ApiError::payload_too_large(limit))
        }
        Err(e) => Err(ApiError::bad_request(
            "unreadable_body",
            format!("The request body could not be read: {e}"),
        )),
    }
}

/// The request id and cause: a request carrying the engine's cause header is one hop
/// below it, and its id derives from that run and step so reruns reproduce it.
fn request_ctx(
    app: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
) -> Result<RequestCtx, ApiError> {
    let store = &app.store;
    let now = store.now();
    let parent = if let Some(value) = headers.get(CAUSE_HEADER) {
        let text = value.to_str().map_err(|_| {
            ApiError::bad_request(
                "invalid_cause_header",
                format!("`{CAUSE_HEADER}` is not valid text"),
            )
            .at_header(CAUSE_HEADER)
        })?;
        Some(Cause::parse_header(text).map_err(|why| {
            ApiError::bad_request(
                "invalid_cause_header",
                format!("`{CAUSE_HEADER}` is not valid: {why}"),
            )
            .at_header(CAUSE_HEADER)
        })?)
    } else {
        headers
            .get(TRACEPARENT_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Cause::parse_traceparent(v, store.ids()))
    };
    Ok(match parent {
        Some(parent) if parent.run.is_some() => {
            let run = parent.run.as_deref().unwrap_or_default();
            let step = parent.step.as_deref().unwrap_or_default();
            let id = store.ids().derive(
                now,
                &[
                    b"request",
                    run.as_bytes(),
                    step.as_bytes(),
                    method.as_bytes(),
                    path.as_bytes(),
                ],
            );
            RequestCtx {
                id,
                cause: Arc::new(parent.into_child()),
            }
        }
        Some(parent) => RequestCtx {
            id: store.ids().next(now),
            cause: Arc::new(parent.into_child()),
        },
        None => {
            let id = store.ids().next(now);
            RequestCtx {
                id,
                cause: Arc::new(Cause::root(id)),
            }
        }
    })
}

/// One request on its way through the pipeline.
struct Exchange<'a> {
    app: &'a AppState,
    at: Timestamp,
    method: Method,
    /// The original URI (with `/v1`); cloning it shares its bytes.
    uri: Uri,
    headers: HeaderMap,
    journaled: bool,
    body: Bytes,
    ctx: Arc<RequestCtx>,
    presented: Presented,
}

impl Exchange<'_> {
    /// Adds the rate-limit headers and journals the exchange.
    async fn finish(self, allowance: Option<Allowance>, mut response: Response) -> Response {
        if let Some(allowance) = allowance {
            for (name, value) in allowance.headers() {
                response.headers_mut().insert(name, value);
            }
        }
        if let Ok(id) = HeaderValue::from_bytes(&self.ctx.id.hex_bytes()) {
            // A static name: a `&str` key is copied into a new name for every response.
            let name = HeaderName::from_static(REQUEST_ID_HEADER);
            response.headers_mut().insert(name, id);
        }
        tracing::debug!(
            request = %self.ctx.id,
            method = %self.method,
            path = %self.uri.path(),
            status = response.status().as_u16(),
            key = self.presented.key_name.as_deref().unwrap_or("-"),
            depth = self.ctx.cause.depth,
            "/v1 request"
        );
        if !self.journaled || !self.app.journal.is_enabled() {
            return response;
        }
        let dropped = response.extensions().get::<DropConnection>().is_some();
        let (parts, body) = response.into_parts();
        // Handler bodies are already in memory (JSON); collecting only re-wraps them.
        let bytes = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => Bytes::new(),
        };
        // Copied into the journal's ring as bytes; parsed and rendered when read.
        self.app.journal.record_exchange(crate::journal::Exchange {
            id: self.ctx.id,
            at: self.at,
            method: self.method.as_str(),
            path: self.uri.path(),
            query: self.uri.query(),
            key: self.presented.key_name.as_deref(),
            request_headers: &self.headers,
            request_body: &self.body,
            // 0: the connection was dropped without an answer.
            status: if dropped { 0 } else { parts.status.as_u16() },
            response_headers: &parts.headers,
            response_body: &bytes,
            cause: &self.ctx.cause,
        });
        Response::from_parts(parts, Body::from(bytes))
    }
}
