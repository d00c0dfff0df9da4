//! Drafts: outbound messages prepared for a customer, through the one commit path
//! (`kustomer.draft.create/update/delete`). Sending one (`status: "sent"`, or its
//! `sendAt` reached on the mock's clock, see `draft_sending.rs`) records the outbound
//! message on its conversation with the message write path, in the same write.

use serde_json::Value;

use super::commit::Commit;
use super::conversations::CreateOptions;
use super::customer_limits::CustomerWrite;
use super::validate::{parse_id, parse_ids};
use super::{Actor, Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::{
    Draft, DraftAttributes, DraftRelationships, DraftStatus, DraftWrite, Org, Record, ToOne,
};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

impl Store {
    /// `POST /v1/customers/{id}/drafts`: a new draft, sent at once when the body says
    /// `status: "sent"`.
    pub fn create_draft(
        &self,
        actor: &Actor,
        customer: Id,
        write: DraftWrite,
    ) -> Result<Value, ApiError> {
        self.create_draft_with(actor, customer, write, CreateOptions::default())
    }

    /// [`Store::create_draft`] with a fixture's own id and creation time.
    pub fn create_draft_with(
        &self,
        actor: &Actor,
        customer: Id,
        write: DraftWrite,
        options: CreateOptions,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        if !data.customers.contains_key(&customer) {
            return Err(ApiError::not_found("customer", &customer.to_hex()));
        }
        let channel = write.channel.ok_or_else(|| {
            ApiError::bad_request(
                "required",
                "`channel` is required: email, sms, chat, facebook, twitter-dm, twitter-tweet, voice, instagram or whatsapp",
            )
            .at_pointer("/channel")
        })?;
        let now = options.created_at.unwrap_or_else(|| self.clock.now());
        let id = options.id.unwrap_or_else(|| actor.new_id(self, "draft"));
        if data.drafts.contains_key(&id) {
            return Err(ApiError::conflict(
                "duplicate_id",
                format!("a draft with id `{id}` already exists"),
            ));
        }
        let mut draft = Draft {
            id,
            attributes: DraftAttributes {
                channel,
                app: None,
                body: None,
                html_body: None,
                subject: None,
                to: None,
                from: None,
                cc: Vec::new(),
                bcc: Vec::new(),
                reply_to: None,
                headers: Vec::new(),
                payload: serde_json::Map::new(),
                status: DraftStatus::Draft,
                send_at: None,
                sent_at: None,
                auto: false,
                source: None,
                lang: None,
                template: None,
                shortcuts: Vec::new(),
                kb_articles: Vec::new(),
                created_at: now,
                updated_at: now,
                modified_at: now,
            },
            relationships: DraftRelationships {
                org: ToOne::new(org.id),
                customer: ToOne::new(customer),
                created_by: ToOne::new(actor.user),
                modified_by: ToOne::new(actor.user),
                conversation: None,
                message: None,
            },
        };
        let send = apply_write(&data, &mut draft, write)?;
        self.check_customer_limit(&org, actor, customer, CustomerWrite::Draft)?;
        if send {
            self.record_sent_message(&org, actor, &mut data, &mut draft)?;
        }
        self.publish_commit(&org, actor, Commit::Create(&draft));
        let resource = draft.resource();
        self.note_schedule(&draft);
        data.drafts.insert(id, draft);
        Ok(resource)
    }

    /// `PUT /v1/drafts/{id}`: changes what the body names; `status: "sent"` sends it,
    /// `sendAt` schedules or (`null`) unschedules it. A sent draft no longer changes.
    pub fn update_draft(
        &self,
        actor: &Actor,
        id: Id,
        write: DraftWrite,
    ) -> Result<Value, ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let before = data
            .drafts
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("draft", &id.to_hex()))?;
        if before.attributes.status == DraftStatus::Sent {
            return Err(ApiError::conflict(
                "draft_sent",
                format!("draft `{id}` was sent; a sent draft cannot change"),
            ));
        }
        let mut after = before.clone();
        let send = apply_write(&data, &mut after, write)?;
        self.check_object_limit(&org, actor, id, "draft")?;
        if send {
            self.record_sent_message(&org, actor, &mut data, &mut after)?;
        }
        let resource = self.commit_draft_update(&org, actor, &mut data, before, after);
        Ok(resource)
    }

    /// Stamps the draft, publishes its update event and stores it; gives its resource.
    pub(super) fn commit_draft_update(
        &self,
        org: &Org,
        actor: &Actor,
        data: &mut OrgData,
        before: Draft,
        after: Draft,
    ) -> Value {
        let after = self.commit_stamped(org, actor, before, after);
        let resource = after.resource();
        self.note_schedule(&after);
        data.drafts.insert(after.id, after);
        resource
    }

    /// `DELETE /v1/drafts/{id}`; emits `kustomer.draft.delete`.
    pub fn delete_draft(&self, actor: &Actor, id: Id) -> Result<(), ApiError> {
        let state = self.org_state(actor.org)?;
        let org = state.org();
        let mut data = state.write();
        let draft = data
            .drafts
            .shift_remove(&id)
            .ok_or_else(|| ApiError::not_found("draft", &id.to_hex()))?;
        self.publish_commit(&org, actor, Commit::Delete(&draft));
        Ok(())
    }

    /// `GET /v1/customers/{id}/drafts`, oldest first.
    pub fn list_drafts(&self, org: Id, customer: Id, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        if !data.customers.contains_key(&customer) {
            return Err(ApiError::not_found("customer", &customer.to_hex()));
        }
        let matching = data.drafts.values().filter(|d| d.customer() == customer);
        Ok(super::users::listing(page, matching))
    }
}

