//! Extractors whose failures are Kustomer errors, not axum's plain-text rejections.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use std::sync::Arc;

use super::pipeline::RequestCtx;
use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::store::Actor;
use crate::support::ids::Id;

/// The `{id}` of the path, which must be a 24-hex id (else 400).
pub struct IdParam(pub Id);

impl<S: Send + Sync> FromRequestParts<S> for IdParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::bad_request("invalid_id", format!("Bad path parameter: {e}"))
                    .at_parameter("id")
            })?;
        Id::parse(&text).map(IdParam).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_id",
                format!("`{text}` is not a valid id (expected 24 hexadecimal characters)"),
            )
            .at_parameter("id")
        })
    }
}

/// The two ids of a path such as `/customers/{id}/events/{eventId}`, each 24-hex (else a
/// 400 naming the parameter).
pub struct IdPairParam(pub Id, pub Id);

impl<S: Send + Sync> FromRequestParts<S> for IdPairParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                let error =
                    ApiError::bad_request("invalid_id", format!("Bad path parameters: {e}"));
                match rejected_key(&e) {
                    Some(key) => error.at_parameter(key),
                    None => error,
                }
            })?;
        let mut ids = params.iter().map(|(name, text)| {
            Id::parse(text).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_id",
                    format!("`{text}` is not a valid id (expected 24 hexadecimal characters)"),
                )
                .at_parameter(name)
            })
        });
        match (ids.next(), ids.next(), ids.next()) {
            (Some(first), Some(second), None) => Ok(IdPairParam(first?, second?)),
            _ => Err(ApiError::bad_request(
                "invalid_id",
                "the path needs exactly two ids",
            )),
        }
    }
}

/// The path parameter a rejection names (one that is not UTF-8 once percent-decoded).
fn rejected_key(rejection: &PathRejection) -> Option<&str> {
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        return None;
    };
    match failed.kind() {
        ErrorKind::InvalidUtf8InPathParam { key } | ErrorKind::ParseErrorAtKey { key, .. } => {
            Some(key)
        }
        _ => None,
    }
}

/// The authenticated caller and the request's context, put there by the pipeline.
pub struct V1 {
    pub caller: Caller,
    pub ctx: Arc<RequestCtx>,
}

impl V1 {
    /// The actor for writes made by this request.
    pub fn actor(&self) -> Actor {
        Actor::new(
            self.caller.org.id,
            self.caller.key.user,
            "api-gw",
            Some(self.ctx.id),
            self.ctx.cause.clone(),
        )
    }

    /// The caller's org.
    pub fn org(&self) -> Id {
        self.caller.org.id
    }

    /// 403 unless the key holds one of `roles`.
    pub fn require(&self, roles: &[&str], route: &str) -> Result<(), ApiError> {
        self.caller.require(roles, route)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for V1 {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let caller = parts.extensions.get::<Caller>().cloned();
        let ctx = parts.extensions.get::<Arc<RequestCtx>>().cloned();
        match (caller, ctx) {
            (Some(caller), Some(ctx)) => Ok(V1 { caller, ctx }),
            _ => Err(ApiError::internal(
                "the /v1 pipeline did not run for this route",
            )),
        }
    }
}
