//! The data a run resolves its references, conditions and templates against:
//! `{"steps": {"1": <trigger>, "<step id>": <output>, ...}, "variables": {...}}`.
//!
//! A run's scope starts lazy: step 1 stays the event, and a reference such as
//! `/#steps.1.changes.attributes.tags.after` is answered from the event's typed record
//! copies (`StepOne`) without building the document. The document is built (once,
//! on first need) only for what cannot be read field by field: a Handlebars template
//! that is not plain paths, a reference to a whole part. Every read gives the value the
//! built document holds at that path, so a run logs the same either way.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;

use handlebars::Context;
use kustomer_mock::{Event, LazyJson};
use serde_json::{Map, Value};

use super::path::{self, NotAnIndex};
use super::step_one::{self, Part, StepOne};
use super::template::Templates;

/// The parts of the document a lazy scope keeps apart until it is built.
struct Parts {
    event: Arc<Event>,
    variables: Arc<Value>,
    /// Step outputs recorded so far, by step id (a REST step's parsed when read).
    steps: Vec<(String, LazyJson)>,
}

/// A place in the unbuilt document (`'k`: the path's keys it may name).
#[derive(Clone, Copy)]
enum Node<'k> {
    Root,
    Steps,
    One(Part<'k>),
}

/// What a key of a [`Node`] holds.
enum Child<'a, 'k> {
    Node(Node<'k>),
    Value(Cow<'a, Value>),
}

pub struct Scope<'t> {
    /// The built document.
    context: OnceCell<Context>,
    /// Until it is built, what it is built from (never both).
    parts: Option<Parts>,
    pub(crate) templates: &'t Templates,
}

impl<'t> Scope<'t> {
    /// A scope over a document given whole.
    pub fn new(data: Value, templates: &'t Templates) -> Scope<'t> {
        Scope {
            context: OnceCell::from(Context::from(data)),
            parts: None,
            templates,
        }
    }

    /// The scope of a run triggered by `event` (or called with `inputs`), with the
    /// workflow's `variables`.
    pub fn for_run(
        event: Arc<Event>,
        inputs: Option<&Value>,
        variables: Arc<Value>,
        templates: &'t Templates,
    ) -> Scope<'t> {
        if inputs.is_some() || StepOne::of(&event).is_none() {
            let steps = Map::from_iter([("1".to_string(), step_one::output(&event, inputs))]);
            return Scope::new(document(steps, variables.as_ref().clone()), templates);
        }
        Scope {
            context: OnceCell::new(),
            parts: Some(Parts {
                event,
                variables,
                steps: Vec::new(),
            }),
            templates,
        }
    }

    /// The whole document (built now if it was not yet).
    pub fn data(&self) -> &Value {
        self.context().data()
    }

    /// The document as Handlebars reads it (built now if it was not yet).
    pub fn context(&self) -> &Context {
        self.context.get_or_init(|| {
            let parts = self
                .parts
                .as_ref()
                .expect("a scope keeps its parts until it is built");
            let mut steps = Map::with_capacity(parts.steps.len() + 1);
            steps.insert("1".into(), step_one::output(&parts.event, None));
            for (id, output) in &parts.steps {
                steps.insert(id.clone(), output.value().clone());
            }
            Context::from(document(steps, parts.variables.as_ref().clone()))
        })
    }

    /// Records a step's output as `steps.<id>`.
    pub fn set_step(&mut self, id: &str, output: LazyJson) {
        if let Some(context) = self.context.get_mut() {
            if let Some(steps) = context
                .data_mut()
                .get_mut("steps")
                .and_then(Value::as_object_mut)
            {
                steps.insert(id.to_string(), output.into_value());
            }
        } else if let Some(parts) = &mut self.parts {
            match parts.steps.iter_mut().find(|(step, _)| step == id) {
                Some((_, kept)) => *kept = output,
                None => parts.steps.push((id.to_string(), output)),
            }
        }
    }

    /// The value at a `/#` reference's path ([`path::lookup`]'s rules).
    pub fn lookup(&self, path: &str) -> Option<Cow<'_, Value>> {
        let Some(parts) = self.lazy_parts() else {
            return path::lookup(self.data(), path).map(Cow::Borrowed);
        };
        let path = path.trim();
        if path.is_empty() {
            return Some(Cow::Borrowed(self.data()));
        }
        let one = StepOne::of(&parts.event)?;
        path::with_segments(path, |segments| {
            self.walk(parts, &one, Node::Root, segments)
        })
    }

