//! Rate limits: fixed windows of the mock's clock.
//!
//! Five independent counters, each per fixed window aligned on the clock
//! (`floor(now / window)`), so advancing a virtual clock past the window's end resets them:
//! the org budget (every `/v1` request of the org), the per-object update limit
//! (one user, one record), the per-customer create and message limits, and the search
//! budget.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderName, HeaderValue};
use dashmap::DashMap;
use serde_json::json;

use crate::error::ApiError;
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// Which counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// The org budget.
    Org(Id),
    /// Updates by `user` to `record`.
    Object { org: Id, user: Id, record: Id },
    /// Conversations created for `customer`.
    CustomerCreate { org: Id, customer: Id },
    /// Messages created for `customer`.
    CustomerMessage { org: Id, customer: Id },
    /// Drafts created for `customer`.
    CustomerDraft { org: Id, customer: Id },
    /// Notes created for `customer`.
    CustomerNote { org: Id, customer: Id },
    /// The org's search budget.
    Search(Id),
}

impl LimitKey {
    /// The slug that names this limit in errors and reports.
    pub fn name(&self) -> &'static str {
        match self {
            LimitKey::Org(_) => "org",
            LimitKey::Object { .. } => "object",
            LimitKey::CustomerCreate { .. } => "customer-create",
            LimitKey::CustomerMessage { .. } => "customer-message",
            LimitKey::CustomerDraft { .. } => "customer-draft",
            LimitKey::CustomerNote { .. } => "customer-note",
            LimitKey::Search(_) => "search",
        }
    }
}

/// Where a counter stands after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub limit: u32,
    pub remaining: u32,
    /// When the current window ends.
    pub reset: Timestamp,
    /// Seconds until `reset` (at least 1 while spent), for `Retry-After`.
    pub retry_after: u64,
}

impl Allowance {
    /// The `x-ratelimit-*` headers Kustomer sends on every `/v1` response.
    pub fn headers(&self) -> [(HeaderName, HeaderValue); 3] {
        self.named_headers([
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ])
    }

    /// The search budget's own headers, named apart from the org budget's so a client
    /// that backs off on `x-ratelimit-remaining` is not misled by the other budget.
    pub fn search_headers(&self) -> [(HeaderName, HeaderValue); 3] {
        self.named_headers([
            "x-ratelimit-search-limit",
            "x-ratelimit-search-remaining",
            "x-ratelimit-search-reset",
        ])
    }

