//! Kustomer's bulk routes (`POST`/`PUT`/`DELETE /v1/<object>/bulk`), once for every
//! object: each item goes through the object's single-record create, update or delete
//! (the one write path), so every item emits its own events and counts against the
//! limits. The answer is Kustomer's bulk job, already `complete`: the mock runs the items
//! before it answers.

use axum::Json;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::body::{parse_json, parse_write_value};
use super::extract::V1;
use super::list::query_pairs;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::model::Writable;
use crate::store::{Actor, Store};
use crate::support::ids::Id;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// One object's single-record write paths, as the bulk routes call them. `scope` is the
/// klass name for KObjects and empty for the others.
pub trait BulkObject {
    /// The collection's name in paths and in the job's `context` (`customers`).
    const COLLECTION: &'static str;
    type Create: Writable;
    type Update: Writable;

    fn create(
        store: &Store,
        actor: &Actor,
        scope: &str,
        write: Self::Create,
    ) -> Result<Value, ApiError>;
    fn update(
        store: &Store,
        actor: &Actor,
        scope: &str,
        id: Id,
        write: Self::Update,
    ) -> Result<Value, ApiError>;
    /// Only the objects with a bulk `DELETE` route implement it.
    fn delete(_store: &Store, _actor: &Actor, _scope: &str, _id: Id) -> Result<(), ApiError> {
        Err(ApiError::internal("this object has no bulk delete"))
    }
}

/// Which single-record write each item takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOp {
    Create,
    Update,
    Delete,
}

impl BulkOp {
    fn context(self) -> &'static str {
        match self {
            BulkOp::Create => "bulk-create",
            BulkOp::Update => "bulk-update",
            BulkOp::Delete => "bulk-delete",
        }
    }

    fn method(self) -> &'static str {
        match self {
            BulkOp::Create => "POST",
            BulkOp::Update => "PUT",
            BulkOp::Delete => "DELETE",
        }
    }
}

/// One bulk request: what to do, where (`/v1/customers` or `/v1/klasses/order`), the
/// route's `scope`, the answer's status (the reference documents 200 for some routes).
pub struct BulkRequest<'a> {
    pub op: BulkOp,
    pub path: String,
    pub scope: &'a str,
    pub status: StatusCode,
    pub raw_query: Option<&'a str>,
    pub body: &'a [u8],
}

/// Runs a bulk request for `T` and answers with its job.
pub fn run<T: BulkObject>(app: &AppState, v1: &V1, request: BulkRequest<'_>) -> Answer {
    let actor = v1.actor();
    let store = &app.store;
    let ids_param = ids_param(request.raw_query)?;
    let (data, outcomes) = match request.op {
        BulkOp::Create => {
            let items = items(request.body)?;
            let writes = parse_each::<T::Create>(&items)?;
            let outcomes = writes
                .into_iter()
                .map(|w| T::create(store, &actor, request.scope, w).and_then(|r| created_id(&r)))
                .collect();
            (Value::Array(items), outcomes)
        }
        BulkOp::Update => {
            let items = items(request.body)?;
            let targets = update_targets(&items, ids_param.as_deref())?;
            let writes = parse_each::<T::Update>(
                &targets
                    .iter()
                    .map(|(_, body)| body.clone())
                    .collect::<Vec<_>>(),
            )?;
            let outcomes = targets
                .iter()
                .zip(writes)
                .map(|((id, _), w)| T::update(store, &actor, request.scope, *id, w).map(|_| *id))
                .collect();
            (Value::Array(items), outcomes)
        }
        BulkOp::Delete => {
            let ids = ids_param.ok_or_else(|| {
                ApiError::bad_request(
                    "required",
                    "`ids` is required: the comma-separated ids of the records to delete",
                )
                .at_parameter("ids")
            })?;
            let outcomes = ids
                .iter()
                .map(|id| T::delete(store, &actor, request.scope, *id).map(|()| *id))
                .collect();
            let listed: Vec<String> = ids.iter().map(|id| id.to_hex()).collect();
            (json!({ "ids": listed }), outcomes)
        }
    };
    let job = job::<T>(app, v1, &actor, &request, data, outcomes);
    Ok((request.status, Json(json!({ "data": job }))))
}

/// The body's items: a JSON array of objects (a single object is one item).
fn items(body: &[u8]) -> Result<Vec<Value>, ApiError> {
    match parse_json(body)? {
        Value::Array(items) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                if !item.is_object() {
                    return Err(ApiError::bad_request(
                        "invalid_type",
                        format!("item {index} of the bulk body is not an object"),
                    )
                    .at_pointer(format!("/{index}")));
                }
            }
            Ok(items)
        }
        Value::Array(_) => Err(ApiError::bad_request(
            "invalid_value",
            "the bulk body is an empty list: send one object per record",
        )
        .at_pointer("")),
        item @ Value::Object(_) => Ok(vec![item]),
        _ => Err(ApiError::bad_request(
            "invalid_type",
            "the bulk body must be a list of objects, one per record",
        )
        .at_pointer("")),
    }
}

