//! The storage port on SQLite: a transaction of one tenant, each operation the statements of
//! one of the files beside this one.

use rusqlite::Transaction;

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};

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
pub(super) struct SqliteTx<'a> {
    tx: &'a Transaction<'a>,
    tenant: &'a TenantId,
    /// The last time stamped and its text: a batch stamps every row and event alike.
    stamp: RefCell<Option<(DateTime<Utc>, String)>>,
}

impl<'a> SqliteTx<'a> {
    pub(super) fn new(tx: &'a Transaction<'a>, tenant: &'a TenantId) -> Self {
        Self {
            tx,
            tenant,
            stamp: RefCell::new(None),
        }
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

impl Tx for SqliteTx<'_> {
    fn customer_page(
        &self,
        sort: CustomerSort,
        descending: bool,
        fetch: u32,
        after: Option<(&SortValue, &CustomerId)>,
    ) -> Result<Vec<(CustomerRow, SortKey)>> {
        list::rows(self.tx, self.tenant, sort, descending, fetch, after)
    }

    fn sort_name(&self, id: &CustomerId) -> Result<Option<String>> {
        list::sort_name(self.tx, self.tenant, id)
    }

    fn customer_count(&self) -> Result<u64> {
        list::count(self.tx, self.tenant)
    }

    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>> {
        customers::by_email(self.tx, self.tenant, email)
    }

    fn suppression_key(&self) -> Result<Option<Vec<u8>>> {
        privacy::suppression_key(self.tx, self.tenant)
    }

    fn opted_out_among(
        &self,
        channel: Channel,
        digests: &[Vec<u8>],
    ) -> Result<std::collections::HashSet<Vec<u8>>> {
        privacy::opted_out_among(self.tx, self.tenant, channel.as_str(), digests)
    }

    fn consents(&self, customers: &[CustomerId]) -> Result<Vec<ConsentRecord>> {
        consent::of_customers(self.tx, self.tenant, customers)
    }

    fn consents_among(
        &self,
        customers: &[CustomerId],
        channel: Channel,
        purpose: ConsentPurpose,
    ) -> Result<Vec<(CustomerId, ConsentRecord)>> {
        consent::among(self.tx, self.tenant, customers, channel, purpose)
    }

    fn has_opt_outs(&self, channel: Channel) -> Result<bool> {
        privacy::has_opt_outs(self.tx, self.tenant, channel.as_str())
    }

    fn is_opted_out(&self, channel: Channel, digest: &[u8]) -> Result<bool> {
        privacy::is_opted_out(self.tx, self.tenant, channel.as_str(), digest)
    }

    fn suppressed_among(
        &self,
        kind: &str,
        digests: &[Vec<u8>],
    ) -> Result<std::collections::HashSet<Vec<u8>>> {
        privacy::suppressed_among(self.tx, self.tenant, kind, digests)
    }

    fn booking(&self, reference: &str) -> Result<Option<Booking>> {
        bookings::by_reference(self.tx, self.tenant, reference)
    }

    fn bookings(&self, references: &[&str]) -> Result<Vec<Booking>> {
        bookings::many(self.tx, self.tenant, references)
    }

    fn booking_history(&self, customer: &CustomerId) -> Result<Vec<Booking>> {
        bookings::history(self.tx, self.tenant, customer)
    }

    fn invoiced(&self, customers: &[CustomerId]) -> Result<Vec<Invoiced>> {
        bookings::invoiced_of(self.tx, self.tenant, customers)
    }

    fn booking_counts(
        &self,
        customer: &CustomerId,
    ) -> Result<(u64, Option<DateTime<FixedOffset>>)> {
        bookings::counts(self.tx, self.tenant, customer)
    }

    fn privacy_log(&self, after: i64, limit: u32) -> Result<Vec<PrivacyLogEntry>> {
        privacy::log_entries(self.tx, self.tenant, after, limit)
    }

    fn tenant_settings(&self) -> Result<TenantSettings> {
        customers::tenant_settings(self.tx, self.tenant)
    }

    fn customer_by_no(&self, no: i64) -> Result<Option<Customer>> {
        customers::find_by_no(self.tx, self.tenant, no)
    }

    fn merged_by_no(&self, no: i64) -> Result<Option<CustomerId>> {
        merges::merged_by_no(self.tx, self.tenant, no)
    }

    fn customer(&self, id: &CustomerId) -> Result<Option<Customer>> {
        customers::find(self.tx, self.tenant, id)
    }

    fn customer_exists(&self, id: &CustomerId) -> Result<bool> {
        customers::exists(self.tx, self.tenant, id)
    }

    fn merged_into(&self, id: &CustomerId) -> Result<Option<(CustomerId, MergeId)>> {
        merges::merged_into(self.tx, self.tenant, id)
    }

    fn documents(&self, customer: &CustomerId) -> Result<Vec<Document>> {
        documents::list(self.tx, self.tenant, customer)
    }

    fn document_count(&self, customer: &CustomerId) -> Result<u64> {
        documents::count(self.tx, self.tenant, customer)
    }

    fn document(&self, id: &DocumentId) -> Result<Option<Document>> {
        documents::get(self.tx, self.tenant, id)
    }

    fn document_content(&self, id: &DocumentId) -> Result<Option<Vec<u8>>> {
        documents::content(self.tx, self.tenant, id)
    }

    fn communications(&self, customer: &CustomerId) -> Result<Vec<Communication>> {
        communications::of_customer(self.tx, self.tenant, customer)
    }

    fn lists(&self) -> Result<Vec<ListInfo>> {
        lists::all(self.tx, self.tenant)
    }

    fn list_exists(&self, name: &str) -> Result<bool> {
        lists::exists(self.tx, self.tenant, name)
    }

    fn list_members(&self, name: &str) -> Result<Vec<CustomerId>> {
        lists::members(self.tx, self.tenant, name)
    }

    fn brochure_request(&self, id: &BrochureRequestId) -> Result<Option<BrochureRequest>> {
        lists::request(self.tx, self.tenant, id)
    }

    fn pending_brochure_request(&self, customer: &CustomerId) -> Result<Option<BrochureRequest>> {
        lists::pending_of(self.tx, self.tenant, customer)
    }

    fn pending_brochure_requests(
        &self,
        after: Option<&BrochureRequestId>,
        limit: u32,
    ) -> Result<Vec<BrochureRequest>> {
        lists::pending(self.tx, self.tenant, after, limit)
    }

    fn brochure_requests(&self, customer: &CustomerId) -> Result<Vec<BrochureRequest>> {
        lists::of_customer(self.tx, self.tenant, customer)
    }

    fn saved_search(&self, id: &SavedSearchId) -> Result<Option<SavedSearch>> {
        saved::get(self.tx, self.tenant, id)
    }

    fn saved_search_named(
        &self,
        name: &str,
    ) -> Result<Option<(SavedSearchId, Option<CustomerQuery>)>> {
        saved::named(self.tx, self.tenant, name)
    }

    fn saved_searches(&self) -> Result<Vec<SavedSearch>> {
        saved::all(self.tx, self.tenant)
    }

    fn saved_matches(&self, id: &SavedSearchId) -> Result<Vec<(CustomerId, DateTime<Utc>)>> {
        saved::matches(self.tx, self.tenant, id)
    }

    fn schedule(&self, id: &SavedSearchId) -> Result<Option<StoredSchedule>> {
        schedules::get(self.tx, self.tenant, id)
    }

    fn schedules(&self) -> Result<Vec<StoredSchedule>> {
        schedules::all(self.tx, self.tenant)
    }

    fn schedule_runs(&self, id: &SavedSearchId, limit: u32) -> Result<Vec<ScheduleRun>> {
        schedules::runs(self.tx, self.tenant, id, limit)
    }

    fn templates(&self) -> Result<Vec<Template>> {
        templates::all(self.tx, self.tenant)
    }

    fn template_variants(&self, name: &str) -> Result<Vec<Template>> {
        templates::named(self.tx, self.tenant, name)
    }

    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        let docs = indexing::documents(self.tx, self.tenant, ids, false)?;
        Ok(docs.into_iter().map(|d| d.customer).collect())
    }

