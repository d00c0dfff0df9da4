//! Authentication of `/v1` requests: `Authorization` parsing, key lookup, expiry, CIDR
//! and roles, each failure with the status and detail Kustomer gives (401 before 403).

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use crate::error::ApiError;
use crate::model::{ApiKey, Org};
use crate::store::Store;

/// The roles each route accepts (any one of them; `org.admin` grants all).
pub mod roles {
    pub const CONVERSATION_READ: &[&str] = &[
        "org.user.conversation.read",
        "org.permission.conversation.read",
    ];
    pub const CONVERSATION_CREATE: &[&str] = &[
        "org.user.conversation.write",
        "org.permission.conversation.create",
    ];
    pub const CONVERSATION_UPDATE: &[&str] = &[
        "org.user.conversation.write",
        "org.permission.conversation.update",
    ];
    pub const CONVERSATION_DELETE: &[&str] = &[
        "org.user.conversation.delete",
        "org.permission.conversation.delete",
    ];
    pub const CONVERSATION_UNTAG: &[&str] = &[
        "org.user.conversation.write",
        "org.permission.conversation.delete",
    ];
    pub const CUSTOMER_READ: &[&str] = &["org.user.customer.read", "org.permission.customer.read"];
    pub const CUSTOMER_CREATE: &[&str] =
        &["org.user.customer.write", "org.permission.customer.create"];
    pub const CUSTOMER_UPDATE: &[&str] =
        &["org.user.customer.write", "org.permission.customer.update"];
    pub const CUSTOMER_DELETE: &[&str] =
        &["org.user.customer.write", "org.permission.customer.delete"];
    /// A record's events (`/v1/customers/{id}/events`, `/v1/conversations/{id}/events`),
    /// as the reference lists them: the event roles, not the record's.
    pub const EVENT_READ: &[&str] = &["org.user.event.read", "org.permission.event.read"];
    /// Customer merge roles, as the reference lists them for each route.
    pub const CUSTOMER_MERGE_CREATE: &[&str] = &[
        "org.user.customer.write",
        "org.permission.customer_merge.create",
        "org.admin.customer.merge.write",
    ];
    pub const CUSTOMER_MERGE_READ: &[&str] = &[
        "org.user.customer.read",
        "org.permission.customer_merge.create",
        "org.admin.customer.merge.read",
    ];
    pub const CUSTOMER_MERGE_LIST: &[&str] = &[
        "org.user.customer.read",
        "org.permission.customer_merge.read",
        "org.admin.customer.merge.read",
    ];
    /// Brand roles: names on the pattern of the others (a guess; Kustomer's material
    /// found does not list them).
    pub const BRAND_READ: &[&str] = &["org.user.brand.read", "org.permission.brand.read"];
    pub const BRAND_CREATE: &[&str] = &["org.admin.brand.write", "org.permission.brand.create"];
    pub const BRAND_UPDATE: &[&str] = &["org.admin.brand.write", "org.permission.brand.update"];
    /// Schedule roles: names on the pattern of the others (a guess, as for brands).
    pub const SCHEDULE_READ: &[&str] = &["org.user.schedule.read", "org.permission.schedule.read"];
    pub const SCHEDULE_CREATE: &[&str] =
        &["org.admin.schedule.write", "org.permission.schedule.create"];
    pub const SCHEDULE_UPDATE: &[&str] =
        &["org.admin.schedule.write", "org.permission.schedule.update"];
    pub const SCHEDULE_DELETE: &[&str] =
        &["org.admin.schedule.write", "org.permission.schedule.delete"];
    pub const COMPANY_READ: &[&str] = &["org.user.company.read", "org.permission.company.read"];
    pub const COMPANY_CREATE: &[&str] =
        &["org.user.company.write", "org.permission.company.create"];
    pub const COMPANY_UPDATE: &[&str] =
        &["org.user.company.write", "org.permission.company.update"];
    /// Notes are read and written with their conversation's roles too.
    pub const NOTE_READ: &[&str] = &[
        "org.user.note.read",
        "org.permission.note.read",
        "org.user.conversation.read",
    ];
    pub const NOTE_CREATE: &[&str] = &[
        "org.user.note.write",
        "org.permission.note.create",
        "org.user.conversation.write",
    ];
    pub const NOTE_UPDATE: &[&str] = &[
        "org.user.note.write",
        "org.permission.note.update",
        "org.user.conversation.write",
    ];
    pub const NOTE_DELETE: &[&str] = &[
        "org.user.note.write",
        "org.permission.note.delete",
        "org.user.conversation.write",
    ];
    /// Drafts are read and written with their conversation's roles too.
    pub const DRAFT_READ: &[&str] = &[
        "org.user.draft.read",
        "org.permission.draft.read",
        "org.user.conversation.read",
    ];
    pub const DRAFT_CREATE: &[&str] = &[
        "org.user.draft.write",
        "org.permission.draft.create",
        "org.user.conversation.write",
    ];
    pub const DRAFT_UPDATE: &[&str] = &[
        "org.user.draft.write",
        "org.permission.draft.update",
        "org.user.conversation.write",
    ];
    pub const DRAFT_DELETE: &[&str] = &[
        "org.user.draft.write",
        "org.permission.draft.delete",
        "org.user.conversation.write",
    ];
    pub const OUTBOUND_ACCOUNT_READ: &[&str] = &[
        "org.user.apps.read",
        "org.permission.apps.read",
        "org.user.conversation.read",
    ];
    /// Hooks (role names a guess, after Kustomer's `org.permission.<object>.<verb>`).
    pub const HOOK_READ: &[&str] = &["org.user.hook.read", "org.permission.hook.read"];
    pub const HOOK_WRITE: &[&str] = &["org.user.hook.write", "org.permission.hook.create"];
    /// Posting to a web hook: what an integration's key holds.
    pub const HOOK_POST: &[&str] = &[
        "org.permission.hook.post",
        "org.user.hook.write",
        "org.permission.hook.create",
    ];
    pub const TAG_READ: &[&str] = &["org.user.tag.read", "org.permission.tag.read"];
    pub const TAG_CREATE: &[&str] = &["org.user.tag.write", "org.permission.tag.create"];
    pub const TAG_UPDATE: &[&str] = &["org.user.tag.write", "org.permission.tag.update"];
    pub const TAG_DELETE: &[&str] = &["org.user.tag.write", "org.permission.tag.delete"];
    /// Messages are read and written with their conversation's roles too.
    pub const MESSAGE_READ: &[&str] = &[
        "org.user.message.read",
        "org.permission.message.read",
        "org.user.conversation.read",
    ];
    pub const MESSAGE_CREATE: &[&str] = &[
        "org.user.message.write",
        "org.permission.message.create",
        "org.user.conversation.write",
    ];
    pub const MESSAGE_UPDATE: &[&str] = &[
        "org.user.message.write",
        "org.permission.message.update",
        "org.user.conversation.write",
    ];
    pub const KLASS_READ: &[&str] = &[
        "org.user.klass.read",
        "org.permission.klass.read",
        "org.admin.klass.read",
    ];
    pub const KLASS_CREATE: &[&str] = &["org.admin.klass.write", "org.permission.klass.create"];
    pub const KLASS_UPDATE: &[&str] = &["org.admin.klass.write", "org.permission.klass.update"];
    pub const KLASS_DELETE: &[&str] = &["org.admin.klass.write", "org.permission.klass.delete"];
    /// KObjects are listed with the klass roles too (as Kustomer's reference says).
    pub const KOBJECT_READ: &[&str] = &[
        "org.user.kobject.read",
        "org.permission.kobject.read",
        "org.user.klass.read",
        "org.permission.klass.read",
    ];
    pub const KOBJECT_CREATE: &[&str] =
        &["org.user.kobject.write", "org.permission.kobject.create"];
    pub const KOBJECT_UPDATE: &[&str] =
        &["org.user.kobject.write", "org.permission.kobject.update"];
    pub const KOBJECT_DELETE: &[&str] =
        &["org.user.kobject.delete", "org.permission.kobject.delete"];
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key: Arc<ApiKey>,
    pub org: Arc<Org>,
}

