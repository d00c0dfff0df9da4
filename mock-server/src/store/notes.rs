//! Notes on conversations: created, edited and deleted through the one commit path; the
//! conversation's `noteCount` follows creates and deletes through the conversation's own
//! commit (its update event and `changes` show the new count).

use serde_json::{Map, Value};

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::customer_limits::CustomerWrite;
use super::validate::{at_most, contact_entries, optional_strings, parse_id};
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::{
    Note, NoteAttributes, NoteEdit, NoteRelationships, NoteWrite, Org, Record, ToOne,
};
use crate::support::ids::Id;

/// Which notes a list means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotesOf {
    Org,
    Conversation(Id),
    Customer(Id),
}

impl Store {
    /// Adds a note to a conversation (`conversation` in the body, or `conversation_id`);
    /// emits `kustomer.note.create` and the conversation's update.
    pub fn create_note(
        &self,
        actor: &Actor,
        write: NoteWrite,
        conversation_id: Option<Id>,
    ) -> Result<Value, ApiError> {
        self.create_note_with(actor, write, conversation_id, CreateOptions::default())
    }

    /// [`Store::create_note`] with a fixture's own id and creation time.
    pub fn create_note_with(
        &self,
        actor: &Actor,
        write: NoteWrite,
        conversation_id: Option<Id>,
        options: CreateOptions,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let named = write
            .conversation
            .as_deref()
            .map(|text| parse_id(text, "conversation"))
            .transpose()?;
        let conversation = match (conversation_id, named) {
            (Some(id), Some(other)) if other != id => {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("`conversation` `{other}` is not the conversation of the path (`{id}`): leave it out or name the same one"),
                )
                .at_pointer("/conversation"));
            }
            (Some(id), _) => id,
            (None, Some(id)) => id,
            (None, None) => {
                return Err(ApiError::bad_request(
                    "required",
                    "`conversation` is required: the id of the conversation the note is on",
                )
                .at_pointer("/conversation"));
            }
        };
        let customer = data
            .conversations
            .get(&conversation)
            .map(|c| c.relationships.customer.id)
            .ok_or_else(|| ApiError::not_found("conversation", &conversation.to_hex()))?;
        let body = write.body.filter(|b| !b.trim().is_empty()).ok_or_else(|| {
            ApiError::bad_request("required", "`body` is required: the text of the note")
                .at_pointer("/body")
        })?;
        check_text("body", &body, 10240)?;
        let mentions = write.user_mentions.unwrap_or_default();
        check_mentions(&mentions)?;
        let attachments = write.attachments.unwrap_or_default();
        check_attachments(&attachments)?;
        check_optional("externalId", write.external_id.as_deref(), 256)?;
        check_optional("lang", write.lang.as_deref(), 100)?;
        self.check_customer_limit(&org, actor, customer, CustomerWrite::Note)?;
        let now = options.created_at.unwrap_or_else(|| self.clock.now());
        let id = options.id.unwrap_or_else(|| actor.new_id(self, "note"));
        if data.notes.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a note with id `{id}` already exists"),
            ));
        }
        let mentions: Vec<Value> = mentions.into_iter().map(Value::Object).collect();
        let mentioned = crate::model::note::mentioned_users(&mentions);
        let note = Note {
            id,
            attributes: NoteAttributes {
                body,
                user_mentions: mentions,
                external_id: write.external_id,
                attachments,
                lang: write.lang,
                deleted: false,
                imported_at: write.imported_at,
                created_at: now,
                updated_at: now,
                modified_at: now,
            },
            relationships: NoteRelationships {
                conversation: ToOne::new(conversation),
                customer: ToOne::new(customer),
                created_by: ToOne::new(actor.user),
                modified_by: ToOne::new(actor.user),
                org: ToOne::new(org.id),
                user_mentions: mentioned,
            },
        };
        self.publish_commit(&org, actor, Commit::Create(&note));
        let resource = note.resource();
        data.notes.insert(id, note);
        if actor.client == "fixture" {
            // Fixtures describe the state at start: the conversation starts with its
            // notes counted, as an imported one would, rather than updated by them.
            if let Some(c) = data.conversations.get_mut(&conversation) {
                c.attributes.note_count = c.attributes.note_count.saturating_add(1);
            }
        } else {
            self.count_note(&org, actor, &mut data, conversation, true)?;
        }
        Ok(resource)
    }

    /// `PUT`/`PATCH /v1/notes/{id}`: changes what the body names; emits
    /// `kustomer.note.update`.
    pub fn update_note(&self, actor: &Actor, id: Id, edit: NoteEdit) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .notes
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("note", &id.to_hex()))?;
        if let Some(text) = &edit.conversation
            && parse_id(text, "conversation")? != before.conversation()
        {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!(
                    "a note cannot move: `conversation` must be its own (`{}`) or left out",
                    before.conversation()
                ),
            )
            .at_pointer("/conversation"));
        }
        let mut after = before.clone();
        apply_edit(&mut after.attributes, edit)?;
        after.relationships.user_mentions =
            crate::model::note::mentioned_users(&after.attributes.user_mentions);
        self.check_object_limit(&org, actor, id, "note")?;
        let after = self.commit_stamped(&org, actor, before, after);
        let resource = after.resource();
        data.notes.insert(id, after);
        Ok(resource)
    }

    /// `DELETE /v1/notes/{id}`: removes the note; emits `kustomer.note.delete` and the
    /// conversation's update (one note fewer).
    pub fn delete_note(&self, actor: &Actor, id: Id) -> Result<(), ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let note = data
            .notes
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("note", &id.to_hex()))?;
        self.publish_commit(&org, actor, Commit::Delete(&note));
        data.notes.shift_remove(&id);
        self.count_note(&org, actor, &mut data, note.conversation(), false)
    }

    /// The conversation's `noteCount`, one up or down, through the conversation's own
    /// commit.
    fn count_note(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        conversation: Id,
        added: bool,
    ) -> Result<(), ApiError> {
        let Some(before) = data.conversations.get(&conversation).cloned() else {
            return Ok(());
        };
        let mut after = before.clone();
        let count = &mut after.attributes.note_count;
        *count = if added {
            count.saturating_add(1)
        } else {
            count.saturating_sub(1)
        };
        self.commit_update_checked(org, actor, data, before, after, |_| ())
    }

    /// `GET /v1/notes/{id}`.
    pub fn get_note(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.notes
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("note", &id.to_hex()))
    }

    /// The newest note whose `externalId` is `external_id` (the workflow action
    /// `kustomer.note.find-by-external`): note external ids are not unique.
    pub fn note_by_external_id(&self, org: Id, external_id: &str) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.notes
            .values()
            .rev()
            .find(|n| n.attributes.external_id.as_deref() == Some(external_id))
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("note with externalId", external_id))
    }

    /// The notes of the org, a conversation or a customer, oldest first (a 404 when the
    /// conversation or customer does not exist).
    pub fn list_notes(&self, org: Id, of: NotesOf, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        match of {
            NotesOf::Conversation(id) if !data.conversations.contains_key(&id) => {
                return Err(ApiError::not_found("conversation", &id.to_hex()));
            }
            NotesOf::Customer(id) if !data.customers.contains_key(&id) => {
                return Err(ApiError::not_found("customer", &id.to_hex()));
            }
            _ => {}
        }
        let matching = data.notes.values().filter(|n| match of {
            NotesOf::Org => true,
            NotesOf::Conversation(id) => n.relationships.conversation.id == id,
            NotesOf::Customer(id) => n.relationships.customer.id == id,
        });
        Ok(super::users::listing(page, matching))
    }

    /// The notes of a conversation, oldest first.
    pub fn conversation_notes(
        &self,
        org: Id,
        conversation: Id,
        page: Page,
    ) -> Result<Listing, ApiError> {
        self.list_notes(org, NotesOf::Conversation(conversation), page)
    }
}

