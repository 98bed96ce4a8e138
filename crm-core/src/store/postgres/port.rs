//! The storage port on PostgreSQL: a transaction of one tenant, each operation the statements
//! of one of the files beside this one.
//!
//! New customers, new bookings and change events are not written one by one: they wait in the
//! transaction and go as one multi-row statement each (arrays unnested) before the next
//! statement of any other kind and before the commit, so a batch of 1,000 customers is a few
//! statements instead of thousands of round trips. Every read comes after them: the
//! transaction sees its own writes as it would one by one.

use std::cell::{Cell, RefCell, RefMut};
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};

use super::Db;
use super::values::utc_text;
use super::{
    bookings, changes, communications, consent, customers, dedupe, documents, indexing, list,
    lists, merges, privacy, saved, schedules, templates,
};
use crate::dedupe::NotDuplicate;
use crate::error::Result;
use crate::model::{
    Actor, Booking, BrochureRequest, BrochureRequestId, Communication, Customer, CustomerId,
    CustomerQuery, CustomerRow, CustomerSort, Document, DocumentId, IndexedCustomer, ListInfo,
    SavedSearch, SavedSearchId, ScheduleRun, SortKey, StoredSchedule, Template, TenantId,
    TenantSettings,
};
use crate::model::{AnonymisationNote, MergeId, PrivacyAction, PrivacyLogEntry, Undo};
use crate::model::{Change, ChangeEvent, FeedBounds, FeedCursor};
use crate::model::{Channel, ConsentPurpose, ConsentRecord, Invoiced};
use crate::store::port::{
    ChangedCustomers, MergeParties, Snapshot, SortValue, StoredMerge, Tx, WriteTx,
};

/// A read or write transaction of one tenant.
pub(super) struct PgTx<'a, 'b> {
    db: RefCell<&'a mut Db<'b>>,
    tenant: &'a TenantId,
    /// Rows waiting to be written together.
    pending: RefCell<Pending>,
    /// The feed's last sequence, as the tenant's row lock found it and this transaction's
    /// events moved it (a read transaction: unused).
    head: Cell<i64>,
    /// Whether this transaction appended events.
    appended: Cell<bool>,
    /// The last time stamped and its text: a batch stamps every row and event alike.
    stamp: RefCell<Option<(DateTime<Utc>, String)>>,
}

impl<'a, 'b> PgTx<'a, 'b> {
    pub(super) fn new(db: &'a mut Db<'b>, tenant: &'a TenantId, head: i64) -> Self {
        Self {
            db: RefCell::new(db),
            pending: RefCell::new(Pending::default()),
            head: Cell::new(head),
            appended: Cell::new(false),
            tenant,
            stamp: RefCell::new(None),
        }
    }

    /// The transaction, for one statement at a time, once the rows waiting are written.
    fn db(&self) -> Result<RefMut<'_, &'a mut Db<'b>>> {
        let mut db = self.db.borrow_mut();
        self.flush(&mut db)?;
        Ok(db)
    }

    /// Writes the rows waiting: customers, then bookings (which may name them), then events.
    fn flush(&self, db: &mut Db<'_>) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        if !pending.customers.is_empty() {
            customers::insert_many(db, self.tenant, &pending.customers)?;
        }
        if !pending.bookings.is_empty() {
            bookings::insert_many(db, self.tenant, &pending.bookings)?;
        }
        if !pending.events.is_empty() {
            let head = changes::append_many(db, self.tenant, self.head.get(), &pending.events)?;
            self.head.set(head);
            self.appended.set(true);
        }
        Ok(())
    }

    /// Writes what is waiting before the commit; the feed's last sequence if this transaction
    /// appended events.
    pub(super) fn finish(&self) -> Result<Option<i64>> {
        let mut db = self.db.borrow_mut();
        self.flush(&mut db)?;
        Ok(self.appended.get().then(|| self.head.get()))
    }

    /// `at` as stored.
    fn text(&self, at: DateTime<Utc>) -> String {
        let mut stamp = self.stamp.borrow_mut();
        match &*stamp {
            Some((last, text)) if *last == at => text.clone(),
            _ => {
                let text = utc_text(&at);
                *stamp = Some((at, text.clone()));
                text
            }
        }
    }
}

