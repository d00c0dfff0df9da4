//! Kustomer app definitions: an app's `rest_api` actions, callable from workflows as
//! `kustomer.app.<app>.<action>`, and the workflows it ships.
//!
//! An app definition is the JSON form of a Kustomer app manifest:
//!
//! ```json
//! {"app": "effort_timer", "version": "0.1.16",
//!  "settings": {"default": {"authToken": {"type": "secret"}, "orgName": {"type": "string"}}},
//!  "actions": [{"name": "kustomer.app.effort_timer.put-request", "type": "rest_api",
//!               "appSettings": {"authToken": {"key": "effort_timer.default.authToken"}},
//!               "inputTemplate": {"uri": "https://{{orgName}}.api.kustomerapp.com/v1/...", "method": "PUT", ...},
//!               "inputSchema": {"required": ["conversationId"]},
//!               "outputTemplate": {"response": "/#response", "body": "/#body"}}],
//!  "workflows": [...]}
//! ```
//!
//! Installed private apps get an org suffix (`effort_timer_6142bf2f6ef1940524f53d94`), so a
//! workflow may name `kustomer.app.effort_timer_<suffix>.put-request`: the suffix is ignored.
//! Setting values come from the harness (scenario `apps[].settings`); `secret` ones are
//! masked like secure variables.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::param::{Param, child_path, index_path};
use super::scope::Scope;
use super::template::Templates;
use super::variables::Secrets;

/// One `rest_api` action of an app, compiled.
#[derive(Debug, Clone)]
pub struct AppAction {
    pub name: String,
    pub app: String,
    input: Param,
    output: Option<Param>,
    required: Vec<String>,
    /// Template name → setting value (`authToken` → the token).
    settings: Map<String, Value>,
}

