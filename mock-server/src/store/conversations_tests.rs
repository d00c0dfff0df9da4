//! Tests of `store/conversations.rs`: the writable attributes and what changed.
use super::*;
use crate::model::conversation::Direction;
use serde_json::json;

fn conversation() -> Conversation {
    let id = Id::from_bytes([1; 12]);
    Conversation::open(id, id, id, id, Timestamp::from_millis(0))
}

#[test]
fn the_writable_attributes_are_the_write_body_members_that_are_attributes() {
    assert_eq!(
        writable(),
        [
            "name",
            "status",
            "priority",
            "direction",
            "tags",
            "suggestedTags",
            "assignedUsers",
            "assignedTeams",
            "custom",
            "externalId",
            "snooze",
            "endedReason",
            "locked",
            "satisfaction",
            "sentiment",
            "queue",
            "subStatus",
            "brand",
            "replyChannel",
            "defaultLang",
            "locale",
            "importedAt",
        ]
    );
}

#[test]
fn changed_writable_agrees_with_the_rendered_attributes() {
    let base = conversation();
    let mut variants: Vec<Conversation> = Vec::new();
    let mut push = |f: &dyn Fn(&mut Conversation)| {
        let mut c = base.clone();
        f(&mut c);
        variants.push(c);
    };
    push(&|_| {});
    push(&|c| c.attributes.name = Some("x".into()));
    push(&|c| c.attributes.status = ConversationStatus::Done);
    push(&|c| c.attributes.priority = 5);
    push(&|c| c.attributes.direction = Direction::Out);
    push(&|c| c.attributes.tags = vec![Id::from_bytes([2; 12])]);
    push(&|c| c.attributes.assigned_users = vec![Id::from_bytes([3; 12])]);
    push(&|c| c.attributes.assigned_teams = vec![Id::from_bytes([4; 12])]);
    push(&|c| {
        c.attributes.custom.insert("a".into(), json!(1));
    });
    push(&|c| c.attributes.external_id = Some("e".into()));
    push(&|c| c.attributes.snooze = Some(json!({"until": "x"})));
    push(&|c| c.attributes.snooze = Some(Value::Null));
    push(&|c| c.attributes.sub_status = Some("s".into()));
    push(&|c| c.attributes.satisfaction = None);
    push(&|c| {
        c.attributes.name = Some("y".into());
        c.attributes.priority = 1;
        c.attributes.rev = 9;
    });
    for a in &variants {
        for b in &variants {
            let (old, new) = (a.attribute_map(), b.attribute_map());
            let expected: Vec<&str> = writable()
                .iter()
                .map(String::as_str)
                .filter(|f| old.get(*f) != new.get(*f))
                .collect();
            assert_eq!(changed_writable(a, b), expected);
        }
    }
}

#[test]
fn custom_members_in_another_order_are_not_a_change() {
    let mut a = conversation();
    a.attributes.custom.insert("a".into(), json!(1));
    a.attributes.custom.insert("b".into(), json!(2));
    let mut b = conversation();
    b.attributes.custom.insert("b".into(), json!(2));
    b.attributes.custom.insert("a".into(), json!(1));
    b.attributes.priority = 5;
    assert_ne!(
        pick::rendered_fields(&a.attributes).get("custom"),
        pick::rendered_fields(&b.attributes).get("custom"),
        "the texts differ, so the values decide"
    );
    assert_eq!(changed_writable(&a, &b), vec!["priority"]);
}
