//! Customers: created and updated with the same commit path as conversations.

use serde_json::Value;

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::customer_attributes;
use super::validate::{contact_entries, tag_ids};
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::{Customer, CustomerWrite, Record, ToOne};
use crate::support::ids::Id;

impl Store {
    /// One customer as stored.
    pub fn customer(&self, org: Id, id: Id) -> Result<Customer, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.customers
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("customer", &id.to_hex()))
    }

    /// `GET /v1/customers/{id}`.
    pub fn get_customer(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        self.customer(org, id).map(|c| c.resource())
    }

    /// The customer with this `externalId`.
    pub fn customer_by_external_id(&self, org: Id, external_id: &str) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.customers
            .values()
            .find(|c| c.attributes.external_id.as_deref() == Some(external_id))
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("customer with externalId", external_id))
    }

    /// The customer with this email (any of its `emails`, compared without case).
    pub fn customer_by_email(&self, org: Id, email: &str) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.customers
            .values()
            .find(|c| {
                c.attributes.emails.iter().any(|e| {
                    e.get("email")
                        .and_then(Value::as_str)
                        .is_some_and(|x| x.eq_ignore_ascii_case(email))
                })
            })
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("customer with email", email))
    }

    /// `GET /v1/customers`, in creation order.
    pub fn list_customers(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(super::users::listing(page, data.customers.values()))
    }

    /// The customer with this phone number (any of its `phones`), compared by digits so
    /// `+1 800 555 1212` finds `18005551212`.
    pub fn customer_by_phone(&self, org: Id, phone: &str) -> Result<Value, ApiError> {
        let digits = super::customer_merge_rules::phone_digits;
        let wanted = digits(phone);
        let state = self.org_state(org)?;
        let data = state.read();
        data.customers
            .values()
            .find(|c| {
                !wanted.is_empty()
                    && c.attributes.phones.iter().any(|p| {
                        p.get("phone")
                            .and_then(Value::as_str)
                            .is_some_and(|x| digits(x) == wanted)
                    })
            })
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("customer with phone", phone))
    }

    /// `POST /v1/customers`.
    pub fn create_customer(
        &self,
        actor: &Actor,
        write: CustomerWrite,
        options: CreateOptions,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let id = options.id.unwrap_or_else(|| actor.new_id(self, "customer"));
        if data.customers.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a customer with id `{id}` already exists"),
            ));
        }
        let now = options.created_at.unwrap_or_else(|| self.clock.now());
        let mut customer = Customer::new(id, org.id, actor.user, now);
        apply_write(&data, &mut customer, &write)?;
        self.publish_commit(&org, actor, Commit::Create(&customer));
        let resource = customer.resource();
        data.customers.insert(id, customer);
        Ok(resource)
    }

    /// `PUT`/`PATCH /v1/customers/{id}`: a merge update.
    pub fn update_customer(
        &self,
        actor: &Actor,
        id: Id,
        write: CustomerWrite,
    ) -> Result<Value, ApiError> {
        self.change_customer(actor, id, |data, after| {
            apply_write(data, after, &write).map(|()| true)
        })
    }

    /// Adds `{<email|phone>: value, type}` to the customer's `emails` or `phones` unless
    /// the address (without case) or number (by digits) is there: one write, so an update
    /// landing between a read and a write back cannot be lost. Unchanged, it answers the
    /// customer as it is, without an update or its event.
    pub fn append_customer_contact(
        &self,
        actor: &Actor,
        id: Id,
        list: ContactList,
        value: &str,
        kind: &str,
    ) -> Result<Value, ApiError> {
        let field = list.field();
        let mut entry = serde_json::Map::new();
        entry.insert(field.into(), Value::String(value.to_string()));
        entry.insert("type".into(), Value::String(kind.to_string()));
        let name = match list {
            ContactList::Emails => "emails",
            ContactList::Phones => "phones",
        };
        contact_entries(std::slice::from_ref(&entry), name, field)?;
        self.change_customer(actor, id, |_, after| {
            let contacts = match list {
                ContactList::Emails => &mut after.attributes.emails,
                ContactList::Phones => &mut after.attributes.phones,
            };
            let had = contacts.len();
            super::customer_merge_rules::unite(contacts, &[entry], Some(field));
            Ok(contacts.len() != had)
        })
    }

    /// Every customer update: `change` edits a copy under the org's lock and says whether
    /// it changed anything (an error refuses the write); then the per-object limit, the
    /// stamps and the update event. An edit that changes nothing answers the customer as
    /// it is, without an update.
    fn change_customer(
        &self,
        actor: &Actor,
        id: Id,
        change: impl FnOnce(&OrgData, &mut Customer) -> Result<bool, ApiError>,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .customers
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("customer", &id.to_hex()))?;
        let mut after = before.clone();
        if !change(&data, &mut after)? {
            return Ok(before.resource());
        }
        self.check_object_limit(&org, actor, id, "customer")?;
        let after = self.commit_stamped(&org, actor, before, after);
        let resource = after.resource();
        data.customers.insert(id, after);
        Ok(resource)
    }
}

/// A customer's list of contacts an action appends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactList {
    Emails,
    Phones,
}

impl ContactList {
    /// The member holding each entry's value: `email` or `phone`.
    pub fn field(self) -> &'static str {
        match self {
            ContactList::Emails => "email",
            ContactList::Phones => "phone",
        }
    }
}

fn apply_write(data: &OrgData, c: &mut Customer, write: &CustomerWrite) -> Result<(), ApiError> {
    if let Some(name) = &write.name {
        c.attributes.name = name.clone();
    }
    if let Some(display) = &write.display_name {
        // `null` goes back to following `name`, as an unwritten `displayName` does.
        c.display_name_written = display.is_some();
        c.attributes.display_name = display.clone();
    }
    if !c.display_name_written {
        c.attributes.display_name = c.attributes.name.clone();
    }
    if let Some(emails) = &write.emails {
        contact_entries(emails, "emails", "email")?;
        c.attributes.emails = emails.clone();
    }
    if let Some(phones) = &write.phones {
        contact_entries(phones, "phones", "phone")?;
        c.attributes.phones = phones.clone();
    }
    if let Some(external_id) = &write.external_id {
        if let Some(ext) = external_id {
            let taken = data.customers.values().any(|other| {
                other.id != c.id && other.attributes.external_id.as_deref() == Some(ext)
            });
            if taken {
                return Err(ApiError::conflict(
                    "duplicate_external_id",
                    format!("another customer already has externalId `{ext}`"),
                )
                .at_pointer("/externalId"));
            }
        }
        c.attributes.external_id = external_id.clone();
    }
    if let Some(tags) = &write.tags {
        c.attributes.tags = tag_ids(data, tags, "tags")?;
    }
    if let Some(company) = &write.company {
        let id = company
            .as_deref()
            .map(|text| super::companies::company_id(data, text))
            .transpose()?;
        c.relationships.company = id.map(ToOne::new);
        c.attributes.company = id.map(|id| id.to_hex());
    }
    if let Some(custom) = &write.custom {
        for (key, value) in custom {
            if value.is_null() {
                c.attributes.custom.remove(key);
            } else {
                c.attributes.custom.insert(key.clone(), value.clone());
            }
        }
    }
    customer_attributes::apply_stored(&mut c.attributes, write)
}
