//! The concrete request for each operation: path parameters filled with records the
//! running mock holds (found through its own list routes, so a new object needs no code
//! here beyond its collection's name), and a small valid body for the writes.

use std::collections::HashMap;

use serde_json::{Value, json};

/// One record of each kind the mock serves, as its answer's `data` member.
#[derive(Default)]
pub struct Records {
    by_collection: HashMap<&'static str, Value>,
    /// What the check's own creates made, by collection: deletes take these, so that
    /// deleting a klass finds it without KObjects and the fixtures stay for the reads.
    created: HashMap<&'static str, Value>,
    /// The ids each bulk create wrote, by its template: the bulk delete of the same
    /// template deletes them.
    bulk_created: HashMap<String, Vec<String>>,
    /// Two customers of the check's own for `POST /v1/customers/merges` (which deletes
    /// its source), so the records the other operations use stay.
    merge_pair: Option<(String, String)>,
}

/// Where each collection's records are listed, tried in order; `{conversation}` and
/// `{customer}` stand for the records found before.
pub const LISTS: &[(&str, &[&str])] = &[
    ("conversations", &["/v1/conversations?pageSize=100"]),
    ("customers", &["/v1/customers?pageSize=100"]),
    (
        "messages",
        &[
            "/v1/conversations/{conversation}/messages",
            "/v1/customers/{customer}/messages",
        ],
    ),
    (
        "notes",
        &["/v1/notes", "/v1/conversations/{conversation}/notes"],
    ),
    ("tags", &["/v1/tags"]),
    ("users", &["/v1/users"]),
    ("teams", &["/v1/teams"]),
    ("companies", &["/v1/companies"]),
    ("klasses", &["/v1/klasses"]),
    ("kobjects", &["/v1/klasses/{klass}"]),
    ("drafts", &["/v1/customers/{customer}/drafts"]),
    ("brands", &["/v1/brands"]),
    ("schedules", &["/v1/schedules"]),
    ("merges", &["/v1/customers/{customer}/merges"]),
    ("events", &["/v1/customers/{customer}/events"]),
];

impl Records {
    pub fn insert(&mut self, collection: &'static str, record: Value) {
        self.by_collection.insert(collection, record);
    }

    /// Keeps `record` (created by an operation) when its collection has none yet, or when
    /// it has more of the keys the lookups need than the one kept.
    pub fn offer(&mut self, template: &str, record: &Value) {
        if template.ends_with("/bulk") {
            let ids = record["attributes"]["ids"].as_array().into_iter().flatten();
            let ids = ids.filter_map(Value::as_str).map(str::to_string).collect();
            self.bulk_created.insert(template.to_string(), ids);
            return;
        }
        let Some(collection) = collection_of(template) else {
            return;
        };
        if !record["id"].is_string() {
            return;
        }
        self.created.insert(collection, record.clone());
        let better = self
            .get(collection)
            .is_none_or(|kept| lookup_keys(record) > lookup_keys(kept));
        if better {
            self.insert(collection, record.clone());
        }
    }

    /// For a delete: the records the check created stand in for the fixtures'. A klass
    /// is named in a KObject's path too, so only a klass id (deleting the klass itself)
    /// takes the created klass; a KObject path keeps the klass its KObject belongs to.
    pub fn for_delete(&self) -> Records {
        let mut records = Records {
            by_collection: self.by_collection.clone(),
            created: HashMap::new(),
            bulk_created: self.bulk_created.clone(),
            merge_pair: None,
        };
        for (collection, record) in &self.created {
            if *collection == "klasses" {
                records.created.insert(collection, record.clone());
            } else {
                records.by_collection.insert(collection, record.clone());
            }
        }
        records
    }

    /// The customers the merge operation merges: `source` into `target`.
    pub fn set_merge_pair(&mut self, source: String, target: String) {
        self.merge_pair = Some((source, target));
    }

    pub fn get(&self, collection: &str) -> Option<&Value> {
        self.by_collection.get(collection)
    }

    fn id(&self, collection: &str) -> Option<String> {
        Some(self.get(collection)?["id"].as_str()?.to_string())
    }

