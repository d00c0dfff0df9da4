//! Users and teams as `/v1` reads them: pages of users and teams, a user's teams, and the
//! page helper the read-only collections share. Users are created in `keys.rs` (machine
//! users come with keys and orgs); teams in `teams.rs`.

use super::{Listing, Page, Store};
use crate::error::ApiError;
use crate::model::{Record, Team};
use crate::support::ids::Id;

/// One page of `items` as resources, with how many there are in all.
pub(super) fn listing<'a, R: Record + 'a>(
    page: Page,
    items: impl Iterator<Item = &'a R> + Clone,
) -> Listing {
    let total = items.clone().count();
    Listing {
        data: page.slice(items.map(Record::resource)),
        total,
    }
}

impl Store {
    /// `GET /v1/users`: people and machine users, in creation order.
    pub fn list_users(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(listing(page, data.users.values()))
    }

    /// `GET /v1/users/{id}`.
    pub fn get_user(&self, org: Id, id: Id) -> Result<serde_json::Value, ApiError> {
        self.user(org, id).map(|u| u.resource())
    }

    /// `GET /v1/users/{id}/teams`: the teams that list the user among their members.
    pub fn user_teams(&self, org: Id, user: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        if !data.users.contains_key(&user) {
            return Err(ApiError::not_found("user", &user.to_hex()));
        }
        let member = move |t: &&Team| t.attributes.members.contains(&user);
        Ok(listing(page, data.teams.values().filter(member)))
    }

    /// `GET /v1/teams`, in creation order.
    pub fn list_teams(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(listing(page, data.teams.values()))
    }

    /// `GET /v1/teams/{id}`.
    pub fn get_team(&self, org: Id, id: Id) -> Result<serde_json::Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.teams
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("team", &id.to_hex()))
    }
}