/// Rows waiting to be written together (see the module's doc).
#[derive(Default)]
struct Pending {
    customers: Vec<Customer>,
    bookings: Vec<(Booking, String, String)>,
    events: Vec<(Actor, Change, String)>,
}

impl Tx for PgTx<'_, '_> {
    fn customer_page(
        &self,
        sort: CustomerSort,
        descending: bool,
        fetch: u32,
        after: Option<(&SortValue, &CustomerId)>,
    ) -> Result<Vec<(CustomerRow, SortKey)>> {
        list::rows(
            &mut **self.db()?,
            self.tenant,
            sort,
            descending,
            fetch,
            after,
        )
    }

    fn sort_name(&self, id: &CustomerId) -> Result<Option<String>> {
        list::sort_name(&mut **self.db()?, self.tenant, id)
    }

    fn customer_count(&self) -> Result<u64> {
        list::count(&mut **self.db()?, self.tenant)
    }

    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>> {
        customers::by_email(&mut **self.db()?, self.tenant, email)
    }

    fn suppression_key(&self) -> Result<Option<Vec<u8>>> {
        privacy::suppression_key(&mut **self.db()?, self.tenant)
    }

    fn opted_out_among(
        &self,
        channel: Channel,
        digests: &[Vec<u8>],
    ) -> Result<std::collections::HashSet<Vec<u8>>> {
        privacy::opted_out_among(&mut **self.db()?, self.tenant, channel.as_str(), digests)
    }

    fn consents(&self, customers: &[CustomerId]) -> Result<Vec<ConsentRecord>> {
        consent::of_customers(&mut **self.db()?, self.tenant, customers)
    }

    fn consents_among(
        &self,
        customers: &[CustomerId],
        channel: Channel,
        purpose: ConsentPurpose,
    ) -> Result<Vec<(CustomerId, ConsentRecord)>> {
        consent::among(&mut **self.db()?, self.tenant, customers, channel, purpose)
    }

    fn has_opt_outs(&self, channel: Channel) -> Result<bool> {
        privacy::has_opt_outs(&mut **self.db()?, self.tenant, channel.as_str())
    }

    fn is_opted_out(&self, channel: Channel, digest: &[u8]) -> Result<bool> {
        privacy::is_opted_out(&mut **self.db()?, self.tenant, channel.as_str(), digest)
    }

    fn suppressed_among(
        &self,
        kind: &str,
        digests: &[Vec<u8>],
    ) -> Result<std::collections::HashSet<Vec<u8>>> {
        privacy::suppressed_among(&mut **self.db()?, self.tenant, kind, digests)
    }

    fn booking(&self, reference: &str) -> Result<Option<Booking>> {
        bookings::by_reference(&mut **self.db()?, self.tenant, reference)
    }

    fn bookings(&self, references: &[&str]) -> Result<Vec<Booking>> {
        bookings::many(&mut **self.db()?, self.tenant, references)
    }

    fn booking_history(&self, customer: &CustomerId) -> Result<Vec<Booking>> {
        bookings::history(&mut **self.db()?, self.tenant, customer)
    }

    fn invoiced(&self, customers: &[CustomerId]) -> Result<Vec<Invoiced>> {
        bookings::invoiced_of(&mut **self.db()?, self.tenant, customers)
    }

    fn booking_counts(
        &self,
        customer: &CustomerId,
    ) -> Result<(u64, Option<DateTime<FixedOffset>>)> {
        bookings::counts(&mut **self.db()?, self.tenant, customer)
    }

    fn privacy_log(&self, after: i64, limit: u32) -> Result<Vec<PrivacyLogEntry>> {
        privacy::log_entries(&mut **self.db()?, self.tenant, after, limit)
    }

    fn tenant_settings(&self) -> Result<TenantSettings> {
        customers::tenant_settings(&mut **self.db()?, self.tenant)
    }

    fn customer_by_no(&self, no: i64) -> Result<Option<Customer>> {
        customers::find_by_no(&mut **self.db()?, self.tenant, no)
    }

