//! Inbound hooks: created through `/v1/hooks/{type}`, and received: data posted to a
//! hook's address becomes the event `kustomer.hooks.<type>.<id>.receive`.

use serde_json::Value;

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::{Actor, Listing, Page, Store};
use crate::error::ApiError;
use crate::events::Event;
use crate::events::cause::Cause;
use crate::model::{Hook, HookAttributes, HookRelationships, HookType, HookWrite, Record, ToOne};
use crate::support::ids::Id;

/// The domain of email hooks' addresses (the mock's own: no mail is ever delivered).
pub const EMAIL_HOOK_DOMAIN: &str = "hooks.kustomer-mock.invalid";

/// What a fixture may fix of a hook besides its body: its id, its time, and a form hook's
/// hash, so a scenario can post to a URL that no change of seed or clock moves.
#[derive(Debug, Default)]
pub struct HookOptions {
    pub create: CreateOptions,
    pub hash: Option<String>,
}

impl Store {
    /// `POST /v1/hooks/{type}`: a new hook; emits `kustomer.hook.create`.
    pub fn create_hook(
        &self,
        actor: &Actor,
        hook_type: HookType,
        write: HookWrite,
        options: HookOptions,
    ) -> Result<Value, ApiError> {
        let name = write.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
            ApiError::bad_request("required", "`name` is required: what the hook is for")
                .at_pointer("/name")
        })?;
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let now = options
            .create
            .created_at
            .unwrap_or_else(|| self.clock.now());
        let id = options
            .create
            .id
            .unwrap_or_else(|| actor.new_id(self, "hook"));
        if data.hooks.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a hook with id `{id}` already exists"),
            ));
        }
        let kind = hook_type.as_str();
        // The secret segment derives from the id, so a rerun gives the same URL.
        let hash = (hook_type == HookType::Form).then(|| {
            options.hash.unwrap_or_else(|| {
                self.ids
                    .derive(now, &[id.as_bytes(), b"hook-hash"])
                    .to_hex()
            })
        });
        let url = match hook_type {
            HookType::Form => Some(format!(
                "/v1/hooks/form/{id}/{}",
                hash.as_deref().unwrap_or("")
            )),
            HookType::Web => Some(format!("/v1/hooks/web/{id}")),
            HookType::Email => None,
        };
        let hook = Hook {
            id,
            attributes: HookAttributes {
                hook_type,
                name,
                description: write.description,
                event_name: format!("kustomer.hooks.{kind}.{id}.receive"),
                url,
                hash,
                address: (hook_type == HookType::Email)
                    .then(|| format!("{id}@{EMAIL_HOOK_DOMAIN}")),
                created_at: now,
                updated_at: now,
            },
            relationships: HookRelationships {
                created_by: ToOne::new(actor.user),
                org: ToOne::new(org.id),
            },
        };
        self.publish_commit(&org, actor, Commit::Create(&hook));
        let resource = hook.resource();
        data.hooks.insert(id, hook);
        Ok(resource)
    }

    /// The org's hooks, in creation order.
    pub fn list_hooks(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(super::users::listing(page, data.hooks.values()))
    }

    /// One hook of the org.
    pub fn get_hook(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.hooks
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("hook", &id.to_hex()))
    }

    /// Data posted to hook `id` of type `hook_type`: publishes its `receive` event with
    /// `data`. `org` is the caller's org for web hooks; a form hook (no caller) is found
    /// in whichever org holds it and must be named with its `hash`. An unknown hook, one
    /// of another type, or a wrong hash is the same 404, so a guess learns nothing.
    pub fn receive_hook(
        &self,
        org: Option<Id>,
        hook_type: HookType,
        id: Id,
        hash: Option<&str>,
        data: Value,
        cause: Option<Cause>,
    ) -> Result<Event, ApiError> {
        let not_found = || ApiError::not_found("hook", &id.to_hex());
        let mut orgs: Vec<Id> = match org {
            Some(org) => vec![org],
            None => self.orgs.iter().map(|o| *o.key()).collect(),
        };
        // Fixtures may give two orgs' hooks one id: the hook whose type and hash match
        // is the one meant, and orgs are tried in a fixed order.
        orgs.sort();
        let found = orgs.into_iter().find_map(|org| {
            let state = self.org_state(org).ok()?;
            let data = state.read();
            let hook = data.hooks.get(&id)?;
            (hook.attributes.hook_type == hook_type && hook.attributes.hash.as_deref() == hash)
                .then(|| (org, hook.attributes.event_name.clone()))
        });
        let (org, event_name) = found.ok_or_else(not_found)?;
        self.publish_event(org, &event_name, data, cause)
    }
}
