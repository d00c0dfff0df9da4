//! A customer's `conversationCounts` and `lastConversation` follow its conversations:
//! every create, delete, status change and change of customer moves them, inside the
//! conversation's own write.
//!
//! The customer's `rev` stays and no customer event is sent: Kustomer's public material
//! does not say that a conversation write emits `kustomer.customer.update`, and emitting one
//! would start every customer-update workflow on each conversation change.

use super::OrgData;
use crate::model::{Conversation, ConversationStatus};
use crate::support::ids::Id;

/// What the counts see of a conversation: its customer and status.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Counted {
    customer: Id,
    status: ConversationStatus,
}

impl Counted {
    pub(super) fn of(conversation: &Conversation) -> Counted {
        Counted {
            customer: conversation.relationships.customer.id,
            status: conversation.attributes.status,
        }
    }
}

/// Moves the counts from `before` to `after` (`None`: the conversation does not exist on
/// that side) and keeps `lastConversation` the customer's newest conversation. Called once
/// `data.conversations` holds the conversation's new state.
pub(super) fn follow(
    data: &mut OrgData,
    conversation: Id,
    before: Option<Counted>,
    after: Option<Counted>,
) {
    if before == after {
        return;
    }
    if let Some(before) = before {
        count(data, before, -1);
    }
    if let Some(after) = after {
        count(data, after, 1);
    }
    let customer_before = before.map(|b| b.customer);
    let customer_after = after.map(|a| a.customer);
    if customer_before == customer_after {
        return;
    }
    if let Some(customer) = customer_after {
        join(data, customer, conversation);
    }
    if let Some(customer) = customer_before {
        let was_newest = data
            .customers
            .get(&customer)
            .is_some_and(|c| c.attributes.last_conversation.id == Some(conversation));
        if was_newest {
            // Rare (a delete, or a conversation moved to another customer): look again.
            let newest = data
                .conversations
                .values()
                .enumerate()
                .filter(|(_, c)| c.relationships.customer.id == customer)
                // Same `createdAt` (a virtual clock standing still): the later created.
                .max_by_key(|(position, c)| (c.attributes.created_at, *position))
                .map(|(_, c)| c.id);
            if let Some(record) = data.customers.get_mut(&customer) {
                record.attributes.last_conversation.id = newest;
            }
        }
    }
}

/// `conversation` now belongs to `customer`: it becomes the newest unless the one kept is
/// newer (no scan: creating many conversations stays linear; on a tie, as when a virtual
/// clock stands still, the one that just joined wins).
fn join(data: &mut OrgData, customer: Id, conversation: Id) {
    let created = |id: Id| data.conversations.get(&id).map(|c| c.attributes.created_at);
    let Some(joined) = created(conversation) else {
        return;
    };
    let kept = data
        .customers
        .get(&customer)
        .and_then(|c| c.attributes.last_conversation.id)
        .and_then(created);
    if kept.is_none_or(|kept| joined >= kept)
        && let Some(record) = data.customers.get_mut(&customer)
    {
        record.attributes.last_conversation.id = Some(conversation);
    }
}

fn count(data: &mut OrgData, counted: Counted, delta: i32) {
    let Some(customer) = data.customers.get_mut(&counted.customer) else {
        return;
    };
    let counts = &mut customer.attributes.conversation_counts;
    let bucket = match counted.status {
        ConversationStatus::Open => &mut counts.open,
        ConversationStatus::Snoozed => &mut counts.snoozed,
        ConversationStatus::Done => &mut counts.done,
    };
    *bucket = bucket.saturating_add_signed(delta);
    counts.all = counts.all.saturating_add_signed(delta);
}
