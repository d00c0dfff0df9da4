//! What every phase starts from: the acme fixtures, limits high enough never to answer
//! 429 during a measurement, and many open conversations written through the store.

use std::path::PathBuf;

use kustomer_mock::CreateOptions;
use kustomer_mock::model::{
    ConversationWrite, Direction, KObjectWrite, LimitsPatch, MessageChannel, MessageWrite,
};
use kustomer_mock::{Actor, Cause, FixtureBundle, Id, Store};

/// The `acme-admin` fixture token (fixtures/acme.json; public test data).
pub const ADMIN_TOKEN: &str = "kmk_acme_admin_7c3e9a1f5d2b8e64";
/// The fixture conversation every single-record measurement reads.
pub const CONVERSATION: &str = "64a0c0ffee00000000000b01";
/// Ada, the customer the bench's conversations belong to.
const CUSTOMER: &str = "64a0c0ffee00000000000c01";

/// The repository root (the bench runs from anywhere); this crate is harness/bench.
pub fn repo_root() -> PathBuf {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or_default()
}

pub fn acme() -> FixtureBundle {
    FixtureBundle::from_file(&repo_root().join("fixtures/acme.json"))
        .expect("fixtures/acme.json loads")
}

/// Limits no measurement reaches: the org budget and the per-object update limit are
/// what a load test would spend in the first second otherwise.
pub fn high_limits() -> LimitsPatch {
    LimitsPatch {
        requests_per_window: Some(u32::MAX),
        object_updates_per_window: Some(u32::MAX),
        customer_creates_per_window: Some(u32::MAX),
        customer_messages_per_window: Some(u32::MAX),
        search_per_window: Some(u32::MAX),
        ..LimitsPatch::default()
    }
}

/// Creates `n` open conversations in the acme org (through the store, so each emits its
/// create event like the API would); returns their ids in creation order.
pub fn populate(store: &Store, n: usize) -> Vec<Id> {
    let actor = fixture_actor(store);
    (0..n)
        .map(|i| {
            let write = ConversationWrite {
                customer: Some(CUSTOMER.to_string()),
                name: Some(Some(format!("Bench conversation {i}"))),
                priority: Some(3),
                ..ConversationWrite::default()
            };
            let resource = store
                .create_conversation(&actor, write, CreateOptions::default())
                .expect("a bench conversation is created");
            resource["id"]
                .as_str()
                .and_then(Id::parse)
                .expect("the created conversation has an id")
        })
        .collect()
}

/// The acme org's system user, unlimited: what writes the bench's records.
fn fixture_actor(store: &Store) -> Actor {
    let org_id = store.org_by_name("acme").expect("the acme org is loaded");
    let org = store.org_state(org_id).expect("acme").org();
    Actor::new(
        org_id,
        org.system_user,
        "fixture",
        None,
        Cause::root(org_id),
    )
    .unlimited()
}

/// Records `each` messages on every conversation of `ids` (through the store, so each
/// updates its conversation and emits its events as the API would): an inbound email
/// first, then replies in turn.
pub fn add_messages(store: &Store, ids: &[Id], each: usize) {
    let actor = fixture_actor(store);
    for &id in ids {
        for i in 0..each {
            let direction = if i % 2 == 0 {
                Direction::In
            } else {
                Direction::Out
            };
            let write = MessageWrite {
                channel: Some(MessageChannel::Email),
                app: Some("postmark".into()),
                direction: Some(direction),
                preview: Some(format!("Bench message {i}")),
                ..MessageWrite::default()
            };
            store
                .create_message(&actor, write, Some(id))
                .expect("a bench message is created");
        }
    }
}

/// Creates `n` KObjects of the acme `order` klass for Ada, each with custom attributes
/// (through the store, so each emits its create event).
pub fn add_kobjects(store: &Store, n: usize) {
    let actor = fixture_actor(store);
    for i in 0..n {
        let mut custom = serde_json::Map::new();
        custom.insert("orderNumberStr".into(), format!("B{i}").into());
        custom.insert("totalNum".into(), (i % 500).into());
        custom.insert("statusStr".into(), "paid".into());
        let write = KObjectWrite {
            title: Some(format!("Bench order {i}")),
            custom: Some(custom),
            ..KObjectWrite::default()
        };
        let customer = Id::parse(CUSTOMER);
        store
            .create_kobject(&actor, "order", write, customer, None)
            .expect("a bench KObject is created");
    }
}

/// `/v1/conversations/<id>` for each id, shuffled deterministically so consecutive
/// requests do not walk the store in order.
pub fn conversation_paths(ids: &[Id]) -> Vec<String> {
    let mut paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/v1/conversations/{id}"))
        .collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..paths.len()).rev() {
        state = kustomer_mock::mix(state);
        paths.swap(i, (state % (i as u64 + 1)) as usize);
    }
    paths
}
