//! Messages: recorded (never sent) on a conversation, which they keep up to date:
//! `messageCount`, `outboundMessageCount`, `channels`, `lastMessageIn`/`lastMessageOut`,
//! `lastActivityAt`, and an inbound message reopens a done or snoozed conversation.

use serde_json::Value;

use super::commit::Commit;
use super::conversation_attributes;
use super::customer_limits::CustomerWrite;
use super::validate::parse_id;
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::unkept::ToManyUnkept;
use crate::model::{
    ConversationStatus, Direction, LastMessage, Message, MessageAttributes, MessageEdit,
    MessageRelationships, MessageStatus, MessageWrite, Org, Record, ToOne,
};
use crate::support::ids::Id;

/// Which messages a list or `find-last` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagesOf {
    Conversation(Id),
    Customer(Id),
}

impl Store {
    /// Records a message on its conversation (`conversation` in the body, or
    /// `conversation_id` from the path), then updates the conversation; emits
    /// `kustomer.message.create` and `kustomer.conversation.update`.
    pub fn create_message(
        &self,
        actor: &Actor,
        write: MessageWrite,
        conversation_id: Option<Id>,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        self.create_message_locked(&org, actor, &mut data, write, conversation_id)
            .map(|(_, resource)| resource)
    }

    /// [`Store::create_message`] under the org's write lock, which the caller holds
    /// (sending a draft records its message and marks it sent in one write). Gives the
    /// new message's id and resource.
    pub(super) fn create_message_locked(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        write: MessageWrite,
        conversation_id: Option<Id>,
    ) -> Result<(Id, Value), ApiError> {
        let conversation = message_conversation(&write, conversation_id)?;
        let customer = data
            .conversations
            .get(&conversation)
            .map(|c| c.customer())
            .ok_or_else(|| ApiError::not_found("conversation", &conversation.to_hex()))?;
        if let Some(text) = &write.customer
            && parse_id(text, "customer")? != customer
        {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`customer` `{text}` does not own conversation `{conversation}` (its customer is `{customer}`)"),
            )
            .at_pointer("/customer"));
        }
        let channel = write.channel.ok_or_else(|| required("channel", "email, sms, chat, facebook, twitter-dm, twitter-tweet, voice, instagram or whatsapp"))?;
        let app = write
            .app
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| required("app", "the app that carried it, e.g. `postmark`"))?;
        let direction = write
            .direction
            .ok_or_else(|| required("direction", "`in` (from the customer) or `out`"))?;
        check_lengths(&[
            ("externalId", write.external_id.as_deref(), 256),
            ("preview", write.preview.as_deref(), 10240),
            ("subject", write.subject.as_deref(), 256),
            ("lang", write.lang.as_deref(), 100),
        ])?;
        self.check_customer_limit(org, actor, customer, CustomerWrite::Message)?;
        let now = self.clock.now();
        let id = actor.new_id(self, "message");
        let status = write.status.unwrap_or(match direction {
            Direction::In => MessageStatus::Received,
            Direction::Out => MessageStatus::Sent,
        });
        let message = Message {
            id,
            attributes: MessageAttributes {
                external_id: write.external_id,
                channel,
                app,
                size: write.size.unwrap_or(0),
                direction,
                preview: write.preview,
                subject: write.subject,
                sentiment: write.sentiment.map(Value::Object),
                meta: write.meta.unwrap_or_default(),
                status,
                auto: write.auto.unwrap_or(false),
                lang: write.lang,
                sent_at: Some(write.sent_at.unwrap_or(now)),
                created_at: now,
                updated_at: now,
                modified_at: now,
            },
            relationships: MessageRelationships {
                org: ToOne::new(org.id),
                created_by: ToOne::new(actor.user),
                modified_by: ToOne::new(actor.user),
                customer: ToOne::new(customer),
                conversation: ToOne::new(conversation),
                attachments: ToManyUnkept::new(id),
            },
        };
        self.publish_commit(org, actor, Commit::Create(&message));
        let resource = message.resource();
        self.count_message(org, actor, data, &message)?;
        data.messages.insert(id, message);
        Ok((id, resource))
    }

    /// The conversation's side of a new message, through the conversation's own commit.
    fn count_message(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        message: &Message,
    ) -> Result<(), ApiError> {
        let Some(before) = data.conversations.get(&message.conversation()).cloned() else {
            return Ok(());
        };
        let mut after = before.clone();
        let attributes = &mut after.attributes;
        attributes.message_count += 1;
        let last = LastMessage::of(message);
        match message.attributes.direction {
            Direction::In => {
                attributes.last_message_in = last;
                // Kustomer reopens a done or snoozed conversation when the customer writes.
                if attributes.status != ConversationStatus::Open {
                    attributes.status = ConversationStatus::Open;
                    attributes.snooze = None;
                }
            }
            Direction::Out => {
                attributes.outbound_message_count += 1;
                attributes.last_message_out = last;
            }
        }
        if !attributes.channels.contains(&message.attributes.channel) {
            attributes.channels.push(message.attributes.channel);
        }
        attributes.last_activity_at = Some(message.attributes.created_at);
        if message.attributes.direction == Direction::Out {
            conversation_attributes::stamp_first_response(
                &mut after,
                message.relationships.created_by.id,
                message.sent_or_created(),
            );
        }
        self.commit_update_checked(org, actor, data, before, after, |_| ())
    }

    /// `PUT`/`PATCH /v1/messages/{id}`: changes what the body names; emits
    /// `kustomer.message.update`.
    pub fn update_message(
        &self,
        actor: &Actor,
        id: Id,
        edit: MessageEdit,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .messages
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("message", &id.to_hex()))?;
        if let Some(text) = &edit.conversation
            && parse_id(text, "conversation")? != before.conversation()
        {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!(
                    "a message cannot move: `conversation` must be its own (`{}`) or left out",
                    before.conversation()
                ),
            )
            .at_pointer("/conversation"));
        }
        check_lengths(&[
            ("externalId", inner(&edit.external_id), 256),
            ("preview", inner(&edit.preview), 10240),
            ("subject", inner(&edit.subject), 256),
            ("lang", inner(&edit.lang), 100),
        ])?;
        self.check_object_limit(&org, actor, id, "message")?;
        let mut after = before.clone();
        apply_edit(&mut after.attributes, edit);
        let after = self.commit_stamped(&org, actor, before, after);
        let resource = after.resource();
        data.messages.insert(id, after);
        Ok(resource)
    }

    /// `GET /v1/messages/{id}`.
    pub fn get_message(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.messages
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("message", &id.to_hex()))
    }

    /// The messages of a conversation or a customer, oldest first.
    pub fn list_messages(&self, org: Id, of: MessagesOf, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        check_owner(&data, of)?;
        let matching = data.messages.values().filter(|m| belongs(m, of));
        let total = matching.clone().count();
        let data = page.slice(matching.map(Record::resource));
        Ok(Listing { data, total })
    }

    /// `GET /v1/messages`: the org's messages, oldest first, or newest first.
    pub fn org_messages(
        &self,
        org: Id,
        page: Page,
        newest_first: bool,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let total = data.messages.len();
        let all = data.messages.values().map(Record::resource);
        let data = if newest_first {
            page.slice(all.rev())
        } else {
            page.slice(all)
        };
        Ok(Listing { data, total })
    }

    /// The newest message of a conversation or a customer (`direction` narrows it).
    pub fn last_message(
        &self,
        org: Id,
        of: MessagesOf,
        direction: Option<Direction>,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        check_owner(&data, of)?;
        data.messages
            .values()
            .rev()
            .find(|m| belongs(m, of) && direction.is_none_or(|d| m.attributes.direction == d))
            .map(Record::resource)
            .ok_or_else(|| {
                let (kind, id) = match of {
                    MessagesOf::Conversation(id) => ("conversation", id),
                    MessagesOf::Customer(id) => ("customer", id),
                };
                ApiError::not_found(&format!("message on {kind}"), &id.to_hex())
            })
    }
}