    fn scan_customers(&self, after: Option<CustomerId>, limit: u32) -> Result<Vec<Customer>> {
        indexing::tenant_customers(self.tx, self.tenant, after, limit)
    }

    fn ids_by_no(&self, after_no: i64, limit: u32) -> Result<Vec<(i64, CustomerId)>> {
        indexing::ids_by_no(self.tx, self.tenant, after_no, limit)
    }

    fn customer_rows(&self, ids: &[CustomerId]) -> Result<Vec<CustomerRow>> {
        indexing::rows(self.tx, self.tenant, ids)
    }

    fn index_documents(&self, ids: &[CustomerId]) -> Result<Vec<IndexedCustomer>> {
        indexing::documents(self.tx, self.tenant, ids, true)
    }

    fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<ChangeEvent>> {
        changes::since(self.tx, self.tenant, after, limit)
    }

    fn changed_customers(&self, after: i64, limit: u32) -> Result<Vec<ChangedCustomers>> {
        indexing::changed_customers(self.tx, self.tenant, after, limit)
    }

    fn changes_about(&self, ids: &[CustomerId]) -> Result<Vec<ChangeEvent>> {
        changes::about(self.tx, self.tenant, ids)
    }

    fn feed_bounds(&self) -> Result<FeedBounds> {
        changes::bounds(self.tx, self.tenant)
    }

