//! Native actions on companies, notes, klasses and KObjects: `kustomer.company.*`,
//! `kustomer.note.update` / `.find-by-id` / `.find-by-external`, `kustomer.klass.*` and
//! `kustomer.kobject.*`. The names are Kustomer's (installed-app listings); their params are
//! not public, so the ones used here are documented as guesses in docs/workflows.md. Every
//! write is one store call, so events, `changes`, limits and loop detection apply as to
//! `/v1`.

use kustomer_mock::model::{CompanyWrite, KObjectWrite, KlassWrite, NoteEdit, Writable};
use kustomer_mock::{ApiError, CreateOptions, Id, parse_write_value};
use serde_json::{Map, Value, json};

use super::native::{id_param, store_error, text_param};
use super::{ActionEnv, flatten};

/// The actions on companies, notes, klasses and KObjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectAction {
    CompanyCreate,
    CompanyUpdate,
    CompanyFind,
    CompanyFindByExternalId,
    NoteUpdate,
    NoteFindById,
    NoteFindByExternal,
    KlassCreate,
    KlassFindByKlassname,
    KObjectCreate,
    KObjectCreateWithCustomer,
    KObjectFind,
    KObjectFindByExternalId,
    KObjectUpdate,
    KObjectDelete,
    KObjectAddRelationship,
}

impl ObjectAction {
    /// The action called `name`, if it is one of these.
    pub fn named(name: &str) -> Option<ObjectAction> {
        Some(match name {
            "kustomer.company.create" => ObjectAction::CompanyCreate,
            "kustomer.company.update" => ObjectAction::CompanyUpdate,
            "kustomer.company.find" => ObjectAction::CompanyFind,
            "kustomer.company.find-by-external-id" => ObjectAction::CompanyFindByExternalId,
            "kustomer.note.update" => ObjectAction::NoteUpdate,
            "kustomer.note.find-by-id" => ObjectAction::NoteFindById,
            "kustomer.note.find-by-external" => ObjectAction::NoteFindByExternal,
            "kustomer.klass.create" => ObjectAction::KlassCreate,
            "kustomer.klass.find-by-klassname" => ObjectAction::KlassFindByKlassname,
            "kustomer.kobject.create" => ObjectAction::KObjectCreate,
            "kustomer.kobject.create-with-customer" => ObjectAction::KObjectCreateWithCustomer,
            "kustomer.kobject.find" => ObjectAction::KObjectFind,
            "kustomer.kobject.find-by-external-id" => ObjectAction::KObjectFindByExternalId,
            "kustomer.kobject.update" => ObjectAction::KObjectUpdate,
            "kustomer.kobject.delete" => ObjectAction::KObjectDelete,
            "kustomer.kobject.add-relationship" => ObjectAction::KObjectAddRelationship,
            _ => return None,
        })
    }