/// The text of a nullable edit field, when it sets one.
fn inner(value: &Option<Option<String>>) -> Option<&str> {
    value.as_ref().and_then(|o| o.as_deref())
}

fn required(field: &str, what: &str) -> ApiError {
    ApiError::bad_request("required", format!("`{field}` is required: {what}"))
        .at_pointer(format!("/{field}"))
}

/// The conversation a create names: the path's, or the body's, and not two different.
/// A 400 naming the first of `channel`, `app` and `direction` the body leaves out.
pub(super) fn check_required(write: &MessageWrite) -> Result<(), ApiError> {
    if write.channel.is_none() {
        return Err(required(
            "channel",
            "email, sms, chat, facebook, twitter-dm, twitter-tweet, voice, instagram or whatsapp",
        ));
    }
    if write.app.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(required("app", "the app that carried it, e.g. `postmark`"));
    }
    if write.direction.is_none() {
        return Err(required("direction", "`in` (from the customer) or `out`"));
    }
    Ok(())
}

fn message_conversation(write: &MessageWrite, path: Option<Id>) -> Result<Id, ApiError> {
    let named = write
        .conversation
        .as_deref()
        .map(|text| parse_id(text, "conversation"))
        .transpose()?;
    match (path, named) {
        (Some(id), Some(other)) if other != id => Err(ApiError::bad_request(
            "invalid_value",
            format!("`conversation` `{other}` is not the conversation of the path (`{id}`): leave it out or name the same one"),
        )
        .at_pointer("/conversation")),
        (Some(id), _) | (None, Some(id)) => Ok(id),
        (None, None) => Err(required(
            "conversation",
            "the id of the conversation the message is on (the mock does not thread messages into conversations by itself)",
        )),
    }
}