/// Applies `write` to `draft`; `Ok(true)` when the draft is to be sent now.
fn apply_write(data: &OrgData, draft: &mut Draft, write: DraftWrite) -> Result<bool, ApiError> {
    let customer = draft.customer();
    if let Some(text) = &write.customer
        && parse_id(text, "customer")? != customer
    {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`customer` `{text}` is not the draft's customer (`{customer}`): leave it out or name the same one"),
        )
        .at_pointer("/customer"));
    }
    if let Some(text) = &write.conversation {
        let id = parse_id(text, "conversation")?;
        match data.conversations.get(&id) {
            Some(c) if c.customer() == customer => {}
            Some(c) => {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("conversation `{id}` belongs to customer `{}`, not to the draft's customer `{customer}`", c.customer()),
                )
                .at_pointer("/conversation"));
            }
            None => {
                return Err(ApiError::bad_request(
                    "unknown_conversation",
                    format!("`{id}` in `conversation` is not a conversation of this org"),
                )
                .at_pointer("/conversation"));
            }
        }
        draft.relationships.conversation = Some(ToOne::new(id));
    }
    let a = &mut draft.attributes;
    if let Some(channel) = write.channel {
        a.channel = channel;
    }
    let texts = [
        (write.app, &mut a.app, "app", 256),
        (write.body, &mut a.body, "body", 10240),
        (write.html_body, &mut a.html_body, "htmlBody", 10240),
        (write.subject, &mut a.subject, "subject", 256),
        (write.reply_to, &mut a.reply_to, "replyTo", 256),
        (write.source, &mut a.source, "source", 64),
    ];
    for (value, field, name, max) in texts {
        if let Some(text) = value {
            if text.chars().count() > max {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("`{name}` is longer than {max} characters"),
                )
                .at_pointer(format!("/{name}")));
            }
            *field = Some(text);
        }
    }
    if let Some(lang) = write.lang {
        a.lang = lang;
    }
    if let Some(template) = write.template {
        a.template = template;
    }
    if write.to.is_some() {
        a.to = write.to;
    }
    if write.from.is_some() {
        a.from = write.from;
    }
    if let Some(cc) = write.cc {
        a.cc = cc.into_iter().map(Value::Object).collect();
    }
    if let Some(bcc) = write.bcc {
        a.bcc = bcc.into_iter().map(Value::Object).collect();
    }
    if let Some(headers) = write.headers {
        a.headers = headers.into_iter().map(Value::Object).collect();
    }
    if let Some(payload) = write.payload {
        a.payload = payload;
    }
    if let Some(auto) = write.auto {
        a.auto = auto;
    }
    if let Some(shortcuts) = &write.shortcuts {
        let ids = parse_ids(shortcuts, "shortcuts")?;
        if let Some((i, id)) = ids
            .iter()
            .enumerate()
            .find(|(_, id)| !data.shortcuts.contains_key(*id))
        {
            return Err(ApiError::bad_request(
                "unknown_shortcut",
                format!("`{id}` in `shortcuts` is not a shortcut of this org (GET /v1/shortcuts lists them)"),
            )
            .at_pointer(format!("/shortcuts/{i}")));
        }
        a.shortcuts = ids;
    }
    if let Some(articles) = &write.kb_articles {
        a.kb_articles = parse_ids(articles, "kbArticles")?;
    }
    if let Some(send_at) = write.send_at {
        a.send_at = send_at;
    }
    if write.scheduled == Some(false) {
        a.send_at = None;
    }
    let send = write.status == Some(DraftStatus::Sent);
    if write.status == Some(DraftStatus::Scheduled) && a.send_at.is_none() {
        return Err(ApiError::bad_request(
            "required",
            "`sendAt` is required to schedule a draft: the instant it is to be sent",
        )
        .at_pointer("/sendAt"));
    }
    a.status = match a.send_at {
        Some(_) => DraftStatus::Scheduled,
        None => DraftStatus::Draft,
    };
    if (send || a.send_at.is_some()) && draft.relationships.conversation.is_none() {
        return Err(ApiError::bad_request(
            "required",
            "`conversation` is required to send or schedule a draft: the conversation the message goes out on",
        )
        .at_pointer("/conversation"));
    }
    Ok(send)
}

/// When a scheduled draft is due (`None`: it is not scheduled).
pub(super) fn due_at(draft: &Draft) -> Option<Timestamp> {
    (draft.attributes.status == DraftStatus::Scheduled)
        .then_some(draft.attributes.send_at)
        .flatten()
}
