//! The conversation attributes the mock stores as written (routing, language,
//! analysis results) and the milestones it stamps (first response, first and last done).
//! Kept apart from `conversations.rs` so each rule has one short home.

use super::validate::at_most;
use crate::error::ApiError;
use crate::model::{Conversation, ConversationWrite, Milestone, Sentiment};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// Kustomer's limit on suggested tags, as on tags.
const MAX_SUGGESTED_TAGS: usize = 20;

/// Applies the stored-as-written attributes of `write` (validated first).
pub(super) fn apply_stored(
    c: &mut Conversation,
    write: &ConversationWrite,
) -> Result<(), ApiError> {
    let a = &mut c.attributes;
    if let Some(tags) = &write.suggested_tags {
        at_most(tags.len(), MAX_SUGGESTED_TAGS, "suggestedTags")?;
        for (i, t) in tags.iter().enumerate() {
            if t.tag.trim().is_empty() || t.tag.chars().count() > 64 {
                return Err(invalid(
                    &format!("suggestedTags/{i}/tag"),
                    "must be a tag name of 1 to 64 characters",
                ));
            }
        }
        a.suggested_tags = tags.clone();
    }
    if let Some(reason) = &write.ended_reason {
        check_length("endedReason", reason.as_deref(), 128)?;
        a.ended_reason = reason.clone();
    }
    if let Some(locked) = write.locked {
        a.locked = locked;
    }
    if let Some(satisfaction) = write.satisfaction {
        if let Some(s) = satisfaction
            && !(-1..=1).contains(&s)
        {
            return Err(invalid("satisfaction", "must be -1, 0, 1 or null"));
        }
        a.satisfaction = satisfaction;
    }
    if let Some(sentiment) = &write.sentiment {
        if let Some(s) = sentiment {
            check_sentiment(s)?;
        }
        a.sentiment = sentiment.clone().unwrap_or_default();
    }
    if let Some(queue) = &write.queue {
        if let Some(q) = queue
            && q.id.is_none()
            && q.external.is_none()
        {
            return Err(invalid("queue", "needs `id` or `external`"));
        }
        a.queue = queue.clone();
    }
    let strings = [
        (&write.sub_status, &mut a.sub_status, "subStatus", 256),
        (&write.brand, &mut a.brand, "brand", 256),
        (
            &write.reply_channel,
            &mut a.reply_channel,
            "replyChannel",
            256,
        ),
        (&write.default_lang, &mut a.default_lang, "defaultLang", 100),
        (&write.locale, &mut a.locale, "locale", 16),
    ];
    for (written, field, name, max) in strings {
        if let Some(value) = written {
            check_length(name, value.as_deref(), max)?;
            *field = value.clone();
        }
    }
    Ok(())
}

/// Stamps `firstDone` (once) and `lastDone` (every time) and who ended it.
pub(super) fn stamp_done(c: &mut Conversation, by: Id, at: Timestamp) {
    let a = &mut c.attributes;
    let done = Milestone::reached(at, by, a.created_at);
    if a.first_done.created_at.is_none() {
        a.first_done = done.clone();
    }
    a.last_done = done;
    a.ended_by = Some(by);
    a.ended_by_type = Some("user".into());
}

/// Clears who ended it when it reopens; the done milestones stay, as in Kustomer.
pub(super) fn clear_ended(c: &mut Conversation) {
    c.attributes.ended_by = None;
    c.attributes.ended_by_type = None;
}

/// Stamps `firstResponse` on the first outbound message.
pub(super) fn stamp_first_response(c: &mut Conversation, by: Id, at: Timestamp) {
    if c.attributes.first_response.created_at.is_none() {
        c.attributes.first_response = Milestone::reached(at, by, c.attributes.created_at);
    }
}

pub(super) fn check_sentiment(s: &Sentiment) -> Result<(), ApiError> {
    if let Some(p) = s.polarity
        && !(-1..=1).contains(&p)
    {
        return Err(invalid("sentiment/polarity", "must be -1, 0 or 1"));
    }
    if let Some(c) = s.confidence
        && !(-1.0..=1.0).contains(&c)
    {
        return Err(invalid("sentiment/confidence", "must be from -1 to 1"));
    }
    Ok(())
}

fn check_length(field: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > max => {
            Err(invalid(field, &format!("is longer than {max} characters")))
        }
        _ => Ok(()),
    }
}

fn invalid(pointer: &str, what: &str) -> ApiError {
    ApiError::bad_request("invalid_value", format!("`{pointer}` {what}"))
        .at_pointer(format!("/{pointer}"))
}
