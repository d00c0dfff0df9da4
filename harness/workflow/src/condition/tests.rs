//! Conditions: every operator over nulls and type mismatches, explanations, load-time errors.

use super::*;
use crate::template::Templates;
use kustomer_mock::Clock;
use serde_json::json;

fn holds(condition: Value, data: &Value) -> bool {
    let templates = Templates::new(Clock::virtual_default());
    let scope = Scope::new(data.clone(), &templates);
    Condition::compile(&condition, "$")
        .unwrap()
        .evaluate(&scope)
        .holds
}

fn data() -> Value {
    json!({"steps": {"1": {
        "id": "c1", "status": "open", "priority": 4, "tags": ["t1", "t2"], "name": "Refund please",
        "createdAt": "2026-11-24T10:00:00.000Z", "empty": null, "n": "200",
        "changes": {"attributes": {"tags": {"op": "replace", "before": ["t1"], "after": ["t1", "t2"]}}}
    }}, "variables": {}})
}

/// (condition, expected) for every operator, with nulls and type mismatches.
#[test]
fn operator_table() {
    let d = data();
    let cases: Vec<(Value, bool)> = vec![
        (json!({"op": "true", "values": [true]}), true),
        (json!({"op": "false"}), false),
        (
            json!({"op": "eq", "values": ["/#steps.1.status", "open"]}),
            true,
        ),
        (
            json!({"op": "eq", "values": ["/#steps.1.priority", 4.0]}),
            true,
        ),
        (
            json!({"op": "eq", "values": ["/#steps.1.priority", "4"]}),
            true,
        ),
        (
            json!({"op": "eq", "values": ["/#steps.1.tags", ["t1", "t2"]]}),
            true,
        ),
        (
            json!({"op": "eq", "values": ["/#steps.1.missing", null]}),
            true,
        ),
        (
            json!({"op": "eq", "values": ["/#steps.1.status", true]}),
            false,
        ),
        (
            json!({"op": "neq", "values": ["/#steps.1.status", "done"]}),
            true,
        ),
        (
            json!({"op": "neq", "values": ["/#steps.1.priority", 4]}),
            false,
        ),
        (
            json!({"op": "gt", "values": ["/#steps.1.priority", 3]}),
            true,
        ),
        (json!({"op": "gt", "values": ["/#steps.1.n", "199"]}), true),
        (
            json!({"op": "gt", "values": ["/#steps.1.status", 3]}),
            false,
        ),
        (
            json!({"op": "gt", "values": ["/#steps.1.missing", 3]}),
            false,
        ),
        (
            json!({"op": "gte", "values": ["/#steps.1.priority", 4]}),
            true,
        ),
        (
            json!({"op": "lt", "values": ["/#steps.1.createdAt", "2026-11-24T11:00:00Z"]}),
            true,
        ),
        (
            json!({"op": "lte", "values": ["/#steps.1.createdAt", "2026-11-24T10:00:00.000Z"]}),
            true,
        ),
        (
            json!({"op": "lt", "values": ["/#steps.1.createdAt", "yesterday"]}),
            false,
        ),
        (
            json!({"op": "contains", "values": ["/#steps.1.tags", "t2"]}),
            true,
        ),
        (
            json!({"op": "contains", "values": ["/#steps.1.tags", ["t2"]]}),
            true,
        ),
        (
            json!({"op": "contains", "values": ["/#steps.1.tags", ["t2", "t9"]]}),
            false,
        ),
        (
            json!({"op": "contains", "values": ["/#steps.1.name", "Refund"]}),
            true,
        ),
        (
            json!({"op": "contains", "values": ["/#steps.1.missing", "x"]}),
            false,
        ),
        (
            json!({"op": "contains", "values": ["/#steps.1.priority", 4]}),
            false,
        ),
        (
            json!({"op": "dnc", "values": ["/#steps.1.changes.attributes.tags.before", "t2"]}),
            true,
        ),
        (
            json!({"op": "dnc", "values": ["/#steps.1.missing", "t2"]}),
            true,
        ),
        (json!({"op": "exists", "values": ["/#steps.1.id"]}), true),
        (
            json!({"op": "exists", "values": ["/#steps.1.empty"]}),
            false,
        ),
        (json!({"op": "exists", "values": ["true", ""]}), true),
        (
            json!({"op": "exists", "values": ["/#steps.1.id", true]}),
            true,
        ),
        (
            json!({"op": "exists", "values": ["/#steps.1.id", false]}),
            false,
        ),
        (
            json!({"op": "exists", "values": ["/#steps.1.missing", "false"]}),
            true,
        ),
        (
            json!({"op": "dne", "values": ["/#steps.1.id", false]}),
            true,
        ),
        (json!({"op": "gte", "values": ["/#steps.1.n", "200"]}), true),
        (json!({"op": "gte", "values": ["10", "9"]}), true),
        (json!({"op": "lt", "values": ["10", "9"]}), false),
        (json!({"op": "lt", "values": [" 9 ", 10]}), true),
        (json!({"op": "lt", "values": ["9a", "10"]}), false),
        (
            json!({"op": "matches", "values": ["/#steps.1.name", "(?<=Refund )please"]}),
            true,
        ),
        (
            json!({"op": "matches", "values": ["/#steps.1.name", "(?<!Refund )please"]}),
            false,
        ),
        (
            json!({"op": "eq", "values": ["/#steps.1.name.length", 13]}),
            true,
        ),
        (
            json!({"op": "gt", "values": ["/#steps.1.tags.length", 2]}),
            false,
        ),
        (json!({"op": "dne", "values": ["/#steps.1.missing"]}), true),
        (json!({"op": "dne", "values": ["/#steps.1.id"]}), false),
        (
            json!({"op": "starts-with", "values": ["/#steps.1.name", "Ref"]}),
            true,
        ),
        (
            json!({"op": "starts-with", "values": ["/#steps.1.priority", "4"]}),
            false,
        ),
        (
            json!({"op": "ends-with", "values": ["/#steps.1.name", "please"]}),
            true,
        ),
        (
            json!({"op": "matches", "values": ["/#steps.1.name", "^Ref.*se$"]}),
            true,
        ),
        (
            json!({"op": "matches", "values": ["/#steps.1.missing", ".*"]}),
            false,
        ),
        (json!({"op": "changed", "values": ["tags"]}), true),
        (json!({"op": "changed", "values": ["status"]}), false),
        (
            json!({"op": "not", "values": [{"op": "changed", "values": ["status"]}]}),
            true,
        ),
        (
            json!({"op": "and", "values": [{"op": "true"}, {"op": "false"}]}),
            false,
        ),
        (
            json!({"op": "or", "values": [{"op": "true"}, {"op": "false"}]}),
            true,
        ),
        (json!({"op": "and", "values": []}), true),
        (json!({"op": "or", "values": []}), false),
    ];
    for (condition, expected) in cases {
        assert_eq!(holds(condition.clone(), &d), expected, "{condition}");
    }
}

