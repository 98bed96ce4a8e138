//! The storage port on SQLite: a transaction of one tenant, each operation one or two
//! statements of the files beside this one.

use rusqlite::Transaction;

use chrono::{DateTime, Utc};

use super::{changes, communications, customers, documents, lists, merges};
use crate::changes::Change;
use crate::error::Result;
use crate::merge::MergeId;
use crate::model::{
    Actor, BrochureRequest, BrochureRequestId, Communication, Customer, CustomerId, Document,
    DocumentId, ListInfo, TenantId,
};
use crate::store::port::{Tx, WriteTx};

/// A read or write transaction of one tenant.
pub(super) struct SqliteTx<'a> {
    tx: &'a Transaction<'a>,
    tenant: &'a TenantId,
}

impl<'a> SqliteTx<'a> {
    pub(super) fn new(tx: &'a Transaction<'a>, tenant: &'a TenantId) -> Self {
        Self { tx, tenant }
    }
}

impl Tx for SqliteTx<'_> {
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
}

impl WriteTx for SqliteTx<'_> {
    fn append(&self, actor: &Actor, change: &Change) -> Result<()> {
        changes::append(self.tx, self.tenant, actor, change)
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
}
