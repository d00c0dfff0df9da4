//! Conversations: reads, and the writes with Kustomer's server-maintained rules
//! (rev, timestamps, modificationHistory, done/reopen bookkeeping, tags as ids).

use std::sync::OnceLock;

use serde_json::Value;

use super::commit::Commit;
use super::conversation_attributes;
use super::customer_counts::{self, Counted};
use super::validate::{at_most, customer_id, known_assignees, parse_ids, tag_ids};
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::http::limits::{LimitKey, rate_limited};
use crate::model::pick;
use crate::model::{
    Conversation, ConversationAttributes, ConversationStatus, ConversationWrite, Org, Record,
};
use crate::openapi::resources::schema_properties;
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// At most this many assigned users and teams.
const MAX_ASSIGNEES: usize = 10;

/// The attributes a write sets directly, from the declarations: the members of the write
/// body that are attributes. Each gets `modificationHistory.<field>At` when it changes.
fn writable() -> &'static [String] {
    static WRITABLE: OnceLock<Vec<String>> = OnceLock::new();
    WRITABLE.get_or_init(|| {
        let attributes = schema_properties::<ConversationAttributes>();
        schema_properties::<ConversationWrite>()
            .into_iter()
            .filter(|member| attributes.contains(member))
            .collect()
    })
}

/// How a tag request changes a conversation's tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagOp {
    Append,
    Remove,
}

/// Explicit values for records loaded from fixtures.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub id: Option<Id>,
    pub created_at: Option<Timestamp>,
}

