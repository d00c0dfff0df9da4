//! The id and instant of a bulk job: the items themselves go through each object's own
//! create/update/delete (see `api/bulk.rs`), so only the job's identity is made here.

use super::{Actor, Store};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

impl Store {
    /// A new bulk job's id (derived from the request like every id it creates) and now.
    pub fn new_bulk_job(&self, actor: &Actor) -> (Id, Timestamp) {
        (actor.new_id(self, "bulk"), self.clock.now())
    }
}
