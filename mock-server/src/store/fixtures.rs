//! Fixture bundles: orgs with keys, customers, tags and conversations, loaded at start,
//! by `POST /__admin/seed`, or from scenarios.
//!
//! ```json
//! {"orgs": [{"name": "acme", "plan": "enterprise",
//!            "keys": [{"name": "acme-workflow", "token": "...", "roles": ["org.admin"], "expiresIn": "7d"}],
//!            "customers": [{"id": "...", "name": "Ada"}],
//!            "tags": [{"id": "...", "name": "auto-close"}],
//!            "conversations": [{"customer": "<customer id>", "name": "...", "tags": ["vip"]}]}]}
//! ```
//!
//! Records may carry fixed `id`s and `createdAt`s so documentation and workflows can name
//! them; conversation `tags` may be tag names or ids. Everything is written through the
//! store, so loading a bundle emits the same events as the API would.

use std::path::{Path, PathBuf};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::parse_value;
use crate::events::cause::Cause;
use crate::model::{ConversationWrite, CustomerWrite, LimitsPatch, TagWrite};
use crate::store::{Actor, CreateOptions, KeySpec, Store, TeamSpec};
use crate::support::clock::{Timestamp, parse_duration};
use crate::support::ids::Id;

/// A bundle of fixtures.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FixtureBundle {
    #[serde(default)]
    pub orgs: Vec<OrgFixture>,
    /// Where the bundle came from (for error messages).
    #[serde(skip)]
    pub origin: Option<PathBuf>,
}

/// One org of a bundle; an org that already exists gets the records added.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgFixture {
    pub name: String,
    #[serde(default)]
    pub id: Option<Id>,
    #[serde(default)]
    pub limits: Option<LimitsPatch>,
    #[serde(default)]
    pub keys: Vec<KeyFixture>,
    /// People of the org (agents), e.g. to assign conversations to.
    #[serde(default)]
    pub users: Vec<UserFixture>,
    /// Teams of those users, e.g. to assign conversations to.
    #[serde(default)]
    pub teams: Vec<TeamFixture>,
    /// Saved replies `GET /v1/shortcuts` serves.
    #[serde(default)]
    pub shortcuts: Vec<ShortcutFixture>,
    #[serde(default)]
    pub customers: Vec<Map<String, Value>>,
    #[serde(default)]
    pub tags: Vec<TagFixture>,
    #[serde(default)]
    pub conversations: Vec<Map<String, Value>>,
    /// Companies, seeded before the customers that name them.
    #[serde(default)]
    pub companies: Vec<Map<String, Value>>,
    /// Notes on the conversations above (`conversation` names each one's).
    #[serde(default)]
    pub notes: Vec<Map<String, Value>>,
    /// Drafts for the customers above (`customer` names each one's).
    #[serde(default)]
    pub drafts: Vec<Map<String, Value>>,
    /// The addresses and numbers `GET /v1/outboundAccounts` serves.
    #[serde(default)]
    pub outbound_accounts: Vec<super::fixture_objects::OutboundAccountFixture>,
    /// Custom object types, as `POST /v1/klasses` takes them (with an optional `id`).
    #[serde(default)]
    pub klasses: Vec<Map<String, Value>>,
    /// Records of those klasses: `klass` names one, the rest as `POST
    /// /v1/klasses/{name}` takes it (with an optional `id`).
    #[serde(default)]
    pub kobjects: Vec<Map<String, Value>>,
    /// Brands, as `POST /v1/brands` takes them (with an optional `id`); the first is the
    /// org's default.
    #[serde(default)]
    pub brands: Vec<Map<String, Value>>,
    /// Schedules, as `POST /v1/schedules` takes them (with an optional `id`); the first
    /// is the org's default.
    #[serde(default)]
    pub schedules: Vec<Map<String, Value>>,
    /// Inbound hooks: `type` (`form`, `web` or `email`), the rest as `POST
    /// /v1/hooks/{type}` takes it, with an optional `id` and, for a form hook, `hash`.
    #[serde(default)]
    pub hooks: Vec<Map<String, Value>>,
}