    fn attribute(&self, collection: &str, pointer: &str) -> Option<String> {
        let value = self.get(collection)?["attributes"].pointer(pointer)?;
        value.as_str().map(str::to_string)
    }

    /// A list path with the records found so far put in.
    pub fn list_path(&self, path: &str) -> Option<String> {
        let mut path = path.to_string();
        for (slot, collection) in [
            ("{conversation}", "conversations"),
            ("{customer}", "customers"),
        ] {
            if path.contains(slot) {
                path = path.replace(slot, &self.id(collection)?);
            }
        }
        if path.contains("{klass}") {
            path = path.replace("{klass}", &self.attribute("klasses", "/name")?);
        }
        Some(path)
    }

    /// The best record of a list for the lookups: the first with an external id, an email
    /// and a phone if there is one, else the first.
    pub fn pick(list: &[Value]) -> Option<Value> {
        let best = list.iter().map(lookup_keys).max()?;
        list.iter()
            .find(|record| lookup_keys(record) == best)
            .cloned()
    }

    /// The template with every parameter filled, or the parameter no record fills.
    pub fn fill(&self, template: &str) -> Result<String, String> {
        let segments: Vec<&str> = template.split('/').collect();
        let mut filled = Vec::with_capacity(segments.len());
        for (index, segment) in segments.iter().enumerate() {
            let previous = index.checked_sub(1).map(|i| segments[i]);
            let before_previous = index.checked_sub(2).map(|i| segments[i]);
            let value = if let Some(name) = parameter(segment) {
                self.path_value(name, previous, before_previous)
                    .ok_or_else(|| format!("no record to put in {segment}"))?
            } else if let Some((prefix, name)) = segment.split_once('=') {
                let collection = segments.get(2).copied().unwrap_or_default();
                let value = self
                    .lookup_value(prefix, collection, segments.get(3).copied())
                    .ok_or_else(|| format!("no record to put in {prefix}={name}"))?;
                format!("{prefix}={value}")
            } else {
                segment.to_string()
            };
            filled.push(value);
        }
        Ok(filled.join("/"))
    }

    fn path_value(
        &self,
        name: &str,
        previous: Option<&str>,
        before_previous: Option<&str>,
    ) -> Option<String> {
        match (before_previous, previous) {
            (Some("klasses"), Some(p)) if parameter(p).is_some() => self.id("kobjects"),
            (_, Some("klasses")) if name == "name" => self.attribute("klasses", "/name"),
            (_, Some("klasses")) => match self.created.get("klasses") {
                Some(klass) => klass["id"].as_str().map(str::to_string),
                None => self.id("klasses"),
            },
            (_, Some(collection)) => self.id(collection),
            _ => None,
        }
    }

    fn lookup_value(&self, key: &str, collection: &str, next: Option<&str>) -> Option<String> {
        let collection = match (collection, next) {
            ("klasses", Some(n)) if parameter(n).is_some() => "kobjects",
            (c, _) => c,
        };
        match key {
            "email" => self.attribute(collection, "/emails/0/email"),
            "phone" => self.attribute(collection, "/phones/0/phone"),
            _ => self.attribute(collection, "/externalId"),
        }
    }

    /// The query a request needs: a bulk delete names (`?ids=`) what the bulk create of
    /// its template wrote.
    pub fn query(&self, method: &str, template: &str) -> String {
        match (method, self.bulk_created.get(template)) {
            ("delete", Some(ids)) => format!("?ids={}", ids.join(",")),
            _ => String::new(),
        }
    }

