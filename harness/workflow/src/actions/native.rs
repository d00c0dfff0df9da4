//! Native `kustomer.*` actions: they act on the mock's store directly, through the same
//! single writer as `/v1` (same events, same per-object limit), as the org's workflow
//! machine user, and do not count against the org's request budget.

use kustomer_mock::ApiError;
use kustomer_mock::model::{ConversationWrite, CustomerMergeWrite, CustomerWrite, NoteWrite};
use kustomer_mock::model::{Direction, MessageEdit, MessageWrite};
use kustomer_mock::parse_write_value;
use kustomer_mock::{Assignee, CreateOptions, TagOp};
use kustomer_mock::{Id, MessagesOf, Page, Store};
use serde_json::{Map, Value, json};

use super::{ActionEnv, flatten};

/// The native actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    ConversationFindById,
    ConversationFindByExternalId,
    CustomerFindByExternalId,
    CustomerFindByEmail,
    NoteCreate,
    OrgCurrent,
    ConversationCreate,
    ConversationUpdate,
    ConversationAddTags,
    ConversationRemoveTags,
    CustomerFindById,
    CustomerCreate,
    CustomerUpdate,
    CustomerMerge,
    TagFindByName,
    UserFindById,
    UserFindByEmail,
    ConversationAssignUser,
    ConversationAssignTeam,
    MessageCreate,
    MessageUpdate,
    MessageFindById,
    MessageFindLast,
}

pub(super) fn store_error(error: &ApiError) -> Value {
    json!({
        "message": format!("{} {}", error.status.as_u16(), error.detail),
        "kind": "api-error",
        "status": error.status.as_u16(),
        "body": error.body(),
    })
}

pub(super) fn id_param(params: &Map<String, Value>, name: &str) -> Result<Id, Value> {
    let text = params.get(name).and_then(Value::as_str).unwrap_or("");
    Id::parse(text).ok_or_else(|| json!({"message": format!("`{name}` must be a 24-hex id, not {}", params.get(name).unwrap_or(&Value::Null))}))
}

pub(super) fn text_param<'p>(params: &'p Map<String, Value>, name: &str) -> Result<&'p str, Value> {
    params
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| json!({"message": format!("`{name}` must be a non-empty string, not {}", params.get(name).unwrap_or(&Value::Null))}))
}

/// Tag names or ids, as given.
fn tag_names(store: &Store, org: Id, params: &Map<String, Value>) -> Result<Vec<String>, Value> {
    let tags = match params.get("tags") {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::String(one)) => vec![Value::String(one.clone())],
        _ => return Err(json!({"message": "`tags` must be a list of tag names or ids"})),
    };
    tags.iter()
        .map(|t| {
            let text = t
                .as_str()
                .ok_or_else(|| json!({"message": format!("tag {t} is not a string")}))?;
            // An id of this org's tag stands for its name.
            Ok(match Id::parse(text) {
                Some(id) => store
                    .get_tag(org, id)
                    .ok()
                    .and_then(|r| r["attributes"]["name"].as_str().map(str::to_string))
                    .unwrap_or_else(|| text.to_string()),
                None => text.to_string(),
            })
        })
        .collect()
}

/// The user whose email is `email`, compared without case, as a resource. Users are few
/// per org, so one page holding all of them is read and searched.
fn user_by_email(store: &Store, org: Id, email: &str) -> Result<Value, ApiError> {
    let everyone = Page {
        number: 1,
        size: usize::MAX,
    };
    store
        .list_users(org, everyone)?
        .data
        .into_iter()
        .find(|user| {
            user["attributes"]["email"]
                .as_str()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .ok_or_else(|| ApiError::not_found("user with email", email))
}

/// `kustomer.conversation.assign-user` / `.assign-team`: adds the user or team named by
/// `params[param]` to the conversation's assignees in one store write, so the store's
/// checks (unknown user or team: 400), limits, `changes` and events apply as to any update,
/// and an update made between the run's read and its write is not lost.
fn assign(
    env: &ActionEnv<'_>,
    params: &Map<String, Value>,
    param: &str,
) -> Result<Value, ApiError> {
    let id = Id::parse(params.get("id").and_then(Value::as_str).unwrap_or(""));
    let id = id.ok_or_else(|| {
        ApiError::bad_request("invalid_value", "`id` must be the conversation's 24-hex id")
    })?;
    let added = params.get(param).and_then(Value::as_str).unwrap_or("");
    if added.is_empty() {
        let given = params.get(param).cloned().unwrap_or(Value::Null);
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`{param}` must be a non-empty id string, not {given}"),
        ));
    }
    let assignee = if param == "team" {
        Assignee::Team(added)
    } else {
        Assignee::User(added)
    };
    env.store
        .assign_conversation(&env.actor(), id, assignee)
        .map(|v| flatten(&v))
}

