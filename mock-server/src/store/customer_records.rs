//! Writes addressed through a customer: a conversation or a message for the customer
//! (`POST /v1/customers/{id}/conversations`, `/messages`) and deleting the customer. Each
//! goes through the object's own create/delete path, so events and limits are the same.

use serde_json::Value;

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::validate::parse_id;
use super::{Actor, Store};
use crate::error::ApiError;
use crate::model::{ConversationWrite, MessageWrite};
use crate::support::ids::Id;

impl Store {
    /// `POST /v1/customers/{id}/conversations`: a conversation owned by the path's
    /// customer (a `customer` in the body must name the same one).
    pub fn create_customer_conversation(
        &self,
        actor: &Actor,
        customer: Id,
        mut write: ConversationWrite,
    ) -> Result<Value, ApiError> {
        write.customer = Some(same_customer(write.customer.as_deref(), customer)?);
        self.customer(actor.org, customer)?;
        self.create_conversation(actor, write, CreateOptions::default())
    }

    /// `POST /v1/customers/{id}/messages`: a message on the body's `conversation` (which
    /// the customer must own), or, without one, on a new conversation for the customer,
    /// created first (as Kustomer does for a message that names no conversation).
    pub fn create_customer_message(
        &self,
        actor: &Actor,
        customer: Id,
        mut write: MessageWrite,
    ) -> Result<Value, ApiError> {
        write.customer = Some(same_customer(write.customer.as_deref(), customer)?);
        self.customer(actor.org, customer)?;
        if write.conversation.is_none() {
            // The message's required fields are checked before a conversation is made
            // for it, so a bad body leaves nothing behind.
            super::messages::check_required(&write)?;
            let conversation = ConversationWrite {
                customer: Some(customer.to_hex()),
                ..ConversationWrite::default()
            };
            let created =
                self.create_conversation(actor, conversation, CreateOptions::default())?;
            write.conversation = created["id"].as_str().map(str::to_string);
        }
        self.create_message(actor, write, None)
    }

    /// `DELETE /v1/customers/{id}`: removes the customer and emits
    /// `kustomer.customer.delete`. Its conversations, messages, notes and KObjects stay
    /// and keep naming it, as deleting a conversation leaves its notes.
    pub fn delete_customer(&self, actor: &Actor, id: Id) -> Result<(), ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let removed = data
            .customers
            .shift_remove(&id)
            .ok_or_else(|| ApiError::not_found("customer", &id.to_hex()))?;
        self.publish_commit(&org, actor, Commit::Delete(&removed));
        Ok(())
    }
}

/// The path's customer as the body's `customer`: a different one named in the body is a 400.
fn same_customer(named: Option<&str>, path: Id) -> Result<String, ApiError> {
    if let Some(text) = named
        && parse_id(text, "customer")? != path
    {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`customer` `{text}` is not the customer of the path (`{path}`): leave it out or name the same one"),
        )
        .at_pointer("/customer"));
    }
    Ok(path.to_hex())
}
