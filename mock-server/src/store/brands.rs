//! Brands: created and merge-updated through the one commit path
//! (`kustomer.brand.create/update`, with `changes`). The org's first brand is its
//! default; Kustomer's reference has no write that moves the default, nor does the mock.

use serde_json::Value;

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::{Actor, Listing, Page, Store};
use crate::error::ApiError;
use crate::model::{Brand, BrandWrite, Record};
use crate::support::ids::Id;

impl Store {
    /// `POST /v1/brands`: `name` and `iconUrl` are required, as the reference has them.
    pub fn create_brand(
        &self,
        actor: &Actor,
        write: BrandWrite,
        options: CreateOptions,
    ) -> Result<Value, ApiError> {
        let name = required(write.name.as_deref(), "name", "the brand's name")?;
        required(
            write.icon_url.as_ref().and_then(Option::as_deref),
            "iconUrl",
            "the URL of the brand's icon",
        )?;
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let id = options.id.unwrap_or_else(|| actor.new_id(self, "brand"));
        if data.brands.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a brand with id `{id}` already exists"),
            ));
        }
        let now = options.created_at.unwrap_or_else(|| self.clock.now());
        let mut brand = Brand::new(id, org.id, actor.user, name.to_string(), now);
        brand.attributes.icon_url = write.icon_url.flatten();
        brand.attributes.default = data.brands.is_empty();
        self.publish_commit(&org, actor, Commit::Create(&brand));
        let resource = brand.resource();
        data.brands.insert(id, brand);
        Ok(resource)
    }

    /// `PATCH /v1/brands/{id}`: a merge update of the fields the body names.
    pub fn update_brand(
        &self,
        actor: &Actor,
        id: Id,
        write: BrandWrite,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .brands
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("brand", &id.to_hex()))?;
        let mut after = before.clone();
        if let Some(name) = &write.name {
            after.attributes.name = required(Some(name), "name", "the brand's name")?.to_string();
        }
        if let Some(icon_url) = &write.icon_url {
            let icon = required(
                icon_url.as_deref(),
                "iconUrl",
                "the URL of the brand's icon",
            )?;
            after.attributes.icon_url = Some(icon.to_string());
        }
        self.check_object_limit(&org, actor, id, "brand")?;
        let after = self.commit_stamped(&org, actor, before, after);
        let resource = after.resource();
        data.brands.insert(id, after);
        Ok(resource)
    }

    /// `GET /v1/brands/{id}`.
    pub fn get_brand(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.brands
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("brand", &id.to_hex()))
    }

    /// `GET /v1/brands/default`: 404 while the org has no brand.
    pub fn default_brand(&self, org: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.brands
            .values()
            .find(|b| b.attributes.default)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("brand", "default"))
    }

    /// `GET /v1/brands`, in creation order.
    pub fn list_brands(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(super::users::listing(page, data.brands.values()))
    }
}

/// The text of a required field: absent or blank is a 400 naming it.
/// `value`, present and not blank, within the document's length for `field`.
fn required<'a>(value: Option<&'a str>, field: &str, what: &str) -> Result<&'a str, ApiError> {
    let max = if field == "iconUrl" { 2048 } else { 256 };
    match value {
        Some(text) if text.chars().count() > max => Err(ApiError::bad_request(
            "invalid_value",
            format!("`{field}` is longer than {max} characters"),
        )
        .at_pointer(format!("/{field}"))),
        Some(text) if !text.trim().is_empty() => Ok(text),
        _ => Err(ApiError::bad_request(
            "required",
            format!("`{field}` is required: {what} (at least 1 character)"),
        )
        .at_pointer(format!("/{field}"))),
    }
}
