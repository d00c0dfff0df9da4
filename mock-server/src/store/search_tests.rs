//! Tests of `store/search.rs`: query parsing, matching and sorting.
use super::*;

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
