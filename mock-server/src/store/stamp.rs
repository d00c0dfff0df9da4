//! The server-maintained tail of every update: `rev`, `updatedAt`, `modifiedAt` and
//! `modifiedBy` set, the update event published with `changes`. Each object declares which
//! of those fields it has once here, so its update paths cannot disagree on them.

use super::commit::Commit;
use super::{Actor, Store};
use crate::model::{
    Brand, Company, Conversation, Customer, Draft, KObject, Klass, Message, Note, Org, Record,
    Schedule, Tag,
};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A record whose updates the server stamps.
pub(super) trait Stamped: Record + Send + Sync + 'static {
    /// The attributes every update sets: listed in `changes` even when a standing virtual
    /// clock gives them their old value.
    const SET_ON_UPDATE: &'static [&'static str];

    /// Sets the server-maintained fields of `self`, the record after an update of `before`.
    fn stamp(&mut self, before: &Self, now: Timestamp, user: Id);

    /// Whether the update changed `custom` (the event's `meta.customChanged`).
    fn custom_changed(_before: &Self, _after: &Self) -> bool {
        false
    }
}

/// `Stamped` for a record type, by the fields it has: `rev`, `modified` (`modifiedAt` and
/// the `modifiedBy` relationship), `custom`.
macro_rules! stamped {
    ($record:ty, forced = $forced:expr, rev = $rev:tt, modified = $modified:tt, custom = $custom:tt) => {
        impl Stamped for $record {
            const SET_ON_UPDATE: &'static [&'static str] = $forced;

            fn stamp(&mut self, before: &Self, now: Timestamp, user: Id) {
                stamped!(@rev $rev, self, before);
                self.attributes.updated_at = now;
                stamped!(@modified $modified, self, now, user);
            }

            fn custom_changed(before: &Self, after: &Self) -> bool {
                stamped!(@custom $custom, before, after)
            }
        }
    };
    (@rev true, $after:ident, $before:ident) => {
        $after.attributes.rev = $before.attributes.rev + 1;
    };
    (@rev false, $after:ident, $before:ident) => {
        let _ = $before;
    };
    (@modified true, $after:ident, $now:ident, $user:ident) => {
        $after.attributes.modified_at = $now;
        $after.relationships.modified_by.id = $user;
    };
    (@modified false, $after:ident, $now:ident, $user:ident) => {
        let _ = $user;
    };
    (@custom true, $before:ident, $after:ident) => {
        $before.attributes.custom != $after.attributes.custom
    };
    (@custom false, $before:ident, $after:ident) => {{
        let _ = ($before, $after);
        false
    }};
}

const REV_UPDATED_MODIFIED: &[&str] = &["rev", "updatedAt", "modifiedAt"];
const UPDATED_MODIFIED: &[&str] = &["updatedAt", "modifiedAt"];

stamped!(
    Conversation,
    forced = REV_UPDATED_MODIFIED,
    rev = true,
    modified = true,
    custom = true
);
stamped!(
    Klass,
    forced = &["updatedAt"],
    rev = false,
    modified = false,
    custom = false
);
stamped!(
    Customer,
    forced = REV_UPDATED_MODIFIED,
    rev = true,
    modified = true,
    custom = true
);
stamped!(
    Company,
    forced = REV_UPDATED_MODIFIED,
    rev = true,
    modified = true,
    custom = true
);
stamped!(
    KObject,
    forced = &["updatedAt", "rev"],
    rev = true,
    modified = false,
    custom = true
);
stamped!(
    Message,
    forced = UPDATED_MODIFIED,
    rev = false,
    modified = true,
    custom = false
);
stamped!(
    Note,
    forced = UPDATED_MODIFIED,
    rev = false,
    modified = true,
    custom = false
);
stamped!(
    Tag,
    forced = UPDATED_MODIFIED,
    rev = false,
    modified = true,
    custom = false
);
stamped!(
    Brand,
    forced = UPDATED_MODIFIED,
    rev = false,
    modified = true,
    custom = false
);
stamped!(
    Draft,
    forced = UPDATED_MODIFIED,
    rev = false,
    modified = true,
    custom = false
);
stamped!(
    Schedule,
    forced = UPDATED_MODIFIED,
    rev = false,
    modified = true,
    custom = false
);

impl Store {
    /// Stamps `after` (an update of `before` by the actor) and publishes its update event;
    /// gives the stamped record for the caller to store. Call while holding the org's write
    /// lock, after every check that can refuse the write.
    pub(super) fn commit_stamped<R: Stamped>(
        &self,
        org: &Org,
        actor: &Actor,
        before: R,
        after: R,
    ) -> R {
        self.commit_stamped_at(org, actor, before, after, self.clock.now())
    }

    /// [`Store::commit_stamped`] at `now`, for a write that stamps other fields with the
    /// same instant (a conversation's `modificationHistory`).
    pub(super) fn commit_stamped_at<R: Stamped>(
        &self,
        org: &Org,
        actor: &Actor,
        before: R,
        mut after: R,
        now: Timestamp,
    ) -> R {
        after.stamp(&before, now, actor.user);
        let custom_changed = R::custom_changed(&before, &after);
        self.publish_commit(
            org,
            actor,
            Commit::Update {
                before,
                after: &after,
                forced: R::SET_ON_UPDATE,
                custom_changed,
            },
        );
        after
    }
}
