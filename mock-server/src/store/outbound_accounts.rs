//! Outbound accounts: added by fixtures, listed by `GET /v1/outboundAccounts`, without
//! events (the mock has no channel set-up to change them).

use super::{Listing, Page, Store};
use crate::error::ApiError;
use crate::model::{
    MessageChannel, OutboundAccount, OutboundAccountAttributes, OutboundAccountRelationships, ToOne,
};
use crate::support::ids::Id;

impl Store {
    /// Adds an outbound account (fixtures).
    pub fn create_outbound_account(
        &self,
        org: Id,
        id: Option<Id>,
        channel: MessageChannel,
        name: &str,
        account: &str,
    ) -> Result<OutboundAccount, ApiError> {
        let state = self.org_state(org)?;
        for (field, value) in [("name", name), ("account", account)] {
            if value.trim().is_empty() {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("an outbound account's `{field}` cannot be empty"),
                )
                .at_pointer(format!("/{field}")));
            }
        }
        let mut data = state.write();
        let id = id.unwrap_or_else(|| self.ids.next(self.clock.now()));
        if data.outbound_accounts.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("an outbound account with id `{id}` already exists"),
            ));
        }
        let account = OutboundAccount {
            id,
            attributes: OutboundAccountAttributes {
                channel,
                name: name.to_string(),
                account: account.to_string(),
            },
            relationships: OutboundAccountRelationships {
                org: ToOne::new(org),
            },
        };
        data.outbound_accounts.insert(id, account.clone());
        Ok(account)
    }

    /// `GET /v1/outboundAccounts`, in creation order.
    pub fn list_outbound_accounts(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(super::users::listing(page, data.outbound_accounts.values()))
    }
}
