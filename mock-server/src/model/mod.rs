//! The Kustomer objects the mock keeps, each declared once.
//!
//! Each object's file declares its record (id, attributes, relationships) with derived
//! serde and utoipa traits, and its write body; [`resource`] holds what they share, and
//! [`Record`] gives every declared object the same reads by name. The rules for
//! *changing* records live in `store`, the single writer.

pub mod brand;
pub mod company;
pub mod conversation;
pub mod customer;
pub mod customer_merge;
pub mod draft;
pub mod hook;
pub mod insights;
pub mod key;
pub mod klass;
pub mod kobject;
pub mod listed;
pub mod message;
pub mod note;
pub mod org;
pub mod outbound_account;
pub mod pick;
pub mod resource;
pub mod schedule;
pub mod shortcut;
pub mod tag;
pub mod team;
pub mod unkept;
pub mod user;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use brand::{Brand, BrandAttributes, BrandRelationships, BrandWrite};
pub use company::{Company, CompanyAttributes, CompanyRelationships, CompanyWrite};
pub use conversation::{
    Conversation, ConversationAttributes, ConversationRelationships, ConversationStatus,
    ConversationWrite, Direction,
};
pub use customer::{Customer, CustomerAttributes, CustomerRelationships, CustomerWrite};
pub use customer_merge::{
    CustomerMerge, CustomerMergeAttributes, CustomerMergeRelationships, CustomerMergeWrite,
    MergeStatus,
};
pub use draft::{Draft, DraftAttributes, DraftRelationships, DraftStatus, DraftWrite};
pub use hook::{Hook, HookAttributes, HookRelationships, HookType, HookWrite};
pub use insights::{Milestone, Queue, Sentiment, SuggestedTag};
pub use key::{ApiKey, ApiKeyInfo};
pub use klass::{Klass, KlassAttributes, KlassRelationships, KlassWrite};
pub use kobject::{KObject, KObjectAttributes, KObjectRelationships, KObjectWrite};
pub use message::{
    LastMessage, Message, MessageAttributes, MessageChannel, MessageEdit, MessageRelationships,
    MessageStatus, MessageWrite,
};
pub use note::{Note, NoteAttributes, NoteEdit, NoteRelationships, NoteWrite};
pub use org::{LimitsPatch, Org, OrgLimits};
pub use outbound_account::{
    OutboundAccount, OutboundAccountAttributes, OutboundAccountRelationships,
};
pub use resource::{Kind, Resource, ToMany, ToOne};
pub use schedule::{Schedule, ScheduleAttributes, ScheduleRelationships, ScheduleWrite};
pub use shortcut::{Shortcut, ShortcutAttributes, ShortcutRelationships};
pub use tag::{Tag, TagAttributes, TagRelationships, TagWrite};
pub use team::{Team, TeamAttributes, TeamRelationships};
pub use user::{User, UserAttributes, UserRelationships, UserType};

/// The body a write route parses for object `Of`: its writable attributes.
pub trait Writable: DeserializeOwned {
    type Of: Resource;
}

/// Reads every declared object offers, by wire name, all from its derived serializers.
pub trait Record: Resource {
    /// The whole JSON:API resource object.
    fn resource(&self) -> Value {
        resource::resource_value(self)
    }

    /// One attribute, as the resource has it (`None`: no such attribute).
    fn attribute(&self, name: &str) -> Option<Value> {
        pick::field(self.attributes(), name)
    }

    /// One relationship, as the resource has it.
    fn relationship(&self, name: &str) -> Option<Value> {
        pick::field(self.relationships(), name)
    }

    /// The attributes as a JSON object.
    fn attribute_map(&self) -> Map<String, Value> {
        resource::attributes_map(self)
    }

    /// The relationships as a JSON object.
    fn relationship_map(&self) -> Map<String, Value> {
        resource::relationships_map(self)
    }
}

impl<R: Resource> Record for R {}
