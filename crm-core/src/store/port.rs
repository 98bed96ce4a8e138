//! The storage port: what the rules ask of a store, row by row and without rules of its own.
//!
//! A use case opens one transaction of one tenant ([`read`] or [`write`]), loads what it needs,
//! decides, and writes through it; the change events of a write are appended in the same
//! transaction. A read transaction sees one snapshot. A store (SQLite today) implements
//! [`Store`], [`Tx`] and [`WriteTx`] with SQL only: which customer may be changed, which event a
//! write emits, what a merged id stands for are the use cases' business.

use std::collections::HashMap;

use crate::dedupe::NotDuplicate;
use crate::error::{Error, Result};
use crate::model::{AnonymisationNote, MergeId, MergeRecord, PrivacyAction, PrivacyLogEntry, Undo};
use crate::model::{Change, ChangeEvent, ChangeKind, FeedBounds, FeedCursor};
use crate::model::{Channel, ConsentPurpose, ConsentRecord, Invoiced};
use chrono::{DateTime, FixedOffset, Utc};

use crate::model::{
    Actor, Booking, BrochureRequest, BrochureRequestId, Communication, Customer, CustomerId,
    CustomerQuery, CustomerRow, CustomerSort, Document, DocumentId, IndexedCustomer, ListInfo,
    SavedSearch, SavedSearchId, ScheduleRun, SortKey, StoredSchedule, Template, TenantId,
    TenantSettings,
};

/// A change event as the search index reads it: its sequence, its kind (`None`: a kind this
/// version does not know) and the customers it touched.
pub(crate) type ChangedCustomers = (i64, Option<ChangeKind>, Vec<CustomerId>);

/// One of the customer snapshots a merge keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Snapshot {
    /// The primary just before the merge.
    PrimaryBefore,
    /// The primary as the merge left it.
    PrimaryAfter,
    /// The merged record at this position, just before the merge.
    Merged(usize),
}

/// The primary of a merge and the records merged into it, each with its position.
pub(crate) type MergeParties = (CustomerId, Vec<(usize, CustomerId)>);

/// A merge as stored: its record, the primary as the merge left it, and the update time each
/// moved booking had before the move (in the order of `record.bookings`).
pub(crate) struct StoredMerge {
    /// The record (`undone` set once it is undone).
    pub(crate) record: MergeRecord,
    /// The primary as the merge wrote it.
    pub(crate) after: Customer,
    /// The `updated_at` of each moved booking before the move.
    pub(crate) moved_at: Vec<DateTime<Utc>>,
}

/// Where a page of the customer list starts: the sort value of the row before it.
pub(crate) enum SortValue {
    /// The name sort key, as stored.
    Name(String),
    /// The value of an integer sort column (last booking, creation time).
    Int(i64),
}

