//! The installed workflows and the loaded Kustomer apps: what is installed for which
//! org, with which variables, and what admin shows of it.

use std::collections::BTreeMap;
use std::sync::Arc;

use kustomer_mock::Id;
use serde::Serialize;
use serde_json::Value;

use super::super::apps::{App, AppCatalog, AppInfo};
use super::super::definition::VariableDef;
use super::super::load::LoadedWorkflow;
use super::super::variables::{Secrets, Variables};
use super::{Engine, EngineError, EngineInner};

/// A workflow installed for an org.
pub struct Installed {
    pub workflow: LoadedWorkflow,
    pub org: Id,
    pub variables: Variables,
    pub secrets: Secrets,
    /// `variables` as runs read them, built once.
    pub variables_json: Arc<Value>,
}

/// What registering an app did with its workflows.
#[derive(Debug, Clone, Default)]
pub struct AppRegistration {
    pub installed: Vec<InstalledInfo>,
    /// One line per workflow that did not load or install: where, and why.
    pub rejected: Vec<String>,
}

/// What `GET /__admin/workflows` shows of an installed workflow.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledInfo {
    pub id: String,
    pub name: String,
    pub event_name: String,
    pub enabled: bool,
    pub callable: bool,
    pub org: Id,
    pub origin: String,
    /// Variables, secure values masked.
    pub variables: Value,
    pub warnings: Vec<String>,
}

/// Without `variables_json`, which holds secure values as they are (the rest shows
/// them masked).
impl std::fmt::Debug for Installed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installed")
            .field("workflow", &self.workflow)
            .field("org", &self.org)
            .field("variables", &self.variables)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl Installed {
    /// A workflow installed with these variables (its secrets and the variables as runs
    /// read them worked out once, not per run).
    pub fn new(workflow: LoadedWorkflow, org: Id, variables: Variables) -> Installed {
        Installed {
            workflow,
            org,
            secrets: variables.secrets(),
            variables_json: Arc::new(variables.to_json()),
            variables,
        }
    }

    pub fn info(&self) -> InstalledInfo {
        InstalledInfo {
            id: self.workflow.id.clone(),
            name: self.workflow.def.name.clone(),
            event_name: self.workflow.event_name.clone(),
            enabled: self.workflow.def.enabled,
            callable: self.workflow.callable(),
            org: self.org,
            origin: self.workflow.origin.clone(),
            variables: self.variables.shown(),
            warnings: self.workflow.warnings.clone(),
        }
    }
}

impl Engine {
    /// Installs a workflow for `org` (the server's default org when `None`); `overrides`
    /// replace its variables. A workflow with the same id is replaced.
    pub fn install(
        &self,
        workflow: LoadedWorkflow,
        org: Option<&str>,
        overrides: &BTreeMap<String, VariableDef>,
    ) -> Result<InstalledInfo, EngineError> {
        let attached = self.attached()?;
        let org = attached
            .state
            .store
            .resolve_org(org)
            .map_err(|e| EngineError::Org(e.detail.clone()))?;
        let mut variables = Variables::from_defs(&workflow.def.variables);
        variables.set(
            "baseUrl",
            VariableDef::Plain(Value::String(attached.base_url.clone())),
        );
        for (name, def) in overrides {
            variables.set(name, def.clone());
        }
        let installed = Arc::new(Installed::new(workflow, org, variables));
        let info = installed.info();
        let mut workflows = self.0.workflows.write();
        let workflows = Arc::make_mut(&mut workflows);
        workflows.retain(|w| w.workflow.id != installed.workflow.id);
        workflows.push(installed);
        workflows.sort_by(|a, b| {
            (&a.workflow.def.name, &a.workflow.id).cmp(&(&b.workflow.def.name, &b.workflow.id))
        });
        Ok(info)
    }

    /// Removes a workflow; `false` if none had that id.
    pub fn uninstall(&self, id: &str) -> bool {
        let mut workflows = self.0.workflows.write();
        let before = workflows.len();
        Arc::make_mut(&mut workflows).retain(|w| w.workflow.id != id);
        workflows.len() != before
    }

    /// Turns an installed workflow on or off, keeping its org and variables; `false` if
    /// none has that id.
    pub fn set_enabled(&self, id: &str, enabled: bool) -> bool {
        let mut workflows = self.0.workflows.write();
        let list = Arc::make_mut(&mut workflows);
        let Some(slot) = list.iter_mut().find(|w| w.workflow.id == id) else {
            return false;
        };
        let mut workflow = slot.workflow.clone();
        workflow.def.enabled = enabled;
        *slot = Arc::new(Installed::new(workflow, slot.org, slot.variables.clone()));
        true
    }

    /// The installed workflows, in run order.
    pub fn workflows(&self) -> Vec<Arc<Installed>> {
        self.0.workflows.read().to_vec()
    }

    /// The installed workflow with this id.
    pub fn workflow(&self, id: &str) -> Option<Arc<Installed>> {
        self.workflows().into_iter().find(|w| w.workflow.id == id)
    }

    /// Loads a Kustomer app: its actions become available to workflows loaded from now
    /// on, and (with `install_workflows`) its workflows are installed, with `overrides` for
    /// their variables. A workflow that does not load is reported in the answer and the
    /// others are installed: one bad workflow does not take the app's actions away.
    pub fn register_app(
        &self,
        app: App,
        overrides: &BTreeMap<String, VariableDef>,
        install_workflows: bool,
    ) -> AppRegistration {
        self.0.catalog.write().add(&app);
        let catalog = self.catalog();
        let mut registration = AppRegistration::default();
        let workflows = if install_workflows {
            app.workflows.as_slice()
        } else {
            &[]
        };
        for (i, workflow) in workflows.iter().enumerate() {
            let origin = format!("{} $.workflows[{i}]", app.origin);
            let installed =
                super::super::load::load_value_with(workflow.clone(), &origin, &catalog)
                    .map_err(EngineError::from)
                    .and_then(|loaded| self.install(loaded, None, overrides));
            match installed {
                Ok(info) => registration.installed.push(info),
                Err(e) => registration.rejected.push(match e {
                    EngineError::Load(load) => load.to_string(),
                    other => format!("{origin}: {other}"),
                }),
            }
        }
        self.0
            .app_problems
            .lock()
            .extend(registration.rejected.iter().cloned());
        self.0.apps.write().push(app);
        registration
    }

    /// The workflows of loaded apps that were not installed, and why (one line each).
    pub fn app_problems(&self) -> Vec<String> {
        self.0.app_problems.lock().clone()
    }

    /// The app actions workflows may use.
    pub fn catalog(&self) -> AppCatalog {
        self.0.catalog.read().clone()
    }

    /// The loaded apps.
    pub fn apps(&self) -> Vec<AppInfo> {
        self.0.apps.read().iter().map(App::info).collect()
    }
}

impl EngineInner {
    /// The secrets to mask in a run: the workflow's secure variables and every app's secret settings.
    pub(crate) fn secrets_for(&self, installed: &Installed) -> Secrets {
        let mut secrets = installed.secrets.clone();
        for app in self.apps.read().iter() {
            secrets.extend(&app.secrets);
        }
        secrets
    }

    /// The installed workflow with this id.
    pub(crate) fn installed(&self, id: &str) -> Option<Arc<Installed>> {
        self.workflows
            .read()
            .iter()
            .find(|w| w.workflow.id == id)
            .cloned()
    }
}