    /// Runs the action.
    pub fn run(self, params: Value, env: &ActionEnv<'_>) -> Result<Value, Value> {
        let mut params = match params {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(json!({"message": format!("params must be an object, not {other}")}));
            }
        };
        let (store, org, actor) = (env.store, env.org, &env.actor());
        let found =
            |r: Result<Value, ApiError>| r.map(|v| flatten(&v)).map_err(|e| store_error(&e));
        match self {
            ObjectAction::CompanyCreate => {
                let write: CompanyWrite = attributes(params)?;
                found(store.create_company(actor, write, CreateOptions::default()))
            }
            ObjectAction::CompanyUpdate => {
                let id = take_id(&mut params, "id")?;
                found(store.update_company(actor, id, attributes(params)?))
            }
            ObjectAction::CompanyFind => {
                let identifier = identifier_param(&params)?;
                found(find_by_identifier(
                    identifier,
                    |id| store.get_company(org, id),
                    |text| store.company_by_external_id(org, text),
                    "company with id or externalId",
                ))
            }
            ObjectAction::CompanyFindByExternalId => {
                found(store.company_by_external_id(org, text_param(&params, "externalId")?))
            }
            ObjectAction::NoteUpdate => {
                let id = take_id(&mut params, "id")?;
                let edit: NoteEdit = attributes(params)?;
                found(store.update_note(actor, id, edit))
            }
            ObjectAction::NoteFindById => found(store.get_note(org, id_param(&params, "id")?)),
            ObjectAction::NoteFindByExternal => {
                found(store.note_by_external_id(org, text_param(&params, "externalId")?))
            }
            ObjectAction::KlassCreate => {
                let write: KlassWrite = attributes(params)?;
                found(store.create_klass(actor, write, None, None))
            }
            ObjectAction::KlassFindByKlassname => {
                let name = match params.get("klassName") {
                    Some(_) => text_param(&params, "klassName")?,
                    None => text_param(&params, "name")?,
                };
                found(store.get_klass(org, name))
            }
            ObjectAction::KObjectCreate | ObjectAction::KObjectCreateWithCustomer => {
                let klass = take_klass(&mut params)?;
                let customer = if self == ObjectAction::KObjectCreateWithCustomer {
                    Some(take_id(&mut params, "customer")?)
                } else {
                    None
                };
                let write: KObjectWrite = attributes(params)?;
                found(store.create_kobject(actor, &klass, write, customer, None))
            }
            ObjectAction::KObjectFind => {
                let klass = take_klass(&mut params)?;
                let identifier = identifier_param(&params)?;
                found(find_by_identifier(
                    identifier,
                    |id| store.get_kobject(org, &klass, id),
                    |text| store.kobject_by_external_id(org, &klass, text),
                    &format!("{klass} KObject with id or externalId"),
                ))
            }
            ObjectAction::KObjectFindByExternalId => {
                let klass = take_klass(&mut params)?;
                found(store.kobject_by_external_id(org, &klass, text_param(&params, "externalId")?))
            }
            ObjectAction::KObjectUpdate => {
                let klass = take_klass(&mut params)?;
                let id = take_id(&mut params, "id")?;
                found(store.update_kobject(actor, &klass, id, attributes(params)?))
            }
            ObjectAction::KObjectDelete => {
                let klass = take_klass(&mut params)?;
                let id = id_param(&params, "id")?;
                store
                    .delete_kobject(actor, &klass, id)
                    .map(|()| json!({"id": id, "klassName": klass, "deleted": true}))
                    .map_err(|e| store_error(&e))
            }
            ObjectAction::KObjectAddRelationship => {
                let klass = take_klass(&mut params)?;
                let id = take_id(&mut params, "id")?;
                if !params.contains_key("customer") && !params.contains_key("company") {
                    return Err(
                        json!({"message": "`customer` or `company` is required: the record to relate the KObject to"}),
                    );
                }
                let mut related = Map::new();
                for name in ["customer", "company"] {
                    if let Some(value) = params.remove(name) {
                        related.insert(name.into(), value);
                    }
                }
                if let Some(unknown) = params.keys().next() {
                    return Err(
                        json!({"message": format!("`{unknown}` is not a param of kustomer.kobject.add-relationship: `klassName`, `id`, `customer`, `company`")}),
                    );
                }
                found(store.update_kobject(actor, &klass, id, attributes(related)?))
            }
        }
    }
}

/// The params left once the action's own are taken out, read as the object's write body
/// (unknown attributes are the store's 400, as on `/v1`).
fn attributes<T: Writable>(params: Map<String, Value>) -> Result<T, Value> {
    parse_write_value(Value::Object(params)).map_err(|e| store_error(&e))
}

/// Reads the id param `name` and removes it from the write body.
fn take_id(params: &mut Map<String, Value>, name: &str) -> Result<Id, Value> {
    let id = id_param(params, name)?;
    params.remove(name);
    Ok(id)
}

/// `klassName`: the klass's name (as in `/v1/klasses/{name}`), removed from the write body.
fn take_klass(params: &mut Map<String, Value>) -> Result<String, Value> {
    let name = text_param(params, "klassName")?.to_string();
    params.remove("klassName");
    Ok(name)
}

/// `identifier`, else `id`: what a `find` action looks for.
fn identifier_param(params: &Map<String, Value>) -> Result<&str, Value> {
    match params.get("identifier") {
        Some(_) => text_param(params, "identifier"),
        None => text_param(params, "id"),
    }
}

/// An identifier resolved as Kustomer's `find` actions do: an id first, then an external
/// id (a 24-hex text that is no record's id is still tried as an external id).
fn find_by_identifier(
    identifier: &str,
    by_id: impl Fn(Id) -> Result<Value, ApiError>,
    by_external_id: impl Fn(&str) -> Result<Value, ApiError>,
    what: &str,
) -> Result<Value, ApiError> {
    if let Some(id) = Id::parse(identifier)
        && let Ok(found) = by_id(id)
    {
        return Ok(found);
    }
    by_external_id(identifier).map_err(|e| match e.status.as_u16() {
        404 => ApiError::not_found(what, identifier),
        _ => e,
    })
}