impl Store {
    /// One conversation as stored.
    pub fn conversation(&self, org: Id, id: Id) -> Result<Conversation, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.conversations
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("conversation", &id.to_hex()))
    }

    /// `GET /v1/conversations/{id}`.
    pub fn get_conversation(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        self.get_conversation_as(org, id, Record::resource)
    }

    /// One conversation, rendered by `render` under the read lock (no copy of the record).
    pub fn get_conversation_as<T>(
        &self,
        org: Id,
        id: Id,
        render: impl FnOnce(&Conversation) -> T,
    ) -> Result<T, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.conversations
            .get(&id)
            .map(render)
            .ok_or_else(|| ApiError::not_found("conversation", &id.to_hex()))
    }

    /// The conversation with this `externalId`.
    pub fn conversation_by_external_id(
        &self,
        org: Id,
        external_id: &str,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.conversations
            .values()
            .find(|c| c.attributes.external_id.as_deref() == Some(external_id))
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("conversation with externalId", external_id))
    }

    /// `GET /v1/conversations`, in creation order.
    pub fn list_conversations(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let (data, total) = self.list_conversations_as(org, page, Record::resource)?;
        Ok(Listing { data, total })
    }

    /// A page of conversations, each rendered by `render` under the read lock, and the
    /// total count.
    pub fn list_conversations_as<T>(
        &self,
        org: Id,
        page: Page,
        mut render: impl FnMut(&Conversation) -> T,
    ) -> Result<(Vec<T>, usize), ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let total = data.conversations.len();
        let start = (page.number - 1).saturating_mul(page.size);
        let items = (start..total.min(start.saturating_add(page.size)))
            .filter_map(|i| data.conversations.get_index(i).map(|(_, c)| render(c)))
            .collect();
        Ok((items, total))
    }

    /// `GET /v1/customers/{id}/conversations`, in creation order.
    pub fn customer_conversations(
        &self,
        org: Id,
        customer: Id,
        page: Page,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        if !data.customers.contains_key(&customer) {
            return Err(ApiError::not_found("customer", &customer.to_hex()));
        }
        let matching = data
            .conversations
            .values()
            .filter(|c| c.relationships.customer.id == customer);
        let total = matching.clone().count();
        let data = page.slice(matching.map(Record::resource));
        Ok(Listing { data, total })
    }

    /// `POST /v1/conversations`.
    pub fn create_conversation(
        &self,
        actor: &Actor,
        write: ConversationWrite,
        options: CreateOptions,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let customer_text = write.customer.as_deref().ok_or_else(|| {
            ApiError::bad_request(
                "required",
                "`customer` is required: the id of the customer who owns the conversation",
            )
            .at_pointer("/customer")
        })?;
        let customer = customer_id(&data, customer_text, "customer")?;
        if write.status == Some(ConversationStatus::Snoozed) {
            return Err(ApiError::bad_request(
                "invalid_value",
                "`status` on create must be `open` or `done`",
            )
            .at_pointer("/status"));
        }
        let now = self.clock.now();
        let id = match options.id {
            Some(id) => id,
            None => actor.new_id(self, "conversation"),
        };
        if data.conversations.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a conversation with id `{id}` already exists"),
            ));
        }
        let created_at = options.created_at.unwrap_or(now);
        let mut conversation = Conversation::open(id, org.id, customer, actor.user, created_at);
        conversation.attributes.imported_at = write.imported_at;
        apply_write(&data, &mut conversation, &write, None)?;
        if conversation.attributes.status == ConversationStatus::Done {
            conversation.attributes.ended = true;
            conversation.attributes.ended_at = Some(created_at);
            conversation.attributes.done_count = 1;
            conversation_attributes::stamp_done(&mut conversation, actor.user, created_at);
        }
        if write.imported_at.is_none() && actor.limited {
            let limits = &org.limits;
            let key = LimitKey::CustomerCreate {
                org: org.id,
                customer,
            };
            self.limiter
                .hit(
                    key,
                    limits.customer_creates_per_window,
                    limits.window_seconds,
                    now,
                )
                .map_err(|spent| {
                    rate_limited(
                        key,
                        &spent,
                        limits.window_seconds,
                        &format!("too many conversations created for customer {customer}"),
                    )
                })?;
        }
        self.publish_commit(&org, actor, Commit::Create(&conversation));
        let resource = conversation.resource();
        let counted = Counted::of(&conversation);
        data.conversations.insert(id, conversation);
        customer_counts::follow(&mut data, id, None, Some(counted));
        Ok(resource)
    }

    /// `PUT`/`PATCH /v1/conversations/{id}`: a merge update, or with `replace` the writable
    /// attributes not in the body go back to their defaults.
    pub fn update_conversation(
        &self,
        actor: &Actor,
        id: Id,
        write: ConversationWrite,
        replace: bool,
    ) -> Result<Value, ApiError> {
        self.update_conversation_as(actor, id, write, replace, Record::resource)
    }

    /// [`Store::update_conversation`], the record after the change rendered by `render`.
    pub fn update_conversation_as<T>(
        &self,
        actor: &Actor,
        id: Id,
        write: ConversationWrite,
        replace: bool,
        render: impl FnOnce(&Conversation) -> T,
    ) -> Result<T, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .conversations
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("conversation", &id.to_hex()))?;
        let mut after = before.clone();
        if replace {
            reset_writable(&mut after);
        }
        let customer = match write.customer.as_deref() {
            Some(text) => Some(customer_id(&data, text, "customer")?),
            None => None,
        };
        apply_write(&data, &mut after, &write, customer)?;
        self.commit_conversation_update(&org, actor, &mut data, before, after, render)
    }

    /// `POST`/`DELETE /v1/conversations/{id}/tags` with tag names. Appending an unknown
    /// name creates the tag; removing one the org does not have changes nothing.
    pub fn change_conversation_tags(
        &self,
        actor: &Actor,
        id: Id,
        names: &[String],
        op: TagOp,
    ) -> Result<Value, ApiError> {
        self.change_conversation_tags_as(actor, id, names, op, Record::resource)
    }

    /// [`Store::change_conversation_tags`], the record after the change rendered by `render`.
    pub fn change_conversation_tags_as<T>(
        &self,
        actor: &Actor,
        id: Id,
        names: &[String],
        op: TagOp,
        render: impl FnOnce(&Conversation) -> T,
    ) -> Result<T, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .conversations
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("conversation", &id.to_hex()))?;
        // Check the per-object limit before creating any tag, so a refused request changes nothing.
        self.check_object_limit(&org, actor, id, "conversation")?;
        let mut after = before.clone();
        match op {
            TagOp::Append => {
                for name in names {
                    let tag = match self.live_tag_by_name(&data, name) {
                        Some(tag) => tag,
                        None => {
                            self.insert_tag(&org, actor, &mut data, name.clone(), None, None, None)?
                        }
                    };
                    if !after.attributes.tags.contains(&tag) {
                        after.attributes.tags.push(tag);
                    }
                }
            }
            TagOp::Remove => {
                let remove: Vec<Id> = names
                    .iter()
                    .filter_map(|name| self.live_tag_by_name(&data, name))
                    .collect();
                after.attributes.tags.retain(|t| !remove.contains(t));
            }
        }
        self.commit_update_checked(&org, actor, &mut data, before, after, render)
    }

    /// `DELETE /v1/conversations/{id}`: removes it and emits `kustomer.conversation.delete`.
    pub fn delete_conversation(&self, actor: &Actor, id: Id) -> Result<(), ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let removed = data
            .conversations
            .shift_remove(&id)
            .ok_or_else(|| ApiError::not_found("conversation", &id.to_hex()))?;
        self.publish_commit(&org, actor, Commit::Delete(&removed));
        customer_counts::follow(&mut data, id, Some(Counted::of(&removed)), None);
        Ok(())
    }

    /// Counts one update of `record` by the actor's user against the per-object limit.
    pub(super) fn check_object_limit(
        &self,
        org: &Org,
        actor: &Actor,
        record: Id,
        kind: &str,
    ) -> Result<(), ApiError> {
        if !actor.limited {
            return Ok(());
        }
        let limits = &org.limits;
        let key = LimitKey::Object {
            org: org.id,
            user: actor.user,
            record,
        };
        self.limiter
            .hit(
                key,
                limits.object_updates_per_window,
                limits.window_seconds,
                self.clock.now(),
            )
            .map(|_| ())
            .map_err(|spent| {
                rate_limited(
                    key,
                    &spent,
                    limits.window_seconds,
                    &format!("too many updates to {kind} {record} by user {}", actor.user),
                )
            })
    }

    fn commit_conversation_update<T>(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        before: Conversation,
        after: Conversation,
        render: impl FnOnce(&Conversation) -> T,
    ) -> Result<T, ApiError> {
        self.check_object_limit(org, actor, before.id, "conversation")?;
        self.commit_update_checked(org, actor, data, before, after, render)
    }

    /// Applies the server-maintained rules to `after` and commits (limit already counted).
    pub(super) fn commit_update_checked<T>(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        before: Conversation,
        mut after: Conversation,
        render: impl FnOnce(&Conversation) -> T,
    ) -> Result<T, ApiError> {
        let now = self.clock.now();
        if before.attributes.status != after.attributes.status {
            if after.attributes.status == ConversationStatus::Done {
                after.attributes.ended = true;
                after.attributes.ended_at = Some(now);
                after.attributes.done_count += 1;
                conversation_attributes::stamp_done(&mut after, actor.user, now);
            } else if before.attributes.status == ConversationStatus::Done {
                after.attributes.ended = false;
                after.attributes.ended_at = None;
                conversation_attributes::clear_ended(&mut after);
                after.attributes.reopen_count += 1;
            }
        }
        for field in changed_writable(&before, &after) {
            after
                .attributes
                .modification_history
                .insert(format!("{field}At"), now);
        }
        if before.relationships.customer.id != after.relationships.customer.id {
            after
                .attributes
                .modification_history
                .insert("customerAt".into(), now);
        }
        let counted = (Counted::of(&before), Counted::of(&after));
        let after = self.commit_stamped_at(org, actor, before, after, now);
        let rendered = render(&after);
        let id = after.id;
        data.conversations.insert(id, after);
        customer_counts::follow(data, id, Some(counted.0), Some(counted.1));
        Ok(rendered)
    }
}

