//! The fields a search names (`conversation_status`, `customer_emails`, ...), the records
//! each reads, and the kind of value it holds.

use std::borrow::Cow;

use super::search::Op;

/// Which records a search reads (`queryContext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchContext {
    Conversation,
    Customer,
}

impl SearchContext {
    /// The contexts the mock serves, by their `queryContext` names.
    pub const NAMES: &'static [&'static str] = &["conversation", "customer"];

    pub fn parse(text: &str) -> Option<SearchContext> {
        match text {
            "conversation" => Some(SearchContext::Conversation),
            "customer" => Some(SearchContext::Customer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SearchContext::Conversation => "conversation",
            SearchContext::Customer => "customer",
        }
    }

    /// The fixed field names of this context (custom attributes come on top).
    pub fn field_names(self) -> &'static [&'static str] {
        match self {
            SearchContext::Conversation => &[
                "conversation_created_at",
                "conversation_updated_at",
                "conversation_status",
                "conversation_tags",
                "conversation_name",
                "conversation_priority",
                "conversation_customer_id",
                "conversation_custom_<name>",
            ],
            SearchContext::Customer => &[
                "customer_name",
                "customer_created_at",
                "customer_updated_at",
                "customer_emails",
            ],
        }
    }
}

/// A searchable field, as named in criteria and `sort`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchField {
    ConversationCreatedAt,
    ConversationUpdatedAt,
    ConversationStatus,
    ConversationTags,
    ConversationName,
    ConversationPriority,
    ConversationCustomerId,
    /// `conversation_custom_<name>`: the conversation's `custom.<name>`.
    ConversationCustom(String),
    CustomerName,
    CustomerCreatedAt,
    CustomerUpdatedAt,
    CustomerEmails,
}

/// The prefix of custom-attribute fields of conversations.
const CUSTOM_PREFIX: &str = "conversation_custom_";

impl SearchField {
    /// The field called `name`, of either context.
    pub fn parse(name: &str) -> Option<SearchField> {
        Some(match name {
            "conversation_created_at" => SearchField::ConversationCreatedAt,
            "conversation_updated_at" => SearchField::ConversationUpdatedAt,
            "conversation_status" => SearchField::ConversationStatus,
            "conversation_tags" => SearchField::ConversationTags,
            "conversation_name" => SearchField::ConversationName,
            "conversation_priority" => SearchField::ConversationPriority,
            "conversation_customer_id" => SearchField::ConversationCustomerId,
            "customer_name" => SearchField::CustomerName,
            "customer_created_at" => SearchField::CustomerCreatedAt,
            "customer_updated_at" => SearchField::CustomerUpdatedAt,
            "customer_emails" => SearchField::CustomerEmails,
            _ => match name.strip_prefix(CUSTOM_PREFIX) {
                Some(custom) if !custom.is_empty() => {
                    SearchField::ConversationCustom(custom.to_string())
                }
                _ => return None,
            },
        })
    }

    /// The name the query uses.
    pub fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            SearchField::ConversationCreatedAt => "conversation_created_at",
            SearchField::ConversationUpdatedAt => "conversation_updated_at",
            SearchField::ConversationStatus => "conversation_status",
            SearchField::ConversationTags => "conversation_tags",
            SearchField::ConversationName => "conversation_name",
            SearchField::ConversationPriority => "conversation_priority",
            SearchField::ConversationCustomerId => "conversation_customer_id",
            SearchField::ConversationCustom(name) => {
                return Cow::Owned(format!("{CUSTOM_PREFIX}{name}"));
            }
            SearchField::CustomerName => "customer_name",
            SearchField::CustomerCreatedAt => "customer_created_at",
            SearchField::CustomerUpdatedAt => "customer_updated_at",
            SearchField::CustomerEmails => "customer_emails",
        })
    }

    /// The context whose records carry this field.
    pub fn context(&self) -> SearchContext {
        match self {
            SearchField::CustomerName
            | SearchField::CustomerCreatedAt
            | SearchField::CustomerUpdatedAt
            | SearchField::CustomerEmails => SearchContext::Customer,
            _ => SearchContext::Conversation,
        }
    }

    /// What kind of value the field holds.
    pub fn kind(&self) -> FieldKind {
        match self {
            SearchField::ConversationCreatedAt
            | SearchField::ConversationUpdatedAt
            | SearchField::CustomerCreatedAt
            | SearchField::CustomerUpdatedAt => FieldKind::Time,
            SearchField::ConversationName | SearchField::CustomerName => FieldKind::Text,
            SearchField::ConversationStatus => FieldKind::Status,
            SearchField::ConversationPriority => FieldKind::Number,
            SearchField::ConversationCustomerId => FieldKind::Id,
            SearchField::ConversationTags => FieldKind::Tags,
            SearchField::CustomerEmails => FieldKind::Emails,
            SearchField::ConversationCustom(_) => FieldKind::Any,
        }
    }
}

/// The kind of value a field holds: it decides the operators the field takes and the type
/// of their operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An instant (`*_created_at`, `*_updated_at`); operands are ISO-8601 timestamps.
    Time,
    /// Free text (`*_name`), possibly absent.
    Text,
    /// `open`, `snoozed` or `done`.
    Status,
    /// A whole number (`conversation_priority`).
    Number,
    /// A record id (`conversation_customer_id`).
    Id,
    /// Tag ids; an operand names a tag by id or by name.
    Tags,
    /// Email entries, matched by their `email` (case-insensitive).
    Emails,
    /// Any JSON value (custom attributes).
    Any,
}

impl FieldKind {
    /// The operators a field of this kind takes.
    pub fn operators(self) -> &'static [Op] {
        use Op::*;
        match self {
            FieldKind::Time | FieldKind::Number => &[Eq, Ne, Gt, Gte, Lt, Lte, In, Exists],
            FieldKind::Text => &[Eq, Ne, In, Contains, Exists],
            FieldKind::Status | FieldKind::Id => &[Eq, Ne, In, Exists],
            FieldKind::Tags | FieldKind::Emails => &[Eq, Ne, In, Contains, Exists],
            FieldKind::Any => &[Eq, Ne, Gt, Gte, Lt, Lte, In, Contains, Exists],
        }
    }

    /// Whether records can be sorted by a field of this kind (lists cannot).
    pub fn sortable(self) -> bool {
        !matches!(self, FieldKind::Tags | FieldKind::Emails)
    }
}
