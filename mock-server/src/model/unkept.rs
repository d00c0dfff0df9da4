//! A to-many relationship to records the mock does not keep (a message's `attachments`):
//! Kustomer answers it with its link and the related records' references, so clients
//! that read `data` find an empty list rather than no member.

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, Schema};

use super::resource::{Kind, ToMany};
use crate::support::ids::Id;

/// `{"links": {"self": "/v1/<parent>/<id>/<child>"}, "data": []}`.
pub struct ToManyUnkept<P: Kind, C: Kind>(ToMany<P, C>);

impl<P: Kind, C: Kind> ToManyUnkept<P, C> {
    pub fn new(parent: Id) -> ToManyUnkept<P, C> {
        ToManyUnkept(ToMany::new(parent))
    }
}

impl<P: Kind, C: Kind> Clone for ToManyUnkept<P, C> {
    fn clone(&self) -> Self {
        ToManyUnkept(self.0)
    }
}

impl<P: Kind, C: Kind> PartialEq for ToManyUnkept<P, C> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<P: Kind, C: Kind> std::fmt::Debug for ToManyUnkept<P, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<P: Kind, C: Kind> Serialize for ToManyUnkept<P, C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("links", &self.0.link())?;
        map.serialize_entry("data", &[(); 0])?;
        map.end()
    }
}

impl<'de, P: Kind, C: Kind> Deserialize<'de> for ToManyUnkept<P, C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ToMany::deserialize(deserializer).map(ToManyUnkept)
    }
}

impl<P: Kind, C: Kind> PartialSchema for ToManyUnkept<P, C> {
    fn schema() -> RefOr<Schema> {
        crate::openapi::resources::to_many_unkept()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Message;
    impl Kind for Message {
        const KIND: &'static str = "message";
        const COLLECTION: Option<&'static str> = Some("messages");
    }
    struct Attachment;
    impl Kind for Attachment {
        const KIND: &'static str = "attachment";
        const COLLECTION: Option<&'static str> = Some("attachments");
    }

    #[test]
    fn it_answers_its_link_and_no_records_and_reads_back() {
        let id = Id::parse("64a0c0ffee00000000000d01").unwrap();
        let attachments = ToManyUnkept::<Message, Attachment>::new(id);
        let value = serde_json::to_value(&attachments).unwrap();
        assert_eq!(
            value,
            json!({"links": {"self": "/v1/messages/64a0c0ffee00000000000d01/attachments"}, "data": []})
        );
        let back: ToManyUnkept<Message, Attachment> = serde_json::from_value(value).unwrap();
        assert_eq!(back, attachments);
    }
}
