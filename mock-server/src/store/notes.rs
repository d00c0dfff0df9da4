//! Notes on conversations.

use serde_json::Value;

use super::commit::Commit;
use super::validate::{optional_strings, parse_id};
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::{Note, NoteAttributes, NoteRelationships, NoteWrite, Org, Record, ToOne};
use crate::support::ids::Id;

impl Store {
    /// Adds a note to a conversation (`conversation` in the body, or `conversation_id`);
    /// emits `kustomer.note.create`.
    pub fn create_note(
        &self,
        actor: &Actor,
        write: NoteWrite,
        conversation_id: Option<Id>,
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
        let mentions = write.user_mentions.unwrap_or_default();
        optional_strings(&mentions, "userMentions", "user")?;
        let now = self.clock.now();
        let id = actor.new_id(self, "note");
        let note = Note {
            id,
            attributes: NoteAttributes {
                body,
                user_mentions: mentions.into_iter().map(Value::Object).collect(),
                created_at: now,
                updated_at: now,
            },
            relationships: NoteRelationships {
                conversation: ToOne::new(conversation),
                customer: ToOne::new(customer),
                created_by: ToOne::new(actor.user),
                modified_by: ToOne::new(actor.user),
                org: ToOne::new(org.id),
            },
        };
        self.publish_commit(&org, actor, Commit::Create(&note));
        let resource = note.resource();
        data.notes.insert(id, note);
        self.count_note(&org, actor, &mut data, conversation)?;
        Ok(resource)
    }

    /// The conversation's `noteCount`, through the conversation's own commit (so its
    /// update event and `changes` show the new count).
    fn count_note(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        conversation: Id,
    ) -> Result<(), ApiError> {
        let Some(before) = data.conversations.get(&conversation).cloned() else {
            return Ok(());
        };
        let mut after = before.clone();
        after.attributes.note_count += 1;
        self.commit_update_checked(org, actor, data, before, after, |_| ())
    }

    /// The notes of a conversation, oldest first.
    pub fn conversation_notes(
        &self,
        org: Id,
        conversation: Id,
        page: Page,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        if !data.conversations.contains_key(&conversation) {
            return Err(ApiError::not_found("conversation", &conversation.to_hex()));
        }
        let matching = data
            .notes
            .values()
            .filter(|n| n.relationships.conversation.id == conversation);
        let total = matching.clone().count();
        let data = page.slice(matching.map(Record::resource));
        Ok(Listing { data, total })
    }
}