/// Every item parsed before any is written, so a bad item changes nothing; the error
/// points into the item (`/2/name`).
fn parse_each<W: Writable>(items: &[Value]) -> Result<Vec<W>, ApiError> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            parse_write_value::<W>(item.clone()).map_err(|mut error| {
                let inner = error
                    .source
                    .as_ref()
                    .and_then(|s| s["pointer"].as_str())
                    .unwrap_or_default()
                    .to_string();
                error.detail = format!("item {index}: {}", error.detail);
                error.at_pointer(format!("/{index}{inner}"))
            })
        })
        .collect()
}

/// `?ids=a,b,c`, each a record id.
fn ids_param(raw_query: Option<&str>) -> Result<Option<Vec<Id>>, ApiError> {
    let pairs = query_pairs(raw_query)?;
    let Some((_, text)) = pairs.iter().find(|(key, _)| key == "ids") else {
        return Ok(None);
    };
    let ids = text
        .split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            Id::parse(part.trim()).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_id",
                    format!(
                        "`{part}` in `ids` is not a valid id (expected 24 hexadecimal characters)"
                    ),
                )
                .at_parameter("ids")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(ids))
}

/// Which record each update item changes, and the item without its `id`: each item names
/// its `id`, or `?ids=` names the records and the body's one item applies to each.
fn update_targets(items: &[Value], ids: Option<&[Id]>) -> Result<Vec<(Id, Value)>, ApiError> {
    if let Some(ids) = ids {
        let [item] = items else {
            return Err(ApiError::bad_request(
                "invalid_value",
                "with `ids`, the body is the one change to make to each of them",
            )
            .at_pointer(""));
        };
        return Ok(ids.iter().map(|id| (*id, item.clone())).collect());
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let mut fields: Map<String, Value> = item.as_object().cloned().unwrap_or_default();
            let id = fields
                .remove("id")
                .and_then(|v| v.as_str().and_then(Id::parse))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "required",
                        format!("item {index} needs `id`: the id of the record to change"),
                    )
                    .at_pointer(format!("/{index}/id"))
                })?;
            Ok((id, Value::Object(fields)))
        })
        .collect()
}

fn created_id(resource: &Value) -> Result<Id, ApiError> {
    resource["id"]
        .as_str()
        .and_then(Id::parse)
        .ok_or_else(|| ApiError::internal("a created record has no id"))
}

/// Kustomer's bulk job: `ids` the records written, `payload.api` the request. An item that
/// failed (an unknown id, a limit) is listed in `errors` with its index and Kustomer
/// error (a guess: the reference shows only a job where every item succeeded).
fn job<T: BulkObject>(
    app: &AppState,
    v1: &V1,
    actor: &Actor,
    request: &BulkRequest<'_>,
    data: Value,
    outcomes: Vec<Result<Id, ApiError>>,
) -> Value {
    let (id, now) = app.store.new_bulk_job(actor);
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for (index, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Ok(id) => ids.push(id.to_hex()),
            Err(error) => errors.push(json!({
                "index": index,
                "status": error.status.as_u16(),
                "code": error.code,
                "detail": error.detail,
            })),
        }
    }
    let org = v1.org().to_hex();
    let user = v1.caller.key.user.to_hex();
    let status = if errors.is_empty() {
        "complete"
    } else {
        "failed"
    };
    json!({
        "type": "bulk",
        "id": id.to_hex(),
        "attributes": {
            "ids": ids,
            "context": format!("api.sobjects.{}.{}", T::COLLECTION, request.op.context()),
            "status": status,
            "v2": true,
            "payload": {
                "api": {
                    "data": data,
                    "path": request.path,
                    "user": {
                        "id": user,
                        "userType": "user",
                        "roles": v1.caller.key.roles,
                        "orgName": v1.caller.org.name,
                        "subject": user,
                        "org": org,
                    },
                    "requestId": v1.ctx.id.to_hex(),
                    "service": "sobjects",
                    "method": request.op.method(),
                },
            },
            "errors": errors,
            "createdAt": now,
            "updatedAt": now,
            "completed": true,
        },
        "relationships": {
            "org": {"links": {"self": format!("/v1/orgs/{org}")}, "data": {"type": "org", "id": org}},
            "createdBy": {"links": {"self": format!("/v1/users/{user}")}, "data": {"type": "user", "id": user}},
        },
        "links": {"self": format!("/v1/bulk/{}", id.to_hex())},
    })
}
