//! An app's `klasses`: Kustomer creates an app's custom object types when the app is
//! installed, so the harness creates them in every org when it loads the app. A klass the
//! org already has (by name) is left as it is.

use serde_json::{Map, Value};

use kustomer_mock::model::KlassWrite;
use kustomer_mock::{Actor, Cause, MockServer, parse_value};

use crate::workflow::apps::App;

/// The members of an app's klass definition that a klass takes; the rest (display
/// metadata of Kustomer's app manifests) is not the mock's.
const KLASS_MEMBERS: &[&str] = &[
    "name",
    "displayName",
    "icon",
    "color",
    "jsonSchema",
    "klassSchema",
    "mixins",
    "status",
];

/// Creates the app's klasses in every org of the server; `Err` names the klass and why.
pub fn create(server: &MockServer, app: &App) -> Result<(), String> {
    let store = server.store();
    for (i, definition) in app.klasses.iter().enumerate() {
        let at = format!("{} $.klasses[{i}]", app.origin);
        let Value::Object(definition) = definition else {
            return Err(format!("{at}: a klass is an object with a `name`"));
        };
        let body: Map<String, Value> = definition
            .iter()
            .filter(|(k, _)| KLASS_MEMBERS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let write: KlassWrite =
            parse_value(Value::Object(body)).map_err(|e| format!("{at}: {}", e.detail))?;
        let Some(name) = write.name.clone() else {
            return Err(format!("{at}: a klass needs a `name`"));
        };
        for org in store.orgs() {
            if store
                .has_klass(org.id, &name)
                .map_err(|e| e.detail.clone())?
            {
                continue;
            }
            let root = store.ids().next(store.now());
            let actor =
                Actor::new(org.id, org.system_user, "app", None, Cause::root(root)).unlimited();
            store
                .create_klass(&actor, write.clone(), None, app.version.clone())
                .map_err(|e| format!("{at}: {}", e.detail))?;
        }
    }
    Ok(())
}
