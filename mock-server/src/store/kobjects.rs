//! KObjects: records of a klass, optionally of a customer (and a company). Their
//! `custom` is checked against the klass (`kobject_custom.rs`); an `externalId` names
//! one object of its klass.

use serde_json::Value;

use super::commit::Commit;
use super::klasses::klass_named;
use super::kobject_custom;
use super::users::listing;
use super::validate::parse_id;
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::kobject::{KObjectAttributes, KObjectRelationships};
use crate::model::{KObject, KObjectWrite, Record, ToOne};
use crate::support::ids::Id;

impl Store {
    /// `POST /v1/klasses/{name}` and `POST /v1/customers/{id}/klasses/{name}` (the path's
    /// customer in `customer`): a new KObject; emits `kustomer.kobject.<name>.create`.
    pub fn create_kobject(
        &self,
        actor: &Actor,
        klass: &str,
        write: KObjectWrite,
        customer: Option<Id>,
        id: Option<Id>,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let klass = klass_named(&data, klass)?.clone();
        let title = write.title.clone().ok_or_else(|| {
            ApiError::bad_request("required", "`title` is required: 1 to 256 characters")
                .at_pointer("/title")
        })?;
        check_write(&write)?;
        let customer = object_customer(&data, &write, customer)?;
        let company = write
            .company
            .as_deref()
            .map(|text| parse_id(text, "company"))
            .transpose()?;
        let custom = write.custom.unwrap_or_default();
        kobject_custom::check(&custom, &klass)?;
        if let Some(external_id) = &write.external_id {
            check_external_id_free(&data, klass.id, external_id, None)?;
        }
        let now = self.clock.now();
        let id = id.unwrap_or_else(|| actor.new_id(self, "kobject"));
        let object = KObject {
            id,
            attributes: KObjectAttributes {
                title,
                description: write.description,
                external_id: write.external_id,
                icon: write.icon,
                images: write.images.unwrap_or_default(),
                s3_data_url: None,
                data: write.data.unwrap_or_default(),
                custom,
                tags: write.tags.unwrap_or_default(),
                // A KObject written with its creation time (an import, a fixture) has not
                // changed since: sync clients page by `updatedAt`.
                updated_at: write.created_at.unwrap_or(now),
                created_at: write.created_at.unwrap_or(now),
                imported_at: write.imported_at,
                rev: 1,
                first_done: None,
                last_done: None,
                done_count: 0,
                reopen_count: 0,
                reopen_from_done_count: 0,
                queue: None,
                assigned_user: None,
                status: None,
            },
            relationships: KObjectRelationships {
                org: ToOne::new(org.id),
                klass: ToOne::new(klass.id),
                customer: customer.map(ToOne::new),
                company: company.map(ToOne::new),
            },
            klass: klass.attributes.name.clone(),
        };
        self.publish_commit(&org, actor, Commit::Create(&object));
        let resource = object.resource();
        data.kobjects.insert(id, object);
        Ok(resource)
    }

