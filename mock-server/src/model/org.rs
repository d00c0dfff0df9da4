//! Org: the tenant every record, key and limit belongs to.

use serde::{Deserialize, Serialize};

use crate::support::ids::Id;

/// An org and its rate-limit settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    pub id: Id,
    pub name: String,
    pub limits: OrgLimits,
    /// The machine user native workflow actions act as.
    pub workflow_user: Id,
    /// The machine user fixtures and admin writes act as.
    pub system_user: Id,
}

/// The three rate limits of an org (plus search), each per fixed window of the clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgLimits {
    /// The plan the org budget came from, if it came from one.
    pub plan: Option<String>,
    /// Org budget: `/v1` requests per window, shared by all keys.
    pub requests_per_window: u32,
    /// Updates by one user to one record per window.
    pub object_updates_per_window: u32,
    /// Conversations created per customer per window (`importedAt` bodies exempt).
    pub customer_creates_per_window: u32,
    /// Messages created per customer per window (Kustomer: 120 a minute).
    #[serde(default = "default_customer_messages")]
    pub customer_messages_per_window: u32,
    /// Drafts created per customer per window (Kustomer: 120 a minute).
    #[serde(default = "default_customer_drafts")]
    pub customer_drafts_per_window: u32,
    /// Notes created per customer per window (Kustomer: 120 a minute).
    #[serde(default = "default_customer_notes")]
    pub customer_notes_per_window: u32,
    /// Search requests per window (a separate budget).
    pub search_per_window: u32,
    /// The window length in seconds (60 in Kustomer).
    pub window_seconds: u32,
}

impl Default for OrgLimits {
    fn default() -> Self {
        OrgLimits {
            plan: Some("enterprise".into()),
            requests_per_window: 1000,
            object_updates_per_window: 30,
            customer_creates_per_window: 120,
            customer_messages_per_window: default_customer_messages(),
            customer_drafts_per_window: default_customer_drafts(),
            customer_notes_per_window: default_customer_notes(),
            search_per_window: 100,
            window_seconds: 60,
        }
    }
}

fn default_customer_messages() -> u32 {
    120
}

fn default_customer_drafts() -> u32 {
    120
}

fn default_customer_notes() -> u32 {
    120
}

impl OrgLimits {
    /// The org budget of a Kustomer plan, by name.
    pub fn plan_budget(plan: &str) -> Option<u32> {
        match plan.to_ascii_lowercase().as_str() {
            "enterprise" => Some(1000),
            "ultimate" => Some(2000),
            "business" => Some(500),
            "professional" => Some(300),
            _ => None,
        }
    }
}

/// A partial change of an org's limits (fixtures, `PUT /__admin/limits`, scenarios).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsPatch {
    /// `enterprise` (1000), `ultimate` (2000), `business` (500) or `professional` (300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_updates_per_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_creates_per_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_messages_per_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_drafts_per_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_notes_per_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_per_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<u32>,
}

impl LimitsPatch {
    /// Applies the patch; `Err` names the bad field (`/plan`, `/windowSeconds`).
    pub fn apply(&self, limits: &mut OrgLimits) -> Result<(), (String, String)> {
        if let Some(plan) = &self.plan {
            let budget = OrgLimits::plan_budget(plan).ok_or_else(|| {
                (
                    "/plan".to_string(),
                    format!(
                        "unknown plan `{plan}` (use enterprise, ultimate, business or professional)"
                    ),
                )
            })?;
            limits.plan = Some(plan.to_ascii_lowercase());
            limits.requests_per_window = budget;
        }
        if let Some(n) = self.requests_per_window {
            limits.requests_per_window = n;
            if self.plan.is_none() {
                limits.plan = None;
            }
        }
        if let Some(n) = self.object_updates_per_window {
            limits.object_updates_per_window = n;
        }
        if let Some(n) = self.customer_creates_per_window {
            limits.customer_creates_per_window = n;
        }
        if let Some(n) = self.customer_messages_per_window {
            limits.customer_messages_per_window = n;
        }
        if let Some(n) = self.customer_drafts_per_window {
            limits.customer_drafts_per_window = n;
        }
        if let Some(n) = self.customer_notes_per_window {
            limits.customer_notes_per_window = n;
        }
        if let Some(n) = self.search_per_window {
            limits.search_per_window = n;
        }
        if let Some(n) = self.window_seconds {
            if n == 0 {
                return Err((
                    "/windowSeconds".into(),
                    "the window must be at least 1 second".into(),
                ));
            }
            limits.window_seconds = n;
        }
        Ok(())
    }
}

impl super::Kind for Org {
    const KIND: &'static str = "org";
    /// Kustomer links every record's org to `/v1/orgs/<id>`; the mock writes the link
    /// as Kustomer does but does not serve the org route.
    const COLLECTION: Option<&'static str> = Some("orgs");
}