    fn first_change_from(&self, after: i64, at: DateTime<Utc>) -> Result<Option<i64>> {
        changes::first_from(self.tx, self.tenant, after, &at)
    }

    fn feed_cursors(&self) -> Result<Vec<FeedCursor>> {
        changes::cursors(self.tx, self.tenant)
    }

    fn match_model_stamp(&self) -> Result<Option<String>> {
        dedupe::model_stamp(self.tx, self.tenant)
    }

    fn match_model(&self) -> Result<Option<(String, String, Vec<u8>)>> {
        dedupe::model(self.tx, self.tenant)
    }

    fn not_duplicates(&self) -> Result<Vec<NotDuplicate>> {
        dedupe::decisions(self.tx, self.tenant)
    }

    fn not_duplicates_of(&self, id: &CustomerId) -> Result<Vec<NotDuplicate>> {
        dedupe::decisions_of(self.tx, self.tenant, id)
    }

    fn next_customer_no(&self) -> Result<i64> {
        customers::next_customer_no(self.tx, self.tenant)
    }

    fn custom_values(&self, key: &str) -> Result<HashMap<String, CustomerId>> {
        customers::by_custom_value(self.tx, self.tenant, key)
    }

    fn booking_references(&self, customer: &CustomerId) -> Result<Vec<(String, DateTime<Utc>)>> {
        bookings::references_of(self.tx, self.tenant, customer)
    }

    fn merge(&self, id: &MergeId) -> Result<Option<StoredMerge>> {
        merges::load(self.tx, self.tenant, id)
    }

    fn merge_parties(&self, id: &MergeId) -> Result<Option<MergeParties>> {
        merges::parties(self.tx, self.tenant, id)
    }

    fn merge_snapshot(&self, id: &MergeId, which: Snapshot) -> Result<Customer> {
        merges::snapshot(self.tx, self.tenant, id, which)
    }

    fn booking_owner(
        &self,
        reference: &str,
    ) -> Result<Option<(Option<CustomerId>, DateTime<Utc>)>> {
        bookings::owner(self.tx, self.tenant, reference)
    }

    fn booking_count(&self, customer: &CustomerId) -> Result<u64> {
        bookings::count_of(self.tx, self.tenant, customer)
    }

    fn merges_of(&self, ids: &[CustomerId]) -> Result<Vec<MergeId>> {
        merges::of_customers(self.tx, self.tenant, ids)
    }

    fn later_merge(&self, primary: &CustomerId, after: &MergeId) -> Result<Option<MergeId>> {
        merges::later(self.tx, self.tenant, primary, after)
    }

    fn merged_members(&self, primary: &CustomerId) -> Result<Vec<CustomerId>> {
        merges::members_of(self.tx, self.tenant, primary)
    }

    fn anonymisation(&self, customer: &CustomerId) -> Result<Option<AnonymisationNote>> {
        privacy::anonymisation(self.tx, self.tenant, customer)
    }