/// A key with an optional fixed token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFixture {
    #[serde(default)]
    pub id: Option<Id>,
    pub name: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// An absolute expiry.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// An expiry relative to when the bundle is loaded (`7d`, `1h`).
    #[serde(default)]
    pub expires_in: Option<String>,
    #[serde(default)]
    pub allowed_cidrs: Vec<String>,
    /// Free text for people reading the fixture (ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A user (an agent) with an optional fixed id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFixture {
    #[serde(default)]
    pub id: Option<Id>,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// A team with an optional fixed id; `members` are user ids.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamFixture {
    #[serde(default)]
    pub id: Option<Id>,
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub icon: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
}

/// A shortcut (a saved reply) with an optional fixed id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShortcutFixture {
    #[serde(default)]
    pub id: Option<Id>,
    pub name: String,
    #[serde(default)]
    pub payload: Map<String, Value>,
}

/// A tag with an optional fixed id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagFixture {
    #[serde(default)]
    pub id: Option<Id>,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// A fixture that cannot be read or applied: names the file and the place in it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{origin}: {pointer}: {message}")]
pub struct FixtureError {
    pub origin: String,
    /// A JSON pointer into the bundle (`/orgs/0/conversations/2/customer`).
    pub pointer: String,
    pub message: String,
}

/// A key created by a bundle, with its token (fixtures document their tokens).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeededKey {
    pub org: String,
    pub name: String,
    pub token: String,
    pub roles: Vec<String>,
    pub expires_at: Option<Timestamp>,
}

/// What applying a bundle created.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedReport {
    pub orgs: Vec<String>,
    pub keys: Vec<SeededKey>,
    pub customers: usize,
    pub tags: usize,
    pub conversations: usize,
}

impl FixtureBundle {
    /// Reads a bundle from a JSON file.
    pub fn from_file(path: &Path) -> Result<FixtureBundle, FixtureError> {
        let text = std::fs::read_to_string(path).map_err(|e| FixtureError {
            origin: path.display().to_string(),
            pointer: String::new(),
            message: format!("cannot read the file: {e}"),
        })?;
        let mut bundle = Self::from_json(&text, &path.display().to_string())?;
        bundle.origin = Some(path.to_path_buf());
        Ok(bundle)
    }