#[test]
fn the_seeds_guard_done_right() {
    let guard = json!({"op": "and", "values": [
        {"op": "contains", "values": ["/#steps.1.changes.attributes.tags.after", "t2"]},
        {"op": "dnc", "values": ["/#steps.1.changes.attributes.tags.before", "t2"]}
    ]});
    assert!(holds(guard.clone(), &data()));
    let mut own_update = data();
    own_update["steps"]["1"]["changes"] =
        json!({"attributes": {"status": {"before": "open", "after": "done"}}});
    assert!(
        !holds(guard, &own_update),
        "the workflow's own update does not re-fire it"
    );
}

#[test]
fn explanations_carry_resolved_values() {
    let templates = Templates::new(Clock::virtual_default());
    let scope = Scope::new(data(), &templates);
    let c = Condition::compile(
        &json!({"op": "contains", "values": ["/#steps.1.tags", "t9"]}),
        "$",
    )
    .unwrap();
    let outcome = c.evaluate(&scope);
    assert!(!outcome.holds);
    assert_eq!(
        serde_json::to_value(&outcome.explanation).unwrap(),
        json!({"op": "contains", "values": [["t1", "t2"], "t9"], "holds": false})
    );
}

#[test]
fn load_time_errors_name_the_path() {
    let err = Condition::compile(
        &json!({"op": "and", "values": [{"op": "bogus", "values": []}]}),
        "$.trigger.transitions[0].condition",
    )
    .unwrap_err();
    assert_eq!(err.path, "$.trigger.transitions[0].condition.values[0].op");
    assert!(err.message.contains("unknown operator `bogus`"));
    let err = Condition::compile(&json!({"op": "eq", "values": [1]}), "$").unwrap_err();
    assert!(err.message.contains("takes 2"));
    let err =
        Condition::compile(&json!({"op": "matches", "values": ["/#x", "("]}), "$").unwrap_err();
    assert!(err.message.contains("bad regular expression"));
    assert!(Condition::compile(&json!("eq"), "$").is_err());
    let err =
        Condition::compile(&json!({"op": "exists", "values": ["/#x", "maybe"]}), "$").unwrap_err();
    assert_eq!(err.path, "$.values[1]");
    assert!(err.message.contains("true, false"), "{}", err.message);
    assert!(Condition::compile(&json!({"values": []}), "$").is_err());
    assert!(Condition::compile(&json!({"op": "changed", "values": ["/#steps.1.x"]}), "$").is_err());
}