/// A loaded app: its actions and the workflows it ships.
#[derive(Debug, Clone)]
pub struct App {
    pub name: String,
    pub version: Option<String>,
    pub actions: Vec<Arc<AppAction>>,
    /// The app's workflows, as JSON (loaded with the app's actions known).
    pub workflows: Vec<Value>,
    /// The app's klasses (custom object types), as JSON: created in the mock when the
    /// app loads.
    pub klasses: Vec<Value>,
    pub secrets: Secrets,
    pub origin: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppDef {
    app: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    settings: BTreeMap<String, BTreeMap<String, SettingDef>>,
    #[serde(default)]
    actions: Vec<ActionDef>,
    #[serde(default)]
    workflows: Vec<Value>,
    #[serde(default)]
    klasses: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingDef {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    default_value: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionDef {
    name: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    app_settings: BTreeMap<String, SettingRef>,
    #[serde(default)]
    input_template: Option<Value>,
    #[serde(default)]
    input_schema: Option<Value>,
    #[serde(default)]
    output_template: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct SettingRef {
    key: String,
}

/// Setting values supplied for an app: `{"default": {"authToken": "..."}}`.
pub type SettingValues = BTreeMap<String, BTreeMap<String, Value>>;

/// Why an app cannot be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{origin}: {path}: {message}")]
pub struct AppError {
    pub origin: String,
    pub path: String,
    pub message: String,
}

impl App {
    /// Loads an app definition file with the given setting values.
    pub fn load_file(path: &Path, values: &SettingValues) -> Result<App, AppError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| AppError {
            origin: origin.clone(),
            path: "$".into(),
            message: format!("cannot read the file: {e}"),
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| AppError {
            origin: origin.clone(),
            path: "$".into(),
            message: format!("not valid JSON: {e}"),
        })?;
        App::load_value(value, &origin, values)
    }

    /// Loads an app definition.
    pub fn load_value(value: Value, origin: &str, values: &SettingValues) -> Result<App, AppError> {
        let fail = |path: String, message: String| AppError {
            origin: origin.to_string(),
            path,
            message,
        };
        let def: AppDef = serde_path_to_error::deserialize(value)
            .map_err(|e| fail(format!("$.{}", e.path()), e.inner().to_string()))?;
        // Every setting: its supplied value, else its default; secrets masked.
        let mut resolved: BTreeMap<String, Value> = BTreeMap::new();
        let mut secrets = Vec::new();
        for (group, settings) in &def.settings {
            for (name, setting) in settings {
                let key = format!("{}.{group}.{name}", def.app);
                let value = values
                    .get(group)
                    .and_then(|g| g.get(name))
                    .cloned()
                    .or_else(|| setting.default_value.clone())
                    .unwrap_or(Value::Null);
                if setting.kind.as_deref() == Some("secret")
                    && let Value::String(text) = &value
                {
                    secrets.push((format!("{}.{name}", def.app), text.clone()));
                }
                resolved.insert(key, value);
            }
        }
        for (group, supplied) in values {
            for name in supplied.keys() {
                if !resolved.contains_key(&format!("{}.{group}.{name}", def.app)) {
                    return Err(fail(
                        "$.settings".into(),
                        format!("app `{}` has no setting `{group}.{name}`", def.app),
                    ));
                }
            }
        }
        let mut actions = Vec::new();
        for (i, action) in def.actions.iter().enumerate() {
            let at = index_path("$.actions", i);
            if action.kind.as_deref().is_some_and(|k| k != "rest_api") {
                continue; // other action kinds (responsive, ...) need Kustomer itself
            }
            let template = action.input_template.as_ref().ok_or_else(|| {
                fail(
                    child_path(&at, "inputTemplate"),
                    "a rest_api action needs an inputTemplate".into(),
                )
            })?;
            let input = Param::compile(template, &child_path(&at, "inputTemplate"))
                .map_err(|e| fail(e.path, e.message))?;
            let output = match &action.output_template {
                None => None,
                Some(t) => Some(
                    Param::compile(t, &child_path(&at, "outputTemplate"))
                        .map_err(|e| fail(e.path, e.message))?,
                ),
            };
            let mut settings = Map::new();
            for (name, reference) in &action.app_settings {
                let value = resolved.get(&reference.key).cloned().ok_or_else(|| {
                    fail(
                        child_path(&child_path(&at, "appSettings"), name),
                        format!("`{}` is not a setting of app `{}`", reference.key, def.app),
                    )
                })?;
                settings.insert(name.clone(), value);
            }
            let required = action
                .input_schema
                .as_ref()
                .and_then(|s| s.get("required"))
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            actions.push(Arc::new(AppAction {
                name: action.name.clone(),
                app: def.app.clone(),
                input,
                output,
                required,
                settings,
            }));
        }
        Ok(App {
            name: def.app,
            version: def.version,
            actions,
            workflows: def.workflows,
            klasses: def.klasses,
            secrets: Secrets::new(secrets),
            origin: origin.to_string(),
        })
    }
}

/// The app actions the engine knows, by name.
#[derive(Debug, Clone, Default)]
pub struct AppCatalog {
    actions: BTreeMap<String, Arc<AppAction>>,
}

impl AppCatalog {
    pub fn add(&mut self, app: &App) {
        for action in &app.actions {
            self.actions.insert(action.name.clone(), Arc::clone(action));
        }
    }

    /// The action a workflow names, ignoring an org suffix on the app
    /// (`kustomer.app.effort_timer_6142…94.put-request` → `kustomer.app.effort_timer.put-request`).
    pub fn resolve(&self, name: &str) -> Option<Arc<AppAction>> {
        if let Some(action) = self.actions.get(name) {
            return Some(Arc::clone(action));
        }
        let rest = name.strip_prefix("kustomer.app.")?;
        let (app, action) = rest.split_once('.')?;
        let (base, suffix) = app.rsplit_once('_')?;
        if suffix.is_empty() || !suffix.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.actions
            .get(&format!("kustomer.app.{base}.{action}"))
            .cloned()
    }

    pub fn names(&self) -> Vec<String> {
        self.actions.keys().cloned().collect()
    }
}

impl AppAction {
    /// The REST request this action makes for `inputs`: the input template resolved over
    /// the inputs and the app's settings. `Err` is the step's error.
    pub fn request(&self, inputs: &Value, templates: &Templates) -> Result<Value, Value> {
        let inputs = inputs.as_object().cloned().unwrap_or_default();
        let missing: Vec<&String> = self
            .required
            .iter()
            .filter(|r| inputs.get(*r).is_none_or(Value::is_null))
            .collect();
        if !missing.is_empty() {
            return Err(json!({
                "message": format!("app action `{}` needs {}", self.name, missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")),
                "kind": "params",
            }));
        }
        let mut data = inputs;
        for (k, v) in &self.settings {
            data.insert(k.clone(), v.clone());
        }
        let scope = Scope::new(Value::Object(data), templates);
        self.input.resolve(&scope).map_err(
            |m| json!({"message": format!("app action `{}`: {m}", self.name), "kind": "params"}),
        )
    }

    /// Shapes the REST output with the output template (or leaves it as it is).
    pub fn output(&self, rest: Value, templates: &Templates) -> Value {
        match &self.output {
            None => rest,
            Some(template) => {
                let scope = Scope::new(rest.clone(), templates);
                template.resolve(&scope).unwrap_or(rest)
            }
        }
    }
}

/// Serializable description of a loaded app (admin API).
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub app: String,
    pub version: Option<String>,
    pub actions: Vec<String>,
    pub workflows: usize,
    pub origin: String,
}

impl App {
    pub fn info(&self) -> AppInfo {
        AppInfo {
            app: self.name.clone(),
            version: self.version.clone(),
            actions: self.actions.iter().map(|a| a.name.clone()).collect(),
            workflows: self.workflows.len(),
            origin: self.origin.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kustomer_mock::Clock;

    fn app() -> App {
        let def = json!({
            "app": "timer",
            "settings": {"default": {"authToken": {"type": "secret"}, "orgName": {"type": "string", "defaultValue": "acme"}}},
            "actions": [{
                "name": "kustomer.app.timer.put-request",
                "type": "rest_api",
                "appSettings": {"authToken": {"key": "timer.default.authToken"}, "orgName": {"key": "timer.default.orgName"}},
                "inputTemplate": {"uri": "https://{{orgName}}.api.kustomerapp.com/v1/conversations/{{conversationId}}", "method": "PUT",
                                  "headers": {"authorization": "Bearer {{authToken}}"}, "data": {"custom": {"nNum": "/#n"}}},
                "inputSchema": {"required": ["conversationId", "n"]},
                "outputTemplate": {"response": "/#response", "body": "/#body"}
            }]
        });
        let mut values = SettingValues::new();
        values
            .entry("default".into())
            .or_default()
            .insert("authToken".into(), json!("tok-secret-1"));
        App::load_value(def, "timer.json", &values).unwrap()
    }

    #[test]
    fn actions_resolve_by_name_and_with_an_org_suffix() {
        let mut catalog = AppCatalog::default();
        catalog.add(&app());
        assert!(catalog.resolve("kustomer.app.timer.put-request").is_some());
        assert!(
            catalog
                .resolve("kustomer.app.timer_6142bf2f6ef1940524f53d94.put-request")
                .is_some()
        );
        assert!(
            catalog
                .resolve("kustomer.app.timer_notHex.put-request")
                .is_none()
        );
        assert!(catalog.resolve("kustomer.app.other.put-request").is_none());
    }

    #[test]
    fn requests_render_inputs_and_settings() {
        let app = app();
        let templates = Templates::new(Clock::virtual_default());
        let action = &app.actions[0];
        let request = action
            .request(&json!({"conversationId": "c1", "n": 7}), &templates)
            .unwrap();
        assert_eq!(
            request["uri"],
            "https://acme.api.kustomerapp.com/v1/conversations/c1"
        );
        assert_eq!(request["headers"]["authorization"], "Bearer tok-secret-1");
        assert_eq!(request["data"]["custom"]["nNum"], 7);
        assert_eq!(
            app.secrets.mask_str("Bearer tok-secret-1"),
            "Bearer [secure:timer.authToken]"
        );
        let missing = action
            .request(&json!({"conversationId": "c1"}), &templates)
            .unwrap_err();
        assert!(missing["message"].as_str().unwrap().contains("`n`"));
        let shaped = action.output(
            json!({"response": {"status": 200}, "body": {"a": 1}, "status": 200}),
            &templates,
        );
        assert_eq!(
            shaped,
            json!({"response": {"status": 200}, "body": {"a": 1}})
        );
    }

    #[test]
    fn unknown_settings_are_refused() {
        let mut values = SettingValues::new();
        values
            .entry("default".into())
            .or_default()
            .insert("nope".into(), json!(1));
        let err = App::load_value(
            json!({"app": "x", "settings": {"default": {}}}),
            "x.json",
            &values,
        )
        .unwrap_err();
        assert!(err.message.contains("no setting `default.nope`"));
    }
}
