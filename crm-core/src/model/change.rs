//! The change feed: one event per mutation, appended in the same transaction, read in order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Actor, CustomerId};

crate::model::string_enum::string_enum!(
    /// What a change did.
    ChangeKind, "kind" {
        /// A customer was created.
        CustomerCreated = "customer_created",
        /// A customer's fields changed (`fields` names them).
        CustomerUpdated = "customer_updated",
        /// A customer was deleted (its bookings were detached first, each with its own event).
        CustomerDeleted = "customer_deleted",
        /// A booking was first recorded (`customer_id` says whom it is linked to, if anyone; no
        /// separate `BookingLinked` follows).
        BookingCreated = "booking_created",
        /// A booking's summary changed (`fields` names what).
        BookingUpdated = "booking_updated",
        /// A booking was linked to a customer, or relinked (`previous_customer_id` says from whom).
        BookingLinked = "booking_linked",
        /// A booking was detached from its customer.
        BookingUnlinked = "booking_unlinked",
        /// The tenant's settings changed.
        TenantSettingsUpdated = "tenant_settings_updated",
        /// A customer was merged into another and is gone: `previous_customer_id` is the merged
        /// record, `customer_id` the one it was merged into (its old id now resolves to it). The
        /// merge's `BookingLinked` events come before, its `CustomerUpdated` of the primary after.
        CustomerMerged = "customer_merged",
        /// A merge was undone and this customer is back: `customer_id` is the restored record,
        /// `previous_customer_id` the customer it had been merged into.
        CustomerUnmerged = "customer_unmerged",
        /// A customer was anonymised: its personal data is gone for good (`fields` names what was
        /// erased). Copies the host keeps of that data should go too.
        CustomerAnonymised = "customer_anonymised",
        /// A document was attached to the customer.
        DocumentAttached = "document_attached",
        /// A document of the customer was deleted.
        DocumentDeleted = "document_deleted",
        /// A customer list was made (no customer; read the lists again).
        ListCreated = "list_created",
        /// A customer list was deleted (its members each got a `CustomerUpdated` first).
        ListDeleted = "list_deleted",
        /// The customer asked for a brochure.
        BrochureRequested = "brochure_requested",
        /// The brochure the customer asked for was sent.
        BrochureSent = "brochure_sent",
        /// A saved search was saved (made, or its query replaced).
        SavedSearchSaved = "saved_search_saved",
        /// A saved search was deleted.
        SavedSearchDeleted = "saved_search_deleted",
        /// A message the host sent to the customer was logged.
        CommunicationRecorded = "communication_recorded",
        /// A person decided two customers are not one person (`customer_id` and
        /// `previous_customer_id` are the two, the lower id first): the finders of duplicates no
        /// longer report the pair.
        NotDuplicateMarked = "not_duplicate_marked",
        /// A not-a-duplicate decision was taken back (the two customers as for
        /// `not_duplicate_marked`).
        NotDuplicateUnmarked = "not_duplicate_unmarked",
        /// A write left this customer sharing an email with another customer
        /// (`previous_customer_id`), in a tenant whose email policy is `warn`, or by undoing a
        /// merge under `warn` or `refuse` (`fields`: `email`).
        CustomerEmailShared = "customer_email_shared",
        /// An address was opted out of a channel (no customer: the address is the tenant's,
        /// kept as a keyed hash; `fields`: the channel).
        AddressOptedOut = "address_opted_out",
        /// An address opted in again on a channel (no customer; `fields`: the channel).
        AddressOptedIn = "address_opted_in",
        /// A consent record was added to the customer (`fields`: its channel and purpose). A
        /// `CustomerUpdated` naming `consent` follows when the customer's marketing consent
        /// changed with it.
        ConsentRecorded = "consent_recorded",
    }
);

impl ChangeKind {
    /// Whether the change erased personal data (a delete or an anonymisation): whoever holds a
    /// copy of the customer's values (a search index, the host) must let them go, not only
    /// stop showing them.
    pub(crate) fn erases(self) -> bool {
        matches!(self, Self::CustomerDeleted | Self::CustomerAnonymised)
    }
}

/// One entry of the change feed. It names what changed, never the personal values: read the
/// record to see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChangeEvent {
    /// Position in the tenant's feed: strictly increasing in commit order, and an event is
    /// visible only once every earlier one is (a reader never sees 11 before 10). On SQLite
    /// the numbers are the file's, shared by its tenants (one tenant's may skip numbers); on
    /// PostgreSQL each tenant counts its own, with no gaps.
    pub seq: i64,
    /// When the change was made (inside its transaction, just before the commit).
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: ChangeKind,
    /// The customer concerned, if any.
    pub customer_id: Option<CustomerId>,
    /// For a relink, the customer the booking was linked to before; for a merge, the merged
    /// record; for a not-a-duplicate decision, the second customer of the pair.
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