    fn merged_by_no(&self, no: i64) -> Result<Option<CustomerId>> {
        merges::merged_by_no(&mut **self.db()?, self.tenant, no)
    }

    fn customer(&self, id: &CustomerId) -> Result<Option<Customer>> {
        customers::find(&mut **self.db()?, self.tenant, id)
    }

    fn customer_exists(&self, id: &CustomerId) -> Result<bool> {
        customers::exists(&mut **self.db()?, self.tenant, id)
    }

    fn merged_into(&self, id: &CustomerId) -> Result<Option<(CustomerId, MergeId)>> {
        merges::merged_into(&mut **self.db()?, self.tenant, id)
    }

    fn documents(&self, customer: &CustomerId) -> Result<Vec<Document>> {
        documents::list(&mut **self.db()?, self.tenant, customer)
    }

    fn document_count(&self, customer: &CustomerId) -> Result<u64> {
        documents::count(&mut **self.db()?, self.tenant, customer)
    }

    fn document(&self, id: &DocumentId) -> Result<Option<Document>> {
        documents::get(&mut **self.db()?, self.tenant, id)
    }

    fn document_content(&self, id: &DocumentId) -> Result<Option<Vec<u8>>> {
        documents::content(&mut **self.db()?, self.tenant, id)
    }

    fn communications(&self, customer: &CustomerId) -> Result<Vec<Communication>> {
        communications::of_customer(&mut **self.db()?, self.tenant, customer)
    }

    fn lists(&self) -> Result<Vec<ListInfo>> {
        lists::all(&mut **self.db()?, self.tenant)
    }

    fn list_exists(&self, name: &str) -> Result<bool> {
        lists::exists(&mut **self.db()?, self.tenant, name)
    }

    fn list_members(&self, name: &str) -> Result<Vec<CustomerId>> {
        lists::members(&mut **self.db()?, self.tenant, name)
    }

    fn brochure_request(&self, id: &BrochureRequestId) -> Result<Option<BrochureRequest>> {
        lists::request(&mut **self.db()?, self.tenant, id)
    }

    fn pending_brochure_request(&self, customer: &CustomerId) -> Result<Option<BrochureRequest>> {
        lists::pending_of(&mut **self.db()?, self.tenant, customer)
    }

    fn pending_brochure_requests(
        &self,
        after: Option<&BrochureRequestId>,
        limit: u32,
    ) -> Result<Vec<BrochureRequest>> {
        lists::pending(&mut **self.db()?, self.tenant, after, limit)
    }

    fn brochure_requests(&self, customer: &CustomerId) -> Result<Vec<BrochureRequest>> {
        lists::of_customer(&mut **self.db()?, self.tenant, customer)
    }

    fn saved_search(&self, id: &SavedSearchId) -> Result<Option<SavedSearch>> {
        saved::get(&mut **self.db()?, self.tenant, id)
    }

    fn saved_search_named(
        &self,
        name: &str,
    ) -> Result<Option<(SavedSearchId, Option<CustomerQuery>)>> {
        saved::named(&mut **self.db()?, self.tenant, name)
    }

    fn saved_searches(&self) -> Result<Vec<SavedSearch>> {
        saved::all(&mut **self.db()?, self.tenant)
    }

    fn saved_matches(&self, id: &SavedSearchId) -> Result<Vec<(CustomerId, DateTime<Utc>)>> {
        saved::matches(&mut **self.db()?, self.tenant, id)
    }

    fn schedule(&self, id: &SavedSearchId) -> Result<Option<StoredSchedule>> {
        schedules::get(&mut **self.db()?, self.tenant, id)
    }

    fn schedules(&self) -> Result<Vec<StoredSchedule>> {
        schedules::all(&mut **self.db()?, self.tenant)
    }

    fn schedule_runs(&self, id: &SavedSearchId, limit: u32) -> Result<Vec<ScheduleRun>> {
        schedules::runs(&mut **self.db()?, self.tenant, id, limit)
    }

    fn templates(&self) -> Result<Vec<Template>> {
        templates::all(&mut **self.db()?, self.tenant)
    }