/// `kustomer.message.find-last`'s params: `conversation` or `customer` (an id), and
/// optionally `direction` (`in` or `out`).
fn last_message_params(
    params: &Map<String, Value>,
) -> Result<(MessagesOf, Option<Direction>), Value> {
    let of = if params.contains_key("conversation") {
        MessagesOf::Conversation(id_param(params, "conversation")?)
    } else if params.contains_key("customer") {
        MessagesOf::Customer(id_param(params, "customer")?)
    } else {
        return Err(
            json!({"message": "`conversation` or `customer` is required: whose last message to find"}),
        );
    };
    let direction = match params.get("direction") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if d == "in" => Some(Direction::In),
        Some(Value::String(d)) if d == "out" => Some(Direction::Out),
        Some(other) => {
            return Err(
                json!({"message": format!("`direction` must be `in` or `out`, not {other}")}),
            );
        }
    };
    Ok((of, direction))
}

impl Native {
    /// Runs the action.
    pub fn run(self, params: Value, env: &ActionEnv<'_>) -> Result<Value, Value> {
        let mut params = match params {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(json!({"message": format!("params must be an object, not {other}")}));
            }
        };
        let store = env.store;
        let org = env.org;
        let actor = &env.actor();
        let found =
            |r: Result<Value, ApiError>| r.map(|v| flatten(&v)).map_err(|e| store_error(&e));
        match self {
            Native::ConversationFindById => {
                found(store.get_conversation(org, id_param(&params, "id")?))
            }
            Native::CustomerFindById => found(store.get_customer(org, id_param(&params, "id")?)),
            Native::ConversationFindByExternalId => {
                found(store.conversation_by_external_id(org, text_param(&params, "externalId")?))
            }
            Native::CustomerFindByExternalId => {
                found(store.customer_by_external_id(org, text_param(&params, "externalId")?))
            }
            Native::CustomerFindByEmail => {
                found(store.customer_by_email(org, text_param(&params, "email")?))
            }
            Native::NoteCreate => {
                let write: NoteWrite =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.create_note(actor, write, None))
            }
            Native::OrgCurrent => {
                let org = store.org_state(org).map_err(|e| store_error(&e))?.org();
                Ok(json!({"id": org.id, "name": org.name, "displayName": org.name}))
            }
            Native::UserFindById => store
                .user(org, id_param(&params, "id")?)
                .map(|u| flatten(&kustomer_mock::model::Record::resource(&u)))
                .map_err(|e| store_error(&e)),
            Native::UserFindByEmail => user_by_email(store, org, text_param(&params, "email")?)
                .map(|u| flatten(&u))
                .map_err(|e| store_error(&e)),
            Native::ConversationAssignUser => {
                assign(env, &params, "user").map_err(|e| store_error(&e))
            }
            Native::ConversationAssignTeam => {
                assign(env, &params, "team").map_err(|e| store_error(&e))
            }
            Native::TagFindByName => {
                let name = params.get("name").and_then(Value::as_str).unwrap_or("");
                store
                    .tag_by_name(org, name)
                    .map(|t| flatten(&kustomer_mock::model::Record::resource(&t)))
                    .map_err(|e| store_error(&e))
            }
            Native::ConversationUpdate => {
                let id = id_param(&params, "id")?;
                params.remove("id");
                let write: ConversationWrite =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.update_conversation(actor, id, write, false))
            }
            Native::ConversationCreate => {
                let write: ConversationWrite =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.create_conversation(actor, write, CreateOptions::default()))
            }
            Native::ConversationAddTags | Native::ConversationRemoveTags => {
                let id = id_param(&params, "id")?;
                let names = tag_names(store, org, &params)?;
                let op = if self == Native::ConversationAddTags {
                    TagOp::Append
                } else {
                    TagOp::Remove
                };
                found(store.change_conversation_tags(actor, id, &names, op))
            }
            Native::CustomerUpdate => {
                let id = id_param(&params, "id")?;
                params.remove("id");
                let write: CustomerWrite =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.update_customer(actor, id, write))
            }
            Native::CustomerMerge => {
                let write: CustomerMergeWrite =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.merge_customers(actor, write))
            }
            Native::CustomerCreate => {
                let write: CustomerWrite =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.create_customer(actor, write, CreateOptions::default()))
            }
            Native::MessageCreate => {
                let write: MessageWrite =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.create_message(actor, write, None))
            }
            Native::MessageUpdate => {
                let id = id_param(&params, "id")?;
                params.remove("id");
                let edit: MessageEdit =
                    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))?;
                found(store.update_message(actor, id, edit))
            }
            Native::MessageFindById => found(store.get_message(org, id_param(&params, "id")?)),
            Native::MessageFindLast => {
                let (of, direction) = last_message_params(&params)?;
                found(store.last_message(org, of, direction))
            }
        }
    }
}