    /// The value at a template's plain path, as Handlebars finds it: each segment a key
    /// or an array index, never keys joined. `Err` where Handlebars would fail (a
    /// segment that is not an index, into an array).
    pub fn lookup_plain(&self, path: &str) -> Result<Option<Cow<'_, Value>>, NotAnIndex> {
        match self.lazy_parts() {
            None => path::lookup_plain(self.data(), path).map(|v| v.map(Cow::Borrowed)),
            Some(parts) => self.walk_strict(parts, path),
        }
    }

    fn walk_strict<'s>(
        &'s self,
        parts: &'s Parts,
        path: &str,
    ) -> Result<Option<Cow<'s, Value>>, NotAnIndex> {
        let path = path.trim();
        if path.is_empty() {
            return Ok(Some(Cow::Borrowed(self.data())));
        }
        let Some(one) = StepOne::of(&parts.event) else {
            return Ok(None);
        };
        // Strict: one segment at a time, down to a value, then Handlebars' rules on the
        // rest of the path.
        let mut node = Node::Root;
        let mut rest = path;
        loop {
            let (segment, after) = match rest.split_once('.') {
                Some((segment, after)) => (segment, Some(after)),
                None => (rest, None),
            };
            match self.child(parts, &one, node, segment) {
                None => return Ok(None),
                Some(Child::Node(next)) => node = next,
                Some(Child::Value(value)) => {
                    let Some(after) = after else {
                        return Ok(Some(value));
                    };
                    return match value {
                        Cow::Borrowed(v) => {
                            path::lookup_plain(v, after).map(|v| v.map(Cow::Borrowed))
                        }
                        Cow::Owned(v) => {
                            path::lookup_plain(&v, after).map(|v| v.cloned().map(Cow::Owned))
                        }
                    };
                }
            }
            match after {
                Some(after) => rest = after,
                None => break,
            }
        }
        Ok(self.build(&one, node).map(Cow::Owned))
    }

    /// The parts, while the document is not built.
    fn lazy_parts(&self) -> Option<&Parts> {
        match self.context.get() {
            Some(_) => None,
            None => self.parts.as_ref(),
        }
    }

    /// [`path::lookup`]'s walk over the unbuilt document: at each node the shortest key
    /// first, a longer one (the segments joined by dots) only when that fails.
    fn walk<'s, 'k>(
        &'s self,
        parts: &'s Parts,
        one: &StepOne<'s>,
        node: Node<'k>,
        segments: &[&'k str],
    ) -> Option<Cow<'s, Value>> {
        if segments.is_empty() {
            return self.build(one, node).map(Cow::Owned);
        }
        // A joined key can only match a key that holds a dot: the root's keys (`steps`,
        // `variables`) and those of step 1's parts (the record's attribute and
        // relationship names, tested) never do; a step id might.
        let dotted_step = || parts.steps.iter().any(|(id, _)| id.contains('.'));
        let longest = match node {
            Node::Steps if dotted_step() => segments.len(),
            _ => 1,
        };
        for n in 1..=longest {
            let key: Cow<'_, str> = if n == 1 {
                Cow::Borrowed(segments[0])
            } else {
                Cow::Owned(segments[..n].join("."))
            };
            let rest = &segments[n..];
            let hit = match self.child(parts, one, node, &key) {
                None => None,
                Some(Child::Node(next)) => self.walk(parts, one, next, rest),
                Some(Child::Value(Cow::Borrowed(value))) => {
                    path::walk(value, rest).map(Cow::Borrowed)
                }
                // The value itself: no need to copy it out of itself.
                Some(Child::Value(Cow::Owned(value))) if rest.is_empty() => Some(Cow::Owned(value)),
                Some(Child::Value(Cow::Owned(value))) => {
                    path::walk(&value, rest).cloned().map(Cow::Owned)
                }
            };
            if hit.is_some() {
                return hit;
            }
        }
        None
    }

    fn child<'s, 'k>(
        &'s self,
        parts: &'s Parts,
        one: &StepOne<'s>,
        node: Node<'k>,
        key: &'k str,
    ) -> Option<Child<'s, 'k>> {
        match node {
            Node::Root => match key {
                "steps" => Some(Child::Node(Node::Steps)),
                "variables" => Some(Child::Value(Cow::Borrowed(parts.variables.as_ref()))),
                _ => None,
            },
            // A step that wrote `steps.1` itself replaces the trigger there.
            Node::Steps => match parts.steps.iter().find(|(step, _)| step == key) {
                Some((_, output)) => Some(Child::Value(Cow::Borrowed(output.value()))),
                None if key == "1" => Some(Child::Node(Node::One(Part::Whole))),
                None => None,
            },
            Node::One(part) => one.get(part, key).map(|field| match field {
                step_one::Field::Part(next) => Child::Node(Node::One(next)),
                step_one::Field::Value(value) => Child::Value(value),
            }),
        }
    }

    /// The whole value at `node`, built (`None`: nothing there).
    fn build(&self, one: &StepOne<'_>, node: Node<'_>) -> Option<Value> {
        match node {
            Node::Root => Some(self.data().clone()),
            Node::Steps => Some(self.data()["steps"].clone()),
            Node::One(part) => one.build(part),
        }
    }
}