    /// `PUT`/`PATCH /v1/klasses/{name}/{id}`: changes what the body names (`custom`
    /// attributes are merged, a `null` value kept as null); emits
    /// `kustomer.kobject.<name>.update` with `changes`.
    pub fn update_kobject(
        &self,
        actor: &Actor,
        klass: &str,
        id: Id,
        write: KObjectWrite,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let klass = klass_named(&data, klass)?.clone();
        let before = data
            .kobjects
            .get(&id)
            .filter(|o| o.relationships.klass.id == klass.id)
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found(&format!("{} KObject", klass.attributes.name), &id.to_hex())
            })?;
        if write.created_at.is_some() {
            return Err(ApiError::bad_request(
                "read_only_attribute",
                "`createdAt` of a kobject is set when it is created and cannot be changed",
            )
            .at_pointer("/createdAt"));
        }
        check_write(&write)?;
        let customer = if write.customer.is_some() {
            object_customer(&data, &write, None)?
        } else {
            before.relationships.customer.map(|c| c.id)
        };
        let company = match &write.company {
            Some(text) => Some(parse_id(text, "company")?),
            None => before.relationships.company.map(|c| c.id),
        };
        if let Some(external_id) = &write.external_id {
            check_external_id_free(&data, klass.id, external_id, Some(id))?;
        }
        self.check_object_limit(&org, actor, id, "kobject")?;
        let mut after = before.clone();
        let a = &mut after.attributes;
        if let Some(custom) = write.custom {
            let mut merged = a.custom.clone();
            merged.extend(custom);
            kobject_custom::check(&merged, &klass)?;
            a.custom = merged;
        }
        if let Some(v) = write.title {
            a.title = v;
        }
        if let Some(v) = write.description {
            a.description = Some(v);
        }
        if let Some(v) = write.external_id {
            a.external_id = Some(v);
        }
        if let Some(v) = write.icon {
            a.icon = Some(v);
        }
        if let Some(v) = write.images {
            a.images = v;
        }
        if let Some(v) = write.data {
            a.data = v;
        }
        if let Some(v) = write.tags {
            a.tags = v;
        }
        if let Some(v) = write.imported_at {
            a.imported_at = Some(v);
        }
        after.relationships.customer = customer.map(ToOne::new);
        after.relationships.company = company.map(ToOne::new);
        let after = self.commit_stamped(&org, actor, before, after);
        let resource = after.resource();
        data.kobjects.insert(id, after);
        Ok(resource)
    }

    /// `DELETE /v1/klasses/{name}/{id}`; emits `kustomer.kobject.<name>.delete`.
    pub fn delete_kobject(&self, actor: &Actor, klass: &str, id: Id) -> Result<(), ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let klass_id = klass_named(&data, klass)?.id;
        if data
            .kobjects
            .get(&id)
            .is_none_or(|o| o.relationships.klass.id != klass_id)
        {
            return Err(ApiError::not_found(
                &format!("{klass} KObject"),
                &id.to_hex(),
            ));
        }
        if let Some(removed) = data.kobjects.shift_remove(&id) {
            self.publish_commit(&org, actor, Commit::Delete(&removed));
        }
        Ok(())
    }

    /// `GET /v1/klasses/{name}/{id}`.
    pub fn get_kobject(&self, org: Id, klass: &str, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let klass_id = klass_named(&data, klass)?.id;
        data.kobjects
            .get(&id)
            .filter(|o| o.relationships.klass.id == klass_id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found(&format!("{klass} KObject"), &id.to_hex()))
    }

    /// `GET /v1/klasses/{name}/externalId={externalId}`.
    pub fn kobject_by_external_id(
        &self,
        org: Id,
        klass: &str,
        external_id: &str,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let klass_id = klass_named(&data, klass)?.id;
        data.kobjects
            .values()
            .find(|o| {
                o.relationships.klass.id == klass_id
                    && o.attributes.external_id.as_deref() == Some(external_id)
            })
            .map(Record::resource)
            .ok_or_else(|| {
                ApiError::not_found(&format!("{klass} KObject with externalId"), external_id)
            })
    }

    /// `GET /v1/klasses/{name}` (and `/v1/customers/{id}/klasses/{name}` with the
    /// customer), in creation order.
    pub fn list_kobjects(
        &self,
        org: Id,
        klass: &str,
        customer: Option<Id>,
        page: Page,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let klass_id = klass_named(&data, klass)?.id;
        if let Some(customer) = customer
            && !data.customers.contains_key(&customer)
        {
            return Err(ApiError::not_found("customer", &customer.to_hex()));
        }
        Ok(listing(
            page,
            data.kobjects.values().filter(|o| {
                o.relationships.klass.id == klass_id
                    && customer.is_none_or(|c| o.relationships.customer.map(|r| r.id) == Some(c))
            }),
        ))
    }

    /// `GET /v1/companies/{id}/klasses/{name}`: the klass's KObjects whose `company`
    /// relationship names the company, in creation order.
    pub fn company_kobjects(
        &self,
        org: Id,
        company: Id,
        klass: &str,
        page: Page,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        if !data.companies.contains_key(&company) {
            return Err(ApiError::not_found("company", &company.to_hex()));
        }
        let klass_id = klass_named(&data, klass)?.id;
        Ok(listing(
            page,
            data.kobjects.values().filter(|o| {
                o.relationships.klass.id == klass_id
                    && o.relationships.company.map(|r| r.id) == Some(company)
            }),
        ))
    }
}

/// The object's customer: the path's or the body's (not two different), which must exist.
fn object_customer(
    data: &OrgData,
    write: &KObjectWrite,
    path: Option<Id>,
) -> Result<Option<Id>, ApiError> {
    let named = write
        .customer
        .as_deref()
        .map(|text| parse_id(text, "customer"))
        .transpose()?;
    let customer = match (path, named) {
        (Some(id), Some(other)) if id != other => {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`customer` `{other}` is not the customer of the path (`{id}`): leave it out or name the same one"),
            )
            .at_pointer("/customer"));
        }
        (Some(id), _) | (None, Some(id)) => Some(id),
        (None, None) => None,
    };
    match customer {
        Some(id) if !data.customers.contains_key(&id) => match path {
            Some(_) => Err(ApiError::not_found("customer", &id.to_hex())),
            None => Err(ApiError::bad_request(
                "invalid_value",
                format!("`customer` `{id}` is not a customer of the org"),
            )
            .at_pointer("/customer")),
        },
        other => Ok(other),
    }
}

/// Lengths and counts Kustomer checks on a write.
fn check_write(write: &KObjectWrite) -> Result<(), ApiError> {
    let too_long = |field: &str, max: usize| {
        ApiError::bad_request(
            "invalid_value",
            format!("`{field}` is longer than {max} characters"),
        )
        .at_pointer(format!("/{field}"))
    };
    for (field, value, min, max) in [
        ("title", write.title.as_deref(), 1, 256),
        ("externalId", write.external_id.as_deref(), 1, 256),
        ("description", write.description.as_deref(), 0, 10240),
        ("icon", write.icon.as_deref(), 0, 64),
    ] {
        if let Some(value) = value {
            let len = value.chars().count();
            if len > max {
                return Err(too_long(field, max));
            }
            if len < min {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("`{field}` cannot be empty"),
                )
                .at_pointer(format!("/{field}")));
            }
        }
    }
    for (field, items) in [("images", &write.images), ("tags", &write.tags)] {
        if let Some(items) = items
            && items.len() > 20
        {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`{field}` holds {} items; at most 20", items.len()),
            )
            .at_pointer(format!("/{field}")));
        }
    }
    Ok(())
}

/// An `externalId` names one object of its klass.
fn check_external_id_free(
    data: &OrgData,
    klass: Id,
    external_id: &str,
    except: Option<Id>,
) -> Result<(), ApiError> {
    let taken = data.kobjects.values().find(|o| {
        o.relationships.klass.id == klass
            && Some(o.id) != except
            && o.attributes.external_id.as_deref() == Some(external_id)
    });
    match taken {
        Some(other) => Err(ApiError::conflict(
            "duplicate_external_id",
            format!(
                "KObject `{}` of this klass already has externalId `{external_id}`",
                other.id
            ),
        )
        .at_pointer("/externalId")),
        None => Ok(()),
    }
}
