//! The whole store as one value: readable (`GET /__admin/state`) and restorable (saved
//! state). Keys are saved by token digest, so a saved state holds no token.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{OrgData, Store};
use crate::model::{Org, Record};
use crate::support::clock::Timestamp;

/// Everything needed to rebuild a store, ids sequence included.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreSnapshot {
    /// The format version of this snapshot.
    pub version: u32,
    pub seed: u64,
    pub id_position: u64,
    pub clock: Timestamp,
    pub orgs: Vec<OrgSnapshot>,
    /// Sections other components save with the store (the workflow engine's runs).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, Value>,
}

/// One org and its records.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgSnapshot {
    pub org: Org,
    pub data: OrgData,
}

/// The snapshot format this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

impl Store {
    /// The store as a restorable value.
    pub fn snapshot(&self) -> StoreSnapshot {
        let mut orgs: Vec<OrgSnapshot> = self
            .orgs
            .iter()
            .map(|entry| OrgSnapshot {
                org: Org::clone(&entry.org()),
                data: entry.read().clone(),
            })
            .collect();
        orgs.sort_by(|a, b| a.org.name.cmp(&b.org.name));
        StoreSnapshot {
            version: SNAPSHOT_VERSION,
            seed: self.ids.seed(),
            id_position: self.ids.position(),
            clock: self.clock.now(),
            orgs,
            extra: serde_json::Map::new(),
        }
    }

    /// Replaces the store's contents with a snapshot (the clock is left to the caller).
    pub fn restore(&self, snapshot: StoreSnapshot) {
        self.clear();
        self.ids.set_position(snapshot.id_position);
        // The default org is the first one the snapshot lists.
        for org in snapshot.orgs {
            self.insert_org(org.org, org.data);
        }
    }

    /// A readable view of everything: orgs, limits, keys (no tokens), users, teams and records as
    /// the API shows them.
    pub fn state_view(&self) -> Value {
        let orgs: Vec<Value> = self
            .orgs()
            .into_iter()
            .filter_map(|org| {
                let state = self.org_state(org.id).ok()?;
                let data = state.read();
                Some(json!({
                    "id": org.id,
                    "name": org.name,
                    "limits": org.limits,
                    "workflowUser": org.workflow_user,
                    "keys": data.keys.values().map(|k| k.info()).collect::<Vec<_>>(),
                    "users": data.users.values().map(Record::resource).collect::<Vec<_>>(),
                    "teams": data.teams.values().map(Record::resource).collect::<Vec<_>>(),
                    "shortcuts": data.shortcuts.values().map(Record::resource).collect::<Vec<_>>(),
                    "customers": data.customers.values().map(Record::resource).collect::<Vec<_>>(),
                    "tags": data.tags.values().map(Record::resource).collect::<Vec<_>>(),
                    "conversations": data.conversations.values().map(Record::resource).collect::<Vec<_>>(),
                    "notes": data.notes.values().map(Record::resource).collect::<Vec<_>>(),
                    "messages": data.messages.values().map(Record::resource).collect::<Vec<_>>(),
                    "companies": data.companies.values().map(Record::resource).collect::<Vec<_>>(),
                    "drafts": data.drafts.values().map(Record::resource).collect::<Vec<_>>(),
                    "outboundAccounts": data.outbound_accounts.values().map(Record::resource).collect::<Vec<_>>(),
                    "klasses": data.klasses.values().map(Record::resource).collect::<Vec<_>>(),
                    "kobjects": data.kobjects.values().map(Record::resource).collect::<Vec<_>>(),
                }))
            })
            .collect();
        json!({
            "clock": { "now": self.clock.now(), "virtual": self.clock.is_virtual() },
            "seed": self.ids.seed(),
            "orgs": orgs,
        })
    }
}
