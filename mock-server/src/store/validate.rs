//! Checks of request values against the org's data, each failing with a 400 that points
//! at the offending member of the body.

use super::OrgData;
use crate::error::ApiError;
use crate::support::ids::Id;

/// Parses id strings, pointing at `/<field>/<index>` for the first malformed one.
pub(super) fn parse_ids(values: &[String], field: &str) -> Result<Vec<Id>, ApiError> {
    values
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Id::parse(text).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_id",
                    format!("`{text}` in `{field}` is not a valid id (expected 24 hexadecimal characters)"),
                )
                .at_pointer(format!("/{field}/{i}"))
            })
        })
        .collect()
}

/// Parses one id field, pointing at `/<field>`.
pub(super) fn parse_id(text: &str, field: &str) -> Result<Id, ApiError> {
    Id::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_id",
            format!("`{text}` in `{field}` is not a valid id (expected 24 hexadecimal characters)"),
        )
        .at_pointer(format!("/{field}"))
    })
}

/// Tag ids that must be live tags of this org; duplicates are dropped, order kept.
pub(super) fn tag_ids(data: &OrgData, values: &[String], field: &str) -> Result<Vec<Id>, ApiError> {
    let ids = parse_ids(values, field)?;
    let mut out: Vec<Id> = Vec::with_capacity(ids.len());
    for (i, id) in ids.into_iter().enumerate() {
        match data.tags.get(&id) {
            None => {
                return Err(ApiError::bad_request(
                    "unknown_tag",
                    format!("`{id}` in `{field}` is not a tag of this org"),
                )
                .at_pointer(format!("/{field}/{i}")));
            }
            Some(tag) if tag.attributes.deleted => {
                return Err(ApiError::bad_request(
                    "deleted_tag",
                    format!(
                        "tag `{id}` (`{}`) in `{field}` is deleted",
                        tag.attributes.name
                    ),
                )
                .at_pointer(format!("/{field}/{i}")));
            }
            Some(_) => {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    Ok(out)
}

/// At most `max` entries in a list field.
pub(super) fn at_most(len: usize, max: usize, field: &str) -> Result<(), ApiError> {
    if len > max {
        return Err(ApiError::bad_request(
            "too_many_values",
            format!("`{field}` holds {len} values; at most {max} are allowed"),
        )
        .at_pointer(format!("/{field}")));
    }
    Ok(())
}

/// A customer of this org.
pub(super) fn customer_id(data: &OrgData, text: &str, field: &str) -> Result<Id, ApiError> {
    let id = parse_id(text, field)?;
    if !data.customers.contains_key(&id) {
        return Err(ApiError::bad_request(
            "unknown_customer",
            format!("`{id}` in `{field}` is not a customer of this org"),
        )
        .at_pointer(format!("/{field}")));
    }
    Ok(id)
}

/// Contact entries (`emails`/`phones`) must be objects carrying `value_key` as a string
/// (and `type`, when present, as a string).
pub(super) fn contact_entries(
    entries: &[serde_json::Map<String, serde_json::Value>],
    field: &str,
    value_key: &str,
) -> Result<(), ApiError> {
    for (i, entry) in entries.iter().enumerate() {
        if !entry.get(value_key).is_some_and(|v| v.is_string()) {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("each entry of `{field}` needs a string `{value_key}`"),
            )
            .at_pointer(format!("/{field}/{i}/{value_key}")));
        }
    }
    optional_strings(entries, field, "type")
}

/// Members `key` of a list's objects must be strings where present.
pub(super) fn optional_strings(
    entries: &[serde_json::Map<String, serde_json::Value>],
    field: &str,
    key: &str,
) -> Result<(), ApiError> {
    for (i, entry) in entries.iter().enumerate() {
        if entry.get(key).is_some_and(|v| !v.is_string()) {
            return Err(ApiError::bad_request(
                "invalid_type",
                format!("`{key}` of each entry of `{field}` must be a string"),
            )
            .at_pointer(format!("/{field}/{i}/{key}")));
        }
    }
    Ok(())
}

/// Checks that each of `ids` is a user (`teams` false) or a team (`teams` true) of the
/// org, pointing at `/<field>/<index>` for the first that is not.
pub(super) fn known_assignees(
    data: &OrgData,
    ids: &[Id],
    field: &str,
    teams: bool,
) -> Result<(), ApiError> {
    let (kind, code, route) = if teams {
        ("team", "unknown_team", "GET /v1/teams")
    } else {
        ("user", "unknown_user", "GET /v1/users")
    };
    for (i, id) in ids.iter().enumerate() {
        let known = if teams {
            data.teams.contains_key(id)
        } else {
            data.users.contains_key(id)
        };
        if !known {
            return Err(ApiError::bad_request(
                code,
                format!("`{id}` in `{field}` is not a {kind} of this org ({route} lists them)"),
            )
            .at_pointer(format!("/{field}/{i}")));
        }
    }
    Ok(())
}