/// The reads of a transaction of one tenant (every row of another tenant is invisible).
pub(crate) trait Tx {
    /// The tenant's settings (the defaults for a tenant never configured).
    fn tenant_settings(&self) -> Result<TenantSettings>;
    /// The customer stored under customer no. `no`, if there is one.
    fn customer_by_no(&self, no: i64) -> Result<Option<Customer>>;
    /// The id of the customer that had customer no. `no` and was merged into another by a merge
    /// that still stands.
    fn merged_by_no(&self, no: i64) -> Result<Option<CustomerId>>;
    /// Up to `fetch` rows of the customer list in this order, after the row at `after`, each
    /// with its sort key.
    fn customer_page(
        &self,
        sort: CustomerSort,
        descending: bool,
        fetch: u32,
        after: Option<(&SortValue, &CustomerId)>,
    ) -> Result<Vec<(CustomerRow, SortKey)>>;
    /// The name sort key of a customer, if it exists.
    fn sort_name(&self, id: &CustomerId) -> Result<Option<String>>;
    /// How many customers the tenant has.
    fn customer_count(&self) -> Result<u64>;
    /// The customers with this email (main or secondary, matched without case), by customer no.
    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>>;
    /// The tenant's key for the digests of forgotten contacts, if it has one yet.
    fn suppression_key(&self) -> Result<Option<Vec<u8>>>;
    /// Those of `digests`, of contacts of this kind (`email`, `phone`), among the tenant's
    /// forgotten ones.
    fn suppressed_among(
        &self,
        kind: &str,
        digests: &[Vec<u8>],
    ) -> Result<std::collections::HashSet<Vec<u8>>>;
    /// Whether the address of keyed hash `digest` is opted out on `channel`.
    fn is_opted_out(&self, channel: Channel, digest: &[u8]) -> Result<bool>;
    /// Whether any address is opted out on `channel`.
    fn has_opt_outs(&self, channel: Channel) -> Result<bool>;
    /// Those of `digests` opted out on `channel`.
    fn opted_out_among(
        &self,
        channel: Channel,
        digests: &[Vec<u8>],
    ) -> Result<std::collections::HashSet<Vec<u8>>>;
    /// The consent records of `customers`, the latest recorded first.
    fn consents(&self, customers: &[CustomerId]) -> Result<Vec<ConsentRecord>>;
    /// The consent records on `channel` for `purpose` of each of `customers`, the latest
    /// recorded first.
    fn consents_among(
        &self,
        customers: &[CustomerId],
        channel: Channel,
        purpose: ConsentPurpose,
    ) -> Result<Vec<(CustomerId, ConsentRecord)>>;
    /// The booking of this reference.
    fn booking(&self, reference: &str) -> Result<Option<Booking>>;
    /// The stored bookings among these references (validated: trimmed).
    fn bookings(&self, references: &[&str]) -> Result<Vec<Booking>>;
    /// Who a booking belongs to and when it was last changed.
    fn booking_owner(&self, reference: &str)
    -> Result<Option<(Option<CustomerId>, DateTime<Utc>)>>;
    /// How many bookings a customer has.
    fn booking_count(&self, customer: &CustomerId) -> Result<u64>;
    /// A customer's bookings, newest pickup first.
    fn booking_history(&self, customer: &CustomerId) -> Result<Vec<Booking>>;
    /// The invoices of the bookings of `customers`, each with its booking's status, in no
    /// order.
    fn invoiced(&self, customers: &[CustomerId]) -> Result<Vec<Invoiced>>;
    /// A customer's booking count and the pickup of its latest booking, as its counters hold
    /// them.
    fn booking_counts(&self, customer: &CustomerId)
    -> Result<(u64, Option<DateTime<FixedOffset>>)>;
    /// The customer stored under `id`, if there is one (a merged id has none).
    fn customer(&self, id: &CustomerId) -> Result<Option<Customer>>;
    /// Whether a customer is stored under `id`.
    fn customer_exists(&self, id: &CustomerId) -> Result<bool>;
    /// The customer a merged id went into, and by which merge, while that merge stands.
    fn merged_into(&self, id: &CustomerId) -> Result<Option<(CustomerId, MergeId)>>;
    /// The documents of a customer, oldest first, without their bytes.
    fn documents(&self, customer: &CustomerId) -> Result<Vec<Document>>;
    /// How many documents a customer has.
    fn document_count(&self, customer: &CustomerId) -> Result<u64>;
    /// One document, without its bytes.
    fn document(&self, id: &DocumentId) -> Result<Option<Document>>;
    /// The bytes of one document.
    fn document_content(&self, id: &DocumentId) -> Result<Option<Vec<u8>>>;
    /// A customer's communication log, newest first.
    fn communications(&self, customer: &CustomerId) -> Result<Vec<Communication>>;
    /// The tenant's customer lists, by name, with their member counts.
    fn lists(&self) -> Result<Vec<ListInfo>>;
    /// Whether the tenant has a list of this name.
    fn list_exists(&self, name: &str) -> Result<bool>;
    /// The customers on a list.
    fn list_members(&self, name: &str) -> Result<Vec<CustomerId>>;
    /// One brochure request.
    fn brochure_request(&self, id: &BrochureRequestId) -> Result<Option<BrochureRequest>>;
    /// The oldest request of a customer not sent yet.
    fn pending_brochure_request(&self, customer: &CustomerId) -> Result<Option<BrochureRequest>>;
    /// Up to `limit` requests not sent yet after `after`, oldest first.
    fn pending_brochure_requests(
        &self,
        after: Option<&BrochureRequestId>,
        limit: u32,
    ) -> Result<Vec<BrochureRequest>>;
    /// Every brochure request of a customer, oldest first.
    fn brochure_requests(&self, customer: &CustomerId) -> Result<Vec<BrochureRequest>>;
    /// One saved search.
    fn saved_search(&self, id: &SavedSearchId) -> Result<Option<SavedSearch>>;
    /// The saved search of this name: its id and its query (`None` when the stored query can no
    /// longer be read, e.g. written by another version).
    fn saved_search_named(
        &self,
        name: &str,
    ) -> Result<Option<(SavedSearchId, Option<CustomerQuery>)>>;
    /// The tenant's saved searches, by name.
    fn saved_searches(&self) -> Result<Vec<SavedSearch>>;
    /// The customers a saved search matched, each with when it first matched.
    fn saved_matches(&self, id: &SavedSearchId) -> Result<Vec<(CustomerId, DateTime<Utc>)>>;
    /// The schedule of a saved search, with the slot of its latest run.
    fn schedule(&self, id: &SavedSearchId) -> Result<Option<StoredSchedule>>;
    /// Every schedule of the tenant, with the slot of each one's latest run.
    fn schedules(&self) -> Result<Vec<StoredSchedule>>;
    /// Up to `limit` runs of a saved search's schedule, latest slot first.
    fn schedule_runs(&self, id: &SavedSearchId, limit: u32) -> Result<Vec<ScheduleRun>>;
    /// Every message template of the tenant, by name then language (the default first).
    fn templates(&self) -> Result<Vec<Template>>;
    /// The variants of the template `name`, the default first.
    fn template_variants(&self, name: &str) -> Result<Vec<Template>>;
    /// The customers among `ids` that still exist, in id order, with their contacts and lists.
    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>>;
    /// Up to `limit` customers in id order after `after`, with their contacts and lists.
    fn scan_customers(&self, after: Option<CustomerId>, limit: u32) -> Result<Vec<Customer>>;
    /// Up to `limit` customer numbers and ids after customer no. `after_no`, in number order.
    fn ids_by_no(&self, after_no: i64, limit: u32) -> Result<Vec<(i64, CustomerId)>>;
    /// The customer-list rows of the given customers, in the order given (missing ones left
    /// out).
    fn customer_rows(&self, ids: &[CustomerId]) -> Result<Vec<CustomerRow>>;
    /// The search documents of the given customers that still exist.
    fn index_documents(&self, ids: &[CustomerId]) -> Result<Vec<IndexedCustomer>>;
    /// Up to `limit` change events after sequence `after`, in order.
    fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<ChangeEvent>>;
    /// For the search index: up to `limit` change events after sequence `after`, in order,
    /// each as its sequence, its kind (`None`: a kind this version does not know) and the
    /// customers it touched.
    fn changed_customers(&self, after: i64, limit: u32) -> Result<Vec<ChangedCustomers>>;
    /// Every change event about one of `ids` (as the customer or the previous one), in order.
    fn changes_about(&self, ids: &[CustomerId]) -> Result<Vec<ChangeEvent>>;
    /// The bounds of the tenant's feed: the last sequence compacted away and the last one.
    fn feed_bounds(&self) -> Result<FeedBounds>;
    /// The first event of the tenant's feed after `after` written at `at` or later, if any.
    fn first_change_from(&self, after: i64, at: DateTime<Utc>) -> Result<Option<i64>>;
    /// The tenant's feed cursors, by name.
    fn feed_cursors(&self) -> Result<Vec<FeedCursor>>;
    /// When the tenant's duplicate-detection model was learned, if it was.
    fn match_model_stamp(&self) -> Result<Option<String>>;
    /// The tenant's duplicate-detection model: when learned, parameters, frequencies.
    fn match_model(&self) -> Result<Option<(String, String, Vec<u8>)>>;
    /// Every not-a-duplicate decision of the tenant, by pair.
    fn not_duplicates(&self) -> Result<Vec<NotDuplicate>>;
    /// The not-a-duplicate decisions about customer `id`, by pair.
    fn not_duplicates_of(&self, id: &CustomerId) -> Result<Vec<NotDuplicate>>;
    /// The customer no. the next new customer gets.
    fn next_customer_no(&self) -> Result<i64>;
    /// The customers by their value of custom field `key`: for a value several hold, the one
    /// with the lowest customer no.
    fn custom_values(&self, key: &str) -> Result<HashMap<String, CustomerId>>;
    /// The references of a customer's bookings, by reference, each with its update time.
    fn booking_references(&self, customer: &CustomerId) -> Result<Vec<(String, DateTime<Utc>)>>;
    /// One merge as stored.
    fn merge(&self, id: &MergeId) -> Result<Option<StoredMerge>>;
    /// The primary of a merge and the records merged into it, each with its position (their
    /// snapshots unread).
    fn merge_parties(&self, id: &MergeId) -> Result<Option<MergeParties>>;
    /// One snapshot a merge keeps (Internal if it is not a customer record this version reads).
    fn merge_snapshot(&self, id: &MergeId, which: Snapshot) -> Result<Customer>;
    /// The merges (standing or undone) with any of `ids` as primary or as a merged record,
    /// oldest first.
    fn merges_of(&self, ids: &[CustomerId]) -> Result<Vec<MergeId>>;
    /// The newest merge into `primary` after merge `after` that still stands.
    fn later_merge(&self, primary: &CustomerId, after: &MergeId) -> Result<Option<MergeId>>;
    /// The customers merged into `primary` by merges that still stand.
    fn merged_members(&self, primary: &CustomerId) -> Result<Vec<CustomerId>>;
    /// When and why a customer was anonymised.
    fn anonymisation(&self, customer: &CustomerId) -> Result<Option<AnonymisationNote>>;
    /// Up to `limit` customers after customer no. `after_no`, in number order, not anonymised
    /// and with nothing since `before`: no change of the record, no booking departing, recorded
    /// or changed, no unmerge bringing it back.
    fn inactive_customers(
        &self,
        before: &DateTime<Utc>,
        after_no: i64,
        limit: u32,
    ) -> Result<Vec<(i64, CustomerId)>>;
    /// Whether customer `id` is still as [`inactive_customers`](Self::inactive_customers) lists.
    fn is_inactive(&self, id: &CustomerId, before: &DateTime<Utc>) -> Result<bool>;
    /// Up to `limit` entries of the tenant's privacy log after position `after`, in order.
    fn privacy_log(&self, after: i64, limit: u32) -> Result<Vec<PrivacyLogEntry>>;
}

