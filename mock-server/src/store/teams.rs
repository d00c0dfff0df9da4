//! Teams: org configuration the admin API and fixtures add, which `/v1` only reads.
//! Like users, they are added without an event (the mock's workflows do not trigger on
//! them).

use super::Store;
use super::validate::parse_ids;
use crate::error::ApiError;
use crate::model::Team;
use crate::support::ids::Id;

/// What a new team should be.
#[derive(Debug, Clone, Default)]
pub struct TeamSpec {
    pub id: Option<Id>,
    pub name: String,
    pub display_name: Option<String>,
    pub icon: Option<String>,
    /// User ids, each of which must be a user of the org.
    pub members: Vec<String>,
}

impl Store {
    /// Adds a team; its name must be new in the org and its members users of it.
    pub fn create_team(&self, org: Id, spec: TeamSpec) -> Result<Team, ApiError> {
        let state = self.org_state(org)?;
        let creator = state.org().system_user;
        if spec.name.trim().is_empty() {
            return Err(
                ApiError::bad_request("invalid_value", "a team name cannot be empty")
                    .at_pointer("/name"),
            );
        }
        let members = parse_ids(&spec.members, "members")?;
        let now = self.clock.now();
        let mut data = state.write();
        for (i, member) in members.iter().enumerate() {
            if !data.users.contains_key(member) {
                return Err(ApiError::bad_request(
                    "unknown_user",
                    format!("`{member}` in `members` is not a user of this org (GET /v1/users lists them)"),
                )
                .at_pointer(format!("/members/{i}")));
            }
        }
        if data.teams.values().any(|t| t.attributes.name == spec.name) {
            return Err(ApiError::conflict(
                "duplicate_team",
                format!("a team named `{}` already exists in this org", spec.name),
            )
            .at_pointer("/name"));
        }
        let id = spec.id.unwrap_or_else(|| self.ids.next(now));
        if data.teams.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a team with id `{id}` already exists"),
            ));
        }
        let mut unique = Vec::with_capacity(members.len());
        for member in members {
            if !unique.contains(&member) {
                unique.push(member);
            }
        }
        let team = Team::new(
            id,
            org,
            &spec.name,
            spec.display_name.as_deref(),
            spec.icon,
            unique,
            creator,
            now,
        );
        data.teams.insert(id, team.clone());
        Ok(team)
    }
}
