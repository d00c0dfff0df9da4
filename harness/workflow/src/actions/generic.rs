//! Built-in actions that touch no record: `kustomer.event.publish`,
//! `kustomer.transform.generic` and `kustomer.responsive-workflow.respond`.

use serde_json::{Map, Value, json};

use super::ActionEnv;

fn object(params: &Value) -> Result<&Map<String, Value>, Value> {
    match params {
        Value::Object(map) => Ok(map),
        other => Err(json!({"message": format!("params must be an object, not {other}")})),
    }
}

/// `kustomer.event.publish {name, data}`: publishes the event on the mock's bus in the
/// run's org and causal chain, so workflows listening to `name` run (one hop deeper, under
/// the loop guard like any other). The param names are a guess: the action's name is
/// public (installed-app listings), its params are not. Output: `{"id", "name"}`.
pub fn publish(params: &Value, env: &ActionEnv<'_>) -> Result<Value, Value> {
    let params = object(params)?;
    let name = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| json!({"message": "`name` (the event's name) must be a string"}))?;
    let data = match params.get("data") {
        None | Some(Value::Null) => json!({}),
        Some(data) => data.clone(),
    };
    let event = env
        .store
        .publish_event(env.org, name, data, Some(env.cause.child()))
        .map_err(|e| json!({"message": format!("{} {}", e.status.as_u16(), e.detail), "status": e.status.as_u16()}))?;
    Ok(json!({"id": event.id, "name": event.name}))
}

/// `kustomer.transform.generic {input}`: the resolved `input` is the step's output, so a
/// workflow shapes data once (templates, references) and later steps read
/// `/#steps.<id>.<key>`. Input that is not an object is output as `{"output": input}`
/// (guess: public apps only transform into objects).
pub fn transform(params: &Value) -> Result<Value, Value> {
    let params = object(params)?;
    match params.get("input") {
        None => Err(json!({"message": "`input` is required: the value the step outputs"})),
        Some(Value::Object(map)) => Ok(Value::Object(map.clone())),
        Some(other) => Ok(json!({"output": other})),
    }
}

/// `kustomer.responsive-workflow.respond`: what a responsive workflow answers its caller.
/// The mock has no caller waiting on the answer, so the params are the step's output,
/// kept in the run log where a test reads them (guess: the params' shape is not public).
pub fn respond(params: &Value) -> Result<Value, Value> {
    Ok(object(params)?.clone().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transform_outputs_its_input() {
        let out = transform(&json!({"input": {"total": 3, "who": "x"}})).unwrap();
        assert_eq!(out, json!({"total": 3, "who": "x"}));
        assert_eq!(
            transform(&json!({"input": [1]})).unwrap(),
            json!({"output": [1]})
        );
        let err = transform(&json!({"other": 1})).unwrap_err();
        assert!(err["message"].as_str().unwrap().contains("`input`"));
        assert!(transform(&json!("text")).is_err());
    }

    #[test]
    fn respond_keeps_its_params() {
        assert_eq!(
            respond(&json!({"response": {"ok": true}})).unwrap(),
            json!({"response": {"ok": true}})
        );
        assert!(respond(&json!(3)).is_err());
    }
}