/// The [`writable`] attributes whose JSON differs between `old` and `new`, in that order.
fn changed_writable(old: &Conversation, new: &Conversation) -> Vec<&'static str> {
    if old.attributes == new.attributes {
        return Vec::new();
    }
    // One rendering of each side: equal text is an equal value; text that differs is
    // compared as values (a custom map may hold the same members in another order).
    let (before, after) = (
        pick::rendered_fields(&old.attributes),
        pick::rendered_fields(&new.attributes),
    );
    writable()
        .iter()
        .map(String::as_str)
        .filter(|field| {
            before.get(field) != after.get(field) && old.attribute(field) != new.attribute(field)
        })
        .collect()
}

/// Writable attributes back to their defaults (`?replace=true`): those of a new open
/// conversation, so the defaults live in one place ([`Conversation::open`]).
fn reset_writable(c: &mut Conversation) {
    let fresh = Conversation::open(
        c.id,
        c.relationships.org.id,
        c.relationships.customer.id,
        c.relationships.created_by.id,
        c.attributes.created_at,
    );
    c.attributes.name = fresh.attributes.name;
    c.attributes.status = fresh.attributes.status;
    c.attributes.priority = fresh.attributes.priority;
    c.attributes.direction = fresh.attributes.direction;
    c.attributes.tags = fresh.attributes.tags;
    c.attributes.assigned_users = fresh.attributes.assigned_users;
    c.attributes.assigned_teams = fresh.attributes.assigned_teams;
    c.attributes.custom = fresh.attributes.custom;
    c.attributes.external_id = fresh.attributes.external_id;
    c.attributes.snooze = fresh.attributes.snooze;
}