    /// Parses a bundle; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<FixtureBundle, FixtureError> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| FixtureError {
            origin: origin.to_string(),
            pointer: crate::api::path_pointer(e.path()),
            message: e.inner().to_string(),
        })
    }

    /// Parses a bundle from a JSON value.
    pub fn from_value(value: Value, origin: &str) -> Result<FixtureBundle, FixtureError> {
        serde_path_to_error::deserialize(value).map_err(|e| FixtureError {
            origin: origin.to_string(),
            pointer: crate::api::path_pointer(e.path()),
            message: e.inner().to_string(),
        })
    }

    /// Every `*.json` bundle directly inside `dir`, in file-name order.
    pub fn from_dir(dir: &Path) -> Result<Vec<FixtureBundle>, FixtureError> {
        let entries = std::fs::read_dir(dir).map_err(|e| FixtureError {
            origin: dir.display().to_string(),
            pointer: String::new(),
            message: format!("cannot read the fixtures directory: {e}"),
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths.iter().map(|p| Self::from_file(p)).collect()
    }

    fn origin(&self) -> String {
        self.origin
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "fixtures".to_string())
    }

    /// Writes the bundle into the store.
    pub fn apply(&self, store: &Store) -> Result<SeedReport, FixtureError> {
        let origin = self.origin();
        let fail = |pointer: String, message: String| FixtureError {
            origin: origin.clone(),
            pointer,
            message,
        };
        let mut report = SeedReport::default();
        let root = store.ids().next(store.now());
        for (o, fixture) in self.orgs.iter().enumerate() {
            let at = |rest: &str| format!("/orgs/{o}{rest}");
            let org = match store.org_by_name(&fixture.name) {
                Some(id) => id,
                None => {
                    let limits = store
                        .limits_for_new_org(fixture.limits.as_ref())
                        .map_err(|(p, m)| fail(at(&format!("/limits{p}")), m))?;
                    store
                        .create_org(&fixture.name, fixture.id, limits)
                        .map_err(|e| fail(at("/name"), e.detail.clone()))?
                }
            };
            report.orgs.push(fixture.name.clone());
            let system_user = store
                .org_state(org)
                .map_err(|e| fail(at(""), e.detail.clone()))?
                .org()
                .system_user;
            let actor =
                Actor::new(org, system_user, "fixture", None, Cause::root(root)).unlimited();

            for (k, key) in fixture.keys.iter().enumerate() {
                let at = |rest: &str| at(&format!("/keys/{k}{rest}"));
                let expires_at = match (&key.expires_at, &key.expires_in) {
                    (Some(t), _) => Some(*t),
                    (None, Some(d)) => Some(store.now().plus_millis(
                        parse_duration(d).map_err(|e| fail(at("/expiresIn"), e.to_string()))?,
                    )),
                    (None, None) => None,
                };
                let allowed_cidrs = key
                    .allowed_cidrs
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        parse_cidr(c)
                            .map_err(|e| fail(at(&format!("/allowedCidrs/{i}")), e.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let (info, token) = store
                    .create_key(KeySpec {
                        org,
                        id: key.id,
                        name: key.name.clone(),
                        roles: key.roles.clone(),
                        token: key.token.clone(),
                        expires_at,
                        allowed_cidrs,
                    })
                    .map_err(|e| fail(at(""), e.detail.clone()))?;
                report.keys.push(SeededKey {
                    org: fixture.name.clone(),
                    name: info.name,
                    token,
                    roles: info.roles,
                    expires_at: info.expires_at,
                });
            }

            for (u, user) in fixture.users.iter().enumerate() {
                store
                    .create_user(org, user.id, &user.name, user.email.clone())
                    .map_err(|e| {
                        fail(
                            at(&format!("/users/{u}{}", pointer_of(&e))),
                            e.detail.clone(),
                        )
                    })?;
            }

            for (t, team) in fixture.teams.iter().enumerate() {
                let spec = TeamSpec {
                    id: team.id,
                    name: team.name.clone(),
                    display_name: team.display_name.clone(),
                    icon: team.icon.clone(),
                    members: team.members.clone(),
                };
                store.create_team(org, spec).map_err(|e| {
                    fail(
                        at(&format!("/teams/{t}{}", pointer_of(&e))),
                        e.detail.clone(),
                    )
                })?;
            }

            for (s, shortcut) in fixture.shortcuts.iter().enumerate() {
                store
                    .create_shortcut(org, shortcut.id, &shortcut.name, shortcut.payload.clone())
                    .map_err(|e| {
                        fail(
                            at(&format!("/shortcuts/{s}{}", pointer_of(&e))),
                            e.detail.clone(),
                        )
                    })?;
            }

            for (c, company) in fixture.companies.iter().enumerate() {
                super::fixture_objects::seed_company(store, &actor, company)
                    .map_err(|(p, m)| fail(at(&format!("/companies/{c}{p}")), m))?;
            }

            for (c, customer) in fixture.customers.iter().enumerate() {
                let at = |rest: &str| at(&format!("/customers/{c}{rest}"));
                let (options, body) = split_options(customer).map_err(|(p, m)| fail(at(&p), m))?;
                let write: CustomerWrite =
                    parse_value(body).map_err(|e| fail(at(&pointer_of(&e)), e.detail.clone()))?;
                store
                    .create_customer(&actor, write, options)
                    .map_err(|e| fail(at(&pointer_of(&e)), e.detail.clone()))?;
                report.customers += 1;
            }

            for (t, tag) in fixture.tags.iter().enumerate() {
                let write = TagWrite {
                    name: Some(tag.name.clone()),
                    color: Some(tag.color.clone()),
                };
                store
                    .create_tag(&actor, write, tag.id, tag.created_at)
                    .map_err(|e| {
                        fail(
                            at(&format!("/tags/{t}{}", pointer_of(&e))),
                            e.detail.clone(),
                        )
                    })?;
                report.tags += 1;
            }

            for (c, conversation) in fixture.conversations.iter().enumerate() {
                let at = |rest: &str| at(&format!("/conversations/{c}{rest}"));
                let (options, mut body) =
                    split_options(conversation).map_err(|(p, m)| fail(at(&p), m))?;
                resolve_tag_names(store, org, &mut body).map_err(|(p, m)| fail(at(&p), m))?;
                let write: ConversationWrite =
                    parse_value(body).map_err(|e| fail(at(&pointer_of(&e)), e.detail.clone()))?;
                store
                    .create_conversation(&actor, write, options)
                    .map_err(|e| fail(at(&pointer_of(&e)), e.detail.clone()))?;
                report.conversations += 1;
            }

            for (n, note) in fixture.notes.iter().enumerate() {
                super::fixture_objects::seed_note(store, &actor, note)
                    .map_err(|(p, m)| fail(at(&format!("/notes/{n}{p}")), m))?;
            }
            for (d, draft) in fixture.drafts.iter().enumerate() {
                super::fixture_objects::seed_draft(store, &actor, draft)
                    .map_err(|(p, m)| fail(at(&format!("/drafts/{d}{p}")), m))?;
            }
            for (a, account) in fixture.outbound_accounts.iter().enumerate() {
                super::fixture_objects::seed_outbound_account(store, org, account)
                    .map_err(|(p, m)| fail(at(&format!("/outboundAccounts/{a}{p}")), m))?;
            }
            super::fixtures_klasses::apply(store, &actor, &fixture.klasses, &fixture.kobjects)
                .map_err(|(p, m)| fail(at(&p), m))?;
            for (b, brand) in fixture.brands.iter().enumerate() {
                super::fixture_objects::seed_brand(store, &actor, brand)
                    .map_err(|(p, m)| fail(at(&format!("/brands/{b}{p}")), m))?;
            }
            for (n, schedule) in fixture.schedules.iter().enumerate() {
                super::fixture_objects::seed_schedule(store, &actor, schedule)
                    .map_err(|(p, m)| fail(at(&format!("/schedules/{n}{p}")), m))?;
            }
            for (n, hook) in fixture.hooks.iter().enumerate() {
                super::fixture_objects::seed_hook(store, &actor, hook)
                    .map_err(|(p, m)| fail(at(&format!("/hooks/{n}{p}")), m))?;
            }
        }
        Ok(report)
    }
}

/// A text that is neither an IP range nor an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IP range (e.g. 10.0.0.0/8) or address")]
pub struct CidrError(pub String);

/// Parses a CIDR (`10.0.0.0/8`) or a single address (`127.0.0.1`).
pub fn parse_cidr(text: &str) -> Result<IpNet, CidrError> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| CidrError(text.to_string()))
}

