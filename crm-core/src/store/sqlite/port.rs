//! The storage port on SQLite: a transaction of one tenant, each operation one or two
//! statements of the files beside this one.

use rusqlite::Transaction;

use super::{changes, communications, customers, documents, merges};
use crate::changes::Change;
use crate::error::Result;
use crate::merge::MergeId;
use crate::model::{Actor, Communication, Customer, CustomerId, Document, DocumentId, TenantId};
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
}
