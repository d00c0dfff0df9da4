//! The records a scenario's `record` expectation can read: a `/v1` path of one record, as
//! the API serves it, read from the store (no request, so it spends no budget).

use kustomer_mock::{ApiError, Id, Store};
use serde_json::Value;

/// A parsed record path: the object (`conversation`, `kobject`, ...), for a KObject its
/// klass's name, and the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPath {
    pub kind: &'static str,
    pub klass: Option<String>,
    pub id: Id,
}

/// The collections a record path may name, with the object each holds.
const COLLECTIONS: &[(&str, &str)] = &[
    ("conversations", "conversation"),
    ("customers", "customer"),
    ("tags", "tag"),
    ("companies", "company"),
    ("messages", "message"),
    ("notes", "note"),
    ("users", "user"),
    ("teams", "team"),
    ("brands", "brand"),
    ("schedules", "schedule"),
    ("hooks", "hook"),
];

/// What a bad path is told to use instead.
pub fn record_paths() -> String {
    let collections: Vec<&str> = COLLECTIONS.iter().map(|(c, _)| *c).collect();
    format!(
        "/v1/<{}>/<id>, /v1/customers/merges/<id> or /v1/klasses/<klass name>/<id>",
        collections.join("|")
    )
}

impl RecordPath {
    /// `None` when `path` is not one record's `/v1` path.
    pub fn parse(path: &str) -> Option<RecordPath> {
        let rest = path.trim_end_matches('/').strip_prefix("/v1/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        let (kind, klass, id) = match parts.as_slice() {
            ["customers", "merges", id] => ("customer_merge", None, *id),
            ["klasses", klass, id] if !klass.is_empty() => {
                ("kobject", Some(klass.to_string()), *id)
            }
            [collection, id] => {
                let (_, kind) = COLLECTIONS.iter().find(|(c, _)| c == collection)?;
                (*kind, None, *id)
            }
            _ => return None,
        };
        Some(RecordPath {
            kind,
            klass,
            id: Id::parse(id)?,
        })
    }

    /// The record as `GET` of its path answers it (`data`).
    pub fn fetch(&self, store: &Store, org: Id) -> Result<Value, ApiError> {
        let id = self.id;
        match self.kind {
            "conversation" => store.get_conversation(org, id),
            "customer" => store.get_customer(org, id),
            "tag" => store.get_tag(org, id),
            "company" => store.get_company(org, id),
            "message" => store.get_message(org, id),
            "note" => store.get_note(org, id),
            "user" => store.get_user(org, id),
            "team" => store.get_team(org, id),
            "brand" => store.get_brand(org, id),
            "schedule" => store.get_schedule(org, id),
            "hook" => store.get_hook(org, id),
            "customer_merge" => store.get_customer_merge(org, id),
            _ => store.get_kobject(org, self.klass.as_deref().unwrap_or_default(), id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "64a0c0ffee00000000001b01";

    #[test]
    fn every_object_path_parses_and_others_do_not() {
        let kobject = RecordPath::parse(&format!("/v1/klasses/order/{ID}")).unwrap();
        assert_eq!(kobject.kind, "kobject");
        assert_eq!(kobject.klass.as_deref(), Some("order"));
        assert_eq!(
            RecordPath::parse(&format!("/v1/companies/{ID}/"))
                .unwrap()
                .kind,
            "company"
        );
        assert_eq!(
            RecordPath::parse(&format!("/v1/customers/merges/{ID}"))
                .unwrap()
                .kind,
            "customer_merge"
        );
        for bad in [
            format!("/v1/orders/{ID}"),
            "/v1/customers/not-an-id".to_string(),
            format!("/v2/customers/{ID}"),
            format!("/v1/customers/{ID}/conversations"),
            format!("/v1/klasses//{ID}"),
        ] {
            assert_eq!(RecordPath::parse(&bad), None, "{bad}");
        }
    }
}