impl Caller {
    /// 403 unless the key holds one of `roles`; `route` names what was asked
    /// (`PUT /v1/conversations/{id}`).
    pub fn require(&self, roles: &[&str], route: &str) -> Result<(), ApiError> {
        if self.key.has_any_role(roles) {
            return Ok(());
        }
        Err(ApiError::forbidden(
            "missing_role",
            format!(
                "The API key `{}` lacks the role for {route}: it needs one of {} (it has {})",
                self.key.name,
                roles.join(", "),
                if self.key.roles.is_empty() {
                    "no roles".to_string()
                } else {
                    self.key.roles.join(", ")
                }
            ),
        )
        .with_meta(serde_json::json!({ "requiredRoles": roles })))
    }
}

/// Why a token was presented the way it was: used to explain a 401 and to mask the
/// journal's copy of the header.
#[derive(Debug, Clone, Default)]
pub struct Presented {
    /// The key the token (with or without `Bearer `) belongs to.
    pub key_name: Option<String>,
}

/// Authenticates a request from `peer`. `Presented` is filled even when it fails.
pub fn authenticate(
    store: &Store,
    headers: &HeaderMap,
    peer: IpAddr,
) -> (Result<Caller, ApiError>, Presented) {
    let mut presented = Presented::default();
    let result = authenticate_inner(store, headers, peer, &mut presented);
    (result, presented)
}

