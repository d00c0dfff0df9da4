//! A conversation's JSON:API resource written straight from the record: the same bytes
//! as serializing [`Record::resource`], without building a `serde_json::Value` first.
//!
//! Building the `Value` (a map per object, a string per id and timestamp) and then
//! serializing it was most of the cost of answering `GET /v1/conversations/{id}`; the
//! responses of the conversation routes use this instead. `Record::resource` stays the
//! definition: the tests below check both give the same bytes, field for field.
//!
//! [`Record::resource`]: super::Record::resource

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::conversation::Conversation;
use crate::clock::Timestamp;
use crate::ids::Id;

/// `{"data": <resource>}`, the body of the single-conversation routes.
pub fn data_json(conversation: &Conversation) -> Vec<u8> {
    let mut out = Vec::with_capacity(1280);
    out.extend_from_slice(b"{\"data\":");
    write_resource(conversation, &mut out);
    out.push(b'}');
    out
}

/// Appends the resource object to `out`.
pub fn write_resource(conversation: &Conversation, out: &mut Vec<u8>) {
    let view = Resource {
        kind: "conversation",
        id: conversation.id,
        attributes: Attributes::of(conversation),
        relationships: Relationships::of(conversation),
        links: SelfLink {
            this: Link("conversations", conversation.id, ""),
        },
    };
    // Writing to a Vec cannot fail, and every field serializes.
    let _ = serde_json::to_writer(out, &view);
}

/// `/v1/<collection>/<id><suffix>`, written without an intermediate `String`.
struct Link(&'static str, Id, &'static str);

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/v1/{}/{}{}", self.0, self.1, self.2)
    }
}

impl Serialize for Link {
    /// Assembled in a stack buffer: `collect_str` went through the `fmt` machinery,
    /// which was a visible share of a `GET`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 96];
        let mut len = 0;
        let parts: [&[u8]; 5] = [
            b"/v1/",
            self.0.as_bytes(),
            b"/",
            &self.1.hex_bytes(),
            self.2.as_bytes(),
        ];
        for part in parts {
            match buf.get_mut(len..len + part.len()) {
                Some(slot) => slot.copy_from_slice(part),
                None => return serializer.collect_str(self),
            }
            len += part.len();
        }
        match std::str::from_utf8(&buf[..len]) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => serializer.collect_str(self),
        }
    }
}

#[derive(Serialize)]
struct Resource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: Id,
    attributes: Attributes<'a>,
    relationships: Relationships,
    links: SelfLink,
}

#[derive(Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    this: Link,
}

/// The attributes, in the order of `Conversation::attributes`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Attributes<'a> {
    name: &'a Option<String>,
    status: &'static str,
    priority: u8,
    direction: &'static str,
    tags: &'a [Id],
    assigned_users: &'a [Id],
    assigned_teams: &'a [Id],
    custom: &'a Map<String, Value>,
    external_id: &'a Option<String>,
    snooze: &'a Option<Value>,
    ended: bool,
    ended_at: Option<Timestamp>,
    done_count: u32,
    reopen_count: u32,
    rev: u64,
    created_at: Timestamp,
    updated_at: Timestamp,
    modified_at: Timestamp,
    imported_at: Option<Timestamp>,
    modification_history: &'a BTreeMap<String, Timestamp>,
}

impl<'a> Attributes<'a> {
    fn of(c: &'a Conversation) -> Self {
        Attributes {
            name: &c.name,
            status: c.status.as_str(),
            priority: c.priority,
            direction: c.direction.as_str(),
            tags: &c.tags,
            assigned_users: &c.assigned_users,
            assigned_teams: &c.assigned_teams,
            custom: &c.custom,
            external_id: &c.external_id,
            snooze: &c.snooze,
            ended: c.ended,
            ended_at: c.ended_at,
            done_count: c.done_count,
            reopen_count: c.reopen_count,
            rev: c.rev,
            created_at: c.created_at,
            updated_at: c.updated_at,
            modified_at: c.modified_at,
            imported_at: c.imported_at,
            modification_history: &c.modification_history,
        }
    }
}

/// The relationships, in the order of `Conversation::relationships`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationships {
    customer: ToOne,
    created_by: ToOne,
    modified_by: ToOne,
    org: ToOne,
    messages: LinksOnly,
}

impl Relationships {
    fn of(c: &Conversation) -> Self {
        Relationships {
            customer: ToOne::linked("customer", "customers", c.customer),
            created_by: ToOne::linked("user", "users", c.created_by),
            modified_by: ToOne::linked("user", "users", c.modified_by),
            org: ToOne {
                data: Data {
                    kind: "org",
                    id: c.org,
                },
                links: None,
            },
            messages: LinksOnly {
                links: SelfLink {
                    this: Link("conversations", c.id, "/messages"),
                },
            },
        }
    }
}

/// `super::to_one`: `{"data": {"type", "id"}, "links": {"self"}}` (no links for the org).
#[derive(Serialize)]
struct ToOne {
    data: Data,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<SelfLink>,
}

impl ToOne {
    fn linked(kind: &'static str, collection: &'static str, id: Id) -> Self {
        ToOne {
            data: Data { kind, id },
            links: Some(SelfLink {
                this: Link(collection, id, ""),
            }),
        }
    }
}

#[derive(Serialize)]
struct Data {
    #[serde(rename = "type")]
    kind: &'static str,
    id: Id,
}

#[derive(Serialize)]
struct LinksOnly {
    links: SelfLink,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::conversation::Direction;
    use crate::model::{ConversationStatus, Record};
    use serde_json::json;

    fn id(n: u8) -> Id {
        Id::from_bytes([n; 12])
    }

    fn plain() -> Conversation {
        let t = Timestamp::from_millis(1_795_478_400_123);
        let mut c = Conversation::open(id(1), id(2), id(3), id(4), t);
        c.modified_by = id(5);
        c
    }

    fn full() -> Conversation {
        let mut c = plain();
        let t = Timestamp::from_millis(1_800_000_000_456);
        c.name = Some("Refund \"now\" — ünïcode \\ \n\t\u{1}".into());
        c.status = ConversationStatus::Done;
        c.priority = 5;
        c.direction = Direction::Out;
        c.tags = vec![id(10), id(11)];
        c.assigned_users = vec![id(12)];
        c.assigned_teams = vec![id(13), id(14)];
        c.custom = match json!({"vipBool": true, "score": 1.5, "big": 12345678901234i64, "nested": {"b": [1, null, "x"], "a": {}}, "empty": ""})
        {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        c.external_id = Some("ext-1".into());
        c.snooze = Some(json!({"until": "2026-12-01T00:00:00.000Z"}));
        c.ended = true;
        c.ended_at = Some(t);
        c.done_count = 2;
        c.reopen_count = 1;
        c.rev = 7;
        c.updated_at = t;
        c.modified_at = t;
        c.imported_at = Some(Timestamp::from_millis(0));
        c.modification_history.insert("statusAt".into(), t);
        c.modification_history.insert("nameAt".into(), t);
        c
    }

    #[test]
    fn same_bytes_as_the_resource_value() {
        for c in [plain(), full()] {
            let canonical = serde_json::to_vec(&json!({ "data": c.resource() })).unwrap();
            assert_eq!(
                String::from_utf8(data_json(&c)).unwrap(),
                String::from_utf8(canonical).unwrap()
            );
        }
    }
}