    fn template_variants(&self, name: &str) -> Result<Vec<Template>> {
        templates::named(&mut **self.db()?, self.tenant, name)
    }

    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        let docs = indexing::documents(&mut **self.db()?, self.tenant, ids, false)?;
        Ok(docs.into_iter().map(|d| d.customer).collect())
    }

    fn scan_customers(&self, after: Option<CustomerId>, limit: u32) -> Result<Vec<Customer>> {
        indexing::tenant_customers(&mut **self.db()?, self.tenant, after, limit)
    }

    fn ids_by_no(&self, after_no: i64, limit: u32) -> Result<Vec<(i64, CustomerId)>> {
        indexing::ids_by_no(&mut **self.db()?, self.tenant, after_no, limit)
    }

    fn customer_rows(&self, ids: &[CustomerId]) -> Result<Vec<CustomerRow>> {
        indexing::rows(&mut **self.db()?, self.tenant, ids)
    }

    fn index_documents(&self, ids: &[CustomerId]) -> Result<Vec<IndexedCustomer>> {
        indexing::documents(&mut **self.db()?, self.tenant, ids, true)
    }

    fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<ChangeEvent>> {
        changes::since(&mut **self.db()?, self.tenant, after, limit)
    }

    fn changed_customers(&self, after: i64, limit: u32) -> Result<Vec<ChangedCustomers>> {
        indexing::changed_customers(&mut **self.db()?, self.tenant, after, limit)
    }

    fn changes_about(&self, ids: &[CustomerId]) -> Result<Vec<ChangeEvent>> {
        changes::about(&mut **self.db()?, self.tenant, ids)
    }

    fn feed_bounds(&self) -> Result<FeedBounds> {
        changes::bounds(&mut **self.db()?, self.tenant)
    }

    fn first_change_from(&self, after: i64, at: DateTime<Utc>) -> Result<Option<i64>> {
        changes::first_from(&mut **self.db()?, self.tenant, after, &utc_text(&at))
    }

    fn feed_cursors(&self) -> Result<Vec<FeedCursor>> {
        changes::cursors(&mut **self.db()?, self.tenant)
    }

    fn match_model_stamp(&self) -> Result<Option<String>> {
        dedupe::model_stamp(&mut **self.db()?, self.tenant)
    }

    fn match_model(&self) -> Result<Option<(String, String, Vec<u8>)>> {
        dedupe::model(&mut **self.db()?, self.tenant)
    }

    fn not_duplicates(&self) -> Result<Vec<NotDuplicate>> {
        dedupe::decisions(&mut **self.db()?, self.tenant)
    }

    fn not_duplicates_of(&self, id: &CustomerId) -> Result<Vec<NotDuplicate>> {
        dedupe::decisions_of(&mut **self.db()?, self.tenant, id)
    }

    fn next_customer_no(&self) -> Result<i64> {
        customers::next_customer_no(&mut **self.db()?, self.tenant)
    }

    fn custom_values(&self, key: &str) -> Result<HashMap<String, CustomerId>> {
        customers::by_custom_value(&mut **self.db()?, self.tenant, key)
    }

    fn booking_references(&self, customer: &CustomerId) -> Result<Vec<(String, DateTime<Utc>)>> {
        bookings::references_of(&mut **self.db()?, self.tenant, customer)
    }

    fn merge(&self, id: &MergeId) -> Result<Option<StoredMerge>> {
        merges::load(&mut **self.db()?, self.tenant, id)
    }

    fn merge_parties(&self, id: &MergeId) -> Result<Option<MergeParties>> {
        merges::parties(&mut **self.db()?, self.tenant, id)
    }

    fn merge_snapshot(&self, id: &MergeId, which: Snapshot) -> Result<Customer> {
        merges::snapshot(&mut **self.db()?, self.tenant, id, which)
    }

    fn booking_owner(
        &self,
        reference: &str,
    ) -> Result<Option<(Option<CustomerId>, DateTime<Utc>)>> {
        bookings::owner(&mut **self.db()?, self.tenant, reference)
    }

    fn booking_count(&self, customer: &CustomerId) -> Result<u64> {
        bookings::count_of(&mut **self.db()?, self.tenant, customer)
    }

    fn merges_of(&self, ids: &[CustomerId]) -> Result<Vec<MergeId>> {
        merges::of_customers(&mut **self.db()?, self.tenant, ids)
    }

    fn later_merge(&self, primary: &CustomerId, after: &MergeId) -> Result<Option<MergeId>> {
        merges::later(&mut **self.db()?, self.tenant, primary, after)
    }

    fn merged_members(&self, primary: &CustomerId) -> Result<Vec<CustomerId>> {
        merges::members_of(&mut **self.db()?, self.tenant, primary)
    }

    fn anonymisation(&self, customer: &CustomerId) -> Result<Option<AnonymisationNote>> {
        privacy::anonymisation(&mut **self.db()?, self.tenant, customer)
    }

    fn inactive_customers(
        &self,
        before: &DateTime<Utc>,
        after_no: i64,
        limit: u32,
    ) -> Result<Vec<(i64, CustomerId)>> {
        privacy::inactive(&mut **self.db()?, self.tenant, before, after_no, limit)
    }

    fn is_inactive(&self, id: &CustomerId, before: &DateTime<Utc>) -> Result<bool> {
        privacy::is_inactive(&mut **self.db()?, self.tenant, id, before)
    }
}

