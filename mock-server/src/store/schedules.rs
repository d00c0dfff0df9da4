//! Schedules: business hours, created, replaced field by field and deleted through the
//! one commit path (`kustomer.schedule.create/update/delete`). The org's first schedule is
//! its default; `default: true` on a write moves the default there, and the schedule that
//! loses it is updated too (its own event).

use serde_json::{Map, Value};

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::{Org, Record, Schedule, ScheduleWrite};
use crate::support::ids::Id;

impl Store {
    /// `POST /v1/schedules`: `name`, `hours` and `timezone` are required.
    pub fn create_schedule(
        &self,
        actor: &Actor,
        write: ScheduleWrite,
        options: CreateOptions,
    ) -> Result<Value, ApiError> {
        for (field, present) in [
            ("name", write.name.is_some()),
            ("hours", write.hours.is_some()),
            ("timezone", write.timezone.is_some()),
        ] {
            if !present {
                return Err(ApiError::bad_request(
                    "required",
                    format!("`{field}` is required on a new schedule"),
                )
                .at_pointer(format!("/{field}")));
            }
        }
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let id = options.id.unwrap_or_else(|| actor.new_id(self, "schedule"));
        if data.schedules.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a schedule with id `{id}` already exists"),
            ));
        }
        let now = options.created_at.unwrap_or_else(|| self.clock.now());
        let mut schedule = Schedule::new(id, org.id, actor.user, now);
        apply_write(&mut schedule, &write)?;
        let first = data.schedules.is_empty();
        schedule.attributes.default = first || write.default == Some(true);
        if schedule.attributes.default && !first {
            self.drop_default(&org, actor, &mut data)?;
        }
        self.publish_commit(&org, actor, Commit::Create(&schedule));
        let resource = schedule.resource();
        data.schedules.insert(id, schedule);
        Ok(resource)
    }

    /// `PUT /v1/schedules/{id}`: changes the fields the body names.
    pub fn update_schedule(
        &self,
        actor: &Actor,
        id: Id,
        write: ScheduleWrite,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .schedules
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("schedule", &id.to_hex()))?;
        let mut after = before.clone();
        apply_write(&mut after, &write)?;
        if write.default == Some(false) && before.attributes.default {
            return Err(ApiError::bad_request(
                "invalid_value",
                "the default schedule stays the default until another is made the default (`default: true` on it)",
            )
            .at_pointer("/default"));
        }
        self.check_object_limit(&org, actor, id, "schedule")?;
        if write.default == Some(true) && !before.attributes.default {
            self.drop_default(&org, actor, &mut data)?;
            after.attributes.default = true;
        }
        let resource = self.commit_schedule_update(&org, actor, &mut data, before, after);
        Ok(resource)
    }

    /// `DELETE /v1/schedules/{id}`: removes it and answers it marked deleted. The default
    /// schedule cannot be deleted (409), as the org's hours would be gone.
    pub fn delete_schedule(&self, actor: &Actor, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let schedule = data
            .schedules
            .get(&id)
            .ok_or_else(|| ApiError::not_found("schedule", &id.to_hex()))?;
        if schedule.attributes.default {
            return Err(ApiError::conflict(
                "default_schedule",
                format!("schedule `{id}` is the org's default: make another the default first"),
            ));
        }
        let mut removed = data.schedules.shift_remove(&id).expect("found above");
        let now = self.clock.now();
        removed.attributes.deleted = true;
        removed.attributes.deleted_at = Some(now);
        removed.relationships.deleted_by = Some(crate::model::ToOne::new(actor.user));
        self.publish_commit(&org, actor, Commit::Delete(&removed));
        Ok(removed.resource())
    }

    /// `GET /v1/schedules/{id}`.
    pub fn get_schedule(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.schedules
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("schedule", &id.to_hex()))
    }

    /// `GET /v1/schedules/default`: 404 while the org has no schedule.
    pub fn default_schedule(&self, org: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.schedules
            .values()
            .find(|s| s.attributes.default)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("schedule", "default"))
    }

    /// `GET /v1/schedules`, in creation order.
    pub fn list_schedules(&self, org: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        Ok(super::users::listing(page, data.schedules.values()))
    }

    /// The current default schedule loses `default` (an update with its own event).
    fn drop_default(&self, org: &Org, actor: &Actor, data: &mut OrgData) -> Result<(), ApiError> {
        let Some(before) = data
            .schedules
            .values()
            .find(|s| s.attributes.default)
            .cloned()
        else {
            return Ok(());
        };
        let mut after = before.clone();
        after.attributes.default = false;
        self.commit_schedule_update(org, actor, data, before, after);
        Ok(())
    }

    fn commit_schedule_update(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        before: Schedule,
        after: Schedule,
    ) -> Value {
        let after = self.commit_stamped(org, actor, before, after);
        let resource = after.resource();
        data.schedules.insert(after.id, after);
        resource
    }
}

fn apply_write(schedule: &mut Schedule, write: &ScheduleWrite) -> Result<(), ApiError> {
    if let Some(name) = &write.name {
        if name.trim().is_empty() || name.chars().count() > 256 {
            return Err(ApiError::bad_request(
                "invalid_value",
                "`name` must be 1 to 256 characters",
            )
            .at_pointer("/name"));
        }
        schedule.attributes.name = name.clone();
    }
    if let Some(hours) = &write.hours {
        check_hours(hours)?;
        schedule.attributes.hours = hours.clone();
    }
    if let Some(timezone) = &write.timezone {
        if timezone.trim().is_empty() {
            return Err(ApiError::bad_request(
                "invalid_value",
                "`timezone` must be a time zone name, e.g. `America/New_York`",
            )
            .at_pointer("/timezone"));
        }
        schedule.attributes.timezone = timezone.clone();
    }
    Ok(())
}

/// `hours`: weekday keys `"0"` to `"6"`, each `null` or a non-empty list of
/// `[start, end]` minutes with `0 <= start < end <= 1440`.
fn check_hours(hours: &Map<String, Value>) -> Result<(), ApiError> {
    for (day, value) in hours {
        let at = format!("/hours/{day}");
        if !matches!(day.as_str(), "0" | "1" | "2" | "3" | "4" | "5" | "6") {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`hours` has `{day}`: the weekdays are \"0\" (Sunday) to \"6\""),
            )
            .at_pointer(at));
        }
        if value.is_null() {
            continue;
        }
        let ranges = value.as_array().filter(|r| !r.is_empty());
        let valid = ranges.is_some_and(|ranges| {
            ranges.iter().all(|range| {
                let pair: Option<Vec<u64>> = range
                    .as_array()
                    .filter(|p| p.len() == 2)
                    .and_then(|p| p.iter().map(Value::as_u64).collect());
                pair.is_some_and(|p| p[0] < p[1] && p[1] <= 1440)
            })
        });
        if !valid {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`hours.{day}` must be null or a list of [start, end] minutes (0 to 1440, start before end)"),
            )
            .at_pointer(at));
        }
    }
    Ok(())
}
