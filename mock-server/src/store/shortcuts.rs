//! Shortcuts (saved replies): added by fixtures, listed by `GET /v1/shortcuts`, without
//! events.

use serde_json::{Map, Value};

use super::{Listing, Page, Store};
use crate::error::ApiError;
use crate::model::Shortcut;
use crate::support::ids::Id;

impl Store {
    /// Adds a shortcut (fixtures).
    pub fn create_shortcut(
        &self,
        org: Id,
        id: Option<Id>,
        name: &str,
        payload: Map<String, Value>,
    ) -> Result<Shortcut, ApiError> {
        let state = self.org_state(org)?;
        let creator = state.org().system_user;
        if name.trim().is_empty() {
            return Err(
                ApiError::bad_request("invalid_value", "a shortcut name cannot be empty")
                    .at_pointer("/name"),
            );
        }
        let now = self.clock.now();
        let mut data = state.write();
        let id = id.unwrap_or_else(|| self.ids.next(now));
        if data.shortcuts.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a shortcut with id `{id}` already exists"),
            ));
        }
        let shortcut = Shortcut::new(id, org, name, payload, creator, now);
        data.shortcuts.insert(id, shortcut.clone());
        Ok(shortcut)
    }

    /// `GET /v1/shortcuts`, in creation order.
    pub fn list_shortcuts(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(super::users::listing(page, data.shortcuts.values()))
    }
}
