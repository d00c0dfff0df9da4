//! The store: org-scoped in-memory state and the only place records change.
//!
//! REST handlers, native workflow actions, fixtures and the admin API all write through
//! the functions of this module, so `rev`, timestamps, `changes`, limits and events can
//! never disagree between paths. Each org's records sit behind one `RwLock`; a write
//! publishes its event while holding it, so the event log holds every record's events
//! in commit order.

mod assignees;
mod brands;
mod bulk_jobs;
mod commit;
mod companies;
mod conversation_attributes;
mod conversations;
mod customer_attributes;
mod customer_counts;
mod customer_limits;
mod customer_merge_rules;
mod customer_merges;
mod customer_records;
mod customers;
mod draft_sending;
mod drafts;
mod fixture_objects;
pub mod fixtures;
mod fixtures_klasses;
mod hooks;
mod keys;
mod klasses;
mod kobject_custom;
mod kobjects;
mod message_lookups;
mod messages;
mod notes;
mod outbound_accounts;
pub mod persist;
mod published_events;
mod record_events;
mod schedules;
mod search;
mod search_contexts;
mod search_fields;
mod shortcuts;
pub mod snapshot;
mod stamp;
mod tags;
mod teams;
mod users;
mod validate;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use dashmap::DashMap;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::events::EventBus;
use crate::events::cause::Cause;
use crate::http::limits::Limiter;
use crate::model::{ApiKey, Conversation, Customer, LimitsPatch, Note, Org, OrgLimits, Tag, User};
use crate::support::clock::{Clock, Timestamp};
use crate::support::ids::{Id, IdGen};

pub use assignees::Assignee;
pub use companies::CompanyFilter;
pub use conversations::{CreateOptions, TagOp};
pub use customers::ContactList;
pub use fixtures::{FixtureBundle, FixtureError, SeedReport};
pub use hooks::HookOptions;
pub use keys::KeySpec;
pub use messages::MessagesOf;
pub use notes::NotesOf;
pub use persist::StateError;
pub use record_events::EventsOf;
pub use search::{
    Criterion, FieldKind, Op, Operand, READ_CAP, SearchContext, SearchField, SearchQuery, SortKey,
    Target, Test, field_names,
};
pub use search_contexts::OBJECT_CONTEXTS;
pub use snapshot::StoreSnapshot;
pub use tags::DeletedFilter;
pub use teams::TeamSpec;

/// Who writes, on whose behalf, and because of what.
#[derive(Debug)]
pub struct Actor {
    pub org: Id,
    /// The machine user shown as `modifiedBy`.
    pub user: Id,
    /// The event's `client`: `api-gw` for `/v1`, `workflow` for native actions, `fixture`
    /// and `admin` for the admin API.
    pub client: &'static str,
    /// The request (or native action) the write belongs to; ids it creates derive from it.
    pub request_id: Option<Id>,
    /// The cause stamped on the events of this write (shared with them).
    pub cause: Arc<Cause>,
    /// Whether the per-object update limit applies (not for fixtures and admin).
    pub limited: bool,
    created: AtomicU32,
}

impl Actor {
    /// An actor for one request or action.
    pub fn new(
        org: Id,
        user: Id,
        client: &'static str,
        request_id: Option<Id>,
        cause: impl Into<Arc<Cause>>,
    ) -> Actor {
        Actor {
            org,
            user,
            client,
            request_id,
            cause: cause.into(),
            limited: true,
            created: AtomicU32::new(0),
        }
    }

    /// The same actor, exempt from the per-object limit (fixtures, admin).
    pub fn unlimited(mut self) -> Actor {
        self.limited = false;
        self
    }

    /// A fresh id: derived from the request when there is one (so concurrent workflow
    /// runs get reproducible ids), else the next of the sequence.
    fn new_id(&self, store: &Store, salt: &str) -> Id {
        let n = self.created.fetch_add(1, Ordering::Relaxed);
        match self.request_id {
            Some(request) => store.ids.derive(
                store.clock.now(),
                &[request.as_bytes(), salt.as_bytes(), &n.to_be_bytes()],
            ),
            None => store.ids.next(store.clock.now()),
        }
    }
}

/// One org's records.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct OrgData {
    pub conversations: IndexMap<Id, Conversation>,
    pub customers: IndexMap<Id, Customer>,
    pub tags: IndexMap<Id, Tag>,
    pub users: IndexMap<Id, User>,
    #[serde(default)]
    pub notes: IndexMap<Id, Note>,
    #[serde(default)]
    pub messages: IndexMap<Id, crate::model::Message>,
    pub keys: IndexMap<Id, Arc<ApiKey>>,
    #[serde(default)]
    pub teams: IndexMap<Id, crate::model::Team>,
    #[serde(default)]
    pub shortcuts: IndexMap<Id, crate::model::Shortcut>,
    #[serde(default)]
    pub companies: IndexMap<Id, crate::model::Company>,
    #[serde(default)]
    pub drafts: IndexMap<Id, crate::model::Draft>,
    #[serde(default)]
    pub outbound_accounts: IndexMap<Id, crate::model::OutboundAccount>,
    pub klasses: IndexMap<Id, crate::model::Klass>,
    #[serde(default)]
    pub kobjects: IndexMap<Id, crate::model::KObject>,
    pub hooks: IndexMap<Id, crate::model::Hook>,
    #[serde(default)]
    pub brands: IndexMap<Id, crate::model::Brand>,
    #[serde(default)]
    pub schedules: IndexMap<Id, crate::model::Schedule>,
    #[serde(default)]
    pub customer_merges: IndexMap<Id, crate::model::CustomerMerge>,
}

