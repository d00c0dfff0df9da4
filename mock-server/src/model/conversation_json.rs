//! A conversation's JSON:API resource written straight from the record: the same bytes
//! as serializing [`Record::resource`], without building a `serde_json::Value` first.
//!
//! Building the `Value` (a map per object, a string per id and timestamp) and then
//! serializing it was most of the cost of answering `GET /v1/conversations/{id}`; then
//! serde's derived serializer still spent ~20,000 instructions per conversation on keys,
//! separators and escape checks of ids and timestamps that cannot need escaping. Here the
//! fixed parts are written as bytes and only free text (names, custom attributes, a
//! snooze) goes through serde_json's escaping. `Record::resource` stays the definition:
//! the tests below check both give the same bytes, field for field.
//!
//! [`Record::resource`]: super::Record::resource

use serde::Serialize;

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
pub fn write_resource(c: &Conversation, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"type\":\"conversation\",\"id\":");
    id(out, c.id);
    out.extend_from_slice(b",\"attributes\":{\"name\":");
    text(out, &c.name);
    out.extend_from_slice(b",\"status\":\"");
    out.extend_from_slice(c.status.as_str().as_bytes());
    out.extend_from_slice(b"\",\"priority\":");
    number(out, c.priority.into());
    out.extend_from_slice(b",\"direction\":\"");
    out.extend_from_slice(c.direction.as_str().as_bytes());
    out.extend_from_slice(b"\",\"tags\":");
    ids(out, &c.tags);
    out.extend_from_slice(b",\"assignedUsers\":");
    ids(out, &c.assigned_users);
    out.extend_from_slice(b",\"assignedTeams\":");
    ids(out, &c.assigned_teams);
    out.extend_from_slice(b",\"custom\":");
    json(out, &c.custom);
    out.extend_from_slice(b",\"externalId\":");
    text(out, &c.external_id);
    out.extend_from_slice(b",\"snooze\":");
    json(out, &c.snooze);
    out.extend_from_slice(if c.ended {
        b",\"ended\":true,\"endedAt\":"
    } else {
        b",\"ended\":false,\"endedAt\":"
    });
    optional_time(out, c.ended_at);
    out.extend_from_slice(b",\"doneCount\":");
    number(out, c.done_count.into());
    out.extend_from_slice(b",\"reopenCount\":");
    number(out, c.reopen_count.into());
    out.extend_from_slice(b",\"rev\":");
    number(out, c.rev);
    out.extend_from_slice(b",\"createdAt\":");
    time(out, c.created_at);
    out.extend_from_slice(b",\"updatedAt\":");
    time(out, c.updated_at);
    out.extend_from_slice(b",\"modifiedAt\":");
    time(out, c.modified_at);
    out.extend_from_slice(b",\"importedAt\":");
    optional_time(out, c.imported_at);
    out.extend_from_slice(b",\"modificationHistory\":{");
    for (i, (field, at)) in c.modification_history.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json(out, field);
        out.push(b':');
        time(out, *at);
    }
    out.extend_from_slice(b"}},\"relationships\":{\"customer\":");
    to_one(out, "customer", Some("customers"), c.customer);
    out.extend_from_slice(b",\"createdBy\":");
    to_one(out, "user", Some("users"), c.created_by);
    out.extend_from_slice(b",\"modifiedBy\":");
    to_one(out, "user", Some("users"), c.modified_by);
    out.extend_from_slice(b",\"org\":");
    to_one(out, "org", None, c.org);
    out.extend_from_slice(b",\"messages\":{\"links\":{\"self\":");
    link(out, "conversations", c.id, "/messages");
    out.extend_from_slice(b"}}},\"links\":{\"self\":");
    link(out, "conversations", c.id, "");
    out.extend_from_slice(b"}}");
}

/// Any value, as serde_json writes it (escaping included).
fn json(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    // Writing to a Vec cannot fail, and these values always serialize.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A string or `null`.
fn text(out: &mut Vec<u8>, value: &Option<String>) {
    match value {
        Some(text) => json(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

fn number(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A quoted id: hex digits never need escaping.
fn id(out: &mut Vec<u8>, id: Id) {
    out.push(b'"');
    out.extend_from_slice(&id.hex_bytes());
    out.push(b'"');
}

fn ids(out: &mut Vec<u8>, list: &[Id]) {
    out.push(b'[');
    for (i, each) in list.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        id(out, *each);
    }
    out.push(b']');
}

/// A quoted ISO timestamp (ASCII digits and separators).
fn time(out: &mut Vec<u8>, at: Timestamp) {
    match at.iso_bytes() {
        Some(iso) => {
            out.push(b'"');
            out.extend_from_slice(&iso);
            out.push(b'"');
        }
        None => json(out, &at),
    }
}

fn optional_time(out: &mut Vec<u8>, at: Option<Timestamp>) {
    match at {
        Some(at) => time(out, at),
        None => out.extend_from_slice(b"null"),
    }
}

/// `"/v1/<collection>/<id><suffix>"` (ASCII, no escaping needed).
fn link(out: &mut Vec<u8>, collection: &str, id: Id, suffix: &str) {
    out.extend_from_slice(b"\"/v1/");
    out.extend_from_slice(collection.as_bytes());
    out.push(b'/');
    out.extend_from_slice(&id.hex_bytes());
    out.extend_from_slice(suffix.as_bytes());
    out.push(b'"');
}

/// `super::to_one`: `{"data": {"type", "id"}, "links": {"self"}}` (no links for the org).
fn to_one(out: &mut Vec<u8>, kind: &str, collection: Option<&str>, to: Id) {
    out.extend_from_slice(b"{\"data\":{\"type\":\"");
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b"\",\"id\":");
    id(out, to);
    match collection {
        Some(collection) => {
            out.extend_from_slice(b"},\"links\":{\"self\":");
            link(out, collection, to, "");
            out.extend_from_slice(b"}}");
        }
        None => out.extend_from_slice(b"}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::conversation::Direction;
    use crate::model::{ConversationStatus, Record};
    use serde_json::Value;
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
        // A year past 9999 takes the general formatter.
        let mut far = full();
        far.imported_at = Some(Timestamp::from_millis(300_000_000_000_000));
        far.modification_history
            .insert("we\"ird\nkey".into(), Timestamp::from_millis(-5));
        for c in [plain(), full(), far] {
            let canonical = serde_json::to_vec(&json!({ "data": c.resource() })).unwrap();
            assert_eq!(
                String::from_utf8(data_json(&c)).unwrap(),
                String::from_utf8(canonical).unwrap()
            );
        }
    }
}
