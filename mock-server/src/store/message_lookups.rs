//! Messages found by a natural key (`kustomer.message.find-by-external`).

use serde_json::Value;

use super::Store;
use crate::error::ApiError;
use crate::model::Record;
use crate::support::ids::Id;

impl Store {
    /// The org's message with this `externalId` (the newest, if several have it).
    pub fn message_by_external_id(&self, org: Id, external_id: &str) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.messages
            .values()
            .rev()
            .find(|m| m.attributes.external_id.as_deref() == Some(external_id))
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("message with externalId", external_id))
    }
}