/// An org: its settings and its records.
#[derive(Debug)]
pub struct OrgState {
    /// Shared with every request that reads it; replaced (copied on write) when changed.
    org: RwLock<Arc<Org>>,
    data: RwLock<OrgData>,
    /// Tag ids found in `data`: a tag is never removed (a deleted one is kept, marked),
    /// so a workflow run asking again need not wait for the data lock behind writers.
    known_tags: dashmap::DashSet<Id>,
}

impl OrgState {
    /// The org's settings as they are now: every request reads them, and a copy of their
    /// strings each time was an allocation and a free per request for nothing.
    pub fn org(&self) -> Arc<Org> {
        Arc::clone(&self.org.read())
    }

    /// Changes the settings; requests holding the old ones keep them.
    fn change_org(&self, change: impl FnOnce(&mut Org)) {
        let mut org = self.org.write();
        change(Arc::make_mut(&mut org));
    }

    fn read(&self) -> RwLockReadGuard<'_, OrgData> {
        self.data.read()
    }

    fn write(&self) -> RwLockWriteGuard<'_, OrgData> {
        self.data.write()
    }
}

/// Paging of a list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based.
    pub number: usize,
    pub size: usize,
}

impl Page {
    fn slice<T: Clone>(&self, items: impl Iterator<Item = T>) -> Vec<T> {
        items
            .skip((self.number - 1).saturating_mul(self.size))
            .take(self.size)
            .collect()
    }
}

/// A page of resources and the total number of records that matched.
#[derive(Debug, Clone)]
pub struct Listing {
    pub data: Vec<serde_json::Value>,
    pub total: usize,
}

/// The whole state of a server.
#[derive(Debug)]
pub struct Store {
    pub(crate) clock: Clock,
    pub(crate) ids: IdGen,
    pub(crate) bus: Arc<EventBus>,
    pub(crate) limiter: Limiter,
    orgs: DashMap<Id, Arc<OrgState>>,
    org_names: DashMap<String, Id>,
    keys_by_digest: DashMap<[u8; 32], Arc<ApiKey>>,
    /// The org used when an admin call names none (the first org created).
    default_org: RwLock<Option<Id>>,
    /// Server-level limits, applied to every new org after its own (fixture) limits.
    limits_override: RwLock<Option<LimitsPatch>>,
    /// When the next scheduled draft is due, in epoch milliseconds (`draft_sending.rs`).
    draft_due: AtomicI64,
}

impl Store {
    pub fn new(clock: Clock, seed: u64, bus: Arc<EventBus>) -> Store {
        Store {
            clock,
            ids: IdGen::new(seed),
            bus,
            limiter: Limiter::new(),
            orgs: DashMap::new(),
            org_names: DashMap::new(),
            keys_by_digest: DashMap::new(),
            default_org: RwLock::new(None),
            limits_override: RwLock::new(None),
            draft_due: AtomicI64::new(draft_sending::NONE_DUE),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn ids(&self) -> &IdGen {
        &self.ids
    }

    pub fn bus(&self) -> &Arc<EventBus> {
        &self.bus
    }

    pub fn limiter(&self) -> &Limiter {
        &self.limiter
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The org with this id.
    pub fn org_state(&self, org: Id) -> Result<Arc<OrgState>, ApiError> {
        self.orgs
            .get(&org)
            .map(|o| Arc::clone(o.value()))
            .ok_or_else(|| ApiError::not_found("org", &org.to_hex()))
    }

    /// The org with this name.
    pub fn org_by_name(&self, name: &str) -> Option<Id> {
        self.org_names.get(name).map(|id| *id)
    }

    /// The org an admin call means: by name or id when given, else the default org.
    pub fn resolve_org(&self, name_or_id: Option<&str>) -> Result<Id, ApiError> {
        match name_or_id {
            Some(text) => self
                .org_by_name(text)
                .or_else(|| Id::parse(text).filter(|id| self.orgs.contains_key(id)))
                .ok_or_else(|| {
                    ApiError::bad_request("unknown_org", format!("There is no org named `{text}`"))
                        .at_pointer("/org")
                }),
            None => self.default_org.read().ok_or_else(|| {
                ApiError::bad_request(
                    "no_org",
                    "There is no org yet: seed fixtures or name an org",
                )
                .at_pointer("/org")
            }),
        }
    }

    /// Every org, in creation order of their ids.
    pub fn orgs(&self) -> Vec<Org> {
        let mut orgs: Vec<Org> = self.orgs.iter().map(|o| Org::clone(&o.org())).collect();
        orgs.sort_by(|a, b| a.name.cmp(&b.name));
        orgs
    }

    /// Sets server-level limits: every org created from now on gets them, on top of its
    /// own. `Err` names the bad field.
    pub fn set_limits_override(&self, patch: LimitsPatch) -> Result<(), (String, String)> {
        patch.apply(&mut OrgLimits::default())?;
        *self.limits_override.write() = Some(patch);
        Ok(())
    }

    /// The limits of a new org: Kustomer's defaults, then the org's own patch, then the
    /// server-level override.
    pub fn limits_for_new_org(
        &self,
        own: Option<&LimitsPatch>,
    ) -> Result<OrgLimits, (String, String)> {
        let mut limits = OrgLimits::default();
        if let Some(own) = own {
            own.apply(&mut limits)?;
        }
        if let Some(server) = self.limits_override.read().as_ref() {
            server.apply(&mut limits)?;
        }
        Ok(limits)
    }

    /// Forgets every org, key, record and limit counter.
    pub fn clear(&self) {
        self.orgs.clear();
        self.org_names.clear();
        self.keys_by_digest.clear();
        *self.default_org.write() = None;
        self.limiter.clear();
        // Restored state may hold scheduled drafts: the next check scans for them.
        self.draft_due.store(i64::MIN, Ordering::SeqCst);
    }
}
