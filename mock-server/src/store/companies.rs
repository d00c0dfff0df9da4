//! Companies: created and merge-updated like customers, through the same commit path
//! (`kustomer.company.create/update`, with `changes`).

use serde_json::Value;

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::validate::{at_most, contact_entries, optional_strings, parse_id, tag_ids};
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::customer::ContactEntry;
use crate::model::{Company, CompanyWrite, Record};
use crate::support::ids::Id;

/// Which companies `GET /v1/companies` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyFilter {
    /// Only the company with this `externalId`.
    pub external_id: Option<String>,
    /// Only companies whose name contains this text (without case).
    pub name: Option<String>,
}

impl Store {
    /// `POST /v1/companies`.
    pub fn create_company(
        &self,
        actor: &Actor,
        write: CompanyWrite,
        options: CreateOptions,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        if write.name.is_none() {
            return Err(ApiError::bad_request(
                "required",
                "`name` is required: the company's name (3 to 256 characters)",
            )
            .at_pointer("/name"));
        }
        let id = options.id.unwrap_or_else(|| actor.new_id(self, "company"));
        if data.companies.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a company with id `{id}` already exists"),
            ));
        }
        let now = options.created_at.unwrap_or_else(|| self.clock.now());
        let mut company = Company::new(id, org.id, actor.user, now);
        apply_write(&data, &mut company, &write)?;
        self.publish_commit(&org, actor, Commit::Create(&company));
        let resource = company.resource();
        data.companies.insert(id, company);
        Ok(resource)
    }

    /// `PUT`/`PATCH /v1/companies/{id}`: a merge update.
    pub fn update_company(
        &self,
        actor: &Actor,
        id: Id,
        write: CompanyWrite,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .companies
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("company", &id.to_hex()))?;
        let mut after = before.clone();
        apply_write(&data, &mut after, &write)?;
        self.check_object_limit(&org, actor, id, "company")?;
        let after = self.commit_stamped(&org, actor, before, after);
        let resource = after.resource();
        data.companies.insert(id, after);
        Ok(resource)
    }

    /// `GET /v1/companies/{id}`.
    pub fn get_company(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.companies
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("company", &id.to_hex()))
    }

    /// The company whose `externalId` is `external_id` (the workflow action
    /// `kustomer.company.find-by-external-id`; `GET /v1/companies?externalId=` lists it).
    pub fn company_by_external_id(&self, org: Id, external_id: &str) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.companies
            .values()
            .find(|c| c.attributes.external_id.as_deref() == Some(external_id))
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("company with externalId", external_id))
    }

    /// `GET /v1/companies`, in creation order. Kustomer ignores both filters when both
    /// are given, and so does the mock.
    pub fn list_companies(
        &self,
        org: Id,
        filter: &CompanyFilter,
        page: Page,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let (external_id, name) = match (&filter.external_id, &filter.name) {
            (Some(_), Some(_)) => (None, None),
            (e, n) => (e.as_deref(), n.as_deref().map(str::to_lowercase)),
        };
        let matching = data.companies.values().filter(|c| {
            external_id.is_none_or(|e| c.attributes.external_id.as_deref() == Some(e))
                && name
                    .as_deref()
                    .is_none_or(|n| c.attributes.name.to_lowercase().contains(n))
        });
        Ok(super::users::listing(page, matching))
    }
}

/// The company a customer's `company` names: an id of a company of this org.
pub(super) fn company_id(data: &OrgData, text: &str) -> Result<Id, ApiError> {
    let id = parse_id(text, "company")?;
    if !data.companies.contains_key(&id) {
        return Err(ApiError::bad_request(
            "unknown_company",
            format!(
                "`{id}` in `company` is not a company of this org (GET /v1/companies lists them)"
            ),
        )
        .at_pointer("/company"));
    }
    Ok(id)
}

/// A list of entries as written, the attribute it replaces, its name, and the member
/// each entry must carry as a string (`None`: only `type`, when present, is checked).
type EntryList<'a> = (
    &'a Option<Vec<ContactEntry>>,
    &'a mut Vec<ContactEntry>,
    &'static str,
    Option<&'static str>,
);

fn apply_write(data: &OrgData, c: &mut Company, write: &CompanyWrite) -> Result<(), ApiError> {
    let a = &mut c.attributes;
    if let Some(name) = &write.name {
        let length = name.trim().chars().count();
        if !(3..=256).contains(&length) {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`name` must be 3 to 256 characters (it has {length})"),
            )
            .at_pointer("/name"));
        }
        a.name = name.clone();
    }
    if let Some(external_id) = &write.external_id {
        if let Some(ext) = external_id {
            check_length("externalId", ext, 256)?;
            let taken = data.companies.values().any(|other| {
                other.id != c.id && other.attributes.external_id.as_deref() == Some(ext)
            });
            if taken {
                return Err(ApiError::conflict(
                    "duplicate_external_id",
                    format!("another company already has externalId `{ext}`"),
                )
                .at_pointer("/externalId"));
            }
        }
        a.external_id = external_id.clone();
    }
    let lists: [EntryList; 7] = [
        (&write.emails, &mut a.emails, "emails", Some("email")),
        (&write.phones, &mut a.phones, "phones", Some("phone")),
        (
            &write.whatsapps,
            &mut a.whatsapps,
            "whatsapps",
            Some("phone"),
        ),
        (&write.socials, &mut a.socials, "socials", Some("username")),
        (&write.urls, &mut a.urls, "urls", Some("url")),
        (&write.domains, &mut a.domains, "domains", Some("domain")),
        (&write.locations, &mut a.locations, "locations", None),
    ];
    for (written, field, name, key) in lists {
        let Some(entries) = written else { continue };
        at_most(entries.len(), 10, name)?;
        match key {
            Some(key) => contact_entries(entries, name, key)?,
            None => optional_strings(entries, name, "type")?,
        }
        *field = entries.clone();
    }
    if let Some(url) = &write.avatar_url {
        if let Some(text) = url {
            check_length("avatarUrl", text, 2048)?;
        }
        a.avatar_url = url.clone();
    }
    if let Some(lang) = &write.default_lang {
        if let Some(text) = lang {
            check_length("defaultLang", text, 100)?;
        }
        a.default_lang = lang.clone();
    }
    if let Some(count) = write.employee_count {
        if count.is_some_and(|n| n < 0.0) {
            return Err(ApiError::bad_request(
                "invalid_value",
                "`employeeCount` cannot be negative",
            )
            .at_pointer("/employeeCount"));
        }
        a.employee_count = count;
    }
    if let Some(at) = write.imported_at {
        a.imported_at = at;
    }
    if let Some(deleted) = write.deleted {
        a.deleted = deleted.unwrap_or(false);
    }
    if let Some(tags) = &write.tags {
        at_most(tags.len(), 20, "tags")?;
        a.tags = tag_ids(data, tags, "tags")?;
    }
    if let Some(custom) = &write.custom {
        for (key, value) in custom {
            if value.is_null() {
                a.custom.remove(key);
            } else {
                a.custom.insert(key.clone(), value.clone());
            }
        }
        at_most(a.custom.len(), 100, "custom")?;
    }
    Ok(())
}

fn check_length(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`{field}` is longer than {max} characters"),
        )
        .at_pointer(format!("/{field}")));
    }
    Ok(())
}
