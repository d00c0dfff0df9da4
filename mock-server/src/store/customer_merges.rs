//! Customer merges (`POST /v1/customers/merges` and the `kustomer.customer.merge` action):
//! the source customer's records move to the target, the target takes the merged
//! attributes, the source is deleted, and a merge record says so. All of it is one write
//! under the org's lock, so no request sees a half-merged pair.
//!
//! Every record that changes is an update with its own event and `changes`: each moved
//! conversation, message, note, draft and KObject (`kustomer.<object>.update`, its
//! `customer` relationship changed), then the target (`kustomer.customer.update`), then
//! the source (`kustomer.customer.delete`). Kustomer's merges are jobs whose status a
//! client reads back; the mock finishes the job before it answers, so the status is
//! always `success`.

use serde_json::Value;

use super::commit::Commit;
use super::customer_merge_rules::merge_into;
use super::stamp::Stamped;
use super::validate::parse_id;
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::{Customer, CustomerMerge, CustomerMergeWrite, Org, Record, ToOne};
use crate::support::ids::Id;

impl Store {
    /// Merges `write.source` into `write.target`; gives the merge record.
    pub fn merge_customers(
        &self,
        actor: &Actor,
        write: CustomerMergeWrite,
    ) -> Result<Value, ApiError> {
        let source = parse_id(&write.source, "source")?;
        let target = parse_id(&write.target, "target")?;
        if source == target {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`source` and `target` are the same customer (`{source}`): a customer cannot merge into itself"),
            )
            .at_pointer("/target"));
        }
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        for (id, field) in [(source, "/source"), (target, "/target")] {
            if !data.customers.contains_key(&id) {
                return Err(ApiError::not_found("customer", &id.to_hex()).at_pointer(field));
            }
        }
        self.check_object_limit(&org, actor, target, "customer")?;

        // The target as it was before anything moved: its update's `changes` show the
        // whole merge, the counts its new conversations brought included.
        let before = data.customers[&target].clone();
        self.move_customer_records(&org, actor, &mut data, source, target)?;
        let merged_away = data.customers.shift_remove(&source);
        let (Some(kept), Some(merged_away)) = (data.customers.get(&target), merged_away) else {
            unreachable!("both customers were found under the same lock");
        };
        let merged = merge_into(kept, &merged_away);
        let merged = self.commit_stamped(&org, actor, before, merged);
        data.customers.insert(target, merged);
        self.publish_commit(&org, actor, Commit::Delete(&merged_away));

        let id = actor.new_id(self, "customer_merge");
        let merge = CustomerMerge::new(id, org.id, actor.user, source, target, self.clock.now());
        let resource = merge.resource();
        data.customer_merges.insert(id, merge);
        Ok(resource)
    }

    /// `GET /v1/customers/merges/{id}`.
    pub fn get_customer_merge(&self, org: Id, id: Id) -> Result<Value, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        data.customer_merges
            .get(&id)
            .map(Record::resource)
            .ok_or_else(|| ApiError::not_found("customer merge", &id.to_hex()))
    }

    /// `GET /v1/customers/{id}/merges`: the merges the customer took part in, as source or
    /// target, oldest first. A merged-away customer no longer exists but its merges are
    /// still listed, as a client reading back the job needs them.
    pub fn customer_merges_of(
        &self,
        org: Id,
        customer: Id,
        page: Page,
    ) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let involved = data
            .customer_merges
            .values()
            .filter(|m| m.involves(customer));
        if !data.customers.contains_key(&customer) && involved.clone().next().is_none() {
            return Err(ApiError::not_found("customer", &customer.to_hex()));
        }
        Ok(super::users::listing(page, involved))
    }

    /// Re-points every record of `source` to `target`, each an update with its event.
    fn move_customer_records(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        source: Id,
        target: Id,
    ) -> Result<(), ApiError> {
        let conversations: Vec<Id> = data
            .conversations
            .values()
            .filter(|c| c.relationships.customer.id == source)
            .map(|c| c.id)
            .collect();
        for id in conversations {
            let before = data.conversations[&id].clone();
            let mut after = before.clone();
            after.relationships.customer = ToOne::new(target);
            // The moves are the merge's own writes: only the target's update is counted
            // against the per-object limit.
            self.commit_update_checked(org, actor, data, before, after, |_| ())?;
        }
        self.move_each(org, actor, &mut data.messages, |m| {
            repoint(&mut m.relationships.customer, source, target)
        });
        self.move_each(org, actor, &mut data.notes, |n| {
            repoint(&mut n.relationships.customer, source, target)
        });
        self.move_each(org, actor, &mut data.drafts, |d| {
            repoint(&mut d.relationships.customer, source, target)
        });
        self.move_each(org, actor, &mut data.kobjects, |k| {
            k.relationships
                .customer
                .as_mut()
                .is_some_and(|c| repoint(c, source, target))
        });
        Ok(())
    }

    /// Updates each record `repoint` changes (it says whether it did), in stored order.
    fn move_each<R: Stamped>(
        &self,
        org: &Org,
        actor: &Actor,
        records: &mut indexmap::IndexMap<Id, R>,
        repoint: impl Fn(&mut R) -> bool,
    ) {
        for record in records.values_mut() {
            let mut after = record.clone();
            if repoint(&mut after) {
                *record = self.commit_stamped(org, actor, record.clone(), after);
            }
        }
    }
}

/// Points `customer` at `target` if it names `source`; says whether it did.
fn repoint(customer: &mut ToOne<Customer>, source: Id, target: Id) -> bool {
    if customer.id != source {
        return false;
    }
    customer.id = target;
    true
}