    /// The body of a write: small, valid, and naming the records found.
    pub fn body(&self, method: &str, template: &str) -> Option<Value> {
        let shape = crate::operations::shape(template);
        let conversation = self.id("conversations");
        let customer = self.id("customers");
        let tag = self.attribute("tags", "/name");
        let id_of = |collection: &str| json!(self.id(collection));
        let body = match (method, shape.as_str()) {
            ("get", _) => return None,
            ("post", "/v1/conversations") => json!({
                "customer": customer,
                "name": "Conformance",
                "externalId": "conformance-conversation"
            }),
            ("post", "/v1/customers") => json!({
                "name": "Conformance Customer",
                "externalId": "conformance-customer",
                "emails": [{"email": "conformance@example.com"}],
                "phones": [{"phone": "+15555550100"}]
            }),
            ("post", "/v1/customers/{}/conversations") => json!({"name": "Conformance"}),
            ("post", "/v1/conversations/{}/messages") => message(None),
            ("post", "/v1/messages") => message(conversation),
            ("post", "/v1/customers/{}/messages") => message(None),
            ("post", "/v1/conversations/{}/notes") => json!({"body": "Conformance note"}),
            ("post", "/v1/notes") => {
                json!({"conversation": conversation, "body": "Conformance note"})
            }
            ("post" | "delete", "/v1/conversations/{}/tags") => json!([tag?]),
            ("post", "/v1/companies") => json!({"name": "Conformance Company"}),
            ("post", "/v1/klasses") => json!({"name": "conformance-klass"}),
            ("post", "/v1/klasses/{}" | "/v1/customers/{}/klasses/{}") => {
                json!({"title": "Conformance object"})
            }
            ("post", "/v1/customers/{}/drafts") => json!({
                "channel": "email",
                "conversation": conversation,
                "body": "Conformance draft"
            }),
            ("post", "/v1/customers/search") => json!({
                "queryContext": "conversation",
                "and": [{"conversation_customer_id": {"equals": customer}}]
            }),
            ("post", "/v1/brands") => json!({
                "name": "Conformance Brand",
                "iconUrl": "https://conformance.example/icon.svg"
            }),
            ("post", "/v1/schedules") => json!({
                "name": "Conformance hours",
                "timezone": "Europe/London",
                "default": false,
                "hours": {"0": null, "1": [[480, 960]]}
            }),
            ("put", "/v1/schedules/{}") => json!({"name": "Conformance hours 2"}),
            ("post", "/v1/customers/merges") => {
                let (source, target) = self.merge_pair.as_ref()?;
                json!({"source": source, "target": target})
            }
            ("post", "/v1/conversations/bulk") => {
                json!([{"customer": customer, "name": "Conformance bulk"}])
            }
            ("post", "/v1/customers/bulk") => json!([{"name": "Conformance Bulk Customer"}]),
            ("post", "/v1/companies/bulk") => json!([{"name": "Conformance Bulk Company"}]),
            ("post", "/v1/messages/bulk") => json!([message(conversation)]),
            ("post", "/v1/notes/bulk") => {
                json!([{"conversation": conversation, "body": "Conformance bulk note"}])
            }
            ("post", "/v1/klasses/{}/bulk") => json!([{"title": "Conformance bulk object"}]),
            ("put", "/v1/conversations/bulk") => {
                json!([{"id": id_of("conversations"), "name": "Conformance bulk"}])
            }
            ("put", "/v1/customers/bulk") => {
                json!([{"id": id_of("customers"), "name": "Conformance Bulk"}])
            }
            ("put", "/v1/companies/bulk") => {
                json!([{"id": id_of("companies"), "name": "Conformance Bulk Company"}])
            }
            ("put", "/v1/messages/bulk") => {
                json!([{"id": id_of("messages"), "preview": "Conformance bulk"}])
            }
            ("put", "/v1/notes/bulk") => {
                json!([{"id": id_of("notes"), "body": "Conformance bulk"}])
            }
            ("put", "/v1/klasses/{}/bulk") => {
                json!([{"id": id_of("kobjects"), "title": "Conformance bulk"}])
            }
            ("delete", _) => return None,
            _ => json!({}),
        };
        Some(body)
    }
}

fn message(conversation: Option<String>) -> Value {
    let mut body = json!({
        "channel": "email",
        "app": "postmark",
        "direction": "out",
        "preview": "Conformance reply",
        "externalId": "conformance-message"
    });
    if let Some(conversation) = conversation {
        body["conversation"] = json!(conversation);
    }
    body
}

/// How many of the keys the lookups read (external id, email, phone) a record has.
fn lookup_keys(record: &Value) -> usize {
    let attributes = &record["attributes"];
    usize::from(attributes["externalId"].is_string())
        + usize::from(attributes.pointer("/emails/0/email").is_some())
        + usize::from(attributes.pointer("/phones/0/phone").is_some())
}

