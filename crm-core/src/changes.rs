//! The change feed: one event per mutation, appended in the same transaction, read in order.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Actor, CustomerId};

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// A customer was created.
    CustomerCreated,
    /// A customer's fields changed (`fields` names them).
    CustomerUpdated,
    /// A customer was deleted (its bookings were detached first, each with its own event).
    CustomerDeleted,
    /// A booking was first recorded (`customer_id` says whom it is linked to, if anyone; no
    /// separate `BookingLinked` follows).
    BookingCreated,
    /// A booking's summary changed (`fields` names what).
    BookingUpdated,
    /// A booking was linked to a customer, or relinked (`previous_customer_id` says from whom).
    BookingLinked,
    /// A booking was detached from its customer.
    BookingUnlinked,
    /// The tenant's settings changed.
    TenantSettingsUpdated,
    /// A customer was merged into another and is gone: `previous_customer_id` is the merged
    /// record, `customer_id` the one it was merged into (its old id now resolves to it). The
    /// merge's `BookingLinked` events come before, its `CustomerUpdated` of the primary after.
    CustomerMerged,
    /// A merge was undone and this customer is back: `customer_id` is the restored record,
    /// `previous_customer_id` the customer it had been merged into.
    CustomerUnmerged,
    /// A customer was anonymised: its personal data is gone for good (`fields` names what was
    /// erased). Copies the host keeps of that data should go too.
    CustomerAnonymised,
    /// A document was attached to the customer.
    DocumentAttached,
    /// A document of the customer was deleted.
    DocumentDeleted,
    /// A customer list was made (no customer; read the lists again).
    ListCreated,
    /// A customer list was deleted (its members each got a `CustomerUpdated` first).
    ListDeleted,
    /// The customer asked for a brochure.
    BrochureRequested,
    /// The brochure the customer asked for was sent.
    BrochureSent,
    /// A saved search was saved (made, or its query replaced).
    SavedSearchSaved,
    /// A saved search was deleted.
    SavedSearchDeleted,
    /// A message the host sent to the customer was logged.
    CommunicationRecorded,
}

impl ChangeKind {
    /// The stable text form (`customer_created`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerCreated => "customer_created",
            Self::CustomerUpdated => "customer_updated",
            Self::CustomerDeleted => "customer_deleted",
            Self::BookingCreated => "booking_created",
            Self::BookingUpdated => "booking_updated",
            Self::BookingLinked => "booking_linked",
            Self::BookingUnlinked => "booking_unlinked",
            Self::TenantSettingsUpdated => "tenant_settings_updated",
            Self::CustomerMerged => "customer_merged",
            Self::CustomerUnmerged => "customer_unmerged",
            Self::CustomerAnonymised => "customer_anonymised",
            Self::DocumentAttached => "document_attached",
            Self::DocumentDeleted => "document_deleted",
            Self::ListCreated => "list_created",
            Self::ListDeleted => "list_deleted",
            Self::BrochureRequested => "brochure_requested",
            Self::BrochureSent => "brochure_sent",
            Self::SavedSearchSaved => "saved_search_saved",
            Self::SavedSearchDeleted => "saved_search_deleted",
            Self::CommunicationRecorded => "communication_recorded",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChangeKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        const ALL: [ChangeKind; 20] = [
            ChangeKind::CustomerCreated,
            ChangeKind::CustomerUpdated,
            ChangeKind::CustomerDeleted,
            ChangeKind::BookingCreated,
            ChangeKind::BookingUpdated,
            ChangeKind::BookingLinked,
            ChangeKind::BookingUnlinked,
            ChangeKind::TenantSettingsUpdated,
            ChangeKind::CustomerMerged,
            ChangeKind::CustomerUnmerged,
            ChangeKind::CustomerAnonymised,
            ChangeKind::DocumentAttached,
            ChangeKind::DocumentDeleted,
            ChangeKind::ListCreated,
            ChangeKind::ListDeleted,
            ChangeKind::BrochureRequested,
            ChangeKind::BrochureSent,
            ChangeKind::SavedSearchSaved,
            ChangeKind::SavedSearchDeleted,
            ChangeKind::CommunicationRecorded,
        ];
        ALL.into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::Internal(format!("unknown change kind {s:?} in the feed")))
    }
}

/// One entry of the change feed. It names what changed, never the personal values: read the
/// record to see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChangeEvent {
    /// Position in the feed: strictly increasing, shared by all tenants (so it may skip numbers
    /// within one tenant).
    pub seq: i64,
    /// When the change was made (inside its transaction, just before the commit).
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: ChangeKind,
    /// The customer concerned, if any.
    pub customer_id: Option<CustomerId>,
    /// For a relink, the customer the booking was linked to before.
    pub previous_customer_id: Option<CustomerId>,
    /// The booking concerned, if any.
    pub booking_ref: Option<String>,
    /// Who made the change.
    pub actor: Actor,
    /// The names of the fields that changed (for updates).
    pub fields: Vec<String>,
}

/// An event to append; the store adds the sequence number, time and actor.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) kind: ChangeKind,
    pub(crate) customer_id: Option<CustomerId>,
    pub(crate) previous_customer_id: Option<CustomerId>,
    pub(crate) booking_ref: Option<String>,
    pub(crate) fields: Vec<String>,
}

impl Change {
    pub(crate) fn customer(kind: ChangeKind, id: CustomerId) -> Self {
        Self {
            kind,
            customer_id: Some(id),
            previous_customer_id: None,
            booking_ref: None,
            fields: Vec::new(),
        }
    }

    pub(crate) fn booking(kind: ChangeKind, reference: &str, customer: Option<CustomerId>) -> Self {
        Self {
            kind,
            customer_id: customer,
            previous_customer_id: None,
            booking_ref: Some(reference.to_owned()),
            fields: Vec::new(),
        }
    }

    pub(crate) fn with_fields(mut self, fields: &[&str]) -> Self {
        self.fields = fields.iter().map(|f| (*f).to_owned()).collect();
        self
    }
}