impl WriteTx for PgTx<'_, '_> {
    fn take_customer_numbers(&self, count: i64) -> Result<i64> {
        customers::take_numbers(&mut **self.db()?, self.tenant, count)
    }

    fn insert_customer(&self, customer: &Customer) -> Result<()> {
        self.pending.borrow_mut().customers.push(customer.clone());
        Ok(())
    }

    fn log_privacy(
        &self,
        action: PrivacyAction,
        customer_no: i64,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<()> {
        privacy::log(
            &mut **self.db()?,
            self.tenant,
            action,
            customer_no,
            actor,
            &at,
        )
    }

    fn insert_opt_out(
        &self,
        channel: Channel,
        digest: &[u8],
        at: DateTime<Utc>,
        source: &str,
        actor: &Actor,
    ) -> Result<bool> {
        privacy::insert_opt_out(
            &mut **self.db()?,
            self.tenant,
            channel.as_str(),
            digest,
            (&at, source, &actor.user_id),
        )
    }

    fn delete_opt_out(&self, channel: Channel, digest: &[u8]) -> Result<bool> {
        privacy::delete_opt_out(&mut **self.db()?, self.tenant, channel.as_str(), digest)
    }

    fn set_tenant_settings(&self, settings: &TenantSettings) -> Result<()> {
        customers::set_tenant_settings(&mut **self.db()?, self.tenant, settings)
    }

    fn append_at(&self, actor: &Actor, change: &Change, at: DateTime<Utc>) -> Result<()> {
        let at = self.text(at);
        let mut pending = self.pending.borrow_mut();
        pending.events.push((actor.clone(), change.clone(), at));
        Ok(())
    }

    fn set_feed_cursor(&self, name: &str, seq: i64, at: DateTime<Utc>) -> Result<()> {
        changes::set_cursor(&mut **self.db()?, self.tenant, name, seq, &self.text(at))
    }

    fn set_match_model(&self, learned_at: &str, params: &str, frequencies: &[u8]) -> Result<()> {
        dedupe::set_model(
            &mut **self.db()?,
            self.tenant,
            learned_at,
            params,
            frequencies,
        )
    }

    fn insert_not_duplicate(&self, decision: &NotDuplicate) -> Result<bool> {
        dedupe::insert_decision(&mut **self.db()?, self.tenant, decision)
    }

    fn delete_not_duplicate(&self, low: &CustomerId, high: &CustomerId) -> Result<bool> {
        dedupe::delete_decision(&mut **self.db()?, self.tenant, low, high)
    }

    fn delete_not_duplicates_of(&self, id: &CustomerId) -> Result<u64> {
        dedupe::delete_decisions_of(&mut **self.db()?, self.tenant, id)
    }

    fn delete_feed_cursor(&self, name: &str) -> Result<bool> {
        changes::delete_cursor(&mut **self.db()?, self.tenant, name)
    }

    fn compact_changes(&self, upto: i64, limit: u32) -> Result<u64> {
        changes::compact(&mut **self.db()?, self.tenant, upto, limit)
    }

    fn insert_booking(&self, booking: &Booking) -> Result<()> {
        let updated = self.text(booking.updated_at);
        let created = self.text(booking.created_at);
        let mut pending = self.pending.borrow_mut();
        pending.bookings.push((booking.clone(), created, updated));
        Ok(())
    }

    fn update_booking(&self, booking: &Booking) -> Result<()> {
        let updated = self.text(booking.updated_at);
        bookings::update(&mut **self.db()?, self.tenant, booking, &updated)
    }

    fn set_booking_customer(
        &self,
        reference: &str,
        customer: Option<CustomerId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        bookings::set_customer(
            &mut **self.db()?,
            self.tenant,
            reference,
            customer,
            &self.text(at),
        )
    }

    fn recount_bookings(&self, customers: &[CustomerId]) -> Result<()> {
        bookings::refresh_counters(&mut **self.db()?, self.tenant, customers.iter().copied())
    }

    fn add_bookings(
        &self,
        customer: &CustomerId,
        count: i64,
        latest: &DateTime<FixedOffset>,
    ) -> Result<bool> {
        bookings::add_to_counters(&mut **self.db()?, self.tenant, customer, count, latest)
    }

    fn insert_document(&self, document: &Document, content: &[u8]) -> Result<()> {
        documents::insert(&mut **self.db()?, self.tenant, document, content)
    }

    fn delete_document(&self, id: &DocumentId) -> Result<()> {
        documents::delete(&mut **self.db()?, self.tenant, id)
    }

    fn insert_communication(&self, entry: &Communication) -> Result<()> {
        communications::insert(&mut **self.db()?, self.tenant, entry)
    }

    fn update_customer(&self, customer: &Customer) -> Result<bool> {
        customers::written(&mut **self.db()?, self.tenant, customer, false)
    }

    fn insert_list(&self, name: &str, at: DateTime<Utc>) -> Result<bool> {
        lists::insert(&mut **self.db()?, self.tenant, name, at)
    }

    fn delete_list(&self, name: &str) -> Result<()> {
        lists::delete(&mut **self.db()?, self.tenant, name)
    }

    fn delete_list_if_empty(&self, name: &str) -> Result<bool> {
        lists::delete_if_empty(&mut **self.db()?, self.tenant, name)
    }

    fn insert_brochure_request(&self, request: &BrochureRequest) -> Result<()> {
        lists::insert_request(&mut **self.db()?, self.tenant, request)
    }

    fn set_brochure_sent(&self, id: &BrochureRequestId, at: DateTime<Utc>) -> Result<()> {
        lists::set_sent(&mut **self.db()?, self.tenant, id, at)
    }

    fn insert_saved_search(&self, search: &SavedSearch) -> Result<()> {
        saved::insert(&mut **self.db()?, self.tenant, search)
    }

    fn set_saved_query(
        &self,
        id: &SavedSearchId,
        query: &CustomerQuery,
        saved_at: DateTime<Utc>,
        last_run_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        saved::set_query(
            &mut **self.db()?,
            self.tenant,
            id,
            query,
            saved_at,
            last_run_at,
        )
    }

    fn set_saved_last_run(&self, id: &SavedSearchId, at: DateTime<Utc>) -> Result<()> {
        saved::set_last_run(&mut **self.db()?, self.tenant, id, at)
    }

    fn delete_saved_search(&self, id: &SavedSearchId) -> Result<bool> {
        saved::delete(&mut **self.db()?, self.tenant, id)
    }

    fn forget_saved_matches(&self, id: &SavedSearchId) -> Result<()> {
        saved::forget_matches(&mut **self.db()?, self.tenant, id)
    }

    fn insert_saved_match(
        &self,
        id: &SavedSearchId,
        customer: &CustomerId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        saved::insert_match(&mut **self.db()?, self.tenant, id, customer, at)
    }

    fn delete_saved_match(&self, id: &SavedSearchId, customer: &CustomerId) -> Result<()> {
        saved::delete_match(&mut **self.db()?, self.tenant, id, customer)
    }

    fn set_schedule(&self, id: &SavedSearchId, json: &str, at: DateTime<Utc>) -> Result<()> {
        schedules::set(&mut **self.db()?, self.tenant, id, json, at)
    }

    fn delete_schedule(&self, id: &SavedSearchId) -> Result<bool> {
        schedules::delete(&mut **self.db()?, self.tenant, id)
    }

    fn claim_schedule_slot(
        &self,
        id: &SavedSearchId,
        slot: DateTime<Utc>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<bool> {
        schedules::claim(&mut **self.db()?, self.tenant, id, slot, at, by)
    }

    fn finish_schedule_slot(
        &self,
        id: &SavedSearchId,
        slot: DateTime<Utc>,
        at: DateTime<Utc>,
        rows: u64,
        file: Option<&str>,
    ) -> Result<()> {
        schedules::finish(&mut **self.db()?, self.tenant, id, slot, at, rows, file)
    }

    fn release_schedule_slot(&self, id: &SavedSearchId, slot: DateTime<Utc>) -> Result<()> {
        schedules::release(&mut **self.db()?, self.tenant, id, slot)
    }

    fn put_template(&self, template: &Template) -> Result<()> {
        templates::put(&mut **self.db()?, self.tenant, template)
    }

    fn delete_template(&self, name: &str, language: Option<&str>) -> Result<bool> {
        templates::delete(&mut **self.db()?, self.tenant, name, language)
    }

    fn remove_customer(&self, id: &CustomerId) -> Result<()> {
        customers::remove(&mut **self.db()?, self.tenant, id)
    }

    fn restore_customer(&self, customer: &Customer) -> Result<()> {
        customers::restore(&mut **self.db()?, self.tenant, customer)
    }

    fn unlink_bookings(&self, customer: &CustomerId, at: DateTime<Utc>) -> Result<Vec<String>> {
        bookings::unlink_all(&mut **self.db()?, self.tenant, customer, &self.text(at))
    }

    fn insert_merge(&self, merge: &StoredMerge) -> Result<()> {
        merges::insert(&mut **self.db()?, self.tenant, merge)
    }

    fn set_merge_undone(&self, id: &MergeId, undo: &Undo) -> Result<()> {
        merges::set_undone(&mut **self.db()?, self.tenant, id, undo)
    }

    fn set_merge_snapshot(&self, id: &MergeId, which: Snapshot, customer: &Customer) -> Result<()> {
        merges::set_snapshot(&mut **self.db()?, self.tenant, id, which, customer)
    }

    fn erase_consents(&self, customer: &CustomerId) -> Result<()> {
        consent::erase(&mut **self.db()?, self.tenant, customer)
    }

    fn insert_consent(&self, customer: &CustomerId, record: &ConsentRecord) -> Result<()> {
        consent::insert(&mut **self.db()?, self.tenant, customer, record)
    }

    fn move_owned_rows(&self, merge: &MergeId, from: &CustomerId, to: &CustomerId) -> Result<()> {
        merges::move_owned(&mut **self.db()?, self.tenant, merge, from, to)
    }

    fn move_back_owned_rows(&self, merge: &MergeId, primary: &CustomerId) -> Result<()> {
        merges::move_back_owned(&mut **self.db()?, self.tenant, merge, primary)
    }

    fn set_suppression_key(&self, key: &[u8]) -> Result<()> {
        privacy::set_suppression_key(&mut **self.db()?, self.tenant, key)
    }

    fn insert_suppression(&self, kind: &str, digest: &[u8], at: DateTime<Utc>) -> Result<()> {
        privacy::insert_suppression(&mut **self.db()?, self.tenant, kind, digest, &at)
    }

    fn erase_documents(&self, customer: &CustomerId) -> Result<()> {
        documents::erase_all(&mut **self.db()?, self.tenant, customer).map(drop)
    }

    fn erase_communications(&self, customer: &CustomerId) -> Result<()> {
        communications::erase(&mut **self.db()?, self.tenant, customer).map(drop)
    }

    fn insert_anonymisation(
        &self,
        customer: &CustomerId,
        actor: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        privacy::insert_anonymisation(&mut **self.db()?, self.tenant, customer, actor, reason, &at)
    }
}
