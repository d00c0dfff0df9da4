//! Klasses: the custom object types of an org. A klass is named once (`name` never
//! changes: routes, events and searches use it) and cannot be deleted while it has
//! KObjects.

use serde_json::Value;

use super::commit::Commit;
use super::users::listing;
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::klass::{KlassAttributes, KlassRelationships};
use crate::model::{Klass, KlassWrite, Record, ToMany, ToOne};
use crate::support::ids::Id;

/// The klass a path segment names: by id, else by `name`.
pub(super) fn find_klass<'a>(data: &'a OrgData, key: &str) -> Option<&'a Klass> {
    Id::parse(key)
        .and_then(|id| data.klasses.get(&id))
        .or_else(|| data.klasses.values().find(|k| k.attributes.name == key))
}

/// The klass named `name` (a 404 naming it otherwise).
pub(super) fn klass_named<'a>(data: &'a OrgData, name: &str) -> Result<&'a Klass, ApiError> {
    data.klasses
        .values()
        .find(|k| k.attributes.name == name)
        .ok_or_else(|| ApiError::not_found("klass", name))
}

impl Store {
    /// `POST /v1/klasses`: a new klass; its `name` must be free in the org.
    pub fn create_klass(
        &self,
        actor: &Actor,
        write: KlassWrite,
        id: Option<Id>,
        app_version: Option<String>,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let name = write.name.clone().ok_or_else(|| {
            ApiError::bad_request(
                "required",
                "`name` is required: the klass's name, letters, digits, `_` and `-` (e.g. `order`)",
            )
            .at_pointer("/name")
        })?;
        check_name(&name)?;
        if data.klasses.values().any(|k| k.attributes.name == name) {
            return Err(ApiError::conflict(
                "duplicate_klass",
                format!("The org already has a klass named `{name}`"),
            )
            .at_pointer("/name"));
        }
        check_lengths(&write)?;
        let now = self.clock.now();
        let id = id.unwrap_or_else(|| actor.new_id(self, "klass"));
        let klass = Klass {
            id,
            attributes: KlassAttributes {
                name,
                display_name: write.display_name,
                icon: write.icon,
                color: write.color,
                klass_schema: write.klass_schema.map(|_| "task".to_string()),
                app_version,
                app_disabled: false,
                status: write.status.unwrap_or_default(),
                mixins: write.mixins.unwrap_or_default(),
                updated_at: now,
                created_at: now,
                s3_data_url: None,
            },
            relationships: KlassRelationships {
                org: ToOne::new(org.id),
                kobjects: ToMany::new(id),
            },
            json_schema: write.json_schema.map(Value::Object),
        };
        self.publish_commit(&org, actor, Commit::Create(&klass));
        let resource = klass.resource();
        data.klasses.insert(id, klass);
        Ok(resource)
    }

    /// Whether the org has a klass named `name` (an app's klasses are created once).
    pub fn has_klass(&self, org: Id, name: &str) -> Result<bool, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(klass_named(&data, name).is_ok())
    }

    /// `PUT /v1/klasses/{id}`: changes what the body names; `name` stays.
    pub fn update_klass(
        &self,
        actor: &Actor,
        key: &str,
        write: KlassWrite,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = find_klass(&data, key)
            .cloned()
            .ok_or_else(|| ApiError::not_found("klass", key))?;
        if let Some(name) = &write.name
            && *name != before.attributes.name
        {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!(
                    "a klass cannot be renamed: `name` must be `{}` or left out",
                    before.attributes.name
                ),
            )
            .at_pointer("/name"));
        }
        check_lengths(&write)?;
        let mut after = before.clone();
        let a = &mut after.attributes;
        if let Some(v) = write.display_name {
            a.display_name = Some(v);
        }
        if let Some(v) = write.icon {
            a.icon = Some(v);
        }
        if let Some(v) = write.color {
            a.color = Some(v);
        }
        if let Some(v) = write.klass_schema {
            a.klass_schema = Some(format!("{v:?}").to_lowercase());
        }
        if let Some(v) = write.mixins {
            a.mixins = v;
        }
        if let Some(v) = write.status {
            a.status = v;
        }
        if let Some(v) = write.json_schema {
            after.json_schema = Some(Value::Object(v));
        }
        let id = after.id;
        let after = self.commit_stamped(&org, actor, before, after);
        let resource = after.resource();
        data.klasses.insert(id, after);
        Ok(resource)
    }

    /// `DELETE /v1/klasses/{id}`: only a klass without KObjects.
    pub fn delete_klass(&self, actor: &Actor, key: &str) -> Result<(), ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let id = find_klass(&data, key)
            .map(|k| k.id)
            .ok_or_else(|| ApiError::not_found("klass", key))?;
        let objects = data
            .kobjects
            .values()
            .filter(|o| o.relationships.klass.id == id)
            .count();
        if objects > 0 {
            return Err(ApiError::conflict(
                "klass_in_use",
                format!("klass `{key}` still has {objects} KObjects: delete them first"),
            ));
        }
        if let Some(removed) = data.klasses.shift_remove(&id) {
            self.publish_commit(&org, actor, Commit::Delete(&removed));
        }
        Ok(())
    }

    /// `GET /v1/klasses/{id}` (by id, or by name).
    pub fn get_klass(&self, org: Id, key: &str) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        find_klass(&data, key)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("klass", key))
    }

    /// Whether `key` is the id of one of the org's klasses (`GET /v1/klasses/{key}` then
    /// means the klass, not its KObjects).
    pub fn is_klass_id(&self, org: Id, key: &str) -> Result<bool, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(Id::parse(key).is_some_and(|id| data.klasses.contains_key(&id)))
    }

    /// `GET /v1/klasses`, in creation order.
    pub fn list_klasses(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(listing(page, data.klasses.values()))
    }
}

/// Letters, digits, `_` and `-`, at most 255 characters.
fn check_name(name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_value",
            format!("`name` `{name}` is not a klass name: 1 to 255 letters, digits, `_` or `-`"),
        )
        .at_pointer("/name"))
    }
}

fn check_lengths(write: &KlassWrite) -> Result<(), ApiError> {
    for (field, value, max) in [
        ("displayName", write.display_name.as_deref(), 255),
        ("icon", write.icon.as_deref(), 64),
        ("color", write.color.as_deref(), 64),
    ] {
        if value.is_some_and(|v| v.chars().count() > max) {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`{field}` is longer than {max} characters"),
            )
            .at_pointer(format!("/{field}")));
        }
    }
    Ok(())
}
