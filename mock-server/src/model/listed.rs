//! A to-many relationship given by its records' references alone, with no link: a note's
//! `userMentions` is `{"data": [{"type": "user", "id": ...}]}` in Kustomer's answers.

use std::marker::PhantomData;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, Schema};

use super::resource::Kind;
use crate::support::ids::Id;

/// `{"data": [{"type": <K>, "id"}, ...]}`.
pub struct ToManyListed<K: Kind> {
    pub ids: Vec<Id>,
    kind: PhantomData<fn() -> K>,
}

impl<K: Kind> ToManyListed<K> {
    pub fn new(ids: Vec<Id>) -> ToManyListed<K> {
        ToManyListed {
            ids,
            kind: PhantomData,
        }
    }
}

impl<K: Kind> Clone for ToManyListed<K> {
    fn clone(&self) -> Self {
        ToManyListed::new(self.ids.clone())
    }
}

impl<K: Kind> PartialEq for ToManyListed<K> {
    fn eq(&self, other: &Self) -> bool {
        self.ids == other.ids
    }
}

impl<K: Kind> std::fmt::Debug for ToManyListed<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ToManyListed<{}>({:?})", K::KIND, self.ids)
    }
}

#[derive(Serialize, Deserialize)]
struct Reference<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    id: Id,
}

#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    data: Vec<Reference<'a>>,
}

impl<K: Kind> Serialize for ToManyListed<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = self
            .ids
            .iter()
            .map(|&id| Reference {
                kind: K::KIND.into(),
                id,
            })
            .collect();
        Wire { data }.serialize(serializer)
    }
}

impl<'de, K: Kind> Deserialize<'de> for ToManyListed<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        let mut ids = Vec::with_capacity(wire.data.len());
        for reference in wire.data {
            if reference.kind != K::KIND {
                return Err(de::Error::custom(format_args!(
                    "a relationship to `{}` holds a `{}`",
                    K::KIND,
                    reference.kind
                )));
            }
            ids.push(reference.id);
        }
        Ok(ToManyListed::new(ids))
    }
}

impl<K: Kind> PartialSchema for ToManyListed<K> {
    fn schema() -> RefOr<Schema> {
        crate::openapi::resources::to_many_listed::<K>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct User;
    impl Kind for User {
        const KIND: &'static str = "user";
        const COLLECTION: Option<&'static str> = Some("users");
    }

    #[test]
    fn it_answers_references_and_reads_them_back() {
        let id = Id::parse("64a0c0ffee00000000000d02").unwrap();
        let mentions = ToManyListed::<User>::new(vec![id]);
        let value = serde_json::to_value(&mentions).unwrap();
        assert_eq!(
            value,
            json!({"data": [{"type": "user", "id": "64a0c0ffee00000000000d02"}]})
        );
        let back: ToManyListed<User> = serde_json::from_value(value).unwrap();
        assert_eq!(back, mentions);
        let wrong = json!({"data": [{"type": "team", "id": "64a0c0ffee00000000000d02"}]});
        assert!(serde_json::from_value::<ToManyListed<User>>(wrong).is_err());
    }
}
