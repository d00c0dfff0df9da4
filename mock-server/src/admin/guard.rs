//! The admin guard: the admin token when one is set, else loopback callers only.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::app::AppState;

/// Compares two secrets in time that does not depend on where they differ.
pub fn secrets_match(presented: &str, expected: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The admin guard.
pub async fn guard(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match &app.config.admin_token {
        Some(expected) => {
            let presented = request
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if presented.is_empty() || !secrets_match(presented, expected) {
                return ApiError::unauthorized(
                    "admin_unauthorized",
                    "The admin API needs `Authorization: Bearer <admin token>` (the token given to --admin-token); /v1 API keys do not open it",
                )
                .into_response();
            }
        }
        None => {
            if !is_loopback_caller(peer.ip()) {
                return ApiError::forbidden(
                    "admin_loopback_only",
                    format!(
                        "The admin API answers loopback callers only when no admin token is set (the caller is {}); start the server with --admin-token to reach it from elsewhere",
                        peer.ip()
                    ),
                )
                .into_response();
            }
        }
    }
    next.run(request).await
}

/// Whether a caller is on this machine. A dual-stack listener sees an IPv4 loopback
/// caller as `::ffff:127.0.0.1`, which `IpAddr::is_loopback` does not count.
fn is_loopback_caller(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback_caller;

    fn check(addr: &str) -> bool {
        is_loopback_caller(addr.parse().expect("a test address"))
    }

    #[test]
    fn loopback_callers_are_accepted_in_every_form() {
        assert!(check("127.0.0.1"));
        assert!(check("127.3.2.1"));
        assert!(check("::1"));
        assert!(check("::ffff:127.0.0.1"));
    }

    #[test]
    fn other_callers_are_refused_mapped_or_not() {
        assert!(!check("10.0.0.7"));
        assert!(!check("::ffff:10.0.0.7"));
        assert!(!check("2001:db8::1"));
        assert!(!check("::"));
        assert!(!check("0.0.0.0"));
        // IPv4-compatible (deprecated, not mapped) is not treated as loopback.
        assert!(!check("::127.0.0.1"));
    }
}
