//! Tests of `store/search.rs`: query parsing, matching and sorting.
use super::*;

#[test]
fn fields_parse_back_to_their_names() {
    for context in [SearchContext::Conversation, SearchContext::Customer] {
        for name in context.field_names() {
            if name.ends_with("<name>") {
                continue;
            }
            let field = SearchField::parse(name).unwrap();
            assert_eq!(field.name(), *name);
            assert_eq!(field.context(), context);
        }
    }
    assert_eq!(
        SearchField::parse("conversation_custom_orderStr"),
        Some(SearchField::ConversationCustom("orderStr".into()))
    );
    assert_eq!(SearchField::parse("conversation_custom_"), None);
    assert_eq!(SearchField::parse("conversation_colour"), None);
}

#[test]
fn custom_values_compare_by_type() {
    use serde_json::json;
    let order = |a: Value, b: Value| json_order(&a, &b);
    assert_eq!(order(json!(2), json!(10)), Some(Ordering::Less));
    assert_eq!(order(json!(2.5), json!(2.5)), Some(Ordering::Equal));
    // Timestamps as instants, whatever their offset or precision.
    assert_eq!(
        order(
            json!("2026-01-01T01:00:00.000+01:00"),
            json!("2026-01-01T00:00:00Z")
        ),
        Some(Ordering::Equal)
    );
    assert_eq!(order(json!("b"), json!("a")), Some(Ordering::Greater));
    assert_eq!(order(json!("1"), json!(1)), None);
    assert_eq!(
        order(json!({"a": 1}), json!({"a": 1})),
        Some(Ordering::Equal)
    );
}

#[test]
fn absent_values_sort_first() {
    assert_eq!(SortValue::Absent.cmp(&SortValue::Text("a")), Ordering::Less);
    assert_eq!(
        SortValue::Number(3.0).cmp(&SortValue::Number(1.0)),
        Ordering::Greater
    );
}
