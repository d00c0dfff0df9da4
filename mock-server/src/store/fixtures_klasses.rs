//! The klasses and KObjects of an org fixture: `{"id"?, "name", ...}` as `POST
//! /v1/klasses` takes it, and `{"id"?, "klass": "<name>", ...}` as `POST
//! /v1/klasses/{name}` takes it. Applied after customers, so a KObject can name one.

use serde_json::{Map, Value};

use super::{Actor, Store};
use crate::api::parse_value;
use crate::model::{KObjectWrite, KlassWrite};
use crate::support::ids::Id;

/// A fault: the pointer inside the org fixture (`/kobjects/1/custom/totalNum`) and what
/// is wrong.
type Fault = (String, String);

fn take_id(body: &mut Map<String, Value>) -> Result<Option<Id>, Fault> {
    match body.remove("id") {
        None => Ok(None),
        Some(id) => id
            .as_str()
            .and_then(Id::parse)
            .map(Some)
            .ok_or(("/id".to_string(), format!("`{id}` is not a 24-hex id"))),
    }
}

fn error_fault(e: &crate::error::ApiError) -> Fault {
    let pointer = e
        .source
        .as_ref()
        .and_then(|s| s.get("pointer"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    (pointer, e.detail.clone())
}

/// Creates the fixture's klasses, then its KObjects; the counts of each.
pub(super) fn apply(
    store: &Store,
    actor: &Actor,
    klasses: &[Map<String, Value>],
    kobjects: &[Map<String, Value>],
) -> Result<(usize, usize), Fault> {
    let within = |at: String| move |(pointer, message): Fault| (format!("{at}{pointer}"), message);
    for (k, klass) in klasses.iter().enumerate() {
        let at = format!("/klasses/{k}");
        let mut body = klass.clone();
        let id = take_id(&mut body).map_err(within(at.clone()))?;
        let write: KlassWrite = parse_value(Value::Object(body))
            .map_err(|e| error_fault(&e))
            .map_err(within(at.clone()))?;
        store
            .create_klass(actor, write, id, None)
            .map_err(|e| error_fault(&e))
            .map_err(within(at))?;
    }
    for (o, object) in kobjects.iter().enumerate() {
        let at = format!("/kobjects/{o}");
        let mut body = object.clone();
        let id = take_id(&mut body).map_err(within(at.clone()))?;
        let klass = match body.remove("klass") {
            Some(Value::String(name)) => name,
            _ => {
                return Err((
                    format!("{at}/klass"),
                    "a KObject fixture names its klass: \"klass\": \"<name>\"".into(),
                ));
            }
        };
        let write: KObjectWrite = parse_value(Value::Object(body))
            .map_err(|e| error_fault(&e))
            .map_err(within(at.clone()))?;
        store
            .create_kobject(actor, &klass, write, None, id)
            .map_err(|e| error_fault(&e))
            .map_err(within(at))?;
    }
    Ok((klasses.len(), kobjects.len()))
}