/// `{"steps": steps, "variables": variables}`.
fn document(steps: Map<String, Value>, variables: Value) -> Value {
    let mut root = Map::with_capacity(2);
    root.insert("steps".into(), Value::Object(steps));
    root.insert("variables".into(), variables);
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kustomer_mock::model::{ConversationWrite, CustomerWrite, NoteWrite, TagWrite};
    use kustomer_mock::{Actor, BusItem, Cause, Clock, FixtureBundle, Id, MockServer};
    use kustomer_mock::{CreateOptions, TagOp};
    use serde_json::json;

    /// Every path of `value` (objects' keys and arrays' indexes), below `prefix`.
    fn paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
        out.push(prefix.to_string());
        let join = |key: &str| {
            if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            }
        };
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| paths(v, &join(k), out)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| paths(v, &join(&i.to_string()), out)),
            _ => {}
        }
    }

    /// Events of writes of every kind: conversation creates and updates of each field
    /// (custom keys with dots among them), tag changes, customer, tag and note writes.
    async fn events() -> Vec<Arc<Event>> {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/acme.json");
        let server = MockServer::builder()
            .seed(7)
            .fixtures(FixtureBundle::from_file(&fixtures).expect("the acme fixtures load"))
            .start()
            .await
            .expect("the mock starts");
        let store = server.store();
        let org = store.org_by_name("acme").expect("acme");
        let user = store.org_state(org).expect("acme").org().system_user;
        let actor = Actor::new(org, user, "test", None, Cause::root(org));
        let mut subscription = store.bus().subscribe(None);
        let conversation = |v: Value| -> ConversationWrite { serde_json::from_value(v).unwrap() };
        let created = store
            .create_conversation(
                &actor,
                conversation(json!({"customer": "64a0c0ffee00000000000c01", "name": "Refund <now> & \"then\""})),
                CreateOptions::default(),
            )
            .expect("created");
        let id = Id::parse(created["id"].as_str().unwrap()).unwrap();
        for write in [
            json!({"status": "done"}),
            json!({"priority": 5, "direction": "out"}),
            json!({"custom": {"Dot.In.Name": 7, "@flagBool": true, "nested": {"a": [1, {"b": null}]}}}),
            json!({"assignedUsers": ["64a0c0ffee00000000000d01"], "externalId": "ext-1"}),
            json!({"snooze": {"time": "2026-12-01T00:00:00.000Z", "status": "open"}, "status": "snoozed"}),
            json!({"name": null, "status": "open"}),
        ] {
            store
                .update_conversation(&actor, id, conversation(write), false)
                .expect("updated");
        }
        for (names, op) in [
            (vec!["auto-close", "vip"], TagOp::Append),
            (vec!["vip"], TagOp::Remove),
        ] {
            let names: Vec<String> = names.into_iter().map(String::from).collect();
            store
                .change_conversation_tags(&actor, id, &names, op)
                .expect("tagged");
        }
        let customer = Id::parse("64a0c0ffee00000000000c01").unwrap();
        let customer_write: CustomerWrite = serde_json::from_value(
            json!({"displayName": "Ada L.", "emails": [{"type": "home", "email": "ada@example.com"}], "tags": ["64a0c0ffee00000000000a12"]}),
        )
        .unwrap();
        store
            .update_customer(&actor, customer, customer_write)
            .expect("customer updated");
        let tag = Id::parse("64a0c0ffee00000000000a13").unwrap();
        let tag_write: TagWrite = serde_json::from_value(json!({"color": "#ff0000"})).unwrap();
        store
            .update_tag(&actor, tag, tag_write)
            .expect("tag updated");
        let note: NoteWrite = serde_json::from_value(json!({"body": "hello"})).unwrap();
        store.create_note(&actor, note, Some(id)).expect("noted");
        let mut events = Vec::new();
        while let Some(item) = subscription.try_recv() {
            if let BusItem::Event(event) = item {
                events.push(event);
            }
        }
        server.shutdown().await.expect("the mock stops");
        events
    }

    fn lazy<'t>(event: &Arc<Event>, templates: &'t Templates) -> Scope<'t> {
        let variables = Arc::new(json!({"API_Key": "k-123", "baseUrl": "http://127.0.0.1:9"}));
        let scope = Scope::for_run(Arc::clone(event), None, variables, templates);
        assert!(scope.context.get().is_none(), "the scope starts unbuilt");
        scope
    }

    #[tokio::test]
    async fn a_lazy_scope_reads_what_the_built_document_holds_at_every_path() {
        let templates = Templates::new(Clock::virtual_default());
        let events = events().await;
        assert!(
            events.len() >= 12,
            "events of every write: {}",
            events.len()
        );
        assert!(events.iter().all(|e| e.records.is_some()));
        for event in &events {
            let built = lazy(event, &templates);
            let document = built.data().clone();
            let mut all = Vec::new();
            paths(&document, "", &mut all);
            // The lazy walk relies on it: step 1's own keys, and those of its `changes`,
            // hold no dot.
            let one = &document["steps"]["1"];
            let keys = |v: &Value| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>());
            for part in [
                Some(one),
                one.get("changes").and_then(|c| c.get("attributes")),
                one.get("changes").and_then(|c| c.get("relationships")),
            ]
            .into_iter()
            .flatten()
            {
                let keys = keys(part).unwrap_or_default();
                assert!(keys.iter().all(|k| !k.contains('.')), "{keys:?}");
            }
            // Missing paths, odd keys and keys joined across dots, too.
            for extra in [
                "steps.1.nope",
                "steps.1.changes.attributes.nope.after",
                "steps.1.changes.relationships.customer.after",
                "steps.1.changes.nope",
                "steps.1.custom.Dot.In.Name",
                "steps.1.custom.@flagBool",
                "steps.1.tags.0",
                "steps.1.tags.x",
                "steps.1.customer",
                "steps.1.conversation",
                "steps.2.id",
                "variables.API_Key",
                "variables",
                " steps.1.id ",
                "",
            ] {
                all.push(extra.to_string());
            }
            for path in &all {
                let scope = lazy(event, &templates);
                let read = scope.lookup(path).map(Cow::into_owned);
                assert_eq!(
                    read,
                    path::lookup(&document, path).cloned(),
                    "{} at `{path}`",
                    event.name
                );
                let plain = lazy(event, &templates)
                    .lookup_plain(path.trim())
                    .map(|v| v.map(Cow::into_owned));
                assert_eq!(
                    plain,
                    path::lookup_plain(&document, path.trim()).map(|v| v.cloned()),
                    "{} at `{path}` (plain)",
                    event.name
                );
            }
        }
    }

    #[tokio::test]
    async fn a_trigger_read_leaves_the_scope_unbuilt_and_steps_are_read_back() {
        let templates = Templates::new(Clock::virtual_default());
        let events = events().await;
        let tagged = events
            .iter()
            .find(|e| {
                e.changes
                    .as_ref()
                    .is_some_and(|c| !c["attributes"]["tags"].is_null())
            })
            .expect("a tag change");
        let mut scope = lazy(tagged, &templates);
        assert_eq!(
            scope
                .lookup("steps.1.changes.attributes.tags.after")
                .map(Cow::into_owned),
            Some(json!([
                "64a0c0ffee00000000000a11",
                "64a0c0ffee00000000000a12"
            ]))
        );
        assert_eq!(
            scope.lookup("steps.1.id").map(Cow::into_owned),
            Some(json!(tagged.data_id.to_hex()))
        );
        assert!(scope.context.get().is_none(), "field reads build nothing");
        scope.set_step("closeIt", json!({"status": 200}).into());
        scope.set_step("1", json!({"replaced": true}).into());
        assert_eq!(
            scope.lookup("steps.closeIt.status").map(Cow::into_owned),
            Some(json!(200))
        );
        assert_eq!(
            scope.lookup("steps.1.replaced").map(Cow::into_owned),
            Some(json!(true)),
            "a step's own `1` output replaces the trigger"
        );
        scope.set_step("my.step", json!({"ok": true}).into());
        assert_eq!(
            scope.lookup("steps.my.step.ok").map(Cow::into_owned),
            Some(json!(true)),
            "a step id with a dot is found by joining the segments"
        );
        let built = scope.data().clone();
        assert_eq!(path::lookup(&built, "steps.my.step.ok"), Some(&json!(true)));
        assert_eq!(built["steps"]["closeIt"]["status"], 200);
        assert_eq!(built["steps"]["1"], json!({"replaced": true}));
        scope.set_step("after", json!(1).into());
        assert_eq!(
            scope.lookup("steps.after").map(Cow::into_owned),
            Some(json!(1))
        );
    }
}