fn apply_edit(a: &mut NoteAttributes, edit: NoteEdit) -> Result<(), ApiError> {
    if let Some(body) = edit.body {
        if body.trim().is_empty() {
            return Err(
                ApiError::bad_request("invalid_value", "`body` cannot be blank")
                    .at_pointer("/body"),
            );
        }
        check_text("body", &body, 10240)?;
        a.body = body;
    }
    if let Some(mentions) = edit.user_mentions {
        check_mentions(&mentions)?;
        a.user_mentions = mentions.into_iter().map(Value::Object).collect();
    }
    if let Some(external_id) = edit.external_id {
        check_optional("externalId", external_id.as_deref(), 256)?;
        a.external_id = external_id;
    }
    if let Some(attachments) = edit.attachments {
        check_attachments(&attachments)?;
        a.attachments = attachments;
    }
    if let Some(lang) = edit.lang {
        check_optional("lang", lang.as_deref(), 100)?;
        a.lang = lang;
    }
    if let Some(deleted) = edit.deleted {
        a.deleted = deleted.unwrap_or(false);
    }
    Ok(())
}

/// At most 20 mentions, each naming its `user` or `team` as a string.
fn check_mentions(mentions: &[Map<String, Value>]) -> Result<(), ApiError> {
    at_most(mentions.len(), 20, "userMentions")?;
    optional_strings(mentions, "userMentions", "user")?;
    optional_strings(mentions, "userMentions", "team")
}

/// Each attachment carries its `_id`, `name` and `contentType` as strings.
fn check_attachments(attachments: &[Map<String, Value>]) -> Result<(), ApiError> {
    for key in ["_id", "name", "contentType"] {
        contact_entries(attachments, "attachments", key)?;
    }
    Ok(())
}

fn check_optional(field: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    value.map_or(Ok(()), |v| check_text(field, v, max))
}

fn check_text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`{field}` is longer than {max} characters"),
        )
        .at_pointer(format!("/{field}")));
    }
    Ok(())
}
