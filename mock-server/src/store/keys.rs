//! Orgs, API keys and machine users.

use std::sync::Arc;

use parking_lot::RwLock;

use ipnet::IpNet;
use sha2::{Digest, Sha256};

use super::{OrgData, OrgState, Store};
use crate::error::ApiError;
use crate::model::{ApiKey, ApiKeyInfo, Org, OrgLimits, User};
use crate::support::clock::Timestamp;
use crate::support::ids::{Id, hash_parts};

/// What a new key should be.
#[derive(Debug, Clone)]
pub struct KeySpec {
    pub org: Id,
    pub id: Option<Id>,
    pub name: String,
    pub roles: Vec<String>,
    /// A fixed token (fixtures); generated from the seed when absent.
    pub token: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub allowed_cidrs: Vec<IpNet>,
}

/// The SHA-256 digest keys are looked up by.
pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Store {
    /// Creates an org; its name must be new.
    pub fn create_org(
        &self,
        name: &str,
        id: Option<Id>,
        limits: OrgLimits,
    ) -> Result<Id, ApiError> {
        if name.trim().is_empty() {
            return Err(
                ApiError::bad_request("invalid_value", "an org name cannot be empty")
                    .at_pointer("/name"),
            );
        }
        if self.org_names.contains_key(name) {
            return Err(ApiError::conflict(
                "duplicate_org",
                format!("an org named `{name}` already exists"),
            ));
        }
        let now = self.clock.now();
        let id = id.unwrap_or_else(|| self.ids.next(now));
        if self.orgs.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("an org with id `{id}` already exists"),
            ));
        }
        let workflow_user = self.ids.derive(now, &[id.as_bytes(), b"workflow-user"]);
        let system_user = self.ids.derive(now, &[id.as_bytes(), b"system-user"]);
        let org = Org {
            id,
            name: name.to_string(),
            limits,
            workflow_user,
            system_user,
        };
        let mut data = OrgData::default();
        for (user, name) in [(workflow_user, "Workflow"), (system_user, "System")] {
            data.users.insert(user, User::machine(user, id, name, now));
        }
        self.insert_org(org, data);
        Ok(id)
    }

    /// Adds a fully built org (fixtures, saved state).
    pub(super) fn insert_org(&self, org: Org, data: OrgData) {
        let id = org.id;
        for key in data.keys.values() {
            self.keys_by_digest
                .insert(key.token_digest, Arc::clone(key));
        }
        self.org_names.insert(org.name.clone(), id);
        self.orgs.insert(
            id,
            Arc::new(OrgState {
                org: RwLock::new(Arc::new(org)),
                data: RwLock::new(data),
                known_tags: dashmap::DashSet::new(),
            }),
        );
        let mut default = self.default_org.write();
        if default.is_none() {
            *default = Some(id);
        }
    }

    /// The org called `name`, created with default limits if missing.
    pub fn ensure_org(&self, name: &str) -> Result<Id, ApiError> {
        match self.org_by_name(name) {
            Some(id) => Ok(id),
            None => {
                let limits = self
                    .limits_for_new_org(None)
                    .map_err(|(pointer, message)| {
                        ApiError::bad_request("invalid_value", message).at_pointer(pointer)
                    })?;
                self.create_org(name, None, limits)
            }
        }
    }

    /// Replaces an org's limits and restarts its windows.
    pub fn set_limits(&self, org: Id, limits: OrgLimits) -> Result<(), ApiError> {
        let state = self.org_state(org)?;
        state.change_org(|org| org.limits = limits);
        self.limiter.clear_org(org);
        Ok(())
    }

    /// Creates a key (and its machine user); returns it and its token, shown only now.
    pub fn create_key(&self, spec: KeySpec) -> Result<(ApiKeyInfo, String), ApiError> {
        let state = self.org_state(spec.org)?;
        if spec.name.trim().is_empty() {
            return Err(
                ApiError::bad_request("invalid_value", "a key name cannot be empty")
                    .at_pointer("/name"),
            );
        }
        let now = self.clock.now();
        let id = spec.id.unwrap_or_else(|| self.ids.next(now));
        let token = match spec.token {
            Some(token) if token.trim().is_empty() || token.contains(char::is_whitespace) => {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    "a token cannot be empty or contain white space",
                )
                .at_pointer("/token"));
            }
            Some(token) => token,
            None => format!(
                "kmk_{}{:016x}",
                id,
                hash_parts(self.ids.seed(), &[id.as_bytes(), b"token"])
            ),
        };
        let digest = token_digest(&token);
        if self.keys_by_digest.contains_key(&digest) {
            return Err(ApiError::conflict(
                "duplicate_token",
                "another key already has this token",
            )
            .at_pointer("/token"));
        }
        let user = self.ids.derive(now, &[id.as_bytes(), b"user"]);
        let last: String = token
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let key = Arc::new(ApiKey {
            id,
            org: spec.org,
            name: spec.name.clone(),
            roles: spec.roles,
            expires_at: spec.expires_at,
            allowed_cidrs: spec.allowed_cidrs,
            token_digest: digest,
            last_token_chars: last,
            user,
            created_at: now,
        });
        {
            let mut data = state.write();
            if data.keys.contains_key(&id) {
                return Err(ApiError::conflict(
                    "duplicate_id",
                    format!("a key with id `{id}` already exists"),
                ));
            }
            data.users
                .insert(user, User::machine(user, spec.org, &spec.name, now));
            data.keys.insert(id, Arc::clone(&key));
        }
        self.keys_by_digest.insert(digest, Arc::clone(&key));
        Ok((key.info(), token))
    }

    /// Revokes a key: its token stops working at once.
    pub fn revoke_key(&self, org: Id, key: Id) -> Result<(), ApiError> {
        let state = self.org_state(org)?;
        let removed = state
            .write()
            .keys
            .shift_remove(&key)
            .ok_or_else(|| ApiError::not_found("key", &key.to_hex()))?;
        self.keys_by_digest.remove(&removed.token_digest);
        Ok(())
    }

    /// The org's keys, without tokens.
    pub fn keys(&self, org: Id) -> Result<Vec<ApiKeyInfo>, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(data.keys.values().map(|k| k.info()).collect())
    }

    /// The key whose token this is, if any (compared by digest).
    pub fn key_by_token(&self, token: &str) -> Option<Arc<ApiKey>> {
        self.keys_by_digest
            .get(&token_digest(token))
            .map(|k| Arc::clone(k.value()))
    }

    /// Adds a person (an agent) to the org.
    pub fn create_user(
        &self,
        org: Id,
        id: Option<Id>,
        name: &str,
        email: Option<String>,
    ) -> Result<User, ApiError> {
        let state = self.org_state(org)?;
        if name.trim().is_empty() {
            return Err(
                ApiError::bad_request("invalid_value", "a user name cannot be empty")
                    .at_pointer("/name"),
            );
        }
        let now = self.clock.now();
        let id = id.unwrap_or_else(|| self.ids.next(now));
        let mut data = state.write();
        if data.users.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a user with id `{id}` already exists"),
            ));
        }
        let user = User::new(id, org, name, email, crate::model::UserType::User, now);
        data.users.insert(id, user.clone());
        Ok(user)
    }

    /// A user of the org.
    pub fn user(&self, org: Id, id: Id) -> Result<User, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.users
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("user", &id.to_hex()))
    }
}
