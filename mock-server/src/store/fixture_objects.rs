//! The fixtures of companies, notes, drafts and outbound accounts (issue 26), kept apart
//! from `fixtures.rs` so that file stays about orgs, keys and the first objects. Each
//! record goes through the store like an API write; errors name the record's member.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fixtures::{pointer_of, split_options};
use super::{Actor, Store};
use crate::api::parse_value;
use crate::model::{
    BrandWrite, CompanyWrite, DraftWrite, HookType, HookWrite, MessageChannel, NoteWrite,
    ScheduleWrite,
};
use crate::support::ids::Id;

/// An address or number the org sends from, with an optional fixed id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundAccountFixture {
    #[serde(default)]
    pub id: Option<Id>,
    pub channel: MessageChannel,
    pub name: String,
    pub account: String,
}

/// Where a record failed (a JSON pointer inside it) and why.
pub(super) type RecordError = (String, String);

/// One company body (`id`, `createdAt` and `description` are the fixture's own).
pub(super) fn seed_company(
    store: &Store,
    actor: &Actor,
    record: &Map<String, Value>,
) -> Result<(), RecordError> {
    let (options, body) = split_options(record)?;
    let write: CompanyWrite = parse_value(body).map_err(|e| (pointer_of(&e), e.detail.clone()))?;
    store
        .create_company(actor, write, options)
        .map(|_| ())
        .map_err(|e| (pointer_of(&e), e.detail.clone()))
}

/// One brand body (`id`, `createdAt` and `description` are the fixture's own).
pub(super) fn seed_brand(
    store: &Store,
    actor: &Actor,
    record: &Map<String, Value>,
) -> Result<(), RecordError> {
    let (options, body) = split_options(record)?;
    let write: BrandWrite = parse_value(body).map_err(|e| (pointer_of(&e), e.detail.clone()))?;
    store
        .create_brand(actor, write, options)
        .map(|_| ())
        .map_err(|e| (pointer_of(&e), e.detail.clone()))
}

/// One schedule body (`id`, `createdAt` and `description` are the fixture's own).
pub(super) fn seed_schedule(
    store: &Store,
    actor: &Actor,
    record: &Map<String, Value>,
) -> Result<(), RecordError> {
    let (options, body) = split_options(record)?;
    let write: ScheduleWrite = parse_value(body).map_err(|e| (pointer_of(&e), e.detail.clone()))?;
    store
        .create_schedule(actor, write, options)
        .map(|_| ())
        .map_err(|e| (pointer_of(&e), e.detail.clone()))
}

/// One hook: `type` says which kind, `hash` fixes a form hook's secret URL segment.
pub(super) fn seed_hook(
    store: &Store,
    actor: &Actor,
    record: &Map<String, Value>,
) -> Result<(), RecordError> {
    let (create, body) = split_options(record)?;
    let Value::Object(mut body) = body else {
        unreachable!("split_options gives the record's object back");
    };
    // A hook's `description` is its own attribute, not the fixture's comment.
    if let Some(description) = record.get("description") {
        body.insert("description".into(), description.clone());
    }
    let kind = body.remove("type").unwrap_or(Value::Null);
    let hook_type: HookType = serde_json::from_value(kind.clone()).map_err(|_| {
        (
            "/type".to_string(),
            format!("`type` must be `form`, `web` or `email`, not {kind}"),
        )
    })?;
    let hash = match body.remove("hash") {
        None => None,
        Some(Value::String(hash))
            if hook_type == HookType::Form
                && !hash.is_empty()
                && hash
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Some(hash)
        }
        Some(other) => {
            return Err((
                "/hash".to_string(),
                format!(
                    "`hash` is a form hook's URL segment (letters, digits, `-`, `_`), not {other}"
                ),
            ));
        }
    };
    let write: HookWrite =
        parse_value(Value::Object(body)).map_err(|e| (pointer_of(&e), e.detail.clone()))?;
    let options = super::HookOptions { create, hash };
    store
        .create_hook(actor, hook_type, write, options)
        .map(|_| ())
        .map_err(|e| (pointer_of(&e), e.detail.clone()))
}

/// One note body (`conversation` names its conversation).
pub(super) fn seed_note(
    store: &Store,
    actor: &Actor,
    record: &Map<String, Value>,
) -> Result<(), RecordError> {
    let (options, body) = split_options(record)?;
    let write: NoteWrite = parse_value(body).map_err(|e| (pointer_of(&e), e.detail.clone()))?;
    store
        .create_note_with(actor, write, None, options)
        .map(|_| ())
        .map_err(|e| (pointer_of(&e), e.detail.clone()))
}

/// One draft body (`customer` names its customer).
pub(super) fn seed_draft(
    store: &Store,
    actor: &Actor,
    record: &Map<String, Value>,
) -> Result<(), RecordError> {
    let (options, body) = split_options(record)?;
    let customer = body
        .get("customer")
        .and_then(Value::as_str)
        .and_then(Id::parse)
        .ok_or_else(|| {
            (
                "/customer".to_string(),
                "a draft fixture needs `customer`: the id of the customer it is for".to_string(),
            )
        })?;
    let write: DraftWrite = parse_value(body).map_err(|e| (pointer_of(&e), e.detail.clone()))?;
    store
        .create_draft_with(actor, customer, write, options)
        .map(|_| ())
        .map_err(|e| (pointer_of(&e), e.detail.clone()))
}

/// One outbound account.
pub(super) fn seed_outbound_account(
    store: &Store,
    org: Id,
    account: &OutboundAccountFixture,
) -> Result<(), RecordError> {
    store
        .create_outbound_account(
            org,
            account.id,
            account.channel,
            &account.name,
            &account.account,
        )
        .map(|_| ())
        .map_err(|e| (pointer_of(&e), e.detail.clone()))
}
