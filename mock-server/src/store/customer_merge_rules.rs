//! What a merged customer holds: Kustomer's published merge rules, applied to the target
//! customer with the source's values. Lists are united, `custom` keeps the target's value
//! of a key both have, dated values take the latest (`createdAt` the oldest), and the
//! identity fields keep the target's value unless it has none.
//!
//! `conversationCounts` and `lastConversation` are not merged here: the merge moves the
//! source's conversations to the target first, and those follow the conversations.

use serde_json::Value;

use crate::model::Customer;
use crate::model::customer::ContactEntry;
use crate::support::clock::Timestamp;

/// `target` with `source` merged into it (the server-maintained stamps are set later, by
/// the update's commit).
pub(super) fn merge_into(target: &Customer, source: &Customer) -> Customer {
    let mut merged = target.clone();
    let (t, s) = (&mut merged.attributes, &source.attributes);

    unite(&mut t.emails, &s.emails, Some("email"));
    unite(&mut t.phones, &s.phones, Some("phone"));
    unite(&mut t.socials, &s.socials, None);
    unite(&mut t.locations, &s.locations, None);
    for watcher in &s.watchers {
        if !t.watchers.contains(watcher) {
            t.watchers.push(*watcher);
        }
    }
    for tag in &s.tags {
        if !t.tags.contains(tag) {
            t.tags.push(*tag);
        }
    }
    for (key, value) in &s.custom {
        t.custom.entry(key.clone()).or_insert_with(|| value.clone());
    }

    if later(s.preview.preview_at, t.preview.preview_at) {
        t.preview = s.preview.clone();
    }
    if later(s.last_message_in.sent_at, t.last_message_in.sent_at) {
        t.last_message_in = s.last_message_in.clone();
    }
    if later(s.recent_location.updated_at, t.recent_location.updated_at) {
        t.recent_location = s.recent_location.clone();
    }
    for (mine, theirs) in [
        (&mut t.signed_up_at, s.signed_up_at),
        (&mut t.last_seen_at, s.last_seen_at),
        (&mut t.last_activity_at, s.last_activity_at),
    ] {
        if later(theirs, *mine) {
            *mine = theirs;
        }
    }
    if s.created_at < t.created_at {
        t.created_at = s.created_at;
        merged.relationships.created_by = source.relationships.created_by;
    }

    fill(&mut t.name, &s.name);
    fill(&mut t.external_id, &s.external_id);
    fill(&mut t.username, &s.username);
    fill(&mut t.avatar_url, &s.avatar_url);
    fill(&mut t.locale, &s.locale);
    fill(&mut t.time_zone, &s.time_zone);
    fill(&mut t.birthday_at, &s.birthday_at);
    fill(&mut t.gender, &s.gender);
    if t.company.is_none() {
        t.company = s.company.clone();
        merged.relationships.company = source.relationships.company;
    }
    if !merged.display_name_written {
        merged.attributes.display_name = merged.attributes.name.clone();
    }
    merged
}

/// Whether `theirs` is a date later than `mine` (a date is later than none).
fn later(theirs: Option<Timestamp>, mine: Option<Timestamp>) -> bool {
    match (theirs, mine) {
        (Some(theirs), Some(mine)) => theirs > mine,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// The target's value, or the source's where the target has none.
fn fill<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
    if mine.is_none() {
        mine.clone_from(theirs);
    }
}

/// A phone number as its digits, so `+1 800 555 1212` and `18005551212` are one number.
pub(super) fn phone_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Appends the source's entries the target lacks: the same `key` value (an address
/// compared without case, a number by its digits) or, without a key, the same entry.
pub(super) fn unite(mine: &mut Vec<ContactEntry>, theirs: &[ContactEntry], key: Option<&str>) {
    let identity = |entry: &ContactEntry| -> Value {
        match key.and_then(|k| entry.get(k)).and_then(Value::as_str) {
            Some(text) if key == Some("phone") => Value::String(phone_digits(text)),
            Some(text) => Value::String(text.to_lowercase()),
            None => Value::Object(entry.clone()),
        }
    };
    for entry in theirs {
        let id = identity(entry);
        if !mine.iter().any(|m| identity(m) == id) {
            mine.push(entry.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::customer::Gender;
    use crate::support::ids::Id;
    use serde_json::json;

    fn id(n: u8) -> Id {
        Id::parse(&format!("{n:024x}")).expect("a valid id")
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_millis(seconds * 1000)
    }

    fn entry(value: Value) -> ContactEntry {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an entry is an object"),
        }
    }

    fn customer(n: u8, created: i64) -> Customer {
        Customer::new(id(n), id(99), id(50 + n), at(created))
    }

    #[test]
    fn lists_are_united_without_duplicates() {
        let mut target = customer(1, 100);
        let mut source = customer(2, 200);
        target.attributes.emails = vec![entry(json!({"type": "home", "email": "A@x.com"}))];
        source.attributes.emails = vec![
            entry(json!({"type": "work", "email": "a@X.com"})),
            entry(json!({"type": "work", "email": "b@x.com"})),
        ];
        target.attributes.phones = vec![entry(json!({"phone": "+1 800 555 1212"}))];
        source.attributes.phones = vec![entry(json!({"phone": "18005551212"}))];
        target.attributes.tags = vec![id(10)];
        source.attributes.tags = vec![id(10), id(11)];
        let merged = merge_into(&target, &source).attributes;
        let emails: Vec<&Value> = merged.emails.iter().map(|e| &e["email"]).collect();
        assert_eq!(emails, [&json!("A@x.com"), &json!("b@x.com")]);
        assert_eq!(merged.phones.len(), 1);
        assert_eq!(merged.tags, [id(10), id(11)]);
    }

    #[test]
    fn the_target_keeps_its_identity_and_custom_values() {
        let mut target = customer(1, 100);
        let mut source = customer(2, 200);
        target.attributes.name = Some("Target".into());
        source.attributes.name = Some("Source".into());
        source.attributes.external_id = Some("src-1".into());
        source.attributes.gender = Some(Gender::F);
        target.attributes.custom = entry(json!({"tierStr": "gold"}));
        source.attributes.custom = entry(json!({"tierStr": "silver", "sinceNum": 3}));
        let merged = merge_into(&target, &source).attributes;
        assert_eq!(merged.name.as_deref(), Some("Target"));
        assert_eq!(merged.display_name.as_deref(), Some("Target"));
        assert_eq!(merged.external_id.as_deref(), Some("src-1"));
        assert_eq!(merged.gender, Some(Gender::F));
        assert_eq!(
            Value::Object(merged.custom),
            json!({"tierStr": "gold", "sinceNum": 3})
        );
    }

    #[test]
    fn dates_take_the_latest_and_creation_the_oldest() {
        let mut target = customer(1, 300);
        let mut source = customer(2, 100);
        target.attributes.last_seen_at = Some(at(500));
        source.attributes.last_seen_at = Some(at(400));
        source.attributes.signed_up_at = Some(at(50));
        let merged = merge_into(&target, &source);
        assert_eq!(merged.attributes.last_seen_at, Some(at(500)));
        assert_eq!(merged.attributes.signed_up_at, Some(at(50)));
        assert_eq!(merged.attributes.created_at, at(100));
        assert_eq!(merged.relationships.created_by.id, id(52));
    }
}