/// The writes of a transaction of one tenant, on top of its reads.
pub(crate) trait WriteTx: Tx {
    /// Replaces the tenant's settings.
    fn set_tenant_settings(&self, settings: &TenantSettings) -> Result<()>;
    /// Appends an entry to the tenant's privacy log (at its next position).
    fn log_privacy(
        &self,
        action: PrivacyAction,
        customer_no: i64,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Takes the next `count` customer numbers of the tenant (counting the customers as
    /// created); returns the first.
    fn take_customer_numbers(&self, count: i64) -> Result<i64>;
    /// Stores a new customer.
    fn insert_customer(&self, customer: &Customer) -> Result<()>;
    /// Appends an event to the change feed (committed with the rest, or not at all).
    fn append(&self, actor: &Actor, change: &Change) -> Result<()> {
        self.append_at(actor, change, Utc::now())
    }
    /// [`append`](Self::append) recording the time `at` (a batch stamps its events alike).
    fn append_at(&self, actor: &Actor, change: &Change, at: DateTime<Utc>) -> Result<()>;
    /// Sets (or makes) the feed cursor `name` at `seq`, stamped `at`.
    fn set_feed_cursor(&self, name: &str, seq: i64, at: DateTime<Utc>) -> Result<()>;
    /// Keeps the tenant's duplicate-detection model in place of the one before.
    fn set_match_model(&self, learned_at: &str, params: &str, frequencies: &[u8]) -> Result<()>;
    /// Stores a not-a-duplicate decision unless its pair has one; whether it was stored.
    fn insert_not_duplicate(&self, decision: &NotDuplicate) -> Result<bool>;
    /// Removes the decision about the pair `low`, `high` (the lower id first); whether there
    /// was one.
    fn delete_not_duplicate(&self, low: &CustomerId, high: &CustomerId) -> Result<bool>;
    /// Removes every not-a-duplicate decision about customer `id`; how many.
    fn delete_not_duplicates_of(&self, id: &CustomerId) -> Result<u64>;
    /// Removes the feed cursor `name`; whether there was one.
    fn delete_feed_cursor(&self, name: &str) -> Result<bool>;
    /// Removes the feed's events up to sequence `upto`, the `limit` oldest at most, and records
    /// the last one removed as compacted. Returns how many were removed.
    fn compact_changes(&self, upto: i64, limit: u32) -> Result<u64>;
    /// Stores a new booking.
    fn insert_booking(&self, booking: &Booking) -> Result<()>;
    /// Writes a booking over the one stored under its reference (its creation time kept).
    fn update_booking(&self, booking: &Booking) -> Result<()>;
    /// Links a booking to a customer, or unlinks it, stamped `at`.
    fn set_booking_customer(
        &self,
        reference: &str,
        customer: Option<CustomerId>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Recounts the booking count and last booking of each customer from its bookings.
    fn recount_bookings(&self, customers: &[CustomerId]) -> Result<()>;
    /// Adds `count` new bookings, the latest departing at `latest`, to a customer's counters;
    /// `false`, nothing changed, when `latest` ties with its stored last booking (recount it).
    fn add_bookings(
        &self,
        customer: &CustomerId,
        count: i64,
        latest: &DateTime<FixedOffset>,
    ) -> Result<bool>;
    /// Stores a document and its bytes.
    fn insert_document(&self, document: &Document, content: &[u8]) -> Result<()>;
    /// Removes a document.
    fn delete_document(&self, id: &DocumentId) -> Result<()>;
    /// Stores an entry of the communication log.
    fn insert_communication(&self, entry: &Communication) -> Result<()>;
    /// Writes every field of `customer` over its row if that row is still at the version
    /// before `customer.version`; `false` (nothing written) if it is not.
    fn update_customer(&self, customer: &Customer) -> Result<bool>;
    /// Makes a list unless it exists; `true` when it was made.
    fn insert_list(&self, name: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Removes a list (the caller takes its members off it first).
    fn delete_list(&self, name: &str) -> Result<()>;
    /// Removes a list if no customer is on it; `true` when it was removed.
    fn delete_list_if_empty(&self, name: &str) -> Result<bool>;
    /// Stores a brochure request.
    fn insert_brochure_request(&self, request: &BrochureRequest) -> Result<()>;
    /// Records when a brochure request was sent.
    fn set_brochure_sent(&self, id: &BrochureRequestId, at: DateTime<Utc>) -> Result<()>;
    /// Stores a new saved search.
    fn insert_saved_search(&self, search: &SavedSearch) -> Result<()>;
    /// Writes the query of a saved search, the time it was saved, and its last run.
    fn set_saved_query(
        &self,
        id: &SavedSearchId,
        query: &CustomerQuery,
        saved_at: DateTime<Utc>,
        last_run_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// Records the time of a saved search's last run.
    fn set_saved_last_run(&self, id: &SavedSearchId, at: DateTime<Utc>) -> Result<()>;
    /// Removes a saved search and its matches; `false` if there was none.
    fn delete_saved_search(&self, id: &SavedSearchId) -> Result<bool>;
    /// Forgets every match of a saved search.
    fn forget_saved_matches(&self, id: &SavedSearchId) -> Result<()>;
    /// Remembers that a saved search first matched `customer` at `at`.
    fn insert_saved_match(
        &self,
        id: &SavedSearchId,
        customer: &CustomerId,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Forgets one match of a saved search.
    fn delete_saved_match(&self, id: &SavedSearchId, customer: &CustomerId) -> Result<()>;
    /// Sets (or replaces) the schedule of a saved search: its serialised form, when it was set.
    fn set_schedule(&self, id: &SavedSearchId, json: &str, at: DateTime<Utc>) -> Result<()>;
    /// Removes the schedule of a saved search; `false` if it had none.
    fn delete_schedule(&self, id: &SavedSearchId) -> Result<bool>;
    /// Claims `slot` of a saved search's schedule for a run starting `at` by `by`; `false` if it
    /// was claimed before.
    fn claim_schedule_slot(
        &self,
        id: &SavedSearchId,
        slot: DateTime<Utc>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<bool>;
    /// Completes the run of `slot`: when, how many rows, which file.
    fn finish_schedule_slot(
        &self,
        id: &SavedSearchId,
        slot: DateTime<Utc>,
        at: DateTime<Utc>,
        rows: u64,
        file: Option<&str>,
    ) -> Result<()>;
    /// Forgets the claim of `slot`.
    fn release_schedule_slot(&self, id: &SavedSearchId, slot: DateTime<Utc>) -> Result<()>;
    /// Writes a template variant, over the one of its name and language if any.
    fn put_template(&self, template: &Template) -> Result<()>;
    /// Removes the variant of `name` in `language` (`None`: the default); `false` if none.
    fn delete_template(&self, name: &str, language: Option<&str>) -> Result<bool>;
    /// Removes a customer's row (its bookings moved or detached first), counting it out.
    fn remove_customer(&self, id: &CustomerId) -> Result<()>;
    /// Puts back a customer exactly as `customer` (number, times, version), counting it in.
    fn restore_customer(&self, customer: &Customer) -> Result<()>;
    /// Detaches every booking of a customer, stamped `at`; returns their references.
    fn unlink_bookings(&self, customer: &CustomerId, at: DateTime<Utc>) -> Result<Vec<String>>;
    /// Stores a merge: its record, members and moved bookings.
    fn insert_merge(&self, merge: &StoredMerge) -> Result<()>;
    /// Records that a merge was undone.
    fn set_merge_undone(&self, id: &MergeId, undo: &Undo) -> Result<()>;
    /// Writes one snapshot a merge keeps.
    fn set_merge_snapshot(&self, id: &MergeId, which: Snapshot, customer: &Customer) -> Result<()>;
    /// Appends a consent record of `customer`, at the tenant's next position.
    fn insert_consent(&self, customer: &CustomerId, record: &ConsentRecord) -> Result<()>;
    /// Moves the documents, brochure requests, communications and consent records of `from` to `to`,
    /// remembering each move under merge `merge`.
    fn move_owned_rows(&self, merge: &MergeId, from: &CustomerId, to: &CustomerId) -> Result<()>;
    /// Moves back the rows merge `merge` moved that are still on `primary`.
    fn move_back_owned_rows(&self, merge: &MergeId, primary: &CustomerId) -> Result<()>;
    /// Sets the tenant's key for the digests of forgotten contacts.
    fn set_suppression_key(&self, key: &[u8]) -> Result<()>;
    /// Remembers the digest of a forgotten contact of this kind (once).
    fn insert_suppression(&self, kind: &str, digest: &[u8], at: DateTime<Utc>) -> Result<()>;
    /// Records that the address of keyed hash `digest` is opted out on `channel`, from
    /// `source`, by `actor`; whether it was new.
    fn insert_opt_out(
        &self,
        channel: Channel,
        digest: &[u8],
        at: DateTime<Utc>,
        source: &str,
        actor: &Actor,
    ) -> Result<bool>;
    /// Removes the opt-out of the address of keyed hash `digest` on `channel`; whether there
    /// was one.
    fn delete_opt_out(&self, channel: Channel, digest: &[u8]) -> Result<bool>;
    /// Deletes every document of a customer.
    fn erase_documents(&self, customer: &CustomerId) -> Result<()>;
    /// Empties the address, subject and reference of a customer's communication log.
    fn erase_communications(&self, customer: &CustomerId) -> Result<()>;
    /// Deletes a customer's consent records (their times are the person's).
    fn erase_consents(&self, customer: &CustomerId) -> Result<()>;
    /// Records that a customer was anonymised: when, by whom, why.
    fn insert_anonymisation(
        &self,
        customer: &CustomerId,
        actor: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

/// A store: transactions of one tenant, and the reads of the search index across tenants.
/// Object-safe; [`read`], [`write`] and [`write_or_discard`] are the typed entry points.
pub(crate) trait Store: Send + Sync {
    /// Runs `f` in a read transaction of `tenant` (one snapshot).
    fn read_tx(&self, tenant: &TenantId, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()>;
    /// Runs `f` in a write transaction of `tenant`: committed if `f` returns `Ok(true)`, rolled
    /// back if it returns `Ok(false)` or an error.
    fn write_tx(
        &self,
        tenant: &TenantId,
        f: &mut dyn FnMut(&dyn WriteTx) -> Result<bool>,
    ) -> Result<()>;
    /// The store's identity: the same for every handle on one database, another for another
    /// (the search index records it, and is rebuilt when it is not the store's).
    fn identity(&self) -> &str;
    /// The last sequence of `tenant`'s change feed (0 before its first event) and its number
    /// of customers. Sequences are per tenant: increasing in commit order, each committed one
    /// visible once every earlier one is.
    fn feed_head(&self, tenant: &TenantId) -> Result<(i64, u64)>;
    /// The customer-list rows of the given customers of `tenant`, in the order given (missing
    /// ones left out): what a search page shows. One read of its own (a store may spare it a
    /// transaction).
    fn customer_rows(&self, tenant: &TenantId, ids: &[CustomerId]) -> Result<Vec<CustomerRow>>;
    /// Every tenant with the last sequence of its feed, and the number of customers of all
    /// tenants.
    fn feed_heads(&self) -> Result<(Vec<(TenantId, i64)>, u64)>;
    /// The last sequence of `tenant`'s feed when this handle committed its last write of it
    /// (or, before its first, when the handle was opened): what a search through this handle
    /// must reflect.
    fn last_written(&self, tenant: &TenantId) -> i64;
    /// Up to `limit` search documents of any tenant, by id, after `after`.
    fn scan_index_documents(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<Vec<IndexedCustomer>>;
    /// The maintenance step after an erasure: whatever the store keeps besides its live data
    /// (SQLite: the write-ahead log) is emptied so erased values leave it. `false` when it could
    /// not be done now (another connection holds it); nothing is lost, only postponed.
    fn flush_erased(&self) -> Result<bool>;
}

/// Runs `f` in a read transaction of `tenant` and returns what it returns.
pub(crate) fn read<T>(
    store: &dyn Store,
    tenant: &TenantId,
    f: impl FnOnce(&dyn Tx) -> Result<T>,
) -> Result<T> {
    let mut f = Some(f);
    let mut out = None;
    store.read_tx(tenant, &mut |tx| {
        let f = f
            .take()
            .ok_or_else(|| Error::Internal("a read ran twice".into()))?;
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| Error::Internal("a read did not run".into()))
}

/// Runs `f` in a write transaction of `tenant` (committed if it succeeds) and returns what it
/// returns.
pub(crate) fn write<T>(
    store: &dyn Store,
    tenant: &TenantId,
    f: impl FnOnce(&dyn WriteTx) -> Result<T>,
) -> Result<T> {
    write_or_discard(store, tenant, |tx| f(tx).map(|out| (out, true)))
}

/// Runs `f` in a write transaction of `tenant`, committed if `f` returns `(_, true)` and rolled
/// back if it returns `(_, false)`; returns what it returns.
pub(crate) fn write_or_discard<T>(
    store: &dyn Store,
    tenant: &TenantId,
    f: impl FnOnce(&dyn WriteTx) -> Result<(T, bool)>,
) -> Result<T> {
    let mut f = Some(f);
    let mut out = None;
    store.write_tx(tenant, &mut |tx| {
        let f = f
            .take()
            .ok_or_else(|| Error::Internal("a write ran twice".into()))?;
        let (value, commit) = f(tx)?;
        out = Some(value);
        Ok(commit)
    })?;
    out.ok_or_else(|| Error::Internal("a write did not run".into()))
}
