//! Native actions that find a record by what a workflow has at hand, or add one contact to
//! a customer: `kustomer.customer.find`, `.find-by-phone`, `.append-email`,
//! `.append-phone`, `kustomer.message.find-by-external` and
//! `kustomer.conversation.find-body`. Names from Kustomer's installed-app listings; params
//! as documented in docs/workflows.md (the ones not public are marked guesses there).

use kustomer_mock::{ApiError, ContactList, Id, MessagesOf, Page};
use serde_json::{Map, Value, json};

use super::native::{id_param, store_error, text_param};
use super::{ActionEnv, flatten};

/// The lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    CustomerFind,
    CustomerFindByPhone,
    CustomerAppendEmail,
    CustomerAppendPhone,
    MessageFindByExternal,
    ConversationFindBody,
}

/// `kustomer.customer.find {identifier}`: the customer whose id, email or external id it is,
/// tried in that order, as Kustomer resolves an identifier (a 24-hex id that is no
/// customer's is still tried as an external id).
fn find_customer(env: &ActionEnv<'_>, identifier: &str) -> Result<Value, ApiError> {
    let (store, org) = (env.store, env.org);
    if let Some(id) = Id::parse(identifier)
        && let Ok(found) = store.get_customer(org, id)
    {
        return Ok(found);
    }
    if identifier.contains('@')
        && let Ok(found) = store.customer_by_email(org, identifier)
    {
        return Ok(found);
    }
    store
        .customer_by_external_id(org, identifier)
        .map_err(|_| ApiError::not_found("customer with id, email or externalId", identifier))
}

/// Adds `{<field>: value, type}` to the customer's `emails` or `phones` unless it is there
/// (emails compared without case, phones by digits), in one store write.
fn append_contact(
    env: &ActionEnv<'_>,
    params: &Map<String, Value>,
    list: ContactList,
) -> Result<Value, Value> {
    let id = id_param(params, "id")?;
    let value = text_param(params, list.field())?;
    let kind = params
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("other");
    env.store
        .append_customer_contact(&env.actor(), id, list, value, kind)
        .map(|c| flatten(&c))
        .map_err(|e| store_error(&e))
}

/// `kustomer.conversation.find-body {id}`: the conversation's first message, the body of the
/// conversation as an email workflow reads it: `{id, conversation, messageId, subject,
/// body}` (`body` the message's `preview`; null values when it has no message yet). A
/// guess: the action's name is public, its output is not.
fn find_body(env: &ActionEnv<'_>, id: Id) -> Result<Value, ApiError> {
    env.store.get_conversation(env.org, id)?;
    let first = Page { number: 1, size: 1 };
    let listing = env
        .store
        .list_messages(env.org, MessagesOf::Conversation(id), first)?;
    let message = listing.data.first();
    let attribute = |name: &str| {
        message
            .map(|m| m["attributes"][name].clone())
            .unwrap_or(Value::Null)
    };
    Ok(json!({
        "id": id,
        "conversation": id,
        "messageId": message.map(|m| m["id"].clone()).unwrap_or(Value::Null),
        "subject": attribute("subject"),
        "body": attribute("preview"),
    }))
}

impl Lookup {
    /// Runs the action.
    pub fn run(self, params: Value, env: &ActionEnv<'_>) -> Result<Value, Value> {
        let params = match params {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(json!({"message": format!("params must be an object, not {other}")}));
            }
        };
        let found =
            |r: Result<Value, ApiError>| r.map(|v| flatten(&v)).map_err(|e| store_error(&e));
        match self {
            Lookup::CustomerFind => found(find_customer(env, text_param(&params, "identifier")?)),
            Lookup::CustomerFindByPhone => found(
                env.store
                    .customer_by_phone(env.org, text_param(&params, "phone")?),
            ),
            Lookup::CustomerAppendEmail => append_contact(env, &params, ContactList::Emails),
            Lookup::CustomerAppendPhone => append_contact(env, &params, ContactList::Phones),
            Lookup::MessageFindByExternal => found(
                env.store
                    .message_by_external_id(env.org, text_param(&params, "externalId")?),
            ),
            Lookup::ConversationFindBody => {
                find_body(env, id_param(&params, "id")?).map_err(|e| store_error(&e))
            }
        }
    }
}