fn authenticate_inner(
    store: &Store,
    headers: &HeaderMap,
    peer: IpAddr,
    presented: &mut Presented,
) -> Result<Caller, ApiError> {
    let value = match headers.get(AUTHORIZATION) {
        None => {
            return Err(ApiError::unauthorized(
                "missing_authorization",
                "The Authorization header is missing: send `Authorization: Bearer <API key>`",
            ));
        }
        Some(value) => value.to_str().map_err(|_| {
            ApiError::unauthorized(
                "invalid_authorization",
                "The Authorization header is not valid text: send `Authorization: Bearer <API key>`",
            )
        })?,
    };
    let value = value.trim();
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some((scheme, rest)) => {
            presented.key_name = store.key_by_token(rest.trim()).map(|k| k.name.clone());
            return Err(ApiError::unauthorized(
                "missing_bearer_prefix",
                format!(
                    "The Authorization header is missing the `Bearer ` prefix: it uses the `{scheme}` scheme, but Kustomer API keys are sent as `Authorization: Bearer <API key>`"
                ),
            ));
        }
        None if value.eq_ignore_ascii_case("bearer") => "",
        None => {
            let key = store.key_by_token(value);
            presented.key_name = key.as_ref().map(|k| k.name.clone());
            let which = match key {
                Some(key) => format!(" (the value is the API key `{}` itself)", key.name),
                None => String::new(),
            };
            return Err(ApiError::unauthorized(
                "missing_bearer_prefix",
                format!(
                    "The Authorization header is missing the `Bearer ` prefix{which}: send `Authorization: Bearer <API key>`"
                ),
            ));
        }
    };
    if token.is_empty() {
        return Err(ApiError::unauthorized(
            "invalid_token",
            "The Authorization header has `Bearer ` but no token after it",
        ));
    }
    let key = store.key_by_token(token).ok_or_else(|| {
        ApiError::unauthorized(
            "invalid_token",
            "The API key is not valid: it is unknown or was revoked",
        )
    })?;
    presented.key_name = Some(key.name.clone());
    let now = store.now();
    if let Some(expires_at) = key.expires_at
        && now >= expires_at
    {
        return Err(ApiError::unauthorized(
            "expired_token",
            format!(
                "Expired token: the API key `{}` expired at {expires_at} (it is now {now}); create a new key",
                key.name
            ),
        ));
    }
    if !key.allowed_cidrs.is_empty() && !key.allowed_cidrs.iter().any(|net| net.contains(&peer)) {
        let allowed: Vec<String> = key.allowed_cidrs.iter().map(|n| n.to_string()).collect();
        return Err(ApiError::forbidden(
            "ip_not_allowed",
            format!(
                "The caller's address {peer} is outside the IP ranges allowed for the API key `{}` ({})",
                key.name,
                allowed.join(", ")
            ),
        ));
    }
    let org = store.org_state(key.org)?.org();
    Ok(Caller { key, org })
}