/// The collection a create adds to: the template's last literal segment, as `LISTS`
/// names it (`/v1/customers/{id}/klasses/{name}` adds a KObject).
fn collection_of(template: &str) -> Option<&'static str> {
    let segments: Vec<&str> = template.split('/').collect();
    let last = segments.iter().rev().find(|s| parameter(s).is_none())?;
    let name = match *last {
        "klasses" if parameter(segments.last()?).is_some() => "kobjects",
        other => other,
    };
    LISTS.iter().map(|(c, _)| *c).find(|c| *c == name)
}

/// `id` of `{id}`.
fn parameter(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Records {
        let mut records = Records::default();
        records.insert(
            "customers",
            json!({"id": "c1", "attributes": {"externalId": "x1", "emails": [{"email": "a@b.c"}], "phones": []}}),
        );
        records.insert(
            "conversations",
            json!({"id": "v1", "attributes": {"externalId": "ext-v"}}),
        );
        records.insert(
            "klasses",
            json!({"id": "k1", "attributes": {"name": "order"}}),
        );
        records.insert(
            "kobjects",
            json!({"id": "o1", "attributes": {"externalId": "ord-1"}}),
        );
        records
    }

    #[test]
    fn parameters_take_the_record_of_their_collection() {
        let records = records();
        assert_eq!(
            records.fill("/v1/customers/{id}/conversations").unwrap(),
            "/v1/customers/c1/conversations"
        );
        assert_eq!(
            records.fill("/v1/klasses/{name}/{id}").unwrap(),
            "/v1/klasses/order/o1"
        );
        assert_eq!(
            records.fill("/v1/customers/email={email}").unwrap(),
            "/v1/customers/email=a@b.c"
        );
        assert_eq!(
            records
                .fill("/v1/klasses/{name}/externalId={externalId}")
                .unwrap(),
            "/v1/klasses/order/externalId=ord-1"
        );
        assert_eq!(
            records.fill("/v1/conversations/externalId={x}").unwrap(),
            "/v1/conversations/externalId=ext-v"
        );
    }

    #[test]
    fn a_parameter_without_a_record_is_named() {
        let records = records();
        assert_eq!(
            records.fill("/v1/customers/phone={phone}").unwrap_err(),
            "no record to put in phone={phone}"
        );
        assert_eq!(
            records.fill("/v1/companies/{id}").unwrap_err(),
            "no record to put in {id}"
        );
    }

    #[test]
    fn a_created_record_is_kept_when_it_serves_more_lookups() {
        let mut records = records();
        records.offer("/v1/customers", &json!({"id": "c2", "attributes": {"externalId": "x2", "emails": [{"email": "d@e.f"}], "phones": [{"phone": "+1"}]}}));
        assert_eq!(
            records.fill("/v1/customers/phone={phone}").unwrap(),
            "/v1/customers/phone=+1"
        );
        records.offer("/v1/customers", &json!({"id": "c3", "attributes": {}}));
        assert_eq!(
            records.fill("/v1/customers/{id}").unwrap(),
            "/v1/customers/c2"
        );
        records.offer(
            "/v1/conversations/{id}/messages",
            &json!({"id": "m1", "attributes": {}}),
        );
        assert_eq!(
            records.fill("/v1/messages/{id}").unwrap(),
            "/v1/messages/m1"
        );
        records.offer(
            "/v1/customers/{id}/klasses/{name}",
            &json!({"id": "o2", "attributes": {"externalId": "a", "phones": [{"phone": "p"}]}}),
        );
        assert_eq!(
            records.fill("/v1/klasses/{name}/{id}").unwrap(),
            "/v1/klasses/order/o2"
        );
    }

    #[test]
    fn the_lookups_prefer_a_record_with_every_key() {
        let list = [
            json!({"id": "a", "attributes": {}}),
            json!({"id": "b", "attributes": {"externalId": "x", "emails": [{"email": "e"}]}}),
            json!({"id": "c", "attributes": {"externalId": "y", "emails": [{"email": "f"}]}}),
        ];
        assert_eq!(Records::pick(&list).unwrap()["id"], "b");
    }
}
