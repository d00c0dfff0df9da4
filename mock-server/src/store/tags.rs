//! Tags: names unique per org among live tags; deleting is soft.

use serde_json::Value;

use super::commit::Commit;
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::{Org, Record, Tag, TagAttributes, TagRelationships, TagWrite, ToOne};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// Which tags a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeletedFilter {
    #[default]
    All,
    Only,
    Exclude,
}

impl Store {
    /// The live (not deleted) tag called `name`.
    pub(super) fn live_tag_by_name(&self, data: &OrgData, name: &str) -> Option<Id> {
        data.tags
            .values()
            .find(|t| !t.attributes.deleted && t.attributes.name == name)
            .map(|t| t.id)
    }

    /// The live tag called `name`, as stored.
    pub fn tag_by_name(&self, org: Id, name: &str) -> Result<Tag, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        self.live_tag_by_name(&data, name)
            .and_then(|id| data.tags.get(&id).cloned())
            .ok_or_else(|| ApiError::not_found("tag", name))
    }

    /// Creates a tag inside an ongoing write and publishes `kustomer.tag.create`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn insert_tag(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        name: String,
        color: Option<String>,
        id: Option<Id>,
        created_at: Option<Timestamp>,
    ) -> Result<Id, ApiError> {
        if name.trim().is_empty() {
            return Err(
                ApiError::bad_request("invalid_value", "a tag name cannot be empty")
                    .at_pointer("/name"),
            );
        }
        if self.live_tag_by_name(data, &name).is_some() {
            return Err(ApiError::conflict(
                "duplicate_tag",
                format!("a tag named `{name}` already exists in this org"),
            )
            .at_pointer("/name"));
        }
        let id = id.unwrap_or_else(|| actor.new_id(self, "tag"));
        if data.tags.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a tag with id `{id}` already exists"),
            ));
        }
        let now = created_at.unwrap_or_else(|| self.clock.now());
        let tag = Tag {
            id,
            attributes: TagAttributes {
                name,
                color,
                deleted: false,
                deleted_at: None,
                created_at: now,
                updated_at: now,
                modified_at: now,
            },
            relationships: TagRelationships {
                created_by: ToOne::new(actor.user),
                modified_by: ToOne::new(actor.user),
                org: ToOne::new(org.id),
            },
        };
        self.publish_commit(org, actor, Commit::Create(&tag));
        data.tags.insert(id, tag);
        Ok(id)
    }

    /// `POST /v1/tags`.
    pub fn create_tag(
        &self,
        actor: &Actor,
        write: TagWrite,
        id: Option<Id>,
        created_at: Option<Timestamp>,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let name = write.name.ok_or_else(|| {
            ApiError::bad_request("required", "`name` is required").at_pointer("/name")
        })?;
        let id = self.insert_tag(
            &org,
            actor,
            &mut data,
            name,
            write.color.flatten(),
            id,
            created_at,
        )?;
        Ok(data.tags[&id].resource())
    }

    /// `GET /v1/tags/{id}` (deleted tags too: they show `deleted: true`).
    pub fn get_tag(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.tags
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("tag", &id.to_hex()))
    }

    /// Whether the org has a tag with this id (deleted ones included, as `get_tag`).
    pub fn has_tag(&self, org: Id, id: Id) -> bool {
        let Ok(state) = self.org_state(org) else {
            return false;
        };
        if state.known_tags.contains(&id) {
            return true;
        }
        let found = state.read().tags.contains_key(&id);
        if found {
            state.known_tags.insert(id);
        }
        found
    }

    /// `GET /v1/tags`, in creation order.
    pub fn list_tags(
        &self,
        org: Id,
        page: Page,
        deleted: DeletedFilter,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let matching = data.tags.values().filter(|t| match deleted {
            DeletedFilter::All => true,
            DeletedFilter::Only => t.attributes.deleted,
            DeletedFilter::Exclude => !t.attributes.deleted,
        });
        let total = matching.clone().count();
        let data = page.slice(matching.map(Record::resource));
        Ok(Listing { data, total })
    }

    /// `PUT /v1/tags/{id}`.
    pub fn update_tag(&self, actor: &Actor, id: Id, write: TagWrite) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .tags
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("tag", &id.to_hex()))?;
        let mut after = before.clone();
        if let Some(name) = write.name {
            if name.trim().is_empty() {
                return Err(
                    ApiError::bad_request("invalid_value", "a tag name cannot be empty")
                        .at_pointer("/name"),
                );
            }
            if name != before.attributes.name && self.live_tag_by_name(&data, &name).is_some() {
                return Err(ApiError::conflict(
                    "duplicate_tag",
                    format!("a tag named `{name}` already exists in this org"),
                )
                .at_pointer("/name"));
            }
            after.attributes.name = name;
        }
        if let Some(color) = write.color {
            after.attributes.color = color;
        }
        self.check_object_limit(&org, actor, id, "tag")?;
        self.commit_tag(&org, actor, &mut data, before, after)
    }

    /// `DELETE /v1/tags/{id}`: soft delete (`deleted: true`, `deletedAt`); deleting a
    /// deleted tag changes nothing.
    pub fn delete_tag(&self, actor: &Actor, id: Id) -> Result<(), ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .tags
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("tag", &id.to_hex()))?;
        if before.attributes.deleted {
            return Ok(());
        }
        let mut after = before.clone();
        after.attributes.deleted = true;
        after.attributes.deleted_at = Some(self.clock.now());
        self.commit_tag(&org, actor, &mut data, before, after)?;
        Ok(())
    }

    fn commit_tag(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        before: Tag,
        after: Tag,
    ) -> Result<Value, ApiError> {
        let after = self.commit_stamped(org, actor, before, after);
        let resource = after.resource();
        data.tags.insert(after.id, after);
        Ok(resource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventBus;
    use crate::events::cause::Cause;
    use crate::support::clock::Clock;

    #[test]
    fn has_tag_sees_tags_created_after_it_was_asked_and_forgets_nothing_known() {
        let store = Store::new(Clock::virtual_default(), 7, EventBus::new(16));
        let org = store.ensure_org("acme").expect("an org");
        let actor = Actor::new(org, org, "api-gw", None, Cause::root(org));
        let later = Id::from_bytes([9; 12]);
        assert!(!store.has_tag(org, later), "no such tag yet");
        let write = |name: &str| TagWrite {
            name: Some(name.into()),
            color: None,
        };
        store
            .create_tag(&actor, write("vip"), Some(later), None)
            .expect("created");
        assert!(store.has_tag(org, later), "a miss is not remembered");
        // Known now: answered while a writer holds the org's data.
        let state = store.org_state(org).expect("the org");
        let writing = state.write();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| tx.send(store.has_tag(org, later)));
            let answer = rx.recv_timeout(std::time::Duration::from_secs(30));
            drop(writing);
            assert_eq!(
                answer.ok(),
                Some(true),
                "not kept waiting behind the writer"
            );
        });
        assert!(
            !store.has_tag(Id::from_bytes([8; 12]), later),
            "another org"
        );
        // A restored state starts from its own tags.
        store.restore(Store::new(Clock::virtual_default(), 7, EventBus::new(16)).snapshot());
        assert!(!store.has_tag(org, later));
    }
}