pub(super) fn pointer_of(e: &crate::error::ApiError) -> String {
    e.source
        .as_ref()
        .and_then(|s| s.get("pointer"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// Takes the fixture-only `id` and `createdAt` out of a record body.
pub(super) fn split_options(
    record: &Map<String, Value>,
) -> Result<(CreateOptions, Value), (String, String)> {
    let mut body = record.clone();
    let mut options = CreateOptions::default();
    if let Some(id) = body.remove("id") {
        let text = id.as_str().unwrap_or_default();
        options.id =
            Some(Id::parse(text).ok_or(("/id".to_string(), format!("`{id}` is not a 24-hex id")))?);
    }
    if let Some(created) = body.remove("createdAt") {
        let text = created.as_str().unwrap_or_default();
        options.created_at = Some(Timestamp::parse(text).ok_or((
            "/createdAt".to_string(),
            format!("`{created}` is not an ISO-8601 timestamp"),
        ))?);
    }
    body.remove("description");
    Ok((options, Value::Object(body)))
}

/// Conversation fixtures may name tags; the API wants ids.
fn resolve_tag_names(store: &Store, org: Id, body: &mut Value) -> Result<(), (String, String)> {
    let Some(Value::Array(tags)) = body.get_mut("tags") else {
        return Ok(());
    };
    for (i, tag) in tags.iter_mut().enumerate() {
        let Some(text) = tag.as_str() else { continue };
        if Id::parse(text).is_some() {
            continue;
        }
        let found = store.tag_by_name(org, text).map_err(|_| {
            (
                format!("/tags/{i}"),
                format!("no tag named `{text}` (list it under `tags` first)"),
            )
        })?;
        *tag = Value::String(found.id.to_hex());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_names_origin_and_path() {
        let err = FixtureBundle::from_json(r#"{"orgs": [{"name": 5}]}"#, "x.json").unwrap_err();
        assert_eq!(err.origin, "x.json");
        assert!(err.pointer.contains("orgs"), "{err}");
        assert!(err.to_string().starts_with("x.json: "));
    }

    #[test]
    fn cidrs_and_addresses() {
        assert!(parse_cidr("10.0.0.0/8").is_ok());
        assert_eq!(parse_cidr("127.0.0.1").unwrap().to_string(), "127.0.0.1/32");
        assert_eq!(
            parse_cidr("nope").unwrap_err().to_string(),
            "`nope` is not an IP range (e.g. 10.0.0.0/8) or address"
        );
    }
}