    fn named_headers(
        &self,
        [limit, remaining, reset]: [&'static str; 3],
    ) -> [(HeaderName, HeaderValue); 3] {
        [
            (
                HeaderName::from_static(limit),
                HeaderValue::from(self.limit),
            ),
            (
                HeaderName::from_static(remaining),
                HeaderValue::from(self.remaining),
            ),
            (
                HeaderName::from_static(reset),
                HeaderValue::from(self.reset.epoch_seconds()),
            ),
        ]
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    index: i64,
    count: u32,
}

/// All counters of a server.
#[derive(Debug, Default)]
pub struct Limiter {
    windows: DashMap<LimitKey, Window>,
    hits: AtomicU64,
}

const PRUNE_EVERY: u64 = 4096;

impl Limiter {
    pub fn new() -> Limiter {
        Limiter::default()
    }

    fn window_of(now: Timestamp, window_seconds: u32) -> (i64, Timestamp) {
        let len = i64::from(window_seconds.max(1)) * 1000;
        let index = now.millis().div_euclid(len);
        (index, Timestamp::from_millis((index + 1) * len))
    }

    fn allowance(limit: u32, count: u32, reset: Timestamp, now: Timestamp) -> Allowance {
        let until = (reset.millis() - now.millis()).max(0) as u64;
        Allowance {
            limit,
            remaining: limit.saturating_sub(count),
            reset,
            retry_after: until.div_ceil(1000).max(1),
        }
    }

    /// Counts one use of `key`. `Err` when the window's `limit` is already spent (the
    /// refused use is not counted).
    pub fn hit(
        &self,
        key: LimitKey,
        limit: u32,
        window_seconds: u32,
        now: Timestamp,
    ) -> Result<Allowance, Allowance> {
        if self.hits.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune(now, window_seconds);
        }
        let (index, reset) = Self::window_of(now, window_seconds);
        let mut window = self
            .windows
            .entry(key)
            .or_insert(Window { index, count: 0 });
        if window.index != index {
            *window = Window { index, count: 0 };
        }
        if window.count >= limit {
            return Err(Self::allowance(limit, window.count, reset, now));
        }
        window.count += 1;
        Ok(Self::allowance(limit, window.count, reset, now))
    }

    /// Where `key` stands without counting a use.
    pub fn peek(
        &self,
        key: LimitKey,
        limit: u32,
        window_seconds: u32,
        now: Timestamp,
    ) -> Allowance {
        let (index, reset) = Self::window_of(now, window_seconds);
        let count = self
            .windows
            .get(&key)
            .filter(|w| w.index == index)
            .map(|w| w.count)
            .unwrap_or(0);
        Self::allowance(limit, count, reset, now)
    }

    /// Forgets windows that ended before `now`'s window.
    fn prune(&self, now: Timestamp, window_seconds: u32) {
        let (index, _) = Self::window_of(now, window_seconds);
        self.windows.retain(|_, w| w.index >= index);
    }

    /// Forgets every counter (admin reset).
    pub fn clear(&self) {
        self.windows.clear();
    }

    /// Forgets the counters of one org (its limits changed).
    pub fn clear_org(&self, org: Id) {
        self.windows.retain(|key, _| match key {
            LimitKey::Org(o) | LimitKey::Search(o) => *o != org,
            LimitKey::Object { org: o, .. }
            | LimitKey::CustomerCreate { org: o, .. }
            | LimitKey::CustomerMessage { org: o, .. }
            | LimitKey::CustomerDraft { org: o, .. }
            | LimitKey::CustomerNote { org: o, .. } => *o != org,
        });
    }
}

/// The 429 for a spent limit, naming it, with `Retry-After` and when it resets.
pub fn rate_limited(
    key: LimitKey,
    allowance: &Allowance,
    window_seconds: u32,
    what: &str,
) -> ApiError {
    let code = match key {
        LimitKey::Org(_) => "rate_limit_org",
        LimitKey::Object { .. } => "rate_limit_object",
        LimitKey::CustomerCreate { .. } => "rate_limit_customer_create",
        LimitKey::CustomerMessage { .. } => "rate_limit_customer_message",
        LimitKey::CustomerDraft { .. } => "rate_limit_customer_draft",
        LimitKey::CustomerNote { .. } => "rate_limit_customer_note",
        LimitKey::Search(_) => "rate_limit_search",
    };
    let detail = format!(
        "Rate limit exceeded ({} limit): {what}; the limit is {} per {window_seconds} s and resets at {} (retry after {} s)",
        key.name(),
        allowance.limit,
        allowance.reset,
        allowance.retry_after
    );
    ApiError::too_many_requests(code, detail)
        .with_meta(json!({
            "limit": key.name(),
            "max": allowance.limit,
            "windowSeconds": window_seconds,
            "resetAt": allowance.reset,
            "retryAfter": allowance.retry_after,
        }))
        .with_header(
            HeaderName::from_static("retry-after"),
            HeaderValue::from(allowance.retry_after),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Id {
        Id::from_bytes([n; 12])
    }

    #[test]
    fn fixed_window_counts_refuses_and_resets() {
        let limiter = Limiter::new();
        let key = LimitKey::Org(id(1));
        let t0 = Timestamp::from_millis(120_000); // start of a window
        assert_eq!(limiter.hit(key, 2, 60, t0).unwrap().remaining, 1);
        assert_eq!(limiter.hit(key, 2, 60, t0).unwrap().remaining, 0);
        let refused = limiter.hit(key, 2, 60, t0.plus_millis(1500)).unwrap_err();
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.reset, Timestamp::from_millis(180_000));
        assert_eq!(refused.retry_after, 59);
        assert_eq!(limiter.peek(key, 2, 60, t0).remaining, 0);
        let next = limiter.hit(key, 2, 60, t0.plus_millis(60_000)).unwrap();
        assert_eq!(next.remaining, 1);
    }

    #[test]
    fn keys_are_independent() {
        let limiter = Limiter::new();
        let t = Timestamp::from_millis(0);
        let a = LimitKey::Object {
            org: id(1),
            user: id(2),
            record: id(3),
        };
        let b = LimitKey::Object {
            org: id(1),
            user: id(2),
            record: id(4),
        };
        assert!(limiter.hit(a, 1, 60, t).is_ok());
        assert!(limiter.hit(a, 1, 60, t).is_err());
        assert!(limiter.hit(b, 1, 60, t).is_ok());
    }
}
