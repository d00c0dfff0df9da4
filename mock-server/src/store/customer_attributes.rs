//! The customer attributes the mock stores as written: identities (external ids,
//! socials, shared contacts), profile fields and activity times. Kept apart from
//! `customers.rs` so that file stays about creating and finding customers.

use super::conversation_attributes::check_sentiment;
use super::validate::{contact_entries, optional_strings};
use crate::error::ApiError;
use crate::model::CustomerWrite;
use crate::model::customer::{ContactEntry, CustomerAttributes};

/// A list of entries as written, the attribute it replaces, and the attribute's name.
type EntryList<'a> = (
    &'a Option<Vec<ContactEntry>>,
    &'a mut Vec<ContactEntry>,
    &'static str,
);

/// Applies the stored-as-written attributes of `write` (each list's entries validated).
pub(super) fn apply_stored(
    a: &mut CustomerAttributes,
    write: &CustomerWrite,
) -> Result<(), ApiError> {
    // Lists whose entries must carry a string value under a key, as Kustomer requires.
    let keyed: [(EntryList, &str); 7] = [
        (
            (&write.external_ids, &mut a.external_ids, "externalIds"),
            "externalId",
        ),
        (
            (
                &write.shared_external_ids,
                &mut a.shared_external_ids,
                "sharedExternalIds",
            ),
            "externalId",
        ),
        (
            (&write.shared_emails, &mut a.shared_emails, "sharedEmails"),
            "email",
        ),
        (
            (&write.shared_phones, &mut a.shared_phones, "sharedPhones"),
            "phone",
        ),
        ((&write.whatsapps, &mut a.whatsapps, "whatsapps"), "phone"),
        ((&write.urls, &mut a.urls, "urls"), "url"),
        ((&write.locations, &mut a.locations, "locations"), "type"),
    ];
    for ((written, field, name), key) in keyed {
        if let Some(entries) = written {
            if key == "type" {
                optional_strings(entries, name, key)?;
            } else {
                contact_entries(entries, name, key)?;
            }
            *field = entries.clone();
        }
    }
    let loose: [EntryList; 4] = [
        (&write.facebook_ids, &mut a.facebook_ids, "facebookIds"),
        (&write.instagram_ids, &mut a.instagram_ids, "instagramIds"),
        (&write.socials, &mut a.socials, "socials"),
        (
            &write.shared_socials,
            &mut a.shared_socials,
            "sharedSocials",
        ),
    ];
    for (written, field, name) in loose {
        if let Some(entries) = written {
            optional_strings(entries, name, "type")?;
            *field = entries.clone();
        }
    }
    let strings = [
        (&write.avatar_url, &mut a.avatar_url, "avatarUrl", 2048),
        (&write.username, &mut a.username, "username", 256),
        (&write.locale, &mut a.locale, "locale", 16),
        (&write.default_lang, &mut a.default_lang, "defaultLang", 100),
        (&write.time_zone, &mut a.time_zone, "timeZone", 64),
    ];
    for (written, field, name, max) in strings {
        if let Some(value) = written {
            if let Some(v) = value
                && v.chars().count() > max
            {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("`{name}` is longer than {max} characters"),
                )
                .at_pointer(format!("/{name}")));
            }
            *field = value.clone();
        }
    }
    let times = [
        (&write.signed_up_at, &mut a.signed_up_at),
        (&write.birthday_at, &mut a.birthday_at),
        (&write.last_seen_at, &mut a.last_seen_at),
        (&write.last_activity_at, &mut a.last_activity_at),
        (
            &write.last_customer_activity_at,
            &mut a.last_customer_activity_at,
        ),
    ];
    for (written, field) in times {
        if let Some(value) = written {
            *field = *value;
        }
    }
    if let Some(gender) = write.gender {
        a.gender = gender;
    }
    if let Some(sentiment) = &write.sentiment {
        if let Some(s) = sentiment {
            check_sentiment(s)?;
        }
        a.sentiment = sentiment.clone().unwrap_or_default();
    }
    Ok(())
}