/// Each `(field, value, max)`: a value longer than `max` characters is a 400.
fn check_lengths(fields: &[(&str, Option<&str>, usize)]) -> Result<(), ApiError> {
    for (field, value, max) in fields {
        if let Some(value) = value
            && value.chars().count() > *max
        {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`{field}` is longer than {max} characters"),
            )
            .at_pointer(format!("/{field}")));
        }
    }
    Ok(())
}

fn apply_edit(a: &mut MessageAttributes, edit: MessageEdit) {
    if let Some(v) = edit.external_id {
        a.external_id = v;
    }
    if let Some(v) = edit.preview {
        a.preview = v;
    }
    if let Some(v) = edit.subject {
        a.subject = v;
    }
    if let Some(v) = edit.status {
        a.status = v;
    }
    if let Some(v) = edit.sent_at {
        a.sent_at = v;
    }
    if let Some(v) = edit.size {
        a.size = v;
    }
    if let Some(v) = edit.meta {
        a.meta = v;
    }
    if let Some(v) = edit.sentiment {
        a.sentiment = v.map(Value::Object);
    }
    if let Some(v) = edit.lang {
        a.lang = v;
    }
}

fn belongs(message: &Message, of: MessagesOf) -> bool {
    match of {
        MessagesOf::Conversation(id) => message.relationships.conversation.id == id,
        MessagesOf::Customer(id) => message.relationships.customer.id == id,
    }
}

/// A 404 when the conversation or customer does not exist (an empty list means it has none).
fn check_owner(data: &OrgData, of: MessagesOf) -> Result<(), ApiError> {
    match of {
        MessagesOf::Conversation(id) if !data.conversations.contains_key(&id) => {
            Err(ApiError::not_found("conversation", &id.to_hex()))
        }
        MessagesOf::Customer(id) if !data.customers.contains_key(&id) => {
            Err(ApiError::not_found("customer", &id.to_hex()))
        }
        _ => Ok(()),
    }
}
