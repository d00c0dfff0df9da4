//! Adding one user or team to a conversation's assignees, as the built-in
//! `kustomer.conversation.assign-user` and `assign-team` actions do: read and written under
//! one lock, so an update between a workflow's read and its write cannot be lost.

use super::validate::{known_assignees, parse_id};
use super::{Actor, Store};
use crate::error::ApiError;
use crate::model::Record;
use crate::support::ids::Id;

/// Who joins a conversation's assignees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee<'a> {
    /// A user id, added to `assignedUsers`.
    User(&'a str),
    /// A team id, added to `assignedTeams`.
    Team(&'a str),
}

impl Store {
    /// Adds the assignee (already there: nothing changes but the update itself, as a PUT
    /// of the same list would) and commits through the one write path.
    pub fn assign_conversation(
        &self,
        actor: &Actor,
        id: Id,
        assignee: Assignee<'_>,
    ) -> Result<serde_json::Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .conversations
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("conversation", &id.to_hex()))?;
        let (text, field, teams) = match assignee {
            Assignee::User(text) => (text, "user", false),
            Assignee::Team(text) => (text, "team", true),
        };
        let added = parse_id(text, field)?;
        known_assignees(&data, &[added], field, teams)?;
        self.check_object_limit(&org, actor, id, "conversation")?;
        let mut after = before.clone();
        let list = if teams {
            &mut after.attributes.assigned_teams
        } else {
            &mut after.attributes.assigned_users
        };
        if !list.contains(&added) {
            list.push(added);
        }
        self.commit_update_checked(&org, actor, &mut data, before, after, Record::resource)
    }
}
