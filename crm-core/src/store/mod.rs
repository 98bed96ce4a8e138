//! Storage: the storage port (`port`: transactions of one tenant, row-level, rule-free), the
//! older tenant-scoped [`Repository`] seam of the areas not moved over it yet, and their SQLite
//! implementation (the source of truth).

pub(crate) mod import;
pub(crate) mod port;
pub(crate) mod sqlite;

use crate::changes::ChangeEvent;
use crate::error::Result;
use crate::merge::{MergeId, MergePlan, MergeRecord, MergeRequest, Merged};
use crate::model::{Actor, Customer, CustomerId, CustomerRow, IndexedCustomer, TenantId};
use crate::privacy::{AnonymisationReport, PersonalDataExport};
use chrono::{DateTime, Utc};

/// Everything the facade asks of a store. Every method takes the tenant and never reads or writes
/// another tenant's rows; a record of another tenant answers NotFound. Every mutating method is
/// one transaction that also appends its change events. Inputs arrive validated.
pub(crate) trait Repository: port::Store {
    /// Inserts validated customers in one transaction, assigning customer numbers in order.
    fn insert_customers(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        customers: Vec<Customer>,
    ) -> Result<Vec<Customer>>;
    /// [`insert_customers`](Self::insert_customers) of the chunks `next` yields until `None`,
    /// all in one transaction: an error from `next` rolls every chunk back.
    fn insert_customers_from(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        next: &mut dyn FnMut() -> Result<Option<Vec<Customer>>>,
    ) -> Result<Vec<Customer>>;
    /// The customers whose main or secondary email matches, ignoring case, oldest first.
    fn customers_by_email(&self, tenant: &TenantId, email: &str) -> Result<Vec<Customer>>;
    /// Deletes a customer, detaching its bookings; returns how many were detached.
    fn delete_customer(&self, tenant: &TenantId, actor: &Actor, id: &CustomerId) -> Result<u64>;
    /// For the search index, across tenants: up to `limit` change events after `after`, each
    /// as its sequence, tenant and the customers it touched.
    fn changed_customers(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, TenantId, Vec<CustomerId>)>>;
    /// The last sequence of the feed and the number of customers of all tenants.
    fn feed_position(&self) -> Result<(i64, u64)>;
    /// The feed's last sequence when this handle committed its last write (or, before its first,
    /// when it was opened): what a search through this handle must reflect.
    fn last_written(&self) -> i64;
    /// The search documents of the given customers of a tenant that still exist.
    fn index_documents(
        &self,
        tenant: &TenantId,
        ids: &[CustomerId],
    ) -> Result<Vec<IndexedCustomer>>;
    /// Up to `limit` search documents of any tenant, by id, after `after`.
    fn scan_index_documents(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<Vec<IndexedCustomer>>;
    /// The customers of a tenant among `ids` that still exist, in id order, with their contacts
    /// and lists.
    fn customers(&self, tenant: &TenantId, ids: &[CustomerId]) -> Result<Vec<Customer>>;
    /// Up to `limit` customers of a tenant, in id order, after `after`, with their contacts and
    /// lists.
    fn scan_customers(
        &self,
        tenant: &TenantId,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<Vec<Customer>>;
    /// Up to `limit` customer numbers and ids of a tenant after customer no. `after_no`, in
    /// number order.
    fn ids_by_no(
        &self,
        tenant: &TenantId,
        after_no: i64,
        limit: u32,
    ) -> Result<Vec<(i64, CustomerId)>>;
    /// The customer-list rows of the given customers of a tenant, in the order given (missing
    /// ones left out).
    fn customer_rows(&self, tenant: &TenantId, ids: &[CustomerId]) -> Result<Vec<CustomerRow>>;
    /// Up to `limit` change events of the tenant after `after`, in order.
    fn changes_since(&self, tenant: &TenantId, after: i64, limit: u32) -> Result<Vec<ChangeEvent>>;
    /// What merging as `request` asks would do, without writing.
    fn plan_merge(&self, tenant: &TenantId, request: &MergeRequest) -> Result<MergePlan>;
    /// Merges in one transaction: survivorship, bookings moved, others removed, merge recorded.
    fn merge(&self, tenant: &TenantId, actor: &Actor, request: &MergeRequest) -> Result<Merged>;
    /// Undoes a merge if nothing it wrote was touched since.
    fn unmerge(&self, tenant: &TenantId, actor: &Actor, id: &MergeId) -> Result<MergeRecord>;
    /// One merge's record.
    fn merge_record(&self, tenant: &TenantId, id: &MergeId) -> Result<MergeRecord>;
    /// The merges a customer took part in (as primary or merged), newest first.
    fn merge_history(&self, tenant: &TenantId, customer: &CustomerId) -> Result<Vec<MergeRecord>>;
    /// What anonymising customer `id` would erase and keep.
    fn plan_anonymise(&self, tenant: &TenantId, id: &CustomerId) -> Result<AnonymisationReport>;
    /// Anonymises customer `id`, scrubs the merge snapshots of it, remembers its contacts as
    /// keyed hashes.
    fn anonymise(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &CustomerId,
        reason: &str,
    ) -> Result<AnonymisationReport>;
    /// Up to `limit` customers with no booking and no change since `before`, after customer no.
    /// `after_no`, in number order.
    fn inactive_customers(
        &self,
        tenant: &TenantId,
        before: &DateTime<Utc>,
        after_no: i64,
        limit: u32,
    ) -> Result<Vec<(i64, CustomerId)>>;
    /// Anonymises those of `ids` still inactive since `before`, in one transaction.
    fn anonymise_inactive(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        ids: &[CustomerId],
        before: &DateTime<Utc>,
        reason: &str,
    ) -> Result<Vec<CustomerId>>;
    /// The contact fields of `customer` that belong to anonymised customers.
    fn suppressed_fields(&self, tenant: &TenantId, customer: &Customer) -> Result<Vec<String>>;
    /// [`suppressed_fields`](Self::suppressed_fields) of each of `customers`, in one read.
    fn suppressed_fields_each(
        &self,
        tenant: &TenantId,
        customers: &[&Customer],
    ) -> Result<Vec<Vec<String>>>;
    /// Every personal datum held on customer `id`.
    fn export_personal_data(
        &self,
        tenant: &TenantId,
        id: &CustomerId,
    ) -> Result<PersonalDataExport>;
    /// Runs an import for the tenant: batches of rows from `sink`, each row matched (by
    /// `custom_key`'s value for [`MatchValue::Custom`](import::MatchValue)) then updated or
    /// created, in transactions as `transactions` says. Returns whether rows were committed.
    fn import(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        custom_key: Option<&str>,
        transactions: import::ImportTransactions,
        sink: &mut dyn import::ImportSink,
    ) -> Result<bool>;
    /// The maintenance step after an erasure: whatever the store keeps besides its live data
    /// (SQLite: the write-ahead log) is emptied so erased values leave it. `false` when it could
    /// not be done now (another connection holds it); nothing is lost, only postponed.
    fn flush_erased(&self) -> Result<bool>;
}