/// Validates the body against the org's data and sets the fields it carries.
fn apply_write(
    data: &OrgData,
    c: &mut Conversation,
    write: &ConversationWrite,
    customer: Option<Id>,
) -> Result<(), ApiError> {
    if let Some(customer) = customer {
        c.relationships.customer.id = customer;
    }
    if let Some(name) = &write.name {
        c.attributes.name = name.clone();
    }
    if let Some(status) = write.status {
        c.attributes.status = status;
    }
    if let Some(priority) = write.priority {
        if !(1..=5).contains(&priority) {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`priority` must be an integer from 1 to 5, not {priority}"),
            )
            .at_pointer("/priority"));
        }
        c.attributes.priority = priority as u8;
    }
    if let Some(direction) = write.direction {
        c.attributes.direction = direction;
    }
    if let Some(tags) = &write.tags {
        c.attributes.tags = tag_ids(data, tags, "tags")?;
    }
    if let Some(users) = &write.assigned_users {
        at_most(users.len(), MAX_ASSIGNEES, "assignedUsers")?;
        let ids = parse_ids(users, "assignedUsers")?;
        known_assignees(data, &ids, "assignedUsers", false)?;
        c.attributes.assigned_users = dedup(ids);
    }
    if let Some(teams) = &write.assigned_teams {
        at_most(teams.len(), MAX_ASSIGNEES, "assignedTeams")?;
        let ids = parse_ids(teams, "assignedTeams")?;
        known_assignees(data, &ids, "assignedTeams", true)?;
        c.attributes.assigned_teams = dedup(ids);
    }
    if let Some(custom) = &write.custom {
        // Custom attributes merge key by key, as Kustomer does; `null` removes one.
        for (key, value) in custom {
            if value.is_null() {
                c.attributes.custom.remove(key);
            } else {
                c.attributes.custom.insert(key.clone(), value.clone());
            }
        }
    }
    if let Some(external_id) = &write.external_id {
        if let Some(ext) = external_id {
            let taken = data.conversations.values().any(|other| {
                other.id != c.id && other.attributes.external_id.as_deref() == Some(ext)
            });
            if taken {
                return Err(ApiError::conflict(
                    "duplicate_external_id",
                    format!("another conversation already has externalId `{ext}`"),
                )
                .at_pointer("/externalId"));
            }
        }
        c.attributes.external_id = external_id.clone();
    }
    if let Some(snooze) = &write.snooze {
        c.attributes.snooze = snooze.clone().map(Value::Object);
    }
    conversation_attributes::apply_stored(c, write)
}

fn dedup(ids: Vec<Id>) -> Vec<Id> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

#[cfg(test)]
#[path = "conversations_tests.rs"]
mod tests;
