//! Sending drafts: the outbound message a sent draft records (through the message write
//! path, so the conversation's counters and events follow), and the scheduled drafts
//! sent once the mock's clock reaches their `sendAt`.
//!
//! Nothing runs in the background for a virtual clock: due drafts are sent when the clock
//! is moved through the admin API and before any `/v1` request is handled, in the order
//! of their `sendAt` (then id), so a run with the same steps sends them the same way. A
//! real clock also has the server's ticker call [`Store::send_due_drafts`].

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Map, Value};

use super::drafts::due_at;
use super::{Actor, OrgData, OrgState, Store};
use crate::error::ApiError;
use crate::events::cause::Cause;
use crate::model::{
    Direction, Draft, DraftStatus, MessageChannel, MessageStatus, MessageWrite, Org, ToOne,
};

/// No draft is scheduled.
pub(super) const NONE_DUE: i64 = i64::MAX;

impl Store {
    /// Records the draft's outbound message (status `sent`) on its conversation and marks
    /// the draft sent; the caller commits the draft.
    pub(super) fn record_sent_message(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        draft: &mut Draft,
    ) -> Result<(), ApiError> {
        let conversation = draft.conversation().ok_or_else(|| {
            ApiError::bad_request(
                "required",
                "`conversation` is required to send a draft: the conversation the message goes out on",
            )
            .at_pointer("/conversation")
        })?;
        let a = &draft.attributes;
        let mut meta = Map::new();
        let members = [
            ("from", a.from.clone()),
            ("to", a.to.clone()),
            ("cc", (!a.cc.is_empty()).then(|| Value::Array(a.cc.clone()))),
            (
                "bcc",
                (!a.bcc.is_empty()).then(|| Value::Array(a.bcc.clone())),
            ),
            ("replyTo", a.reply_to.clone().map(Value::String)),
            ("htmlBody", a.html_body.clone().map(Value::String)),
        ];
        for (name, value) in members {
            if let Some(value) = value {
                meta.insert(name.to_string(), value);
            }
        }
        let now = self.clock.now();
        let write = MessageWrite {
            channel: Some(a.channel),
            app: Some(
                a.app
                    .clone()
                    .unwrap_or_else(|| default_app(a.channel).to_string()),
            ),
            direction: Some(Direction::Out),
            preview: a.body.clone(),
            subject: a.subject.clone(),
            size: a.body.as_ref().map(|b| b.len() as u64),
            status: Some(MessageStatus::Sent),
            auto: Some(a.auto),
            sent_at: Some(now),
            meta: Some(meta),
            lang: a.lang.clone(),
            ..MessageWrite::default()
        };
        let (message, _) =
            self.create_message_locked(org, actor, data, write, Some(conversation))?;
        draft.attributes.status = DraftStatus::Sent;
        draft.attributes.sent_at = Some(now);
        draft.relationships.message = Some(ToOne::new(message));
        Ok(())
    }

    /// Remembers when the next scheduled draft is due, so the check before each request
    /// is one atomic read.
    pub(super) fn note_schedule(&self, draft: &Draft) {
        if let Some(at) = due_at(draft) {
            self.draft_due.fetch_min(at.millis(), Ordering::SeqCst);
        }
    }

    /// Sends every scheduled draft whose `sendAt` the clock has reached, soonest first
    /// (orgs in id order); gives how many were sent. A draft that can no longer be sent
    /// (its conversation is gone) goes back to `draft`, unscheduled.
    pub fn send_due_drafts(&self) -> usize {
        let due = self.draft_due.load(Ordering::SeqCst);
        if due == NONE_DUE {
            return 0;
        }
        let now = self.clock.now();
        if now.millis() < due {
            return 0;
        }
        // Cleared before the scan: a draft scheduled meanwhile sets it again.
        self.draft_due.store(NONE_DUE, Ordering::SeqCst);
        let mut orgs: Vec<Arc<OrgState>> =
            self.orgs.iter().map(|o| Arc::clone(o.value())).collect();
        orgs.sort_by_key(|state| state.org().id);
        let mut sent = 0;
        for state in orgs {
            let org = state.org();
            let mut data = state.write();
            let mut ready: Vec<_> = data
                .drafts
                .values()
                .filter_map(|d| due_at(d).filter(|at| *at <= now).map(|at| (at, d.id)))
                .collect();
            ready.sort();
            for (_, id) in ready {
                let Some(before) = data.drafts.get(&id).cloned() else {
                    continue;
                };
                let actor = Actor::new(
                    org.id,
                    before.relationships.modified_by.id,
                    "scheduler",
                    None,
                    Cause::root(id),
                )
                .unlimited();
                let mut after = before.clone();
                if self
                    .record_sent_message(&org, &actor, &mut data, &mut after)
                    .is_ok()
                {
                    sent += 1;
                } else {
                    after.attributes.status = DraftStatus::Draft;
                    after.attributes.send_at = None;
                }
                self.commit_draft_update(&org, &actor, &mut data, before, after);
            }
            for draft in data.drafts.values() {
                self.note_schedule(draft);
            }
        }
        sent
    }
}

/// The app a draft without one goes out through (the mock's choice).
fn default_app(channel: MessageChannel) -> &'static str {
    match channel {
        MessageChannel::Email => "postmark",
        MessageChannel::Sms => "twilio",
        MessageChannel::Chat => "chat",
        MessageChannel::Facebook => "facebook",
        MessageChannel::TwitterDm | MessageChannel::TwitterTweet => "twitter",
        MessageChannel::Voice => "voice",
        MessageChannel::Instagram => "instagram",
        MessageChannel::Whatsapp => "twilio_whatsapp",
    }
}