    fn inactive_customers(
        &self,
        before: &DateTime<Utc>,
        after_no: i64,
        limit: u32,
    ) -> Result<Vec<(i64, CustomerId)>> {
        privacy::inactive(self.tx, self.tenant, before, after_no, limit)
    }

    fn is_inactive(&self, id: &CustomerId, before: &DateTime<Utc>) -> Result<bool> {
        privacy::is_inactive(self.tx, self.tenant, id, before)
    }
}

impl WriteTx for SqliteTx<'_> {
    fn take_customer_numbers(&self, count: i64) -> Result<i64> {
        customers::take_numbers(self.tx, self.tenant, count)
    }

    fn insert_customer(&self, customer: &Customer) -> Result<()> {
        customers::written(self.tx, self.tenant, customer, true).map(drop)
    }

    fn log_privacy(
        &self,
        action: PrivacyAction,
        customer_no: i64,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<()> {
        privacy::log(self.tx, self.tenant, action, customer_no, actor, &at)
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
            self.tx,
            self.tenant,
            channel.as_str(),
            digest,
            (&at, source, &actor.user_id),
        )
    }

    fn delete_opt_out(&self, channel: Channel, digest: &[u8]) -> Result<bool> {
        privacy::delete_opt_out(self.tx, self.tenant, channel.as_str(), digest)
    }

    fn set_tenant_settings(&self, settings: &TenantSettings) -> Result<()> {
        customers::set_tenant_settings(self.tx, self.tenant, settings)
    }

    fn append_at(&self, actor: &Actor, change: &Change, at: DateTime<Utc>) -> Result<()> {
        changes::append_at(self.tx, self.tenant, actor, change, &self.text(at))
    }

    fn set_feed_cursor(&self, name: &str, seq: i64, at: DateTime<Utc>) -> Result<()> {
        changes::set_cursor(self.tx, self.tenant, name, seq, &self.text(at))
    }

    fn set_match_model(&self, learned_at: &str, params: &str, frequencies: &[u8]) -> Result<()> {
        dedupe::set_model(self.tx, self.tenant, learned_at, params, frequencies)
    }

    fn insert_not_duplicate(&self, decision: &NotDuplicate) -> Result<bool> {
        dedupe::insert_decision(self.tx, self.tenant, decision)
    }

    fn delete_not_duplicate(&self, low: &CustomerId, high: &CustomerId) -> Result<bool> {
        dedupe::delete_decision(self.tx, self.tenant, low, high)
    }

    fn delete_not_duplicates_of(&self, id: &CustomerId) -> Result<u64> {
        dedupe::delete_decisions_of(self.tx, self.tenant, id)
    }

    fn delete_feed_cursor(&self, name: &str) -> Result<bool> {
        changes::delete_cursor(self.tx, self.tenant, name)
    }

    fn compact_changes(&self, upto: i64, limit: u32) -> Result<u64> {
        changes::compact(self.tx, self.tenant, upto, limit)
    }

    fn insert_booking(&self, booking: &Booking) -> Result<()> {
        let updated = self.text(booking.updated_at);
        let created = self.text(booking.created_at);
        bookings::write(self.tx, self.tenant, booking, (&created, &updated), true)
    }

    fn update_booking(&self, booking: &Booking) -> Result<()> {
        let updated = self.text(booking.updated_at);
        bookings::write(self.tx, self.tenant, booking, ("", &updated), false)
    }

    fn set_booking_customer(
        &self,
        reference: &str,
        customer: Option<CustomerId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        bookings::set_customer(self.tx, self.tenant, reference, customer, &self.text(at))
    }

    fn recount_bookings(&self, customers: &[CustomerId]) -> Result<()> {
        bookings::refresh_counters(self.tx, self.tenant, customers.iter().copied())
    }

    fn add_bookings(
        &self,
        customer: &CustomerId,
        count: i64,
        latest: &DateTime<FixedOffset>,
    ) -> Result<bool> {
        bookings::add_to_counters(self.tx, self.tenant, customer, count, latest)
    }

    fn insert_document(&self, document: &Document, content: &[u8]) -> Result<()> {
        documents::insert(self.tx, self.tenant, document, content)
    }

    fn delete_document(&self, id: &DocumentId) -> Result<()> {
        documents::delete(self.tx, self.tenant, id)
    }

    fn insert_communication(&self, entry: &Communication) -> Result<()> {
        communications::insert(self.tx, self.tenant, entry)
    }

    fn update_customer(&self, customer: &Customer) -> Result<bool> {
        customers::written(self.tx, self.tenant, customer, false)
    }

    fn insert_list(&self, name: &str, at: DateTime<Utc>) -> Result<bool> {
        lists::insert(self.tx, self.tenant, name, at)
    }

    fn delete_list(&self, name: &str) -> Result<()> {
        lists::delete(self.tx, self.tenant, name)
    }

    fn delete_list_if_empty(&self, name: &str) -> Result<bool> {
        lists::delete_if_empty(self.tx, self.tenant, name)
    }

    fn insert_brochure_request(&self, request: &BrochureRequest) -> Result<()> {
        lists::insert_request(self.tx, self.tenant, request)
    }

    fn set_brochure_sent(&self, id: &BrochureRequestId, at: DateTime<Utc>) -> Result<()> {
        lists::set_sent(self.tx, self.tenant, id, at)
    }

    fn insert_saved_search(&self, search: &SavedSearch) -> Result<()> {
        saved::insert(self.tx, self.tenant, search)
    }

    fn set_saved_query(
        &self,
        id: &SavedSearchId,
        query: &CustomerQuery,
        saved_at: DateTime<Utc>,
        last_run_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        saved::set_query(self.tx, self.tenant, id, query, saved_at, last_run_at)
    }

    fn set_saved_last_run(&self, id: &SavedSearchId, at: DateTime<Utc>) -> Result<()> {
        saved::set_last_run(self.tx, self.tenant, id, at)
    }

    fn delete_saved_search(&self, id: &SavedSearchId) -> Result<bool> {
        saved::delete(self.tx, self.tenant, id)
    }

    fn forget_saved_matches(&self, id: &SavedSearchId) -> Result<()> {
        saved::forget_matches(self.tx, self.tenant, id)
    }

    fn insert_saved_match(
        &self,
        id: &SavedSearchId,
        customer: &CustomerId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        saved::insert_match(self.tx, self.tenant, id, customer, at)
    }

    fn delete_saved_match(&self, id: &SavedSearchId, customer: &CustomerId) -> Result<()> {
        saved::delete_match(self.tx, self.tenant, id, customer)
    }

    fn set_schedule(&self, id: &SavedSearchId, json: &str, at: DateTime<Utc>) -> Result<()> {
        schedules::set(self.tx, self.tenant, id, json, at)
    }

    fn delete_schedule(&self, id: &SavedSearchId) -> Result<bool> {
        schedules::delete(self.tx, self.tenant, id)
    }

    fn claim_schedule_slot(
        &self,
        id: &SavedSearchId,
        slot: DateTime<Utc>,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<bool> {
        schedules::claim(self.tx, self.tenant, id, slot, at, by)
    }

    fn finish_schedule_slot(
        &self,
        id: &SavedSearchId,
        slot: DateTime<Utc>,
        at: DateTime<Utc>,
        rows: u64,
        file: Option<&str>,
    ) -> Result<()> {
        schedules::finish(self.tx, self.tenant, id, slot, at, rows, file)
    }

    fn release_schedule_slot(&self, id: &SavedSearchId, slot: DateTime<Utc>) -> Result<()> {
        schedules::release(self.tx, self.tenant, id, slot)
    }

    fn put_template(&self, template: &Template) -> Result<()> {
        templates::put(self.tx, self.tenant, template)
    }

    fn delete_template(&self, name: &str, language: Option<&str>) -> Result<bool> {
        templates::delete(self.tx, self.tenant, name, language)
    }

    fn remove_customer(&self, id: &CustomerId) -> Result<()> {
        customers::remove(self.tx, self.tenant, id)
    }

    fn restore_customer(&self, customer: &Customer) -> Result<()> {
        customers::restore(self.tx, self.tenant, customer)
    }

    fn unlink_bookings(&self, customer: &CustomerId, at: DateTime<Utc>) -> Result<Vec<String>> {
        bookings::unlink_all(self.tx, self.tenant, customer, &self.text(at))
    }

    fn insert_merge(&self, merge: &StoredMerge) -> Result<()> {
        merges::insert(self.tx, self.tenant, merge)
    }

    fn set_merge_undone(&self, id: &MergeId, undo: &Undo) -> Result<()> {
        merges::set_undone(self.tx, self.tenant, id, undo)
    }

    fn set_merge_snapshot(&self, id: &MergeId, which: Snapshot, customer: &Customer) -> Result<()> {
        merges::set_snapshot(self.tx, self.tenant, id, which, customer)
    }

    fn erase_consents(&self, customer: &CustomerId) -> Result<()> {
        consent::erase(self.tx, self.tenant, customer)
    }

    fn insert_consent(&self, customer: &CustomerId, record: &ConsentRecord) -> Result<()> {
        consent::insert(self.tx, self.tenant, customer, record)
    }

    fn move_owned_rows(&self, merge: &MergeId, from: &CustomerId, to: &CustomerId) -> Result<()> {
        merges::move_owned(self.tx, self.tenant, merge, from, to)
    }

    fn move_back_owned_rows(&self, merge: &MergeId, primary: &CustomerId) -> Result<()> {
        merges::move_back_owned(self.tx, self.tenant, merge, primary)
    }

    fn set_suppression_key(&self, key: &[u8]) -> Result<()> {
        privacy::set_suppression_key(self.tx, self.tenant, key)
    }

    fn insert_suppression(&self, kind: &str, digest: &[u8], at: DateTime<Utc>) -> Result<()> {
        privacy::insert_suppression(self.tx, self.tenant, kind, digest, &at)
    }

    fn erase_documents(&self, customer: &CustomerId) -> Result<()> {
        documents::erase_all(self.tx, self.tenant, customer).map(drop)
    }

    fn erase_communications(&self, customer: &CustomerId) -> Result<()> {
        communications::erase(self.tx, self.tenant, customer).map(drop)
    }

    fn insert_anonymisation(
        &self,
        customer: &CustomerId,
        actor: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        privacy::insert_anonymisation(self.tx, self.tenant, customer, actor, reason, &at)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SqliteStore, lock};
    use crate::model::{CustomerQuery, SavedSearch, SavedSearchId, TenantId};
    use crate::store::port::{self, Store};

    /// A saved search's matches hold no tenant: the port reaches them only through a search of
    /// the transaction's tenant.
    #[test]
    fn the_matches_of_a_saved_search_are_out_of_another_tenants_reach() {
        let store = SqliteStore::open_in_memory().unwrap();
        let store: &dyn Store = &store;
        let (a, b) = (TenantId::new("a").unwrap(), TenantId::new("b").unwrap());
        let now = chrono::Utc::now();
        let search = SavedSearch {
            id: SavedSearchId::new(),
            name: "weekly".into(),
            query: CustomerQuery::all(),
            created_at: now,
            updated_at: now,
            last_run_at: None,
        };
        let customer = crate::model::CustomerId::new();
        port::write(store, &a, |tx| {
            tx.insert_saved_search(&search)?;
            tx.insert_saved_match(&search.id, &customer, now)
        })
        .unwrap();
        port::write(store, &b, |tx| {
            assert!(tx.saved_search(&search.id)?.is_none());
            assert!(tx.saved_matches(&search.id)?.is_empty());
            tx.insert_saved_match(&search.id, &crate::model::CustomerId::new(), now)?;
            tx.delete_saved_match(&search.id, &customer)?;
            tx.forget_saved_matches(&search.id)?;
            assert!(!tx.delete_saved_search(&search.id)?);
            Ok(())
        })
        .unwrap();
        let kept = port::read(store, &a, |tx| tx.saved_matches(&search.id)).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].0, customer);
    }

    /// A saved search whose stored query no longer reads (written by another version) is
    /// replaced when a query is saved under its name, not an error.
    #[test]
    fn an_unreadable_saved_query_is_replaced_by_a_save() {
        let sqlite = SqliteStore::open_in_memory().unwrap();
        let tenant = TenantId::new("a").unwrap();
        let actor = crate::model::Actor::new("u", crate::model::Role::Agent);
        let query = CustomerQuery::all().city("Lyon");
        let first = crate::cases::saved::save(&sqlite, &tenant, &actor, "weekly", &query).unwrap();
        lock(&sqlite.writer)
            .execute(
                "UPDATE saved_searches SET query = '{\"gone\": 1}' WHERE id = ?1",
                [first.id.as_uuid()],
            )
            .unwrap();
        let again = crate::cases::saved::save(&sqlite, &tenant, &actor, "weekly", &query).unwrap();
        assert_eq!(again.id, first.id);
        assert_eq!(again.query, query);
    }

    /// Anonymising a customer scrubs the merge snapshots of it and leaves those of other
    /// records as stored (even one this version cannot read); a snapshot of it that cannot be
    /// read is an Internal error, and nothing is written.
    #[test]
    fn anonymising_scrubs_only_the_persons_merge_snapshots() {
        use crate::error::Error;
        use crate::model::{MergeRequest, NewCustomer, Role, Rules, TenantSettings};

        let sqlite = SqliteStore::open_in_memory().unwrap();
        let tenant = TenantId::new("a").unwrap();
        let actor = crate::model::Actor::new("dpo", Role::Organisation);
        let rules = Rules::new(
            &TenantSettings::default(),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        );
        let people: Vec<_> = ["Anne", "Bob", "Chloé", "Dan"]
            .iter()
            .map(|name| {
                NewCustomer {
                    first_name: (*name).into(),
                    last_name: "Martin".into(),
                    ..NewCustomer::default()
                }
                .validate(&rules)
                .unwrap()
            })
            .collect();
        let [a, b, c, d] = crate::cases::customers::create_all(&sqlite, &tenant, &actor, people)
            .unwrap()
            .try_into()
            .unwrap();
        let raw = |sql: &str, id: &crate::model::MergeId| {
            lock(&sqlite.writer).execute(sql, [id.as_uuid()]).unwrap();
        };
        let text = |sql: &str, id: &crate::model::MergeId| -> String {
            lock(&sqlite.writer)
                .query_row(sql, [id.as_uuid()], |r| r.get(0))
                .unwrap()
        };

        // Bob merged into Anne, then taken out again: Bob's snapshot is not Anne's data.
        let first =
            crate::cases::merges::merge(&sqlite, &tenant, &actor, &MergeRequest::new(a.id, [b.id]))
                .unwrap()
                .record
                .id;
        crate::cases::merges::unmerge(&sqlite, &tenant, &actor, &first).unwrap();
        raw(
            "UPDATE merge_members SET snapshot = 'not json' WHERE merge_id = ?1",
            &first,
        );
        crate::cases::privacy::anonymise(&sqlite, &tenant, &actor, &a.id, "asked").unwrap();
        let member = "SELECT snapshot FROM merge_members WHERE merge_id = ?1";
        assert_eq!(text(member, &first), "not json");
        let before = text("SELECT primary_before FROM merges WHERE id = ?1", &first);
        assert!(
            !before.contains("Anne") && before.contains("Anonymised"),
            "{before}"
        );

        // Dan merged into Chloé; Chloé's own snapshot unreadable: refused, nothing written.
        let second =
            crate::cases::merges::merge(&sqlite, &tenant, &actor, &MergeRequest::new(c.id, [d.id]))
                .unwrap()
                .record
                .id;
        raw(
            "UPDATE merges SET primary_before = 'not json' WHERE id = ?1",
            &second,
        );
        match crate::cases::privacy::anonymise(&sqlite, &tenant, &actor, &c.id, "asked") {
            Err(Error::Internal(message)) => {
                assert_eq!(message, "a merge snapshot is not a customer record");
            }
            other => panic!("{other:?}"),
        }
        assert!(text(member, &second).contains("Dan"));
        // The one write made before the refusal (the merged result scrubbed) was rolled back.
        let after = text("SELECT primary_after FROM merges WHERE id = ?1", &second);
        assert!(after.contains("Chloé"), "{after}");
        let stored = port::read(&sqlite, &tenant, |tx| tx.customer(&c.id))
            .unwrap()
            .unwrap();
        assert!(!stored.is_anonymised());
    }
}
