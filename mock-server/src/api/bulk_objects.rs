//! Which single-record write each object's bulk items take (see `bulk.rs`).

use serde_json::Value;

use super::bulk::BulkObject;
use crate::error::ApiError;
use crate::model::{
    CompanyWrite, ConversationWrite, CustomerWrite, KObjectWrite, MessageEdit, MessageWrite,
    NoteEdit, NoteWrite,
};
use crate::store::{Actor, CreateOptions, Store};
use crate::support::ids::Id;

pub struct Conversations;
pub struct Customers;
pub struct Companies;
pub struct Messages;
pub struct Notes;
pub struct KObjects;

impl BulkObject for Conversations {
    const COLLECTION: &'static str = "conversations";
    type Create = ConversationWrite;
    type Update = ConversationWrite;

    fn create(
        store: &Store,
        actor: &Actor,
        _: &str,
        w: ConversationWrite,
    ) -> Result<Value, ApiError> {
        store.create_conversation(actor, w, CreateOptions::default())
    }

    fn update(
        store: &Store,
        actor: &Actor,
        _: &str,
        id: Id,
        w: ConversationWrite,
    ) -> Result<Value, ApiError> {
        store.update_conversation(actor, id, w, false)
    }
}

impl BulkObject for Customers {
    const COLLECTION: &'static str = "customers";
    type Create = CustomerWrite;
    type Update = CustomerWrite;

    fn create(store: &Store, actor: &Actor, _: &str, w: CustomerWrite) -> Result<Value, ApiError> {
        store.create_customer(actor, w, CreateOptions::default())
    }

    fn update(
        store: &Store,
        actor: &Actor,
        _: &str,
        id: Id,
        w: CustomerWrite,
    ) -> Result<Value, ApiError> {
        store.update_customer(actor, id, w)
    }

    fn delete(store: &Store, actor: &Actor, _: &str, id: Id) -> Result<(), ApiError> {
        store.delete_customer(actor, id)
    }
}

impl BulkObject for Companies {
    const COLLECTION: &'static str = "companies";
    type Create = CompanyWrite;
    type Update = CompanyWrite;

    fn create(store: &Store, actor: &Actor, _: &str, w: CompanyWrite) -> Result<Value, ApiError> {
        store.create_company(actor, w, CreateOptions::default())
    }

    fn update(
        store: &Store,
        actor: &Actor,
        _: &str,
        id: Id,
        w: CompanyWrite,
    ) -> Result<Value, ApiError> {
        store.update_company(actor, id, w)
    }
}

impl BulkObject for Messages {
    const COLLECTION: &'static str = "messages";
    type Create = MessageWrite;
    type Update = MessageEdit;

    fn create(store: &Store, actor: &Actor, _: &str, w: MessageWrite) -> Result<Value, ApiError> {
        store.create_message(actor, w, None)
    }

    fn update(
        store: &Store,
        actor: &Actor,
        _: &str,
        id: Id,
        w: MessageEdit,
    ) -> Result<Value, ApiError> {
        store.update_message(actor, id, w)
    }
}

impl BulkObject for Notes {
    const COLLECTION: &'static str = "notes";
    type Create = NoteWrite;
    type Update = NoteEdit;

    fn create(store: &Store, actor: &Actor, _: &str, w: NoteWrite) -> Result<Value, ApiError> {
        store.create_note(actor, w, None)
    }

    fn update(
        store: &Store,
        actor: &Actor,
        _: &str,
        id: Id,
        w: NoteEdit,
    ) -> Result<Value, ApiError> {
        store.update_note(actor, id, w)
    }
}

/// `scope` is the klass's name.
impl BulkObject for KObjects {
    const COLLECTION: &'static str = "kobjects";
    type Create = KObjectWrite;
    type Update = KObjectWrite;

    fn create(
        store: &Store,
        actor: &Actor,
        klass: &str,
        w: KObjectWrite,
    ) -> Result<Value, ApiError> {
        store.create_kobject(actor, klass, w, None, None)
    }

    fn update(
        store: &Store,
        actor: &Actor,
        klass: &str,
        id: Id,
        w: KObjectWrite,
    ) -> Result<Value, ApiError> {
        store.update_kobject(actor, klass, id, w)
    }

    fn delete(store: &Store, actor: &Actor, klass: &str, id: Id) -> Result<(), ApiError> {
        store.delete_kobject(actor, klass, id)
    }
}
